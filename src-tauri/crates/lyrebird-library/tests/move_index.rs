//! The one-time move of the index (and so the user's playlists) out of the cache directory:
//! copied with what was still in the write-ahead log, old files removed only after the copy is
//! in place, and nothing lost when the copy fails.

use std::path::Path;

use lyrebird_library::index::{Index, Moved, move_index};

fn playlist_names(db: &Path) -> Vec<String> {
    Index::open(db)
        .unwrap()
        .playlists()
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect()
}

/// An index at `db` holding a playlist, left as a killed app leaves it: the connection never
/// closed, so the playlist may be only in the `-wal` file.
fn index_with_a_playlist(db: &Path) {
    let mut index = Index::open(db).unwrap();
    index.create_playlist("Road trip").unwrap();
    std::mem::forget(index);
}

#[test]
fn playlists_move_from_the_cache_dir_to_the_data_dir_once() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("cache").join("library.sqlite");
    let new = dir.path().join("data").join("library.sqlite");
    index_with_a_playlist(&old);

    assert_eq!(move_index(&old, &new).unwrap(), Moved::Moved);
    for gone in ["library.sqlite", "library.sqlite-wal", "library.sqlite-shm"] {
        assert!(
            !dir.path().join("cache").join(gone).exists(),
            "{gone} left in the cache"
        );
    }
    assert!(!dir.path().join("data/library.sqlite.moving").exists());
    assert_eq!(playlist_names(&new), ["Road trip"]);

    // Done once: a later start (or an old index that came back) changes nothing.
    index_with_a_playlist(&old);
    assert_eq!(move_index(&old, &new).unwrap(), Moved::Nothing);
    assert_eq!(playlist_names(&new), ["Road trip"]);
    assert!(
        old.exists(),
        "the new index is never replaced, the old never deleted"
    );
    // Nothing to move at all.
    let fresh = tempfile::tempdir().unwrap();
    assert_eq!(
        move_index(&fresh.path().join("a"), &fresh.path().join("b")).unwrap(),
        Moved::Nothing
    );
}

#[test]
fn a_failed_move_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("cache").join("library.sqlite");
    index_with_a_playlist(&old);

    // The data directory cannot be made (a file is in the way).
    std::fs::write(dir.path().join("data"), b"not a folder").unwrap();
    let blocked = dir.path().join("data").join("library.sqlite");
    assert!(move_index(&old, &blocked).is_err());

    // The copy cannot be written (its temporary name is taken by a folder).
    let new = dir.path().join("data2").join("library.sqlite");
    std::fs::create_dir_all(dir.path().join("data2/library.sqlite.moving")).unwrap();
    assert!(move_index(&old, &new).is_err());
    assert!(!new.exists(), "no partial index in the new place");

    // The old index is intact and still has the playlist.
    assert_eq!(playlist_names(&old), ["Road trip"]);
}
