//! [`Cache`]: completely downloaded tracks on disk, evicted least-recently-used first.
//!
//! Layout: one file per entry, named by the SHA-256 of the cache key (64 hex digits), so any key
//! ("subsonic:server1:track42:original") becomes a safe, fixed-length file name. Files being
//! written are named `.tmp-*` and only become entries through an atomic rename, so a final name
//! never holds a partial file; a crash leaves only `.tmp-*` files, which [`Cache::new`] deletes.
//! Files of any other name are left alone.
//!
//! Recency lives in the entries' modification times, not in an index file. The file system is
//! then the only state: there is nothing to write atomically besides the entry itself, nothing to
//! get out of step with the files (a user deleting files by hand, a crash between writing an
//! entry and its index), and nothing to repair at start-up. Within a process, the order is kept
//! exactly by a counter in memory (mtimes of two quick touches may be equal); the mtimes only
//! seed that order at the next start, where being off by a few milliseconds does not matter.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use sha2::{Digest, Sha256};
use tracing::{debug, info, warn};

/// Prefix of files being written (and of stream buffers kept in the cache directory).
pub(crate) const TEMP_PREFIX: &str = ".tmp-";

/// An on-disk LRU cache of complete files. Cheap to clone: clones share one state.
///
/// Methods do blocking file I/O; call them from a blocking context (or accept a short block:
/// `get` is a lookup and a timestamp update).
#[derive(Clone, Debug)]
pub struct Cache {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    dir: PathBuf,
    max_bytes: u64,
    /// The cache's own bookkeeping (sizes and recency of its files), never held across I/O
    /// other than deleting evicted files.
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// By file name.
    entries: HashMap<String, Entry>,
    total: u64,
    /// Logical clock for recency: larger is more recently used.
    clock: u64,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    size: u64,
    last_used: u64,
}

impl Cache {
    /// Opens (creating it if needed) the cache in `dir`, holding at most `max_bytes`.
    ///
    /// Deletes leftover temporary files from an earlier crash, then evicts entries if the
    /// directory holds more than `max_bytes` (the limit may have shrunk).
    pub fn new(dir: PathBuf, max_bytes: u64) -> io::Result<Self> {
        fs::create_dir_all(&dir)?;
        let mut found = Vec::new();
        for item in fs::read_dir(&dir)? {
            let item = item?;
            let name = item.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with(TEMP_PREFIX) {
                debug!(name, "removing leftover temporary file");
                remove_if_present(&item.path())?;
            } else if is_entry_name(name) {
                let meta = item.metadata()?;
                if meta.is_file() {
                    let used = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                    found.push((used, name.to_owned(), meta.len()));
                }
            }
        }
        found.sort();
        let mut state = State::default();
        for (_, name, size) in found {
            state.clock += 1;
            state.total += size;
            let last_used = state.clock;
            state.entries.insert(name, Entry { size, last_used });
        }
        let cache = Self {
            inner: Arc::new(Inner {
                dir,
                max_bytes,
                state: Mutex::new(state),
            }),
        };
        {
            let mut state = cache.lock();
            cache.evict(&mut state, None);
            info!(
                entries = state.entries.len(),
                bytes = state.total,
                max_bytes,
                "cache opened"
            );
        }
        Ok(cache)
    }

    /// The path of the entry for `key`, if cached, and marks it most recently used.
    ///
    /// The file may be evicted later by another insert; open it right away (an open file stays
    /// readable on Unix even when evicted).
    pub fn get(&self, key: &str) -> Option<PathBuf> {
        let name = file_name(key);
        let path = self.inner.dir.join(&name);
        {
            let mut state = self.lock();
            let entry = *state.entries.get(&name)?;
            if !path.is_file() {
                // Deleted behind our back: forget it.
                state.entries.remove(&name);
                state.total -= entry.size;
                return None;
            }
            state.clock += 1;
            let now = state.clock;
            if let Some(entry) = state.entries.get_mut(&name) {
                entry.last_used = now;
            }
        }
        // Persist the recency for the next start; best effort (see the module docs).
        if let Err(error) = touch(&path) {
            debug!(%error, "could not update the cache entry's mtime");
        }
        Some(path)
    }

    /// Copies `from` into the cache under `key` and returns the entry's path.
    ///
    /// The copy goes to a temporary file in the cache directory, is flushed to disk, then renamed
    /// to its final name, so the entry is either absent or complete. Least-recently-used entries
    /// (never the new one) are then deleted until the total is at most `max_bytes`. A file
    /// larger than `max_bytes` is refused with `InvalidInput`.
    pub fn insert_file(&self, key: &str, from: &Path) -> io::Result<PathBuf> {
        self.insert_from(key, File::open(from)?)
    }

    /// [`Cache::insert_file`] from an open file (the stream's buffer may be unlinked by then).
    pub(crate) fn insert_from(&self, key: &str, mut from: File) -> io::Result<PathBuf> {
        let size = from.metadata()?.len();
        if size > self.inner.max_bytes {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "a file of {size} bytes does not fit in a cache of {} bytes",
                    self.inner.max_bytes
                ),
            ));
        }
        let name = file_name(key);
        let path = self.inner.dir.join(&name);

        let mut temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(&self.inner.dir)?;
        let copied = io::copy(&mut (&mut from).take(size), temp.as_file_mut())?;
        if copied != size {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the file shrank while it was copied ({copied} of {size} bytes)"),
            ));
        }
        // Data on disk before the rename makes it visible: after a power cut the entry must not
        // exist with missing contents.
        temp.as_file().sync_all()?;
        temp.persist(&path).map_err(|error| error.error)?;
        if let Err(error) = touch(&path) {
            debug!(%error, "could not set the new cache entry's mtime");
        }

        let mut state = self.lock();
        state.clock += 1;
        let last_used = state.clock;
        if let Some(old) = state
            .entries
            .insert(name.clone(), Entry { size, last_used })
        {
            state.total -= old.size;
        }
        state.total += size;
        self.evict(&mut state, Some(&name));
        debug!(size, total = state.total, "cache entry stored");
        Ok(path)
    }

    /// Bytes held by the cache's entries.
    #[must_use]
    pub fn total_bytes(&self) -> u64 {
        self.lock().total
    }

    /// The cache directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The size limit.
    #[must_use]
    pub fn max_bytes(&self) -> u64 {
        self.inner.max_bytes
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent-enough numbers; keep going.
        self.inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Deletes least-recently-used entries, except `keep`, until the total fits.
    ///
    /// Deletes under the lock so that a concurrent insert of the same key cannot have its fresh
    /// file deleted by an eviction decided on the old one.
    fn evict(&self, state: &mut State, keep: Option<&str>) {
        while state.total > self.inner.max_bytes {
            let victim = state
                .entries
                .iter()
                .filter(|(name, _)| Some(name.as_str()) != keep)
                .min_by_key(|(_, entry)| entry.last_used)
                .map(|(name, entry)| (name.clone(), *entry));
            let Some((name, entry)) = victim else { break };
            state.entries.remove(&name);
            state.total -= entry.size;
            match remove_if_present(&self.inner.dir.join(&name)) {
                Ok(()) => debug!(size = entry.size, "evicted cache entry"),
                // Still on disk (e.g. open elsewhere on Windows): the next `Cache::new` counts it
                // again and retries.
                Err(error) => warn!(%error, "could not delete an evicted cache entry"),
            }
        }
    }
}

/// The entry file name for a key: hex SHA-256, so any key is a safe name of fixed length.
fn file_name(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut name, byte| {
            use std::fmt::Write as _;
            let _ = write!(name, "{byte:02x}");
            name
        })
}

fn is_entry_name(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn touch(path: &Path) -> io::Result<()> {
    File::options()
        .write(true)
        .open(path)?
        .set_modified(SystemTime::now())
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable_hex() {
        let name = file_name("subsonic:server1:track42:original");
        assert!(is_entry_name(&name));
        assert_eq!(name, file_name("subsonic:server1:track42:original"));
        assert_ne!(name, file_name("subsonic:server1:track43:original"));
    }
}
