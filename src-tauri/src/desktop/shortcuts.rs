//! Global keyboard shortcuts: keys that work while another app has the focus. Set up from the
//! desktop settings at start and again whenever they change; a key another app already holds
//! (or one that is not a valid accelerator) is reported to the user, and the others still work.

use lyrebird_core::PlayerHandle;
use lyrebird_core::actor::Action;
use lyrebird_core::events::Notice;
use lyrebird_core::settings::GlobalShortcuts;
use tauri::{AppHandle, Runtime};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, ShortcutState};

use crate::desktop::window;

/// What a shortcut does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShortcutAction {
    PlayPause,
    Next,
    Previous,
    VolumeUp,
    VolumeDown,
    ShowWindow,
}

/// How much the volume keys change the volume.
const VOLUME_STEP: f32 = 0.05;

/// The shortcuts that are on, as (keys, action). Empty keys are left out; with shortcuts off,
/// none.
pub fn bindings(settings: &GlobalShortcuts) -> Vec<(String, ShortcutAction)> {
    if !settings.enabled {
        return Vec::new();
    }
    [
        (&settings.play_pause, ShortcutAction::PlayPause),
        (&settings.next, ShortcutAction::Next),
        (&settings.previous, ShortcutAction::Previous),
        (&settings.volume_up, ShortcutAction::VolumeUp),
        (&settings.volume_down, ShortcutAction::VolumeDown),
        (&settings.show_window, ShortcutAction::ShowWindow),
    ]
    .into_iter()
    .filter(|(keys, _)| !keys.trim().is_empty())
    .map(|(keys, action)| (keys.trim().to_owned(), action))
    .collect()
}

/// Replace every registered shortcut with those of `settings`. Keys that cannot be registered
/// are told to the user as notices.
pub fn apply<R: Runtime>(app: &AppHandle<R>, player: &PlayerHandle, settings: &GlobalShortcuts) {
    let shortcuts = app.global_shortcut();
    if let Err(e) = shortcuts.unregister_all() {
        tracing::warn!(error = %e, "old shortcuts not removed");
    }
    for (keys, action) in bindings(settings) {
        let handler_player = player.clone();
        let result = shortcuts.on_shortcut(keys.as_str(), move |app, _shortcut, event| {
            if event.state == ShortcutState::Pressed {
                perform(app, &handler_player, action);
            }
        });
        match result {
            Ok(()) => tracing::info!(%keys, ?action, "global shortcut set"),
            Err(e) => {
                tracing::warn!(%keys, error = %e, "global shortcut not available");
                player.send(Action::Notify(Notice::ShortcutUnavailable {
                    keys,
                    reason: e.to_string(),
                }));
            }
        }
    }
}

fn perform<R: Runtime>(app: &AppHandle<R>, player: &PlayerHandle, action: ShortcutAction) {
    match action {
        ShortcutAction::PlayPause => player.send(Action::TogglePause),
        ShortcutAction::Next => player.send(Action::Next),
        ShortcutAction::Previous => player.send(Action::Previous),
        ShortcutAction::VolumeUp | ShortcutAction::VolumeDown => {
            let step = if action == ShortcutAction::VolumeUp {
                VOLUME_STEP
            } else {
                -VOLUME_STEP
            };
            player.send(Action::ChangeVolume(step));
        }
        ShortcutAction::ShowWindow => window::show_main(app),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_bind_every_action() {
        let all = bindings(&GlobalShortcuts::default());
        assert_eq!(all.len(), 6);
        assert!(all.contains(&("CmdOrCtrl+Alt+P".into(), ShortcutAction::PlayPause)));
        assert!(all.contains(&("CmdOrCtrl+Alt+M".into(), ShortcutAction::ShowWindow)));
    }

    #[test]
    fn empty_keys_and_switched_off_bind_nothing() {
        let mut settings = GlobalShortcuts {
            next: "  ".into(),
            volume_up: String::new(),
            ..GlobalShortcuts::default()
        };
        let bound: Vec<_> = bindings(&settings).into_iter().map(|(_, a)| a).collect();
        assert!(!bound.contains(&ShortcutAction::Next));
        assert!(!bound.contains(&ShortcutAction::VolumeUp));
        assert_eq!(bound.len(), 4);
        settings.enabled = false;
        assert!(bindings(&settings).is_empty());
    }
}
