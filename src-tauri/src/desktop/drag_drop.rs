//! Files and folders dropped onto the main window are queued and played, as `lyrebird PATH...`
//! does. The drop is handled here, from the window's `DragDrop` event: the web view needs no
//! paths. A drop always plays (replacing the queue); whether Shift was held is not part of the
//! event, so there is no "drop to add to the queue".

use std::path::PathBuf;

use lyrebird_core::PlayerHandle;
use tauri::{AppHandle, Manager, Runtime};

/// Queue and play what was dropped.
pub fn dropped<R: Runtime>(app: &AppHandle<R>, paths: &[PathBuf]) {
    let paths = paths_to_open(paths);
    tracing::info!(?paths, "dropped onto the window");
    if paths.is_empty() {
        return;
    }
    if let Some(player) = app.try_state::<PlayerHandle>() {
        tauri::async_runtime::spawn(crate::startup::open_paths(player.inner().clone(), paths));
    }
}

/// What a drop opens: each absolute path once, in the order dropped. A path inside a folder
/// that was dropped too is left to that folder (its tracks would otherwise come twice).
/// Relative paths (no drag source sends them; there is no directory to take them from) are
/// skipped.
pub fn paths_to_open(paths: &[PathBuf]) -> Vec<PathBuf> {
    let absolute: Vec<&PathBuf> = paths.iter().filter(|p| p.is_absolute()).collect();
    let mut out: Vec<PathBuf> = Vec::with_capacity(absolute.len());
    for (i, path) in absolute.iter().enumerate() {
        let inside_another = absolute
            .iter()
            .enumerate()
            .any(|(j, other)| j != i && other != path && path.starts_with(other));
        if !inside_another && !out.contains(path) {
            out.push((*path).clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::paths_to_open;
    use std::path::PathBuf;

    fn paths(list: &[&str]) -> Vec<PathBuf> {
        list.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn keeps_the_order_dropped_and_each_path_once() {
        let dropped = paths(&["/m/b.flac", "/m/a.flac", "/m/b.flac", "/n/晴天.flac"]);
        assert_eq!(
            paths_to_open(&dropped),
            paths(&["/m/b.flac", "/m/a.flac", "/n/晴天.flac"])
        );
    }

    #[test]
    fn a_file_inside_a_dropped_folder_is_left_to_the_folder() {
        let dropped = paths(&[
            "/m/album/01.flac",
            "/m/album",
            "/m/albums/x.flac",
            "/m/other",
        ]);
        assert_eq!(
            paths_to_open(&dropped),
            paths(&["/m/album", "/m/albums/x.flac", "/m/other"])
        );
        // A folder dropped with its own subfolder: the subfolder goes.
        let nested = paths(&["/m", "/m/a", "/m/a/b.flac"]);
        assert_eq!(paths_to_open(&nested), paths(&["/m"]));
    }

    #[test]
    fn relative_and_empty_paths_are_skipped() {
        let dropped = paths(&["", "song.flac", "./x", "/m/ok.flac"]);
        assert_eq!(paths_to_open(&dropped), paths(&["/m/ok.flac"]));
        assert!(paths_to_open(&[]).is_empty());
    }
}
