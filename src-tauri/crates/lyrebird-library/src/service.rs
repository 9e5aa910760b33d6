//! The library index on a thread of its own, reached by messages.
//!
//! `SQLite` calls block, and a rescan takes seconds at scale; none of that may run on the async
//! runtime or hold up the player. One thread owns the [`Index`] (its connection is not shared);
//! [`LibraryHandle`] sends it requests and awaits the replies. Searches typed while a rescan runs
//! wait for it; they are answered in order.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lyrebird_core::model::{SourceKind, Track, TrackId};
use tokio::sync::oneshot;

use crate::Problem;
use crate::index::{Album, Artist, Folder, Index, IndexError, SyncProgress, SyncReport};

/// Why a library request failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LibraryError {
    #[error("{0}")]
    Index(String),
    #[error("the library has shut down")]
    Gone,
}

impl From<IndexError> for LibraryError {
    fn from(error: IndexError) -> Self {
        Self::Index(error.to_string())
    }
}

impl serde::Serialize for LibraryError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

type Reply<T> = oneshot::Sender<Result<T, LibraryError>>;

/// What a rescan reports as it goes: files read of how many, and the folder being read.
pub type Progress = Box<dyn FnMut(&SyncProgress<'_>) + Send>;

enum Request {
    Tracks(Reply<Vec<Track>>),
    Sync {
        roots: Vec<PathBuf>,
        source: SourceKind,
        progress: Progress,
        /// Its number: `cancel_scan` stops every rescan numbered up to the latest.
        number: u64,
        reply: Reply<SyncReport>,
    },
    Problems(Reply<Vec<Problem>>),
    Albums(Reply<Vec<Album>>),
    Artists(Reply<Vec<Artist>>),
    Folders(Reply<Vec<Folder>>),
    RecentlyAdded {
        limit: usize,
        reply: Reply<Vec<TrackId>>,
    },
    Search {
        query: String,
        limit: usize,
        reply: Reply<Vec<TrackId>>,
    },
    /// Anything else that reads or writes the index (playlists): run there, answer inside.
    Run(Box<dyn FnOnce(&mut Index) + Send>),
}

/// Cheap to clone; every method is a message to the library thread.
#[derive(Clone, Debug)]
pub struct LibraryHandle {
    requests: mpsc::Sender<Request>,
    scans: Arc<Scans>,
}

/// Rescans are numbered as they are asked for; cancelling stops every one asked for so far
/// (the running one between two batches, queued ones before they start), none asked later.
#[derive(Debug, Default)]
struct Scans {
    issued: AtomicU64,
    cancelled_up_to: AtomicU64,
}

impl LibraryHandle {
    /// Start the library thread on the index at `path` (in memory when `None`). If the index
    /// cannot be opened at all, one in memory is used and the error is returned beside it.
    #[must_use]
    pub fn spawn(path: Option<PathBuf>) -> (Self, Option<IndexError>) {
        let (requests, inbox) = mpsc::channel();
        let (opened_tx, opened) = mpsc::channel();
        let scans = Arc::new(Scans::default());
        let scans_thread = Arc::clone(&scans);
        std::thread::Builder::new()
            .name("lyrebird-library".into())
            .spawn(move || {
                let (index, problem) = match path.as_deref().map(Index::open) {
                    Some(Ok(index)) => (index, None),
                    Some(Err(e)) => (Index::in_memory().expect("SQLite in memory"), Some(e)),
                    None => (Index::in_memory().expect("SQLite in memory"), None),
                };
                let _ = opened_tx.send(problem);
                serve(index, &inbox, &scans_thread);
            })
            .expect("the OS can start a thread");
        let problem = opened.recv().ok().flatten();
        (Self { requests, scans }, problem)
    }

    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, LibraryError> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(make(reply))
            .map_err(|_| LibraryError::Gone)?;
        answer.await.map_err(|_| LibraryError::Gone)?
    }

    /// Every indexed track, in path order.
    pub async fn tracks(&self) -> Result<Vec<Track>, LibraryError> {
        self.ask(Request::Tracks).await
    }

    /// Rescan `roots` for `source` (see [`Index::sync_with`]), reporting progress from the
    /// library thread as tags are read. [`LibraryHandle::cancel_scan`] stops it early.
    pub async fn sync(
        &self,
        roots: Vec<PathBuf>,
        source: SourceKind,
        progress: impl FnMut(&SyncProgress<'_>) + Send + 'static,
    ) -> Result<SyncReport, LibraryError> {
        let progress = Box::new(progress);
        let number = self.scans.issued.fetch_add(1, Ordering::SeqCst) + 1;
        self.ask(|reply| Request::Sync {
            roots,
            source,
            progress,
            number,
            reply,
        })
        .await
    }

    /// Stop the running rescan (between two batches of files) and any asked for before now;
    /// what they indexed stays. Does not wait for the library thread.
    pub fn cancel_scan(&self) {
        let latest = self.scans.issued.load(Ordering::SeqCst);
        self.scans
            .cancelled_up_to
            .fetch_max(latest, Ordering::SeqCst);
    }

    /// What the last rescan of each source could not read: folders and files it skipped,
    /// then files listed by their name only because their tags were unreadable.
    pub async fn problems(&self) -> Result<Vec<Problem>, LibraryError> {
        self.ask(Request::Problems).await
    }

    /// Every album, by title (see [`Index::albums`]).
    pub async fn albums(&self) -> Result<Vec<Album>, LibraryError> {
        self.ask(Request::Albums).await
    }

    /// Every artist, by name, with their tracks by album (see [`Index::artists`]).
    pub async fn artists(&self) -> Result<Vec<Artist>, LibraryError> {
        self.ask(Request::Artists).await
    }

    /// The tracks by folder: the demo's folder, then the local roots of the last rescan, each
    /// with its folders (see [`Index::folders`]).
    pub async fn folders(&self) -> Result<Vec<Folder>, LibraryError> {
        self.ask(Request::Folders).await
    }

    /// The most recently added tracks first, at most `limit`.
    pub async fn recently_added(&self, limit: usize) -> Result<Vec<TrackId>, LibraryError> {
        self.ask(|reply| Request::RecentlyAdded { limit, reply })
            .await
    }

    /// Run `job` on the library thread with the index, in turn with the other requests.
    pub async fn with_index<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Index) -> Result<T, IndexError> + Send + 'static,
    ) -> Result<T, LibraryError> {
        self.ask(|reply| {
            Request::Run(Box::new(move |index| {
                let _ = reply.send(job(index).map_err(Into::into));
            }))
        })
        .await
    }

    /// Track ids matching `query`, best first (see [`Index::search`]).
    pub async fn search(&self, query: String, limit: usize) -> Result<Vec<TrackId>, LibraryError> {
        // Nobody types more; a megabyte of query (from a compromised window) would hold the
        // library thread for most of a second.
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        self.ask(|reply| Request::Search {
            query,
            limit,
            reply,
        })
        .await
    }
}

/// A search's words are read up to this many characters.
const MAX_QUERY_CHARS: usize = 256;

/// How long the library thread waits for another request after a rescan that wrote rows
/// before it folds the write-ahead log into the index file ([`Index::checkpoint`]): the
/// requests that show the scan's result (tracks, albums) come first...
const CHECKPOINT_WHEN_IDLE: Duration = Duration::from_secs(1);

/// ...but it does so this long after the rescan at the latest, however busy it is.
const CHECKPOINT_AT_THE_LATEST: Duration = Duration::from_secs(10);

fn serve(mut index: Index, inbox: &mpsc::Receiver<Request>, scans: &Scans) {
    // The walk's problems of the last rescan of each source (tag problems live in the index).
    let mut walk_problems: HashMap<SourceKind, Vec<Problem>> = HashMap::new();
    // The roots of the last rescan of each source, for the folders view.
    let mut roots_of: HashMap<SourceKind, Vec<PathBuf>> = HashMap::new();
    // Since when a rescan's rows wait in the write-ahead log.
    let mut checkpoint_due: Option<Instant> = None;
    loop {
        let request = match checkpoint_due {
            Some(since) => match inbox.recv_timeout(CHECKPOINT_WHEN_IDLE) {
                Ok(request) if since.elapsed() < CHECKPOINT_AT_THE_LATEST => request,
                Ok(request) => {
                    checkpoint(&index);
                    checkpoint_due = None;
                    request
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    checkpoint(&index);
                    checkpoint_due = None;
                    continue;
                }
                // Closing the index folds the log in.
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            },
            None => match inbox.recv() {
                Ok(request) => request,
                Err(mpsc::RecvError) => break,
            },
        };
        match request {
            Request::Tracks(reply) => {
                let _ = reply.send(index.tracks().map_err(Into::into));
            }
            Request::Sync {
                roots,
                source,
                mut progress,
                number,
                reply,
            } => {
                roots_of.insert(source, roots.clone());
                let cancelled = || scans.cancelled_up_to.load(Ordering::SeqCst) >= number;
                let result = index.sync_with(&roots, source, &mut progress, cancelled);
                // A failed rescan may have committed some of its rows.
                if result.as_ref().map_or(true, |report| {
                    report.added + report.updated + report.removed > 0
                }) {
                    checkpoint_due.get_or_insert_with(Instant::now);
                }
                if let Ok(report) = &result {
                    walk_problems.insert(source, report.problems.clone());
                }
                let _ = reply.send(result.map_err(Into::into));
            }
            Request::Problems(reply) => {
                let mut problems: Vec<Problem> =
                    walk_problems.values().flatten().cloned().collect();
                problems.sort_by(|a, b| a.path.cmp(&b.path));
                let answer = index.problems().map(|tags| {
                    problems.extend(tags);
                    problems
                });
                let _ = reply.send(answer.map_err(Into::into));
            }
            Request::Albums(reply) => {
                let _ = reply.send(index.albums().map_err(Into::into));
            }
            Request::Artists(reply) => {
                let _ = reply.send(index.artists().map_err(Into::into));
            }
            Request::Folders(reply) => {
                let roots: Vec<(SourceKind, PathBuf)> = [SourceKind::Demo, SourceKind::Local]
                    .into_iter()
                    .flat_map(|source| {
                        let roots = roots_of.get(&source).cloned().unwrap_or_default();
                        roots.into_iter().map(move |root| (source, root))
                    })
                    .collect();
                let _ = reply.send(index.folders(&roots).map_err(Into::into));
            }
            Request::RecentlyAdded { limit, reply } => {
                let _ = reply.send(index.recently_added(limit).map_err(Into::into));
            }
            Request::Search {
                query,
                limit,
                reply,
            } => {
                let _ = reply.send(index.search(&query, limit).map_err(Into::into));
            }
            Request::Run(job) => job(&mut index),
        }
    }
}

fn checkpoint(index: &Index) {
    if let Err(e) = index.checkpoint() {
        tracing::warn!(error = %e, "library index checkpoint failed");
    }
}
