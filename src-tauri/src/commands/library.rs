//! The library commands: folders, cancel, problems, albums, browsing by folder, search,
//! recently added. The index lives on the library thread ([`LibraryHandle`]); the rescan loop that
//! follows the folders is `lyrebird_library::rescan`, started by `startup`.

use std::path::PathBuf;

use lyrebird_core::actor::Action;
use lyrebird_core::events::{AlbumView, ArtistView, ScanProblem};
use lyrebird_core::folders::FolderView;
use lyrebird_core::library_rows::{LibraryRows, RowsRequest, SortColumn, SortKeys};
use lyrebird_core::{PlayerError, PlayerHandle, SourceKind};
use lyrebird_library::service::{LibraryError, LibraryHandle};
use tauri::{AppHandle, Runtime, State};

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
        None => crate::desktop::dialogs::pick_folder(&app).await,
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

/// Every artist with their tracks' ids, grouped by the index (not by the web view).
#[tauri::command]
pub async fn list_artists(library: Library<'_>) -> Result<Vec<ArtistView>, LibraryError> {
    Ok(library
        .artists()
        .await?
        .into_iter()
        .map(|artist| ArtistView {
            name: artist.name,
            track_ids: artist.tracks.into_iter().map(|id| id.0).collect(),
        })
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

/// Ids of the library tracks matching what was typed, best first (at most 500).
#[tauri::command]
pub async fn search_library(
    library: Library<'_>,
    query: String,
) -> Result<Vec<String>, LibraryError> {
    let ids = library.search(query, 500).await?;
    Ok(ids.into_iter().map(|id| id.0).collect())
}

/// Rows of the library as a list shows them: a window of it in the library's order, or a
/// sorted list's rows by their places in the library (the UI never holds all 100 000).
#[tauri::command]
pub async fn library_rows(
    player: Player<'_>,
    request: RowsRequest,
) -> Result<LibraryRows, PlayerError> {
    player.library_rows(request).await
}

/// The library's tracks with these ids, in that order: a search's answer, an album, a folder.
#[tauri::command]
pub async fn library_tracks(
    player: Player<'_>,
    ids: Vec<String>,
) -> Result<LibraryRows, PlayerError> {
    let ids = ids.into_iter().map(lyrebird_core::TrackId).collect();
    player.library_tracks(ids).await
}

/// Every row's value of one column, in the library's order, for the songs list's sort.
#[tauri::command]
pub async fn library_sort_keys(
    player: Player<'_>,
    column: SortColumn,
) -> Result<SortKeys, PlayerError> {
    player.library_sort_keys(column).await
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
