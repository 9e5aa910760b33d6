//! Scrobbling: "now playing" when a remote track starts, a play once it has been listened to
//! for half its length or 4 minutes (Last.fm's rule). The actor decides from the audio
//! thread's positions; the source's call runs as a fire-and-forget task.

use std::time::SystemTime;

use crate::audio::PlayId;
use crate::model::Track;
use crate::provider::ScrobbleKind;

/// A play counts once this much of it has been listened to, or half the track if shorter.
const PLAYED_AFTER_MS: u64 = 240_000;
/// Tracks shorter than this are never submitted (Last.fm's rule).
const SHORTEST_MS: u64 = 30_000;
/// A position step larger than this is a seek, not listening.
const MAX_STEP_MS: u64 = 2_000;

/// The scrobble state of the current load.
#[derive(Debug)]
pub(super) struct Scrobbling {
    play_id: PlayId,
    track: Track,
    started_at: SystemTime,
    last_position_ms: u64,
    listened_ms: u64,
    submitted: bool,
}

impl Scrobbling {
    /// The load `play_id` of `track` started at `position_ms`: send "now playing".
    pub(super) fn start(play_id: PlayId, track: Track, position_ms: u64) -> (Self, ScrobbleKind) {
        (
            Self {
                play_id,
                track,
                started_at: SystemTime::now(),
                last_position_ms: position_ms,
                listened_ms: 0,
                submitted: false,
            },
            ScrobbleKind::NowPlaying,
        )
    }

    pub(super) fn play_id(&self) -> PlayId {
        self.play_id
    }

    pub(super) fn track(&self) -> &Track {
        &self.track
    }

    /// The position moved to `position_ms`: the play to submit, once, when enough of the
    /// track has been listened to. Seeks (backwards, or jumps) do not count as listening.
    pub(super) fn position(
        &mut self,
        position_ms: u64,
        duration_ms: Option<u64>,
    ) -> Option<ScrobbleKind> {
        let step = position_ms.wrapping_sub(self.last_position_ms);
        if position_ms > self.last_position_ms && step <= MAX_STEP_MS {
            self.listened_ms += step;
        }
        self.last_position_ms = position_ms;
        let needed = duration_ms.map_or(PLAYED_AFTER_MS, |d| (d / 2).min(PLAYED_AFTER_MS));
        if self.submitted
            || self.listened_ms < needed
            || duration_ms.is_some_and(|d| d < SHORTEST_MS)
        {
            return None;
        }
        self.submitted = true;
        Some(ScrobbleKind::Played {
            at: self.started_at,
        })
    }
}
