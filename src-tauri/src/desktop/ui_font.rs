//! The face the app's own windows set their text in, named to their pages by the family
//! fontconfig actually chose (Linux).
//!
//! Why: `app.css` asks for `system-ui` and falls back to `sans-serif`. `WebKitGTK` resolves a
//! generic family through fontconfig for every new size and weight the page uses, and checks
//! each resolution against every family the generic one is aliased to (about 90 fontconfig
//! matches each on Debian). A page that names the installed family instead skips that: the
//! main window's first frame with 100 000 tracks came about 0.08 s sooner
//! (`docs/benchmarks.md`, "The first frame's fonts"). The family is the desktop's UI font
//! (GTK's `gtk-font-name`) as fontconfig resolves it, the face GTK itself draws with. On macOS
//! and Windows `system-ui` is resolved natively, and nothing is named.
//!
//! Resolving it takes fontconfig's start (its configuration and caches: tens of milliseconds
//! that the app's main thread never needs otherwise), so it runs in `fc-match` (shipped with
//! Pango, which GTK needs) on a thread of its own while the app starts, and a window that is
//! built before it answers goes without.

use std::sync::mpsc;
use std::time::Duration;

/// The CSS custom property `app.css` puts before `system-ui` in its font list.
const PROPERTY: &str = "--ui-font";
/// More than any family name `fc-match` prints.
#[cfg(target_os = "linux")]
const MAX_ANSWER: u64 = 4096;

/// The family being resolved; [`PendingFamily::wait`] takes the answer.
pub struct PendingFamily(Option<mpsc::Receiver<Option<String>>>);

impl PendingFamily {
    /// The family, if it was resolved within `patience`.
    pub fn wait(self, patience: Duration) -> Option<String> {
        self.0?.recv_timeout(patience).ok().flatten()
    }
}

/// Start resolving the desktop's UI font. Call on the main thread (it reads GTK's settings);
/// the resolution itself runs on a thread of its own.
#[cfg(target_os = "linux")]
pub fn resolve_in_background() -> PendingFamily {
    let setting = gtk::Settings::default()
        .and_then(|settings| gtk::prelude::GtkSettingsExt::gtk_font_name(&settings))
        .map(|name| gtk::pango::FontDescription::from_string(&name))
        .and_then(|description| description.family())
        .map_or_else(|| "sans-serif".to_owned(), |family| family.to_string());
    let (answer, pending) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("lyrebird-ui-font".into())
        .spawn(move || {
            let family = fc_match(&setting);
            if family.is_none() {
                tracing::debug!(%setting, "the desktop's font was not resolved; pages use system-ui");
            }
            let _ = answer.send(family);
        });
    PendingFamily(spawned.ok().map(|_| pending))
}

#[cfg(not(target_os = "linux"))]
pub fn resolve_in_background() -> PendingFamily {
    PendingFamily(None)
}

/// The installed family fontconfig chooses for `family` (itself if installed; the face it
/// falls back to if not; the aliased face for a generic name like `Sans`).
#[cfg(target_os = "linux")]
fn fc_match(family: &str) -> Option<String> {
    use std::io::Read;
    let mut child = std::process::Command::new("fc-match")
        // Its debugging output (a user's FC_DEBUG) would be read as the family.
        .env_remove("FC_DEBUG")
        .arg("--format=%{family[0]}")
        .arg(fontconfig_pattern(family))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let mut printed = String::new();
    let read = child
        .stdout
        .take()
        .map(|out| out.take(MAX_ANSWER).read_to_string(&mut printed));
    let status = child.wait().ok()?;
    let family = printed.trim();
    (status.success() && matches!(read, Some(Ok(_))) && !family.is_empty())
        .then(|| family.to_owned())
}

/// `family` as a fontconfig pattern: its `-`, `:`, `,` and `\` mean size, properties and
/// alternatives there, so they are escaped.
#[cfg(target_os = "linux")]
fn fontconfig_pattern(family: &str) -> String {
    let mut pattern = String::with_capacity(family.len());
    for c in family.chars() {
        if matches!(c, '-' | ':' | ',' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern
}

/// A script run before the page's own that names `family` to the page (`--ui-font`), or
/// `None` if the name is not a plain family name (it is put in a CSS string; anything but
/// letters, digits, spaces and `-_.` is refused rather than escaped).
pub fn naming_script(family: &str) -> Option<String> {
    let plain = !family.trim().is_empty()
        && family.chars().count() <= 100
        && family
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'));
    if !plain {
        return None;
    }
    let value = serde_json::to_string(&format!("\"{family}\"")).ok()?;
    Some(format!(
        "document.documentElement.style.setProperty({PROPERTY:?}, {value});"
    ))
}

/// The app's state: the family found at start-up (on the main thread), for every window built
/// later, from whichever thread.
pub struct UiFont(pub Option<String>);

impl UiFont {
    /// The script for a window being built, if a family was found.
    pub fn script(&self) -> Option<String> {
        self.0.as_deref().and_then(naming_script)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_family_is_named_as_a_css_string() {
        assert_eq!(
            naming_script("DejaVu Sans").as_deref(),
            Some(r#"document.documentElement.style.setProperty("--ui-font", "\"DejaVu Sans\"");"#)
        );
        assert!(naming_script("Noto Sans CJK SC").is_some());
        assert!(naming_script("思源黑体").is_some());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_family_name_is_escaped_for_fontconfig() {
        assert_eq!(fontconfig_pattern("DejaVu Sans"), "DejaVu Sans");
        assert_eq!(fontconfig_pattern("A-B:C,D\\E"), "A\\-B\\:C\\,D\\\\E");
    }

    /// The machine's own fontconfig (installed with Pango, which the app needs): a generic
    /// name comes back as an installed family, never as itself.
    #[cfg(target_os = "linux")]
    #[test]
    fn fontconfig_resolves_a_generic_name_to_an_installed_family() {
        let family = fc_match("sans-serif").expect("fc-match answers");
        assert_ne!(family.to_lowercase(), "sans-serif");
        assert!(naming_script(&family).is_some(), "{family:?}");
    }

    #[test]
    fn anything_but_a_plain_name_is_refused() {
        for hostile in [
            "",
            "  ",
            "A\"; } body { display: none",
            "A', 'B",
            "A\\22",
            "A);alert(1",
            "A\nB",
            &"x".repeat(101),
        ] {
            assert_eq!(naming_script(hostile), None, "{hostile:?}");
        }
    }
}
