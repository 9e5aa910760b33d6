//! Playlist commands: each forwards to the library thread (playlists live in the library
//! index) and, to play, hands the tracks it read to the actor. Import and export open the OS
//! file chooser from here when no path is given (the web view has no file-system access).

use lyrebird_core::actor::Action;
use lyrebird_core::playlists::{PlaylistImport, PlaylistSummary, PlaylistView};
use lyrebird_core::queue::QueuePosition;
use lyrebird_core::{PlayerHandle, Track, TrackId};
use lyrebird_library::m3u::PathStyle;
use lyrebird_library::service::{LibraryError, LibraryHandle};
use tauri::{AppHandle, Runtime, State};

type Library<'a> = State<'a, LibraryHandle>;
type Player<'a> = State<'a, PlayerHandle>;
type Answer<T> = Result<T, LibraryError>;

#[tauri::command]
pub async fn list_playlists(library: Library<'_>) -> Answer<Vec<PlaylistSummary>> {
    library.with_index(|index| index.playlists()).await
}

/// A new playlist holding these library tracks (none: empty).
#[tauri::command]
pub async fn create_playlist(
    library: Library<'_>,
    name: String,
    track_ids: Vec<String>,
) -> Answer<PlaylistSummary> {
    let ids: Vec<TrackId> = track_ids.into_iter().map(TrackId).collect();
    library
        .with_index(move |index| {
            let created = index.create_playlist(&name)?;
            index.add_tracks_to_playlist(created.id, &ids, None)?;
            index.playlist_summary(created.id)
        })
        .await
}

#[tauri::command]
pub async fn rename_playlist(library: Library<'_>, id: i64, name: String) -> Answer<()> {
    library
        .with_index(move |index| index.rename_playlist(id, &name))
        .await
}

#[tauri::command]
pub async fn delete_playlist(library: Library<'_>, id: i64) -> Answer<()> {
    library
        .with_index(move |index| index.delete_playlist(id))
        .await
}

/// Add library tracks at index `position` (`None`: at the end).
#[tauri::command]
pub async fn add_to_playlist(
    library: Library<'_>,
    id: i64,
    track_ids: Vec<String>,
    position: Option<u32>,
) -> Answer<()> {
    let ids: Vec<TrackId> = track_ids.into_iter().map(TrackId).collect();
    let at = position.map(|p| p as usize);
    library
        .with_index(move |index| index.add_tracks_to_playlist(id, &ids, at).map(drop))
        .await
}

#[tauri::command]
pub async fn remove_from_playlist(library: Library<'_>, id: i64, items: Vec<i64>) -> Answer<()> {
    library
        .with_index(move |index| index.remove_from_playlist(id, &items))
        .await
}

#[tauri::command]
pub async fn move_in_playlist(library: Library<'_>, id: i64, item: i64, to: u32) -> Answer<()> {
    library
        .with_index(move |index| index.move_in_playlist(id, item, to as usize))
        .await
}

/// A playlist's items in order; missing files have no track.
#[tauri::command]
pub async fn get_playlist(library: Library<'_>, id: i64) -> Answer<PlaylistView> {
    library.with_index(move |index| index.playlist(id)).await
}

/// Replace the queue with the playlist's lines, in order, and play from `item` (`None`: the
/// first). A line whose file is missing stays in the queue; its turn searches for a copy.
#[tauri::command]
pub async fn play_playlist(
    library: Library<'_>,
    player: Player<'_>,
    id: i64,
    item: Option<i64>,
) -> Result<(), String> {
    let (tracks, start) = playable(&library, id, item.into_iter().collect()).await?;
    let start = start.first().copied().unwrap_or(0);
    let action = Action::PlayTrackList { tracks, start };
    player.act(action).await.map_err(|e| e.to_string())
}

/// Queue these items of a playlist next or at the end (a missing file as a stand-in).
#[tauri::command]
pub async fn enqueue_playlist_items(
    library: Library<'_>,
    player: Player<'_>,
    id: i64,
    items: Vec<i64>,
    position: QueuePosition,
) -> Result<(), String> {
    let (tracks, chosen) = playable(&library, id, items).await?;
    let tracks = chosen.into_iter().map(|i| tracks[i].clone()).collect();
    let action = Action::EnqueueTracks { tracks, position };
    player.act(action).await.map_err(|e| e.to_string())
}

/// The playlist's tracks in order, and where the `items` asked for are among them.
async fn playable(
    library: &LibraryHandle,
    id: i64,
    items: Vec<i64>,
) -> Result<(Vec<Track>, Vec<usize>), String> {
    let view = library
        .with_index(move |index| index.playlist(id))
        .await
        .map_err(|e| e.to_string())?;
    let mut tracks = Vec::with_capacity(view.items.len());
    let mut chosen = Vec::new();
    for item in view.items {
        if items.contains(&item.item_id) {
            chosen.push(tracks.len());
        }
        // A missing file is queued as a stand-in: playing it searches for another copy.
        tracks.push(item.track_or_stand_in());
    }
    Ok((tracks, chosen))
}

/// Import an M3U / M3U8 file the user picks in the OS file chooser (never a path the webview
/// names) as a new playlist; `None`: the user closed the chooser.
#[tauri::command]
pub async fn import_playlist<R: Runtime>(
    app: AppHandle<R>,
    library: Library<'_>,
) -> Answer<Option<PlaylistImport>> {
    let Some(file) = crate::desktop::dialogs::choose_playlist(&app, None).await else {
        return Ok(None);
    };
    library
        .with_index(move |index| index.import_m3u(&file).map(Some))
        .await
}

/// Write a playlist as UTF-8 M3U8, paths relative to the file's folder (`relative`) or
/// absolute, to the file the user picks in the OS save dialog; `false`: they closed it.
#[tauri::command]
pub async fn export_playlist<R: Runtime>(
    app: AppHandle<R>,
    library: Library<'_>,
    id: i64,
    relative: bool,
) -> Answer<bool> {
    let name = library
        .with_index(move |index| index.playlist_summary(id))
        .await?
        .name;
    let Some(file) = crate::desktop::dialogs::choose_playlist(&app, Some(name)).await else {
        return Ok(false);
    };
    let style = if relative {
        PathStyle::Relative
    } else {
        PathStyle::Absolute
    };
    library
        .with_index(move |index| index.export_m3u(id, &file, style).map(|()| true))
        .await
}
