//! The Folders view's data: the library's tracks by folder, as the UI browses them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A library root or a folder under one. Roots are named by their path as the user gave it
/// (the Settings list shows the same text); folders under them only by their own name, so the
/// web view gets no other paths.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FolderView {
    pub name: String,
    /// The bundled demo's folder (named by the UI).
    pub demo: bool,
    /// Sub-folders that hold tracks, by name.
    pub folders: Vec<FolderView>,
    /// Ids of the tracks directly in it, in path order.
    pub track_ids: Vec<String>,
    /// Tracks in it and in every folder below.
    pub track_count: u32,
}

impl FolderView {
    /// Ids of every track in it and below: its own first, then each sub-folder's in order (the
    /// order a whole folder plays in).
    #[must_use]
    pub fn all_track_ids(&self) -> Vec<String> {
        let mut ids = self.track_ids.clone();
        for folder in &self.folders {
            ids.extend(folder.all_track_ids());
        }
        ids
    }
}
