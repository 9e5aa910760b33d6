//! The main window's life: built from its configuration when shown, destroyed when closed to
//! the tray. The web UI holds no state of its own (it renders the actor's snapshot and events,
//! and restores its view and scroll from the snapshot), so destroying the window loses nothing
//! and gives back the web view's memory — most of a `WebKitGTK` window's ~270 MB.

use tauri::{AppHandle, Manager, Runtime, WebviewWindow, WebviewWindowBuilder};

pub const MAIN: &str = "main";

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
/// that starting in the tray builds none).
pub fn build_main<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    WebviewWindowBuilder::from_config(app, &config)?.build()
}
