//! The UI's TypeScript types are generated from Rust and committed; this fails when they drift.

use std::fs;
use std::path::{Path, PathBuf};

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/lib/ipc/bindings")
}

fn listing(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "ts"))
                .map(|p| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    (name, fs::read_to_string(&p).unwrap())
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn typescript_bindings_are_current() {
    let fresh = tempfile::tempdir().unwrap();
    lyrebird_core::bindings::export_all(fresh.path()).unwrap();
    let generated = listing(fresh.path());
    assert!(
        generated.len() > 5,
        "export produced {} files",
        generated.len()
    );

    let committed = committed_dir();
    if std::env::var_os("LYREBIRD_UPDATE_BINDINGS").is_some() {
        let _ = fs::remove_dir_all(&committed);
        fs::create_dir_all(&committed).unwrap();
        for (name, text) in &generated {
            fs::write(committed.join(name), text).unwrap();
        }
    }
    assert!(
        listing(&committed) == generated,
        "ui/src/lib/ipc/bindings is out of date: run \
         LYREBIRD_UPDATE_BINDINGS=1 cargo test -p lyrebird-core --test bindings and commit"
    );
}
