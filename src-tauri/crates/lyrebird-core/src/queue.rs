//! The play queue: entries, a cursor, and the play mode. Owned by the actor alone.
//!
//! Every entry has its own id, so the same track can be queued twice and edits name exactly
//! what they mean even when the UI's copy of the queue is a moment old. Shuffle keeps a bag of
//! entries not yet played in this round: every entry plays once before any repeats, and the
//! bag is edited along with the queue, so it never points at something that is gone.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use std::collections::HashSet;

use crate::events::{QueueRows, QueueView};
use crate::model::{Track, TrackId};

pub use crate::ids::EntryId;

/// Rows per page of the queue's window (the UI's page size).
pub const PAGE: usize = 64;

/// A queue this long or shorter is published whole with its tracks; a longer one with a
/// window of this many entries (see [`QueueView`]).
pub const WINDOW: usize = 2 * PAGE;

/// At most this many entries are answered at once by [`Queue::rows`].
pub const MAX_ROWS: usize = 2_000;

/// One queued track.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueEntry {
    #[ts(type = "number")]
    pub entry_id: EntryId,
    pub track: Track,
}

/// What happens at the end of a track, and what "next" means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PlayMode {
    /// Through the queue once, then stop.
    #[default]
    InOrder,
    /// Through the queue, then from the top again.
    RepeatAll,
    /// The current track again at its end ("next" still moves on).
    RepeatOne,
    /// Every entry once in random order, then a new round.
    Shuffle,
}

/// Where newly queued tracks go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum QueuePosition {
    /// Right after the current track (also in shuffle).
    Next,
    /// At the end.
    End,
}

#[derive(Debug)]
pub struct Queue {
    entries: Vec<QueueEntry>,
    current: Option<usize>,
    next_entry_id: EntryId,
    /// Bumped whenever entries are added, removed or moved (what the saved queue follows).
    revision: u64,
    mode: PlayMode,
    /// Shuffle: entries not yet played this round, next first.
    upcoming: Vec<EntryId>,
    /// Shuffle: entries played before the current one, most recent last.
    history: Vec<EntryId>,
    rng: fastrand::Rng,
}

impl Default for Queue {
    fn default() -> Self {
        Self::with_seed(fastrand::u64(..))
    }
}

impl Queue {
    /// A queue whose shuffle order is reproducible (tests and simulations).
    #[must_use]
    pub fn with_seed(seed: u64) -> Self {
        Self {
            entries: Vec::new(),
            current: None,
            next_entry_id: EntryId(1),
            revision: 0,
            mode: PlayMode::InOrder,
            upcoming: Vec::new(),
            history: Vec::new(),
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    #[must_use]
    pub fn mode(&self) -> PlayMode {
        self.mode
    }

    /// Changes whenever entries are added, removed or moved (not when the cursor moves).
    #[must_use]
    pub fn revision(&self) -> u64 {
        self.revision
    }

    #[must_use]
    pub fn current_index(&self) -> Option<usize> {
        self.current
    }

    #[must_use]
    pub fn current(&self) -> Option<&Track> {
        self.current
            .and_then(|i| self.entries.get(i))
            .map(|e| &e.track)
    }

    #[must_use]
    pub fn current_entry_id(&self) -> Option<EntryId> {
        self.current
            .and_then(|i| self.entries.get(i))
            .map(|e| e.entry_id)
    }

    /// The first queued track with this id.
    #[must_use]
    pub fn find(&self, id: &TrackId) -> Option<&Track> {
        self.entries.iter().map(|e| &e.track).find(|t| &t.id == id)
    }

    /// Where an entry is now.
    #[must_use]
    pub fn index_of_entry(&self, entry: EntryId) -> Option<usize> {
        self.index_of(entry)
    }

    /// The track of one entry.
    #[must_use]
    pub fn entry(&self, entry: EntryId) -> Option<&Track> {
        self.entries
            .iter()
            .find(|e| e.entry_id == entry)
            .map(|e| &e.track)
    }

    fn index_of(&self, entry: EntryId) -> Option<usize> {
        self.entries.iter().position(|e| e.entry_id == entry)
    }

    fn make_entries(&mut self, tracks: Vec<Track>) -> Vec<QueueEntry> {
        tracks
            .into_iter()
            .map(|track| {
                let entry_id = self.next_entry_id;
                self.next_entry_id = self.next_entry_id.next();
                QueueEntry { entry_id, track }
            })
            .collect()
    }

    /// Replace the whole queue and point at `start` (clamped into range).
    pub fn replace(&mut self, tracks: Vec<Track>, start: usize) {
        self.revision += 1;
        self.entries = self.make_entries(tracks);
        self.current = if self.entries.is_empty() {
            None
        } else {
            Some(start.min(self.len() - 1))
        };
        self.new_shuffle_round();
        self.history.clear();
    }

    /// Add tracks at `position`; returns the index of the first one added.
    pub fn insert(&mut self, tracks: Vec<Track>, position: QueuePosition) -> usize {
        let at = match position {
            QueuePosition::Next => self.current.map_or(self.len(), |i| i + 1),
            QueuePosition::End => self.len(),
        };
        let added = self.make_entries(tracks);
        self.revision += 1;
        let ids: Vec<EntryId> = added.iter().map(|e| e.entry_id).collect();
        self.entries.splice(at..at, added);
        if let Some(current) = self.current.filter(|&c| c >= at) {
            self.current = Some(current + ids.len());
        }
        match position {
            // "Play next" means next, in shuffle too.
            QueuePosition::Next => {
                self.upcoming.splice(0..0, ids);
            }
            QueuePosition::End => {
                for id in ids {
                    let slot = self.rng.usize(..=self.upcoming.len());
                    self.upcoming.insert(slot, id);
                }
            }
        }
        at
    }

    /// Remove entries. When the current entry goes, the cursor moves to the entry that took its
    /// place (or the new last one); returns whether that happened.
    pub fn remove(&mut self, ids: &[EntryId]) -> bool {
        // A set: removing a thousand selected entries from 100 000 must not be 10^8 compares.
        let ids: HashSet<EntryId> = ids.iter().copied().collect();
        let current_id = self.current_entry_id();
        let current_index = self.current;
        let before = self.entries.len();
        self.entries.retain(|e| !ids.contains(&e.entry_id));
        if self.entries.len() != before {
            self.revision += 1;
        }
        self.upcoming.retain(|id| !ids.contains(id));
        self.history.retain(|id| !ids.contains(id));
        let current_removed = current_id.is_some_and(|id| ids.contains(&id));
        self.current = if self.entries.is_empty() {
            None
        } else if current_removed {
            current_index.map(|i| i.min(self.len() - 1))
        } else {
            current_id.and_then(|id| self.index_of(id))
        };
        if current_removed && let Some(id) = self.current_entry_id() {
            // The entry that took the current place is playing now, not upcoming.
            self.upcoming.retain(|&u| u != id);
        }
        current_removed
    }

    /// Move one entry to `to` (clamped); the cursor stays on the same entry. False if the entry
    /// is not queued.
    pub fn move_entry(&mut self, entry: EntryId, to: usize) -> bool {
        let Some(from) = self.index_of(entry) else {
            return false;
        };
        let current_id = self.current_entry_id();
        self.revision += 1;
        let moved = self.entries.remove(from);
        let to = to.min(self.entries.len());
        self.entries.insert(to, moved);
        self.current = current_id.and_then(|id| self.index_of(id));
        true
    }

    pub fn clear(&mut self) {
        self.revision += 1;
        self.entries.clear();
        self.current = None;
        self.upcoming.clear();
        self.history.clear();
    }

    /// Point at `index` (the user picked it); false and no change when out of range.
    pub fn select(&mut self, index: usize) -> bool {
        let Some(picked) = self.entries.get(index).map(|e| e.entry_id) else {
            return false;
        };
        if let Some(previous) = self.current_entry_id().filter(|&p| p != picked) {
            self.history.push(previous);
        }
        self.upcoming.retain(|&id| id != picked);
        self.current = Some(index);
        true
    }

    pub fn set_mode(&mut self, mode: PlayMode) {
        if mode == PlayMode::Shuffle && self.mode != PlayMode::Shuffle {
            self.new_shuffle_round();
            self.history.clear();
        }
        self.mode = mode;
    }

    /// A new shuffle round: every entry but the current one, in random order.
    fn new_shuffle_round(&mut self) {
        let current = self.current_entry_id();
        self.upcoming = self
            .entries
            .iter()
            .map(|e| e.entry_id)
            .filter(|&id| Some(id) != current)
            .collect();
        self.rng.shuffle(&mut self.upcoming);
    }

    /// Move to the next entry. `at_end` is true when the current track finished by itself (so
    /// repeat-one repeats); false for the user's "next" and for skipping a track that failed.
    /// Returns the new index, or `None` when the queue has ended (the cursor stays put).
    pub fn advance(&mut self, at_end: bool) -> Option<usize> {
        if self.entries.is_empty() {
            return None;
        }
        let Some(current) = self.current else {
            self.current = Some(0);
            return Some(0);
        };
        let next = match self.mode {
            PlayMode::RepeatOne if at_end => Some(current),
            PlayMode::InOrder | PlayMode::RepeatOne => {
                (current + 1 < self.len()).then_some(current + 1)
            }
            PlayMode::RepeatAll => Some((current + 1) % self.len()),
            PlayMode::Shuffle => {
                if self.upcoming.is_empty() {
                    self.new_shuffle_round();
                }
                let next = self
                    .upcoming
                    .first()
                    .copied()
                    .and_then(|id| self.index_of(id));
                if next.is_some() {
                    self.upcoming.remove(0);
                    self.history.push(self.entries[current].entry_id);
                }
                // A queue of one entry: play it again.
                next.or(Some(current))
            }
        }?;
        self.current = Some(next);
        Some(next)
    }

    /// The entry `advance(at_end)` would move to, without moving; `None` when that is not known
    /// yet (the end of the queue, or a shuffle round about to be drawn).
    #[must_use]
    pub fn peek_next(&self, at_end: bool) -> Option<EntryId> {
        let current = self.current?;
        let index = match self.mode {
            PlayMode::RepeatOne if at_end => current,
            PlayMode::InOrder | PlayMode::RepeatOne => current + 1,
            PlayMode::RepeatAll => (current + 1) % self.len(),
            PlayMode::Shuffle => return self.upcoming.first().copied(),
        };
        self.entries.get(index).map(|e| e.entry_id)
    }

    /// Move to the previous entry (the one played before, in shuffle). `None` at the start.
    pub fn go_back(&mut self) -> Option<usize> {
        let current = self.current?;
        let previous = match self.mode {
            PlayMode::Shuffle => {
                let previous = self.history.pop().and_then(|id| self.index_of(id))?;
                self.upcoming.insert(0, self.entries[current].entry_id);
                previous
            }
            PlayMode::RepeatAll if current == 0 => self.len() - 1,
            _ => current.checked_sub(1)?,
        };
        self.current = Some(previous);
        Some(previous)
    }

    /// Entries in shuffle's "still to play this round" bag (for invariant checks).
    #[must_use]
    pub fn shuffle_upcoming(&self) -> &[EntryId] {
        &self.upcoming
    }

    /// Every entry, in queue order (what the session saves).
    #[must_use]
    pub fn entries(&self) -> &[QueueEntry] {
        &self.entries
    }

    /// The queue as the UI is told of it: every entry's id, and the tracks of a window around
    /// the current entry (all of them for a queue of at most [`WINDOW`] entries).
    #[must_use]
    pub fn view(&self) -> QueueView {
        let start = self.window_start();
        let end = (start + WINDOW).min(self.len());
        QueueView {
            entry_runs: entry_runs(&self.entries),
            count: to_u32(self.len()),
            current: self.current.map(to_u32),
            window_start: to_u32(start),
            window: self.entries[start..end].to_vec(),
        }
    }

    /// Entries `start` to `end` (exclusive), at most [`MAX_ROWS`]; rows past the end are left
    /// out.
    #[must_use]
    pub fn rows(&self, start: u32, end: u32) -> QueueRows {
        let start = (start as usize).min(self.len());
        let end = (end as usize)
            .clamp(start, self.len())
            .min(start + MAX_ROWS);
        QueueRows {
            start: to_u32(start),
            count: to_u32(self.len()),
            entries: self.entries[start..end].to_vec(),
        }
    }

    /// Where the published window starts: page-aligned, holding the current entry's page and
    /// the next (or the queue's last [`WINDOW`] entries, near its end).
    fn window_start(&self) -> usize {
        if self.len() <= WINDOW {
            return 0;
        }
        let current_page = self.current.unwrap_or(0) / PAGE * PAGE;
        let last_window = (self.len() - WINDOW).div_ceil(PAGE) * PAGE;
        current_page.min(last_window)
    }
}

/// The entries' ids as runs of consecutive ids, `(first, how many)`.
fn entry_runs(entries: &[QueueEntry]) -> Vec<(EntryId, u32)> {
    let mut runs: Vec<(EntryId, u32)> = Vec::new();
    for entry in entries {
        match runs.last_mut() {
            Some((first, n)) if first.0 + u64::from(*n) == entry.entry_id.0 && *n < u32::MAX => {
                *n += 1;
            }
            _ => runs.push((entry.entry_id, 1)),
        }
    }
    runs
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::path::PathBuf;

    use super::*;
    use crate::model::SourceKind;

    fn tracks(n: usize) -> Vec<Track> {
        (0..n)
            .map(|i| Track::from_path(PathBuf::from(format!("/m/{i}.flac")), SourceKind::Local))
            .collect()
    }

    fn titles(q: &Queue) -> Vec<String> {
        q.entries().iter().map(|e| e.track.title.clone()).collect()
    }

    #[test]
    fn in_order_ends_and_repeat_all_wraps() {
        let mut q = Queue::with_seed(1);
        assert_eq!(q.advance(false), None);
        q.replace(tracks(3), 7);
        assert_eq!(q.current_index(), Some(2));
        assert_eq!(q.advance(true), None);
        assert_eq!(q.current_index(), Some(2), "the cursor stays at the end");
        q.set_mode(PlayMode::RepeatAll);
        assert_eq!(q.advance(true), Some(0));
        assert_eq!(q.go_back(), Some(2));
        q.set_mode(PlayMode::InOrder);
        assert_eq!(q.go_back(), Some(1));
        assert_eq!(q.go_back(), Some(0));
        assert_eq!(q.go_back(), None);
    }

    #[test]
    fn repeat_one_repeats_at_the_end_but_next_moves_on() {
        let mut q = Queue::with_seed(1);
        q.replace(tracks(2), 0);
        q.set_mode(PlayMode::RepeatOne);
        assert_eq!(q.advance(true), Some(0));
        assert_eq!(q.advance(false), Some(1));
        assert_eq!(q.advance(false), None);
    }

    #[test]
    fn play_next_and_add_to_end() {
        let mut q = Queue::with_seed(1);
        q.replace(tracks(3), 1);
        let at = q.insert(tracks(1), QueuePosition::Next);
        assert_eq!(at, 2);
        assert_eq!(titles(&q), ["0", "1", "0", "2"]);
        assert_eq!(q.insert(tracks(2), QueuePosition::End), 4);
        assert_eq!(q.len(), 6);
        assert_eq!(q.current_index(), Some(1));
        // Inserting before the cursor keeps it on the same entry.
        q.select(3);
        let id = q.current_entry_id();
        q.move_entry(q.entries()[5].entry_id, 0);
        assert_eq!(q.current_entry_id(), id);
        assert_eq!(q.current_index(), Some(4));
    }

    #[test]
    fn removing_the_current_entry_moves_the_cursor_to_its_successor() {
        let mut q = Queue::with_seed(1);
        q.replace(tracks(4), 1);
        let ids: Vec<EntryId> = q.entries().iter().map(|e| e.entry_id).collect();
        assert!(!q.remove(&[ids[3]]));
        assert_eq!(q.current_index(), Some(1));
        assert!(q.remove(&[ids[1]]));
        assert_eq!(titles(&q), ["0", "2"]);
        assert_eq!(q.current_index(), Some(1), "the entry that took its place");
        assert!(q.remove(&[ids[0], ids[2]]));
        assert!(q.is_empty());
        assert_eq!(q.current_index(), None);
        assert!(!q.move_entry(ids[0], 0));
    }

    #[test]
    fn shuffle_plays_every_entry_once_per_round_even_while_the_queue_changes() {
        for seed in 0..200 {
            let mut q = Queue::with_seed(seed);
            q.replace(tracks(8), 0);
            q.set_mode(PlayMode::Shuffle);
            let mut round: HashSet<EntryId> = HashSet::from([q.current_entry_id().unwrap()]);
            let mut rng = fastrand::Rng::with_seed(seed);
            for step in 0..100 {
                match rng.u8(..10) {
                    0 => {
                        q.insert(tracks(1), QueuePosition::End);
                    }
                    1 if q.len() > 2 => {
                        let victim = q.entries()[rng.usize(..q.len())].entry_id;
                        q.remove(&[victim]);
                        round.remove(&victim);
                    }
                    2 => {
                        let entry = q.entries()[rng.usize(..q.len())].entry_id;
                        q.move_entry(entry, rng.usize(..q.len()));
                    }
                    _ => {
                        if q.shuffle_upcoming().is_empty() {
                            // The bag refills: a new round starts after the current entry.
                            round.clear();
                            round.insert(q.current_entry_id().unwrap());
                        }
                        let next = q.advance(false).expect("shuffle never ends");
                        let id = q.entries()[next].entry_id;
                        assert!(
                            round.insert(id),
                            "seed {seed} step {step}: {id} repeated in a round"
                        );
                    }
                }
                let live: HashSet<EntryId> = q.entries().iter().map(|e| e.entry_id).collect();
                assert!(
                    q.shuffle_upcoming().iter().all(|id| live.contains(id)),
                    "seed {seed}: bag has ghosts"
                );
                assert!(q.current_index().is_some_and(|i| i < q.len()));
            }
        }
    }

    #[test]
    fn shuffle_back_returns_to_what_played_before() {
        let mut q = Queue::with_seed(9);
        q.replace(tracks(5), 2);
        q.set_mode(PlayMode::Shuffle);
        let first = q.current_entry_id();
        q.advance(false);
        let second = q.current_entry_id();
        q.advance(false);
        q.go_back();
        assert_eq!(q.current_entry_id(), second);
        q.go_back();
        assert_eq!(q.current_entry_id(), first);
        assert_eq!(q.go_back(), None);
        // Forward again replays the same order.
        q.advance(false);
        assert_eq!(q.current_entry_id(), second);
    }

    #[test]
    fn a_short_queue_is_published_whole() {
        let mut q = Queue::with_seed(1);
        q.replace(tracks(WINDOW), WINDOW - 1);
        let view = q.view();
        assert_eq!(view.count as usize, WINDOW);
        assert_eq!(view.window_start, 0);
        assert_eq!(view.window.len(), WINDOW);
        assert_eq!(view.entry_runs, [(EntryId(1), 128)]);
        assert_eq!(view.current, Some(127));
    }

    #[test]
    fn a_long_queue_is_published_as_ids_and_a_window_around_the_current_entry() {
        let mut q = Queue::with_seed(1);
        q.replace(tracks(100_000), 5_000);
        let view = q.view();
        assert_eq!(view.count, 100_000);
        assert_eq!(
            view.entry_runs,
            [(EntryId(1), 100_000)],
            "one run, not 100 000 ids"
        );
        assert_eq!(view.window_start, 4_992, "the current entry's page");
        assert_eq!(view.window.len(), WINDOW);
        assert_eq!(view.window_entry(5_000).unwrap().entry_id, EntryId(5_001));
        assert_eq!(view.window_entry(5_063).unwrap().track.title, "5063");
        assert!(view.window_entry(4_991).is_none());
        let bytes = serde_json::to_vec(&view).unwrap().len();
        assert!(bytes < 64 * 1024, "a queue event of {bytes} bytes");
        // Near the end, the window is the last entries, still page-aligned.
        q.select(99_999);
        let view = q.view();
        assert_eq!(view.window_start, 99_904);
        assert_eq!(view.window.len(), 96);
        // No current entry: the first page.
        q.clear();
        q.insert(tracks(1_000), QueuePosition::End);
        q.current = None;
        assert_eq!(q.view().window_start, 0);
    }

    #[test]
    fn edits_split_runs_and_the_ids_stay_in_queue_order() {
        let mut q = Queue::with_seed(1);
        q.replace(tracks(10), 0);
        let ids = |q: &Queue| q.entries().iter().map(|e| e.entry_id).collect::<Vec<_>>();
        q.move_entry(EntryId(8), 2);
        q.remove(&[EntryId(5)]);
        q.insert(tracks(2), QueuePosition::Next);
        let view = q.view();
        assert_eq!(
            view.entry_runs,
            [
                (EntryId(1), 1),
                (EntryId(11), 2),
                (EntryId(2), 1),
                (EntryId(8), 1),
                (EntryId(3), 2),
                (EntryId(6), 2),
                (EntryId(9), 2)
            ]
        );
        assert_eq!(view.entry_ids().collect::<Vec<_>>(), ids(&q));
        assert_eq!(view.count, 11);
    }

    #[test]
    fn rows_are_cut_at_the_end_and_at_the_limit() {
        let mut q = Queue::with_seed(1);
        q.replace(tracks(3_000), 0);
        let rows = q.rows(2_990, 3_500);
        assert_eq!(
            (rows.start, rows.count, rows.entries.len()),
            (2_990, 3_000, 10)
        );
        assert_eq!(rows.entries[0].entry_id, EntryId(2_991));
        assert_eq!(q.rows(10, u32::MAX).entries.len(), MAX_ROWS);
        assert!(q.rows(4_000, 4_100).entries.is_empty());
        assert!(q.rows(20, 10).entries.is_empty());
    }
}
