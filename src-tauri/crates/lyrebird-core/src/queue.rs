//! The play queue: an ordered list of tracks and a cursor. Owned by the actor alone.

use crate::events::QueueView;
use crate::model::Track;

#[derive(Debug, Default, Clone)]
pub struct Queue {
    tracks: Vec<Track>,
    current: Option<usize>,
}

impl Queue {
    #[must_use]
    pub fn len(&self) -> usize {
        self.tracks.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }

    #[must_use]
    pub fn current_index(&self) -> Option<usize> {
        self.current
    }

    #[must_use]
    pub fn current(&self) -> Option<&Track> {
        self.current.and_then(|i| self.tracks.get(i))
    }

    /// Replace the whole queue and point at `start` (clamped into range).
    pub fn replace(&mut self, tracks: Vec<Track>, start: usize) {
        self.current = if tracks.is_empty() {
            None
        } else {
            Some(start.min(tracks.len() - 1))
        };
        self.tracks = tracks;
    }

    /// Append tracks; returns the index of the first one appended.
    pub fn append(&mut self, tracks: Vec<Track>) -> usize {
        let first = self.tracks.len();
        self.tracks.extend(tracks);
        first
    }

    /// Point at `index`; false (and no change) when it is out of range.
    pub fn select(&mut self, index: usize) -> bool {
        if index < self.tracks.len() {
            self.current = Some(index);
            true
        } else {
            false
        }
    }

    /// The index after the current one, if any.
    #[must_use]
    pub fn next_index(&self) -> Option<usize> {
        let next = self.current.map_or(0, |i| i + 1);
        (next < self.tracks.len()).then_some(next)
    }

    /// The index before the current one, if any.
    #[must_use]
    pub fn previous_index(&self) -> Option<usize> {
        self.current.and_then(|i| i.checked_sub(1))
    }

    /// The first queued track with this id.
    #[must_use]
    pub fn find(&self, id: &crate::model::TrackId) -> Option<&Track> {
        self.tracks.iter().find(|t| &t.id == id)
    }

    #[must_use]
    pub fn view(&self) -> QueueView {
        QueueView {
            tracks: self.tracks.clone(),
            current: self.current.map(|i| u32::try_from(i).unwrap_or(u32::MAX)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceKind;
    use std::path::PathBuf;

    fn tracks(n: usize) -> Vec<Track> {
        (0..n)
            .map(|i| Track::from_path(PathBuf::from(format!("/m/{i}.flac")), SourceKind::Local))
            .collect()
    }

    #[test]
    fn cursor_moves_within_bounds() {
        let mut q = Queue::default();
        assert_eq!(q.next_index(), None);
        q.replace(tracks(3), 7);
        assert_eq!(q.current_index(), Some(2));
        assert_eq!(q.next_index(), None);
        assert_eq!(q.previous_index(), Some(1));
        assert!(q.select(0));
        assert_eq!(q.previous_index(), None);
        assert!(!q.select(3));
        assert_eq!(q.current_index(), Some(0));
        assert_eq!(q.append(tracks(2)), 3);
        assert_eq!(q.len(), 5);
        assert_eq!(q.view().current, Some(0));
    }
}
