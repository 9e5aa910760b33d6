//! Subsonic songs as the player's tracks.

use lyrebird_core::model::ReplayGain;
use lyrebird_core::{SourceKind, Track, TrackId};

use crate::model::Song;

/// Track ids of this source are `subsonic:<song id>`.
pub const TRACK_ID_PREFIX: &str = "subsonic:";

#[must_use]
pub fn track_id(song_id: &str) -> TrackId {
    TrackId(format!("{TRACK_ID_PREFIX}{song_id}"))
}

/// The server's song id inside a track id of this source.
#[must_use]
pub fn song_id(track: &TrackId) -> Option<&str> {
    track
        .0
        .strip_prefix(TRACK_ID_PREFIX)
        .filter(|id| !id.is_empty())
}

impl Song {
    /// The player's view of this song.
    #[must_use]
    pub fn to_track(&self) -> Track {
        // OpenSubsonic lists every artist; plain Subsonic has one display string.
        let artists: Vec<String> = if self.artists.is_empty() {
            self.artist
                .iter()
                .filter(|a| !a.is_empty())
                .cloned()
                .collect()
        } else {
            self.artists.iter().map(|a| a.name.clone()).collect()
        };
        let title = if self.title.is_empty() {
            self.id.clone()
        } else {
            self.title.clone()
        };
        Track {
            artists,
            album: self.album.clone().filter(|a| !a.is_empty()),
            track_number: self.track,
            duration_ms: self.duration.map(|secs| secs.saturating_mul(1000)),
            has_cover: self.cover_art.is_some(),
            cover_art: self.cover_art.clone().filter(|c| !c.is_empty()),
            replay_gain: self.replay_gain.map(|gain| ReplayGain {
                track_gain_db: gain.track_gain,
                track_peak: gain.track_peak,
                album_gain_db: gain.album_gain,
                album_peak: gain.album_peak,
            }),
            liked: Some(self.starred.is_some()),
            year: self.year.filter(|y| *y > 0),
            // The file's type as the server names it ("flac", "mp3"), shown like the library's.
            codec: self
                .suffix
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(str::to_ascii_uppercase),
            bitrate: self.bit_rate.filter(|b| *b > 0),
            ..Track::new(track_id(&self.id), SourceKind::Subsonic, title)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn songs_become_tracks() {
        let song: Song = serde_json::from_str(
            r#"{"id": "s-1", "title": "<b>Hi</b>", "album": "A", "artist": "X feat. Y",
                "artists": [{"id": "1", "name": "X"}, {"id": "2", "name": "Y"}],
                "track": 3, "duration": 181, "coverArt": "al-9", "starred": "2026-01-02T03:04:05Z",
                "year": 2003, "suffix": "flac", "bitRate": 912,
                "replayGain": {"trackGain": -6.5, "trackPeak": 0.9}}"#,
        )
        .unwrap();
        let track = song.to_track();
        assert_eq!(track.id.0, "subsonic:s-1");
        assert_eq!(song_id(&track.id), Some("s-1"));
        assert_eq!(track.source, SourceKind::Subsonic);
        assert_eq!(track.title, "<b>Hi</b>");
        assert_eq!(track.artists, ["X", "Y"]);
        assert_eq!(track.album.as_deref(), Some("A"));
        assert_eq!(track.track_number, Some(3));
        assert_eq!(track.duration_ms, Some(181_000));
        assert!(track.has_cover);
        let gain = track.replay_gain.unwrap();
        assert_eq!(gain.track_gain_db, Some(-6.5));
        assert_eq!(gain.album_gain_db, None);
        assert!(track.path.is_none());
        assert_eq!(track.liked, Some(true), "starred");
        assert_eq!(track.year, Some(2003));
        assert_eq!(track.codec.as_deref(), Some("FLAC"));
        assert_eq!(track.bitrate, Some(912));

        let plain: Song = serde_json::from_str(r#"{"id": "2", "artist": "Solo"}"#).unwrap();
        let track = plain.to_track();
        assert_eq!(track.artists, ["Solo"]);
        assert_eq!(track.title, "2", "no title: the id stands in");
        assert!(!track.has_cover);
        assert_eq!(
            track.liked,
            Some(false),
            "a server says when a song is not starred"
        );
        assert_eq!(song_id(&TrackId("local:abc".into())), None);
        assert_eq!(song_id(&TrackId("subsonic:".into())), None);
    }
}
