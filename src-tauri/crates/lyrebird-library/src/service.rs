//! The library index on a thread of its own, reached by messages.
//!
//! `SQLite` calls block, and a rescan takes seconds at scale; none of that may run on the async
//! runtime or hold up the player. One thread owns the [`Index`] (its connection is not shared);
//! [`LibraryHandle`] sends it requests and awaits the replies. Searches typed while a rescan runs
//! wait for it; they are answered in order.

use std::path::PathBuf;
use std::sync::mpsc;

use lyrebird_core::model::{SourceKind, Track, TrackId};
use tokio::sync::oneshot;

use crate::index::{Index, IndexError, SyncReport};

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

enum Request {
    Tracks(Reply<Vec<Track>>),
    Sync {
        roots: Vec<PathBuf>,
        source: SourceKind,
        progress: Box<dyn FnMut(usize, usize) + Send>,
        reply: Reply<SyncReport>,
    },
    Search {
        query: String,
        limit: usize,
        reply: Reply<Vec<TrackId>>,
    },
}

/// Cheap to clone; every method is a message to the library thread.
#[derive(Clone, Debug)]
pub struct LibraryHandle {
    requests: mpsc::Sender<Request>,
}

impl LibraryHandle {
    /// Start the library thread on the index at `path` (in memory when `None`). If the index
    /// cannot be opened at all, one in memory is used and the error is returned beside it.
    #[must_use]
    pub fn spawn(path: Option<PathBuf>) -> (Self, Option<IndexError>) {
        let (requests, inbox) = mpsc::channel();
        let (opened_tx, opened) = mpsc::channel();
        std::thread::Builder::new()
            .name("lyrebird-library".into())
            .spawn(move || {
                let (index, problem) = match path.as_deref().map(Index::open) {
                    Some(Ok(index)) => (index, None),
                    Some(Err(e)) => (Index::in_memory().expect("SQLite in memory"), Some(e)),
                    None => (Index::in_memory().expect("SQLite in memory"), None),
                };
                let _ = opened_tx.send(problem);
                serve(index, &inbox);
            })
            .expect("the OS can start a thread");
        let problem = opened.recv().ok().flatten();
        (Self { requests }, problem)
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

    /// Rescan `roots` for `source` (see [`Index::sync`]), reporting `progress(done, total)`
    /// from the library thread as tags are read.
    pub async fn sync(
        &self,
        roots: Vec<PathBuf>,
        source: SourceKind,
        progress: impl FnMut(usize, usize) + Send + 'static,
    ) -> Result<SyncReport, LibraryError> {
        let progress = Box::new(progress);
        self.ask(|reply| Request::Sync {
            roots,
            source,
            progress,
            reply,
        })
        .await
    }

    /// Track ids matching `query`, best first (see [`Index::search`]).
    pub async fn search(&self, query: String, limit: usize) -> Result<Vec<TrackId>, LibraryError> {
        self.ask(|reply| Request::Search {
            query,
            limit,
            reply,
        })
        .await
    }
}

fn serve(mut index: Index, inbox: &mpsc::Receiver<Request>) {
    while let Ok(request) = inbox.recv() {
        match request {
            Request::Tracks(reply) => {
                let _ = reply.send(index.tracks().map_err(Into::into));
            }
            Request::Sync {
                roots,
                source,
                mut progress,
                reply,
            } => {
                let result = index.sync_with_progress(&roots, source, &mut progress);
                let _ = reply.send(result.map_err(Into::into));
            }
            Request::Search {
                query,
                limit,
                reply,
            } => {
                let _ = reply.send(index.search(&query, limit).map_err(Into::into));
            }
        }
    }
}
