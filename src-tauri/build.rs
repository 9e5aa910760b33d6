/// Every command the UI may call. tauri-build generates one `allow-<command>` permission for
/// each; `capabilities/main.json` grants them one by one to the main window.
const COMMANDS: &[&str] = &[
    "get_snapshot",
    "play_library_track",
    "play_queue_index",
    "toggle_pause",
    "play",
    "pause",
    "stop",
    "next",
    "previous",
    "seek",
    "set_volume",
    "set_muted",
    "set_sleep_timer",
    "retry_audio_device",
    "set_locale",
    "set_replay_gain",
    "enqueue",
    "play_queue_entry",
    "remove_from_queue",
    "move_in_queue",
    "clear_queue",
    "set_play_mode",
    "set_stop_after_current",
    "refresh_output_devices",
    "set_output_device",
    "set_crossfade",
    "search_library",
    "get_lyrics",
    "set_desktop_settings",
    "remember_view",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
