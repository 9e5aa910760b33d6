//! A rescan's write side: tags are read and rows made ready on one thread per core, while the
//! index's one connection writes the rows already read, in order.
//!
//! Warm, a first scan of 20 000 real files used to spend three quarters of its time on the
//! index side, with the cores idle: each batch of 256 files was read, then inserted (each
//! statement parsed again, each batch its own transaction, so its own full-text segments).
//! Now the readers run ahead of the writer through a bounded channel (in runs of [`CHUNK`]
//! files, so the threads seldom wake each other), the text is folded and the JSON written on
//! the readers, the writer's statements are prepared once per rescan, and a transaction spans
//! [`COMMIT_ROWS`] files.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use lyrebird_core::model::SourceKind;
use rusqlite::{Connection, OptionalExtension, Statement, params};

use super::{IndexError, path_bytes, source_name, with_cjk_grams};
use crate::normalize::normalize;
use crate::{FoundFile, ReadTrack};

/// Rows written between two commits of a rescan. Large, because `FTS5` flushes a segment
/// per transaction and merges them later; a cancelled rescan commits what it wrote.
pub(super) const COMMIT_ROWS: usize = 8192;

/// Files a reader takes at a time and hands over together.
const CHUNK: usize = 16;

/// Files read ahead of the writer, at most (a bound on memory, not a batch).
const READ_AHEAD: usize = 512;

/// One file's row, made on a reader thread: its tags, and the text and JSON the writer
/// binds as they are.
pub(super) struct Row {
    pub(super) read: ReadTrack,
    /// The file's path as the index keys it.
    pub(super) path: Vec<u8>,
    artists: String,
    replay_gain: Option<String>,
    search_title: String,
    /// The folded title, artists and album for the trigram table.
    substrings: String,
    /// The same with the characters and pairs of its CJK runs, for the word table.
    words: String,
}

impl Row {
    pub(super) fn read(file: &FoundFile, source: SourceKind) -> Self {
        let read = crate::read_found(file, source);
        let track = &read.track;
        let artists = serde_json::to_string(&track.artists).unwrap_or_else(|_| "[]".into());
        let replay_gain = track
            .replay_gain
            .and_then(|rg| serde_json::to_string(&rg).ok());
        let search_title = normalize(&track.title);
        let substrings = normalize(&format!(
            "{} {} {}",
            track.title,
            track.artists.join(" "),
            track.album.as_deref().unwrap_or_default()
        ));
        let words = with_cjk_grams(&substrings);
        Self {
            path: path_bytes(&file.path),
            read,
            artists,
            replay_gain,
            search_title,
            substrings,
            words,
        }
    }
}

/// Run `work` on every file and give the results to `consume` in the files' order, on this
/// thread, while the next ones are read: on a reader thread per core but one, and on this
/// thread too whenever it has nothing to hand over yet. (The writer's share is serial: with a
/// reader on every core it would get only its fair share of a core and fall behind.)
/// `consume` returning `false` stops the readers (files not yet handed over are dropped). A
/// reader that panics stops; what it had not handed over is left out, and so is every file
/// after it.
pub(super) fn read_in_order<R: Send, E>(
    files: &[FoundFile],
    work: impl Fn(&FoundFile) -> R + Sync,
    mut consume: impl FnMut(usize, R) -> Result<bool, E>,
) -> Result<(), E> {
    if files.is_empty() {
        return Ok(());
    }
    let threads = std::thread::available_parallelism()
        .map_or(2, std::num::NonZero::get)
        .saturating_sub(1)
        .clamp(1, files.len().div_ceil(CHUNK));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // Take the next run of files and read it: (its first file, the results, whether one
    // panicked), or `None` when every file is taken.
    let take_run = || -> Option<(usize, Vec<R>, bool)> {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        let first = next.fetch_add(CHUNK, Ordering::Relaxed);
        let run = files.get(first..files.len().min(first + CHUNK))?;
        let mut done = Vec::with_capacity(run.len());
        for file in run {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let Ok(result) = catch_unwind(AssertUnwindSafe(|| work(file))) else {
                tracing::warn!(path = %file.path.display(), "reading a file panicked");
                return Some((first, done, true));
            };
            done.push(result);
        }
        Some((first, done, false))
    };
    std::thread::scope(|scope| {
        let (sender, results) = mpsc::sync_channel::<(usize, Vec<R>)>(READ_AHEAD / CHUNK);
        for _ in 0..threads {
            let sender = sender.clone();
            let take_run = &take_run;
            let reader = move || {
                while let Some((first, run, panicked)) = take_run() {
                    if sender.send((first, run)).is_err() || panicked {
                        break;
                    }
                }
            };
            if let Err(e) = std::thread::Builder::new()
                .name("lyrebird-read".into())
                .spawn_scoped(scope, reader)
            {
                // This thread reads all the same, below.
                tracing::warn!(error = %e, "cannot start a reader thread");
            }
        }
        drop(sender);
        // Runs finish out of order: hold those that came early. A short run that is not the
        // last (a reader stopped part way) leaves a gap: nothing after it is handed over.
        let mut early = BTreeMap::new();
        let mut wanted = 0;
        let outcome = (|| {
            loop {
                while let Some(run) = early.remove(&wanted) {
                    let expected = CHUNK.min(files.len() - wanted);
                    let gap = Vec::len(&run) < expected;
                    for result in run {
                        if !consume(wanted, result)? {
                            return Ok(());
                        }
                        wanted += 1;
                    }
                    if gap || wanted == files.len() {
                        return Ok(());
                    }
                }
                let (first, run) = match results.try_recv() {
                    Ok(got) => got,
                    Err(mpsc::TryRecvError::Disconnected) => return Ok(()),
                    // Nothing to write yet: read a run here rather than wait.
                    Err(mpsc::TryRecvError::Empty) => match take_run() {
                        Some((first, run, _)) => (first, run),
                        None => match results.recv() {
                            Ok(got) => got,
                            Err(_) => return Ok(()),
                        },
                    },
                };
                early.insert(first, run);
            }
        })();
        stop.store(true, Ordering::Relaxed);
        drop(results); // a reader blocked on a full channel gets an error and ends
        outcome
    })
}

/// Insert a track row (`?24`: when it was added).
const INSERT: &str = "INSERT INTO tracks (id, path, size, mtime_ns, source, title, \
    artists, album, track_number, duration_ms, has_cover, replay_gain, search_title, \
    disc_number, album_artist, problem, year, genre, codec, sample_rate, bit_depth, bitrate, \
    channels, added_at) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
    ?19, ?20, ?21, ?22, ?23, ?24)";

/// The statements a rescan writes with, prepared once (they outlive its transactions).
pub(super) struct Writer<'c> {
    conn: &'c Connection,
    insert_new: Statement<'c>,
    find_path: Statement<'c>,
    update: Statement<'c>,
    delete_substrings: Statement<'c>,
    delete_words: Statement<'c>,
    insert_substrings: Statement<'c>,
    insert_words: Statement<'c>,
}

impl<'c> Writer<'c> {
    pub(super) fn new(conn: &'c Connection) -> Result<Self, IndexError> {
        Ok(Self {
            conn,
            insert_new: conn.prepare(&format!("{INSERT} ON CONFLICT DO NOTHING"))?,
            find_path: conn.prepare("SELECT rowid FROM tracks WHERE path = ?1")?,
            update: conn.prepare(
                "UPDATE tracks SET id = ?1, path = ?2, size = ?3, mtime_ns = ?4, source = ?5, \
                 title = ?6, artists = ?7, album = ?8, track_number = ?9, duration_ms = ?10, \
                 has_cover = ?11, replay_gain = ?12, search_title = ?13, disc_number = ?14, \
                 album_artist = ?15, problem = ?16, year = ?17, genre = ?18, codec = ?19, \
                 sample_rate = ?20, bit_depth = ?21, bitrate = ?22, channels = ?23 \
                 WHERE rowid = ?24",
            )?,
            delete_substrings: conn.prepare("DELETE FROM search_substrings WHERE rowid = ?1")?,
            delete_words: conn.prepare("DELETE FROM search_words WHERE rowid = ?1")?,
            insert_substrings: conn
                .prepare("INSERT INTO search_substrings (rowid, text) VALUES (?1, ?2)")?,
            insert_words: conn.prepare("INSERT INTO search_words (rowid, text) VALUES (?1, ?2)")?,
        })
    }

    /// Insert `row` for `file`, or update the row `known_rowid` (or another source's row for
    /// the same path), with its two search rows, in the transaction open on the connection.
    pub(super) fn upsert(
        &mut self,
        file: &FoundFile,
        row: &Row,
        known_rowid: Option<i64>,
        now: i64,
    ) -> Result<(), IndexError> {
        let track = &row.read.track;
        let size = i64::try_from(file.size).unwrap_or(i64::MAX);
        let duration = track.duration_ms.and_then(|d| i64::try_from(d).ok());
        let source = source_name(track.source);
        let columns = params![
            track.id.0,
            row.path,
            size,
            file.mtime_ns,
            source,
            track.title,
            row.artists,
            track.album,
            track.track_number,
            duration,
            track.has_cover,
            row.replay_gain,
            row.search_title,
            row.read.disc_number,
            row.read.album_artist,
            row.read.problem,
            track.year,
            track.genre,
            track.codec,
            track.sample_rate,
            track.bit_depth,
            track.bitrate,
            track.channels,
        ];
        let mut values = columns.to_vec();
        let mut existing = known_rowid;
        if existing.is_none() {
            // A new file, as a rule: insert it (no look-up first). A path this source has
            // not indexed may still be another source's row; then that row is updated.
            values.push(&now);
            if self.insert_new.execute(values.as_slice())? == 1 {
                return self.insert_search_rows(self.conn.last_insert_rowid(), row);
            }
            existing = self
                .find_path
                .query_row([&row.path], |r| r.get(0))
                .optional()?;
            values.pop();
        }
        let Some(rowid) = existing else {
            // The conflict was not the path (an id shared by two paths): fail as plainly.
            values.push(&now);
            self.conn.execute(INSERT, values.as_slice())?;
            return self.insert_search_rows(self.conn.last_insert_rowid(), row);
        };
        values.push(&rowid);
        self.update.execute(values.as_slice())?;
        self.delete_substrings.execute([rowid])?;
        self.delete_words.execute([rowid])?;
        self.insert_search_rows(rowid, row)
    }

    fn insert_search_rows(&mut self, rowid: i64, row: &Row) -> Result<(), IndexError> {
        self.insert_substrings
            .execute(params![rowid, row.substrings])?;
        self.insert_words.execute(params![rowid, row.words])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(n: usize) -> Vec<FoundFile> {
        (0..n)
            .map(|i| FoundFile {
                path: format!("/music/{i:05}.mp3").into(),
                size: i as u64,
                mtime_ns: 0,
            })
            .collect()
    }

    #[test]
    fn results_come_in_the_files_order_and_stop_when_asked() {
        let files = files(3_000);
        let mut seen = Vec::new();
        read_in_order(
            &files,
            |f| {
                // Uneven work, so readers finish out of order.
                if f.size % 7 == 0 {
                    std::thread::sleep(std::time::Duration::from_micros(50));
                }
                f.size
            },
            |i, size| -> Result<bool, ()> {
                assert_eq!(i as u64, size);
                seen.push(size);
                Ok(true)
            },
        )
        .unwrap();
        assert_eq!(seen, (0..3_000).collect::<Vec<u64>>());

        let mut taken = 0;
        read_in_order(
            &files,
            |f| f.size,
            |i, _| -> Result<bool, ()> {
                taken += 1;
                Ok(i < 99)
            },
        )
        .unwrap();
        assert_eq!(taken, 100, "stopped after the hundredth");

        let failed = read_in_order(
            &files,
            |f| f.size,
            |i, _| if i == 5 { Err(i) } else { Ok(true) },
        );
        assert_eq!(failed, Err(5));
        read_in_order(
            &[],
            |f: &FoundFile| f.size,
            |_, _| -> Result<bool, ()> { panic!("nothing to read") },
        )
        .unwrap();
    }

    #[test]
    fn a_reader_that_panics_costs_what_it_had_not_handed_over() {
        let files = files(200);
        let mut seen = Vec::new();
        read_in_order(
            &files,
            |f| {
                assert!(f.size != 50, "a parser bug");
                f.size
            },
            |_, size| -> Result<bool, ()> {
                seen.push(size);
                Ok(true)
            },
        )
        .unwrap();
        assert_eq!(
            seen,
            (0..50).collect::<Vec<u64>>(),
            "in order up to the gap"
        );
    }
}
