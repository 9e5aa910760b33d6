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
//! **`JavaScriptCore`'s first two tiers only** (`JSC_useDFGJIT=false`). The page's script is
//! small and its hot paths (a list's rows changing text) are short: the interpreter and the
//! baseline JIT run them, and the optimizing compilers (DFG, and FTL above it) cost more memory
//! than they save time — 6 MiB of the shown window's tree, with no frame lost scrolling or
//! typing at 100 000 rows (`docs/benchmarks.md`, "The web process's environment"). Set
//! `JSC_useDFGJIT=true` to have them back. Tried and not kept: `JSC_useJIT=false` (the
//! interpreter alone) takes 12 MiB off, but scrolling the 100 000-row lists then drops frames.

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
    const OPTIMIZING_JIT: &str = "JSC_useDFGJIT";
    if std::env::var_os(COMPOSITING_OFF).is_none() && software_rendering() {
        set_unless_set(COMPOSITING_OFF, "1");
    }
    set_unless_set(OPTIMIZING_JIT, "false");
}

#[cfg(target_os = "linux")]
fn set_unless_set(name: &str, value: &str) {
    if std::env::var_os(name).is_some() {
        return;
    }
    #[allow(unsafe_code)]
    // SAFETY: only called from `prepare_environment`, at the start of `run` (the first thing
    // `main` does), before this process starts any thread, so no other thread reads or writes
    // the environment.
    unsafe {
        std::env::set_var(name, value);
    }
}

/// Other platforms' web views (`WebView2`, `WKWebView`) do not read these variables and
/// composite on the GPU they have.
#[cfg(not(target_os = "linux"))]
pub fn prepare_environment() {}
