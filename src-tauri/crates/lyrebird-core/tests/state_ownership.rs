//! "Only the actor writes": a lint over the whole Rust tree (the shell and every crate).
//!
//! Player, session, settings and registry state live in the actor (`lyrebird-core/src/actor*`)
//! and nowhere else, so no other code may hold it behind a lock: go-musicfox crashed because
//! parallel lookups wrote one shared map. This test lists every `Mutex`, `RwLock`, `OnceLock`,
//! `OnceCell`, `LazyLock` and `DashMap` outside test code and fails on any that is not one of
//! the low-level ones below — each of which guards bytes or a thread hand-off, not player
//! state (the same list, with reasons, is in `docs/architecture.md`, "Locks"). It also fails
//! when a listed one is gone, so the list stays true.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Lock kinds looked for, as types (`Mutex<…>`) or paths (`Mutex::new`).
const KINDS: [&str; 6] = [
    "Mutex", "RwLock", "OnceLock", "OnceCell", "LazyLock", "DashMap",
];

/// (file under `src-tauri/`, lock kind) → why it is not player state.
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "crates/lyrebird-core/src/log_limit.rs",
        "Mutex",
        "one warning call site's rate-limit counters (log lines, not player state)",
    ),
    (
        "crates/lyrebird-audio/src/output.rs",
        "Mutex",
        "the audio slot shared with the device callback (samples, not player state)",
    ),
    (
        "crates/lyrebird-audio/src/opus.rs",
        "OnceLock",
        "the codec table, built once and never changed",
    ),
    (
        "crates/lyrebird-desktop/src/media.rs",
        "Mutex",
        "macOS: the OS media controls object, created and used only on the main thread (the \
         cell passes it between the closures queued there)",
    ),
    (
        "crates/lyrebird-core/src/matching/simplified.rs",
        "OnceLock",
        "the traditional → simplified character table, built once and never changed",
    ),
    (
        "crates/lyrebird-library/src/index/rows.rs",
        "Mutex",
        "the scan pipeline's hand-off of the walk to the first reader thread",
    ),
    (
        "crates/lyrebird-stream/src/buffer.rs",
        "Mutex",
        "the stream buffer between the download task and the decoder's blocking reads",
    ),
    (
        "crates/lyrebird-stream/src/cache.rs",
        "Mutex",
        "the on-disk audio cache's index, shared by concurrent downloads",
    ),
    (
        "crates/lyrebird-stream/src/source.rs",
        "Mutex",
        "one stream's URL and connection episode, shared by its download task and reader",
    ),
    (
        "crates/lyrebird-stream/src/source.rs",
        "OnceLock",
        "one stream's length and final error, set once",
    ),
    (
        "crates/lyrebird-subsonic/src/client.rs",
        "OnceCell",
        "one client's authentication, negotiated once and then read only",
    ),
    (
        "crates/lyrebird-library/src/cover_cache.rs",
        "LazyLock",
        "a semaphore that bounds how many thumbnails are made at once",
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            // Test code, examples, benchmarks, fuzz targets and patched third-party code are
            // not the app.
            if !matches!(
                name.as_ref(),
                "tests" | "examples" | "benches" | "fuzz" | "vendor" | "target" | "gen"
            ) {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The file's text without its `#[cfg(test)]` module (by convention, the file's end) and
/// without comments.
fn app_code(text: &str) -> String {
    let end = text.find("\n#[cfg(test)]").unwrap_or(text.len());
    text[..end]
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn uses(code: &str, kind: &str) -> bool {
    code.match_indices(kind).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + kind.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && matches!(after, Some('<' | ':' | ',' | '}' | ';'))
    })
}

#[test]
fn no_lock_holds_player_or_registry_state_outside_the_actor() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(
        files.len() > 50,
        "the tree was not found at {}",
        root.display()
    );

    let mut found: BTreeSet<(String, &str)> = BTreeSet::new();
    for file in &files {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let code = app_code(&std::fs::read_to_string(file).unwrap());
        for kind in KINDS {
            if uses(&code, kind) {
                found.insert((relative.clone(), kind));
            }
        }
    }

    let allowed: Vec<(String, &str)> = ALLOWED
        .iter()
        .map(|(file, kind, _)| ((*file).to_owned(), *kind))
        .collect();
    let unexpected: Vec<_> = found.iter().filter(|k| !allowed.contains(k)).collect();
    assert!(
        unexpected.is_empty(),
        "locks outside the actor hold state only the actor may write (send it a message \
         instead, or, for a low-level lock that guards no player state, list it here and in \
         docs/architecture.md with why): {unexpected:?}"
    );
    let gone: Vec<_> = allowed.iter().filter(|k| !found.contains(*k)).collect();
    assert!(gone.is_empty(), "listed but no longer there: {gone:?}");
}

#[test]
fn the_lint_sees_what_it_looks_for() {
    assert!(uses("clients: Mutex<HashMap<String, C>>", "Mutex"));
    assert!(uses(
        "static P: std::sync::OnceLock<PlayerHandle>",
        "OnceLock"
    ));
    assert!(uses("let m = Mutex::new(0);", "Mutex"));
    assert!(!uses("let guard = mutex_like(0); // Mutex", "Mutex"));
    assert!(!uses("struct MyMutexes;", "Mutex"));
    let code =
        app_code("use x;\n// a Mutex<T> here\nfn f() {}\n#[cfg(test)]\nmod tests { Mutex<u8> }");
    assert!(!uses(&code, "Mutex"));
}
