//! Where the current track is on its way to being heard: one explicit state instead of
//! facts spread over the status, the race, the preload and a scan of the lookups.
//!
//! ```text
//!            load_current                 answer            Started…Ended
//!   Idle ──────────────────▶ Resolving ─────────────▶ Loaded { preload }
//!    ▲  (a local file loads at once) │ cannot resolve     ▲      │ gapless: the preload
//!    │                               ▼                    │      ▼ becomes the load
//!    └──── stop / nothing left ── Racing ── a copy wins ──┘   Loaded { None }
//! ```
//!
//! A track its own source's list marked as one it will not play (`Track::unplayable`) goes
//! from `Idle` to `Racing` at once, its own source's lookup running beside the race
//! (`RaceInFlight::own`): that source's stream, if it comes before a copy has won, is the load.
//!
//! [`Actor::check_load`] states what must hold between turns; debug builds (every test, the
//! simulation included) check it after each turn.

use super::fallback::{Origin, RaceInFlight};
use super::{Actor, Purpose};
use crate::audio::{AudioOutput, PlayId};
use crate::events::PlaybackStatus;
use crate::ids::{EntryId, LookupId};

/// The current load's state.
pub(super) enum Load {
    /// Nothing is loaded or being loaded (stopped, or the queue is empty).
    Idle,
    /// The track's source is looking it up (lookup `lookup`); silence meanwhile.
    Resolving { lookup: LookupId },
    /// The track's own source (or the copy chosen before) could not give it, or its list said
    /// it will not (then its own lookup runs beside the race: `RaceInFlight::own`); the other
    /// sources search for copies.
    Racing(Box<RaceInFlight>),
    /// Handed to the audio thread; `preload` is decoded ahead to follow it without a gap.
    Loaded { preload: Option<Preload> },
}

/// The track the audio thread prepares to follow the current one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Preload {
    pub(super) play_id: PlayId,
    pub(super) entry: EntryId,
    /// Whether it plays from its own source or a copy.
    pub(super) origin: Origin,
}

impl Load {
    pub(super) fn preload(&self) -> Option<Preload> {
        match self {
            Self::Loaded { preload } => *preload,
            _ => None,
        }
    }

    /// Forget the preload (the state stays `Loaded`).
    pub(super) fn take_preload(&mut self) -> Option<Preload> {
        match self {
            Self::Loaded { preload } => preload.take(),
            _ => None,
        }
    }

    pub(super) fn race(&self) -> Option<&RaceInFlight> {
        match self {
            Self::Racing(flight) => Some(flight),
            _ => None,
        }
    }

    pub(super) fn race_mut(&mut self) -> Option<&mut RaceInFlight> {
        match self {
            Self::Racing(flight) => Some(flight),
            _ => None,
        }
    }

    /// When the race in flight decides with what it has; `None` with no race, or once a race
    /// that found nothing waits for the track's own source (see `RaceInFlight::own`).
    pub(super) fn race_deadline(&self) -> Option<tokio::time::Instant> {
        self.race().and_then(|flight| flight.deadline)
    }

    /// Take the race out, leaving `Idle` in its place; `None` (and unchanged) otherwise.
    pub(super) fn take_race(&mut self) -> Option<RaceInFlight> {
        match std::mem::replace(self, Self::Idle) {
            Self::Racing(flight) => Some(*flight),
            other => {
                *self = other;
                None
            }
        }
    }

    /// Whether the current track is still being looked for (nothing is loaded yet).
    pub(super) fn is_pending(&self) -> bool {
        matches!(self, Self::Resolving { .. } | Self::Racing(_))
    }

    /// Its name, for logs and assertion messages.
    pub(super) fn name(&self) -> &'static str {
        match self {
            Self::Idle => "Idle",
            Self::Resolving { .. } => "Resolving",
            Self::Racing(_) => "Racing",
            Self::Loaded { .. } => "Loaded",
        }
    }
}

impl<A: AudioOutput> Actor<A> {
    /// What must hold between turns. `Err` names the first broken rule.
    pub(super) fn check_load(&self) -> Result<(), String> {
        let plays = self.lookups.count(|p| matches!(p, Purpose::Play { .. }));
        let racers = self
            .lookups
            .count(|p| matches!(p, Purpose::Fallback { play_id, .. } if *play_id == self.play_id));
        let stale = self.lookups.count(|p| match p {
            Purpose::Play { play_id } | Purpose::Fallback { play_id, .. } => {
                *play_id != self.play_id
            }
            _ => false,
        });
        let load = self.load.name();
        if stale > 0 {
            return Err(format!(
                "{stale} lookups for a replaced load are still wanted"
            ));
        }
        if self.status == PlaybackStatus::Stopped && !matches!(self.load, Load::Idle) {
            return Err(format!("stopped, but the load is {load}"));
        }
        match &self.load {
            Load::Idle => {
                if plays + racers > 0 {
                    return Err("idle with lookups for it in flight".into());
                }
                if self.status != PlaybackStatus::Stopped {
                    return Err(format!("idle, but {:?}", self.status));
                }
            }
            Load::Resolving { lookup } => {
                if plays != 1 || racers != 0 {
                    return Err(format!("resolving with {plays} loads and {racers} racers"));
                }
                if !self.lookups.is_in_flight(*lookup) {
                    return Err("resolving, but its lookup is gone".into());
                }
            }
            Load::Racing(flight) => {
                // Only the track's own source, asked beside the race, may be looked up.
                if plays != usize::from(flight.own.is_some()) {
                    return Err(format!(
                        "racing with {plays} loads looked up, own lookup {:?}",
                        flight.own
                    ));
                }
                if let Some(own) = flight.own
                    && !self.lookups.is_in_flight(own)
                {
                    return Err("racing beside its own source, whose lookup is gone".into());
                }
                if flight.deadline.is_none() && (flight.own.is_none() || racers > 0) {
                    return Err(format!(
                        "a race that found nothing waits with {racers} racers, own {:?}",
                        flight.own
                    ));
                }
                if flight.play_id != self.play_id {
                    return Err("racing for a replaced load".into());
                }
            }
            Load::Loaded { preload } => {
                if plays + racers > 0 {
                    return Err("loaded with lookups for it in flight".into());
                }
                if let Some(preload) = preload
                    && preload.play_id <= self.play_id
                {
                    return Err("the preload's play id is not newer than the load's".into());
                }
            }
        }
        if self.queue.current().is_none() && !matches!(self.load, Load::Idle) {
            return Err(format!("{load} with no current track"));
        }
        Ok(())
    }
}
