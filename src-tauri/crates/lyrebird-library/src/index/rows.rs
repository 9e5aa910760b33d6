//! A rescan's pipeline: the walk lists folders on a thread of its own and hands the files to
//! read over as it goes; tags are read and rows made ready on one thread per core; the index's
//! one connection writes the rows already read, in the walk's order.
//!
//! Warm, a first scan of 20 000 real files used to spend three quarters of its time on the
//! index side, with the cores idle: each batch of 256 files was read, then inserted (each
//! statement parsed again, each batch its own transaction, so its own full-text segments).
//! Now the readers run ahead of the writer through a bounded channel (in runs of [`CHUNK`]
//! files, so the threads seldom wake each other), the text is folded and the JSON written on
//! the readers, the writer's statements are prepared once per rescan, and a transaction spans
//! [`COMMIT_ROWS`] files. Reading no longer waits for the walk either (it listed 20 000 files
//! in ~50 ms with a core idle): the first files are read while later folders are listed.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Receiver, Select, Sender, TryRecvError};

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

/// What a walk hands to [`read_in_order`]: items in order, passed on in runs of [`CHUNK`].
pub(super) struct Feed<'s, T> {
    runs: Sender<(usize, Vec<T>)>,
    run: Vec<T>,
    /// The number of the run's first item.
    first: usize,
    stop: &'s AtomicBool,
}

impl<'s, T> Feed<'s, T> {
    /// Hand `item` over to be read; `false` once the reading has stopped and wants no more.
    pub(super) fn push(&mut self, item: T) -> bool {
        if self.stop.load(Ordering::Relaxed) {
            return false;
        }
        self.run.push(item);
        if self.run.len() == CHUNK {
            self.pass_on();
        }
        true
    }

    /// Set once the reading has stopped, so the walk can stop too, between files as well.
    pub(super) fn stop_flag(&self) -> &'s AtomicBool {
        self.stop
    }

    /// Pass the run on now, short as it is (the walk is about to take a while: a folder's
    /// files should not wait for the next folder's).
    pub(super) fn pass_on(&mut self) {
        if self.run.is_empty() {
            return;
        }
        let run = std::mem::replace(&mut self.run, Vec::with_capacity(CHUNK));
        let len = run.len();
        // Only fails once the reading has stopped, when nothing more is wanted.
        let _ = self.runs.send((self.first, run));
        self.first += len;
    }
}

impl<T> Drop for Feed<'_, T> {
    /// The walk is over: its last, short run.
    fn drop(&mut self) {
        self.pass_on();
    }
}

/// Sets the flag when dropped.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// A run of items read: its first item's number, how many it had, and those read (fewer if a
/// read panicked), each with its result.
type Finished<T, R> = (usize, usize, Vec<(T, R)>);

/// Read the items `produce` hands over (the walk, on a thread of its own, as it lists the
/// folders) while it is still producing them, and give each with its result to `consume` in
/// their order, on this thread: `work` runs on a reader thread per core but one, and on this
/// thread too whenever it has nothing to hand over. (The writer's share is serial: with a
/// reader on every core it would get only its fair share of a core and fall behind.)
///
/// `consume` returning `false` (or an error, or a panic) stops the readers and the walk (the
/// next item it hands over is refused, and [`Feed::stop_flag`] is set). A read that panics stops: nothing from that item on is handed
/// over. Returns how consuming ended and what `produce` returned (`None` if it panicked).
pub(super) fn read_in_order<T: Send, R: Send, P: Send, E>(
    produce: impl FnOnce(&mut Feed<'_, T>) -> P + Send,
    work: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(usize, T, R) -> Result<bool, E>,
) -> (Result<(), E>, Option<P>) {
    let readers = std::thread::available_parallelism()
        .map_or(2, std::num::NonZero::get)
        .saturating_sub(1)
        .max(1);
    let stop = AtomicBool::new(false);
    let (runs_sender, runs) = crossbeam_channel::unbounded::<(usize, Vec<T>)>();
    let (results_sender, results) =
        crossbeam_channel::bounded::<Finished<T, R>>(READ_AHEAD / CHUNK);
    // Read a run: the items with their results, up to the first whose read panicked.
    let read_run = |run: Vec<T>| -> Vec<(T, R)> {
        let mut done = Vec::with_capacity(run.len());
        for item in run {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let Ok(result) = catch_unwind(AssertUnwindSafe(|| work(&item))) else {
                lyrebird_core::warn_limited!("reading a file panicked");
                break;
            };
            done.push((item, result));
        }
        done
    };
    // The walk runs once, on its thread (or here, if the OS will not start one).
    let produce = Mutex::new(Some((produce, runs_sender)));
    let walk = || {
        let (produce, runs) = produce.lock().ok()?.take()?;
        let mut feed = Feed {
            runs,
            run: Vec::with_capacity(CHUNK),
            first: 0,
            stop: &stop,
        };
        Some(produce(&mut feed))
    };
    std::thread::scope(|scope| {
        for _ in 0..readers {
            let (runs, results) = (runs.clone(), results_sender.clone());
            let read_run = &read_run;
            let reader = move || {
                // Until the walk is over and every run taken.
                for (first, run) in &runs {
                    let len = run.len();
                    let done = read_run(run);
                    let panicked = done.len() < len;
                    if results.send((first, len, done)).is_err() || panicked {
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
        drop(results_sender);
        let walk_thread = std::thread::Builder::new()
            .name("lyrebird-walk".into())
            .spawn_scoped(scope, walk);
        let mut walked = None;
        if let Err(e) = &walk_thread {
            tracing::warn!(error = %e, "cannot start the walk's thread: walking first");
            walked = walk();
        }
        // Stop the walk and the readers however consuming ends (a panic too, or the scope
        // would wait for the whole walk before passing it on).
        let stopping = StopOnDrop(&stop);
        let outcome = hand_over_in_order(&runs, &results, &read_run, &mut consume);
        drop(stopping);
        // A reader blocked on a full channel gets an error and ends; the others end with
        // the walk, which the stop ends at its next folder or file.
        drop(results);
        if let Ok(thread) = walk_thread {
            walked = thread.join().ok().flatten();
        }
        (outcome, walked)
    })
}

/// The consuming side of [`read_in_order`]: give `consume` the items of the runs in their
/// order, as readers finish them (out of order: those that come early wait), reading a run
/// here while none is ready. A short run (a read that panicked) leaves a gap: nothing after it
/// is handed over.
fn hand_over_in_order<T, R, E>(
    runs: &Receiver<(usize, Vec<T>)>,
    results: &Receiver<Finished<T, R>>,
    read_run: &dyn Fn(Vec<T>) -> Vec<(T, R)>,
    consume: &mut impl FnMut(usize, T, R) -> Result<bool, E>,
) -> Result<(), E> {
    let mut early = BTreeMap::new();
    let mut wanted = 0;
    let (mut walking, mut reading) = (true, true);
    loop {
        while let Some((len, run)) = early.remove(&wanted) {
            let gap = Vec::len(&run) < len;
            for (item, result) in run {
                if !consume(wanted, item, result)? {
                    return Ok(());
                }
                wanted += 1;
            }
            if gap {
                return Ok(());
            }
        }
        // What the readers finished first, else a run read here, else wait for either.
        if reading {
            match results.try_recv() {
                Ok((first, len, run)) => {
                    early.insert(first, (len, run));
                    continue;
                }
                Err(TryRecvError::Disconnected) => reading = false,
                Err(TryRecvError::Empty) => {}
            }
        }
        if walking {
            match runs.try_recv() {
                Ok((first, run)) => {
                    early.insert(first, (run.len(), read_run(run)));
                    continue;
                }
                Err(TryRecvError::Disconnected) => walking = false,
                Err(TryRecvError::Empty) => {}
            }
        }
        if !(walking || reading) {
            return Ok(()); // every run read and handed over
        }
        let mut ready = Select::new();
        if reading {
            ready.recv(results);
        }
        if walking {
            ready.recv(runs);
        }
        ready.ready();
    }
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

    /// Hand over `0..n`, in order.
    fn numbers(n: u64) -> impl FnOnce(&mut Feed<'_, u64>) -> u64 + Send {
        move |feed| {
            let mut handed = 0;
            for i in 0..n {
                if !feed.push(i) {
                    break;
                }
                handed += 1;
            }
            handed
        }
    }

    #[test]
    fn results_come_in_the_walks_order_and_stop_when_asked() {
        let mut seen = Vec::new();
        let (outcome, handed) = read_in_order(
            numbers(3_000),
            |&i| {
                // Uneven work, so readers finish out of order.
                if i % 7 == 0 {
                    std::thread::sleep(std::time::Duration::from_micros(50));
                }
                i * 2
            },
            |n, i, doubled| -> Result<bool, ()> {
                assert_eq!((n as u64, i * 2), (i, doubled));
                seen.push(i);
                Ok(true)
            },
        );
        assert_eq!((outcome, handed), (Ok(()), Some(3_000)));
        assert_eq!(seen, (0..3_000).collect::<Vec<u64>>());

        // Stopping stops the walk too: it is refused the next item it hands over. (The walk
        // slows down after 10 000 items, so it cannot be over before it is stopped.)
        let slow_after = |n: u64| {
            move |feed: &mut Feed<'_, u64>| {
                let mut handed = 0;
                for i in 0..n {
                    if !feed.push(i) {
                        break;
                    }
                    handed += 1;
                    if i > 10_000 && i % 100 == 0 {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                }
                handed
            }
        };
        let mut taken = 0;
        let (outcome, handed) = read_in_order(
            slow_after(1_000_000),
            |&i| i,
            |n, _, _| -> Result<bool, ()> {
                taken += 1;
                Ok(n < 99)
            },
        );
        assert_eq!(outcome, Ok(()));
        assert_eq!(taken, 100, "stopped after the hundredth");
        assert!(handed.unwrap() < 1_000_000, "the walk stopped early");

        let (failed, _) = read_in_order(
            numbers(3_000),
            |&i| i,
            |n, _, _| if n == 5 { Err(n) } else { Ok(true) },
        );
        assert_eq!(failed, Err(5));
        let (outcome, handed) = read_in_order(
            numbers(0),
            |&i| i,
            |_, _, _| -> Result<bool, ()> { panic!("nothing to read") },
        );
        assert_eq!((outcome, handed), (Ok(()), Some(0)));
    }

    /// Items handed over one at a time, slowly (a folder on a slow disk), are read as they
    /// come, not once the walk is over.
    #[test]
    fn reading_starts_while_the_walk_goes_on() {
        let walk_over = AtomicBool::new(false);
        let mut read_during_the_walk = 0;
        let (outcome, _) = read_in_order(
            |feed: &mut Feed<'_, u64>| {
                // Four runs over ~130 ms: the first is ready after ~30 ms.
                for i in 0..(CHUNK as u64 * 4) {
                    feed.push(i);
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                walk_over.store(true, Ordering::SeqCst);
            },
            |&i| i,
            |_, _, _| -> Result<bool, ()> {
                if !walk_over.load(Ordering::SeqCst) {
                    read_during_the_walk += 1;
                }
                Ok(true)
            },
        );
        assert_eq!(outcome, Ok(()));
        assert!(
            read_during_the_walk >= CHUNK,
            "{read_during_the_walk} handed over before the walk ended"
        );
    }

    #[test]
    fn a_read_that_panics_stops_the_rest() {
        let mut seen = Vec::new();
        let (outcome, handed) = read_in_order(
            numbers(200),
            |&i| {
                assert!(i != 50, "a parser bug");
                i
            },
            |_, i, _| -> Result<bool, ()> {
                seen.push(i);
                Ok(true)
            },
        );
        assert_eq!(outcome, Ok(()));
        assert!(handed.is_some(), "the walk itself did not panic");
        assert_eq!(
            seen,
            (0..50).collect::<Vec<u64>>(),
            "in order up to the gap"
        );

        // A walk that panics: what it handed over is read, and no report of it comes back.
        let mut seen = 0;
        let (outcome, handed) = read_in_order(
            |feed: &mut Feed<'_, u64>| -> u64 {
                for i in 0..40 {
                    feed.push(i);
                }
                panic!("a walk bug")
            },
            |&i| i,
            |_, _, _| -> Result<bool, ()> {
                seen += 1;
                Ok(true)
            },
        );
        assert_eq!((outcome, handed, seen), (Ok(()), None, 40));
    }
}
