//! What survives a restart besides settings: the queue, where the cursor was, the position and
//! the play mode. Written atomically like settings (see `settings::save_json`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::model::Track;
use crate::queue::PlayMode;

/// The saved session. Unknown fields are ignored and missing ones take defaults.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Session {
    pub queue: Vec<SavedTrack>,
    pub current: Option<usize>,
    pub position_ms: u64,
    pub mode: PlayMode,
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
