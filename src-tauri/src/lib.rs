//! The Tauri shell of Lyrebird: wires the actor, the audio thread and the library scanner to
//! the webview. Commands are one-liners that forward to the actor; the actor's events are
//! forwarded to the webview as they come. See `docs/architecture.md`.

mod commands;
mod cover;
mod desktop;
mod http_clients;
mod launch;
mod startup;

use desktop::{drag_drop, trim, window};
use lyrebird_core::PlayerHandle;
use tauri::{Builder, Manager, RunEvent, Runtime, WindowEvent};

pub use launch::LaunchOptions;

/// The name of the event that carries every [`lyrebird_core::Published`] event to the webview.
pub const PLAYER_EVENT: &str = "lyrebird://player";

/// Start Lyrebird with options from the environment and the command line.
pub fn run() {
    // Before any thread exists: the environment WebKit's web processes will inherit.
    desktop::web_process::prepare_environment();
    init_logging();
    // First: the clients load the system's certificate store on another core while this one
    // starts the windowing runtime.
    let http = http_clients::PendingHttpClients::spawn();
    let options = LaunchOptions::from_env_and_args(std::env::args_os().skip(1));
    // First plugin, as its docs ask: a second launch hands its arguments over and exits.
    let mut builder = Builder::default()
        .plugin(tauri_plugin_single_instance::init(second_launch))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_global_shortcut::Builder::new().build())
        .on_window_event(on_window_event);
    // The window's size and position, restored when it is built (also when rebuilt from the
    // tray: the plugin keeps them in memory, and on disk at exit). Instances with a config
    // directory of their own (tests, portable use) leave the user's saved geometry alone.
    if options.config_dir.is_none() {
        builder = builder.plugin(tauri_plugin_window_state::Builder::default().build());
    }
    let mut app = build_app(builder)
        .build(tauri::generate_context!())
        .expect("Lyrebird could not start its windowing runtime");
    startup::start(&mut app, options, http).expect("Lyrebird could not start");
    app.run(on_run_event);
}

/// Commands and protocols on any runtime: tests pass `tauri::test::mock_builder()`.
pub fn build_app<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .invoke_handler(commands::handler())
        .register_asynchronous_uri_scheme_protocol(cover::SCHEME, cover::handle)
}

/// Start the actor, the audio thread and the library scan, and make the player reachable
/// from commands. Runs before any window exists, so the first `get_snapshot` finds it.
pub fn start<R: Runtime>(
    app: &mut tauri::App<R>,
    options: LaunchOptions,
) -> Result<(), Box<dyn std::error::Error>> {
    startup::start(app, options, http_clients::PendingHttpClients::spawn())
}

/// Keep playing in the tray when the last window closes (if the user wants that), and let the
/// actor stop audio and save settings before the process ends.
#[allow(clippy::needless_pass_by_value)] // the signature `App::run` wants
pub fn on_run_event<R: Runtime>(app: &tauri::AppHandle<R>, event: RunEvent) {
    match event {
        // `code: None`: the last window closed (an explicit quit carries a code).
        RunEvent::ExitRequested {
            code: None, api, ..
        } if close_to_tray(app) => api.prevent_exit(),
        // macOS hands over files opened from the Finder (the file associations) as an event,
        // not as arguments.
        #[cfg(target_os = "macos")]
        RunEvent::Opened { urls } => {
            let paths: Vec<_> = urls.iter().filter_map(|u| u.to_file_path().ok()).collect();
            if !paths.is_empty()
                && let Some(player) = app.try_state::<PlayerHandle>()
            {
                tauri::async_runtime::spawn(startup::open_paths(player.inner().clone(), paths));
            }
        }
        // A click on the Dock icon while the window is closed to the tray brings it back.
        #[cfg(target_os = "macos")]
        RunEvent::Reopen {
            has_visible_windows: false,
            ..
        } => window::show_main(app),
        RunEvent::Exit => {
            if let Some(player) = app.try_state::<PlayerHandle>() {
                let player = player.inner().clone();
                let _ = tauri::async_runtime::block_on(player.shutdown());
            }
        }
        _ => {}
    }
}

fn close_to_tray<R: Runtime>(app: &tauri::AppHandle<R>) -> bool {
    app.try_state::<desktop::DesktopSettingsView>()
        .is_some_and(|s| s.0.borrow().close_to_tray)
}

/// Closing the main window either quits or, with "close to tray", destroys the window (and
/// its web view) while the app plays on.
fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    if window.label() != window::MAIN {
        return;
    }
    match event {
        WindowEvent::CloseRequested { .. } if close_to_tray(window.app_handle()) => {
            // On every OS: the media controls do not need it (on Windows they have a hidden
            // window of their own).
            tracing::info!("window closed to the tray; its web view is destroyed");
        }
        // Files and folders dropped onto the window play (see `drag_drop`).
        WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) => {
            drag_drop::dropped(window.app_handle(), paths);
        }
        WindowEvent::Destroyed => {
            // Notices from now on wait for the next window.
            if let Some(player) = window.app_handle().try_state::<PlayerHandle>() {
                player.send(lyrebird_core::actor::Action::WindowsClosed);
            }
            window::changed(window.app_handle());
            trim::after_last_window_closed(window.app_handle());
        }
        _ => {}
    }
}

/// A second `lyrebird` launch: show this instance's window and play what it was given.
#[allow(clippy::needless_pass_by_value)] // the signature the plugin wants
fn second_launch(app: &tauri::AppHandle, args: Vec<String>, cwd: String) {
    tracing::info!(?args, "a second launch handed over");
    window::show_main(app);
    let paths = launch::paths_from_args(
        args.into_iter().skip(1).map(std::ffi::OsString::from),
        std::path::Path::new(&cwd),
    );
    if !paths.is_empty()
        && let Some(player) = app.try_state::<PlayerHandle>()
    {
        tauri::async_runtime::spawn(startup::open_paths(player.inner().clone(), paths));
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
