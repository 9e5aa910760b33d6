//! What the shell's integration tests share: the real app on Tauri's mock runtime, a window,
//! and calling a command as its webview would.

#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};

use lyrebird_lib::{LaunchOptions, build_app, start};
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

/// The demo files in `resources/demo`.
pub const DEMO_FILES: [&str; 2] = ["01-a4.flac", "02-c-sharp5.mp3"];

pub fn demo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("resources/demo")
}

/// Launch options for a test: its own config and cache folders under `config`, no desktop
/// integration, no demo library.
pub fn options(config: &Path, library_dirs: Option<Vec<PathBuf>>) -> LaunchOptions {
    LaunchOptions {
        config_dir: Some(config.to_owned()),
        library_dirs,
        include_demo: false,
        open: Vec::new(),
        cache_dir: Some(config.join("cache")),
        cache_mb: None,
        desktop: false,
    }
}

/// The real app (actor, library, sources) on the mock runtime.
pub fn started_app(options: LaunchOptions) -> App<MockRuntime> {
    let mut app = build_app(mock_builder())
        .build(tauri::generate_context!())
        .unwrap();
    start(&mut app, options).unwrap();
    app
}

pub fn window(app: &App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, label, WebviewUrl::default())
        .build()
        .unwrap()
}

/// Calls `cmd` as the window's webview would; the answer, or the error it would see.
pub fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: tauri::http::HeaderMap::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize::<Value>().unwrap_or(Value::Null))
}

/// A number field of this process's `/proc/self/status` (`VmRSS:` in KiB, `Threads:`).
pub fn status_field(name: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /proc/self/status"))
}
