//! User settings: held in memory by the actor, persisted as JSON written atomically.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which language the UI speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum LocalePreference {
    /// Follow the OS locale.
    #[default]
    #[serde(rename = "system")]
    System,
    #[serde(rename = "en")]
    English,
    #[serde(rename = "zh-CN")]
    SimplifiedChinese,
}

/// Which ReplayGain values to apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ReplayGainMode {
    Off,
    /// Every track at the same loudness (the default).
    #[default]
    Track,
    /// Albums keep their internal dynamics.
    Album,
}

/// Settings the user can change. Unknown fields are ignored and missing ones take their
/// defaults, so files from older and newer versions load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub locale: LocalePreference,
    /// 0.0 ..= 1.0.
    pub volume: f32,
    pub replay_gain: ReplayGainMode,
    /// The chosen output device's id (as the audio backend names it); `None`: the system's
    /// default device.
    #[serde(default)]
    pub output_device: Option<String>,
    /// Fade from one track into the next over this many milliseconds, 0 ..= 12 000; 0 keeps
    /// tracks gapless.
    pub crossfade_ms: u32,
    /// How Lyrebird behaves as a desktop app (tray, notifications).
    pub desktop: DesktopSettings,
    /// What the lyrics show besides the lines. Optional in TypeScript only, so snapshots made
    /// by hand (tests, screenshots) need not name it; the actor always sends it.
    #[ts(as = "Option<LyricsSettings>", optional)]
    pub lyrics: LyricsSettings,
    /// Music servers (without their secrets) and the order sources are preferred in.
    pub sources: crate::servers::SourceSettings,
    /// The folders of the local library; `None`: the OS music folder (`xdg-user-dir MUSIC`).
    #[ts(as = "Option<Vec<String>>", optional = nullable)]
    pub library_folders: Option<Vec<PathBuf>>,
}

/// Window and desktop behaviour.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[allow(clippy::struct_excessive_bools)] // independent switches
pub struct DesktopSettings {
    /// Closing the window keeps playing from the tray (the window's web view is destroyed to
    /// free its memory, and rebuilt when shown again). Off: closing the window quits.
    pub close_to_tray: bool,
    /// Start with no window, in the tray.
    pub start_in_tray: bool,
    /// A desktop notification when the track changes.
    pub notify_track_change: bool,
    /// Keep the mini player above other windows.
    pub mini_always_on_top: bool,
    /// Clicks go through the desktop lyrics to the windows below them.
    pub lyrics_click_through: bool,
    /// Keys that work while another app has the focus.
    pub shortcuts: GlobalShortcuts,
    /// The windows' colours: light, dark or the system's, and the accent. Every window (main,
    /// mini player, desktop lyrics) follows it.
    pub appearance: Appearance,
}

/// What the lyrics views (the Lyrics view, Now Playing, the desktop lyrics) show under each
/// line, when the lyrics have it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct LyricsSettings {
    /// The translation (NetEase's `tlyric`, or a merged LRC translation).
    pub translation: bool,
    /// The line in Latin letters (NetEase's `romalrc`).
    pub romanization: bool,
    /// For a song with no lyrics of its own (a local or server track), show NetEase's lyrics of
    /// the same recording when a search finds it (opt-in: it tells NetEase what plays).
    pub from_netease: bool,
}

impl Default for LyricsSettings {
    fn default() -> Self {
        Self {
            translation: true,
            romanization: false,
            from_netease: false,
        }
    }
}

/// Light, dark, or whichever the system uses (and follow it when it changes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// The accent colour, from a fixed palette whose text contrast is checked for both themes
/// (`ui/src/theme.test.ts`); the UI maps each to its own colours, so nothing from the file
/// reaches CSS as text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Accent {
    #[default]
    Orange,
    Red,
    Pink,
    Purple,
    Blue,
    Teal,
    Green,
}

/// How the windows look. A value this version does not know (a theme or accent added later)
/// loads as the default instead of resetting the whole settings file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Appearance {
    pub theme: Theme,
    pub accent: Accent,
}

/// Reads any JSON value as the variant its camelCase name says, or the default for a name (or
/// a value) this version does not know.
macro_rules! lenient_deserialize {
    ($type:ty { $($name:literal => $variant:expr),+ $(,)? }) => {
        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(deserializer)?;
                Ok(match value.as_str() {
                    $(Some($name) => $variant,)+
                    _ => Self::default(),
                })
            }
        }
    };
}

lenient_deserialize!(Theme {
    "system" => Theme::System,
    "light" => Theme::Light,
    "dark" => Theme::Dark,
});

lenient_deserialize!(Accent {
    "orange" => Accent::Orange,
    "red" => Accent::Red,
    "pink" => Accent::Pink,
    "purple" => Accent::Purple,
    "blue" => Accent::Blue,
    "teal" => Accent::Teal,
    "green" => Accent::Green,
});

/// Global keyboard shortcuts, as accelerators (`CmdOrCtrl+Alt+P`: modifiers and a key joined
/// by `+`; `CmdOrCtrl` is Command on macOS, Control elsewhere). An empty string: no shortcut.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct GlobalShortcuts {
    pub enabled: bool,
    pub play_pause: String,
    pub next: String,
    pub previous: String,
    pub volume_up: String,
    pub volume_down: String,
    pub show_window: String,
}

impl Default for GlobalShortcuts {
    /// The keys other desktop players (`YesPlayMusic`, `NetEase`'s own client) use, so muscle
    /// memory carries over.
    fn default() -> Self {
        Self {
            enabled: true,
            play_pause: "CmdOrCtrl+Alt+P".into(),
            next: "CmdOrCtrl+Alt+Right".into(),
            previous: "CmdOrCtrl+Alt+Left".into(),
            volume_up: "CmdOrCtrl+Alt+Up".into(),
            volume_down: "CmdOrCtrl+Alt+Down".into(),
            show_window: "CmdOrCtrl+Alt+M".into(),
        }
    }
}

impl Default for DesktopSettings {
    fn default() -> Self {
        Self {
            close_to_tray: true,
            start_in_tray: false,
            notify_track_change: false,
            mini_always_on_top: true,
            lyrics_click_through: false,
            shortcuts: GlobalShortcuts::default(),
            appearance: Appearance::default(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            locale: LocalePreference::System,
            volume: 0.8,
            replay_gain: ReplayGainMode::Track,
            output_device: None,
            crossfade_ms: 0,
            desktop: DesktopSettings::default(),
            lyrics: LyricsSettings::default(),
            sources: crate::servers::SourceSettings::default(),
            library_folders: None,
        }
    }
}

/// Why a state file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// The result of loading a state file: the value to use, and what went wrong if the defaults
/// had to be used.
#[derive(Debug)]
pub struct Loaded<T = Settings> {
    pub value: T,
    /// Set when the file was unreadable: the reason, and where the old file was moved.
    pub reset: Option<(String, PathBuf)>,
}

/// Load settings from `path`. A missing file gives defaults silently; a corrupt or truncated
/// one is moved aside (never deleted) and defaults are used.
#[must_use]
pub fn load(path: &Path) -> Loaded {
    let mut loaded = load_json::<Settings>(path);
    loaded.value.volume = sanitize_volume(loaded.value.volume);
    loaded.value.crossfade_ms = loaded.value.crossfade_ms.min(MAX_CROSSFADE_MS);
    loaded
}

/// Load any JSON state file with the same rules as settings: missing → defaults; unreadable or
/// corrupt → defaults, the file moved aside, and the reason returned.
/// Also removes what a killed earlier run left of its writes to `path` (see
/// [`remove_stale_temps`]): this is the start of the file's life in this process.
#[must_use]
pub fn load_json<T: serde::de::DeserializeOwned + Default>(path: &Path) -> Loaded<T> {
    remove_stale_temps(path);
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Loaded {
                value: T::default(),
                reset: None,
            };
        }
        Err(source) => {
            let err = SettingsError::Read {
                path: path.to_owned(),
                source,
            };
            return Loaded {
                value: T::default(),
                reset: Some((err.to_string(), path.to_owned())),
            };
        }
    };
    match serde_json::from_slice::<T>(&bytes) {
        Ok(value) => Loaded { value, reset: None },
        Err(source) => {
            let err = SettingsError::Parse {
                path: path.to_owned(),
                source,
            };
            let aside = move_aside(path);
            tracing::warn!(%err, kept_as = %aside.display(), "state file reset to defaults");
            Loaded {
                value: T::default(),
                reset: Some((err.to_string(), aside)),
            }
        }
    }
}

/// Write `settings` to `path` atomically: a crash mid-write leaves the old file intact.
pub fn save(path: &Path, settings: &Settings) -> Result<(), SettingsError> {
    save_json(path, settings)
}

/// Write any state as JSON, atomically.
pub fn save_json<T: Serialize>(path: &Path, value: &T) -> Result<(), SettingsError> {
    let write_err = |source| SettingsError::Write {
        path: path.to_owned(),
        source,
    };
    let json = serde_json::to_vec_pretty(value).expect("state always serializes");
    write_atomically(path, &json).map_err(write_err)
}

/// Write to a temporary file in the same directory, flush it to disk, then rename over `path`
/// and flush the directory: a crash (`kill -9`, power loss) leaves either the old file or the
/// new one, never a mix. The temporary file is [`temp_path`]; one left by a killed process is
/// removed by the next start's [`load_json`].
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = temp_path(path);
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// `<dir>/.<name>.tmp-<pid>`: where this process writes `path` before renaming it into place.
#[must_use]
pub fn temp_path(path: &Path) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new("."));
    dir.join(format!("{}{}", temp_prefix(path), std::process::id()))
}

fn temp_prefix(path: &Path) -> String {
    let file_name = path
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy());
    format!(".{file_name}.tmp-")
}

/// Remove the temporary files of writes to `path` by other processes: a run killed mid-write
/// (`kill -9`, a crash, power loss) leaves its `.<name>.tmp-<pid>`, which no later run would
/// ever rename or reuse. This process's own is left alone (its writer may be using it). Only
/// one Lyrebird runs at a time, so another pid's file is a dead run's.
pub fn remove_stale_temps(path: &Path) {
    let dir = path.parent().unwrap_or(Path::new("."));
    let prefix = temp_prefix(path);
    let own = std::process::id().to_string();
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        if pid != own
            && entry.file_type().is_ok_and(|t| t.is_file())
            && let Err(e) = fs::remove_file(entry.path())
        {
            tracing::warn!(file = %entry.path().display(), error = %e, "a crashed run's temporary file was not removed");
        }
    }
}

/// Make a rename in `dir` durable (Unix; elsewhere the rename is what the OS offers).
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(e) = fs::File::open(dir).and_then(|d| d.sync_all()) {
        tracing::debug!(dir = %dir.display(), error = %e, "folder not synced");
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Rename an unusable file to `<name>.corrupt-<unix time>` and return the new path.
fn move_aside(path: &Path) -> PathBuf {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut aside = path.as_os_str().to_owned();
    aside.push(format!(".corrupt-{stamp}"));
    let aside = PathBuf::from(aside);
    match fs::rename(path, &aside) {
        Ok(()) => aside,
        Err(e) => {
            tracing::warn!(error = %e, "could not move the unreadable settings file aside");
            path.to_owned()
        }
    }
}

/// The longest crossfade offered: 12 s.
pub const MAX_CROSSFADE_MS: u32 = 12_000;

/// Clamp a volume into 0.0 ..= 1.0; NaN becomes the default.
#[must_use]
pub fn sanitize_volume(volume: f32) -> f32 {
    if volume.is_nan() {
        Settings::default().volume
    } else {
        volume.clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults_without_complaint() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(&dir.path().join("settings.json"));
        assert_eq!(loaded.value, Settings::default());
        assert!(loaded.reset.is_none());
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/settings.json");
        let settings = Settings {
            locale: LocalePreference::SimplifiedChinese,
            volume: 0.25,
            replay_gain: ReplayGainMode::Album,
            output_device: Some("alsa:front:CARD=USB".into()),
            crossfade_ms: 4_000,
            desktop: DesktopSettings::default(),
            lyrics: LyricsSettings {
                translation: false,
                romanization: true,
                from_netease: true,
            },
            sources: crate::servers::SourceSettings::default(),
            library_folders: Some(vec![PathBuf::from("/music/晴天"), PathBuf::from("/nas")]),
        };
        save(&path, &settings).unwrap();
        let loaded = load(&path);
        assert_eq!(loaded.value, settings);
        assert!(loaded.reset.is_none());
        // No temporary files are left behind.
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn a_dead_runs_temporary_files_go_at_load_and_ours_stay() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        save(&path, &Settings::default()).unwrap();
        let dead = dir.path().join(".settings.json.tmp-999999999");
        let other_file = dir.path().join(".session.json.tmp-999999999");
        fs::write(&dead, b"{\"vol").unwrap();
        fs::write(&other_file, b"{").unwrap();
        fs::write(temp_path(&path), b"{").unwrap();
        assert!(load(&path).reset.is_none());
        assert!(!dead.exists());
        assert!(
            other_file.exists(),
            "another file's are its own load's business"
        );
        assert!(
            temp_path(&path).exists(),
            "this process's writer may be using it"
        );
    }

    #[test]
    fn truncated_file_is_moved_aside_and_defaults_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(&path, br#"{"locale": "zh-CN", "vol"#).unwrap();
        let loaded = load(&path);
        assert_eq!(loaded.value, Settings::default());
        let (reason, kept_as) = loaded.reset.expect("reset reported");
        assert!(reason.contains("is not valid"), "{reason}");
        assert!(!path.exists());
        assert_eq!(fs::read(&kept_as).unwrap(), br#"{"locale": "zh-CN", "vol"#);
    }

    #[test]
    fn unknown_fields_and_bad_volume_are_tolerated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(
            &path,
            br#"{"locale":"en","volume":7.5,"fromTheFuture":true}"#,
        )
        .unwrap();
        let loaded = load(&path);
        assert_eq!(loaded.value.locale, LocalePreference::English);
        assert!((loaded.value.volume - 1.0).abs() < f32::EPSILON);
    }

    /// A settings file written before the appearance settings existed loads with every value it
    /// has and the default look; one naming an accent this version does not know keeps the
    /// rest of the file (and the theme) instead of being moved aside.
    #[test]
    fn older_and_newer_appearance_settings_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(
            &path,
            br#"{"locale":"zh-CN","volume":0.5,"replayGain":"album","crossfadeMs":3000,
                "desktop":{"closeToTray":false,"startInTray":true,"notifyTrackChange":true,
                "miniAlwaysOnTop":false,"lyricsClickThrough":true,
                "shortcuts":{"enabled":false,"playPause":"CmdOrCtrl+Alt+P","next":"","previous":"",
                "volumeUp":"","volumeDown":"","showWindow":""}}}"#,
        )
        .unwrap();
        let loaded = load(&path);
        assert!(loaded.reset.is_none(), "{:?}", loaded.reset);
        assert_eq!(loaded.value.locale, LocalePreference::SimplifiedChinese);
        assert_eq!(loaded.value.crossfade_ms, 3000);
        assert!(!loaded.value.desktop.close_to_tray);
        assert!(loaded.value.desktop.lyrics_click_through);
        assert!(!loaded.value.desktop.shortcuts.enabled);
        assert_eq!(loaded.value.desktop.appearance, Appearance::default());
        assert_eq!(loaded.value.desktop.appearance.theme, Theme::System);
        assert_eq!(loaded.value.desktop.appearance.accent, Accent::Orange);

        fs::write(
            &path,
            br#"{"locale":"en","desktop":{"closeToTray":false,
                "appearance":{"theme":"dark","accent":"gold","contrast":"high"}}}"#,
        )
        .unwrap();
        let loaded = load(&path);
        assert!(loaded.reset.is_none(), "{:?}", loaded.reset);
        assert!(!loaded.value.desktop.close_to_tray);
        assert_eq!(
            loaded.value.desktop.appearance,
            Appearance {
                theme: Theme::Dark,
                accent: Accent::Orange
            }
        );
    }

    #[test]
    fn every_theme_and_accent_reads_back_as_written() {
        for theme in [Theme::System, Theme::Light, Theme::Dark] {
            let json = serde_json::to_value(theme).unwrap();
            assert_eq!(serde_json::from_value::<Theme>(json).unwrap(), theme);
        }
        for accent in [
            Accent::Orange,
            Accent::Red,
            Accent::Pink,
            Accent::Purple,
            Accent::Blue,
            Accent::Teal,
            Accent::Green,
        ] {
            let json = serde_json::to_value(accent).unwrap();
            assert_eq!(serde_json::from_value::<Accent>(json).unwrap(), accent);
        }
        assert_eq!(
            serde_json::from_value::<Accent>(serde_json::json!(7)).unwrap(),
            Accent::Orange
        );
    }

    #[test]
    fn appearance_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let mut settings = Settings::default();
        settings.desktop.appearance = Appearance {
            theme: Theme::Light,
            accent: Accent::Teal,
        };
        save(&path, &settings).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(
            json["desktop"]["appearance"],
            serde_json::json!({"theme": "light", "accent": "teal"})
        );
        assert_eq!(load(&path).value, settings);
    }
}
