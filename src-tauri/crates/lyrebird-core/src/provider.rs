//! Sources of music and how the actor asks them for a playable stream.
//!
//! Local files resolve on the spot. Remote sources (Subsonic, `NetEase`) will resolve in their own
//! cancellable tasks that reply to the actor with a message carrying the request id; the actor
//! drops replies whose id is stale. This module holds the shared vocabulary for that.

use std::path::PathBuf;

use crate::model::{SourceKind, Track};

/// Identifies one lookup the actor started; replies carry it back.
pub type LookupId = u64;

/// Where the audio thread can read a track from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Playable {
    File(PathBuf),
}

/// Why a source could not give a playable stream for a track.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("this track has no file")]
    NoLocation,
    #[error("{0} is missing")]
    Missing(String),
}

/// Resolve a track to something the audio thread can open. Local and demo tracks resolve
/// synchronously: their path is the stream.
pub fn resolve_local(track: &Track) -> Result<Playable, ResolveError> {
    debug_assert!(matches!(track.source, SourceKind::Local | SourceKind::Demo));
    let path = track.path.as_ref().ok_or(ResolveError::NoLocation)?;
    if path.exists() {
        Ok(Playable::File(path.clone()))
    } else {
        Err(ResolveError::Missing(path.display().to_string()))
    }
}
