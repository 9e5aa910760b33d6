//! The Tauri commands, by area: each one takes ids and values from the webview, sends a
//! message to the actor (or asks the library thread, the servers service or the window module)
//! and returns the reply. No logic here.
//!
//! Every command is registered in [`handler`] and nowhere else; `build.rs`'s `COMMANDS`, the
//! capabilities and the UI's ipc layer list the same names
//! (`lyrebird-core/tests/command_lists.rs` reads the list below).

use tauri::Runtime;
use tauri::ipc::Invoke;

pub mod library;
pub mod netease;
pub mod player;
pub mod playlists;
pub mod servers;
pub mod windows;

/// The handler of every command, for `Builder::invoke_handler`.
#[allow(clippy::too_many_lines)] // one line per command: the list is the point
pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        player::get_snapshot,
        player::play_library_track,
        player::play_queue_index,
        player::toggle_pause,
        player::play,
        player::pause,
        player::stop,
        player::next,
        player::previous,
        player::seek,
        player::set_volume,
        player::set_muted,
        player::set_sleep_timer,
        player::retry_audio_device,
        player::set_locale,
        player::set_replay_gain,
        player::enqueue,
        player::play_queue_entry,
        player::remove_from_queue,
        player::move_in_queue,
        player::clear_queue,
        player::set_play_mode,
        player::set_stop_after_current,
        player::refresh_output_devices,
        player::set_output_device,
        player::set_crossfade,
        player::get_lyrics,
        player::set_lyrics_offset,
        player::set_liked,
        player::set_desktop_settings,
        player::set_lyrics_settings,
        player::remember_view,
        library::search_library,
        library::add_library_folder,
        library::remove_library_folder,
        library::cancel_scan,
        library::get_scan_problems,
        library::list_albums,
        library::list_folders,
        library::recently_added,
        library::play_library_tracks,
        library::library_rows,
        library::library_tracks,
        library::library_sort_keys,
        playlists::list_playlists,
        playlists::create_playlist,
        playlists::rename_playlist,
        playlists::delete_playlist,
        playlists::add_to_playlist,
        playlists::remove_from_playlist,
        playlists::move_in_playlist,
        playlists::get_playlist,
        playlists::play_playlist,
        playlists::enqueue_playlist_items,
        playlists::import_playlist,
        playlists::export_playlist,
        servers::save_server,
        servers::remove_server,
        servers::test_server,
        servers::set_source_order,
        servers::browse_server,
        servers::play_tracks,
        servers::enqueue_tracks,
        servers::use_candidate,
        netease::netease_status,
        netease::netease_qr_start,
        netease::netease_qr_check,
        netease::netease_login_cookie,
        netease::netease_logout,
        netease::netease_set_quality,
        netease::netease_set_metered_quality,
        netease::netease_daily,
        netease::netease_fm,
        netease::netease_fm_trash,
        netease::netease_playlists,
        netease::netease_playlist,
        netease::netease_album,
        netease::netease_artist,
        netease::netease_library,
        netease::netease_sms_send,
        netease::netease_login,
        netease::netease_recent,
        netease::netease_cloud,
        netease::netease_charts,
        netease::netease_heartbeat,
        netease::netease_suggest,
        netease::netease_playlist_create,
        netease::netease_playlist_edit,
        netease::netease_search_else,
        netease::netease_artist_albums,
        netease::netease_library_more,
        netease::netease_copies,
        netease::netease_liked,
        netease::netease_search,
        netease::netease_verify,
        netease::netease_login_window,
        windows::show_main_window,
        windows::open_mini_player,
        windows::close_mini_player,
        windows::set_desktop_lyrics,
    ]
}
