//! What a launch was asked to do: where settings and music live, and what to open.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Options resolved before the app starts. `None` means "the platform's default".
#[derive(Clone, Debug, Default)]
pub struct LaunchOptions {
    /// Settings and state (`LYREBIRD_CONFIG_DIR`; default: the OS config dir for the app).
    pub config_dir: Option<PathBuf>,
    /// Folders of the local library (`LYREBIRD_LIBRARY_DIRS`, a path list; default: the
    /// user's music folder, as `xdg-user-dir MUSIC` says).
    pub library_dirs: Option<Vec<PathBuf>>,
    /// Whether the bundled demo tracks are part of the library (`LYREBIRD_NO_DEMO=1` drops them).
    pub include_demo: bool,
    /// Files and folders from the command line: queued and played at once.
    pub open: Vec<PathBuf>,
    /// Downloaded audio (`LYREBIRD_CACHE_DIR`; default: the OS cache dir for the app).
    pub cache_dir: Option<PathBuf>,
    /// The audio cache's size bound in MiB (`LYREBIRD_CACHE_MB`; default 1024).
    pub cache_mb: Option<u64>,
    /// Whether this is the desktop app (tray, media controls, its own main window), rather
    /// than a test that builds its windows itself.
    pub desktop: bool,
}

impl LaunchOptions {
    /// Read the environment and the command-line arguments (without the program name).
    pub fn from_env_and_args(args: impl IntoIterator<Item = OsString>) -> Self {
        let non_empty = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        Self {
            config_dir: non_empty("LYREBIRD_CONFIG_DIR").map(PathBuf::from),
            library_dirs: non_empty("LYREBIRD_LIBRARY_DIRS")
                .map(|list| std::env::split_paths(&list).collect()),
            include_demo: non_empty("LYREBIRD_NO_DEMO").is_none_or(|v| v == "0"),
            open: paths_from_args(args, &std::env::current_dir().unwrap_or_default()),
            cache_dir: non_empty("LYREBIRD_CACHE_DIR").map(PathBuf::from),
            cache_mb: non_empty("LYREBIRD_CACHE_MB").and_then(|v| v.to_str()?.parse().ok()),
            desktop: true,
        }
    }
}

/// Arguments that are not flags are paths to open (or `file://` URIs, as desktop launchers
/// pass them). Relative paths are taken from `cwd` — the directory of the launch that gave
/// them, which for a second launch forwarded to the running app is not the app's own.
pub fn paths_from_args(args: impl IntoIterator<Item = OsString>, cwd: &Path) -> Vec<PathBuf> {
    args.into_iter()
        .filter(|a| !a.to_string_lossy().starts_with('-'))
        .map(|a| match a.to_str().and_then(path_of_file_uri) {
            Some(path) => path,
            None => cwd.join(a),
        })
        .collect()
}

/// The path in a `file://` URI (`file:///m/a%20b.flac` → `/m/a b.flac`); `None` for anything
/// else, including URIs of other hosts.
pub fn path_of_file_uri(uri: &str) -> Option<PathBuf> {
    let rest = uri
        .strip_prefix("file://")
        .map(|r| r.strip_prefix("localhost").unwrap_or(r))?;
    if !rest.starts_with('/') {
        return None;
    }
    let out = lyrebird_library::m3u::percent_decode(rest)?;
    // Paths are bytes on Unix; elsewhere they must be UTF-8 to be a path at all.
    #[cfg(unix)]
    let path = {
        use std::os::unix::ffi::OsStringExt;
        PathBuf::from(OsString::from_vec(out))
    };
    #[cfg(not(unix))]
    let path = {
        let text = String::from_utf8(out).ok()?;
        // `file:///C:/m/a.flac` names `C:/m/a.flac`.
        match text.strip_prefix('/') {
            Some(rest) if rest.as_bytes().get(1) == Some(&b':') => PathBuf::from(rest),
            _ => PathBuf::from(text),
        }
    };
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_not_paths_and_relative_paths_are_resolved() {
        let args = ["--some-flag", "song.flac", "/abs/dir"].map(OsString::from);
        let paths = paths_from_args(args, Path::new("/home/u"));
        assert_eq!(
            paths,
            [
                PathBuf::from("/home/u/song.flac"),
                PathBuf::from("/abs/dir")
            ]
        );
    }

    #[test]
    fn file_uris_are_paths() {
        let args = ["file:///m/a%20b.flac", "file://localhost/m/%E6%99%B4.ogg"].map(OsString::from);
        assert_eq!(
            paths_from_args(args, Path::new("/x")),
            [PathBuf::from("/m/a b.flac"), PathBuf::from("/m/晴.ogg")]
        );
        assert_eq!(path_of_file_uri("file://other-host/m/a.flac"), None);
        assert_eq!(path_of_file_uri("https://example.com/a.flac"), None);
        assert_eq!(path_of_file_uri("file:///bad%4"), None);
    }
}
