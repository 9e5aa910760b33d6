//! Playlists in the index: lists of files by path, in an order the user sets.
//!
//! Items name files by path rather than by track row, so a rescan (which may drop and re-add
//! rows) never touches them, and a file that is gone stays in its playlist, shown as missing,
//! until it is back. Positions are renumbered 0.. on every edit, in one transaction.

use std::path::{Path, PathBuf};

use lyrebird_core::model::{SourceKind, Track, TrackId};
use lyrebird_core::playlists::{
    PlaylistImport, PlaylistItemView, PlaylistSummary, PlaylistView, UnmatchedLine,
};
use rusqlite::{OptionalExtension, Transaction, params};

use super::{Index, IndexError, path_bytes, path_from_bytes, row_to_track};
use crate::m3u;

/// An item as stored, with the indexed track of its path if there is one.
struct Item {
    id: i64,
    path: PathBuf,
    title: Option<String>,
    indexed: Option<Track>,
}

impl Item {
    /// The indexed track, else (a file outside the library) its tags read from disk; `None`
    /// when the file is missing.
    fn track(&self) -> Option<Track> {
        self.indexed.clone().or_else(|| {
            self.path
                .is_file()
                .then(|| crate::read_track(&self.path, SourceKind::Local))
        })
    }

    /// What it is called while missing: the title it was added with, else its file name.
    fn label(&self) -> String {
        self.title.clone().unwrap_or_else(|| {
            self.path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
    }
}

impl Index {
    /// Every playlist, by name (case-insensitively), with how many items each has.
    pub fn playlists(&self) -> Result<Vec<PlaylistSummary>, IndexError> {
        let mut statement = self.conn.prepare(
            "SELECT p.id, p.name, \
             (SELECT count(*) FROM playlist_items i WHERE i.playlist_id = p.id) \
             FROM playlists p ORDER BY p.name COLLATE NOCASE, p.id",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(PlaylistSummary {
                id: r.get(0)?,
                name: r.get(1)?,
                item_count: u32::try_from(r.get::<_, i64>(2)?).unwrap_or(u32::MAX),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One playlist's summary.
    pub fn playlist_summary(&self, id: i64) -> Result<PlaylistSummary, IndexError> {
        self.conn
            .query_row(
                "SELECT p.id, p.name, \
                 (SELECT count(*) FROM playlist_items i WHERE i.playlist_id = p.id) \
                 FROM playlists p WHERE p.id = ?1",
                [id],
                |r| {
                    Ok(PlaylistSummary {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        item_count: u32::try_from(r.get::<_, i64>(2)?).unwrap_or(u32::MAX),
                    })
                },
            )
            .optional()?
            .ok_or(IndexError::NoSuchPlaylist(id))
    }

    /// A new, empty playlist. Names need not be unique; blank ones are refused.
    pub fn create_playlist(&mut self, name: &str) -> Result<PlaylistSummary, IndexError> {
        let name = clean_name(name)?;
        self.conn.execute(
            "INSERT INTO playlists (name, created_at) VALUES (?1, ?2)",
            params![name, now()],
        )?;
        Ok(PlaylistSummary {
            id: self.conn.last_insert_rowid(),
            name,
            item_count: 0,
        })
    }

    pub fn rename_playlist(&mut self, id: i64, name: &str) -> Result<(), IndexError> {
        let name = clean_name(name)?;
        let changed = self.conn.execute(
            "UPDATE playlists SET name = ?1 WHERE id = ?2",
            params![name, id],
        )?;
        if changed == 0 {
            return Err(IndexError::NoSuchPlaylist(id));
        }
        Ok(())
    }

    pub fn delete_playlist(&mut self, id: i64) -> Result<(), IndexError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM playlist_items WHERE playlist_id = ?1", [id])?;
        if tx.execute("DELETE FROM playlists WHERE id = ?1", [id])? == 0 {
            return Err(IndexError::NoSuchPlaylist(id));
        }
        tx.commit()?;
        Ok(())
    }

    /// Add files (with a title to show while they are missing) at index `at` of the playlist
    /// (`None`, or past the end: at the end). Returns the new items' ids.
    pub fn add_paths_to_playlist(
        &mut self,
        id: i64,
        files: &[(PathBuf, Option<String>)],
        at: Option<usize>,
    ) -> Result<Vec<i64>, IndexError> {
        let tx = self.conn.transaction()?;
        let mut order = item_order(&tx, id)?;
        let at = at.map_or(order.len(), |at| at.min(order.len()));
        let mut added = Vec::with_capacity(files.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO playlist_items (playlist_id, position, path, title) \
                 VALUES (?1, -1, ?2, ?3)",
            )?;
            let mut label =
                tx.prepare_cached("SELECT title, artists FROM tracks WHERE path = ?1")?;
            for (path, title) in files {
                let path = path_bytes(path);
                // Named as the library knows it, for when the file goes missing.
                let title = match title {
                    Some(title) => Some(title.clone()),
                    None => label
                        .query_row([&path], |r| {
                            let title: String = r.get(0)?;
                            let artists: String = r.get(1)?;
                            Ok(artist_title(&title, &artists))
                        })
                        .optional()?,
                };
                insert.execute(params![id, path, title])?;
                added.push(tx.last_insert_rowid());
            }
        }
        order.splice(at..at, added.iter().copied());
        renumber(&tx, &order, at)?;
        tx.commit()?;
        Ok(added)
    }

    /// Add library tracks (by id) at index `at` (`None`: at the end).
    pub fn add_tracks_to_playlist(
        &mut self,
        id: i64,
        tracks: &[TrackId],
        at: Option<usize>,
    ) -> Result<Vec<i64>, IndexError> {
        let mut files = Vec::with_capacity(tracks.len());
        {
            let mut find = self
                .conn
                .prepare_cached("SELECT path FROM tracks WHERE id = ?1")?;
            for track in tracks {
                let path = find
                    .query_row([&track.0], |r| r.get::<_, Vec<u8>>(0))
                    .optional()?
                    .ok_or_else(|| IndexError::UnknownTrack(track.0.clone()))?;
                files.push((path_from_bytes(&path), None));
            }
        }
        self.add_paths_to_playlist(id, &files, at)
    }

    /// Take items out (ids not in the playlist are ignored).
    pub fn remove_from_playlist(&mut self, id: i64, items: &[i64]) -> Result<(), IndexError> {
        let tx = self.conn.transaction()?;
        let mut order = item_order(&tx, id)?;
        {
            let mut delete =
                tx.prepare_cached("DELETE FROM playlist_items WHERE id = ?1 AND playlist_id = ?2")?;
            for item in items {
                delete.execute([item, &id])?;
            }
        }
        let first = order
            .iter()
            .position(|i| items.contains(i))
            .unwrap_or(order.len());
        order.retain(|i| !items.contains(i));
        renumber(&tx, &order, first)?;
        tx.commit()?;
        Ok(())
    }

    /// Move one item so that it ends up at index `to` (clamped to the end).
    pub fn move_in_playlist(&mut self, id: i64, item: i64, to: usize) -> Result<(), IndexError> {
        let tx = self.conn.transaction()?;
        let mut order = item_order(&tx, id)?;
        let from = order
            .iter()
            .position(|&i| i == item)
            .ok_or(IndexError::NoSuchPlaylistItem { playlist: id, item })?;
        order.remove(from);
        let to = to.min(order.len());
        order.insert(to, item);
        renumber(&tx, &order, from.min(to))?;
        tx.commit()?;
        Ok(())
    }

    /// A playlist with its items in order. An item whose file is indexed carries the library
    /// track; a file outside the library that exists is read from disk; a missing one has no
    /// track.
    pub fn playlist(&self, id: i64) -> Result<PlaylistView, IndexError> {
        let summary = self.playlist_summary(id)?;
        let items = self
            .items(id)?
            .into_iter()
            .map(|item| {
                let track = item.track();
                let title = item.label();
                PlaylistItemView {
                    item_id: item.id,
                    path: item.path.display().to_string(),
                    title,
                    track,
                }
            })
            .collect();
        Ok(PlaylistView {
            id,
            name: summary.name,
            items,
        })
    }

    /// Import an M3U / M3U8 file as a new playlist (named by its `#PLAYLIST:` line, else its
    /// file name). Lines that name no file are reported, not added.
    pub fn import_m3u(&mut self, file: &Path) -> Result<PlaylistImport, IndexError> {
        let file = std::path::absolute(file).unwrap_or_else(|_| file.to_owned());
        let bytes = read_playlist_file(&file).map_err(|source| IndexError::File {
            path: file.clone(),
            source,
        })?;
        let base = file.parent().unwrap_or_else(|| Path::new("/"));
        let parsed = m3u::parse(&m3u::decode(&bytes), base);
        let mut unmatched: Vec<UnmatchedLine> = parsed
            .skipped
            .into_iter()
            .map(|s| UnmatchedLine {
                line: u32::try_from(s.line).unwrap_or(u32::MAX),
                text: s.text,
            })
            .collect();
        let mut files = Vec::new();
        for entry in parsed.entries {
            if entry.path.is_file() {
                files.push((entry.path, entry.title));
            } else {
                unmatched.push(UnmatchedLine {
                    line: u32::try_from(entry.line).unwrap_or(u32::MAX),
                    text: entry.text,
                });
            }
        }
        unmatched.sort_by_key(|u| u.line);
        let name = parsed
            .name
            .or_else(|| {
                file.file_stem()
                    .map(|s| s.to_string_lossy().trim().to_owned())
                    .filter(|s| !s.is_empty())
            })
            .unwrap_or_else(|| "Playlist".to_owned());
        let created = self.create_playlist(&name)?;
        self.add_paths_to_playlist(created.id, &files, None)?;
        Ok(PlaylistImport {
            playlist: self.playlist_summary(created.id)?,
            unmatched,
        })
    }

    /// Write a playlist to `file` as UTF-8 M3U8, paths relative to the file's folder or
    /// absolute. Missing files are written too (with the title they were listed with).
    pub fn export_m3u(
        &self,
        id: i64,
        file: &Path,
        style: m3u::PathStyle,
    ) -> Result<(), IndexError> {
        self.playlist_summary(id)?;
        let file = std::path::absolute(file).unwrap_or_else(|_| file.to_owned());
        let items: Vec<(Item, Option<Track>, String)> = self
            .items(id)?
            .into_iter()
            .map(|mut item| {
                let track = item.indexed.take().or_else(|| item.track());
                let label = item.label();
                (item, track, label)
            })
            .collect();
        let none = Vec::new();
        let export: Vec<m3u::ExportItem<'_>> = items
            .iter()
            .map(|(item, track, label)| match track {
                Some(track) => m3u::ExportItem {
                    path: &item.path,
                    duration_ms: track.duration_ms,
                    artists: &track.artists,
                    title: &track.title,
                },
                None => m3u::ExportItem {
                    path: &item.path,
                    duration_ms: None,
                    artists: &none,
                    title: label,
                },
            })
            .collect();
        let text = m3u::write(&export, &file, style);
        // Written beside it, then renamed over it: a failed write leaves the old file whole.
        lyrebird_core::settings::write_atomically(&file, text.as_bytes()).map_err(|source| {
            IndexError::File {
                path: file.clone(),
                source,
            }
        })
    }

    fn items(&self, id: i64) -> Result<Vec<Item>, IndexError> {
        let mut statement = self.conn.prepare(
            "SELECT t.id, i.path, t.source, t.title, t.artists, t.album, t.track_number, \
             t.duration_ms, t.has_cover, t.replay_gain, t.year, t.genre, t.codec, \
             t.sample_rate, t.bit_depth, t.bitrate, t.channels, i.id, i.title \
             FROM playlist_items i LEFT JOIN tracks t ON t.path = i.path \
             WHERE i.playlist_id = ?1 ORDER BY i.position, i.id",
        )?;
        let rows = statement.query_map([id], |r| {
            let indexed = match r.get::<_, Option<String>>(0)? {
                Some(_) => Some(row_to_track(r)?),
                None => None,
            };
            Ok(Item {
                id: r.get(17)?,
                path: path_from_bytes(&r.get::<_, Vec<u8>>(1)?),
                title: r.get(18)?,
                indexed,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// `Artist, Other - Title` (just the title without artists).
fn artist_title(title: &str, artists_json: &str) -> String {
    let artists: Vec<String> = serde_json::from_str(artists_json).unwrap_or_default();
    if artists.is_empty() {
        title.to_owned()
    } else {
        format!("{} - {title}", artists.join(", "))
    }
}

fn clean_name(name: &str) -> Result<String, IndexError> {
    let name: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let name = name.trim();
    if name.is_empty() {
        return Err(IndexError::EmptyName);
    }
    Ok(name.to_owned())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// The playlist's item ids in order (`NoSuchPlaylist` if there is none).
fn item_order(tx: &Transaction<'_>, id: i64) -> Result<Vec<i64>, IndexError> {
    let exists: Option<i64> = tx
        .query_row("SELECT id FROM playlists WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    if exists.is_none() {
        return Err(IndexError::NoSuchPlaylist(id));
    }
    let mut statement = tx.prepare_cached(
        "SELECT id FROM playlist_items WHERE playlist_id = ?1 ORDER BY position, id",
    )?;
    let rows = statement.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Store positions `from..` of `order`.
fn renumber(tx: &Transaction<'_>, order: &[i64], from: usize) -> Result<(), IndexError> {
    let mut update = tx.prepare_cached("UPDATE playlist_items SET position = ?1 WHERE id = ?2")?;
    for (position, item) in order.iter().enumerate().skip(from) {
        update.execute(params![i64::try_from(position).unwrap_or(i64::MAX), item])?;
    }
    Ok(())
}

/// The largest playlist file read (a 100 000-line M3U8 is a few MiB).
pub const MAX_PLAYLIST_FILE: u64 = 16 << 20;

/// A playlist file's bytes: a regular file only (not a FIFO, a device like `/dev/zero` or a
/// folder, which would hang or exhaust the library thread), and at most
/// [`MAX_PLAYLIST_FILE`] bytes of it.
fn read_playlist_file(file: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let invalid = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, what);
    // Looked at before it is opened: opening a FIFO waits for a writer.
    let meta = std::fs::metadata(file)?;
    if !meta.is_file() {
        return Err(invalid("not a playlist file"));
    }
    if meta.len() > MAX_PLAYLIST_FILE {
        return Err(invalid("too large for a playlist (over 16 MiB)"));
    }
    let opened = std::fs::File::open(file)?;
    let mut bytes = Vec::new();
    opened.take(MAX_PLAYLIST_FILE).read_to_end(&mut bytes)?;
    Ok(bytes)
}
