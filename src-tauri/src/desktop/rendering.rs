//! How the web views draw. `WebKitGTK` composites every frame through OpenGL by default; with no
//! GPU to do it (a machine or VM without a render node, where Mesa's llvmpipe draws in
//! software) that costs more than everything else Lyrebird does while playing: with the window
//! shown, 14 % of a core in the web process against 1.9 % with compositing off, and 73 MiB more
//! memory (`tests/bench/window.sh`, `docs/benchmarks.md`). So where there is no GPU render
//! node, the web views draw without compositing (only what changed is repainted). With a GPU
//! `WebKit`'s own policy stays. `LYREBIRD_COMPOSITING=on|off` overrides the guess.

/// Whether this machine should draw web views without GPU compositing.
#[cfg(target_os = "linux")]
fn software_rendering() -> bool {
    match std::env::var("LYREBIRD_COMPOSITING").as_deref() {
        Ok("on") => return false,
        Ok("off") => return true,
        _ => {}
    }
    let has_render_node = std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    });
    !has_render_node
}

/// Applied to every web view as its page starts loading (the main window, also when it is
/// rebuilt from the tray, the mini player, the desktop lyrics).
#[cfg(target_os = "linux")]
pub fn on_page_load(
    webview: &tauri::Webview<tauri::Wry>,
    payload: &tauri::webview::PageLoadPayload<'_>,
) {
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
    // Asked at each page load (a few a session; a folder listing): nothing to keep.
    if payload.event() != tauri::webview::PageLoadEvent::Started || !software_rendering() {
        return;
    }
    let set = webview.with_webview(|platform| {
        if let Some(settings) = WebViewExt::settings(&platform.inner())
            && settings.hardware_acceleration_policy() != HardwareAccelerationPolicy::Never
        {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
    if let Err(e) = set {
        tracing::warn!(error = %e, "cannot set the web view's drawing policy");
    }
}

/// Elsewhere the system's web view decides.
#[cfg(not(target_os = "linux"))]
pub fn on_page_load(_: &tauri::Webview<tauri::Wry>, _: &tauri::webview::PageLoadPayload<'_>) {}
