//! The native side of the desktop: the tray icon and its menu, the OS media controls, track
//! change notifications. All of them follow the actor's published events through
//! [`DesktopMirror::observe`], called by the one task that pumps those events; what they are
//! asked to do goes back to the actor as actions, or to the window module. Started with them,
//! the watcher of whether the connection is metered (`lyrebird_desktop::network`) tells the
//! actor itself.
//!
//! The rest of the desktop integration is in the modules below: the windows ([`window`]),
//! global shortcuts, the OS file choosers ([`dialogs`]), files dropped onto the window
//! ([`drag_drop`]), giving memory back in the tray ([`trim`]), what `WebKit`'s web
//! process inherits ([`web_process`]) and the font the pages are told to use ([`ui_font`]).

pub mod dialogs;
pub mod drag_drop;
pub mod shortcuts;
pub mod trim;
pub mod ui_font;
pub mod web_process;
pub mod window;

use std::path::PathBuf;

use lyrebird_core::actor::Action;
use lyrebird_core::settings::{DesktopSettings, LocalePreference};
use lyrebird_core::{PlayerEvent, PlayerHandle, PlayerState, Snapshot};
use lyrebird_desktop::Language;
use lyrebird_desktop::media::{self, MediaConfig, MediaControlsHandle, ShellRequest};
use lyrebird_desktop::tray::{self, TrayAction, TrayContext, TrayItem, TrayMenu};
use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::watch;

/// The desktop settings as last published, for the window's close handling (which must
/// decide at once, without a round trip to the actor). A read-only copy: the actor owns them.
pub struct DesktopSettingsView(pub watch::Receiver<DesktopSettings>);

/// What the native parts show; owned by the event pump task alone.
pub struct DesktopMirror<R: Runtime> {
    app: AppHandle<R>,
    tray: Option<TrayIcon<R>>,
    media: Option<MediaControlsHandle>,
    settings_tx: watch::Sender<DesktopSettings>,
    state: Option<PlayerState>,
    locale: LocalePreference,
    system_locale: String,
    notify_track_change: bool,
    covers: PathBuf,
    shown_menu: Option<TrayMenu>,
    /// The track last announced in a notification (id), so a state event that changes only
    /// the position or status announces nothing.
    announced: Option<String>,
    player: PlayerHandle,
    /// The global shortcuts as last registered.
    shortcuts: Option<lyrebird_core::settings::GlobalShortcuts>,
}

impl<R: Runtime> DesktopMirror<R> {
    /// Create the tray icon and register the media controls. Each may fail on a desktop
    /// without a tray or a session bus; that is logged and the app goes on without it.
    pub fn start(app: &AppHandle<R>, player: &PlayerHandle, covers: PathBuf) -> Self {
        let (settings_tx, settings_rx) = watch::channel(DesktopSettings::default());
        app.manage(DesktopSettingsView(settings_rx));
        let tray = create_tray(app, player.clone())
            .inspect_err(|e| tracing::warn!(error = %e, "no tray icon"))
            .ok();
        let media = start_media_controls(app, player.clone(), covers.clone())
            .inspect_err(|e| tracing::warn!(error = %e, "no media controls"))
            .ok();
        // Whether the connection is metered (NetEase's quality on one), told to the actor.
        tauri::async_runtime::spawn(lyrebird_desktop::network::follow(player.clone()));
        Self {
            app: app.clone(),
            tray,
            media,
            settings_tx,
            state: None,
            locale: LocalePreference::System,
            system_locale: String::new(),
            notify_track_change: false,
            covers,
            shown_menu: None,
            announced: None,
            player: player.clone(),
            shortcuts: None,
        }
    }

    /// Start from a snapshot (before any event).
    pub fn load(&mut self, snapshot: &Snapshot) {
        self.system_locale.clone_from(&snapshot.system_locale);
        self.apply_settings(&snapshot.settings);
        self.announced = snapshot.state.current.as_ref().map(|t| t.id.0.clone());
        self.observe(&PlayerEvent::State(Box::new(snapshot.state.clone())));
    }

    /// Follow one published event.
    pub fn observe(&mut self, event: &PlayerEvent) {
        if let Some(media) = &self.media {
            media.observe(event);
        }
        match event {
            PlayerEvent::State(state) => {
                self.announce(state);
                self.state = Some((**state).clone());
                self.refresh_tray();
            }
            PlayerEvent::Settings(settings) => {
                self.apply_settings(settings);
                self.refresh_tray();
            }
            _ => {}
        }
    }

    /// The window was shown or destroyed: the tray's show/hide item follows.
    pub fn window_changed(&mut self) {
        self.refresh_tray();
    }

    fn apply_settings(&mut self, settings: &lyrebird_core::settings::Settings) {
        self.locale = settings.locale;
        self.notify_track_change = settings.desktop.notify_track_change;
        self.settings_tx.send_replace(settings.desktop.clone());
        let shortcuts = &settings.desktop.shortcuts;
        if self.shortcuts.as_ref() != Some(shortcuts) {
            shortcuts::apply(&self.app, &self.player, shortcuts);
            self.shortcuts = Some(shortcuts.clone());
        }
    }

    fn language(&self) -> Language {
        Language::resolve(self.locale, &self.system_locale)
    }

    fn refresh_tray(&mut self) {
        let (Some(tray), Some(state)) = (&self.tray, &self.state) else {
            return;
        };
        let model = tray::menu(
            state,
            TrayContext {
                language: self.language(),
                window_shown: window::main_on_screen(&self.app),
            },
        );
        if self.shown_menu.as_ref() == Some(&model) {
            return; // most events (volume, position) change nothing in the menu
        }
        match build_menu(&self.app, &model.items) {
            Ok(menu) => {
                let _ = tray.set_menu(Some(menu));
                let _ = tray.set_tooltip(Some(&model.tooltip));
                self.shown_menu = Some(model);
            }
            Err(e) => tracing::warn!(error = %e, "tray menu not updated"),
        }
    }

    /// A notification when a new track starts, if the user asked for them.
    fn announce(&mut self, state: &PlayerState) {
        let Some(track) = &state.current else {
            return;
        };
        if self.announced.as_deref() == Some(track.id.0.as_str()) {
            return;
        }
        if !matches!(state.status, lyrebird_core::PlaybackStatus::Playing) {
            return; // announced once it actually plays
        }
        self.announced = Some(track.id.0.clone());
        if !self.notify_track_change {
            return;
        }
        let covers = self.covers.clone();
        let track = track.clone();
        let app = self.app.clone();
        // Off the pump: reading a cover and talking to the notification daemon can block.
        tauri::async_runtime::spawn_blocking(move || {
            use tauri_plugin_notification::NotificationExt;
            // Tags are untrusted: the body is escaped where the server reads markup.
            let text =
                lyrebird_desktop::notification::track_notification(&track.title, &track.artists);
            let mut note = app
                .notification()
                .builder()
                .title(text.title)
                .body(text.body);
            if let Some(path) = lyrebird_library::cover_cache::cover_file(&covers, &track) {
                note = note.icon(path.to_string_lossy());
            }
            if let Err(e) = note.show() {
                tracing::debug!(error = %e, "no notification");
            }
        });
    }
}

fn create_tray<R: Runtime>(app: &AppHandle<R>, player: PlayerHandle) -> tauri::Result<TrayIcon<R>> {
    let mut builder = TrayIconBuilder::with_id("main")
        .tooltip("Lyrebird")
        .show_menu_on_left_click(false)
        .on_menu_event(move |app, event| {
            if let Some(action) = TrayAction::from_id(event.id().as_ref()) {
                perform(app, &player, action);
            }
        })
        .on_tray_icon_event(|tray, event| {
            // Linux trays (AppIndicator) send no clicks: there the menu's show/hide item does
            // it. Elsewhere a left click toggles the window.
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                window::toggle_main(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)
}

fn perform<R: Runtime>(app: &AppHandle<R>, player: &PlayerHandle, action: TrayAction) {
    match action {
        TrayAction::TogglePause => player.send(Action::TogglePause),
        TrayAction::Previous => player.send(Action::Previous),
        TrayAction::Next => player.send(Action::Next),
        TrayAction::Like => player.send(Action::ToggleLiked),
        TrayAction::SetMode(mode) => player.send(Action::SetPlayMode(mode)),
        TrayAction::ShowWindow => window::show_main(app),
        TrayAction::HideWindow => window::hide_main(app),
        TrayAction::Quit => app.exit(0),
    }
}

/// The native menu for a model.
fn build_menu<R: Runtime>(app: &AppHandle<R>, items: &[TrayItem]) -> tauri::Result<Menu<R>> {
    let built = build_items(app, items)?;
    let refs: Vec<&dyn IsMenuItem<R>> = built.iter().map(AsRef::as_ref).collect();
    Menu::with_items(app, &refs)
}

fn build_items<R: Runtime>(
    app: &AppHandle<R>,
    items: &[TrayItem],
) -> tauri::Result<Vec<Box<dyn IsMenuItem<R>>>> {
    let mut built: Vec<Box<dyn IsMenuItem<R>>> = Vec::with_capacity(items.len());
    for item in items {
        built.push(match item {
            TrayItem::Label(text) => Box::new(MenuItem::with_id(
                app,
                "now-playing",
                text,
                false,
                None::<&str>,
            )?),
            TrayItem::Action {
                action,
                text,
                enabled,
            } => Box::new(MenuItem::with_id(
                app,
                action.id(),
                text,
                *enabled,
                None::<&str>,
            )?),
            TrayItem::Check {
                action,
                text,
                checked,
            } => Box::new(CheckMenuItem::with_id(
                app,
                action.id(),
                text,
                true,
                *checked,
                None::<&str>,
            )?),
            TrayItem::Submenu { text, items } => {
                let children = build_items(app, items)?;
                let refs: Vec<&dyn IsMenuItem<R>> = children.iter().map(AsRef::as_ref).collect();
                Box::new(Submenu::with_items(app, text, true, &refs)?)
            }
            TrayItem::Separator => Box::new(PredefinedMenuItem::separator(app)?),
        });
    }
    Ok(built)
}

fn start_media_controls<R: Runtime>(
    app: &AppHandle<R>,
    player: PlayerHandle,
    covers: PathBuf,
) -> Result<MediaControlsHandle, String> {
    let shell_app = app.clone();
    let shell_player = player.clone();
    let shell = move |request: ShellRequest| match request {
        ShellRequest::Raise => window::show_main(&shell_app),
        ShellRequest::Quit => shell_app.exit(0),
        ShellRequest::Open(uri) => {
            if let Some(path) = crate::launch::path_of_file_uri(&uri) {
                tauri::async_runtime::spawn(crate::startup::open_paths(
                    shell_player.clone(),
                    vec![path],
                ));
            } else {
                tracing::info!("not a local file URI; not opened");
            }
        }
    };
    // macOS drives Now Playing from the main thread (unused elsewhere).
    let main_app = app.clone();
    let main_thread: media::MainThread = std::sync::Arc::new(move |task| {
        if let Err(e) = main_app.run_on_main_thread(task) {
            tracing::debug!(error = %e, "media controls not updated");
        }
    });
    media::spawn(
        MediaConfig {
            display_name: "Lyrebird".into(),
            dbus_name: "lyrebird".into(),
            main_thread: Some(main_thread),
        },
        player,
        Box::new(move |track| lyrebird_library::cover_cache::cover_file_url(&covers, track)),
        Box::new(shell),
    )
}
