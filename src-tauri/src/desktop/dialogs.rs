//! The OS file and folder choosers, opened from the Rust side: paths never come from the
//! webview (a compromised one could otherwise read or overwrite any file the user can).
//!
//! End-to-end tests cannot drive a native dialog over `WebDriver`. When the app is started with
//! `LYREBIRD_TEST_DIALOG_ANSWERS=<file>`, each dialog instead takes the first line of that file
//! (and removes it): a path, or an empty line for "cancelled". Only whoever starts the process
//! can set it; nothing the webview sends can.

use std::path::PathBuf;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::{DialogExt, FilePath};

const TEST_ANSWERS: &str = "LYREBIRD_TEST_DIALOG_ANSWERS";

/// What a dialog answered.
enum Answer {
    /// Scripted by a test: this path, or `None` for "cancelled".
    Scripted(Option<PathBuf>),
    /// Ask the user.
    Ask,
}

/// The next scripted answer, when the app runs under a test that scripts its dialogs.
fn scripted() -> Answer {
    let Some(file) = std::env::var_os(TEST_ANSWERS) else {
        return Answer::Ask;
    };
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let mut lines = text.lines();
    let answer = lines.next().unwrap_or_default().trim().to_owned();
    let rest: Vec<&str> = lines.collect();
    let _ = std::fs::write(&file, rest.join("\n"));
    Answer::Scripted((!answer.is_empty()).then(|| PathBuf::from(answer)))
}

async fn answer<R: Runtime>(
    app: &AppHandle<R>,
    show: impl FnOnce(
        tauri_plugin_dialog::FileDialogBuilder<R>,
        Box<dyn FnOnce(Option<FilePath>) + Send>,
    ),
) -> Option<PathBuf> {
    if let Answer::Scripted(answer) = scripted() {
        return answer;
    }
    app.try_state::<tauri_plugin_dialog::Dialog<R>>()?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    show(
        app.dialog().file(),
        Box::new(move |file| {
            let _ = tx.send(file.and_then(|f| f.into_path().ok()));
        }),
    );
    rx.await.ok().flatten()
}

/// The OS folder chooser. `None` when the user closes it (or there is no dialog plugin).
pub async fn pick_folder<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    answer(app, tauri_plugin_dialog::FileDialogBuilder::pick_folder).await
}

/// The OS chooser for a playlist file: open one (`save_as: None`) or save as (suggesting
/// `<name>.m3u8`). `None` when the user closes it (or there is no dialog plugin).
pub async fn choose_playlist<R: Runtime>(
    app: &AppHandle<R>,
    save_as: Option<String>,
) -> Option<PathBuf> {
    answer(app, |dialog, done| {
        let dialog = dialog.add_filter("M3U8", &["m3u8", "m3u"]);
        match save_as {
            Some(name) => dialog
                .set_file_name(format!("{}.m3u8", name.replace(['/', '\\'], "_")))
                .save_file(done),
            None => dialog.pick_file(done),
        }
    })
    .await
}
