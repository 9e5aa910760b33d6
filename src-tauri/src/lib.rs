//! The Tauri shell of Lyrebird: wires the actor, the audio thread and the library scanner to
//! the webview. Commands are one-liners that forward to the actor; the actor's events are
//! forwarded to the webview as they come. See `docs/architecture.md`.

mod commands;
mod cover;
mod launch;
mod startup;

use lyrebird_core::PlayerHandle;
use tauri::{Builder, Manager, RunEvent, Runtime};

pub use launch::LaunchOptions;

/// The name of the event that carries every [`lyrebird_core::Published`] event to the webview.
pub const PLAYER_EVENT: &str = "lyrebird://player";

/// Start Lyrebird with options from the environment and the command line.
pub fn run() {
    init_logging();
    let options = LaunchOptions::from_env_and_args(std::env::args_os().skip(1));
    let mut app = build_app(Builder::default())
        .build(tauri::generate_context!())
        .expect("Lyrebird could not start its windowing runtime");
    start(&mut app, options).expect("Lyrebird could not start");
    app.run(on_run_event);
}

/// Commands and protocols on any runtime: tests pass `tauri::test::mock_builder()`.
pub fn build_app<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .invoke_handler(tauri::generate_handler![
            commands::get_snapshot,
            commands::play_library_track,
            commands::play_queue_index,
            commands::toggle_pause,
            commands::play,
            commands::pause,
            commands::stop,
            commands::next,
            commands::previous,
            commands::seek,
            commands::set_volume,
            commands::set_muted,
            commands::set_sleep_timer,
            commands::retry_audio_device,
            commands::set_locale,
            commands::set_replay_gain,
            commands::enqueue,
            commands::play_queue_entry,
            commands::remove_from_queue,
            commands::move_in_queue,
            commands::clear_queue,
            commands::set_play_mode,
            commands::set_stop_after_current,
            commands::refresh_output_devices,
            commands::set_output_device,
            commands::set_crossfade,
            commands::search_library,
            commands::get_lyrics,
        ])
        .register_asynchronous_uri_scheme_protocol(cover::SCHEME, cover::handle)
}

/// Start the actor, the audio thread and the library scan, and make the player reachable
/// from commands. Runs before any window exists, so the first `get_snapshot` finds it.
pub fn start<R: Runtime>(
    app: &mut tauri::App<R>,
    options: LaunchOptions,
) -> Result<(), Box<dyn std::error::Error>> {
    startup::start(app, options)
}

/// Let the actor stop audio and save settings before the process ends.
#[allow(clippy::needless_pass_by_value)] // the signature `App::run` wants
pub fn on_run_event<R: Runtime>(app: &tauri::AppHandle<R>, event: RunEvent) {
    if let RunEvent::Exit = event
        && let Some(player) = app.try_state::<PlayerHandle>()
    {
        let player = player.inner().clone();
        let _ = tauri::async_runtime::block_on(player.shutdown());
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LYREBIRD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
