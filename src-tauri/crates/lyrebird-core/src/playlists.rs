//! Local playlists as the UI sees them. They live in the library index (`lyrebird-library`);
//! these are the shapes of the commands' answers. Names, paths and titles are untrusted text.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::Track;

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
