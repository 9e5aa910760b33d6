//! Watching the library folders while the app runs.
//!
//! The OS reports file events (inotify, `FSEvents`, `ReadDirectoryChangesW`, through `notify`);
//! bursts are debounced, and only changes to audio files (or folders, which may hold them)
//! count. The owner gets a call per burst and rescans — the incremental rescan reads only what
//! changed, so a burst of a thousand files costs one pass.

use std::path::PathBuf;
use std::time::Duration;

use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};

use crate::is_audio_file;

/// Watches folders until dropped.
pub struct LibraryWatcher {
    _debouncer: Debouncer<RecommendedWatcher>,
    /// The folders that could not be watched, and why.
    pub problems: Vec<(PathBuf, String)>,
}

/// Call `changed` after each burst of changes to audio files under `roots` (quiet for
/// `settle`). Folders that do not exist are reported in `problems`, not fatal.
///
/// Changes under `ignore` are not reported: the app's own files (the index, the audio cache,
/// settings) may live inside a library folder, and writing them must not trigger a rescan that
/// writes them again.
pub fn watch(
    roots: &[PathBuf],
    settle: Duration,
    ignore: Vec<PathBuf>,
    mut changed: impl FnMut() + Send + 'static,
) -> Result<LibraryWatcher, String> {
    let mut debouncer = new_debouncer(settle, move |result: DebounceEventResult| match result {
        Ok(events) => {
            let relevant = events.iter().any(|e| {
                !ignore.iter().any(|dir| e.path.starts_with(dir))
                    && (is_audio_file(&e.path) || e.path.is_dir() || e.path.extension().is_none())
            });
            if relevant {
                changed();
            }
        }
        Err(e) => tracing::warn!(error = %e, "library watcher error"),
    })
    .map_err(|e| e.to_string())?;
    let mut problems = Vec::new();
    for root in roots {
        if let Err(e) = debouncer.watcher().watch(root, RecursiveMode::Recursive) {
            problems.push((root.clone(), e.to_string()));
        }
    }
    Ok(LibraryWatcher {
        _debouncer: debouncer,
        problems,
    })
}
