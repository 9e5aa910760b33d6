//! Per-track lyrics offsets: how much earlier (positive) or later (negative) the user wants a
//! track's lyrics, on top of the offset the lyrics themselves carry. Owned by the actor like
//! every setting; persisted beside the settings in `lyrics-offsets.json` (track id → ms), and
//! published as `PlayerState::lyrics_offset_ms` for the current track (the lyrics views add it
//! to the position).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Actor, SAVE_DEBOUNCE};
use crate::audio::AudioOutput;
use crate::model::TrackId;
use crate::settings;

/// The largest offset either way, in milliseconds: beyond a minute it is the wrong lyrics.
pub const MAX_LYRICS_OFFSET_MS: i64 = 60_000;
/// Tracks remembered at most; past this, a new track's offset replaces the oldest-keyed one.
const MAX_TRACKS: usize = 20_000;
/// The file's name, in the settings' folder.
const FILE_NAME: &str = "lyrics-offsets.json";

/// The offsets and where they persist.
#[derive(Debug, Default)]
pub(super) struct LyricsOffsets {
    by_track: BTreeMap<String, i64>,
    path: Option<PathBuf>,
    dirty: bool,
}

impl LyricsOffsets {
    /// Load from beside `settings_path` (none: in memory only). A corrupt file is moved aside.
    pub fn load(settings_path: Option<&Path>) -> Self {
        let path = settings_path.map(|p| p.with_file_name(FILE_NAME));
        let mut by_track = path
            .as_deref()
            .map(|p| settings::load_json::<BTreeMap<String, i64>>(p).value)
            .unwrap_or_default();
        by_track.retain(|_, ms| {
            *ms = (*ms).clamp(-MAX_LYRICS_OFFSET_MS, MAX_LYRICS_OFFSET_MS);
            *ms != 0
        });
        Self {
            by_track,
            path,
            dirty: false,
        }
    }

    pub fn get(&self, track: &TrackId) -> i64 {
        self.by_track.get(&track.0).copied().unwrap_or(0)
    }

    /// Returns whether anything changed. 0 forgets the track.
    fn set(&mut self, track: &TrackId, ms: i64) -> bool {
        let ms = ms.clamp(-MAX_LYRICS_OFFSET_MS, MAX_LYRICS_OFFSET_MS);
        if self.get(track) == ms {
            return false;
        }
        if ms == 0 {
            self.by_track.remove(&track.0);
        } else {
            if self.by_track.len() >= MAX_TRACKS && !self.by_track.contains_key(&track.0) {
                self.by_track.pop_first();
            }
            self.by_track.insert(track.0.clone(), ms);
        }
        self.dirty = true;
        true
    }

    /// Write the file if anything changed since the last save.
    /// What to write, if anything changed since the last time: the file and its bytes.
    pub fn take_changes(&mut self) -> Option<(std::path::PathBuf, Vec<u8>)> {
        let path = self.path.clone()?;
        if !self.dirty {
            return None;
        }
        self.dirty = false;
        let bytes = serde_json::to_vec_pretty(&self.by_track).expect("offsets always serialize");
        Some((path, bytes))
    }
}

impl<A: AudioOutput> Actor<A> {
    pub(super) fn set_lyrics_offset(&mut self, track: &TrackId, ms: i64) {
        if !self.lyrics_offsets.set(track, ms) {
            return;
        }
        if self.queue.current().is_some_and(|t| t.id == *track) {
            self.dirty.state = true;
        }
        if self.lyrics_offsets.path.is_some() && self.save_due.is_none() {
            self.save_due = Some(tokio::time::Instant::now() + SAVE_DEBOUNCE);
        }
    }

    /// The user's offset for the current track (0 when none).
    pub(super) fn current_lyrics_offset(&self) -> i64 {
        self.queue
            .current()
            .map_or(0, |track| self.lyrics_offsets.get(&track.id))
    }
}
