//! App start: the audio thread, the actor, the event pump, the first library scan, and what
//! the command line asked to open.

use std::path::PathBuf;

use lyrebird_core::actor::Action;
use lyrebird_core::events::{LibraryView, Notice, Published};
use lyrebird_core::{Player, PlayerConfig, PlayerHandle, SourceKind};
use tauri::{App, AppHandle, Emitter, Manager, Runtime};
use tokio::sync::mpsc;

use crate::{LaunchOptions, PLAYER_EVENT};

pub fn start<R: Runtime>(
    app: &mut App<R>,
    options: LaunchOptions,
) -> Result<(), Box<dyn std::error::Error>> {
    let paths = app.path();
    let config_dir = match options.config_dir {
        Some(dir) => dir,
        None => paths.app_config_dir()?,
    };
    let library_dirs = options.library_dirs.unwrap_or_else(|| {
        paths
            .audio_dir()
            .or_else(|_| paths.home_dir().map(|h| h.join("Music")))
            .into_iter()
            .collect()
    });
    let demo_dir = options
        .include_demo
        .then(|| paths.resource_dir().ok().map(|d| d.join("demo")))
        .flatten();
    tracing::info!(config = %config_dir.display(), ?library_dirs, ?demo_dir, "starting");

    let (audio_events_tx, audio_events) = mpsc::unbounded_channel();
    let (audio, _audio_thread) = lyrebird_audio::spawn(audio_events_tx);
    let config = PlayerConfig {
        settings_path: Some(config_dir.join("settings.json")),
        session_path: Some(config_dir.join("session.json")),
        system_locale: sys_locale::get_locale().unwrap_or_else(|| "en-US".to_owned()),
    };
    let (player, events, actor) = Player::new(config, audio, audio_events);
    tauri::async_runtime::spawn(actor);
    tauri::async_runtime::spawn(forward_events(app.handle().clone(), events));
    app.manage(player.clone());

    tauri::async_runtime::spawn(load_library(player.clone(), library_dirs, demo_dir));
    if !options.open.is_empty() {
        tauri::async_runtime::spawn(open_paths(player, options.open));
    }
    Ok(())
}

/// Pump the actor's events to every window. The webview holds no state: it renders these.
async fn forward_events<R: Runtime>(
    app: AppHandle<R>,
    mut events: mpsc::UnboundedReceiver<Published>,
) {
    while let Some(event) = events.recv().await {
        if let Err(e) = app.emit(PLAYER_EVENT, &event) {
            tracing::warn!(error = %e, "event not delivered to the webview");
        }
    }
}

/// Scan the demo set and the library folders off the async runtime, then hand the result to
/// the actor.
async fn load_library(player: PlayerHandle, library_dirs: Vec<PathBuf>, demo_dir: Option<PathBuf>) {
    let scanning = LibraryView {
        tracks: Vec::new(),
        scanning: true,
    };
    let _ = player.act(Action::SetLibrary(scanning)).await;
    let scan = tauri::async_runtime::spawn_blocking(move || {
        let mut tracks = Vec::new();
        if let Some(demo) = demo_dir.filter(|d| d.is_dir()) {
            tracks.extend(lyrebird_library::scan(&[demo], SourceKind::Demo).tracks);
        }
        let local = lyrebird_library::scan(&library_dirs, SourceKind::Local);
        for problem in &local.problems {
            tracing::info!(path = %problem.path.display(), reason = %problem.reason, "skipped");
        }
        tracks.extend(local.tracks);
        tracks
    })
    .await;
    let tracks = scan.unwrap_or_else(|e| {
        tracing::error!(error = %e, "library scan failed");
        Vec::new()
    });
    tracing::info!(count = tracks.len(), "library loaded");
    let _ = player
        .act(Action::SetLibrary(LibraryView {
            tracks,
            scanning: false,
        }))
        .await;
}

/// `lyrebird PATH...`: queue what the paths hold and play it.
async fn open_paths(player: PlayerHandle, paths: Vec<PathBuf>) {
    let requested = paths.clone();
    let scan = tauri::async_runtime::spawn_blocking(move || {
        lyrebird_library::scan(&paths, SourceKind::Local).tracks
    })
    .await
    .unwrap_or_default();
    if scan.is_empty() {
        let path = requested
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let _ = player
            .act(Action::Notify(Notice::NothingToPlay { path }))
            .await;
    } else {
        let _ = player.act(Action::PlayTracks(scan)).await;
    }
}
