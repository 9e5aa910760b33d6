//! Which folders may be library folders. A typed path comes through the webview, so it is
//! checked here: a compromised webview must not be able to have the whole disk, or the
//! system's own folders, walked, watched and indexed.

use std::path::{Component, Path};

/// System folders that hold no music and must not be walked (devices, kernel files, programs).
/// Not `/var` (MPD keeps music in `/var/lib/mpd/music`) nor `/run` (removable drives mount
/// under `/run/media/<user>` on some systems).
#[cfg(unix)]
const SYSTEM: &[&str] = &[
    "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/sbin",
    "/sys", "/usr", "/System", "/cores",
];

/// Why `path` cannot be a library folder, or `None` if it can: it must be an absolute path to
/// an existing folder that is neither the root of a file system nor a system folder.
#[must_use]
pub fn library_folder_problem(path: &Path) -> Option<&'static str> {
    if !path.is_absolute() {
        return Some("give the folder's full path");
    }
    if path
        .components()
        .any(|c| matches!(c, Component::ParentDir | Component::CurDir))
    {
        return Some("the path must not contain '.' or '..'");
    }
    let Ok(meta) = std::fs::metadata(path) else {
        return Some("there is no such folder");
    };
    if !meta.is_dir() {
        return Some("it is not a folder");
    }
    if path.parent().is_none() {
        return Some(
            "the whole disk cannot be a library folder; choose the folder with your music",
        );
    }
    #[cfg(unix)]
    if SYSTEM.iter().any(|system| path.starts_with(system)) {
        return Some("it is a system folder");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_music_folders_pass() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.flac");
        std::fs::write(&file, b"x").unwrap();
        assert_eq!(library_folder_problem(dir.path()), None);
        assert!(library_folder_problem(Path::new("music")).is_some());
        assert!(library_folder_problem(&dir.path().join("gone")).is_some());
        assert!(library_folder_problem(&file).is_some());
        assert!(library_folder_problem(&dir.path().join("..")).is_some());
        #[cfg(unix)]
        for hostile in ["/", "/etc", "/proc/self", "/dev", "/usr/share"] {
            assert!(
                library_folder_problem(Path::new(hostile)).is_some(),
                "{hostile}"
            );
        }
    }
}
