//! The main window's life: built from its configuration when shown, destroyed when closed to
//! the tray. The web UI holds no state of its own (it renders the actor's snapshot and events,
//! and restores its view and scroll from the snapshot), so destroying the window loses nothing
//! and gives back the web view's memory — most of a `WebKitGTK` window's ~270 MB.

use lyrebird_core::settings::{Appearance, Settings, Theme};
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

pub const MAIN: &str = "main";
pub const MINI: &str = "mini";
pub const LYRICS: &str = "lyrics";
/// NetEase's verification page (risk control): a remote page in a window no capability names,
/// so nothing it runs reaches the app's commands.
pub const NETEASE_VERIFY: &str = "netease-verify";
/// NetEase's login page, likewise with no capability.
pub const NETEASE_LOGIN: &str = "netease-login";
/// How often the login window's cookies are looked at for `MUSIC_U`.
const LOGIN_POLL: std::time::Duration = std::time::Duration::from_millis(500);
/// How long a login window is waited for.
const LOGIN_PATIENCE: std::time::Duration = std::time::Duration::from_mins(15);

/// Show the main window, building it if it was destroyed (or never built), and focus it.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    } else {
        match build_main(app) {
            Ok(window) => {
                let _ = window.set_focus();
            }
            Err(e) => tracing::error!(error = %e, "the window could not be built"),
        }
    }
    changed(app);
}

/// Tell the event pump the window came or went (the tray menu follows).
pub fn changed<R: Runtime>(app: &AppHandle<R>) {
    if let Some(changes) = app.try_state::<crate::startup::WindowChanges>() {
        let _ = changes.0.send(());
    }
}

/// Close the main window to the tray: destroy it, web view and all. The app keeps running
/// (see `keep_running_without_windows`).
pub fn hide_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        tracing::info!("window closed to the tray; its web view is destroyed");
        if let Err(e) = window.destroy() {
            tracing::warn!(error = %e, "the window could not be destroyed; hiding it");
            let _ = window.hide();
        }
    }
    changed(app);
}

/// Show or hide, as a left click on the tray icon does.
pub fn toggle_main<R: Runtime>(app: &AppHandle<R>) {
    if main_on_screen(app) {
        hide_main(app);
    } else {
        show_main(app);
    }
}

/// Whether the main window exists and is shown (minimised counts as shown: it is one click
/// away on the task bar).
pub fn main_on_screen<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.get_webview_window(MAIN)
        .is_some_and(|w| w.is_visible().unwrap_or(true))
}

/// Build the main window from `tauri.conf.json` (where it is marked `"create": false`, so
/// that starting in the tray builds none), in the colours of the user's theme from its first
/// frame: the window's and the web view's background are the theme's before the page paints,
/// and the page starts with the theme and accent the settings name (issue #19: a dark theme
/// started on a white window for most of a second).
pub fn build_main<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    let appearance = app
        .try_state::<lyrebird_core::PlayerHandle>()
        .and_then(|player| settings_now(&player))
        .map(|settings| settings.desktop.appearance);
    let mut builder = WebviewWindowBuilder::from_config(app, &config)?;
    let chosen = appearance.as_ref().and_then(|a| match a.theme {
        Theme::Dark => Some(true),
        Theme::Light => Some(false),
        Theme::System => None,
    });
    if let Some(dark) = chosen {
        builder = builder.background_color(background(dark));
    }
    if let Some(script) = appearance.and_then(first_look) {
        builder = builder.initialization_script(script);
    }
    let window = with_ui_font(builder, app).build()?;
    if chosen.is_none() {
        // The system's scheme, as far as the toolkit says (the page follows the same one).
        let dark = window.theme().is_ok_and(|t| t == tauri::Theme::Dark);
        let _ = window.set_background_color(Some(background(dark)));
    }
    super::trim::after_window_built(app);
    Ok(window)
}

/// The page's background (`--bg` in `ui/src/app.css`) for a dark or light scheme.
fn background(dark: bool) -> tauri::window::Color {
    if dark {
        tauri::window::Color(0x1c, 0x1c, 0x1e, 0xff)
    } else {
        tauri::window::Color(0xff, 0xff, 0xff, 0xff)
    }
}

/// A script run before the page's own: the root's `data-theme` (when the settings choose one)
/// and `data-accent`, which `app.css` turns into colours (`appearance.svelte.ts` keeps them
/// until the snapshot arrives, then follows the settings).
fn first_look(appearance: Appearance) -> Option<String> {
    let accent = serde_json::to_value(appearance.accent).ok()?;
    let accent = accent.as_str()?;
    let theme = match appearance.theme {
        Theme::Dark => "document.documentElement.dataset.theme = 'dark';",
        Theme::Light => "document.documentElement.dataset.theme = 'light';",
        Theme::System => "",
    };
    Some(format!(
        "{theme}document.documentElement.dataset.accent = {accent:?};"
    ))
}

/// An app window's builder with the script that names the desktop's font to its page
/// (`ui_font.rs`), when start-up found one.
fn with_ui_font<'a, R: Runtime>(
    builder: WebviewWindowBuilder<'a, R, AppHandle<R>>,
    app: &AppHandle<R>,
) -> WebviewWindowBuilder<'a, R, AppHandle<R>> {
    match app
        .try_state::<super::ui_font::UiFont>()
        .and_then(|font| font.script())
    {
        Some(script) => builder.initialization_script(script),
        None => builder,
    }
}

/// The player's settings, asked from wherever the window is built: the main thread, a thread
/// of our own, or (through a command) a worker of the async runtime, where blocking is allowed
/// only through `block_in_place`.
fn settings_now(player: &lyrebird_core::PlayerHandle) -> Option<Settings> {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| handle.block_on(player.settings())).ok()
        }
        Ok(_) => None,
        Err(_) => tauri::async_runtime::block_on(player.settings()).ok(),
    }
}

/// Open the mini player (or bring it to the front): a small borderless window, on top of
/// others if the user wants that.
pub fn show_mini<R: Runtime>(app: &AppHandle<R>, always_on_top: bool) {
    if let Some(window) = app.get_webview_window(MINI) {
        let _ = window.set_always_on_top(always_on_top);
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    let mini = WebviewWindowBuilder::new(app, MINI, WebviewUrl::App("index.html#mini".into()));
    let built = with_ui_font(mini, app)
        .title("Lyrebird mini player")
        .inner_size(400.0, 96.0)
        .resizable(false)
        .decorations(false)
        .always_on_top(always_on_top)
        .skip_taskbar(true)
        .build();
    if let Err(e) = built {
        tracing::error!(error = %e, "the mini player could not be built");
    }
}

/// Show or remove the desktop lyrics: a transparent strip above the other windows, through
/// which clicks pass when the user wants that.
pub fn set_desktop_lyrics<R: Runtime>(app: &AppHandle<R>, on: bool, click_through: bool) {
    let existing = app.get_webview_window(LYRICS);
    match (on, existing) {
        (false, Some(window)) => {
            let _ = window.destroy();
        }
        (true, Some(window)) => {
            let _ = window.set_ignore_cursor_events(click_through);
        }
        (true, None) => {
            let lyrics =
                WebviewWindowBuilder::new(app, LYRICS, WebviewUrl::App("index.html#lyrics".into()));
            let built = with_ui_font(lyrics, app)
                .title("Lyrebird lyrics")
                .inner_size(900.0, 120.0)
                .decorations(false)
                .transparent(true)
                .always_on_top(true)
                .skip_taskbar(true)
                .resizable(true)
                .build();
            match built {
                Ok(window) => {
                    let _ = window.set_ignore_cursor_events(click_through);
                }
                Err(e) => tracing::error!(error = %e, "the desktop lyrics could not be built"),
            }
        }
        (false, None) => {}
    }
}

/// Close one of the extra windows.
/// Shows `page` (NetEase's verification page, already checked to be NetEase's) in the
/// verification window: a window of its own, with no capability (no IPC), made if need be.
pub fn show_netease_verify<R: Runtime>(app: &AppHandle<R>, page: tauri::Url) {
    if let Some(window) = app.get_webview_window(NETEASE_VERIFY) {
        if let Err(e) = window.navigate(page) {
            tracing::warn!(error = %e, "the verification window did not open the page");
        }
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    let built = WebviewWindowBuilder::new(app, NETEASE_VERIFY, WebviewUrl::External(page))
        .title("NetEase verification")
        .inner_size(480.0, 720.0)
        .build();
    if let Err(e) = built {
        tracing::warn!(error = %e, "the verification window could not be made");
    }
}

/// Opens NetEase's login `page` in a window with no capability and waits until the cookie store
/// holds a `MUSIC_U` for the page's site: that cookie, and the window closed. `None` when the
/// user closed the window, it could not be made, or 15 minutes went by. The cookie is never
/// logged, and the site's cookies are deleted from the webviews' store before the page opens
/// and once it is done, so no login outlives its window (the session is the secret store's).
/// The window shares the app's web context (`WebKitGTK` automates one context only; a private one
/// could not be tested), but the cookies are the NetEase site's, which the app's own pages never
/// see.
pub async fn netease_login<R: Runtime>(app: &AppHandle<R>, page: tauri::Url) -> Option<String> {
    close(app, NETEASE_LOGIN);
    // Blank until the site's cookies are gone, so no request of it carries an earlier login.
    let blank = tauri::Url::parse("about:blank").ok()?;
    let window = WebviewWindowBuilder::new(app, NETEASE_LOGIN, WebviewUrl::External(blank))
        .title("NetEase login")
        .inner_size(480.0, 720.0)
        .build()
        .inspect_err(|e| tracing::warn!(error = %e, "the login window could not be made"))
        .ok()?;
    forget_cookies(&window, &page);
    if let Err(e) = window.navigate(page.clone()) {
        tracing::warn!(error = %e, "the login window did not open the page");
    }
    let started = std::time::Instant::now();
    while started.elapsed() < LOGIN_PATIENCE {
        tokio::time::sleep(LOGIN_POLL).await;
        // Gone: closed by the user (or by a later login, which made a window of its own).
        if app.get_webview_window(NETEASE_LOGIN).is_none() || window.is_visible().is_err() {
            return None;
        }
        let found = window
            .cookies_for_url(page.clone())
            .ok()
            .and_then(|cookies| {
                cookies
                    .into_iter()
                    .find(|c| c.name() == "MUSIC_U" && !c.value().is_empty())
                    .map(|c| c.value().to_owned())
            });
        if found.is_some() {
            forget_cookies(&window, &page);
            let _ = window.close();
            return found;
        }
    }
    forget_cookies(&window, &page);
    let _ = window.close();
    None
}

/// Deletes the cookies the store holds for `page`'s site.
fn forget_cookies<R: Runtime>(window: &WebviewWindow<R>, page: &tauri::Url) {
    for cookie in window.cookies_for_url(page.clone()).unwrap_or_default() {
        if let Err(e) = window.delete_cookie(cookie) {
            tracing::warn!(error = %e, "a NetEase cookie was not deleted");
        }
    }
}

pub fn close<R: Runtime>(app: &AppHandle<R>, label: &str) {
    if let Some(window) = app.get_webview_window(label) {
        let _ = window.destroy();
    }
}
