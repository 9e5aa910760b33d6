//! The fallback race, the actor's side: when the current track's own source cannot give a
//! stream, every other source searches for a copy at once (one cancellable task each); the
//! actor scores the answers ([`crate::race`]), plays the winner, cancels the rest, and
//! remembers the decision for the session. Everything here runs on the actor's task and
//! touches only the actor's own state.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::load::Load;
use super::{Actor, Answer, Purpose};
use crate::audio::{AudioCommand, AudioOutput, PlayId};
use crate::events::{CandidateView, PlayingFrom};
use crate::model::{Track, TrackId, Unplayable};
use crate::provider::{self, LookupId, ResolveError, Source};
use crate::race::{Candidate, Race, Verdict};

/// Decisions remembered per session; beyond this many the memory starts over (bounded state).
const MAX_DECISIONS: usize = 4_096;

/// How the race is run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FallbackConfig {
    /// When this has passed since the race started, the best answer so far wins and the
    /// sources still searching are cancelled.
    pub deadline: Duration,
    /// The lowest score (0..=1) a copy needs to be played without the user choosing it.
    pub min_score: f32,
}

impl Default for FallbackConfig {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(3),
            min_score: 0.75,
        }
    }
}

/// A race in flight for the current load.
pub(super) struct RaceInFlight {
    pub(super) play_id: PlayId,
    pub(super) race: Race,
    /// When the best answer so far wins. `None` once the race found nothing good enough while
    /// `own` is still asked: the track's own source is then the last hope, and nothing else
    /// is waited for.
    pub(super) deadline: Option<Instant>,
    /// The track's own source's lookup (`Purpose::Play`), asked beside the race because its
    /// list said it will not play the track (`Track::unplayable`): the list may be out of date
    /// (the user subscribed since). Its stream plays if it comes before a copy has won; a
    /// copy that wins first cancels it. `None` for a race started after that source said no.
    pub(super) own: Option<LookupId>,
    /// Why the track's own source could not play it (or, while `own` is asked, why its list
    /// said so).
    reason: ResolveError,
}

/// A decision: which copy plays a track its own source cannot, and the others found.
#[derive(Clone, Debug)]
pub(super) struct Substitution {
    candidates: Vec<Candidate>,
    chosen: usize,
    reason: String,
}

/// Whether a load plays the track from its own source or a copy from another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Origin {
    Own,
    Copy,
}

/// How a track gets to the audio thread.
pub(super) enum Route {
    /// A file on this machine.
    Local(Track),
    /// Resolved by this source.
    Remote(Arc<dyn Source>, Track),
    /// Nothing can resolve it as it is.
    Unplayable(ResolveError),
}

impl<A: AudioOutput> Actor<A> {
    /// How `track` plays: through the copy decided earlier, or its own source.
    pub(super) fn route(&self, track: &Track) -> (Route, Origin) {
        if let Some(substitution) = self.substitutes.get(&track.id) {
            let candidate = &substitution.candidates[substitution.chosen];
            return (self.candidate_route(candidate), Origin::Copy);
        }
        let route = if provider::is_local(track) {
            Route::Local(track.clone())
        } else if let Some(down) = self.home_down(track) {
            // Straight to the race: no waiting for a server known to be away.
            Route::Unplayable(ResolveError::Failed(down))
        } else {
            match self.config.sources.home_for(track) {
                Some(home) => Route::Remote(
                    self.config.sources.entries()[home].source.clone(),
                    track.clone(),
                ),
                None => Route::Unplayable(ResolveError::NoSource(track.source)),
            }
        };
        (route, Origin::Own)
    }

    fn candidate_route(&self, candidate: &Candidate) -> Route {
        if provider::is_local(&candidate.track) {
            return Route::Local(candidate.track.clone());
        }
        if let Some(down) = self.source_down(candidate.entry) {
            return Route::Unplayable(ResolveError::Failed(down));
        }
        match self.config.sources.entry(candidate.entry) {
            Some(entry) => Route::Remote(entry.source.clone(), candidate.track.clone()),
            None => Route::Unplayable(ResolveError::NoSource(candidate.track.source)),
        }
    }

    /// The current load could not be resolved: try the next copy if it was already a copy,
    /// otherwise race the other sources for one.
    pub(super) fn resolve_failed(&mut self, error: ResolveError) {
        let Some(track) = self.queue.current().cloned() else {
            return;
        };
        if self.playing_origin == Origin::Copy {
            self.next_candidate(&track);
        } else {
            self.start_race(track, error);
        }
    }

    /// The current load could not be heard: its stream would not open (refused, timed out,
    /// an error page or an error body instead of audio), its first packets would not decode,
    /// or it stalled until the watchdog gave up — also mid-track, when a server goes away.
    /// This copy cannot play, so another is looked for, from where the player stands, before
    /// the track is given up. With nowhere else to look, the track is skipped as before.
    pub(super) fn playback_failed(&mut self, reason: String) {
        let Some(track) = self.queue.current().cloned() else {
            return;
        };
        tracing::warn!(name = %track.display_name(), %reason, "cannot play this copy");
        let another_copy = match self.playing_origin {
            Origin::Copy => true,
            Origin::Own => !self.race_entrants(&track).is_empty(),
        };
        if !another_copy {
            self.cannot_play_because(&track, reason);
            return;
        }
        // Whatever the failed load still reports is stale from here on.
        self.play_id = self.fresh_play_id();
        self.withdraw_preload();
        self.load = Load::Idle;
        self.audio.send(AudioCommand::Stop);
        if self.status == crate::events::PlaybackStatus::Playing {
            self.status = crate::events::PlaybackStatus::Loading;
        }
        self.dirty.state = true;
        self.resolve_failed(ResolveError::Failed(reason));
    }

    /// The sources that may hold a copy of `wanted`: every one but its own — and its own too
    /// when that is the local library (the file may have moved within it; the library never
    /// offers the missing file itself).
    fn race_entrants(&self, wanted: &Track) -> Vec<usize> {
        let home = if provider::is_local(wanted) {
            None
        } else {
            self.config.sources.home_for(wanted)
        };
        (0..self.config.sources.entries().len())
            .filter(|i| Some(*i) != home && self.source_down(*i).is_none())
            .collect()
    }

    /// Ask every source that may hold a copy (see [`Self::race_entrants`]), all at once.
    fn start_race(&mut self, wanted: Track, reason: ResolveError) {
        let entrants = self.race_entrants(&wanted);
        if entrants.is_empty() {
            self.no_copy_found(&wanted, &reason);
            return;
        }
        self.race(wanted, entrants, reason, None);
    }

    /// The current track's own source is asked for it (lookup `own`, the load now
    /// `Resolving`), though its list said it will not play it (`listed`): a NetEase song
    /// greyed out or VIP only. Race the other sources at the same time instead of after its
    /// "no", so a copy is not kept waiting for that round trip. Whichever settles it first
    /// plays: the own source's stream (its `resolve` gives whole tracks only, never a trial
    /// clip) if it comes before a copy has won, else the copy, and the own lookup is then
    /// cancelled. With no other source to ask, the load stays `Resolving` as for any track.
    pub(super) fn race_beside_own(&mut self, own: LookupId, listed: Unplayable) {
        let Some(wanted) = self.queue.current().cloned() else {
            return;
        };
        let entrants = self.race_entrants(&wanted);
        if entrants.is_empty() {
            return;
        }
        let reason = ResolveError::Unavailable(
            match listed {
                Unplayable::Greyed => "listed as greyed out",
                Unplayable::NeedsVip => "listed as needing a subscription",
            }
            .into(),
        );
        self.race(wanted, entrants, reason, Some(own));
    }

    /// Ask `entrants` for copies of `wanted`, all at once, with `own` (if any) still asked.
    fn race(
        &mut self,
        wanted: Track,
        entrants: Vec<usize>,
        reason: ResolveError,
        own: Option<LookupId>,
    ) {
        // Silence while searching (a missing local file left the previous track playing).
        self.audio.send(AudioCommand::Stop);
        self.stats.races_started += 1;
        let play_id = self.play_id;
        tracing::info!(name = %wanted.display_name(), %reason, sources = entrants.len(), beside_own = own.is_some(), "fallback race");
        for &entry in &entrants {
            let source = self.config.sources.entries()[entry].source.clone();
            let track = wanted.clone();
            self.spawn_lookup(Purpose::Fallback { play_id, entry }, move |token| {
                Box::pin(async move { source.find(track, token).await.map(Answer::Found) })
            });
        }
        let min_score = self.config.fallback.min_score;
        self.load = Load::Racing(Box::new(RaceInFlight {
            play_id,
            race: Race::new(wanted, entrants, min_score),
            deadline: Some(Instant::now() + self.config.fallback.deadline),
            own,
            reason,
        }));
    }

    /// The track's own source answered, asked beside the race: its stream plays (the copies
    /// are no longer wanted); its "no" leaves the race to decide, with that source's own words
    /// as the reason.
    pub(super) fn own_answered_beside_race(
        &mut self,
        id: LookupId,
        result: Result<Answer, ResolveError>,
    ) {
        debug_assert_eq!(
            self.load.race().and_then(|flight| flight.own),
            Some(id),
            "a load's lookup answers while it races only when it was asked beside the race"
        );
        match super::stream(result) {
            Ok(media) => {
                let Some(flight) = self.load.take_race() else {
                    return;
                };
                self.cancel_lookups(|p| matches!(p, Purpose::Fallback { .. }));
                tracing::info!(
                    name = %flight.race.wanted().display_name(),
                    "its own source plays it after all; the race is called off"
                );
                self.send_load(media);
            }
            Err(e) => {
                if e == ResolveError::Timeout
                    && let Some(entry) = self.playing_source()
                {
                    self.source_unreachable(entry, &e.to_string());
                }
                let Some(flight) = self.load.race_mut() else {
                    return;
                };
                flight.own = None;
                flight.reason = e;
                // A race that had found nothing was only waiting for this answer.
                let found_nothing = flight.deadline.is_none();
                self.judge_race(found_nothing);
            }
        }
    }

    /// Source `entry` answered the race for load `play_id`.
    pub(super) fn race_reply(
        &mut self,
        play_id: PlayId,
        entry: usize,
        found: Result<Vec<Track>, ResolveError>,
    ) {
        let Some(flight) = self.load.race_mut().filter(|r| r.play_id == play_id) else {
            // Superseded races are cancelled with their lookups; this cannot normally happen.
            self.stats.stale_lookup_replies += 1;
            return;
        };
        flight.race.record(entry, found);
        self.judge_race(false);
    }

    /// The race's deadline passed: the best answer so far wins.
    pub(super) fn race_deadline_passed(&mut self) {
        self.judge_race(true);
    }

    /// Act on the race's verdict: wait, play the winner, or give up.
    fn judge_race(&mut self, deadline_passed: bool) {
        let Some(flight) = self.load.race() else {
            return;
        };
        let verdict = flight.race.verdict(deadline_passed);
        if verdict == Verdict::Undecided {
            return;
        }
        if verdict == Verdict::Nothing && flight.own.is_some() {
            // No copy good enough: the track's own source, still asked, is the last hope.
            self.cancel_lookups(|p| matches!(p, Purpose::Fallback { .. }));
            if let Some(flight) = self.load.race_mut() {
                flight.deadline = None;
            }
            return;
        }
        let Some(flight) = self.load.take_race() else {
            return;
        };
        // The losers and the latecomers — and the track's own source if it is still asked
        // beside the race: nobody wants their answers now.
        let play_id = flight.play_id;
        self.cancel_lookups(|p| match p {
            Purpose::Fallback { .. } => true,
            Purpose::Play { play_id: of } => flight.own.is_some() && *of == play_id,
            _ => false,
        });
        let wanted = flight.race.wanted().clone();
        let Verdict::Winner(winner) = verdict else {
            self.stats.races_lost += 1;
            self.no_copy_found(&wanted, &flight.reason);
            return;
        };
        self.stats.races_won += 1;
        let candidates = flight.race.into_ranked(winner);
        tracing::info!(
            name = %wanted.display_name(),
            from = %self.source_label(candidates[0].entry),
            score = candidates[0].fit.score,
            "fallback chosen"
        );
        if self.substitutes.len() >= MAX_DECISIONS {
            self.substitutes.clear();
        }
        self.substitutes.insert(
            wanted.id.clone(),
            Substitution {
                candidates,
                chosen: 0,
                reason: flight.reason.to_string(),
            },
        );
        self.play_substitute(&wanted);
    }

    /// Start the current load from the copy chosen for `wanted`.
    fn play_substitute(&mut self, wanted: &Track) {
        self.playing_origin = Origin::Copy;
        self.dirty.state = true;
        let (route, _) = self.route(wanted);
        self.start_route(route);
    }

    /// The chosen copy could not be resolved either: forget it and try the next good one.
    fn next_candidate(&mut self, wanted: &Track) {
        let min_score = self.config.fallback.min_score;
        let Some(substitution) = self.substitutes.get_mut(&wanted.id) else {
            return;
        };
        substitution.candidates.remove(substitution.chosen);
        let next = substitution
            .candidates
            .iter()
            .position(|c| c.fit.score >= min_score);
        if let Some(next) = next {
            substitution.chosen = next;
            self.play_substitute(wanted);
        } else {
            let substitution = self.substitutes.remove(&wanted.id);
            let reason = substitution.map(|s| s.reason).unwrap_or_default();
            let reason = if provider::is_local(wanted) {
                format!("{reason}; the other copies found could not play either")
            } else {
                let label = self.config.sources.label_for(wanted);
                format!(
                    "not available on {label} ({reason}); the copies in your other sources \
                     could not play either"
                )
            };
            self.cannot_play_because(wanted, reason);
        }
    }

    fn no_copy_found(&mut self, wanted: &Track, reason: &ResolveError) {
        // A file on this machine is not "available on" anything: say what is wrong with it.
        let reason = if provider::is_local(wanted) {
            format!("{reason}; no other copy found")
        } else {
            let label = self.config.sources.label_for(wanted);
            format!("not available on {label} ({reason}); no copy found in your other sources")
        };
        self.cannot_play_because(wanted, reason);
    }

    /// The user picked another copy of the current track.
    pub(super) fn use_candidate(
        &mut self,
        track: &TrackId,
        candidate: &str,
    ) -> Result<(), super::PlayerError> {
        let unknown = || super::PlayerError::NoSuchCandidate(candidate.to_owned());
        if self.queue.current().map(|t| &t.id) != Some(track) {
            return Err(unknown());
        }
        let index = self
            .substitutes
            .get(track)
            .and_then(|s| {
                s.candidates
                    .iter()
                    .position(|c| self.candidate_id(c) == candidate)
            })
            .ok_or_else(unknown)?;
        if let Some(substitution) = self.substitutes.get_mut(track) {
            substitution.chosen = index;
        }
        let paused = self.status == crate::events::PlaybackStatus::Paused;
        self.load_current(self.position_ms, paused);
        Ok(())
    }

    /// Use `sources` from now on. Decisions name sources by registry position, so they are
    /// carried over by source id (copies from a source that is gone are forgotten); a race in
    /// flight starts again among the new sources.
    pub(super) fn replace_sources(&mut self, sources: crate::provider::Sources) {
        if sources == self.config.sources {
            return;
        }
        let old = std::mem::replace(&mut self.config.sources, sources);
        let new = &self.config.sources;
        let moved = |entry: usize| old.entry(entry).and_then(|e| new.position_of(&e.id));
        self.substitutes.retain(|_, substitution| {
            let chosen = substitution.candidates[substitution.chosen].clone();
            substitution
                .candidates
                .retain_mut(|c| match moved(c.entry) {
                    Some(entry) => {
                        c.entry = entry;
                        true
                    }
                    None => false,
                });
            substitution.chosen = substitution
                .candidates
                .iter()
                .position(|c| c.track.id == chosen.track.id && moved(chosen.entry) == Some(c.entry))
                .unwrap_or(0);
            !substitution.candidates.is_empty()
        });
        if let Some(flight) = self.load.take_race() {
            self.cancel_lookups(|p| matches!(p, Purpose::Fallback { .. }));
            let wanted = flight.race.wanted().clone();
            match flight.own {
                // Its own source is still asked: race the new sources beside it again.
                Some(own) => {
                    self.load = Load::Resolving { lookup: own };
                    let entrants = self.race_entrants(&wanted);
                    if !entrants.is_empty() {
                        self.race(wanted, entrants, flight.reason, Some(own));
                    }
                }
                None => self.start_race(wanted, flight.reason),
            }
        }
        self.dirty.state = true;
    }

    /// Where the current track plays from, when it is a copy.
    pub(super) fn playing_from(&self) -> Option<PlayingFrom> {
        if self.playing_origin == Origin::Own {
            return None;
        }
        let substitution = self.substitutes.get(&self.queue.current()?.id)?;
        let chosen = substitution.candidates.get(substitution.chosen)?;
        Some(PlayingFrom {
            source_label: self.source_label(chosen.entry),
            reason: substitution.reason.clone(),
            candidate_id: self.candidate_id(chosen),
            candidates: substitution
                .candidates
                .iter()
                .map(|c| CandidateView {
                    id: self.candidate_id(c),
                    title: c.track.title.clone(),
                    artists: c.track.artists.clone(),
                    album: c.track.album.clone(),
                    duration_ms: c.track.duration_ms,
                    source_label: self.source_label(c.entry),
                    score: c.fit.score,
                    perfect: c.fit.perfect,
                })
                .collect(),
        })
    }

    /// The registry position of the copy chosen for `track`, if one is.
    pub(super) fn chosen_copy_entry(&self, track: &Track) -> Option<usize> {
        let substitution = self.substitutes.get(&track.id)?;
        Some(substitution.candidates.get(substitution.chosen)?.entry)
    }

    /// A candidate's id for the UI: its source and its own track id.
    fn candidate_id(&self, candidate: &Candidate) -> String {
        let source = self
            .config
            .sources
            .entry(candidate.entry)
            .map_or("?", |e| e.id.0.as_str());
        format!("{source}/{}", candidate.track.id)
    }

    fn source_label(&self, entry: usize) -> String {
        self.config
            .sources
            .entry(entry)
            .map(|e| e.label.clone())
            .unwrap_or_default()
    }
}
