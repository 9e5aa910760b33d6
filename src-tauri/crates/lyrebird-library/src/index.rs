//! The library index: every local track in `SQLite`, with full-text search, rescanned
//! incrementally.
//!
//! - A rescan lists the files (path, size, mtime) and reads tags only of files that are new or
//!   whose size or mtime changed; files that are gone are deleted at the end. Tags are read on
//!   every core as the walk lists their folders, while the one connection writes the rows
//!   already read ([`rows`]), committing every few thousand files; the write-ahead log is
//!   folded into the file once the library thread is idle ([`Index::checkpoint`]).
//! - Search folds case, width and diacritics ([`normalize`]), then matches every term:
//!   terms of three or more characters as substrings through FTS5's trigram tokenizer (so
//!   `杰伦` or `eatl` match inside words), shorter ones as word prefixes, or as characters and
//!   pairs of characters of CJK text, through a second FTS5 table. Results rank an exact title
//!   first, then titles that start with the query (alphabetically), then the other matches in
//!   library order — each part a bounded index walk, so broad queries cost no more than
//!   narrow ones.
//! - The schema version lives in `PRAGMA user_version`; migrations run in order on open. The
//!   file is a cache of what is on disk: an unreadable one is moved aside and rebuilt.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use lyrebird_core::model::{ReplayGain, SourceKind, Track, TrackId};
use rusqlite::{Connection, params};

use crate::Problem;
use crate::normalize::{is_cjk, normalize};

mod playlists;
pub use playlists::MAX_PLAYLIST_FILE;
mod relocate;
pub use relocate::{Moved, move_index};
mod rows;

/// Why the index could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("the library index: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("the library index at {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("there is no playlist {0}")]
    NoSuchPlaylist(i64),
    #[error("playlist {playlist} has no item {item}")]
    NoSuchPlaylistItem { playlist: i64, item: i64 },
    #[error("no library track with id {0}")]
    UnknownTrack(String),
    #[error("a playlist needs a name")]
    EmptyName,
}

/// Schema, one entry per version; `user_version` says how many have run.
const MIGRATIONS: &[&str] = &[
    // 1: tracks and the two search tables (rowids shared with `tracks`).
    "CREATE TABLE tracks (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        path BLOB NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        source TEXT NOT NULL,
        title TEXT NOT NULL,
        artists TEXT NOT NULL,
        album TEXT,
        track_number INTEGER,
        duration_ms INTEGER,
        has_cover INTEGER NOT NULL,
        replay_gain TEXT,
        search_title TEXT NOT NULL,
        added_at INTEGER NOT NULL
     );
     CREATE INDEX tracks_source ON tracks(source);
     CREATE VIRTUAL TABLE search_substrings USING fts5(text, tokenize = 'trigram');
     CREATE VIRTUAL TABLE search_words USING fts5(text, tokenize = 'unicode61');",
    // 2: titles by their folded form, for "the title starts with what was typed".
    "CREATE INDEX tracks_search_title ON tracks(search_title);",
    // 3: disc numbers and album artists (for albums), why a file's tags could not be read
    // (for the scan problems), newest first. Every file is read again once to fill them.
    "ALTER TABLE tracks ADD COLUMN disc_number INTEGER;
     ALTER TABLE tracks ADD COLUMN album_artist TEXT;
     ALTER TABLE tracks ADD COLUMN problem TEXT;
     CREATE INDEX tracks_added ON tracks(added_at);
     UPDATE tracks SET mtime_ns = -1;",
    // 4: playlists. Items name files by path (not by track row), so they survive rescans and
    // a file that is gone stays listed (as missing) until it is back. `IF NOT EXISTS`: an
    // index from a newer version is rebuilt without dropping its playlists (user data).
    "CREATE TABLE IF NOT EXISTS playlists (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL
     );
     CREATE TABLE IF NOT EXISTS playlist_items (
        id INTEGER PRIMARY KEY,
        playlist_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        path BLOB NOT NULL,
        title TEXT
     );
     CREATE INDEX IF NOT EXISTS playlist_items_order ON playlist_items(playlist_id, position);",
    // 5: year, genre and the audio format, for the songs list's columns. Every file is read
    // again once to fill them.
    "ALTER TABLE tracks ADD COLUMN year INTEGER;
     ALTER TABLE tracks ADD COLUMN genre TEXT;
     ALTER TABLE tracks ADD COLUMN codec TEXT;
     ALTER TABLE tracks ADD COLUMN sample_rate INTEGER;
     ALTER TABLE tracks ADD COLUMN bit_depth INTEGER;
     ALTER TABLE tracks ADD COLUMN bitrate INTEGER;
     ALTER TABLE tracks ADD COLUMN channels INTEGER;
     UPDATE tracks SET mtime_ns = -1;",
    // 6: the search tables keep no copy of their text (contentless; deletes still allowed):
    // nothing reads it back, and writing it for every file was a fifth of a scan's full-text
    // work. Refilled from the old tables.
    "CREATE VIRTUAL TABLE search_substrings_v6 USING fts5(text, tokenize = 'trigram',
        content = '', contentless_delete = 1);
     INSERT INTO search_substrings_v6 (rowid, text) SELECT rowid, text FROM search_substrings;
     DROP TABLE search_substrings;
     ALTER TABLE search_substrings_v6 RENAME TO search_substrings;
     CREATE VIRTUAL TABLE search_words_v6 USING fts5(text, tokenize = 'unicode61',
        content = '', contentless_delete = 1);
     INSERT INTO search_words_v6 (rowid, text) SELECT rowid, text FROM search_words;
     DROP TABLE search_words;
     ALTER TABLE search_words_v6 RENAME TO search_words;",
];

/// What [`MIGRATIONS`] make of an empty file, written at once: a new index is created in one
/// transaction, without each step's schema changes (an FTS5 table made and then replaced, ten
/// columns added one by one, each making `SQLite` parse the whole schema again). A test checks
/// that it is the same schema as the steps make.
const CURRENT_SCHEMA: &str = "CREATE TABLE tracks (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        path BLOB NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        source TEXT NOT NULL,
        title TEXT NOT NULL,
        artists TEXT NOT NULL,
        album TEXT,
        track_number INTEGER,
        duration_ms INTEGER,
        has_cover INTEGER NOT NULL,
        replay_gain TEXT,
        search_title TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        disc_number INTEGER,
        album_artist TEXT,
        problem TEXT,
        year INTEGER,
        genre TEXT,
        codec TEXT,
        sample_rate INTEGER,
        bit_depth INTEGER,
        bitrate INTEGER,
        channels INTEGER
     );
     CREATE INDEX tracks_source ON tracks(source);
     CREATE INDEX tracks_search_title ON tracks(search_title);
     CREATE INDEX tracks_added ON tracks(added_at);
     CREATE VIRTUAL TABLE search_substrings USING fts5(text, tokenize = 'trigram',
        content = '', contentless_delete = 1);
     CREATE VIRTUAL TABLE search_words USING fts5(text, tokenize = 'unicode61',
        content = '', contentless_delete = 1);
     CREATE TABLE playlists (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL
     );
     CREATE TABLE playlist_items (
        id INTEGER PRIMARY KEY,
        playlist_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        path BLOB NOT NULL,
        title TEXT
     );
     CREATE INDEX playlist_items_order ON playlist_items(playlist_id, position);";

/// The indexes on `tracks` that only speed up reads (a source's rows, titles by their folded
/// form, the most recently added). A first scan of many files writes without them and builds
/// each once at the end, which costs less than keeping it sorted row by row. Also run on every
/// open (`IF NOT EXISTS`: nothing to do when they are there), so a first scan cut short by a
/// crash leaves none missing.
const READ_INDEXES: &str = "CREATE INDEX IF NOT EXISTS tracks_source ON tracks(source);
     CREATE INDEX IF NOT EXISTS tracks_search_title ON tracks(search_title);
     CREATE INDEX IF NOT EXISTS tracks_added ON tracks(added_at);";
const DROP_READ_INDEXES: &str = "DROP INDEX IF EXISTS tracks_source;
     DROP INDEX IF EXISTS tracks_search_title;
     DROP INDEX IF EXISTS tracks_added;";

/// A rescan that writes into an index of fewer rows than this (a first scan: empty, or only the
/// demo's few tracks) builds the read indexes after its rows are in...
const BULK_ROWS: usize = 1_000;

/// ...if it writes more rows than this: a few files changed in a small library (the watcher's
/// rescans) are not worth dropping and building the indexes again.
const BULK_AFTER_ROWS: usize = 256;

/// Files whose tags are read between two progress reports (and cancellation checks).
const PROGRESS_BATCH: usize = 256;

/// `wal_autocheckpoint` during a rescan that writes rows (pages of 4 KiB: 64 MiB); `SQLite`'s
/// default, 1 000, otherwise.
const SCAN_CHECKPOINT_PAGES: i64 = 16_384;

/// How far a rescan is, as it reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncProgress<'a> {
    /// Files whose tags were read.
    pub done: usize,
    /// Files whose tags are to be read in this rescan, as far as the walk has listed them.
    pub total: usize,
    /// The walk is still listing folders: `total` may grow.
    pub counting: bool,
    /// The folder of the files being read now (`None` once done).
    pub folder: Option<&'a Path>,
}

/// An album as the index groups it: tracks with the same album title and album artist (or,
/// without one, the same first artist).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Album {
    pub title: String,
    pub artist: Option<String>,
    /// In disc and track order (then by path).
    pub tracks: Vec<TrackId>,
    /// A track whose embedded picture is the album's cover.
    pub cover: Option<TrackId>,
    /// When its newest track was first indexed (Unix seconds).
    pub added_at: i64,
}

/// An artist as [`Index::artists`] lists them: every track naming them among its artists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artist {
    /// As the first of their tracks spells it; empty for the tracks that name no artist.
    pub name: String,
    /// By album (case-insensitively; none first), then in path order.
    pub tracks: Vec<TrackId>,
}

/// A folder of the library as [`Index::folders`] lists it: a library root (named by its path
/// as given) or a folder under one (named by its own name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Folder {
    pub name: String,
    /// Which source's root it is under.
    pub source: SourceKind,
    /// Its sub-folders that hold tracks, by name.
    pub folders: Vec<Folder>,
    /// The tracks directly in it, in path order.
    pub tracks: Vec<TrackId>,
    /// Tracks in it and every folder below.
    pub track_count: usize,
}

impl Folder {
    fn new(name: String, source: SourceKind) -> Self {
        Self {
            name,
            source,
            folders: Vec::new(),
            tracks: Vec::new(),
            track_count: 0,
        }
    }
}

/// The indexed files of a source, by path.
type KnownFiles = HashMap<Vec<u8>, Known>;

/// An indexed file as a rescan compares it.
struct Known {
    size: u64,
    mtime_ns: i64,
    rowid: i64,
}

/// What a rescan did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Audio files found.
    pub seen: usize,
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Files and folders that could not be read.
    pub problems: Vec<Problem>,
    /// The rescan was cancelled: what was read until then is indexed, files that are gone
    /// were dropped, the rest waits for the next rescan.
    pub cancelled: bool,
}

impl SyncReport {
    /// Count what the walk found, and delete the rows of the files that are gone (in `tx`)
    /// if it went through every folder.
    fn take_walk(
        &mut self,
        walked: Compared,
        tx: &rusqlite::Transaction<'_>,
    ) -> Result<(), IndexError> {
        self.seen = walked.seen;
        self.unchanged = walked.unchanged;
        self.problems = walked.problems;
        self.cancelled |= walked.cancelled;
        if walked.complete {
            for rowid in walked.gone {
                delete_row(tx, rowid)?;
                self.removed += 1;
            }
        }
        Ok(())
    }
}

pub struct Index {
    conn: Connection,
    /// Rows a rescan writes between two commits ([`rows::COMMIT_ROWS`]; less in tests).
    commit_rows: usize,
}

impl Index {
    /// Open (or create) the index at `path`. A file that is not a usable index is moved aside
    /// as `<name>.corrupt-<time>` and a new one is built.
    pub fn open(path: &Path) -> Result<Self, IndexError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| IndexError::File {
                path: dir.to_owned(),
                source,
            })?;
        }
        match Self::open_as_is(path) {
            Ok(index) => Ok(index),
            Err(IndexError::Sql(e)) if is_corruption(&e) => {
                let aside = path.with_extension(format!(
                    "corrupt-{}",
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs())
                ));
                tracing::warn!(error = %e, aside = %aside.display(), "library index unreadable; rebuilding");
                std::fs::rename(path, &aside).map_err(|source| IndexError::File {
                    path: path.to_owned(),
                    source,
                })?;
                Self::open_as_is(path)
            }
            Err(e) => Err(e),
        }
    }

    fn open_as_is(path: &Path) -> Result<Self, IndexError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Self::with_connection(conn)
    }

    /// An index that lives in memory (tests, benchmarks).
    pub fn in_memory() -> Result<Self, IndexError> {
        Self::with_connection(Connection::open_in_memory()?)
    }

    fn with_connection(mut conn: Connection) -> Result<Self, IndexError> {
        migrate(&mut conn)?;
        conn.execute_batch(READ_INDEXES)?;
        Ok(Self {
            conn,
            commit_rows: rows::COMMIT_ROWS,
        })
    }

    /// How many tracks the index holds.
    pub fn len(&self) -> Result<usize, IndexError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM tracks", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Whether the index holds no track (one row looked for, not all of them counted).
    pub fn is_empty(&self) -> Result<bool, IndexError> {
        let any: bool = self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM tracks)", [], |r| r.get(0))?;
        Ok(!any)
    }

    /// Bring the tracks of `source` in line with the audio files under `roots`: read the tags
    /// of new and changed files, drop the ones that are gone.
    pub fn sync(
        &mut self,
        roots: &[PathBuf],
        source: SourceKind,
    ) -> Result<SyncReport, IndexError> {
        self.sync_with_progress(roots, source, |_, _| {})
    }

    /// [`Index::sync`], calling `progress(done, total)` as tags are read (after each batch of
    /// files, and once at the end with `done == total`).
    pub fn sync_with_progress(
        &mut self,
        roots: &[PathBuf],
        source: SourceKind,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<SyncReport, IndexError> {
        self.sync_with(roots, source, |p| progress(p.done, p.total), || false)
    }

    /// [`Index::sync`], reporting [`SyncProgress`] before each batch of files and at the end,
    /// and stopping early once `cancelled()` says so (asked at every folder of the walk and
    /// before each batch). Tags are read as soon as the walk lists a file's folder, while it
    /// goes on; rows are written in transactions of a few thousand, and a cancelled rescan
    /// commits what it wrote, so it keeps what it read and leaves the index consistent. Files
    /// that are gone are dropped at the end, if the walk went through every folder.
    ///
    /// What was written stays in `SQLite`'s write-ahead log (the index reads it as it reads its
    /// file) until [`Index::checkpoint`] folds it in.
    pub fn sync_with(
        &mut self,
        roots: &[PathBuf],
        source: SourceKind,
        mut progress: impl FnMut(&SyncProgress<'_>),
        cancelled: impl Fn() -> bool + Sync,
    ) -> Result<SyncReport, IndexError> {
        let known = self.known_files(source)?;
        // A first scan (the index holds at most the demo's few rows): once it has written
        // a few hundred rows, the read indexes are dropped and built again once all are in.
        let bulk = self.holds_fewer_than(BULK_ROWS)?;
        let mut dropped = false;
        // WAL: a checkpoint (with its two fsyncs) every 1 000 pages would come every few
        // thousand files; during a rescan, one every 64 MiB at most.
        self.conn
            .pragma_update(None, "wal_autocheckpoint", SCAN_CHECKPOINT_PAGES)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
        // The files to read, so far, and whether the walk goes on (so more may come).
        let listed = AtomicUsize::new(0);
        let listing = AtomicBool::new(true);
        let (conn, commit_rows) = (&self.conn, self.commit_rows);
        let mut writer = None;
        let mut tx = None;
        let mut report = SyncReport::default();
        // Tags are read on every core, as the walk lists the files, while the rows already
        // read are written here. Every PROGRESS_BATCH files: a progress report and a
        // cancellation check; every COMMIT_ROWS files a commit, so a long first scan says how
        // far it is, can be stopped, and what it wrote stays.
        let (written, walked) = rows::read_in_order(
            |feed| {
                let walked = walk_and_compare(roots, known, &cancelled, feed, &listed);
                listing.store(false, Ordering::Release);
                walked
            },
            |file: &ToRead| rows::Row::read(&file.file, source),
            |i, file, row| -> Result<bool, IndexError> {
                if i % PROGRESS_BATCH == 0 {
                    if cancelled() {
                        report.cancelled = true;
                        return Ok(false);
                    }
                    // In this order: once the walk is over, `listed` is final.
                    let counting = listing.load(Ordering::Acquire);
                    progress(&SyncProgress {
                        done: i,
                        total: listed.load(Ordering::Acquire),
                        counting,
                        folder: file.file.path.parent(),
                    });
                }
                if writer.is_none() {
                    tx = Some(conn.unchecked_transaction()?);
                    writer = Some(rows::Writer::new(conn)?);
                } else if i % commit_rows == 0 {
                    if let Some(tx) = tx.take() {
                        tx.commit()?;
                    }
                    tx = Some(conn.unchecked_transaction()?);
                }
                if bulk && i == BULK_AFTER_ROWS {
                    // (Statements prepared before re-prepare themselves against the schema.)
                    conn.execute_batch(DROP_READ_INDEXES)?;
                    dropped = true;
                }
                if let Some(writer) = &mut writer {
                    writer.upsert(&file.file, &row, file.rowid, now)?;
                }
                if file.rowid.is_some() {
                    report.updated += 1;
                } else {
                    report.added += 1;
                }
                Ok(true)
            },
        );
        let walked = walked.unwrap_or_else(|| {
            tracing::warn!("the library walk failed part way; nothing is taken for gone");
            Compared::default()
        });
        // Then the files that are gone, if the walk saw every folder, in the last transaction.
        let committed = written.and_then(|()| {
            let tx = match tx.take() {
                Some(tx) => tx,
                None => conn.unchecked_transaction()?,
            };
            report.take_walk(walked, &tx)?;
            tx.commit().map_err(IndexError::from)
        });
        // After an error the transaction is still open: roll it back before the indexes are
        // built (inside it, they would be rolled back with it).
        drop(tx);
        drop(writer);
        // Whatever became of the scan (done, cancelled, failed), the indexes are back.
        let rebuilt = if dropped {
            self.conn
                .execute_batch(READ_INDEXES)
                .map_err(IndexError::from)
        } else {
            Ok(())
        };
        self.conn.pragma_update(None, "wal_autocheckpoint", 1000)?;
        committed?;
        rebuilt?;
        let total = listed.into_inner();
        if total == 0 || !report.cancelled {
            progress(&SyncProgress {
                done: report.added + report.updated,
                total,
                counting: false,
                folder: None,
            });
        }
        Ok(report)
    }

    /// Fold the write-ahead log into the database file and empty it. A rescan leaves what it
    /// wrote in the log (up to 64 MiB; the index reads it all the same): the library thread
    /// folds it in once it is idle, so a finished scan is shown without waiting for it.
    pub fn checkpoint(&self) -> Result<(), IndexError> {
        // A no-op in memory.
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Whether the index holds fewer than `rows` tracks (counting no further).
    fn holds_fewer_than(&self, rows: usize) -> Result<bool, IndexError> {
        let limit = i64::try_from(rows).unwrap_or(i64::MAX);
        let held: i64 = self.conn.query_row(
            "SELECT count(*) FROM (SELECT 1 FROM tracks LIMIT ?1)",
            [limit],
            |r| r.get(0),
        )?;
        Ok(held < limit)
    }

    /// Files whose tags could not be read at their last scan, and why, in path order.
    pub fn problems(&self) -> Result<Vec<Problem>, IndexError> {
        let mut statement = self
            .conn
            .prepare("SELECT path, problem FROM tracks WHERE problem IS NOT NULL ORDER BY path")?;
        let rows = statement.query_map([], |r| {
            Ok(Problem {
                path: path_from_bytes(&r.get::<_, Vec<u8>>(0)?),
                reason: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The most recently added tracks first (then the last indexed first), at most `limit`.
    pub fn recently_added(&self, limit: usize) -> Result<Vec<TrackId>, IndexError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT id FROM tracks ORDER BY added_at DESC, rowid DESC LIMIT ?1")?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = statement.query_map([limit], |r| Ok(TrackId(r.get(0)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every album (tracks with an album title), by title; each album's tracks in disc and
    /// track order.
    pub fn albums(&self) -> Result<Vec<Album>, IndexError> {
        let mut statement = self.conn.prepare(
            "SELECT id, album, album_artist, artists, has_cover, added_at FROM tracks \
             WHERE album IS NOT NULL \
             ORDER BY album, coalesce(disc_number, 1), track_number IS NULL, track_number, path",
        )?;
        let mut albums: Vec<Album> = Vec::new();
        let mut by_key: HashMap<(String, Option<String>), usize> = HashMap::new();
        let mut rows = statement.query([])?;
        while let Some(r) = rows.next()? {
            let id = TrackId(r.get(0)?);
            let title: String = r.get(1)?;
            let album_artist: Option<String> = r.get(2)?;
            let artist = album_artist.or_else(|| {
                serde_json::from_str::<Vec<String>>(&r.get::<_, String>(3).unwrap_or_default())
                    .ok()
                    .and_then(|a| a.into_iter().next())
            });
            let has_cover: bool = r.get(4)?;
            let added_at: i64 = r.get(5)?;
            let key = (normalize(&title), artist.as_deref().map(normalize));
            let at = *by_key.entry(key).or_insert_with(|| {
                albums.push(Album {
                    title,
                    artist,
                    tracks: Vec::new(),
                    cover: None,
                    added_at,
                });
                albums.len() - 1
            });
            let album = &mut albums[at];
            if has_cover && album.cover.is_none() {
                album.cover = Some(id.clone());
            }
            album.added_at = album.added_at.max(added_at);
            album.tracks.push(id);
        }
        albums.sort_by_cached_key(|a| (normalize(&a.title), a.artist.as_deref().map(normalize)));
        Ok(albums)
    }

    /// Every artist of the tracks (names that differ only in case or width are one), by name;
    /// each one's tracks by album. Grouped here, so that the Artists view is not sent the
    /// whole library to group (issue #19: 100 000 tracks, 20 MB).
    pub fn artists(&self) -> Result<Vec<Artist>, IndexError> {
        let mut statement = self.conn.prepare(
            "SELECT id, artists FROM tracks ORDER BY coalesce(album, '') COLLATE NOCASE, path",
        )?;
        let mut artists: Vec<Artist> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut rows = statement.query([])?;
        while let Some(r) = rows.next()? {
            let id = TrackId(r.get(0)?);
            let names: Vec<String> =
                serde_json::from_str(&r.get::<_, String>(1)?).unwrap_or_default();
            let mut names: Vec<String> = names
                .into_iter()
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
                .collect();
            if names.is_empty() {
                names.push(String::new());
            }
            let mut seen = Vec::new();
            for name in names {
                let key = normalize(&name);
                if seen.contains(&key) {
                    continue; // "A; A": once
                }
                let at = *by_key.entry(key.clone()).or_insert_with(|| {
                    artists.push(Artist {
                        name,
                        tracks: Vec::new(),
                    });
                    artists.len() - 1
                });
                artists[at].tracks.push(id.clone());
                seen.push(key);
            }
        }
        artists.sort_by_cached_key(|a| normalize(&a.name));
        Ok(artists)
    }

    /// The tracks of each root as a tree of folders (roots in the order given, each with the
    /// folders under it that hold tracks, by name, and its tracks in path order). A track under
    /// none of its source's roots is not listed.
    pub fn folders(&self, roots: &[(SourceKind, PathBuf)]) -> Result<Vec<Folder>, IndexError> {
        let mut tree: Vec<Folder> = roots
            .iter()
            .map(|(source, root)| Folder::new(root.display().to_string(), *source))
            .collect();
        let mut statement = self
            .conn
            .prepare("SELECT id, path, source FROM tracks ORDER BY path")?;
        let mut rows = statement.query([])?;
        while let Some(r) = rows.next()? {
            let path = path_from_bytes(&r.get::<_, Vec<u8>>(1)?);
            let source = source_from_name(&r.get::<_, String>(2)?);
            // The innermost root of its source it lies under (roots may nest).
            let Some((at, relative)) = roots
                .iter()
                .enumerate()
                .filter(|(_, (s, _))| *s == source)
                .filter_map(|(i, (_, root))| Some((i, path.strip_prefix(root).ok()?)))
                .min_by_key(|(_, relative)| relative.components().count())
            else {
                continue;
            };
            let mut folder = &mut tree[at];
            folder.track_count += 1;
            let parts: Vec<_> = relative.components().collect();
            for part in parts.iter().take(parts.len().saturating_sub(1)) {
                let name = part.as_os_str().to_string_lossy();
                // In path order the files of a folder come together: a folder seen before
                // is the last one added.
                if folder.folders.last().is_none_or(|last| last.name != name) {
                    folder.folders.push(Folder::new(name.into_owned(), source));
                }
                let last = folder.folders.len() - 1;
                folder = &mut folder.folders[last];
                folder.track_count += 1;
            }
            folder.tracks.push(TrackId(r.get(0)?));
        }
        for root in &mut tree {
            sort_folders(&mut root.folders);
        }
        Ok(tree)
    }

    /// The indexed files of `source`, by path.
    fn known_files(&self, source: SourceKind) -> Result<KnownFiles, IndexError> {
        let mut statement = self
            .conn
            .prepare("SELECT path, size, mtime_ns, rowid FROM tracks WHERE source = ?1")?;
        let rows = statement.query_map([source_name(source)], |r| {
            let size: i64 = r.get(1)?;
            let known = Known {
                size: u64::try_from(size).unwrap_or(0),
                mtime_ns: r.get(2)?,
                rowid: r.get(3)?,
            };
            Ok((r.get::<_, Vec<u8>>(0)?, known))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every track, in path order.
    pub fn tracks(&self) -> Result<Vec<Track>, IndexError> {
        let mut statement = self.conn.prepare(&format!(
            "SELECT {TRACK_COLUMNS} FROM tracks ORDER BY source = 'demo' DESC, path"
        ))?;
        let rows = statement.query_map([], row_to_track)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The tracks with these ids, in the order given; ids the index does not hold are left
    /// out. One indexed look-up each: cheap where [`Index::tracks`] reads every row.
    pub fn tracks_by_ids(&self, ids: &[TrackId]) -> Result<Vec<Track>, IndexError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!("SELECT {TRACK_COLUMNS} FROM tracks WHERE id = ?1"))?;
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            let mut rows = statement.query_map([&id.0], row_to_track)?;
            if let Some(track) = rows.next() {
                found.push(track?);
            }
        }
        Ok(found)
    }

    /// The ids of the tracks matching `query` (every term), best first, at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<TrackId>, IndexError> {
        let folded = normalize(query);
        if folded.is_empty() {
            return Ok(Vec::new());
        }
        let mut substrings = Vec::new();
        let mut words = Vec::new();
        for term in folded.split(' ') {
            // FTS5 strings in double quotes; normalised terms hold no quotes, but be sure.
            let quoted = format!("\"{}\"", term.replace('"', "\"\""));
            if term.chars().count() >= 3 {
                substrings.push(quoted);
            } else {
                words.push(format!("{quoted}*"));
            }
        }
        // First the titles that are what was typed or start with it: a walk along the title
        // index that stops at the limit. In that order the exact title comes first (it is
        // the shortest string with that start), then the others alphabetically.
        let upper = format!("{folded}\u{10FFFF}");
        let limit_sql = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut ids: Vec<TrackId> = {
            let mut statement = self.conn.prepare_cached(
                "SELECT id FROM tracks WHERE search_title >= ?1 AND search_title < ?2 \
                 ORDER BY search_title LIMIT ?3",
            )?;
            let rows = statement.query_map(params![folded, upper, limit_sql], |r| {
                Ok(TrackId(r.get(0)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let remaining = i64::try_from(limit.saturating_sub(ids.len())).unwrap_or(0);
        if remaining == 0 {
            return Ok(ids);
        }
        // Then every other track matching all terms, in library order. With one kind of term
        // the full-text table drives the query and stops at the limit, so a one-letter query
        // over 100 000 tracks costs no more than a specific one.
        let substrings = substrings.join(" ");
        let words = words.join(" ");
        let not_title_prefix = "NOT (t.search_title >= ?2 AND t.search_title < ?3)";
        let substrings_empty = substrings.is_empty();
        let (sql, pattern) = match (substrings_empty, words.is_empty()) {
            (false, true) => (
                format!(
                    "SELECT t.id FROM search_substrings f JOIN tracks t ON t.rowid = f.rowid \
                     WHERE search_substrings MATCH ?1 AND {not_title_prefix} LIMIT ?4"
                ),
                substrings,
            ),
            (true, false) => (
                format!(
                    "SELECT t.id FROM search_words f JOIN tracks t ON t.rowid = f.rowid \
                     WHERE search_words MATCH ?1 AND {not_title_prefix} LIMIT ?4"
                ),
                words.clone(),
            ),
            _ => (
                format!(
                    "SELECT t.id FROM tracks t WHERE {not_title_prefix} \
                     AND t.rowid IN (SELECT rowid FROM search_substrings WHERE search_substrings MATCH ?1) \
                     AND t.rowid IN (SELECT rowid FROM search_words WHERE search_words MATCH ?5) \
                     ORDER BY t.rowid LIMIT ?4"
                ),
                substrings,
            ),
        };
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![&pattern, &folded, &upper, &remaining];
        if !substrings_empty && !words.is_empty() {
            values.push(&words); // ?5: the query that needs both tables
        }
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement
            .query_map(values.as_slice(), |r| Ok(TrackId(r.get(0)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        ids.extend(rows);
        Ok(ids)
    }
}

fn migrate(conn: &mut Connection) -> Result<(), IndexError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let done = usize::try_from(version).unwrap_or(usize::MAX);
    if done > MIGRATIONS.len() {
        // Written by a newer Lyrebird: it is only a cache, so start over rather than guess.
        tracing::warn!(version, "library index from a newer version; rebuilding");
        let tx = conn.transaction()?;
        tx.execute_batch(
            "DROP TABLE IF EXISTS tracks; DROP TABLE IF EXISTS search_substrings; \
             DROP TABLE IF EXISTS search_words;",
        )?;
        tx.pragma_update(None, "user_version", 0)?;
        tx.commit()?;
        return migrate(conn);
    }
    if done == 0 {
        let tx = conn.transaction()?;
        let blank: bool =
            tx.query_row("SELECT NOT EXISTS (SELECT 1 FROM sqlite_master)", [], |r| {
                r.get(0)
            })?;
        if blank {
            tx.execute_batch(CURRENT_SCHEMA)?;
            tx.pragma_update(None, "user_version", schema_version())?;
            tx.commit()?;
            return Ok(());
        }
    }
    run_migrations(conn, done)
}

/// The version [`MIGRATIONS`] bring an index to.
fn schema_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// The migrations after the first `done`, one transaction each.
fn run_migrations(conn: &mut Connection, done: usize) -> Result<(), IndexError> {
    for (i, step) in MIGRATIONS.iter().enumerate().skip(done) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
    }
    Ok(())
}

/// Folders by their folded name, at every depth.
fn sort_folders(folders: &mut [Folder]) {
    folders.sort_by_cached_key(|f| normalize(&f.name));
    for folder in folders {
        sort_folders(&mut folder.folders);
    }
}

fn is_corruption(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

/// A file the walk found new or changed, and its row if it has one.
struct ToRead {
    file: crate::FoundFile,
    rowid: Option<i64>,
}

/// What the walk of a rescan found, beside the files it handed over to be read.
#[derive(Default)]
struct Compared {
    /// Audio files found (each once).
    seen: usize,
    unchanged: usize,
    problems: Vec<Problem>,
    /// The rows of files not found (gone, if the walk is `complete`).
    gone: Vec<i64>,
    complete: bool,
    /// It stopped because `cancelled()` said so.
    cancelled: bool,
}

/// Walk `roots`, handing the files that are new or changed since `known` to `feed` as their
/// folders are listed; count the rest; `listed` counts what was handed over. Stops when
/// `cancelled()` says so or the reading has stopped.
fn walk_and_compare(
    roots: &[PathBuf],
    mut known: KnownFiles,
    cancelled: &(dyn Fn() -> bool + Sync),
    feed: &mut rows::Feed<'_, ToRead>,
    listed: &AtomicUsize,
) -> Compared {
    let mut compared = Compared::default();
    let mut found = HashSet::new();
    let reading_stopped = feed.stop_flag();
    let mut folder = PathBuf::new();
    let walked = crate::walk_files(
        roots,
        &|| cancelled() || reading_stopped.load(Ordering::Relaxed),
        &mut |file| {
            // Into another folder: the last one's files go to be read now, not with the
            // next run (the walk may take a while to list this one).
            if let Some(parent) = file.path.parent()
                && parent.as_os_str() != folder.as_os_str()
            {
                feed.pass_on();
                parent.clone_into(&mut folder);
            }
            let key = path_bytes(&file.path);
            if found.contains(&key) {
                return true; // a file given twice (as a root)
            }
            compared.seen += 1;
            let rowid = match known.remove(&key) {
                Some(k) if k.size == file.size && k.mtime_ns == file.mtime_ns => {
                    compared.unchanged += 1;
                    found.insert(key);
                    return true;
                }
                Some(k) => Some(k.rowid),
                None => None,
            };
            found.insert(key);
            listed.fetch_add(1, Ordering::Release);
            feed.push(ToRead { file, rowid })
        },
    );
    compared.problems = walked.problems;
    compared.complete = walked.complete;
    compared.cancelled = !walked.complete && cancelled();
    compared.gone = known.into_values().map(|k| k.rowid).collect();
    compared
}

fn delete_row(tx: &rusqlite::Transaction<'_>, rowid: i64) -> Result<(), IndexError> {
    tx.execute("DELETE FROM tracks WHERE rowid = ?1", [rowid])?;
    tx.execute("DELETE FROM search_substrings WHERE rowid = ?1", [rowid])?;
    tx.execute("DELETE FROM search_words WHERE rowid = ?1", [rowid])?;
    Ok(())
}

/// The words of `text`, plus every character and pair of characters of its CJK runs: CJK is
/// written without spaces, so a one- or two-character query must match inside a "word".
fn with_cjk_grams(text: &str) -> String {
    let mut out = text.to_owned();
    if !text.chars().any(is_cjk) {
        return out; // most titles: nothing to add, and no per-word copies to make
    }
    for word in text.split(' ') {
        let chars: Vec<char> = word.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if !is_cjk(c) {
                continue;
            }
            out.push(' ');
            out.push(c);
            if let Some(&next) = chars.get(i + 1).filter(|n| is_cjk(**n)) {
                out.push(' ');
                out.push(c);
                out.push(next);
            }
        }
    }
    out
}

/// What [`row_to_track`] reads, in its order.
const TRACK_COLUMNS: &str = "id, path, source, title, artists, album, track_number, duration_ms, \
     has_cover, replay_gain, year, genre, codec, sample_rate, bit_depth, bitrate, channels";

fn row_to_track(r: &rusqlite::Row<'_>) -> rusqlite::Result<Track> {
    let path = path_from_bytes(&r.get::<_, Vec<u8>>(1)?);
    let source: String = r.get(2)?;
    let artists: String = r.get(4)?;
    let replay_gain: Option<String> = r.get(9)?;
    let duration: Option<i64> = r.get(7)?;
    Ok(Track {
        id: TrackId(r.get(0)?),
        source: source_from_name(&source),
        title: r.get(3)?,
        artists: serde_json::from_str(&artists).unwrap_or_default(),
        album: r.get(5)?,
        track_number: r.get(6)?,
        duration_ms: duration.and_then(|d| u64::try_from(d).ok()),
        has_cover: r.get(8)?,
        replay_gain: replay_gain.and_then(|rg| serde_json::from_str::<ReplayGain>(&rg).ok()),
        liked: None,
        year: r.get(10)?,
        genre: r.get(11)?,
        codec: r.get(12)?,
        sample_rate: r.get(13)?,
        bit_depth: r.get(14)?,
        bitrate: r.get(15)?,
        channels: r.get(16)?,
        cover_art: None,
        unplayable: None,
        path: Some(path),
    })
}

fn source_name(source: SourceKind) -> &'static str {
    match source {
        SourceKind::Local => "local",
        SourceKind::Demo => "demo",
        SourceKind::Subsonic => "subsonic",
        SourceKind::NetEase => "netease",
    }
}

fn source_from_name(name: &str) -> SourceKind {
    match name {
        "demo" => SourceKind::Demo,
        "subsonic" => SourceKind::Subsonic,
        "netease" => SourceKind::NetEase,
        _ => SourceKind::Local,
    }
}

/// A path as bytes, losslessly (file names need not be UTF-8).
#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(windows)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::windows::ffi::OsStrExt;
    path.as_os_str()
        .encode_wide()
        .flat_map(u16::to_le_bytes)
        .collect()
}

#[cfg(windows)]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::windows::ffi::OsStringExt;
    let wide: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    PathBuf::from(std::ffi::OsString::from_wide(&wide))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every track row has its two search rows and nothing else.
    fn assert_consistent(index: &Index) {
        let count = |sql: &str| {
            index
                .conn
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .unwrap()
        };
        let tracks = count("SELECT count(*) FROM tracks");
        assert_eq!(count("SELECT count(*) FROM search_substrings"), tracks);
        assert_eq!(count("SELECT count(*) FROM search_words"), tracks);
    }

    /// A schema as `SQLite` reports it: each table's and shadow table's columns, each index's
    /// table, uniqueness and columns, each virtual table's module arguments.
    fn schema_of(conn: &Connection) -> Vec<String> {
        let mut out = Vec::new();
        let objects: Vec<(String, String, String, Option<String>)> = conn
            .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (kind, name, table, sql) in objects {
            let pragma = if kind == "index" {
                "index_xinfo"
            } else {
                "table_xinfo"
            };
            let columns: Vec<String> = conn
                .prepare(&format!("SELECT * FROM pragma_{pragma}(?1)"))
                .unwrap()
                .query_map([&name], |r| {
                    Ok((0..6)
                        .map(|i| format!("{:?}", r.get_ref(i).map(|v| format!("{v:?}"))))
                        .collect::<Vec<_>>()
                        .join(","))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let mut line = format!("{kind} {name} on {table}: {columns:?}");
            let sql = sql.unwrap_or_default();
            if let Some(args) = sql.find(" USING ").map(|at| &sql[at..]) {
                // A rename rewrites the table's name in its SQL, not its arguments.
                line.push_str(&args.split_whitespace().collect::<Vec<_>>().join(" "));
            }
            if sql.contains("UNIQUE") {
                line.push_str(" unique");
            }
            out.push(line);
        }
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        out.push(format!("user_version {version}"));
        out
    }

    /// A new index is made from `CURRENT_SCHEMA` in one go; an old one by the migrations. Both
    /// must end up the same.
    #[test]
    fn a_new_index_has_the_schema_the_migrations_make() {
        let mut stepwise = Connection::open_in_memory().unwrap();
        run_migrations(&mut stepwise, 0).unwrap();
        let mut fresh = Connection::open_in_memory().unwrap();
        migrate(&mut fresh).unwrap();
        assert_eq!(schema_of(&fresh), schema_of(&stepwise));
        assert!(
            schema_of(&fresh)
                .iter()
                .any(|l| l.contains("contentless_delete")),
            "{:#?}",
            schema_of(&fresh)
        );
        // Opened again, a new index is left as it is.
        migrate(&mut fresh).unwrap();
        assert_eq!(schema_of(&fresh), schema_of(&stepwise));
    }

    /// Files that are not audio at all (so listed with a problem, by name), across several
    /// commits, some given twice, some already another source's rows.
    #[test]
    fn rows_span_commits_and_are_never_doubled() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("music");
        std::fs::create_dir_all(&root).unwrap();
        for i in 0..40 {
            let content = if i % 5 == 0 { Vec::new() } else { vec![7; i] };
            std::fs::write(root.join(format!("{i:02} Song.mp3")), content).unwrap();
        }
        let mut index = Index::open(&dir.path().join("index.sqlite")).unwrap();
        index.commit_rows = 7;
        // Five of them first as the demo's.
        let demo: Vec<PathBuf> = (0..5)
            .map(|i| root.join(format!("{i:02} Song.mp3")))
            .collect();
        assert_eq!(index.sync(&demo, SourceKind::Demo).unwrap().added, 5);
        // The folder, plus one of its files again as a root of its own.
        let roots = [root.clone(), root.join("03 Song.mp3")];
        let report = index.sync(&roots, SourceKind::Local).unwrap();
        assert_eq!((report.added, report.updated), (40, 0), "{report:?}");
        assert_eq!(
            index.len().unwrap(),
            40,
            "the demo's rows became local ones"
        );
        assert_consistent(&index);
        let tracks = index.tracks().unwrap();
        assert!(tracks.iter().all(|t| t.source == SourceKind::Local));
        let titles: Vec<&str> = tracks.iter().map(|t| t.title.as_str()).collect();
        let expected: Vec<String> = (0..40).map(|i| format!("{i:02} Song")).collect();
        assert_eq!(titles, expected, "in path order, each once");
        let problems = index.problems().unwrap();
        assert_eq!(problems.len(), 40);
        assert_eq!(problems[0].reason, "empty file (0 bytes)");
        assert!(problems[1].reason.starts_with("unreadable"), "{problems:?}");
        assert_eq!(index.search("song", 100).unwrap().len(), 40);

        let again = index.sync(&roots, SourceKind::Local).unwrap();
        assert_eq!((again.added, again.unchanged), (0, 40), "{again:?}");
    }

    fn read_indexes(index: &Index) -> Vec<String> {
        let mut statement = index
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = 'tracks' ORDER BY name")
            .unwrap();
        statement
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// The read indexes, by name.
    const READ_INDEX_NAMES: [&str; 3] = ["tracks_added", "tracks_search_title", "tracks_source"];

    /// `dir/music` with `count` files named like MP3s that are not audio (listed by name).
    fn fake_music(dir: &Path, count: usize) -> PathBuf {
        let root = dir.join("music");
        std::fs::create_dir_all(&root).unwrap();
        for i in 0..count {
            std::fs::write(root.join(format!("{i:05} Song.mp3")), b"x").unwrap();
        }
        root
    }

    /// Rescan `root` into `index` (at `db`), noting at each progress report how many of the
    /// read indexes another connection sees (so as of the scan's last commit).
    fn scan_counting_read_indexes(
        index: &mut Index,
        db: &Path,
        root: &Path,
    ) -> (SyncReport, Vec<i64>) {
        let other = Connection::open(db).unwrap();
        let mut seen = Vec::new();
        let roots = [root.to_owned()];
        let report = index
            .sync_with(
                &roots,
                SourceKind::Local,
                |_| {
                    let indexes: i64 = other
                        .query_row(
                            "SELECT count(*) FROM sqlite_master WHERE name IN (?1, ?2, ?3)",
                            READ_INDEX_NAMES,
                            |r| r.get(0),
                        )
                        .unwrap();
                    seen.push(indexes);
                },
                || false,
            )
            .unwrap();
        (report, seen)
    }

    /// A first scan writes without the read indexes and builds them at the end (also when
    /// the demo's tracks are in first, as in the app); one cancelled part way builds them
    /// too, and an index left without them (a crash during a first scan) gets them back when
    /// it is opened. A rescan of an index that holds many rows keeps them throughout.
    #[test]
    fn a_first_scan_builds_the_read_indexes_at_the_end() {
        let expected = READ_INDEX_NAMES;
        let dir = tempfile::tempdir().unwrap();
        let root = fake_music(dir.path(), BULK_ROWS + 10);
        let demo = dir.path().join("demo");
        std::fs::create_dir_all(&demo).unwrap();
        for i in 0..3 {
            std::fs::write(demo.join(format!("{i} Demo.mp3")), b"x").unwrap();
        }
        let path = dir.path().join("index.sqlite");
        let mut index = Index::open(&path).unwrap();
        index.commit_rows = 100;
        assert_eq!(read_indexes(&index), expected);
        index
            .sync(std::slice::from_ref(&demo), SourceKind::Demo)
            .unwrap();
        let (report, seen) = scan_counting_read_indexes(&mut index, &path, &root);
        assert_eq!(report.added, BULK_ROWS + 10);
        // Reports at 0, 256 (the indexes dropped after it), 512, 768, and at the end.
        assert!(seen.len() >= 4, "{seen:?}");
        assert!(seen[2..seen.len() - 1].iter().all(|&n| n == 0), "{seen:?}");
        assert_eq!(read_indexes(&index), expected, "built at the end");
        let by_title: String = index
            .conn
            .query_row(
                "EXPLAIN QUERY PLAN SELECT id FROM tracks WHERE search_title = 'x'",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(by_title.contains("tracks_search_title"), "{by_title}");

        // Now that it holds many rows, a rescan that writes keeps them (enough rows for a
        // report after a commit past the point where a first scan drops them).
        for i in 0..600 {
            std::fs::write(root.join(format!("new {i}.mp3")), b"y").unwrap();
        }
        let (report, seen) = scan_counting_read_indexes(&mut index, &path, &root);
        assert_eq!(report.added, 600);
        assert!(seen.len() >= 3, "{seen:?}");
        assert!(seen.iter().all(|&n| n == 3), "{seen:?}");

        // Cancelled part way through the writing (asked at the folder, then before each
        // batch): what it wrote stays, and so do the indexes.
        let mut index = Index::open(&dir.path().join("cancelled.sqlite")).unwrap();
        let calls = AtomicUsize::new(0);
        let report = index
            .sync_with(
                std::slice::from_ref(&root),
                SourceKind::Local,
                |_| {},
                || calls.fetch_add(1, Ordering::SeqCst) >= 3,
            )
            .unwrap();
        assert!(report.cancelled);
        assert!(report.added > 0 && report.added < BULK_ROWS, "{report:?}");
        assert_eq!(read_indexes(&index), expected, "built after a cancel");

        // Left without them: back on open.
        let index = Index::open(&dir.path().join("cancelled.sqlite")).unwrap();
        index.conn.execute_batch(DROP_READ_INDEXES).unwrap();
        drop(index);
        let index = Index::open(&dir.path().join("cancelled.sqlite")).unwrap();
        assert_eq!(read_indexes(&index), expected, "restored on open");
    }

    /// A first scan that fails part way (a write refused at the 450th file): the transactions
    /// committed before stay, the open one is rolled back, and the read indexes are built
    /// all the same (not inside the open transaction, which would roll them back with it).
    #[test]
    fn a_failed_first_scan_keeps_its_commits_and_the_read_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let root = fake_music(dir.path(), 1_000);
        let mut index = Index::open(&dir.path().join("failed.sqlite")).unwrap();
        index.commit_rows = 100;
        index
            .conn
            .execute_batch(
                "CREATE TRIGGER refuse BEFORE INSERT ON tracks
                 WHEN CAST(NEW.path AS TEXT) LIKE '%00450 Song.mp3'
                 BEGIN SELECT RAISE(ABORT, 'injected'); END;",
            )
            .unwrap();
        let failed = index.sync(std::slice::from_ref(&root), SourceKind::Local);
        assert!(failed.is_err(), "{failed:?}");
        assert_eq!(index.len().unwrap(), 400, "the first four commits");
        assert_eq!(read_indexes(&index), READ_INDEX_NAMES);
        assert_consistent(&index);
    }

    /// A rescan whose walk is stopped by the reading side (a cancel between two batches while
    /// the walk still lists folders) deletes nothing: what it had not listed is not gone.
    #[test]
    fn a_walk_cut_short_by_a_cancel_while_reading_removes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("music");
        for folder in ["a", "b", "c"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        std::fs::write(root.join("c/keep.mp3"), b"x").unwrap();
        let mut index = Index::in_memory().unwrap();
        let roots = [root.clone()];
        assert_eq!(index.sync(&roots, SourceKind::Local).unwrap().added, 1);
        for i in 0..300 {
            std::fs::write(root.join(format!("a/{i:03}.mp3")), b"x").unwrap();
        }
        std::fs::write(root.join("b/new.mp3"), b"x").unwrap();

        let cancelled_while_reading = AtomicBool::new(false);
        let (walk_checks, read_checks) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let report = index
            .sync_with(
                &roots,
                SourceKind::Local,
                |_| {},
                || {
                    if std::thread::current().name() == Some("lyrebird-walk") {
                        // The root, a, then b: wait at b until the reading side cancelled.
                        if walk_checks.fetch_add(1, Ordering::SeqCst) == 2 {
                            while !cancelled_while_reading.load(Ordering::SeqCst) {
                                std::thread::sleep(std::time::Duration::from_millis(1));
                            }
                        }
                        false
                    } else {
                        // Before the first batch go on, before the second cancel.
                        let cancel = read_checks.fetch_add(1, Ordering::SeqCst) >= 1;
                        if cancel {
                            cancelled_while_reading.store(true, Ordering::SeqCst);
                        }
                        cancel
                    }
                },
            )
            .unwrap();
        assert!(report.cancelled, "{report:?}");
        assert_eq!((report.added, report.removed), (256, 0), "{report:?}");
        let paths: Vec<PathBuf> = index
            .tracks()
            .unwrap()
            .into_iter()
            .filter_map(|t| t.path)
            .collect();
        assert!(paths.contains(&root.join("c/keep.mp3")), "{paths:?}");
        assert!(
            !paths.contains(&root.join("b/new.mp3")),
            "b was not reached"
        );
        assert_consistent(&index);
    }
}
