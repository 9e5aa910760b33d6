//! Moving the index out of the cache directory.
//!
//! The index holds the user's playlists, which are not a cache: a cache cleaner, or a user
//! emptying `~/.cache`, must not take them. Until this version `library.sqlite` lived in the
//! cache directory; [`move_index`] moves it to the data directory once, at start-up, before
//! anything opens it. The copy is made and checked before the old file is removed, so a failure
//! at any step leaves the old index where it was (it is used this time, and the move is tried
//! again at the next start).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::IndexError;

/// What [`move_index`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moved {
    /// There was nothing to move (no old index, or the new one is already there).
    Nothing,
    /// The old index was copied to the new place and removed.
    Moved,
}

/// Moves the index at `from` (and its `-wal` / `-shm` files) to `to`, unless `to` exists.
///
/// SQLite writes the copy (`VACUUM INTO`, which includes what is still in the write-ahead log)
/// under a temporary name beside `to`; it is checked (`PRAGMA quick_check`), flushed to disk,
/// and renamed to `to`; only then are the old files removed. On error nothing at `from` has
/// been touched and no partial file is left at `to`.
pub fn move_index(from: &Path, to: &Path) -> Result<Moved, IndexError> {
    if from == to || to.exists() || !from.exists() {
        return Ok(Moved::Nothing);
    }
    let file_error = |path: &Path| {
        let path = path.to_owned();
        move |source| IndexError::File { path, source }
    };
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(file_error(dir))?;
    }
    let temp = with_suffix(to, ".moving");
    let _ = std::fs::remove_file(&temp);
    let copied = copy_checked(from, &temp).and_then(|()| {
        std::fs::rename(&temp, to).map_err(file_error(to))?;
        Ok(())
    });
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    // The copy is in place: the old files may go. One that cannot be removed is only a stale
    // cache file now (the new index is the one opened from here on).
    for old in [
        from.to_owned(),
        with_suffix(from, "-wal"),
        with_suffix(from, "-shm"),
    ] {
        match std::fs::remove_file(&old) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                tracing::warn!(error = %e, file = %old.display(), "old library index not removed");
            }
            _ => {}
        }
    }
    tracing::info!(from = %from.display(), to = %to.display(), "library index moved out of the cache directory");
    Ok(Moved::Moved)
}

fn copy_checked(from: &Path, temp: &Path) -> Result<(), IndexError> {
    {
        let old = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        old.execute("VACUUM INTO ?1", [temp.to_string_lossy()])?;
    }
    let copy = Connection::open_with_flags(temp, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let check: String = copy.query_row("PRAGMA quick_check", [], |row| row.get(0))?;
    drop(copy);
    if check != "ok" {
        return Err(IndexError::File {
            path: temp.to_owned(),
            source: std::io::Error::other(format!("the copy fails its check: {check}")),
        });
    }
    std::fs::File::open(temp)
        .and_then(|file| file.sync_all())
        .map_err(|source| IndexError::File {
            path: temp.to_owned(),
            source,
        })
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
