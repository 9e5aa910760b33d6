//! Tauri commands: each one sends a message to the actor and awaits its reply. No logic here.

use lyrebird_core::actor::Action;
use lyrebird_core::settings::LocalePreference;
use lyrebird_core::{PlayerError, PlayerHandle, Snapshot, TrackId};
use tauri::State;

type Player<'a> = State<'a, PlayerHandle>;
type Done = Result<(), PlayerError>;

#[tauri::command]
pub async fn get_snapshot(player: Player<'_>) -> Result<Snapshot, PlayerError> {
    player.snapshot().await
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
pub async fn set_locale(player: Player<'_>, locale: LocalePreference) -> Done {
    player.act(Action::SetLocale(locale)).await
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
}
