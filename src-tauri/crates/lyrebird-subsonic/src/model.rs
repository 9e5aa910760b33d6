//! The Subsonic payloads we read. Servers differ (numbers for ids, a lone object where a list
//! belongs, fields missing), so every field but the id is optional and read leniently: one odd
//! song must not fail a whole album.

use serde::{Deserialize, Serialize};

/// An artist as songs name it (OpenSubsonic `artists`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtistRef {
    #[serde(default, deserialize_with = "de::opt_id")]
    pub id: Option<String>,
    #[serde(default)]
    pub name: String,
}

/// OpenSubsonic `replayGain` of a song.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SongReplayGain {
    #[serde(default, deserialize_with = "de::opt_f32")]
    pub track_gain: Option<f32>,
    #[serde(default, deserialize_with = "de::opt_f32")]
    pub album_gain: Option<f32>,
    #[serde(default, deserialize_with = "de::opt_f32")]
    pub track_peak: Option<f32>,
    #[serde(default, deserialize_with = "de::opt_f32")]
    pub album_peak: Option<f32>,
}

/// A song (the API's `Child`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Song {
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    #[serde(default)]
    pub title: String,
    pub album: Option<String>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub album_id: Option<String>,
    pub artist: Option<String>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub artist_id: Option<String>,
    #[serde(default, deserialize_with = "de::list")]
    pub artists: Vec<ArtistRef>,
    #[serde(default, deserialize_with = "de::opt_u32")]
    pub track: Option<u32>,
    #[serde(default, deserialize_with = "de::opt_u32")]
    pub disc_number: Option<u32>,
    #[serde(default, deserialize_with = "de::opt_u32")]
    pub year: Option<u32>,
    /// Seconds.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub duration: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub cover_art: Option<String>,
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub size: Option<u64>,
    pub content_type: Option<String>,
    pub suffix: Option<String>,
    #[serde(default, deserialize_with = "de::opt_u32")]
    pub bit_rate: Option<u32>,
    /// When the user starred it (ISO 8601), if they did.
    pub starred: Option<String>,
    pub replay_gain: Option<SongReplayGain>,
}

/// An album (`AlbumID3`); `song` is filled by `getAlbum` only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Album {
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    #[serde(default, alias = "title")]
    pub name: String,
    pub artist: Option<String>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub artist_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub cover_art: Option<String>,
    #[serde(default, deserialize_with = "de::opt_u32")]
    pub song_count: Option<u32>,
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub duration: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_u32")]
    pub year: Option<u32>,
    pub starred: Option<String>,
    #[serde(default, deserialize_with = "de::list")]
    pub song: Vec<Song>,
}

/// An artist (`ArtistID3`); `album` is filled by `getArtist` only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Artist {
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, deserialize_with = "de::opt_u32")]
    pub album_count: Option<u32>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub cover_art: Option<String>,
    pub starred: Option<String>,
    #[serde(default, deserialize_with = "de::list")]
    pub album: Vec<Album>,
}

/// One letter of `getArtists`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtistIndex {
    #[serde(default)]
    pub name: String,
    #[serde(default, deserialize_with = "de::list")]
    pub artist: Vec<Artist>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ArtistsPayload {
    #[serde(default, deserialize_with = "de::list")]
    pub index: Vec<ArtistIndex>,
}

/// A playlist; `entry` is filled by `getPlaylist` only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Playlist {
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub comment: Option<String>,
    pub owner: Option<String>,
    #[serde(default, deserialize_with = "de::opt_u32")]
    pub song_count: Option<u32>,
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub duration: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_id")]
    pub cover_art: Option<String>,
    #[serde(default, deserialize_with = "de::list")]
    pub entry: Vec<Song>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct PlaylistsPayload {
    #[serde(default, deserialize_with = "de::list")]
    pub playlist: Vec<Playlist>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct AlbumListPayload {
    #[serde(default, deserialize_with = "de::list")]
    pub album: Vec<Album>,
}

/// What `search3` found, or what `getStarred2` lists.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Found {
    #[serde(default, deserialize_with = "de::list")]
    pub artist: Vec<Artist>,
    #[serde(default, deserialize_with = "de::list")]
    pub album: Vec<Album>,
    #[serde(default, deserialize_with = "de::list")]
    pub song: Vec<Song>,
}

/// One entry of `getOpenSubsonicExtensions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub name: String,
    #[serde(default, deserialize_with = "de::list")]
    pub versions: Vec<u32>,
}

/// Lenient readers for the shapes servers actually send.
pub(crate) mod de {
    use std::fmt;
    use std::marker::PhantomData;

    use serde::Deserialize;
    use serde::de::value::MapAccessDeserializer;
    use serde::de::{DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde_json::Value;

    /// A string id, also when a server sends a number.
    pub fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        opt_id(deserializer)?.ok_or_else(|| serde::de::Error::custom("missing id"))
    }

    pub fn opt_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
        Ok(match Value::deserialize(deserializer)? {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    }

    /// A list, also when a server sends a lone object or nothing; entries that do not parse
    /// are skipped. Read entry by entry: only one entry at a time is held as a `Value` (to skip
    /// it if it does not fit `T`), never the whole list.
    pub fn list<'de, D: Deserializer<'de>, T: DeserializeOwned>(
        deserializer: D,
    ) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_any(ListVisitor(PhantomData))
    }

    struct ListVisitor<T>(PhantomData<T>);

    impl<'de, T: DeserializeOwned> Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;

        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str("a list, an object or nothing")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element::<Value>()? {
                if let Ok(item) = serde_json::from_value(item) {
                    items.push(item);
                }
            }
            Ok(items)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
            let single = Value::deserialize(MapAccessDeserializer::new(map))?;
            Ok(serde_json::from_value(single).into_iter().collect())
        }

        fn visit_unit<E>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }

        fn visit_none<E>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }

        // A scalar where a list belongs: nothing usable.
        fn visit_bool<E>(self, _: bool) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }

        fn visit_i64<E>(self, _: i64) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }

        fn visit_u64<E>(self, _: u64) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }

        fn visit_f64<E>(self, _: f64) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }

        fn visit_str<E>(self, _: &str) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
    }

    fn number(value: Value) -> Option<f64> {
        match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .filter(|n: &f64| n.is_finite())
    }

    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // range checked
    pub fn opt_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
        Ok(number(Value::deserialize(deserializer)?)
            .filter(|n| (0.0..1e15).contains(n))
            .map(|n| n.round() as u64))
    }

    pub fn opt_u32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
        Ok(opt_u64(deserializer)?.and_then(|n| u32::try_from(n).ok()))
    }

    #[allow(clippy::cast_possible_truncation)] // gains and peaks are small
    pub fn opt_f32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f32>, D::Error> {
        Ok(number(Value::deserialize(deserializer)?).map(|n| n as f32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_server_shapes_are_read() {
        let found: Found = serde_json::from_str(
            r#"{"song": {"id": 7, "title": "Lone", "duration": "181", "track": 2.0},
                "album": [{"id": "a"}, {"name": "no id"}, {"id": "b", "songCount": -1}]}"#,
        )
        .unwrap();
        assert_eq!(found.song.len(), 1, "a lone object is a list of one");
        let song = &found.song[0];
        assert_eq!(song.id, "7");
        assert_eq!(song.duration, Some(181));
        assert_eq!(song.track, Some(2));
        let ids: Vec<_> = found.album.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"], "an album without id is skipped");
        assert_eq!(found.album[1].song_count, None);
        assert!(found.artist.is_empty());
    }
}
