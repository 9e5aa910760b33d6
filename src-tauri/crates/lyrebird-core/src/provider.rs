//! Sources of music and how the actor asks them for a playable stream.
//!
//! Local files resolve on the spot. Remote sources (Subsonic, `NetEase`) implement [`Source`]:
//! the actor runs each lookup as its own task with a child cancellation token, a request id
//! and a deadline; the task replies with a message and the actor drops replies whose request
//! it has since cancelled. A source gets nothing mutable from the actor, so parallel lookups
//! cannot trample each other's state (go-musicfox's `concurrent map writes`).

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::certificate::CertificatePin;
use crate::model::{SourceKind, Track};

pub use crate::ids::LookupId;

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
    /// The one certificate to accept, whoever issued it (a home server's self-signed one the
    /// user trusted). `None`: verified by the system's authorities, as everything else.
    pub certificate_pin: Option<CertificatePin>,
    /// `source:track:quality`; `None` for streams that must not be cached.
    pub cache_key: Option<String>,
    /// The quality the source offered for this stream, when it has levels (NetEase:
    /// `standard` … `master`, as `NeteaseQuality` names them): the player bar says what
    /// plays, which may be lower than asked.
    pub quality: Option<String>,
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

/// What a source's search for copies of a track returns: candidate tracks of its own, best
/// first or in any order (the actor scores them).
pub type FindFuture = Pin<Box<dyn Future<Output = Result<Vec<Track>, ResolveError>> + Send>>;

/// Which scrobble to send (the Subsonic `scrobble` call, Last.fm's rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScrobbleKind {
    /// The track started playing (`submission=false`).
    NowPlaying,
    /// The track has been listened to long enough to count as played (half its length or
    /// 4 minutes); `at` is when it started playing.
    Played { at: std::time::SystemTime },
}

/// What a source's scrobble returns; an error is only logged.
pub type ScrobbleFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// What a source's like (star) or unlike returns.
pub type LikeFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// A place music comes from. Implementations hold only immutable configuration and shared
/// clients; everything a lookup needs travels in its arguments.
pub trait Source: Send + Sync + 'static {
    /// Resolve `track` to a stream. Runs in its own task; should stop promptly once `cancel`
    /// fires (the actor no longer wants the answer).
    fn resolve(&self, track: Track, cancel: CancellationToken) -> ResolveFuture;

    /// Search this source for copies of `wanted` (another source could not play it): its own
    /// tracks that may be the same recording. A local candidate carries its `path`; any other
    /// is later resolved through this source's [`Source::resolve`]. Runs in its own task under
    /// the fallback race's deadline; should stop promptly once `cancel` fires. The default
    /// finds nothing, for sources that cannot search.
    fn find(&self, wanted: Track, cancel: CancellationToken) -> FindFuture {
        let _ = (wanted, cancel);
        Box::pin(async { Ok(Vec::new()) })
    }

    /// Tell this source that one of its own tracks is playing or has been played. The actor
    /// decides when, and runs it as a fire-and-forget task; `cancel` fires at shutdown. The
    /// default does nothing, for sources that keep no play history.
    fn scrobble(
        &self,
        track: Track,
        kind: ScrobbleKind,
        cancel: CancellationToken,
    ) -> ScrobbleFuture {
        let _ = (track, kind, cancel);
        Box::pin(async { Ok(()) })
    }

    /// Whether this source can like its tracks (the tray shows its Like item only then).
    fn can_like(&self) -> bool {
        false
    }

    /// Like (`liked`) or unlike one of this source's own tracks (Subsonic: star / unstar).
    /// The default refuses, for sources without likes.
    fn like(&self, track: Track, liked: bool, cancel: CancellationToken) -> LikeFuture {
        let _ = (liked, cancel);
        Box::pin(async move { Err(format!("{} cannot be liked here", track.id)) })
    }
}

/// Names one registered source, e.g. `"netease"` or `"subsonic:home"`; stable across
/// restarts (the shell derives it from the user's settings).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(pub String);

impl std::fmt::Display for SourceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One registered source: what it is, what to call it in the UI, and the implementation.
#[derive(Clone)]
pub struct SourceEntry {
    pub id: SourceId,
    pub kind: SourceKind,
    /// Shown to the user ("Playing from Home server").
    pub label: String,
    pub source: Arc<dyn Source>,
    /// When set, this entry is the home only of tracks of its kind whose id starts with this
    /// (several servers of one kind each resolve their own tracks).
    pub track_prefix: Option<String>,
    /// What the shell needs of this source besides resolving (a Subsonic server's client, for
    /// browsing and covers): taken from the registry in use, never kept aside.
    pub handle: Option<Arc<dyn std::any::Any + Send + Sync>>,
}

impl SourceEntry {
    #[must_use]
    pub fn new(
        id: impl Into<String>,
        kind: SourceKind,
        label: impl Into<String>,
        source: Arc<dyn Source>,
    ) -> Self {
        Self {
            id: SourceId(id.into()),
            kind,
            label: label.into(),
            source,
            track_prefix: None,
            handle: None,
        }
    }

    /// Keep `handle` with this entry (see [`SourceEntry::handle`]).
    #[must_use]
    pub fn with_handle(mut self, handle: Arc<dyn std::any::Any + Send + Sync>) -> Self {
        self.handle = Some(handle);
        self
    }

    /// This entry's handle, if it is a `T`.
    #[must_use]
    pub fn handle<T: 'static>(&self) -> Option<&T> {
        self.handle.as_deref()?.downcast_ref()
    }

    /// This entry resolves only the tracks of its kind whose id starts with `prefix`.
    #[must_use]
    pub fn owning_ids_starting_with(mut self, prefix: impl Into<String>) -> Self {
        self.track_prefix = Some(prefix.into());
        self
    }

    /// Whether this entry is where `track` resolves.
    #[must_use]
    pub fn is_home_of(&self, track: &Track) -> bool {
        self.kind == track.source
            && self
                .track_prefix
                .as_ref()
                .is_none_or(|prefix| track.id.0.starts_with(prefix.as_str()))
    }
}

impl std::fmt::Debug for SourceEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceEntry")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// The sources the actor may ask, in the user's order of priority (first = preferred). A
/// track resolves through the first source of its kind; when that fails, every other source
/// (several of one kind too, e.g. two Subsonic servers) takes part in the fallback race.
/// A read-only registry, shared by reference-counting, not mutable state; when the user
/// changes their sources the actor asks the shell for a new one, built for that generation of
/// the settings, and swaps it whole (`actor/registry.rs`).
#[derive(Clone, Default)]
pub struct Sources(Arc<[SourceEntry]>);

/// Two registries are equal when they hold the same entries (ids, labels and the very same
/// source objects) in the same order.
impl PartialEq for Sources {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self.0.iter().zip(other.0.iter()).all(|(a, b)| {
                a.id == b.id
                    && a.kind == b.kind
                    && a.label == b.label
                    && a.track_prefix == b.track_prefix
                    && Arc::ptr_eq(&a.source, &b.source)
            })
    }
}

impl Sources {
    /// One source per kind, in the given order, each labelled and named after its kind.
    #[must_use]
    pub fn new(sources: impl IntoIterator<Item = (SourceKind, Arc<dyn Source>)>) -> Self {
        Self::from_entries(sources.into_iter().map(|(kind, source)| {
            SourceEntry::new(kind_name(kind), kind, kind_display_name(kind), source)
        }))
    }

    /// These entries, in this order of priority.
    #[must_use]
    pub fn from_entries(entries: impl IntoIterator<Item = SourceEntry>) -> Self {
        Self(entries.into_iter().collect())
    }

    /// The position of the source that resolves `track`: the first of its kind that owns its
    /// id (see [`SourceEntry::owning_ids_starting_with`]).
    #[must_use]
    pub fn home_for(&self, track: &Track) -> Option<usize> {
        self.0.iter().position(|e| e.is_home_of(track))
    }

    /// The position of the entry with this id.
    #[must_use]
    pub fn position_of(&self, id: &SourceId) -> Option<usize> {
        self.0.iter().position(|e| &e.id == id)
    }

    /// What to call the home of `track` in a message.
    #[must_use]
    pub fn label_for(&self, track: &Track) -> String {
        self.home_for(track).map_or_else(
            || kind_display_name(track.source).to_owned(),
            |i| self.0[i].label.clone(),
        )
    }

    /// Every entry, by priority.
    #[must_use]
    pub fn entries(&self) -> &[SourceEntry] {
        &self.0
    }

    /// The entry with this id.
    #[must_use]
    pub fn by_id(&self, id: &str) -> Option<&SourceEntry> {
        self.0.iter().find(|e| e.id.0 == id)
    }

    /// The entry at a position of [`Sources::entries`].
    #[must_use]
    pub fn entry(&self, index: usize) -> Option<&SourceEntry> {
        self.0.get(index)
    }
}

impl std::fmt::Debug for Sources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|e| &e.id))
            .finish()
    }
}

fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Local => "local",
        SourceKind::Demo => "demo",
        SourceKind::Subsonic => "subsonic",
        SourceKind::NetEase => "netease",
    }
}

fn kind_display_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Local => "this computer",
        SourceKind::Demo => "the demo",
        SourceKind::Subsonic => "Subsonic",
        SourceKind::NetEase => "NetEase",
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
        // The file's name, not its path: the reason is shown to the user (and a full path
        // says more than the player bar has room for).
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Err(ResolveError::Missing(name))
    }
}
