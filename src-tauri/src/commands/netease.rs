//! Commands for the NetEase account: each one forwards to the NetEase service
//! (`lyrebird_sources::netease::NeteaseAccount`, which talks to the actor and the session's
//! owner) and awaits the reply. No logic here. Tracks they list are handed to the actor, so
//! `play_tracks` / `enqueue_tracks` play them by id.

use lyrebird_core::Track;
use lyrebird_core::netease::{
    NeteaseAlbumPage, NeteaseAlbums, NeteaseArtistPage, NeteaseChart, NeteaseCopy, NeteaseError,
    NeteaseFound, NeteaseLibrary, NeteaseLibraryPart, NeteaseLogin, NeteasePage, NeteasePlaylist,
    NeteasePlaylistEdit, NeteaseQuality, NeteaseRef, NeteaseStatus, NeteaseSuggestions, QrLogin,
    QrState,
};
use lyrebird_sources::netease::NeteaseAccount;
use tauri::State;

type Netease<'a> = State<'a, NeteaseAccount>;

/// Who is signed in, and the quality.
#[tauri::command]
pub async fn netease_status(netease: Netease<'_>) -> Result<NeteaseStatus, NeteaseError> {
    netease.status().await
}

/// A QR code to scan with the NetEase app.
#[tauri::command]
pub async fn netease_qr_start(netease: Netease<'_>) -> Result<QrLogin, NeteaseError> {
    netease.qr_start().await
}

/// Where the QR login stands; once confirmed, NetEase is a source.
#[tauri::command]
pub async fn netease_qr_check(netease: Netease<'_>, key: String) -> Result<QrState, NeteaseError> {
    netease.qr_check(key).await
}

/// Sign in with a pasted `MUSIC_U` cookie (checked with NetEase first).
#[tauri::command]
pub async fn netease_login_cookie(
    netease: Netease<'_>,
    music_u: String,
) -> Result<NeteaseStatus, NeteaseError> {
    netease.login_cookie(music_u).await
}

/// Text a login code to a phone number.
#[tauri::command]
pub async fn netease_sms_send(
    netease: Netease<'_>,
    country_code: String,
    phone: String,
) -> Result<(), NeteaseError> {
    netease.sms_send(country_code, phone).await
}

/// Log in with a phone number (password or SMS code) or an email address and password.
#[tauri::command]
pub async fn netease_login(
    netease: Netease<'_>,
    login: NeteaseLogin,
) -> Result<NeteaseStatus, NeteaseError> {
    netease.login(login).await
}

/// Sign out and delete the stored session; the queue is kept.
#[tauri::command]
pub async fn netease_logout(netease: Netease<'_>) -> Result<(), NeteaseError> {
    netease.logout().await
}

#[tauri::command]
pub async fn netease_set_quality(
    netease: Netease<'_>,
    quality: NeteaseQuality,
) -> Result<(), NeteaseError> {
    netease.set_quality(quality).await
}

/// The quality on a metered connection; `null`: the same as on any other.
#[tauri::command]
pub async fn netease_set_metered_quality(
    netease: Netease<'_>,
    quality: Option<NeteaseQuality>,
) -> Result<(), NeteaseError> {
    netease.set_metered_quality(quality).await
}

#[tauri::command]
pub async fn netease_daily(netease: Netease<'_>) -> Result<Vec<Track>, NeteaseError> {
    netease.daily().await
}

/// The personal FM's next batch.
#[tauri::command]
pub async fn netease_fm(netease: Netease<'_>) -> Result<Vec<Track>, NeteaseError> {
    netease.fm().await
}

#[tauri::command]
pub async fn netease_fm_trash(netease: Netease<'_>, track_id: String) -> Result<(), NeteaseError> {
    netease.fm_trash(track_id).await
}

#[tauri::command]
pub async fn netease_playlists(netease: Netease<'_>) -> Result<Vec<NeteasePlaylist>, NeteaseError> {
    netease.playlists().await
}

/// One page (at most 500 tracks) of a playlist.
#[tauri::command]
pub async fn netease_playlist(
    netease: Netease<'_>,
    id: u64,
    offset: u32,
    limit: u32,
) -> Result<NeteasePage, NeteaseError> {
    netease.playlist(id, offset, limit).await
}

/// An album and its songs: by id, or the album of a NetEase track.
#[tauri::command]
pub async fn netease_album(
    netease: Netease<'_>,
    of: NeteaseRef,
) -> Result<NeteaseAlbumPage, NeteaseError> {
    netease.album(of).await
}

/// An artist's top songs and albums: by id, or the first artist of a NetEase track.
#[tauri::command]
pub async fn netease_artist(
    netease: Netease<'_>,
    of: NeteaseRef,
) -> Result<NeteaseArtistPage, NeteaseError> {
    netease.artist(of).await
}

/// More saved albums or followed artists, from `offset`.
#[tauri::command]
pub async fn netease_library_more(
    netease: Netease<'_>,
    part: NeteaseLibraryPart,
    offset: u32,
) -> Result<NeteaseLibrary, NeteaseError> {
    netease.library_more(part, offset).await
}

/// More of an artist's albums, from `offset`.
#[tauri::command]
pub async fn netease_artist_albums(
    netease: Netease<'_>,
    id: u64,
    offset: u32,
) -> Result<NeteaseAlbums, NeteaseError> {
    netease.artist_albums(id, offset).await
}

/// The albums the user saved and the artists they follow (the first 100 of each).
#[tauri::command]
pub async fn netease_library(netease: Netease<'_>) -> Result<NeteaseLibrary, NeteaseError> {
    netease.library().await
}

/// What the user played lately.
#[tauri::command]
pub async fn netease_recent(netease: Netease<'_>) -> Result<Vec<Track>, NeteaseError> {
    netease.recent().await
}

/// The songs in the user's cloud disk.
#[tauri::command]
pub async fn netease_cloud(netease: Netease<'_>) -> Result<Vec<Track>, NeteaseError> {
    netease.cloud().await
}

/// NetEase's charts (each opens with `netease_playlist`).
#[tauri::command]
pub async fn netease_charts(netease: Netease<'_>) -> Result<Vec<NeteaseChart>, NeteaseError> {
    netease.charts().await
}

/// Heartbeat mode: songs like a liked one (`from`, or the latest liked), `from` first.
#[tauri::command]
pub async fn netease_heartbeat(
    netease: Netease<'_>,
    from: Option<String>,
) -> Result<Vec<Track>, NeteaseError> {
    netease.heartbeat(from).await
}

/// Albums, artists and playlists matching a search.
#[tauri::command]
pub async fn netease_search_else(
    netease: Netease<'_>,
    query: String,
) -> Result<NeteaseFound, NeteaseError> {
    netease.search_else(query).await
}

/// What to suggest while the user types a search.
#[tauri::command]
pub async fn netease_suggest(
    netease: Netease<'_>,
    query: String,
) -> Result<NeteaseSuggestions, NeteaseError> {
    netease.suggest(query).await
}

/// Create a NetEase playlist.
#[tauri::command]
pub async fn netease_playlist_create(
    netease: Netease<'_>,
    name: String,
) -> Result<NeteasePlaylist, NeteaseError> {
    netease.playlist_create(name).await
}

/// Add NetEase tracks to one of the user's playlists, or remove them.
#[tauri::command]
pub async fn netease_playlist_edit(
    netease: Netease<'_>,
    playlist_id: u64,
    track_ids: Vec<String>,
    edit: NeteasePlaylistEdit,
) -> Result<(), NeteaseError> {
    netease.playlist_edit(playlist_id, track_ids, edit).await
}

/// Whether listed tracks NetEase will not play have copies elsewhere (a newer call cancels).
#[tauri::command]
pub async fn netease_copies(
    netease: Netease<'_>,
    track_ids: Vec<String>,
) -> Result<Vec<NeteaseCopy>, NeteaseError> {
    netease.copies(track_ids).await
}

#[tauri::command]
pub async fn netease_liked(netease: Netease<'_>) -> Result<Vec<Track>, NeteaseError> {
    netease.liked().await
}

#[tauri::command]
pub async fn netease_search(
    netease: Netease<'_>,
    query: String,
) -> Result<Vec<Track>, NeteaseError> {
    netease.search(query).await
}

/// Opens NetEase's verification page (`url`, from a `verify` error; it must be NetEase's) in a
/// window of its own that has no access to the app; `None` closes that window (done).
#[tauri::command]
pub async fn netease_verify<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    netease: Netease<'_>,
    url: Option<String>,
) -> Result<(), NeteaseError> {
    match url {
        Some(url) => {
            crate::desktop::window::show_netease_verify(&app, netease.verify_page(&url)?);
        }
        None => crate::desktop::window::close(&app, crate::desktop::window::NETEASE_VERIFY),
    }
    Ok(())
}

/// Signs in through NetEase's own login page, in a private window with no access to the app:
/// once the page has set the `MUSIC_U` cookie, the window closes and the cookie is checked and
/// stored as a pasted one would be. `notLoggedIn` when the window was closed first.
#[tauri::command]
pub async fn netease_login_window<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    netease: Netease<'_>,
) -> Result<NeteaseStatus, NeteaseError> {
    let music_u = crate::desktop::window::netease_login(&app, netease.login_page())
        .await
        .ok_or(NeteaseError::NotLoggedIn)?;
    netease.login_cookie(music_u).await
}
