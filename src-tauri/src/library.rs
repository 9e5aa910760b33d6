//! The local library while the app runs: the first load, rescans when the folders change on
//! disk or in the settings, and the library commands (folders, cancel, problems, albums,
//! browsing by folder, recently added). The index lives on the library thread ([`LibraryHandle`]); the folders
//! are a setting the actor owns, followed here through a watch channel.

use std::path::PathBuf;
use std::time::Duration;

use lyrebird_core::actor::Action;
use lyrebird_core::events::{AlbumView, LibraryView, ScanProblem, ScanProgress};
use lyrebird_core::folders::FolderView;
use lyrebird_core::{PlayerError, PlayerHandle, SourceKind};
use lyrebird_library::index::SyncProgress;
use lyrebird_library::service::{LibraryError, LibraryHandle};
use lyrebird_library::watch::LibraryWatcher;
use tauri::{AppHandle, Runtime, State};
use tokio::sync::{mpsc, watch};

type Library<'a> = State<'a, LibraryHandle>;
type Player<'a> = State<'a, PlayerHandle>;

/// Add a folder to the library. With no `path` the OS folder chooser asks the user (the web
/// view gets no file-system access); a typed path (and the tests) pass one. `false`: the user
/// closed the chooser.
#[tauri::command]
pub async fn add_library_folder<R: Runtime>(
    app: AppHandle<R>,
    player: Player<'_>,
    path: Option<String>,
) -> Result<bool, PlayerError> {
    // (Not `Option::or`: its argument is evaluated, so the chooser would open for a typed
    // path too, and the command would wait for it.)
    let folder = match path {
        // Typed in Settings, so it comes through the webview: checked before anything walks it.
        Some(path) => {
            let folder = PathBuf::from(path);
            let checked = folder.clone();
            let problem = tauri::async_runtime::spawn_blocking(move || {
                lyrebird_library::folders::library_folder_problem(&checked)
            })
            .await
            .unwrap_or(Some("the folder could not be checked"));
            if let Some(why) = problem {
                return Err(PlayerError::NotALibraryFolder {
                    path: folder.display().to_string(),
                    why: why.to_owned(),
                });
            }
            Some(folder)
        }
        None => crate::dialogs::pick_folder(&app).await,
    };
    let Some(folder) = folder else {
        return Ok(false);
    };
    player
        .act(Action::AddLibraryFolder(folder))
        .await
        .map(|()| true)
}

#[tauri::command]
pub async fn remove_library_folder(player: Player<'_>, path: String) -> Result<(), PlayerError> {
    player.act(Action::RemoveLibraryFolder(path.into())).await
}

/// Replace the queue with these library tracks (an album, in order) and play the first.
#[tauri::command]
pub async fn play_library_tracks(player: Player<'_>, ids: Vec<String>) -> Result<(), PlayerError> {
    let ids = ids.into_iter().map(lyrebird_core::TrackId).collect();
    player.act(Action::PlayLibraryTracks(ids)).await
}

/// Stop the running library scan; what it read stays.
#[tauri::command]
#[allow(clippy::needless_pass_by_value)] // commands take their state by value
pub fn cancel_scan(library: Library<'_>) {
    library.cancel_scan();
}

/// What the last scan skipped or could only list by file name, and why.
#[tauri::command]
pub async fn get_scan_problems(library: Library<'_>) -> Result<Vec<ScanProblem>, LibraryError> {
    Ok(library
        .problems()
        .await?
        .into_iter()
        .map(problem_view)
        .collect())
}

#[tauri::command]
pub async fn list_albums(library: Library<'_>) -> Result<Vec<AlbumView>, LibraryError> {
    Ok(library
        .albums()
        .await?
        .into_iter()
        .map(album_view)
        .collect())
}

/// The library's tracks by folder: the demo's folder, then each library folder, with the
/// folders under it that hold tracks (by name: no other paths reach the web view).
#[tauri::command]
pub async fn list_folders(library: Library<'_>) -> Result<Vec<FolderView>, LibraryError> {
    Ok(library
        .folders()
        .await?
        .into_iter()
        .filter(|root| root.track_count > 0 || root.source == SourceKind::Local)
        .map(folder_view)
        .collect())
}

fn folder_view(folder: lyrebird_library::index::Folder) -> FolderView {
    FolderView {
        demo: folder.source == SourceKind::Demo,
        name: folder.name,
        folders: folder.folders.into_iter().map(folder_view).collect(),
        track_ids: folder.tracks.into_iter().map(|id| id.0).collect(),
        track_count: u32::try_from(folder.track_count).unwrap_or(u32::MAX),
    }
}

/// Ids of the most recently added tracks, newest first (at most 500).
#[tauri::command]
pub async fn recently_added(library: Library<'_>) -> Result<Vec<String>, LibraryError> {
    Ok(library
        .recently_added(500)
        .await?
        .into_iter()
        .map(|id| id.0)
        .collect())
}

fn problem_view(problem: lyrebird_library::Problem) -> ScanProblem {
    ScanProblem {
        path: problem.path.display().to_string(),
        reason: problem.reason,
    }
}

fn album_view(album: lyrebird_library::index::Album) -> AlbumView {
    AlbumView {
        title: album.title,
        artist: album.artist,
        track_ids: album.tracks.into_iter().map(|id| id.0).collect(),
        cover_track_id: album.cover.map(|id| id.0),
        added_at: album.added_at,
    }
}

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
        let view = LibraryView {
            tracks: remembered,
            scanning: true,
        };
        let _ = player.act(Action::SetLibrary(view)).await;
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
    let watcher =
        lyrebird_library::watch::watch(roots, Duration::from_secs(1), own_dirs, move || {
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
