//! App start: the audio thread, the actor, the event pump, the first library scan, and what
//! the command line asked to open.

use std::path::PathBuf;

use lyrebird_core::actor::Action;
use lyrebird_core::events::{Notice, PlayerEvent, Published};
use lyrebird_core::servers::WantedSources;
use lyrebird_core::{Player, PlayerConfig, PlayerHandle, SourceKind};
use lyrebird_library::service::LibraryHandle;
use tauri::{App, AppHandle, Emitter, Manager, Runtime};
use tokio::sync::mpsc;

use crate::desktop::{DesktopMirror, ui_font};
use crate::http_clients::PendingHttpClients;
use crate::{LaunchOptions, PLAYER_EVENT};

pub fn start<R: Runtime>(
    app: &mut App<R>,
    options: LaunchOptions,
    http: PendingHttpClients,
) -> Result<(), Box<dyn std::error::Error>> {
    // Resolved while the rest starts (asks GTK: not on the tests' mock runtime).
    let font = options.desktop.then(ui_font::resolve_in_background);
    let paths = app.path();
    let own_config_dir = options.config_dir.is_some();
    let config_dir = match options.config_dir {
        Some(dir) => dir,
        None => paths.app_config_dir()?,
    };
    // The library's folders are a setting; `LYREBIRD_LIBRARY_DIRS` overrides it.
    let default_folders: Vec<PathBuf> = paths
        .audio_dir()
        .or_else(|_| paths.home_dir().map(|h| h.join("Music")))
        .into_iter()
        .collect();
    let library_dirs = options.library_dirs;
    let demo_dir = options
        .include_demo
        .then(|| paths.resource_dir().ok().map(|d| d.join("demo")))
        .flatten();
    tracing::info!(config = %config_dir.display(), ?library_dirs, ?demo_dir, "starting");

    // With a config dir of its own (tests, portable use) the caches live beside it, so that
    // two such instances never share a library index.
    let cache_dir = match options.cache_dir {
        Some(dir) => dir,
        None if own_config_dir => config_dir.join("cache"),
        None => paths.app_cache_dir()?,
    };
    let cache_bytes = options.cache_mb.map_or(AUDIO_CACHE_BYTES, |mb| mb << 20);
    let http = http.wait();
    let streams = stream_support(http.general, &cache_dir.join("audio"), cache_bytes);

    // The index holds the user's playlists: it lives in the data dir, never the cache dir
    // (where versions before this one kept it; moved once, see `move_index`).
    let data_dir = if own_config_dir {
        config_dir.clone()
    } else {
        paths.app_local_data_dir()?
    };
    let library = library_index(&cache_dir, &data_dir);
    let (library, problem) = LibraryHandle::spawn(Some(library));
    // The actor says which sources it wants (its settings'); the builder task answers with
    // registries. A restored remote track is cued once the first one is in use.
    let (wanted_tx, wanted) = tokio::sync::watch::channel(WantedSources::default());
    let (folders_tx, folders) = tokio::sync::watch::channel(Vec::new());
    let (audio_events_tx, audio_events) = mpsc::unbounded_channel();
    let (audio, _audio_thread) = lyrebird_audio::spawn_with_streams(audio_events_tx, streams);
    let audio_thread = audio.clone();
    let config = PlayerConfig {
        settings_path: Some(config_dir.join("settings.json")),
        session_path: Some(config_dir.join("session.json")),
        system_locale: sys_locale::get_locale().unwrap_or_else(|| "en-US".to_owned()),
        registry: lyrebird_core::actor::RegistryConfig {
            wanted: Some(wanted_tx),
        },
        library_folders: lyrebird_core::actor::LibraryFolderConfig {
            default: default_folders,
            forced: library_dirs,
            changed: Some(folders_tx),
        },
        ..PlayerConfig::default()
    };
    let (player, events, actor) = Player::new(config, audio, audio_events);
    audio_thread.connect(player.clone());
    tauri::async_runtime::spawn(actor);
    app.manage(player.clone());
    app.manage(crate::cover::CoverCache(cache_dir.join("covers")));
    let dirs = [config_dir.as_path(), data_dir.as_path()];
    start_sources(app, &player, wanted, dirs, library.clone(), http.api);

    if let Some(e) = problem {
        tracing::warn!(error = %e, "library index unusable; keeping it in memory this time");
    }
    app.manage(library.clone());
    // Before the window: the remembered library is read (0.2 s at 100 000 tracks) while GTK
    // and WebKit start, so the window's first snapshot already has its rows.
    tauri::async_runtime::spawn(lyrebird_library::rescan::run(
        player.clone(),
        library,
        folders,
        demo_dir,
        vec![config_dir.clone(), cache_dir.clone(), data_dir],
    ));

    let (window_changes_tx, window_changes) = mpsc::unbounded_channel();
    let desktop = if options.desktop {
        // Resolved since the start of `start`; a window built later has it for sure.
        app.manage(ui_font::UiFont(font.and_then(|f| f.wait(UI_FONT_PATIENCE))));
        let snapshot = tauri::async_runtime::block_on(player.snapshot())?;
        if snapshot.settings.desktop.start_in_tray {
            tracing::info!("starting in the tray");
            // What start-up alone touched (the library scan, GTK) is given back too.
            crate::desktop::trim::after_last_window_closed(app.handle());
        } else {
            crate::desktop::window::build_main(app.handle())?;
        }
        app.manage(WindowChanges(window_changes_tx));
        let mut desktop = DesktopMirror::start(app.handle(), &player, cache_dir.join("covers"));
        desktop.load(&snapshot);
        Some(desktop)
    } else {
        None
    };
    tauri::async_runtime::spawn(forward_events(
        app.handle().clone(),
        events,
        desktop,
        window_changes,
    ));

    if !options.open.is_empty() {
        tauri::async_runtime::spawn(open_paths(player, options.open));
    }
    Ok(())
}

/// Where to open the library index: in `data_dir`, after moving it there from `cache_dir`
/// where earlier versions kept it. If the move fails the old one is used this time (nothing is
/// lost) and the move is tried again at the next start.
fn library_index(cache_dir: &std::path::Path, data_dir: &std::path::Path) -> PathBuf {
    let old = cache_dir.join("library.sqlite");
    let new = data_dir.join("library.sqlite");
    match lyrebird_library::index::move_index(&old, &new) {
        Ok(_) => new,
        Err(e) => {
            tracing::warn!(error = %e, "library index not moved out of the cache directory; using it there this time");
            old
        }
    }
}

/// The registry builder for the actor, and the servers' commands' handle (app state).
fn start_sources<R: Runtime>(
    app: &App<R>,
    player: &PlayerHandle,
    wanted: tokio::sync::watch::Receiver<WantedSources>,
    // The config directory (secrets beside the settings) and the data directory (NetEase's
    // lists kept for an offline start: the user's data, not the cache).
    [config_dir, data_dir]: [&std::path::Path; 2],
    library: LibraryHandle,
    http: Option<reqwest::Client>,
) {
    use lyrebird_sources::secrets::{SecretStore, os_keyring};
    let secrets = SecretStore::new(config_dir, os_keyring());
    // The NetEase session's one owner. `LYREBIRD_NETEASE_API` (tests) points it elsewhere.
    let hosts = lyrebird_netease::ApiHosts::from_env().unwrap_or_else(|e| {
        tracing::error!(error = %e, "LYREBIRD_NETEASE_API is unusable; NetEase's own hosts are used");
        lyrebird_netease::ApiHosts::default()
    });
    let (netease, owner) = lyrebird_sources::netease::NeteaseSession::new(
        secrets.clone(),
        http.clone().unwrap_or_default(),
        hosts,
    );
    tauri::async_runtime::spawn(owner);
    // Looks up copies of the tracks NetEase will not play, for its lists.
    let (copies, copy_owner) = lyrebird_sources::copies::CopyFinder::new(player.clone());
    tauri::async_runtime::spawn(copy_owner);
    app.manage(
        lyrebird_sources::netease::NeteaseAccount::new(player.clone(), netease.clone())
            .with_copies(copies)
            .with_offline(data_dir.join("netease")),
    );
    let builder = lyrebird_sources::RegistryBuilder {
        library,
        secrets: secrets.clone(),
        http,
        netease: Some(netease),
    };
    tauri::async_runtime::spawn(lyrebird_sources::build_registries(
        player.clone(),
        wanted,
        builder,
    ));
    app.manage(lyrebird_sources::ServersHandle::new(
        player.clone(),
        secrets,
    ));
}

/// How the audio thread fetches remote tracks: one HTTP client (TLS verified; each request
/// builds its own headers) and the on-disk cache of played tracks. Without a usable cache
/// directory streams still play, uncached.
fn stream_support(
    client: Option<reqwest::Client>,
    cache_dir: &std::path::Path,
    cache_bytes: u64,
) -> Option<lyrebird_audio::StreamSupport> {
    let client = client?;
    let cache = lyrebird_stream::Cache::new(cache_dir.to_path_buf(), cache_bytes)
        .inspect_err(|e| tracing::warn!(error = %e, dir = %cache_dir.display(), "no audio cache"))
        .ok();
    // Streams from a server with a trusted certificate of its own get a client of their own.
    let streamer = lyrebird_stream::Streamer::new(client, cache);
    Some(lyrebird_audio::StreamSupport {
        streamer: std::sync::Arc::new(streamer),
        runtime: tauri::async_runtime::handle().inner().clone(),
    })
}

/// How long the first window waits for the desktop's font to be resolved (`fc-match`, 15 ms
/// warm, started with the app). Longer, and its page uses `system-ui`.
const UI_FONT_PATIENCE: std::time::Duration = std::time::Duration::from_millis(300);

/// The audio cache's default bound: 1 GiB; the least recently played tracks go first.
const AUDIO_CACHE_BYTES: u64 = 1 << 30;

/// Tells the event pump that the main window was shown or destroyed (the tray menu's
/// show/hide item follows).
pub struct WindowChanges(pub mpsc::UnboundedSender<()>);

/// Pump the actor's events to every window, and to the tray and media controls. The webview
/// holds no state: it renders these.
async fn forward_events<R: Runtime>(
    app: AppHandle<R>,
    mut events: mpsc::UnboundedReceiver<Published>,
    mut desktop: Option<DesktopMirror<R>>,
    mut window_changes: mpsc::UnboundedReceiver<()>,
) {
    loop {
        let event = tokio::select! {
            event = events.recv() => match event {
                Some(event) => event,
                None => break,
            },
            Some(()) = window_changes.recv() => {
                if let Some(desktop) = desktop.as_mut() {
                    desktop.window_changed();
                }
                continue;
            }
        };
        if let Some(desktop) = desktop.as_mut() {
            desktop.observe(&event.event);
        }
        // Position ticks (five a second) for windows nobody can see only cost CPU in the web
        // process; the next tick after the window is shown again brings it up to date. (The
        // UI's sequence check allows gaps.)
        if matches!(event.event, PlayerEvent::Position { .. }) && !any_window_on_screen(&app) {
            continue;
        }
        if let Err(e) = app.emit(PLAYER_EVENT, &event) {
            tracing::warn!(error = %e, "event not delivered to the webview");
        }
    }
}

/// Whether some window is shown and not minimised. Unknown counts as shown.
fn any_window_on_screen<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.webview_windows().values().any(|window| {
        window.is_visible().unwrap_or(true) && !window.is_minimized().unwrap_or(false)
    })
}

/// `lyrebird PATH...`: queue what the paths hold and play it.
pub async fn open_paths(player: PlayerHandle, paths: Vec<PathBuf>) {
    let requested = paths.clone();
    let scan = tauri::async_runtime::spawn_blocking(move || {
        lyrebird_library::scan(&expand_playlists(paths), SourceKind::Local).tracks
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

/// A playlist file among the paths (`.m3u`, `.m3u8`: what a double click on one hands over
/// through the file association) stands for the files it lists, in its order. One that
/// cannot be read stays as it is (and the scan reports it as nothing to play).
fn expand_playlists(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let is_playlist = |path: &PathBuf| {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("m3u8") || e.eq_ignore_ascii_case("m3u"))
    };
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        let bytes = if is_playlist(&path) {
            std::fs::read(&path).ok()
        } else {
            None
        };
        match bytes {
            Some(bytes) => {
                let base = path.parent().unwrap_or(std::path::Path::new("."));
                let parsed =
                    lyrebird_library::m3u::parse(&lyrebird_library::m3u::decode(&bytes), base);
                out.extend(parsed.entries.into_iter().map(|entry| entry.path));
            }
            None => out.push(path),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::expand_playlists;

    #[test]
    fn a_playlist_given_to_open_stands_for_its_files_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("mix.M3U8");
        std::fs::write(&list, "#EXTM3U\r\nb.flac\r\nsub/a.mp3\r\n").unwrap();
        let song = dir.path().join("c.ogg");
        let missing = dir.path().join("gone.m3u");
        assert_eq!(
            expand_playlists(vec![list, song.clone(), missing.clone()]),
            [
                dir.path().join("b.flac"),
                dir.path().join("sub").join("a.mp3"),
                song,
                missing
            ]
        );
    }
}
