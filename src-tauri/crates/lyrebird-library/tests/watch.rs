//! The watcher sees audio files appear and go while it runs, in batches, and ignores the rest:
//! other files, the app's own, and reads.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use lyrebird_library::watch::{LibraryWatcher, watch};

fn wait(rx: &mpsc::Receiver<()>) -> bool {
    rx.recv_timeout(Duration::from_secs(10)).is_ok()
}

/// Watch `dir` (settling for `settle_ms`, ignoring `ignore`): the watcher, and a receiver that
/// gets one message per report.
fn watch_reporting(
    dir: &Path,
    settle_ms: u64,
    ignore: Vec<PathBuf>,
) -> (LibraryWatcher, mpsc::Receiver<()>) {
    let (tx, rx) = mpsc::channel();
    let watcher = watch(
        &[dir.to_owned()],
        Duration::from_millis(settle_ms),
        ignore,
        move || {
            let _ = tx.send(());
        },
    )
    .unwrap();
    (watcher, rx)
}

#[test]
fn audio_files_appearing_or_going_are_reported_in_batches() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("album")).unwrap();
    let (watcher, rx) = watch_reporting(dir.path(), 500, Vec::new());
    assert!(watcher.problems.is_empty());

    // A burst of new files in a subfolder: reported in a few batches, not one per file, and
    // then quiet.
    for i in 0..20 {
        std::fs::write(dir.path().join(format!("album/{i:02}.flac")), b"x").unwrap();
    }
    assert!(wait(&rx), "new files reported");
    let mut reports = 1;
    while rx.recv_timeout(Duration::from_millis(1500)).is_ok() {
        reports += 1;
    }
    // A burst is reported once it has been quiet for the settle time; one that takes a while
    // to write (a busy CI disk) may come in a few batches, but never one per file. (The app
    // coalesces rescans on top of this.)
    assert!(reports <= 10, "{reports} reports for one burst of 20 files");

    // Not audio: nothing.
    std::fs::write(dir.path().join("notes.txt"), b"x").unwrap();
    assert!(
        rx.recv_timeout(Duration::from_secs(2)).is_err(),
        "a text file is ignored"
    );

    // Removed: reported.
    std::fs::remove_file(dir.path().join("album/00.flac")).unwrap();
    assert!(wait(&rx), "a removal is reported");
}

#[test]
fn a_missing_folder_is_a_problem_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let watcher = watch(
        &[dir.path().join("nope")],
        Duration::from_millis(100),
        Vec::new(),
        || {},
    )
    .unwrap();
    assert_eq!(watcher.problems.len(), 1);
}

#[test]
fn the_apps_own_files_inside_a_library_folder_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let own = dir.path().join("config/cache");
    std::fs::create_dir_all(own.join("audio")).unwrap();
    let (_watcher, rx) = watch_reporting(dir.path(), 200, vec![dir.path().join("config")]);
    // What the app writes while it plays: cached audio (no extension), the index, covers.
    std::fs::write(own.join("audio/3f2a9c"), b"x").unwrap();
    std::fs::write(own.join("library.sqlite-journal"), b"x").unwrap();
    std::fs::create_dir(own.join("covers")).unwrap();
    assert!(
        rx.recv_timeout(Duration::from_secs(1)).is_err(),
        "the app's own writes are not library changes"
    );
    std::fs::write(dir.path().join("new.flac"), b"x").unwrap();
    assert!(wait(&rx), "a new track still is");
}

#[test]
fn playing_a_file_or_rescanning_a_folder_is_not_a_change() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("album")).unwrap();
    let song = dir.path().join("album/01.flac");
    std::fs::write(&song, vec![0_u8; 4096]).unwrap();
    let (_watcher, rx) = watch_reporting(dir.path(), 200, Vec::new());
    // What playing and a rescan do: open and read the file, open and list every folder.
    // inotify reports each open; counted as changes, every rescan scheduled the next.
    for _ in 0..5 {
        assert_eq!(std::fs::read(&song).unwrap().len(), 4096);
        for folder in [dir.path().to_owned(), dir.path().join("album")] {
            assert_eq!(std::fs::read_dir(folder).unwrap().count(), 1);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        rx.recv_timeout(Duration::from_millis(1500)).is_err(),
        "reading is not a library change"
    );
    // Written is: the same file rewritten in place.
    std::fs::write(&song, vec![1_u8; 4096]).unwrap();
    assert!(wait(&rx), "a rewritten track is a change");
}
