//! The on-disk LRU cache on its own: atomic inserts, eviction order, crash leftovers, restarts.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lyrebird_stream::Cache;

/// A source file of `len` bytes, all `fill`.
fn source(dir: &Path, name: &str, len: usize, fill: u8) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, vec![fill; len]).unwrap();
    path
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Lets file timestamps differ even on file systems with coarse mtimes.
fn tick() {
    std::thread::sleep(Duration::from_millis(20));
}

#[test]
fn evicts_least_recently_used_first() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = Cache::new(tmp.path().join("cache"), 250).unwrap();
    let a = source(tmp.path(), "a", 100, b'a');
    let b = source(tmp.path(), "b", 100, b'b');
    let c = source(tmp.path(), "c", 100, b'c');

    let a_path = cache.insert_file("key:a", &a).unwrap();
    cache.insert_file("key:b", &b).unwrap();
    assert_eq!(cache.total_bytes(), 200);
    // Using `a` makes `b` the least recently used.
    assert_eq!(cache.get("key:a"), Some(a_path.clone()));
    cache.insert_file("key:c", &c).unwrap();

    assert_eq!(cache.total_bytes(), 200);
    assert!(cache.get("key:b").is_none(), "b was the LRU entry");
    assert_eq!(
        fs::read(cache.get("key:a").unwrap()).unwrap(),
        vec![b'a'; 100]
    );
    assert_eq!(
        fs::read(cache.get("key:c").unwrap()).unwrap(),
        vec![b'c'; 100]
    );
    assert_eq!(names(cache.dir()).len(), 2, "b's file is deleted");
}

#[test]
fn keys_become_safe_file_names() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = Cache::new(tmp.path().join("cache"), 1000).unwrap();
    let a = source(tmp.path(), "a", 10, 1);
    let path = cache
        .insert_file("subsonic:server1/../../etc:track42:original", &a)
        .unwrap();
    assert_eq!(path.parent(), Some(cache.dir()));
    let name = path.file_name().unwrap().to_str().unwrap();
    assert_eq!(name.len(), 64);
    assert!(name.bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn reinserting_a_key_replaces_it() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = Cache::new(tmp.path().join("cache"), 1000).unwrap();
    cache
        .insert_file("k", &source(tmp.path(), "a", 100, 1))
        .unwrap();
    let path = cache
        .insert_file("k", &source(tmp.path(), "b", 30, 2))
        .unwrap();
    assert_eq!(cache.total_bytes(), 30);
    assert_eq!(fs::read(path).unwrap(), vec![2; 30]);
}

#[test]
fn file_larger_than_the_cache_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = Cache::new(tmp.path().join("cache"), 50).unwrap();
    let error = cache
        .insert_file("big", &source(tmp.path(), "big", 100, 1))
        .unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(cache.total_bytes(), 0);
    assert!(names(cache.dir()).is_empty(), "nothing left behind");
}

#[test]
fn restart_removes_crash_leftovers_and_keeps_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cache");
    {
        let cache = Cache::new(dir.clone(), 1000).unwrap();
        cache
            .insert_file("kept", &source(tmp.path(), "a", 100, 7))
            .unwrap();
    }
    // What a crash mid-write leaves: a temporary file, never a partial entry.
    fs::write(dir.join(".tmp-crashed"), [0; 40]).unwrap();
    fs::write(dir.join("notes.txt"), b"not ours").unwrap();

    let cache = Cache::new(dir.clone(), 1000).unwrap();
    assert!(!dir.join(".tmp-crashed").exists());
    assert!(
        dir.join("notes.txt").exists(),
        "unknown files are left alone"
    );
    assert_eq!(cache.total_bytes(), 100);
    assert_eq!(fs::read(cache.get("kept").unwrap()).unwrap(), vec![7; 100]);
}

#[test]
fn recency_survives_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cache");
    {
        let cache = Cache::new(dir.clone(), 250).unwrap();
        cache
            .insert_file("a", &source(tmp.path(), "a", 100, 1))
            .unwrap();
        tick();
        cache
            .insert_file("b", &source(tmp.path(), "b", 100, 2))
            .unwrap();
        tick();
        cache.get("a").unwrap();
    }
    let cache = Cache::new(dir, 250).unwrap();
    cache
        .insert_file("c", &source(tmp.path(), "c", 100, 3))
        .unwrap();
    assert!(cache.get("b").is_none(), "b was least recently used");
    assert!(cache.get("a").is_some());
    assert!(cache.get("c").is_some());
}

#[test]
fn a_smaller_limit_evicts_on_open() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cache");
    {
        let cache = Cache::new(dir.clone(), 1000).unwrap();
        for (i, key) in ["a", "b", "c"].into_iter().enumerate() {
            cache
                .insert_file(key, &source(tmp.path(), key, 100, u8::try_from(i).unwrap()))
                .unwrap();
            tick();
        }
    }
    let cache = Cache::new(dir, 150).unwrap();
    assert_eq!(cache.total_bytes(), 100);
    assert!(cache.get("c").is_some(), "the newest stays");
    assert!(cache.get("a").is_none() && cache.get("b").is_none());
}

#[test]
fn entry_deleted_behind_the_caches_back_is_forgotten() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = Cache::new(tmp.path().join("cache"), 1000).unwrap();
    let path = cache
        .insert_file("k", &source(tmp.path(), "a", 100, 1))
        .unwrap();
    fs::remove_file(path).unwrap();
    assert!(cache.get("k").is_none());
    assert_eq!(cache.total_bytes(), 0);
}
