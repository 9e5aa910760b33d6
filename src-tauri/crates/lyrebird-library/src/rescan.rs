//! The library while the app runs: the first load, then rescans when the folders change on
//! disk (the [watcher](crate::watch)) or in the settings. The folders are a setting the actor
//! owns, followed here through a watch channel; what a scan found goes to the actor
//! (`Action::SetLibrary`, `Action::SetScanProgress`). The shell only starts [`run`].

use std::path::PathBuf;
use std::time::Duration;

use lyrebird_core::actor::Action;
use lyrebird_core::events::{LibraryView, ScanProgress};
use lyrebird_core::{PlayerHandle, SourceKind};
use tokio::sync::{mpsc, watch};

use crate::index::SyncProgress;
use crate::service::LibraryHandle;
use crate::watch::LibraryWatcher;

/// With a library remembered, the first rescan (a walk and `stat` of every file, 0.7 s of CPU
/// at 100 000 files) waits this long: the window is starting meanwhile on the same cores, and
/// it shows the remembered library (issue #19, start-up).
pub const FIRST_RESCAN_DELAY: Duration = Duration::from_millis(1_500);

/// Show the library as the index remembers it at once, then rescan (reading tags only of new
/// and changed files). Then follow the folders: rescan when files change in them (the watcher)
/// and when the user changes them (the settings), watching the new set. A scan still running
/// when the folders change is cancelled first.
pub async fn run(
    player: PlayerHandle,
    library: LibraryHandle,
    mut folders: watch::Receiver<Vec<PathBuf>>,
    demo_dir: Option<PathBuf>,
    own_dirs: Vec<PathBuf>,
) {
    let scanning = LibraryView {
        tracks: Vec::new(),
        scanning: true,
    };
    let _ = player.act(Action::SetLibrary(scanning)).await;
    // The demo is indexed like any folder (as its own source), so albums and search see it.
    let demo = demo_dir.filter(|d| d.is_dir()).into_iter().collect();
    if let Err(e) = library.sync(demo, SourceKind::Demo, |_| {}).await {
        tracing::warn!(error = %e, "demo not indexed");
    }
    let remembered = library.tracks().await.unwrap_or_default();
    if !remembered.is_empty() {
        // Not "scanning" while it waits: the window's busy spinner is drawn for every frame.
        let view = LibraryView {
            tracks: remembered,
            scanning: false,
        };
        let _ = player.act(Action::SetLibrary(view)).await;
        tokio::time::sleep(FIRST_RESCAN_DELAY).await;
        let _ = player.act(Action::SetLibraryScanning(true)).await;
    }
    loop {
        let roots = folders.borrow_and_update().clone();
        tracing::info!(?roots, "library folders");
        // Bursts of file changes (an album copied in) are debounced by the watcher and
        // coalesced here.
        let (changed_tx, mut changed) = mpsc::unbounded_channel();
        let _watcher = watch_folders(&roots, own_dirs.clone(), changed_tx);
        let mut folders_changed = rescan(&player, &library, &roots, &mut folders).await;
        while !folders_changed {
            tokio::select! {
                burst = changed.recv() => {
                    if burst.is_none() {
                        break;
                    }
                    while changed.try_recv().is_ok() {}
                    folders_changed = rescan(&player, &library, &roots, &mut folders).await;
                }
                result = folders.changed() => {
                    if result.is_err() {
                        return; // the actor is gone
                    }
                    folders_changed = true;
                }
            }
        }
    }
}

/// Watch `roots` for changes, except in `own_dirs` (the app's config and caches, which may be
/// inside a library folder).
fn watch_folders(
    roots: &[PathBuf],
    own_dirs: Vec<PathBuf>,
    changed: mpsc::UnboundedSender<()>,
) -> Option<LibraryWatcher> {
    let watcher = crate::watch::watch(roots, Duration::from_secs(1), own_dirs, move || {
        let _ = changed.send(());
    });
    match watcher {
        Ok(watcher) => {
            for (path, reason) in &watcher.problems {
                tracing::info!(path = %path.display(), %reason, "not watched");
            }
            Some(watcher)
        }
        Err(e) => {
            tracing::warn!(error = %e, "library folders are not watched");
            None
        }
    }
}

/// Rescan `roots` and publish the library (the demo tracks first). Returns whether the
/// folders changed meanwhile (the scan was then cancelled, and the caller starts over).
async fn rescan(
    player: &PlayerHandle,
    library: &LibraryHandle,
    roots: &[PathBuf],
    folders: &mut watch::Receiver<Vec<PathBuf>>,
) -> bool {
    // Progress goes to the actor (the UI's progress bar), only when there is work to show
    // (while the walk goes on, the files found so far may all be read already).
    let reporter = player.clone();
    let progress = move |p: &SyncProgress<'_>| {
        let scan = (p.total > 0 && (p.done < p.total || p.counting)).then(|| ScanProgress {
            done: u32::try_from(p.done).unwrap_or(u32::MAX),
            total: u32::try_from(p.total).unwrap_or(u32::MAX),
            counting: p.counting,
            folder: p
                .folder
                .map(|f| f.display().to_string())
                .unwrap_or_default(),
        });
        reporter.send(Action::SetScanProgress(scan));
    };
    let scan = library.sync(roots.to_vec(), SourceKind::Local, progress);
    tokio::pin!(scan);
    let mut folders_changed = false;
    let mut watching = true;
    let result = loop {
        tokio::select! {
            result = &mut scan => break result,
            changed = folders.changed(), if watching => {
                watching = false;
                if changed.is_ok() {
                    folders_changed = true;
                    library.cancel_scan();
                }
            }
        }
    };
    let _ = player.act(Action::SetScanProgress(None)).await;
    match result {
        Ok(report) => {
            tracing::info!(
                seen = report.seen,
                added = report.added,
                updated = report.updated,
                removed = report.removed,
                problems = report.problems.len(),
                cancelled = report.cancelled,
                "library rescanned"
            );
            // The actor shows the index as it was before this scan (at start what it
            // remembered, later the last scan's result): a scan that changed nothing need not
            // read and send it again (at 100 000 tracks that was a second of CPU at start-up,
            // beside the window's own start).
            if !folders_changed
                && !report.cancelled
                && report.added + report.updated + report.removed == 0
            {
                let _ = player.act(Action::SetLibraryScanning(false)).await;
                return false;
            }
        }
        Err(e) => tracing::warn!(error = %e, "library rescan failed"),
    }
    let tracks = library.tracks().await.unwrap_or_default();
    tracing::info!(count = tracks.len(), "library loaded");
    let _ = player
        .act(Action::SetLibrary(LibraryView {
            tracks,
            scanning: folders_changed,
        }))
        .await;
    folders_changed
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    use lyrebird_core::events::LibraryView;
    use lyrebird_core::library_rows::RowsRequest;
    use lyrebird_core::{AudioCommand, AudioEvent, Player, PlayerConfig, PlayerHandle};
    use tokio::sync::{mpsc, watch};

    use crate::service::LibraryHandle;

    /// The actor, with channels standing in for the audio thread (kept open beside it).
    type Audio = (
        mpsc::UnboundedReceiver<AudioCommand>,
        mpsc::UnboundedSender<AudioEvent>,
    );

    fn player() -> (PlayerHandle, Audio) {
        let config = PlayerConfig {
            system_locale: "en".into(),
            ..PlayerConfig::default()
        };
        let (audio_tx, audio_rx) = mpsc::unbounded_channel();
        let (audio_events, audio_events_rx) = mpsc::unbounded_channel();
        let (player, _events, actor) = Player::new(config, audio_tx, audio_events_rx);
        tokio::spawn(actor);
        (player, (audio_rx, audio_events))
    }

    /// An "audio" file: its tags cannot be read, so it is listed by its file name.
    fn song(dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, b"not really audio").unwrap();
        path
    }

    /// The library the actor shows once it is done scanning and holds exactly `paths`.
    async fn shown(player: &PlayerHandle, paths: &[&PathBuf]) -> LibraryView {
        let mut wanted: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
        wanted.sort();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let info = player.snapshot().await.unwrap().library;
            let rows = player
                .library_rows(RowsRequest::Range {
                    start: 0,
                    end: u32::MAX,
                })
                .await
                .unwrap();
            let view = LibraryView {
                tracks: rows.tracks,
                scanning: info.scanning,
            };
            let mut listed: Vec<&Path> = view
                .tracks
                .iter()
                .filter_map(|t| t.path.as_deref())
                .collect();
            listed.sort();
            if !view.scanning && listed == wanted {
                return view;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "wanted {wanted:?}, shown {listed:?} (scanning: {})",
                view.scanning
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test]
    async fn the_library_follows_its_folders_in_the_settings_and_on_disk() {
        let temp = tempfile::tempdir().unwrap();
        let (a, b) = (temp.path().join("a"), temp.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let one = song(&a, "one.flac");
        let two = song(&b, "two.flac");
        let three = song(&b, "three.mp3");
        let (player, _audio) = player();
        let (library, problem) = LibraryHandle::spawn(None);
        assert!(problem.is_none());
        let (folders_tx, folders) = watch::channel(vec![a.clone()]);
        let running = tokio::spawn(super::run(
            player.clone(),
            library,
            folders,
            None,
            Vec::new(),
        ));

        shown(&player, &[&one]).await;
        // A folder added in the settings is scanned.
        folders_tx.send(vec![a.clone(), b.clone()]).unwrap();
        shown(&player, &[&one, &two, &three]).await;
        // A file copied into a folder is found by the watcher.
        let four = song(&b, "four.ogg");
        shown(&player, &[&one, &two, &three, &four]).await;
        // A folder removed in the settings takes its tracks with it.
        folders_tx.send(vec![b.clone()]).unwrap();
        shown(&player, &[&two, &three, &four]).await;

        // The actor gone (its end of the channel dropped): the loop ends.
        drop(folders_tx);
        tokio::time::timeout(Duration::from_secs(10), running)
            .await
            .expect("the loop ends with the folders' channel")
            .unwrap();
    }
}
