//! Limits on what a window hands the actor. A compromised webview can call every command its
//! capability allows, with any arguments; these keep its strings from growing the settings
//! file, the offsets file or the actor's memory without bound. Real values are far below them.

use super::{Action, PlayerError};
use crate::events::ViewMemory;

/// Track and copy ids: a server's prefix and its own id are well under this.
const MAX_ID_BYTES: usize = 1024;
/// Output device ids, as audio backends name them.
const MAX_DEVICE_BYTES: usize = 1024;
/// A global shortcut (`CmdOrCtrl+Alt+Shift+MediaPlayPause` is 35).
const MAX_ACCELERATOR_BYTES: usize = 64;
/// A view's or a list's name in the window's memory (`library`, `queue`, ...).
const MAX_VIEW_NAME_BYTES: usize = 64;
/// Lists whose scroll offsets the window's memory keeps.
const MAX_SCROLLED_LISTS: usize = 64;

/// The action, if its strings are within bounds (the window's memory is trimmed instead: it
/// is only a convenience, and a view name the UI does not know is ignored there anyway).
pub(super) fn checked(action: Action) -> Result<Action, PlayerError> {
    match &action {
        Action::SetOutputDevice(Some(device)) => {
            at_most("output device's id", device, MAX_DEVICE_BYTES)?;
        }
        Action::SetLyricsOffset { track, .. } | Action::SetLiked { track, .. } => {
            at_most("track id", &track.0, MAX_ID_BYTES)?;
        }
        Action::UseCandidate { track, candidate } => {
            at_most("track id", &track.0, MAX_ID_BYTES)?;
            at_most("copy's id", candidate, MAX_ID_BYTES)?;
        }
        Action::SetDesktop(desktop) => {
            let keys = &desktop.shortcuts;
            for key in [
                &keys.play_pause,
                &keys.next,
                &keys.previous,
                &keys.volume_up,
                &keys.volume_down,
                &keys.show_window,
            ] {
                at_most("shortcut", key, MAX_ACCELERATOR_BYTES)?;
            }
        }
        Action::RememberView(_) => {
            let Action::RememberView(view) = action else {
                unreachable!()
            };
            return Ok(Action::RememberView(trimmed(view)));
        }
        _ => {}
    }
    Ok(action)
}

fn at_most(what: &'static str, value: &str, max: usize) -> Result<(), PlayerError> {
    if value.len() > max {
        return Err(PlayerError::TooLong { what, max });
    }
    Ok(())
}

/// The view's memory without over-long names, non-finite or negative offsets, or more lists
/// than any window has.
fn trimmed(view: ViewMemory) -> ViewMemory {
    let name_ok = |name: &str| name.len() <= MAX_VIEW_NAME_BYTES;
    ViewMemory {
        view: if name_ok(&view.view) {
            view.view
        } else {
            String::new()
        },
        scroll: view
            .scroll
            .into_iter()
            .filter(|(list, offset)| name_ok(list) && offset.is_finite() && *offset >= 0.0)
            .take(MAX_SCROLLED_LISTS)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TrackId;
    use crate::settings::DesktopSettings;

    #[test]
    fn over_long_strings_are_refused_and_the_view_memory_trimmed() {
        let long = "x".repeat(MAX_ID_BYTES + 1);
        let refused = checked(Action::SetLiked {
            track: TrackId(long.clone()),
            liked: true,
        });
        assert!(matches!(refused, Err(PlayerError::TooLong { .. })));
        assert!(checked(Action::SetOutputDevice(Some(long))).is_err());
        let mut desktop = DesktopSettings::default();
        desktop.shortcuts.next = "Ctrl+".repeat(20);
        assert!(checked(Action::SetDesktop(desktop)).is_err());
        assert!(
            checked(Action::SetOutputDevice(Some("alsa_output.pci-0000".into()))).is_ok(),
            "a real id passes"
        );

        let view = ViewMemory {
            view: "v".repeat(100),
            scroll: (0..1000)
                .map(|i| (format!("list{i}"), f64::from(i)))
                .chain([("bad".into(), f64::NAN), ("neg".into(), -1.0)])
                .collect(),
        };
        let Ok(Action::RememberView(view)) = checked(Action::RememberView(view)) else {
            panic!("the view memory is trimmed, not refused")
        };
        assert_eq!(view.view, "");
        assert_eq!(view.scroll.len(), MAX_SCROLLED_LISTS);
        assert_eq!(view.scroll[1], ("list1".to_owned(), 1.0));
    }
}
