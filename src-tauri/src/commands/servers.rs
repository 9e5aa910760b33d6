//! Commands for music servers and remote tracks: each one forwards to the servers service or
//! the actor and awaits the reply. No logic here.

use lyrebird_core::actor::Action;
use lyrebird_core::queue::QueuePosition;
use lyrebird_core::servers::{BrowsePage, BrowseRequest, ServerInput, ServerSettings, ServerTest};
use lyrebird_core::{PlayerError, PlayerHandle, TrackId};
use tauri::State;

use lyrebird_sources::{ServerError, ServersHandle};

type Servers<'a> = State<'a, ServersHandle>;
type Player<'a> = State<'a, PlayerHandle>;

/// Add (empty id) or change a server. The secret comes in here and is never sent back.
#[tauri::command]
pub async fn save_server(
    servers: Servers<'_>,
    server: ServerInput,
) -> Result<ServerSettings, ServerError> {
    servers.save(server).await
}

#[tauri::command]
pub async fn remove_server(servers: Servers<'_>, id: String) -> Result<(), ServerError> {
    servers.remove(id).await
}

/// Sign in with what was typed and say how it went.
#[tauri::command]
pub async fn test_server(servers: Servers<'_>, server: ServerInput) -> Result<ServerTest, ()> {
    Ok(servers.test(server).await)
}

/// Prefer sources in this order (`library`, `subsonic:<id>`).
#[tauri::command]
pub async fn set_source_order(servers: Servers<'_>, order: Vec<String>) -> Result<(), ServerError> {
    servers.set_order(order).await
}

#[tauri::command]
pub async fn browse_server(
    servers: Servers<'_>,
    server: String,
    request: BrowseRequest,
) -> Result<BrowsePage, ServerError> {
    servers.browse(server, request).await
}

/// Append these server tracks (by id, as a page listed them) to the queue and play the first.
/// The tracks are what the server said when it listed them, not what the webview sends.
#[tauri::command]
pub async fn play_tracks(player: Player<'_>, ids: Vec<TrackId>) -> Result<(), PlayerError> {
    player.act(Action::PlayListed(ids)).await
}

/// Queue these server tracks (by id) next or at the end.
#[tauri::command]
pub async fn enqueue_tracks(
    player: Player<'_>,
    ids: Vec<TrackId>,
    position: QueuePosition,
) -> Result<(), PlayerError> {
    player.act(Action::EnqueueListed { ids, position }).await
}

/// Play the current track from another of the copies the fallback race found.
#[tauri::command]
pub async fn use_candidate(
    player: Player<'_>,
    track: String,
    candidate: String,
) -> Result<(), PlayerError> {
    let track = TrackId(track);
    player.act(Action::UseCandidate { track, candidate }).await
}
