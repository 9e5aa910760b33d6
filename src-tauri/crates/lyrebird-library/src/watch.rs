//! Watching the library folders while the app runs.
//!
//! The OS reports file events (inotify, `FSEvents`, `ReadDirectoryChangesW`, through `notify`);
//! only changes to audio files (or folders, which may hold them) count, and a burst of them is
//! reported once it settles. The owner gets a call per burst and rescans — the incremental
//! rescan reads only what changed, so a burst of a thousand files costs one pass.
//!
//! Reads are not changes. inotify reports every open of a file or folder in a watched tree:
//! playing a track opens it, and a rescan opens every folder it walks. Counted as changes, each
//! rescan scheduled the next, about once a second for as long as the app ran.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::is_audio_file;

/// Watches folders until dropped.
pub struct LibraryWatcher {
    /// Dropping it ends the event stream, and with it the settling thread.
    _watcher: RecommendedWatcher,
    /// The folders that could not be watched, and why.
    pub problems: Vec<(PathBuf, String)>,
}

/// A burst that never goes quiet (a long copy into the library) is still reported this many
/// settle times after it began, so the library fills in as it is written.
const LONGEST_WAIT: u32 = 5;

/// Call `changed` after each burst of changes to audio files under `roots` (once it has been
/// quiet for `settle`). Folders that do not exist are reported in `problems`, not fatal.
///
/// Changes under `ignore` are not reported: the app's own files (the index, the audio cache,
/// settings) may live inside a library folder, and writing them must not trigger a rescan that
/// writes them again.
pub fn watch(
    roots: &[PathBuf],
    settle: Duration,
    ignore: Vec<PathBuf>,
    changed: impl FnMut() + Send + 'static,
) -> Result<LibraryWatcher, String> {
    let (events, received) = mpsc::channel();
    let mut watcher =
        notify::recommended_watcher(move |result: notify::Result<Event>| match result {
            Ok(event) if is_change(&event, &ignore) => {
                let _ = events.send(());
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "library watcher error"),
        })
        .map_err(|e| e.to_string())?;
    let mut problems = Vec::new();
    for root in roots {
        if let Err(e) = watcher.watch(root, RecursiveMode::Recursive) {
            problems.push((root.clone(), e.to_string()));
        }
    }
    std::thread::Builder::new()
        .name("lyrebird-watch".into())
        .spawn(move || report_settled(&received, settle, changed))
        .map_err(|e| e.to_string())?;
    Ok(LibraryWatcher {
        _watcher: watcher,
        problems,
    })
}

/// Whether `event` may change what the library holds.
fn is_change(event: &Event, ignore: &[PathBuf]) -> bool {
    let written = match event.kind {
        // A file written and closed is a change; any other access (an open, a read, a
        // close after reading) is not.
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    };
    written
        && event
            .paths
            .iter()
            .any(|path| !ignore.iter().any(|dir| path.starts_with(dir)) && may_hold_audio(path))
}

/// An audio file, or a folder (or a name without an extension, which may have been one).
fn may_hold_audio(path: &Path) -> bool {
    is_audio_file(path) || path.is_dir() || path.extension().is_none()
}

/// Call `changed` once per burst of events: when none came for `settle`, or when the burst
/// has gone on for `LONGEST_WAIT` settle times. Ends when the watcher is dropped.
fn report_settled(events: &Receiver<()>, settle: Duration, mut changed: impl FnMut()) {
    while events.recv().is_ok() {
        let began = Instant::now();
        loop {
            match events.recv_timeout(settle) {
                Ok(()) if began.elapsed() < settle * LONGEST_WAIT => {}
                Ok(()) | Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        changed();
    }
}
