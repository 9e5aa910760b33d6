//! The fallback race's score card: which sources are still searching, what each found, and
//! when the winner is certain. Pure bookkeeping: the actor feeds it replies and tells it when
//! the deadline has passed; it never waits or spawns anything.

use std::collections::BTreeSet;

use crate::matching::{self, Match};
use crate::model::Track;
use crate::provider::ResolveError;

/// At most this many candidates of one source are kept (untrusted answers: bounded state).
const MAX_PER_SOURCE: usize = 20;

/// A copy of the wanted track found in another source.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// The source's position in the registry (lower = preferred by the user).
    pub entry: usize,
    pub track: Track,
    pub fit: Match,
}

/// What the race has decided so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Wait: a better answer may still come.
    Undecided,
    /// This candidate (an index into [`Race::candidates`]) plays.
    Winner(usize),
    /// No copy good enough was found.
    Nothing,
}

/// One race: the track wanted, the sources still searching, the candidates found.
#[derive(Clone, Debug)]
pub struct Race {
    wanted: Track,
    pending: BTreeSet<usize>,
    candidates: Vec<Candidate>,
    min_score: f32,
}

impl Race {
    /// A race for `wanted` among the sources at these registry positions.
    #[must_use]
    pub fn new(wanted: Track, entrants: impl IntoIterator<Item = usize>, min_score: f32) -> Self {
        Self {
            wanted,
            pending: entrants.into_iter().collect(),
            candidates: Vec::new(),
            min_score,
        }
    }

    #[must_use]
    pub fn wanted(&self) -> &Track {
        &self.wanted
    }

    /// Every candidate scored so far (those that are certainly other recordings are dropped).
    #[must_use]
    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// Whether source `entry` is still searching.
    #[must_use]
    pub fn is_pending(&self, entry: usize) -> bool {
        self.pending.contains(&entry)
    }

    /// Source `entry` answered. A failure counts as "found nothing". Answers from sources not
    /// in the race (or a second answer from one) are ignored.
    pub fn record(&mut self, entry: usize, found: Result<Vec<Track>, ResolveError>) {
        if !self.pending.remove(&entry) {
            return;
        }
        let Ok(tracks) = found else { return };
        for track in tracks.into_iter().take(MAX_PER_SOURCE) {
            let duplicate = self
                .candidates
                .iter()
                .any(|c| c.entry == entry && c.track.id == track.id);
            if track.id == self.wanted.id || duplicate {
                continue;
            }
            if let Some(fit) = matching::score(&self.wanted, &track) {
                self.candidates.push(Candidate { entry, track, fit });
            }
        }
    }

    /// The decision, given what has arrived. A perfect match wins as soon as no source the
    /// user prefers to it is still searching; otherwise the best score at or above the
    /// threshold wins once every source has answered or `deadline_passed`.
    #[must_use]
    pub fn verdict(&self, deadline_passed: bool) -> Verdict {
        let perfect = self
            .candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.fit.perfect)
            .min_by_key(|(i, c)| (c.entry, *i));
        if let Some((index, candidate)) = perfect
            && self.pending.range(..candidate.entry).next().is_none()
        {
            return Verdict::Winner(index);
        }
        if !self.pending.is_empty() && !deadline_passed {
            return Verdict::Undecided;
        }
        self.best()
            .map_or(Verdict::Nothing, |(index, _)| Verdict::Winner(index))
    }

    /// The highest score at or above the threshold; ties go to the preferred source.
    fn best(&self) -> Option<(usize, &Candidate)> {
        self.candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.fit.score >= self.min_score)
            .max_by(|(i, a), (j, b)| {
                a.fit
                    .score
                    .total_cmp(&b.fit.score)
                    .then(b.entry.cmp(&a.entry))
                    .then(j.cmp(i))
            })
    }

    /// The candidates for the user to choose from, the winner first, then by score (ties by
    /// preference); and the threshold a fallback must reach.
    #[must_use]
    pub fn into_ranked(self, winner: usize) -> Vec<Candidate> {
        let mut rest = self.candidates;
        let first = rest.remove(winner);
        rest.sort_by(|a, b| {
            b.fit
                .score
                .total_cmp(&a.fit.score)
                .then(a.entry.cmp(&b.entry))
        });
        rest.insert(0, first);
        rest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SourceKind, TrackId};

    fn track(id: &str, title: &str, duration_ms: Option<u64>) -> Track {
        Track {
            artists: vec!["Artist".into()],
            duration_ms,
            ..Track::new(TrackId(id.into()), SourceKind::Subsonic, title)
        }
    }

    fn wanted() -> Track {
        track("netease:1", "Song", Some(200_000))
    }

    fn perfect(id: &str) -> Vec<Track> {
        vec![track(id, "Song", Some(200_200))]
    }

    /// A copy that matches, but not perfectly (its length is unknown).
    fn good(id: &str) -> Vec<Track> {
        vec![track(id, "Song", None)]
    }

    #[test]
    fn a_perfect_match_from_the_top_source_wins_at_once() {
        let mut race = Race::new(wanted(), [1, 2, 3], 0.75);
        race.record(1, Ok(perfect("a")));
        assert_eq!(race.verdict(false), Verdict::Winner(0));
    }

    #[test]
    fn a_perfect_match_waits_for_sources_the_user_prefers() {
        let mut race = Race::new(wanted(), [1, 2, 3], 0.75);
        race.record(2, Ok(perfect("b")));
        assert_eq!(
            race.verdict(false),
            Verdict::Undecided,
            "source 1 may have one"
        );
        race.record(1, Ok(perfect("a")));
        let Verdict::Winner(i) = race.verdict(false) else {
            panic!("undecided")
        };
        assert_eq!(race.candidates()[i].entry, 1, "the preferred source's copy");
        // Had the preferred source found nothing, the other perfect match would win without
        // waiting for source 3.
        let mut race = Race::new(wanted(), [1, 2, 3], 0.75);
        race.record(2, Ok(perfect("b")));
        race.record(1, Err(ResolveError::Timeout));
        assert_eq!(race.verdict(false), Verdict::Winner(0));
        assert!(race.is_pending(3));
    }

    #[test]
    fn without_a_perfect_match_the_best_score_wins_when_all_answered_or_at_the_deadline() {
        let mut race = Race::new(wanted(), [1, 2, 3], 0.75);
        race.record(1, Ok(good("a")));
        assert_eq!(race.verdict(false), Verdict::Undecided);
        assert_eq!(race.verdict(true), Verdict::Winner(0), "at the deadline");
        race.record(2, Ok(vec![track("b", "Song", Some(202_500))]));
        race.record(3, Ok(vec![]));
        let Verdict::Winner(i) = race.verdict(false) else {
            panic!("undecided")
        };
        assert_eq!(
            race.candidates()[i].track.id.0,
            "b",
            "the closer length wins"
        );
    }

    #[test]
    fn ties_go_to_the_preferred_source() {
        let mut race = Race::new(wanted(), [1, 2], 0.75);
        race.record(2, Ok(good("b")));
        race.record(1, Ok(good("a")));
        let Verdict::Winner(i) = race.verdict(false) else {
            panic!("undecided")
        };
        assert_eq!(race.candidates()[i].entry, 1);
    }

    #[test]
    fn nothing_good_enough_is_nothing() {
        let mut race = Race::new(wanted(), [1, 2], 0.75);
        race.record(1, Ok(vec![track("a", "Song (Live)", Some(200_000))]));
        assert_eq!(race.verdict(false), Verdict::Undecided);
        race.record(2, Err(ResolveError::Failed("500".into())));
        assert_eq!(race.verdict(false), Verdict::Nothing);
        assert!(race.candidates().is_empty(), "the live version is dropped");
        let empty = Race::new(wanted(), [], 0.75);
        assert_eq!(empty.verdict(false), Verdict::Nothing);
    }

    #[test]
    fn the_wanted_track_itself_duplicates_and_strangers_are_ignored() {
        let mut race = Race::new(wanted(), [1], 0.75);
        race.record(7, Ok(perfect("x")));
        race.record(
            1,
            Ok(vec![
                wanted(),
                track("a", "Song", None),
                track("a", "Song", None),
            ]),
        );
        race.record(1, Ok(perfect("late")));
        assert_eq!(race.candidates().len(), 1);
    }

    #[test]
    fn ranking_puts_the_winner_first_then_by_score() {
        let mut race = Race::new(wanted(), [1, 2, 3], 0.75);
        race.record(1, Ok(good("a")));
        race.record(2, Ok(vec![track("b", "Song", Some(202_500))]));
        race.record(3, Ok(perfect("c")));
        let ranked = race.into_ranked(0);
        let ids: Vec<_> = ranked.iter().map(|c| c.track.id.0.as_str()).collect();
        assert_eq!(ids, ["a", "c", "b"]);
    }
}
