//! Creating playlists and adding songs to, or removing them from, the user's own playlists, as
//! the npm package's `playlist_create` (weapi `/api/playlist/create`) and `playlist_tracks`
//! (eapi `/api/playlist/manipulate/tracks`, its default scheme) do.

use serde::Deserialize;
use serde_json::Value;

use crate::ApiError;
use crate::Params;
use crate::client::{Answer, NeteaseClient};
use crate::model::PlaylistSummary;
use crate::request::{ApiCall, Scheme};

/// What to do with songs in a playlist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrackEdit {
    Add,
    Remove,
}

impl TrackEdit {
    fn op(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Remove => "del",
        }
    }
}

/// The playlist a create reply describes (`playlist`, else just its `id`).
fn created_from_json(json: &Value, name: &str) -> Option<PlaylistSummary> {
    let mut playlist = json
        .get("playlist")
        .and_then(|p| PlaylistSummary::deserialize(p).ok())
        .unwrap_or_default();
    if playlist.id == 0 {
        playlist.id = json
            .get("id")
            .and_then(crate::lenient::as_int)
            .and_then(|id| u64::try_from(id).ok())?;
    }
    if playlist.name.is_none() {
        playlist.name = Some(name.to_owned());
    }
    (playlist.id != 0).then_some(playlist)
}

impl NeteaseClient {
    /// Creates a playlist named `name` for the logged-in user (`private`: only they see it).
    pub async fn playlist_create(
        &self,
        name: &str,
        private: bool,
    ) -> Result<Answer<PlaylistSummary>, ApiError> {
        let params = Params::new()
            .with("name", name)
            .with("privacy", if private { "10" } else { "0" })
            .with("type", "NORMAL");
        // A second arrival would make a second playlist.
        let call = ApiCall::new(Scheme::Weapi, "/api/playlist/create", params).not_repeatable();
        let (json, update) = self.request(call).await?;
        let playlist = created_from_json(&json, name)
            .ok_or_else(|| ApiError::unexpected("no playlist in the create reply"))?;
        Ok(Answer::new(playlist, update))
    }

    /// Adds songs to, or removes them from, one of the user's playlists.
    pub async fn playlist_tracks(
        &self,
        edit: TrackEdit,
        playlist_id: u64,
        song_ids: &[u64],
    ) -> Result<Answer<()>, ApiError> {
        let ids: Vec<String> = song_ids.iter().map(u64::to_string).collect();
        let params = Params::new()
            .with("op", edit.op())
            .with("pid", playlist_id.to_string())
            .with(
                "trackIds",
                serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()),
            )
            .with("imme", "true");
        // A second arrival of an edit that was made is refused (502, "already there"): the
        // user would be told it failed.
        let call =
            ApiCall::new(Scheme::Eapi, "/api/playlist/manipulate/tracks", params).not_repeatable();
        Ok(self.request(call).await?.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_created_playlist_is_read_from_either_shape() {
        let full = created_from_json(
            &json!({"code": 200, "id": 7, "playlist": {"id": 7, "name": "Road", "trackCount": 0}}),
            "asked",
        )
        .unwrap();
        assert_eq!((full.id, full.name.as_deref()), (7, Some("Road")));
        let bare = created_from_json(&json!({"code": 200, "id": "8"}), "asked").unwrap();
        assert_eq!((bare.id, bare.name.as_deref()), (8, Some("asked")));
        assert!(created_from_json(&json!({"code": 200}), "asked").is_none());
        assert_eq!(TrackEdit::Remove.op(), "del");
    }
}
