//! What `WebKitGTK`'s web processes inherit from this process: environment variables that
//! `WebKit` reads as a web process starts. Set first thing in `run`, before any thread exists;
//! a variable the user set themselves is left as it is.
//!
//! **Drawing without a GPU** (`WEBKIT_DISABLE_COMPOSITING_MODE=1`). `WebKitGTK` composites
//! every frame through OpenGL by default; with no GPU to do it (a machine or VM without a
//! render node, where Mesa's llvmpipe draws in software) that costs more than everything else
//! Lyrebird does while playing: with the window shown, 14 % of a core in the web process
//! against 1.9 % with compositing off (`tests/bench/window.sh`, `docs/benchmarks.md`). So
//! where there is no GPU render node, the web views repaint only what changed. Set in the
//! environment, the web process never makes a GL context (no `libGLESv2`, no llvmpipe
//! threads: 7 MiB less than switching each view's policy as its page loads, as Lyrebird did
//! before). With a GPU `WebKit`'s own policy stays. `LYREBIRD_COMPOSITING=on|off` overrides
//! the guess.
//!
//! Tried and not kept: `JSC_useJIT=false` (`JavaScriptCore`'s interpreter alone) takes another
//! 12 MiB off the shown window, but scrolling the 100 000-row lists then drops frames the JIT
//! keeps (`docs/benchmarks.md`, "The web process's environment").

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

/// Called first thing in `run`, before any thread exists: setting the environment is only
/// sound while no other thread can read it.
#[cfg(target_os = "linux")]
pub fn prepare_environment() {
    const COMPOSITING_OFF: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(COMPOSITING_OFF).is_none() && software_rendering() {
        #[allow(unsafe_code)]
        // SAFETY: called at the start of `run` (the first thing `main` does), before this
        // process starts any thread, so no other thread reads or writes the environment.
        unsafe {
            std::env::set_var(COMPOSITING_OFF, "1");
        }
    }
}

/// Other platforms' web views (`WebView2`, `WKWebView`) do not read these variables and
/// composite on the GPU they have.
#[cfg(not(target_os = "linux"))]
pub fn prepare_environment() {}
