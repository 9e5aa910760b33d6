//! The data the player moves around: tracks and where they come from.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A stable identifier of a track within its source, e.g. `local:9f2c…`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
pub struct TrackId(pub String);

impl TrackId {
    /// The id of a local file: a stable hash of its path, so ids survive restarts.
    #[must_use]
    pub fn for_local_path(path: &std::path::Path) -> Self {
        Self(format!(
            "local:{:016x}",
            fnv1a64(path.as_os_str().as_encoded_bytes())
        ))
    }
}

impl std::fmt::Display for TrackId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// FNV-1a: tiny, stable across Rust versions (unlike `DefaultHasher`).
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Which kind of source a track belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SourceKind {
    Local,
    Demo,
    Subsonic,
    NetEase,
}

/// ReplayGain values as tagged: gains in dB, peaks as linear sample peaks (1.0 = full scale).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplayGain {
    pub track_gain_db: Option<f32>,
    pub track_peak: Option<f32>,
    pub album_gain_db: Option<f32>,
    pub album_peak: Option<f32>,
}

impl ReplayGain {
    /// The linear factor to apply in `mode`, lowered where needed so that the tagged peak does
    /// not clip. Album mode falls back to track values (and the other way round) when missing.
    #[must_use]
    pub fn factor(&self, mode: crate::settings::ReplayGainMode) -> f32 {
        use crate::settings::ReplayGainMode;
        let (gain, peak) = match mode {
            ReplayGainMode::Off => return 1.0,
            ReplayGainMode::Track => (
                self.track_gain_db.or(self.album_gain_db),
                self.track_peak.or(self.album_peak),
            ),
            ReplayGainMode::Album => (
                self.album_gain_db.or(self.track_gain_db),
                self.album_peak.or(self.track_peak),
            ),
        };
        let Some(gain) = gain.filter(|g| g.is_finite()) else {
            return 1.0;
        };
        let factor = 10f32.powf(gain.clamp(-60.0, 24.0) / 20.0);
        match peak.filter(|p| p.is_finite() && *p > 0.0) {
            Some(peak) => factor.min(1.0 / peak),
            None => factor,
        }
    }
}

/// A playable track as the UI sees it. Every text field is untrusted (it comes from tags or
/// servers): the UI renders it as text, never as HTML.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Track {
    pub id: TrackId,
    pub source: SourceKind,
    pub title: String,
    pub artists: Vec<String>,
    pub album: Option<String>,
    pub track_number: Option<u32>,
    #[ts(type = "number | null")]
    pub duration_ms: Option<u64>,
    pub has_cover: bool,
    /// Loudness normalisation from the file's ReplayGain tags, if it has them.
    pub replay_gain: Option<ReplayGain>,
    /// Whether the user likes the track at its source (a Subsonic star), when the source says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub liked: Option<bool>,
    /// The year of its release date, from the tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub year: Option<u32>,
    /// Its genre, from the tags (untrusted text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub genre: Option<String>,
    /// The audio format: "FLAC", "MP3", "Vorbis", "Opus", "WAV", "AAC", "M4A"…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub codec: Option<String>,
    /// Samples per second (Hz).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sample_rate: Option<u32>,
    /// Bits per sample, for formats that have them (not MP3, Vorbis, Opus, AAC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub bit_depth: Option<u32>,
    /// The audio's bitrate in kbit/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub bitrate: Option<u32>,
    /// Number of channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub channels: Option<u32>,
    /// A remote track's cover as its server names it (Subsonic `coverArt`): it travels with
    /// the track, so the cover protocol needs no map of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cover_art: Option<String>,
    /// Why the track's own source will not play it for this account, when the source said
    /// so as it listed the track (NetEase: greyed out, VIP only). Such a track plays from a
    /// copy in the user's other sources when there is one (the fallback race).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub unplayable: Option<Unplayable>,
    /// Where the audio lives, for local files. Kept out of the UI's data: the webview never
    /// needs file-system paths.
    #[serde(skip)]
    #[ts(skip)]
    pub path: Option<PathBuf>,
}

/// Why a source will not play one of its tracks for this account ([`Track::unplayable`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Unplayable {
    /// Greyed out: the source has no rights to it here.
    Greyed,
    /// It needs a subscription (NetEase VIP) or the album bought.
    NeedsVip,
}

impl Track {
    /// A track known by its id and title only; everything else unknown.
    #[must_use]
    pub fn new(id: TrackId, source: SourceKind, title: impl Into<String>) -> Self {
        Self {
            id,
            source,
            title: title.into(),
            artists: Vec::new(),
            album: None,
            track_number: None,
            duration_ms: None,
            has_cover: false,
            replay_gain: None,
            liked: None,
            year: None,
            genre: None,
            codec: None,
            sample_rate: None,
            bit_depth: None,
            bitrate: None,
            channels: None,
            cover_art: None,
            unplayable: None,
            path: None,
        }
    }

    /// A track for a local file with no tags read yet: the file name is its title.
    #[must_use]
    pub fn from_path(path: PathBuf, source: SourceKind) -> Self {
        let title = path.file_stem().map_or_else(
            || path.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        let id = TrackId::for_local_path(&path);
        Self {
            path: Some(path),
            ..Self::new(id, source, title)
        }
    }

    /// "Title — Artist" for logs and notices.
    #[must_use]
    pub fn display_name(&self) -> String {
        if self.artists.is_empty() {
            self.title.clone()
        } else {
            format!("{} — {}", self.title, self.artists.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_ids_are_stable_and_distinct() {
        let a = TrackId::for_local_path(std::path::Path::new("/music/a.flac"));
        let b = TrackId::for_local_path(std::path::Path::new("/music/b.flac"));
        assert_eq!(
            a,
            TrackId::for_local_path(std::path::Path::new("/music/a.flac"))
        );
        assert_ne!(a, b);
        // The value is part of persisted state: pin it.
        assert_eq!(a.0, "local:74d37ef37a7730af");
    }

    #[test]
    fn replay_gain_factor_follows_the_mode_and_never_clips() {
        use crate::settings::ReplayGainMode::{Album, Off, Track as TrackMode};
        let rg = ReplayGain {
            track_gain_db: Some(-6.0),
            track_peak: Some(0.5),
            album_gain_db: Some(6.0),
            album_peak: Some(0.8),
        };
        assert!((rg.factor(TrackMode) - 0.501).abs() < 0.001);
        // +6 dB would take a 0.8 peak to 1.6: held at 1/0.8.
        assert!((rg.factor(Album) - 1.25).abs() < 0.001);
        assert!((rg.factor(Off) - 1.0).abs() < f32::EPSILON);
        let track_only = ReplayGain {
            track_gain_db: Some(-3.0),
            ..ReplayGain::default()
        };
        assert!(
            (track_only.factor(Album) - 0.708).abs() < 0.001,
            "album falls back to track"
        );
        let hostile = ReplayGain {
            track_gain_db: Some(f32::NAN),
            ..ReplayGain::default()
        };
        assert!((hostile.factor(TrackMode) - 1.0).abs() < f32::EPSILON);
    }

    #[test]
    fn title_falls_back_to_file_stem() {
        let t = Track::from_path(PathBuf::from("/m/Song <b>x<\\b>.mp3"), SourceKind::Local);
        assert_eq!(t.title, "Song <b>x<\\b>");
        assert_eq!(t.display_name(), "Song <b>x<\\b>");
    }
}
