//! Local playlists as the UI sees them. They live in the library index (`lyrebird-library`);
//! these are the shapes of the commands' answers. Names, paths and titles are untrusted text.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{SourceKind, Track};

/// A playlist in the list of playlists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlaylistSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub item_count: u32,
}

/// One line of a playlist: a file, named by its path; `track` is `None` when the file is
/// missing (it stays listed, and plays again once it is back).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlaylistItemView {
    /// Names this line (stable while it is in the playlist; the same file may be listed twice).
    #[ts(type = "number")]
    pub item_id: i64,
    pub path: String,
    /// What to call it when the file is missing (the imported `#EXTINF` title, or the file
    /// name).
    pub title: String,
    pub track: Option<Track>,
}

/// A playlist with its lines in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlaylistView {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub items: Vec<PlaylistItemView>,
}

/// A line of an imported playlist that names no file (reported, not fatal).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UnmatchedLine {
    /// 1-based.
    pub line: u32,
    pub text: String,
}

/// What an import made: the new playlist, and the lines that matched no file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlaylistImport {
    pub playlist: PlaylistSummary,
    pub unmatched: Vec<UnmatchedLine>,
}

impl PlaylistItemView {
    /// The track to queue for this line: the file's, or — the file is missing — a stand-in
    /// named by the line's title ("Artist, Artist - Title", as playlists write it), so that
    /// playing it goes through the fallback race (the library may hold the file elsewhere, a
    /// server a copy) instead of dropping the line.
    #[must_use]
    pub fn track_or_stand_in(&self) -> Track {
        if let Some(track) = &self.track {
            return track.clone();
        }
        let path = std::path::PathBuf::from(&self.path);
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let mut stand_in = Track::from_path(path, SourceKind::Local);
        let label = self.title.trim();
        match label.split_once(" - ") {
            Some((artists, title)) if !artists.trim().is_empty() && !title.trim().is_empty() => {
                title.trim().clone_into(&mut stand_in.title);
                stand_in.artists = artists
                    .split(", ")
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            // A bare file name: its stem is the best guess of the title.
            _ if !label.is_empty() && Some(label) != file_name.as_deref() => {
                label.clone_into(&mut stand_in.title);
            }
            _ => {}
        }
        stand_in
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing(path: &str, title: &str) -> PlaylistItemView {
        PlaylistItemView {
            item_id: 1,
            path: path.into(),
            title: title.into(),
            track: None,
        }
    }

    #[test]
    fn a_missing_line_stands_in_with_its_artists_and_title_and_its_own_path() {
        let item = missing("/music/gone/qing.flac", "周杰倫, 五月天 - 晴天");
        let track = item.track_or_stand_in();
        assert_eq!(track.title, "晴天");
        assert_eq!(track.artists, ["周杰倫", "五月天"]);
        assert_eq!(
            track.path.as_deref(),
            Some(std::path::Path::new("/music/gone/qing.flac"))
        );
        assert_eq!(track.source, SourceKind::Local);
        assert!(track.duration_ms.is_none());
    }

    #[test]
    fn a_line_named_by_its_file_stands_in_with_the_file_stem() {
        let track = missing("/music/gone/Song.flac", "Song.flac").track_or_stand_in();
        assert_eq!(track.title, "Song");
        assert!(track.artists.is_empty());
        let track = missing("/m/x.mp3", " - odd").track_or_stand_in();
        assert_eq!(track.title, "- odd");
    }

    #[test]
    fn a_line_whose_file_is_there_is_its_track() {
        let mut item = missing("/m/a.flac", "A - B");
        let mut there = Track::from_path("/m/a.flac".into(), SourceKind::Local);
        there.title = "Real".into();
        item.track = Some(there.clone());
        assert_eq!(item.track_or_stand_in(), there);
    }
}
