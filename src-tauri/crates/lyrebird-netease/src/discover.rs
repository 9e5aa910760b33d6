//! Lists beyond the user's playlists: recently played, the charts, heartbeat mode and search
//! suggestions, each as the npm package 4.40.1 asks for it (`record_recent_song`, `toplist`,
//! `playmode_intelligence_list`, `search_suggest`). Replies are read tolerantly (`lenient.rs`).

use serde::Deserialize;
use serde_json::Value;

use crate::ApiError;
use crate::Params;
use crate::client::{Answer, NeteaseClient};
use crate::lenient::{id, list, name, object, uint, url};
use crate::model::{AlbumInfo, Artist, ArtistInfo, PlaylistSummary, Song};
use crate::request::{ApiCall, Scheme};

/// The most songs "recently played" asks for (the npm package's default).
pub const RECENT_LIMIT: u32 = 100;

/// One of NetEase's charts (`/api/toplist`): a playlist NetEase keeps, opened by its id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Chart {
    #[serde(deserialize_with = "id")]
    pub id: u64,
    #[serde(deserialize_with = "name")]
    pub name: Option<String>,
    #[serde(rename = "coverImgUrl", deserialize_with = "url")]
    pub cover_url: Option<String>,
    #[serde(rename = "trackCount", deserialize_with = "uint")]
    pub track_count: Option<u64>,
    /// How often NetEase updates it, in its words ("每天更新").
    #[serde(rename = "updateFrequency", deserialize_with = "name")]
    pub update_frequency: Option<String>,
}

/// What the search box suggests for a few letters (`/api/search/suggest/web`), in NetEase's
/// order within each kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Suggestions {
    /// Songs, each with its artists and album (no privilege: a suggestion is not played).
    pub songs: Vec<Song>,
    pub artists: Vec<Artist>,
    pub albums: Vec<SuggestedAlbum>,
    pub playlists: Vec<SuggestedPlaylist>,
}

/// An album a suggestion names, with its artist.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SuggestedAlbum {
    #[serde(deserialize_with = "id")]
    pub id: u64,
    #[serde(deserialize_with = "name")]
    pub name: Option<String>,
    #[serde(deserialize_with = "object")]
    pub artist: Option<Artist>,
}

/// A playlist a suggestion names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SuggestedPlaylist {
    #[serde(deserialize_with = "id")]
    pub id: u64,
    #[serde(deserialize_with = "name")]
    pub name: Option<String>,
    #[serde(rename = "coverImgUrl", deserialize_with = "url")]
    pub cover_url: Option<String>,
}

impl Suggestions {
    /// How many suggestions of each kind are kept.
    pub const PER_KIND: usize = 10;

    pub(crate) fn from_json(json: &Value) -> Self {
        #[derive(Default, Deserialize)]
        #[serde(default)]
        struct Raw {
            #[serde(deserialize_with = "list")]
            songs: Vec<Song>,
            #[serde(deserialize_with = "list")]
            artists: Vec<Artist>,
            #[serde(deserialize_with = "list")]
            albums: Vec<SuggestedAlbum>,
            #[serde(deserialize_with = "list")]
            playlists: Vec<SuggestedPlaylist>,
        }
        let raw = json
            .get("result")
            .map(|r| Raw::deserialize(r).unwrap_or_default())
            .unwrap_or_default();
        let named = |n: &Option<String>| n.as_deref().is_some_and(|n| !n.trim().is_empty());
        Self {
            songs: keep(raw.songs, |s| s.id != 0 && named(&s.name)),
            artists: keep(raw.artists, |a| a.id != 0 && named(&a.name)),
            albums: keep(raw.albums, |a| a.id != 0 && named(&a.name)),
            playlists: keep(raw.playlists, |p| p.id != 0 && named(&p.name)),
        }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.songs.is_empty()
            && self.artists.is_empty()
            && self.albums.is_empty()
            && self.playlists.is_empty()
    }
}

fn keep<T>(items: Vec<T>, wanted: impl Fn(&T) -> bool) -> Vec<T> {
    items
        .into_iter()
        .filter(wanted)
        .take(Suggestions::PER_KIND)
        .collect()
}

/// The songs of "recently played" (`data.list[].data`), newest first.
fn recent_from_json(json: &Value) -> Vec<Song> {
    #[derive(Default, Deserialize)]
    #[serde(default)]
    struct Item {
        #[serde(deserialize_with = "object")]
        data: Option<Song>,
    }
    #[derive(Default, Deserialize)]
    #[serde(default)]
    struct Data {
        #[serde(deserialize_with = "list")]
        list: Vec<Item>,
    }
    json.get("data")
        .map(|d| Data::deserialize(d).unwrap_or_default())
        .unwrap_or_default()
        .list
        .into_iter()
        .filter_map(|i| i.data)
        .filter(|s| s.id != 0)
        .collect()
}

/// The songs of a heartbeat list (`data[].songInfo`), each with the privilege it carries.
fn heartbeat_from_json(json: &Value) -> Vec<Song> {
    #[derive(Default, Deserialize)]
    #[serde(default)]
    struct Item {
        #[serde(rename = "songInfo", deserialize_with = "object")]
        song: Option<Song>,
        #[serde(deserialize_with = "object")]
        privilege: Option<crate::model::Privilege>,
    }
    #[derive(Default, Deserialize)]
    #[serde(default)]
    struct Raw {
        #[serde(deserialize_with = "list")]
        data: Vec<Item>,
    }
    Raw::deserialize(json)
        .unwrap_or_default()
        .data
        .into_iter()
        .filter_map(|i| {
            let mut song = i.song?;
            if song.privilege.is_none() {
                song.privilege = i.privilege;
            }
            Some(song)
        })
        .filter(|s| s.id != 0)
        .collect()
}

fn charts_from_json(json: &Value) -> Vec<Chart> {
    #[derive(Default, Deserialize)]
    #[serde(default)]
    struct Raw {
        #[serde(deserialize_with = "list")]
        list: Vec<Chart>,
    }
    Raw::deserialize(json)
        .unwrap_or_default()
        .list
        .into_iter()
        .filter(|c| c.id != 0)
        .collect()
}

/// What a search finds besides songs (`/api/cloudsearch/pc` types 10, 100 and 1000).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FoundElse {
    pub albums: Vec<AlbumInfo>,
    pub artists: Vec<ArtistInfo>,
    pub playlists: Vec<PlaylistSummary>,
}

/// A search's `result.<field>` list, read tolerantly, without id-less items.
fn found_list<T: serde::de::DeserializeOwned + Default>(
    json: &Value,
    field: &str,
    id: impl Fn(&T) -> u64,
) -> Vec<T> {
    json.get("result")
        .and_then(|r| r.get(field))
        .map(|v| list::<_, T>(v).unwrap_or_default())
        .unwrap_or_default()
        .into_iter()
        .filter(|item| id(item) != 0)
        .collect()
}

impl NeteaseClient {
    /// Albums, artists or playlists matching `query` (eapi `/api/cloudsearch/pc`, type 10,
    /// 100 or 1000), asked at once.
    pub async fn search_else(
        &self,
        query: &str,
        limit: u32,
    ) -> Result<Answer<FoundElse>, ApiError> {
        let call = |kind: u32| {
            let params = Params::new()
                .with("s", query)
                .with("type", kind)
                .with("limit", limit)
                .with("offset", 0)
                .with("total", true);
            ApiCall::new(Scheme::Eapi, "/api/cloudsearch/pc", params)
        };
        let (albums, artists, playlists) = tokio::join!(
            self.request(call(10)),
            self.request(call(100)),
            self.request(call(1000))
        );
        let ((albums, mut update), (artists, more), (playlists, last)) =
            (albums?, artists?, playlists?);
        update.merge(more);
        update.merge(last);
        let found = FoundElse {
            albums: found_list(&albums, "albums", |a: &AlbumInfo| a.id),
            artists: found_list(&artists, "artists", |a: &ArtistInfo| a.id),
            playlists: found_list(&playlists, "playlists", |p: &PlaylistSummary| p.id),
        };
        Ok(Answer::new(found, update))
    }

    /// The songs the logged-in user played lately, newest first (weapi
    /// `/api/play-record/song/list`).
    pub async fn recent_songs(&self, limit: u32) -> Result<Answer<Vec<Song>>, ApiError> {
        let call = ApiCall::new(
            Scheme::Weapi,
            "/api/play-record/song/list",
            Params::new().with("limit", limit),
        );
        let (json, update) = self.request(call).await?;
        Ok(Answer::new(recent_from_json(&json), update))
    }

    /// NetEase's charts (eapi `/api/toplist`); each opens as a playlist.
    pub async fn charts(&self) -> Result<Answer<Vec<Chart>>, ApiError> {
        let call = ApiCall::new(Scheme::Eapi, "/api/toplist", Params::new());
        let (json, update) = self.request(call).await?;
        Ok(Answer::new(charts_from_json(&json), update))
    }

    /// Heartbeat mode (eapi `/api/playmode/intelligence/list`): songs like `song_id`, one of
    /// the liked songs, from the liked-songs playlist `liked_playlist_id`. NetEase answers
    /// the start song first, then its picks.
    pub async fn heartbeat(
        &self,
        song_id: u64,
        liked_playlist_id: u64,
        count: u32,
    ) -> Result<Answer<Vec<Song>>, ApiError> {
        let params = Params::new()
            .with("songId", song_id.to_string())
            .with("type", "fromPlayOne")
            .with("playlistId", liked_playlist_id.to_string())
            .with("startMusicId", song_id.to_string())
            .with("count", count);
        let call = ApiCall::new(Scheme::Eapi, "/api/playmode/intelligence/list", params);
        let (json, update) = self.request(call).await?;
        Ok(Answer::new(heartbeat_from_json(&json), update))
    }

    /// What to suggest while the user types `keywords` (weapi `/api/search/suggest/web`).
    pub async fn search_suggestions(
        &self,
        keywords: &str,
    ) -> Result<Answer<Suggestions>, ApiError> {
        let call = ApiCall::new(
            Scheme::Weapi,
            "/api/search/suggest/web",
            Params::new().with("s", keywords),
        );
        let (json, update) = self.request(call).await?;
        Ok(Answer::new(Suggestions::from_json(&json), update))
    }
}

/// Reads `json` as each reply of this module (the fuzz targets' entry, through
/// [`crate::decode_every_reply`]).
pub(crate) fn decode_every_reply(json: &Value) {
    let _ = recent_from_json(json);
    let _ = heartbeat_from_json(json);
    let _ = charts_from_json(json);
    let _ = Suggestions::from_json(json);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recent_songs_read_from_their_records() {
        let j = json!({"code": 200, "data": {"total": 3, "list": [
            {"resourceId": "1", "playTime": 1, "resourceType": "SONG",
             "data": {"id": 1, "name": "One", "ar": [{"id": 9, "name": "A"}], "al": {"id": 5, "name": "B"}, "dt": 1000,
                      "privilege": {"id": 1, "st": -200}}},
            {"resourceId": "x", "data": null},
            {"data": {"id": "2", "name": "Two"}},
            "garbage"
        ]}});
        let songs = recent_from_json(&j);
        assert_eq!(songs.iter().map(|s| s.id).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(songs[0].privilege.as_ref().and_then(|p| p.st), Some(-200));
        assert!(recent_from_json(&json!({"data": null})).is_empty());
        assert!(recent_from_json(&json!({"data": {"list": {"a": 1}}})).is_empty());
    }

    #[test]
    fn albums_artists_and_playlists_found_are_read_tolerantly() {
        let j = json!({"code": 200, "result": {
            "albums": [{"id": 3, "name": "Deep Cuts", "artist": {"id": 9, "name": "Q"}, "size": 4},
                       {"id": 0, "name": "no id"}, 7],
            "albumCount": 2
        }});
        let albums = found_list(&j, "albums", |a: &AlbumInfo| a.id);
        assert_eq!(albums.len(), 1);
        assert_eq!(albums[0].size, Some(4));
        assert!(found_list(&j, "artists", |a: &ArtistInfo| a.id).is_empty());
        assert!(found_list(&json!({"result": null}), "albums", |a: &AlbumInfo| a.id).is_empty());
    }

    #[test]
    fn heartbeat_songs_keep_their_privilege() {
        let j = json!({"code": 200, "data": [
            {"id": 7, "recommended": false, "songInfo": {"id": 7, "name": "Start", "fee": 0}},
            {"id": 8, "recommended": true, "songInfo": {"id": 8, "name": "Pick", "fee": 1},
             "privilege": {"id": 8, "fee": 1, "pl": 0}},
            {"id": 9, "songInfo": null}
        ]});
        let songs = heartbeat_from_json(&j);
        assert_eq!(songs.iter().map(|s| s.id).collect::<Vec<_>>(), [7, 8]);
        assert_eq!(songs[1].privilege.as_ref().and_then(|p| p.pl), Some(0));
    }

    #[test]
    fn charts_and_suggestions_are_read_tolerantly() {
        let charts = charts_from_json(&json!({"list": [
            {"id": 19_723_756, "name": "飙升榜", "trackCount": 100, "updateFrequency": "每天更新",
             "coverImgUrl": "https://p1.music.126.net/x.jpg"},
            {"id": 0, "name": "no id"},
            {"id": 3, "coverImgUrl": "javascript:alert(1)"}
        ]}));
        assert_eq!(charts.len(), 2);
        assert_eq!(charts[0].update_frequency.as_deref(), Some("每天更新"));
        assert_eq!(charts[1].cover_url, None, "only http(s) covers");

        let many: Vec<Value> = (1..40)
            .map(|i| json!({"id": i, "name": format!("a{i}")}))
            .collect();
        let s = Suggestions::from_json(&json!({"result": {
            "songs": [{"id": 1, "name": "Song", "artists": [{"id": 2, "name": "Artist"}], "album": {"id": 3, "name": "Album"}},
                      {"id": 4, "name": "  "}],
            "artists": many,
            "albums": [{"id": 3, "name": "Album", "artist": {"id": 2, "name": "Artist"}}],
            "playlists": [{"id": 6, "name": "List"}],
            "order": ["songs", "artists", "albums", "playlists"]
        }}));
        assert_eq!(s.songs.len(), 1, "a blank name is no suggestion");
        assert_eq!(s.songs[0].artists[0].name.as_deref(), Some("Artist"));
        assert_eq!(s.artists.len(), Suggestions::PER_KIND);
        assert_eq!(s.albums[0].artist.as_ref().map(|a| a.id), Some(2));
        assert!(Suggestions::from_json(&json!({"result": {}})).is_empty());
        assert!(Suggestions::from_json(&json!({"code": 200})).is_empty());
    }
}
