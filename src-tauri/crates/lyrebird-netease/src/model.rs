//! NetEase's replies, typed. Every reader is tolerant (see `lenient.rs`): unknown fields are
//! ignored, missing or `null` fields read as absent, malformed list items are skipped, lists
//! and texts are capped.
//!
//! Songs come in two shapes: the current one (`ar`, `al`, `dt`) from song details, playlists,
//! daily songs and search, and the old one (`artists`, `album`, `duration`) from personal FM
//! and some cloud-disk entries. [`Song`] reads both.

use serde::{Deserialize, Serialize};

use crate::lenient::{flag, id, int, list, long_text, name, object, uint, url};

/// An artist as a song names it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Artist {
    #[serde(deserialize_with = "id")]
    pub id: u64,
    #[serde(deserialize_with = "name")]
    pub name: Option<String>,
}

/// An album as a song names it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Album {
    #[serde(deserialize_with = "id")]
    pub id: u64,
    #[serde(deserialize_with = "name")]
    pub name: Option<String>,
    /// The cover image.
    #[serde(rename = "picUrl", deserialize_with = "url")]
    pub pic_url: Option<String>,
}

/// What the account may do with a song (`privilege` / `privileges[]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Privilege {
    #[serde(deserialize_with = "id")]
    pub id: u64,
    /// 0 free, 1 VIP, 4 bought album, 8 free at low quality.
    #[serde(deserialize_with = "int")]
    pub fee: Option<i64>,
    /// Status; below 0 the song is greyed out (no copyright here).
    #[serde(deserialize_with = "int")]
    pub st: Option<i64>,
    /// The bitrate this account may play (0: none).
    #[serde(deserialize_with = "uint")]
    pub pl: Option<u64>,
    /// The highest bitrate there is.
    #[serde(deserialize_with = "uint")]
    pub maxbr: Option<u64>,
    /// The song is in the user's cloud disk.
    #[serde(rename = "cs", deserialize_with = "flag")]
    pub cloud: bool,
    /// The level this account may play ("standard", …, "hires").
    #[serde(rename = "plLevel", deserialize_with = "name")]
    pub pl_level: Option<String>,
}

/// The fee values that need rights the account may not have: VIP (1) and a bought album (4).
#[must_use]
pub fn fee_needs_rights(fee: Option<i64>) -> bool {
    matches!(fee, Some(1 | 4))
}

/// A song, in either of NetEase's shapes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "RawSong")]
pub struct Song {
    pub id: u64,
    pub name: Option<String>,
    pub artists: Vec<Artist>,
    pub album: Option<Album>,
    pub duration_ms: Option<u64>,
    /// See [`Privilege::fee`].
    pub fee: Option<i64>,
    pub track_number: Option<u32>,
    /// The privilege, when the reply puts it in the song (search, daily songs, FM).
    pub privilege: Option<Privilege>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RawSong {
    #[serde(deserialize_with = "id")]
    id: u64,
    #[serde(deserialize_with = "name")]
    name: Option<String>,
    #[serde(deserialize_with = "list")]
    ar: Vec<Artist>,
    #[serde(deserialize_with = "list")]
    artists: Vec<Artist>,
    #[serde(deserialize_with = "object")]
    al: Option<Album>,
    #[serde(deserialize_with = "object")]
    album: Option<Album>,
    #[serde(deserialize_with = "uint")]
    dt: Option<u64>,
    #[serde(deserialize_with = "uint")]
    duration: Option<u64>,
    #[serde(deserialize_with = "int")]
    fee: Option<i64>,
    #[serde(deserialize_with = "uint")]
    no: Option<u64>,
    #[serde(deserialize_with = "object")]
    privilege: Option<Privilege>,
}

impl From<RawSong> for Song {
    fn from(raw: RawSong) -> Self {
        Self {
            id: raw.id,
            name: raw.name,
            artists: if raw.ar.is_empty() {
                raw.artists
            } else {
                raw.ar
            },
            album: raw.al.or(raw.album),
            duration_ms: raw.dt.or(raw.duration).filter(|d| *d > 0),
            fee: raw.fee,
            track_number: raw
                .no
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n > 0),
            privilege: raw.privilege,
        }
    }
}

impl Song {
    /// The song's cover image, if the reply named one.
    #[must_use]
    pub fn cover_url(&self) -> Option<&str> {
        self.album.as_ref()?.pic_url.as_deref()
    }

    /// Gives each song the privilege of the same id from a separate `privileges` list
    /// (song details and playlists send them apart), unless it has one already.
    pub fn attach_privileges(songs: &mut [Song], privileges: &[Privilege]) {
        let by_id: std::collections::HashMap<u64, &Privilege> =
            privileges.iter().map(|p| (p.id, p)).collect();
        for song in songs {
            if song.privilege.is_none() {
                song.privilege = by_id.get(&song.id).map(|p| (*p).clone());
            }
        }
    }
}

/// A quality level of the song URL endpoint, lowest first.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Quality {
    /// 128 kbit/s MP3.
    Standard,
    /// 192 kbit/s.
    Higher,
    /// 320 kbit/s MP3 (the best without VIP).
    #[default]
    Exhigh,
    /// CD-quality FLAC.
    Lossless,
    /// Hi-Res FLAC.
    Hires,
    /// NetEase's studio master (`jymaster`, 超清母带; VIP).
    Master,
}

impl Quality {
    pub const ALL: [Quality; 6] = [
        Self::Standard,
        Self::Higher,
        Self::Exhigh,
        Self::Lossless,
        Self::Hires,
        Self::Master,
    ];

    /// The `level` parameter.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Higher => "higher",
            Self::Exhigh => "exhigh",
            Self::Lossless => "lossless",
            Self::Hires => "hires",
            Self::Master => "jymaster",
        }
    }

    /// The level's name as the app names it (`NeteaseQuality`): `standard` … `hires`, `master`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Master => "master",
            other => other.as_str(),
        }
    }

    /// A `level` the server names; NetEase's other levels above Hi-Res (`sky`, `dolby`, …)
    /// count as [`Quality::Hires`].
    #[must_use]
    pub fn from_level(level: &str) -> Option<Self> {
        Some(match level {
            "standard" => Self::Standard,
            "higher" => Self::Higher,
            "exhigh" => Self::Exhigh,
            "lossless" => Self::Lossless,
            "hires" | "jyeffect" | "sky" | "vivid" | "dolby" => Self::Hires,
            "jymaster" => Self::Master,
            _ => return None,
        })
    }

    /// The level a bitrate (bit/s) belongs to.
    #[must_use]
    pub fn from_bitrate(br: u64) -> Self {
        match br {
            0..=128_999 => Self::Standard,
            129_000..=192_999 => Self::Higher,
            193_000..=320_999 => Self::Exhigh,
            321_000..=1_000_000 => Self::Lossless,
            _ => Self::Hires,
        }
    }
}

impl std::fmt::Display for Quality {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The trial clip a URL reply offers instead of the song (`freeTrialInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FreeTrial {
    /// Where the clip starts and ends in the song, in seconds, when the reply says.
    pub start: Option<u64>,
    pub end: Option<u64>,
}

/// One item of the song URL reply (`data[]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SongUrl {
    #[serde(deserialize_with = "id")]
    pub id: u64,
    /// `None`: no URL for this account (no rights, no copyright, or nothing at this level).
    #[serde(deserialize_with = "url")]
    pub url: Option<String>,
    /// Bit/s.
    #[serde(deserialize_with = "uint")]
    pub br: Option<u64>,
    /// Bytes.
    #[serde(deserialize_with = "uint")]
    pub size: Option<u64>,
    /// "mp3", "flac", …
    #[serde(rename = "type", deserialize_with = "name")]
    pub format: Option<String>,
    /// The level this URL is (may be lower than the one asked for).
    #[serde(deserialize_with = "name")]
    pub level: Option<String>,
    /// Present: the URL is a trial clip, not the song.
    #[serde(rename = "freeTrialInfo", deserialize_with = "free_trial")]
    pub free_trial: Option<FreeTrial>,
    /// 200, or 404 / -110 and the like when there is no URL.
    #[serde(deserialize_with = "int")]
    pub code: Option<i64>,
    #[serde(deserialize_with = "int")]
    pub fee: Option<i64>,
    /// The length of what the URL plays, in ms.
    #[serde(rename = "time", deserialize_with = "uint")]
    pub time_ms: Option<u64>,
}

impl SongUrl {
    /// The level this URL plays at: its `level`, else what its bitrate says.
    #[must_use]
    pub fn quality(&self) -> Option<Quality> {
        self.level
            .as_deref()
            .and_then(Quality::from_level)
            .or_else(|| self.br.map(Quality::from_bitrate))
    }
}

/// `freeTrialInfo`: `null` (or the string "null" some proxies send) is no trial; anything else
/// is one — when in doubt, a clip is not taken for the song.
fn free_trial<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<FreeTrial>, D::Error> {
    use serde_json::Value;
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() || s.trim() == "null" => None,
        Value::Object(o) => Some(FreeTrial {
            start: o.get("start").and_then(crate::lenient::as_uint),
            end: o.get("end").and_then(crate::lenient::as_uint),
        }),
        _ => Some(FreeTrial::default()),
    })
}

/// A song's lyrics (`/api/song/lyric/v1`); every text is LRC, `yrc` NetEase's word-timed
/// format.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lyrics {
    /// The original lyrics (`lrc`).
    pub lrc: Option<String>,
    /// A translation (`tlyric`).
    pub translation: Option<String>,
    /// A romanisation (`romalrc`).
    pub romanization: Option<String>,
    /// Word-by-word timed lyrics (`yrc`).
    pub word_timed: Option<String>,
    /// The song is instrumental (`pureMusic`) or has no lyrics (`nolyric`).
    pub instrumental: bool,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct LyricText {
    #[serde(deserialize_with = "long_text")]
    lyric: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RawLyrics {
    #[serde(deserialize_with = "object")]
    lrc: Option<LyricText>,
    #[serde(deserialize_with = "object")]
    tlyric: Option<LyricText>,
    #[serde(deserialize_with = "object")]
    romalrc: Option<LyricText>,
    #[serde(deserialize_with = "object")]
    yrc: Option<LyricText>,
    #[serde(rename = "pureMusic", deserialize_with = "flag")]
    pure_music: bool,
    #[serde(deserialize_with = "flag")]
    nolyric: bool,
}

impl Lyrics {
    pub(crate) fn from_json(json: &serde_json::Value) -> Self {
        let raw = RawLyrics::deserialize(json).unwrap_or_default();
        let text = |t: Option<LyricText>| t.and_then(|t| t.lyric);
        Self {
            lrc: text(raw.lrc),
            translation: text(raw.tlyric),
            romanization: text(raw.romalrc),
            word_timed: text(raw.yrc),
            instrumental: raw.pure_music || raw.nolyric,
        }
    }
}

/// The account behind the credentials (`/api/w/nuser/account/get`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginStatus {
    /// No account: nobody logged in, or the login expired.
    LoggedOut,
    /// An anonymous (guest) account, from [`crate::client::NeteaseClient::register_anonymous`].
    Anonymous {
        user_id: u64,
    },
    LoggedIn(Account),
}

/// A logged-in account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    pub user_id: u64,
    pub nickname: Option<String>,
    pub avatar_url: Option<String>,
    /// 0: no VIP; otherwise the kind of VIP (11 is the usual one).
    pub vip_type: i64,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RawAccountPart {
    #[serde(deserialize_with = "id")]
    id: u64,
    #[serde(rename = "anonimousUser", deserialize_with = "flag")]
    anonymous: bool,
    #[serde(rename = "vipType", deserialize_with = "int")]
    vip_type: Option<i64>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RawProfile {
    #[serde(rename = "userId", deserialize_with = "id")]
    user_id: u64,
    #[serde(deserialize_with = "name")]
    nickname: Option<String>,
    #[serde(rename = "avatarUrl", deserialize_with = "url")]
    avatar_url: Option<String>,
    #[serde(rename = "vipType", deserialize_with = "int")]
    vip_type: Option<i64>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RawAccount {
    #[serde(deserialize_with = "object")]
    account: Option<RawAccountPart>,
    #[serde(deserialize_with = "object")]
    profile: Option<RawProfile>,
}

impl LoginStatus {
    pub(crate) fn from_json(json: &serde_json::Value) -> Self {
        let raw = RawAccount::deserialize(json).unwrap_or_default();
        match (raw.account, raw.profile) {
            (_, Some(p)) if p.user_id != 0 => Self::LoggedIn(Account {
                user_id: p.user_id,
                nickname: p.nickname,
                avatar_url: p.avatar_url,
                vip_type: p.vip_type.unwrap_or(0),
            }),
            (Some(a), _) if a.id != 0 && a.anonymous => Self::Anonymous { user_id: a.id },
            (Some(a), _) if a.id != 0 => Self::LoggedIn(Account {
                user_id: a.id,
                vip_type: a.vip_type.unwrap_or(0),
                ..Account::default()
            }),
            _ => Self::LoggedOut,
        }
    }
}

/// One of the user's playlists (`/api/user/playlist`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PlaylistSummary {
    #[serde(deserialize_with = "id")]
    pub id: u64,
    #[serde(deserialize_with = "name")]
    pub name: Option<String>,
    #[serde(rename = "coverImgUrl", deserialize_with = "url")]
    pub cover_url: Option<String>,
    #[serde(rename = "trackCount", deserialize_with = "uint")]
    pub track_count: Option<u64>,
    /// 5: the user's "liked songs" playlist.
    #[serde(rename = "specialType", deserialize_with = "int")]
    pub special_type: Option<i64>,
    /// The user follows it (someone else made it).
    #[serde(deserialize_with = "flag")]
    pub subscribed: bool,
}

/// A page of the user's playlists.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PlaylistPage {
    #[serde(rename = "playlist", deserialize_with = "list")]
    pub playlists: Vec<PlaylistSummary>,
    #[serde(deserialize_with = "flag")]
    pub more: bool,
}

/// A playlist with its songs (`/api/v6/playlist/detail`): the reply lists every song's id in
/// `trackIds`, but the details of only some (`tracks`); see
/// [`crate::client::NeteaseClient::playlist_songs`] for all of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlaylistDetail {
    pub id: u64,
    pub name: Option<String>,
    pub cover_url: Option<String>,
    /// Every song's id, in order.
    pub track_ids: Vec<u64>,
    /// The songs the reply gave details of, with their privileges.
    pub songs: Vec<Song>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct TrackRef {
    #[serde(deserialize_with = "id")]
    id: u64,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RawPlaylist {
    #[serde(deserialize_with = "id")]
    id: u64,
    #[serde(deserialize_with = "name")]
    name: Option<String>,
    #[serde(rename = "coverImgUrl", deserialize_with = "url")]
    cover_url: Option<String>,
    #[serde(rename = "trackIds", deserialize_with = "list")]
    track_ids: Vec<TrackRef>,
    #[serde(deserialize_with = "list")]
    tracks: Vec<Song>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RawPlaylistReply {
    #[serde(deserialize_with = "object")]
    playlist: Option<RawPlaylist>,
    #[serde(deserialize_with = "list")]
    privileges: Vec<Privilege>,
}

impl PlaylistDetail {
    pub(crate) fn from_json(json: &serde_json::Value) -> Option<Self> {
        let raw = RawPlaylistReply::deserialize(json).ok()?;
        let p = raw.playlist?;
        let mut songs: Vec<Song> = p.tracks.into_iter().filter(|s| s.id != 0).collect();
        Song::attach_privileges(&mut songs, &raw.privileges);
        let mut track_ids: Vec<u64> = p
            .track_ids
            .iter()
            .map(|t| t.id)
            .filter(|id| *id != 0)
            .collect();
        if track_ids.is_empty() {
            track_ids = songs.iter().map(|s| s.id).collect();
        }
        Some(Self {
            id: p.id,
            name: p.name,
            cover_url: p.cover_url,
            track_ids,
            songs,
        })
    }
}

/// An artist as its own page or an album names it (`/api/v1/artist/{id}`, `album.artists`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ArtistInfo {
    #[serde(deserialize_with = "id")]
    pub id: u64,
    #[serde(deserialize_with = "name")]
    pub name: Option<String>,
    #[serde(rename = "picUrl", deserialize_with = "url")]
    pub pic_url: Option<String>,
    /// A short biography (`briefDesc`).
    #[serde(rename = "briefDesc", deserialize_with = "long_text")]
    pub brief: Option<String>,
    /// How many albums NetEase has of the artist (`albumSize`).
    #[serde(rename = "albumSize", deserialize_with = "uint")]
    pub album_count: Option<u64>,
    /// How many songs (`musicSize`).
    #[serde(rename = "musicSize", deserialize_with = "uint")]
    pub song_count: Option<u64>,
}

/// An album as its page or an artist's album list gives it (`/api/v1/album/{id}`'s `album`,
/// `/api/artist/albums/{id}`'s `hotAlbums[]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct AlbumInfo {
    #[serde(deserialize_with = "id")]
    pub id: u64,
    #[serde(deserialize_with = "name")]
    pub name: Option<String>,
    #[serde(rename = "picUrl", deserialize_with = "url")]
    pub pic_url: Option<String>,
    /// The album's artists; some replies name only one (`artist`).
    #[serde(deserialize_with = "list")]
    pub artists: Vec<Artist>,
    #[serde(deserialize_with = "object")]
    pub artist: Option<Artist>,
    /// When it was published, in ms since 1970 (`publishTime`).
    #[serde(rename = "publishTime", deserialize_with = "uint")]
    pub publish_time_ms: Option<u64>,
    /// How many songs it has (`size`).
    #[serde(deserialize_with = "uint")]
    pub size: Option<u64>,
    #[serde(deserialize_with = "long_text")]
    pub description: Option<String>,
    #[serde(deserialize_with = "name")]
    pub company: Option<String>,
}

impl AlbumInfo {
    /// Its artists: `artists`, else the one `artist`; nameless and id-less ones left out.
    #[must_use]
    pub fn all_artists(&self) -> Vec<Artist> {
        let mut all: Vec<Artist> = self.artists.clone();
        if all.is_empty()
            && let Some(a) = &self.artist
        {
            all.push(a.clone());
        }
        all.retain(|a| a.id != 0 || a.name.is_some());
        all
    }
}

/// An album with its songs (`/api/v1/album/{id}`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlbumDetail {
    pub album: AlbumInfo,
    /// Its songs in order, each with its privilege (in the song, or from a `privileges` list).
    pub songs: Vec<Song>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RawAlbumReply {
    #[serde(deserialize_with = "object")]
    album: Option<AlbumInfo>,
    #[serde(deserialize_with = "list")]
    songs: Vec<Song>,
    #[serde(deserialize_with = "list")]
    privileges: Vec<Privilege>,
}

impl AlbumDetail {
    /// `None` when the reply has no album.
    pub(crate) fn from_json(json: &serde_json::Value) -> Option<Self> {
        let raw = RawAlbumReply::deserialize(json).ok()?;
        let album = raw.album.filter(|a| a.id != 0)?;
        let songs = SongsReply {
            songs: raw.songs,
            privileges: raw.privileges,
        }
        .into_songs();
        Some(Self { album, songs })
    }
}

/// An artist and their most played songs (`/api/v1/artist/{id}`: `artist`, `hotSongs`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArtistDetail {
    pub artist: ArtistInfo,
    /// At most 50, most played first, each with its privilege.
    pub top_songs: Vec<Song>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RawArtistReply {
    #[serde(deserialize_with = "object")]
    artist: Option<ArtistInfo>,
    #[serde(rename = "hotSongs", deserialize_with = "list")]
    hot_songs: Vec<Song>,
    #[serde(deserialize_with = "list")]
    privileges: Vec<Privilege>,
}

impl ArtistDetail {
    /// `None` when the reply has no artist.
    pub(crate) fn from_json(json: &serde_json::Value) -> Option<Self> {
        let raw = RawArtistReply::deserialize(json).ok()?;
        let artist = raw.artist.filter(|a| a.id != 0)?;
        let top_songs = SongsReply {
            songs: raw.hot_songs,
            privileges: raw.privileges,
        }
        .into_songs();
        Some(Self { artist, top_songs })
    }
}

/// A page of an artist's albums (`/api/artist/albums/{id}`: `hotAlbums`, `more`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ArtistAlbums {
    #[serde(rename = "hotAlbums", deserialize_with = "list")]
    pub albums: Vec<AlbumInfo>,
    /// There are more after this page.
    #[serde(deserialize_with = "flag")]
    pub more: bool,
}

impl ArtistAlbums {
    pub(crate) fn from_json(json: &serde_json::Value) -> Self {
        let mut page = Self::deserialize(json).unwrap_or_default();
        page.albums.retain(|a| a.id != 0);
        page
    }
}

/// A page of the albums the user saved (`/api/album/sublist`: `data`, `count`, `hasMore`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SavedAlbums {
    #[serde(rename = "data", deserialize_with = "list")]
    pub albums: Vec<AlbumInfo>,
    /// How many the user saved in all (`count`), when given.
    #[serde(deserialize_with = "uint")]
    pub count: Option<u64>,
    /// There are more after this page (`hasMore`).
    #[serde(rename = "hasMore", deserialize_with = "flag")]
    pub more: bool,
}

impl SavedAlbums {
    pub(crate) fn from_json(json: &serde_json::Value) -> Self {
        let mut page = Self::deserialize(json).unwrap_or_default();
        page.albums.retain(|a| a.id != 0);
        page
    }
}

/// A page of the artists the user follows (`/api/artist/sublist`: `data`, `count`, `hasMore`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct FollowedArtists {
    #[serde(rename = "data", deserialize_with = "list")]
    pub artists: Vec<ArtistInfo>,
    /// How many the user follows in all (`count`), when given.
    #[serde(deserialize_with = "uint")]
    pub count: Option<u64>,
    /// There are more after this page (`hasMore`).
    #[serde(rename = "hasMore", deserialize_with = "flag")]
    pub more: bool,
}

impl FollowedArtists {
    pub(crate) fn from_json(json: &serde_json::Value) -> Self {
        let mut page = Self::deserialize(json).unwrap_or_default();
        page.artists.retain(|a| a.id != 0);
        page
    }
}

/// Songs and their privileges (`songs` + `privileges`, from song details).
#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct SongsReply {
    #[serde(deserialize_with = "list")]
    pub songs: Vec<Song>,
    #[serde(deserialize_with = "list")]
    pub privileges: Vec<Privilege>,
}

impl SongsReply {
    pub(crate) fn into_songs(self) -> Vec<Song> {
        let mut songs: Vec<Song> = self.songs.into_iter().filter(|s| s.id != 0).collect();
        Song::attach_privileges(&mut songs, &self.privileges);
        songs
    }
}

/// One song in the user's cloud disk (`/api/v1/cloud/get`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CloudSong {
    /// The song, as NetEase matched it (its id plays through the song URL endpoint).
    pub song: Song,
    /// The uploaded file's name.
    pub file_name: Option<String>,
    pub file_size: Option<u64>,
    /// kbit/s.
    pub bitrate: Option<u64>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RawCloudItem {
    #[serde(rename = "simpleSong", deserialize_with = "object")]
    simple_song: Option<Song>,
    #[serde(rename = "songId", deserialize_with = "id")]
    song_id: u64,
    #[serde(rename = "songName", deserialize_with = "name")]
    song_name: Option<String>,
    #[serde(deserialize_with = "name")]
    artist: Option<String>,
    #[serde(deserialize_with = "name")]
    album: Option<String>,
    #[serde(rename = "fileName", deserialize_with = "name")]
    file_name: Option<String>,
    #[serde(rename = "fileSize", deserialize_with = "uint")]
    file_size: Option<u64>,
    #[serde(deserialize_with = "uint")]
    bitrate: Option<u64>,
}

impl From<RawCloudItem> for CloudSong {
    fn from(raw: RawCloudItem) -> Self {
        let mut song = raw.simple_song.unwrap_or_default();
        if song.id == 0 {
            song.id = raw.song_id;
        }
        if song.name.is_none() {
            song.name = raw.song_name;
        }
        if song.artists.is_empty()
            && let Some(artist) = raw.artist
        {
            song.artists = vec![Artist {
                id: 0,
                name: Some(artist),
            }];
        }
        if song.album.is_none() && raw.album.is_some() {
            song.album = Some(Album {
                name: raw.album,
                ..Album::default()
            });
        }
        Self {
            song,
            file_name: raw.file_name,
            file_size: raw.file_size,
            bitrate: raw.bitrate,
        }
    }
}

/// A page of the user's cloud disk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CloudPage {
    pub songs: Vec<CloudSong>,
    /// How many songs the cloud disk holds.
    pub count: Option<u64>,
    pub has_more: bool,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RawCloudPage {
    #[serde(deserialize_with = "list")]
    data: Vec<RawCloudItem>,
    #[serde(deserialize_with = "uint")]
    count: Option<u64>,
    #[serde(rename = "hasMore", deserialize_with = "flag")]
    has_more: bool,
}

impl CloudPage {
    pub(crate) fn from_json(json: &serde_json::Value) -> Self {
        let raw = RawCloudPage::deserialize(json).unwrap_or_default();
        Self {
            songs: raw
                .data
                .into_iter()
                .map(CloudSong::from)
                .filter(|c| c.song.id != 0)
                .collect(),
            count: raw.count,
            has_more: raw.has_more,
        }
    }
}

/// Where a QR login stands (`/api/login/qrcode/client/login`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QrStatus {
    /// 800: the code expired; ask for a new key.
    Expired,
    /// 801: nobody has scanned it yet.
    Waiting,
    /// 802: scanned, waiting for the user to confirm in the app.
    Scanned {
        nickname: Option<String>,
        avatar_url: Option<String>,
    },
    /// 803: confirmed; these are the account's cookies.
    Confirmed { credentials: crate::Credentials },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_song_shapes_read() {
        let new: Song = serde_json::from_value(json!({
            "id": 186_016, "name": "晴天", "ar": [{"id": 6452, "name": "周杰伦"}],
            "al": {"id": 18905, "name": "叶惠美", "picUrl": "https://p1.music.126.net/x.jpg"},
            "dt": 269_000, "fee": 8, "no": 3, "mv": 0, "someNewField": {"x": [1, 2]}
        }))
        .unwrap();
        assert_eq!(new.id, 186_016);
        assert_eq!(new.artists[0].name.as_deref(), Some("周杰伦"));
        assert_eq!(new.cover_url(), Some("https://p1.music.126.net/x.jpg"));
        assert_eq!(
            (new.duration_ms, new.fee, new.track_number),
            (Some(269_000), Some(8), Some(3))
        );

        let old: Song = serde_json::from_value(json!({
            "id": "33894312", "name": "x", "artists": [{"id": 1, "name": "A"}],
            "album": {"id": 2, "name": "B", "picUrl": null}, "duration": 1000,
            "privilege": {"id": 33_894_312, "st": 0, "pl": 320_000, "fee": 0}
        }))
        .unwrap();
        assert_eq!(old.id, 33_894_312);
        assert_eq!(old.artists.len(), 1);
        assert_eq!(old.album.as_ref().unwrap().name.as_deref(), Some("B"));
        assert_eq!(old.cover_url(), None);
        assert_eq!(old.privilege.unwrap().pl, Some(320_000));
    }

    #[test]
    fn hostile_songs_do_not_break_the_list() {
        let reply: SongsReply = serde_json::from_value(json!({
            "songs": [
                {"id": 1, "name": "ok", "ar": "not a list", "al": [], "dt": "x"},
                "not an object",
                null,
                {"name": "no id"},
                {"id": 2, "name": {"nested": true}, "ar": [{"id": "z"}, 5, {"name": "B"}]},
            ],
            "privileges": [{"id": 2, "st": -200}, 7]
        }))
        .unwrap();
        let songs = reply.into_songs();
        assert_eq!(songs.iter().map(|s| s.id).collect::<Vec<_>>(), [1, 2]);
        assert!(songs[0].artists.is_empty() && songs[0].album.is_none());
        assert_eq!(songs[1].name, None);
        assert_eq!(songs[1].artists.len(), 2);
        assert_eq!(songs[1].privilege.as_ref().unwrap().st, Some(-200));
    }

    #[test]
    fn a_huge_song_list_is_capped() {
        let songs: Vec<_> = (1..=12_000).map(|i| json!({"id": i})).collect();
        let reply: SongsReply = serde_json::from_value(json!({ "songs": songs })).unwrap();
        assert_eq!(reply.into_songs().len(), crate::lenient::MAX_LIST_ITEMS);
    }

    #[test]
    fn song_url_levels_and_trials() {
        let u: SongUrl = serde_json::from_value(json!({
            "id": 1, "url": "http://m701.music.126.net/a.mp3", "br": 320_000, "size": 9,
            "type": "mp3", "level": "exhigh", "freeTrialInfo": null, "code": 200, "time": 269_000
        }))
        .unwrap();
        assert_eq!(
            (u.quality(), u.free_trial.is_none()),
            (Some(Quality::Exhigh), true)
        );
        let t: SongUrl = serde_json::from_value(json!({
            "id": 1, "url": "http://m701.music.126.net/t.mp3", "br": 128_000,
            "freeTrialInfo": {"start": 30, "end": 60, "fragmentType": 1}
        }))
        .unwrap();
        assert_eq!(
            t.free_trial,
            Some(FreeTrial {
                start: Some(30),
                end: Some(60)
            })
        );
        assert_eq!(t.quality(), Some(Quality::Standard));
        for odd in [json!("null"), json!(""), json!(true), json!([1])] {
            let u: SongUrl =
                serde_json::from_value(json!({"id": 1, "freeTrialInfo": odd.clone()})).unwrap();
            let expect_trial = !matches!(odd.as_str(), Some("null" | ""));
            assert_eq!(u.free_trial.is_some(), expect_trial, "{odd}");
        }
        assert_eq!(Quality::from_level("jymaster"), Some(Quality::Master));
        assert_eq!(Quality::from_level("sky"), Some(Quality::Hires));
        assert_eq!(Quality::Master.as_str(), "jymaster");
        assert_eq!(Quality::from_bitrate(999_000), Quality::Lossless);
        assert!(Quality::Standard < Quality::Hires);
    }

    #[test]
    fn lyrics_account_playlist_and_cloud_read() {
        let l = Lyrics::from_json(&json!({
            "code": 200, "lrc": {"version": 3, "lyric": "[00:01.00]a"}, "tlyric": {"lyric": ""},
            "romalrc": null, "yrc": {"lyric": "[1000,200](1000,200,0)a"}
        }));
        assert_eq!(l.lrc.as_deref(), Some("[00:01.00]a"));
        assert_eq!((l.translation, l.romanization), (None, None));
        assert!(l.word_timed.is_some() && !l.instrumental);

        let s = LoginStatus::from_json(&json!({"code": 200,
            "account": {"id": 9, "anonimousUser": false},
            "profile": {"userId": 9, "nickname": "n", "vipType": 11, "avatarUrl": "https://a/b.jpg"}}));
        assert!(matches!(
            s,
            LoginStatus::LoggedIn(Account {
                user_id: 9,
                vip_type: 11,
                ..
            })
        ));
        assert_eq!(
            LoginStatus::from_json(
                &json!({"account": {"id": 5, "anonimousUser": true}, "profile": null})
            ),
            LoginStatus::Anonymous { user_id: 5 }
        );
        assert_eq!(
            LoginStatus::from_json(&json!({"code": 200, "account": null})),
            LoginStatus::LoggedOut
        );

        let p = PlaylistDetail::from_json(&json!({"code": 200, "playlist": {
            "id": 7, "name": "P", "trackIds": [{"id": 1}, {"id": 2}, {"id": 3}],
            "tracks": [{"id": 1, "name": "one"}]}, "privileges": [{"id": 1, "st": 0, "pl": 128_000}]}))
        .unwrap();
        assert_eq!(p.track_ids, [1, 2, 3]);
        assert_eq!(p.songs[0].privilege.as_ref().unwrap().pl, Some(128_000));
        assert!(PlaylistDetail::from_json(&json!({"code": 200, "playlist": null})).is_none());

        let c = CloudPage::from_json(&json!({"code": 200, "count": 2, "hasMore": false, "data": [
            {"songId": 11, "songName": "up", "artist": "me", "album": "al", "fileName": "up.flac",
             "simpleSong": {"id": 11, "name": null, "ar": null, "al": null, "privilege": {"cs": true}}},
            {"songId": 0}
        ]}));
        assert_eq!(c.songs.len(), 1);
        let song = &c.songs[0].song;
        assert_eq!(song.name.as_deref(), Some("up"));
        assert_eq!(song.artists[0].name.as_deref(), Some("me"));
        assert!(song.privilege.as_ref().unwrap().cloud);
    }
    #[test]
    fn albums_and_artists_read_tolerantly() {
        let a = AlbumDetail::from_json(&json!({"code": 200, "resourceState": true,
            "album": {"id": 40, "name": "Premium", "picUrl": "http://p1.music.126.net/a.jpg",
                "artist": {"id": 7, "name": "Paywall Trio"}, "artists": null,
                "publishTime": 1_700_000_000_000_u64, "size": 3, "description": null, "x": [1]},
            "songs": [
                {"id": 1, "name": "vip", "fee": 1, "privilege": {"id": 1, "fee": 1, "st": 0, "pl": 0}},
                {"id": 2, "name": "grey", "fee": 0},
                "junk", null, {"name": "no id"}
            ],
            "privileges": [{"id": 2, "st": -200, "pl": 0}]}))
        .unwrap();
        assert_eq!(a.album.id, 40);
        assert_eq!(
            a.album.all_artists()[0].name.as_deref(),
            Some("Paywall Trio")
        );
        assert_eq!(a.album.publish_time_ms, Some(1_700_000_000_000));
        assert_eq!(a.songs.iter().map(|s| s.id).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(a.songs[0].privilege.as_ref().unwrap().fee, Some(1));
        assert_eq!(a.songs[1].privilege.as_ref().unwrap().st, Some(-200));
        assert!(AlbumDetail::from_json(&json!({"code": 200, "album": null})).is_none());
        assert!(AlbumDetail::from_json(&json!({"album": {"id": "x"}})).is_none());

        let r = ArtistDetail::from_json(&json!({"code": 200, "more": true,
            "artist": {"id": "9", "name": "A", "briefDesc": "bio", "albumSize": 2, "musicSize": "5"},
            "hotSongs": [{"id": 3, "ar": [{"id": 9, "name": "A"}], "privilege": {"id": 3, "st": 0}}, 4]}))
        .unwrap();
        assert_eq!((r.artist.id, r.artist.song_count), (9, Some(5)));
        assert_eq!(r.top_songs.len(), 1);
        assert!(ArtistDetail::from_json(&json!({"artist": "nope", "hotSongs": []})).is_none());

        let p = ArtistAlbums::from_json(&json!({"code": 200, "more": true,
            "hotAlbums": [{"id": 40, "name": "P", "size": 3}, {"id": 0}, [], {"id": 41, "artists": [{"id": 9}]}]}));
        assert!(p.more);
        assert_eq!(p.albums.iter().map(|a| a.id).collect::<Vec<_>>(), [40, 41]);
        assert_eq!(
            ArtistAlbums::from_json(&json!({"hotAlbums": "x"})),
            ArtistAlbums::default()
        );
    }

    #[test]
    fn saved_albums_and_followed_artists_read_tolerantly() {
        let a = SavedAlbums::from_json(&json!({"code": 200, "count": "2", "hasMore": false,
            "data": [{"id": 40, "name": "P", "size": 3, "artists": [{"id": 9, "name": "A"}],
                "subTime": 1_700_000_000_000_u64}, {"id": 0}, "junk", null]}));
        assert_eq!(a.albums.iter().map(|x| x.id).collect::<Vec<_>>(), [40]);
        assert_eq!(a.count, Some(2));
        assert!(!a.more);
        assert_eq!(
            SavedAlbums::from_json(&json!({"data": "x"})),
            SavedAlbums::default()
        );

        let r = FollowedArtists::from_json(&json!({"code": 200, "hasMore": true,
            "data": [{"id": "9", "name": "A", "albumSize": 2, "picUrl": "http://p1.music.126.net/x.jpg"}, 4, {"name": "no id"}]}));
        assert_eq!(r.artists.iter().map(|x| x.id).collect::<Vec<_>>(), [9]);
        assert_eq!(r.artists[0].album_count, Some(2));
        assert!(r.more);
        assert_eq!(
            FollowedArtists::from_json(&json!({"data": null, "hasMore": "x"})),
            FollowedArtists::default()
        );
    }
}
