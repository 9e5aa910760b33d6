//! What a launch was asked to do: where settings and music live, and what to open.

use std::ffi::OsString;
use std::path::PathBuf;

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
            open: paths_from_args(args),
            cache_dir: non_empty("LYREBIRD_CACHE_DIR").map(PathBuf::from),
            cache_mb: non_empty("LYREBIRD_CACHE_MB").and_then(|v| v.to_str()?.parse().ok()),
        }
    }
}

/// Arguments that are not flags are paths to open. Relative paths are taken from the current
/// directory now, because the app's working directory may change.
fn paths_from_args(args: impl IntoIterator<Item = OsString>) -> Vec<PathBuf> {
    let cwd = std::env::current_dir().unwrap_or_default();
    args.into_iter()
        .filter(|a| !a.to_string_lossy().starts_with('-'))
        .map(|a| cwd.join(a))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_not_paths_and_relative_paths_are_resolved() {
        let args = ["--some-flag", "song.flac", "/abs/dir"].map(OsString::from);
        let paths = paths_from_args(args);
        assert_eq!(paths.len(), 2);
        assert!(paths[0].is_absolute() && paths[0].ends_with("song.flac"));
        assert_eq!(paths[1], PathBuf::from("/abs/dir"));
    }
}
