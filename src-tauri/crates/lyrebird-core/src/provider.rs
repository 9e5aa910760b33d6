//! Sources of music and how the actor asks them for a playable stream.
//!
//! Local files resolve on the spot. Remote sources (Subsonic, `NetEase`) implement [`Source`]:
//! the actor runs each lookup as its own task with a child cancellation token, a request id
//! and a deadline; the task replies with a message and the actor drops replies whose request
//! it has since cancelled. A source gets nothing mutable from the actor, so parallel lookups
//! cannot trample each other's state (go-musicfox's `concurrent map writes`).

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::model::{SourceKind, Track};

/// Identifies one lookup the actor started; replies carry it back.
pub type LookupId = u64;

/// Where the audio thread can read a track from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Playable {
    File(PathBuf),
    Stream(StreamSpec),
}

/// A remote stream: the URL with the headers this request needs (each request builds its own),
/// and the key under which the finished download is cached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamSpec {
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// `source:track:quality`; `None` for streams that must not be cached.
    pub cache_key: Option<String>,
}

/// Why a source could not give a playable stream for a track.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("this track has no file")]
    NoLocation,
    #[error("{0} is missing")]
    Missing(String),
    #[error("no source for {0:?} tracks is set up")]
    NoSource(SourceKind),
    #[error("the source did not answer in time")]
    Timeout,
    #[error("not available: {0}")]
    Unavailable(String),
    #[error("{0}")]
    Failed(String),
}

/// What a source's lookup returns.
pub type ResolveFuture = Pin<Box<dyn Future<Output = Result<Playable, ResolveError>> + Send>>;

/// A place music comes from. Implementations hold only immutable configuration and shared
/// clients; everything a lookup needs travels in its arguments.
pub trait Source: Send + Sync + 'static {
    /// Resolve `track` to a stream. Runs in its own task; should stop promptly once `cancel`
    /// fires (the actor no longer wants the answer).
    fn resolve(&self, track: Track, cancel: CancellationToken) -> ResolveFuture;
}

/// The sources the actor may ask, by kind. Built once at start-up and never changed: a
/// read-only registry, shared by reference-counting, not mutable state.
#[derive(Clone, Default)]
pub struct Sources(Arc<HashMap<SourceKind, Arc<dyn Source>>>);

impl Sources {
    #[must_use]
    pub fn new(sources: impl IntoIterator<Item = (SourceKind, Arc<dyn Source>)>) -> Self {
        Self(Arc::new(sources.into_iter().collect()))
    }

    #[must_use]
    pub fn get(&self, kind: SourceKind) -> Option<Arc<dyn Source>> {
        self.0.get(&kind).cloned()
    }
}

impl std::fmt::Debug for Sources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// Whether `track` resolves on the spot (a file on this machine).
#[must_use]
pub fn is_local(track: &Track) -> bool {
    matches!(track.source, SourceKind::Local | SourceKind::Demo)
}

/// Resolve a track to something the audio thread can open. Local and demo tracks resolve
/// synchronously: their path is the stream.
pub fn resolve_local(track: &Track) -> Result<Playable, ResolveError> {
    debug_assert!(is_local(track));
    let path = track.path.as_ref().ok_or(ResolveError::NoLocation)?;
    if path.exists() {
        Ok(Playable::File(path.clone()))
    } else {
        Err(ResolveError::Missing(path.display().to_string()))
    }
}
