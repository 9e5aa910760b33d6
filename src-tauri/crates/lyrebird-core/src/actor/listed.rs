//! Remote tracks the user was shown (a server's search results, album and playlist pages), as
//! their source listed them. The webview names them by id when it plays or queues them, and
//! the actor takes them from here: what the server said, never a track the webview made up,
//! and no request to a server that may be down by then (its copies elsewhere can still play).

use std::collections::HashMap;

use super::{Actor, PlayerError};
use crate::audio::AudioOutput;
use crate::model::{Track, TrackId};
use crate::queue::QueuePosition;

/// How many listed tracks are remembered; beyond this the memory starts over (bounded state:
/// the pages on screen are listed again whenever they are opened).
const MAX_LISTED: usize = 20_000;

/// The most tracks one play or queue action names.
pub const MAX_TRACKS_PER_ACTION: usize = 5_000;

#[derive(Default)]
pub(super) struct Listed(HashMap<TrackId, Track>);

impl Listed {
    fn remember(&mut self, tracks: Vec<Track>) {
        if self.0.len() + tracks.len() > MAX_LISTED {
            self.0.clear();
        }
        for track in tracks.into_iter().take(MAX_LISTED) {
            self.0.insert(track.id.clone(), track);
        }
    }

    pub(super) fn get(&self, id: &TrackId) -> Option<&Track> {
        self.0.get(id)
    }
}

impl<A: AudioOutput> Actor<A> {
    pub(super) fn remember_listed(&mut self, tracks: Vec<Track>) {
        self.listed.remember(tracks);
    }

    /// The tracks named by `ids`, from what sources listed (or the library or queue).
    fn listed_tracks(&self, ids: &[TrackId]) -> Result<Vec<Track>, PlayerError> {
        if ids.is_empty() || ids.len() > MAX_TRACKS_PER_ACTION {
            return Err(PlayerError::NothingToPlay);
        }
        ids.iter()
            .map(|id| {
                self.listed
                    .get(id)
                    .or_else(|| self.find_track(id))
                    .cloned()
                    .ok_or_else(|| PlayerError::UnknownTrack(id.clone()))
            })
            .collect()
    }

    /// Append the listed tracks `ids` to the queue and play the first.
    pub(super) fn play_listed(&mut self, ids: &[TrackId]) -> Result<(), PlayerError> {
        let tracks = self.listed_tracks(ids)?;
        self.play_from(super::Action::PlayTracks(tracks))
    }

    /// Queue the listed tracks `ids` next or at the end.
    pub(super) fn enqueue_listed(
        &mut self,
        ids: &[TrackId],
        position: QueuePosition,
    ) -> Result<(), PlayerError> {
        let tracks = self.listed_tracks(ids)?;
        self.enqueue_tracks(tracks, position)
    }
}
