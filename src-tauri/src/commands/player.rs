//! Player commands (playback, the queue, settings, lyrics): each one sends a message to the
//! actor and awaits its reply. No logic here.

use lyrebird_core::actor::Action;
use lyrebird_core::events::{QueueRows, ViewMemory};
use lyrebird_core::queue::{EntryId, PlayMode, QueuePosition};
use lyrebird_core::settings::{DesktopSettings, LocalePreference, LyricsSettings, ReplayGainMode};
use lyrebird_core::{PlayerError, PlayerHandle, Snapshot, TrackId};
use tauri::State;

type Player<'a> = State<'a, PlayerHandle>;
type Done = Result<(), PlayerError>;

/// The main window also takes the notices raised while no window was open; the small
/// windows (mini player, desktop lyrics) show no notices and leave them.
#[tauri::command]
pub async fn get_snapshot<R: tauri::Runtime>(
    window: tauri::Window<R>,
    player: Player<'_>,
) -> Result<Snapshot, PlayerError> {
    if window.label() == crate::desktop::window::MAIN {
        player.window_snapshot().await
    } else {
        player.snapshot().await
    }
}

#[tauri::command]
pub async fn play_library_track(player: Player<'_>, id: String) -> Done {
    player.act(Action::PlayLibraryTrack(TrackId(id))).await
}

#[tauri::command]
pub async fn play_queue_index(player: Player<'_>, index: u32) -> Done {
    player.act(Action::PlayQueueIndex(index)).await
}

#[tauri::command]
pub async fn seek(player: Player<'_>, position_ms: u64) -> Done {
    player.act(Action::Seek { position_ms }).await
}

#[tauri::command]
pub async fn set_volume(player: Player<'_>, volume: f32) -> Done {
    player.act(Action::SetVolume(volume)).await
}

#[tauri::command]
pub async fn set_muted(player: Player<'_>, muted: bool) -> Done {
    player.act(Action::SetMuted(muted)).await
}

#[tauri::command]
pub async fn set_sleep_timer(player: Player<'_>, minutes: Option<u32>) -> Done {
    player.act(Action::SetSleepTimer { minutes }).await
}

#[tauri::command]
pub async fn set_locale(player: Player<'_>, locale: LocalePreference) -> Done {
    player.act(Action::SetLocale(locale)).await
}

#[tauri::command]
pub async fn set_replay_gain(player: Player<'_>, mode: ReplayGainMode) -> Done {
    player.act(Action::SetReplayGain(mode)).await
}

#[tauri::command]
pub async fn enqueue(player: Player<'_>, ids: Vec<String>, position: QueuePosition) -> Done {
    let ids = ids.into_iter().map(TrackId).collect();
    player.act(Action::Enqueue { ids, position }).await
}

#[tauri::command]
pub async fn play_queue_entry(player: Player<'_>, entry: EntryId) -> Done {
    player.act(Action::PlayQueueEntry(entry)).await
}

#[tauri::command]
pub async fn remove_from_queue(player: Player<'_>, entries: Vec<EntryId>) -> Done {
    player.act(Action::RemoveFromQueue(entries)).await
}

/// Entries `start` to `end` of the queue with their tracks, as the queue view scrolls (the
/// published queue carries only a window of them).
#[tauri::command]
pub async fn queue_rows(
    player: Player<'_>,
    start: u32,
    end: u32,
) -> Result<QueueRows, PlayerError> {
    player.queue_rows(start, end).await
}

#[tauri::command]
pub async fn move_in_queue(player: Player<'_>, entry: EntryId, to: u32) -> Done {
    player.act(Action::MoveInQueue { entry, to }).await
}

#[tauri::command]
pub async fn set_play_mode(player: Player<'_>, mode: PlayMode) -> Done {
    player.act(Action::SetPlayMode(mode)).await
}

#[tauri::command]
pub async fn set_stop_after_current(player: Player<'_>, on: bool) -> Done {
    player.act(Action::SetStopAfterCurrent(on)).await
}

/// Commands without arguments: one line each.
macro_rules! action_commands {
    ($($name:ident => $action:expr),* $(,)?) => {$(
        #[tauri::command]
        pub async fn $name(player: Player<'_>) -> Done {
            player.act($action).await
        }
    )*};
}

action_commands! {
    toggle_pause => Action::TogglePause,
    play => Action::Play,
    pause => Action::Pause,
    stop => Action::Stop,
    next => Action::Next,
    previous => Action::Previous,
    retry_audio_device => Action::RetryAudioDevice,
    refresh_output_devices => Action::RefreshDevices,
    clear_queue => Action::ClearQueue,
}

#[tauri::command]
pub async fn set_crossfade(player: Player<'_>, ms: u32) -> Done {
    player.act(Action::SetCrossfade { ms }).await
}

/// The lyrics of a track: a NetEase track's from NetEase; otherwise the `.lrc` file beside
/// it, else those in its tags (see `lyrics::lyrics_for`); `None` when it has none.
#[tauri::command]
pub async fn get_lyrics(
    player: Player<'_>,
    netease: State<'_, lyrebird_sources::netease::NeteaseAccount>,
    id: String,
) -> Result<Option<lyrebird_core::events::LyricsView>, PlayerError> {
    if let Some(from_netease) = netease.lyrics(&id).await {
        return Ok(from_netease);
    }
    let id = TrackId(id);
    if let Some(path) = player.track_path(id.clone()).await? {
        let lyrics = tauri::async_runtime::spawn_blocking(move || {
            lyrebird_library::lyrics::lyrics_for(&path)
        })
        .await
        .ok()
        .flatten();
        if let Some(lyrics) = lyrics {
            return Ok(Some(lyrics.into_view()));
        }
    }
    // None of its own: NetEase's for the same recording, if the user wants them.
    let Some(track) = player.track(id).await? else {
        return Ok(None);
    };
    Ok(netease.lyrics_matching(&track).await)
}

/// Show a track's lyrics `offset_ms` earlier (negative: later); 0 resets. Remembered per track.
#[tauri::command]
pub async fn set_lyrics_offset(player: Player<'_>, id: String, offset_ms: i64) -> Done {
    player
        .act(Action::SetLyricsOffset {
            track: TrackId(id),
            offset_ms,
        })
        .await
}

/// Like (or unlike) the current track at its own source, if it is still `id`.
#[tauri::command]
pub async fn set_liked(player: Player<'_>, id: String, liked: bool) -> Done {
    player
        .act(Action::SetLiked {
            track: TrackId(id),
            liked,
        })
        .await
}

/// `None` (null from the UI) picks the system's default output.
#[tauri::command]
pub async fn set_output_device(player: Player<'_>, id: Option<String>) -> Done {
    player.act(Action::SetOutputDevice(id)).await
}

/// Show translations / romanisations under lyric lines (when the lyrics have them).
#[tauri::command]
pub async fn set_lyrics_settings(player: Player<'_>, lyrics: LyricsSettings) -> Done {
    player.act(Action::SetLyricsSettings(lyrics)).await
}

#[tauri::command]
pub async fn set_desktop_settings(player: Player<'_>, desktop: DesktopSettings) -> Done {
    player.act(Action::SetDesktop(desktop)).await
}

#[tauri::command]
pub async fn remember_view(player: Player<'_>, view: ViewMemory) -> Done {
    player.act(Action::RememberView(view)).await
}

/// The colours of track `id`'s cover (`art`: a remote track's cover-art id, as with the
/// `lyrebird-cover` protocol), taken from its small thumbnail; `None` when it has no cover or
/// the picture cannot be decoded.
#[tauri::command]
pub async fn cover_colors<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
    art: Option<String>,
) -> Result<Option<lyrebird_core::events::CoverColors>, PlayerError> {
    use lyrebird_library::palette::{Palette, palette};
    let Some(cover) =
        crate::cover::cover_of(&app, id, lyrebird_library::cover_cache::Size::Small, art).await
    else {
        return Ok(None);
    };
    let colors = tauri::async_runtime::spawn_blocking(move || palette(&cover).ok())
        .await
        .ok()
        .flatten();
    Ok(colors.map(|p| lyrebird_core::events::CoverColors {
        main: Palette::hex(p.main),
        accent: Palette::hex(p.accent),
    }))
}
