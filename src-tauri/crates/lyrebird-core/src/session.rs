//! What survives a restart besides settings: the queue, where the cursor was, the position and
//! the play mode. Written atomically like settings (see `settings::save_json`), in two files:
//! `session.json` (the cursor, position and mode: small, saved at every track change and every
//! 30 s while playing) and `queue.json` beside it (the tracks: saved only when the queue
//! changed). One file held both, and a queue of 100 000 tracks was serialized again on the
//! actor at every track change: the actor stopped for over a second each time (issue #19).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::model::Track;
use crate::queue::PlayMode;

/// The saved session. Unknown fields are ignored and missing ones take defaults.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Session {
    /// The queue itself, as sessions saved before `queue.json` held it (read, never written).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub queue: Vec<SavedTrack>,
    /// The token of the `queue.json` this cursor belongs to: a queue file with another token
    /// (written just before the app stopped, without its session) restores uncued.
    pub queue_token: Option<u64>,
    pub current: Option<usize>,
    pub position_ms: u64,
    pub mode: PlayMode,
}

/// The saved queue (`queue.json`), written only when the queue changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SavedQueue {
    /// Random, new at every save; the session names the one it goes with.
    pub token: u64,
    pub tracks: Vec<SavedTrack>,
}

/// Where the queue is saved: `queue.json` beside the session file.
#[must_use]
pub fn queue_path(session: &std::path::Path) -> PathBuf {
    session.with_file_name("queue.json")
}

/// A queued track with where it plays from (which the UI-facing [`Track`] leaves out).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedTrack {
    #[serde(flatten)]
    pub track: Track,
    pub file: Option<String>,
}

impl SavedTrack {
    /// `None` for a track whose path is not valid UTF-8 (JSON cannot hold it faithfully).
    #[must_use]
    pub fn new(track: &Track) -> Option<Self> {
        let file = match &track.path {
            Some(path) => Some(path.to_str()?.to_owned()),
            None => None,
        };
        Some(Self {
            track: track.clone(),
            file,
        })
    }

    #[must_use]
    pub fn into_track(self) -> Track {
        Track {
            path: self.file.map(PathBuf::from),
            ..self.track
        }
    }
}
