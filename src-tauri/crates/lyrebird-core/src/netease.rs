//! The NetEase Cloud Music account as the UI sees it: what the shell's `netease_*` commands
//! answer and take. The protocol, client and source live in `lyrebird-netease`; the session
//! (cookies) lives in the secret store, never here. Text in these types is untrusted (it comes
//! from NetEase).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::Track;

/// The source id of the NetEase account in [`crate::servers::SourceSettings::order`].
pub const NETEASE_SOURCE_ID: &str = "netease";

/// The audio quality asked of NetEase; a lower one plays when the higher is not offered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum NeteaseQuality {
    Standard,
    Higher,
    #[default]
    Exhigh,
    Lossless,
    Hires,
    /// NetEase's studio master (VIP).
    Master,
}

/// The signed-in user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseUser {
    #[ts(type = "number")]
    pub id: u64,
    pub nickname: String,
    pub avatar_url: Option<String>,
    /// Whether the account has a VIP subscription (VIP songs play from NetEase then).
    pub vip: bool,
}

/// The account's state: signed in or not, and the chosen quality.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseStatus {
    /// `None`: not signed in (NetEase is not a source then).
    pub user: Option<NeteaseUser>,
    pub quality: NeteaseQuality,
}

/// The NetEase account as the settings keep it (the actor is their only writer, through
/// [`crate::servers::SourceChange`]): who is signed in and the quality. The session (cookies,
/// device identity, xeapi key) is in the secret store under [`NETEASE_SOURCE_ID`], never here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct NeteaseSettings {
    /// `None`: not signed in, and NetEase is not a source.
    pub user: Option<NeteaseUser>,
    pub quality: NeteaseQuality,
    /// The quality on a metered connection (mobile data, a hotspot: as the OS marks it);
    /// `None`: [`NeteaseSettings::quality`] there too. Absent in settings of earlier versions.
    #[ts(optional = nullable)]
    pub quality_on_metered: Option<NeteaseQuality>,
}

impl NeteaseSettings {
    /// The quality to stream at on a connection that is, or is not, metered.
    #[must_use]
    pub fn quality_for(&self, metered: bool) -> NeteaseQuality {
        match self.quality_on_metered {
            Some(quality) if metered => quality,
            _ => self.quality,
        }
    }

    /// What `netease_status` answers.
    #[must_use]
    pub fn status(&self) -> NeteaseStatus {
        NeteaseStatus {
            user: self.user.clone(),
            quality: self.quality,
        }
    }
}

/// A QR code to scan with the NetEase app: its key (for polling) and its modules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QrLogin {
    pub key: String,
    /// What the code encodes (`https://music.163.com/login?codekey=…`).
    pub url: String,
    /// Modules per side.
    pub size: u32,
    /// `size × size` modules, row by row: true is dark. The UI draws them (no image, no
    /// markup from outside).
    pub modules: Vec<bool>,
}

/// Where a QR login stands (NetEase's codes 800–803).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "state"
)]
pub enum QrState {
    /// 801: shown, not scanned yet.
    Waiting,
    /// 802: scanned; waiting for the user to confirm in the app.
    Scanned { nickname: Option<String> },
    /// 803: confirmed; the session is stored and NetEase is a source.
    Confirmed { status: NeteaseStatus },
    /// 800: expired; ask for a new code.
    Expired,
}

/// A playlist of the user's (created or subscribed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteasePlaylist {
    #[ts(type = "number")]
    pub id: u64,
    pub name: String,
    pub track_count: u32,
    pub cover_url: Option<String>,
    /// Subscribed to, rather than created by the user.
    pub subscribed: bool,
}

/// One page of a long list (a playlist's tracks, in batches).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteasePage {
    pub title: Option<String>,
    /// How many there are in all.
    pub total: u32,
    /// Where this page starts.
    pub offset: u32,
    pub tracks: Vec<Track>,
}

/// Which album or artist page to open: by its id, or by a NetEase track (`netease:<id>`) whose
/// album, or first artist, it is — so any NetEase track the UI shows (a list row, the queue)
/// leads to its album and artist without the track carrying their ids.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(untagged)]
pub enum NeteaseRef {
    Id {
        #[ts(type = "number")]
        id: u64,
    },
    Track {
        #[serde(rename = "trackId")]
        track_id: String,
    },
}

/// An artist as an album names them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseArtistRef {
    #[ts(type = "number")]
    pub id: u64,
    pub name: String,
}

/// An album as its page heads it, or as an artist's page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseAlbum {
    #[ts(type = "number")]
    pub id: u64,
    pub name: String,
    pub cover_url: Option<String>,
    /// When it was published, ms since 1970.
    #[ts(type = "number | null")]
    pub published_ms: Option<u64>,
    /// How many songs it has, as NetEase counts them.
    pub track_count: Option<u32>,
    pub artists: Vec<NeteaseArtistRef>,
}

/// An album's page: the album and its songs (VIP-only and greyed ones too: they play through
/// the fallback race, as a playlist's do).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseAlbumPage {
    pub album: NeteaseAlbum,
    pub description: Option<String>,
    pub company: Option<String>,
    pub tracks: Vec<Track>,
}

/// An artist's page: their most played songs and the first page of their albums.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseArtistPage {
    #[ts(type = "number")]
    pub id: u64,
    pub name: String,
    pub cover_url: Option<String>,
    pub description: Option<String>,
    /// At most 50, most played first.
    pub top_tracks: Vec<Track>,
    /// Newest first.
    pub albums: Vec<NeteaseAlbum>,
    /// NetEase has more albums of theirs than `albums` lists.
    pub more_albums: bool,
}

/// A further page of an artist's albums (after the first, on their page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseAlbums {
    pub albums: Vec<NeteaseAlbum>,
    /// NetEase has more after these.
    pub more: bool,
}

/// An artist as the user's followed artists list them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseArtist {
    #[ts(type = "number")]
    pub id: u64,
    pub name: String,
    pub cover_url: Option<String>,
    /// How many albums NetEase has of theirs.
    pub album_count: Option<u32>,
}

/// The albums the user saved and the artists they follow, the first
/// [`NETEASE_LIBRARY_LIMIT`] of each, most recent first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseLibrary {
    pub albums: Vec<NeteaseAlbum>,
    pub artists: Vec<NeteaseArtist>,
    /// The user saved more albums than `albums` lists.
    pub more_albums: bool,
    /// The user follows more artists than `artists` lists.
    pub more_artists: bool,
}

/// What a search finds besides songs: albums, artists and playlists (at most
/// [`NETEASE_SEARCH_ELSE_LIMIT`] of each), each opening its page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseFound {
    pub albums: Vec<NeteaseAlbum>,
    pub artists: Vec<NeteaseArtist>,
    pub playlists: Vec<NeteasePlaylist>,
}

/// How many albums, artists and playlists [`NeteaseFound`] lists.
pub const NETEASE_SEARCH_ELSE_LIMIT: u32 = 20;

/// Which list of [`NeteaseLibrary`] to page on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum NeteaseLibraryPart {
    Albums,
    Artists,
}

/// How many saved albums, and followed artists, [`NeteaseLibrary`] lists.
pub const NETEASE_LIBRARY_LIMIT: u32 = 100;

/// A password or SMS login, as the login form sends it. The password and code go to NetEase
/// (the password as its MD5) and are not kept; `Debug` hides them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum NeteaseLogin {
    /// A phone number and the account's password.
    PhonePassword {
        /// The calling code without `+` (`86`).
        country_code: String,
        phone: String,
        password: String,
    },
    /// A phone number and the code NetEase texted to it (`netease_sms_send`).
    PhoneCode {
        country_code: String,
        phone: String,
        code: String,
    },
    /// A NetEase mailbox (`@163.com`, `@126.com`, …) and its password.
    Email { email: String, password: String },
}

impl std::fmt::Debug for NeteaseLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::PhonePassword { .. } => "PhonePassword(<hidden>)",
            Self::PhoneCode { .. } => "PhoneCode(<hidden>)",
            Self::Email { .. } => "Email(<hidden>)",
        })
    }
}

/// One of NetEase's charts; it opens as a playlist (`netease_playlist` with its id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseChart {
    #[ts(type = "number")]
    pub id: u64,
    pub name: String,
    pub track_count: u32,
    pub cover_url: Option<String>,
    /// How often NetEase updates it, in NetEase's words.
    pub updated: Option<String>,
}

/// A song the search box suggests: searching for it finds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseSuggestedSong {
    #[ts(type = "number")]
    pub id: u64,
    pub name: String,
    /// Its artists, joined.
    pub artist: Option<String>,
}

/// An album the search box suggests, with its artist's name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseSuggestedAlbum {
    #[ts(type = "number")]
    pub id: u64,
    pub name: String,
    pub artist: Option<String>,
}

/// A playlist the search box suggests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseSuggestedPlaylist {
    #[ts(type = "number")]
    pub id: u64,
    pub name: String,
}

/// What the search box suggests while the user types, at most ten of each kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseSuggestions {
    pub songs: Vec<NeteaseSuggestedSong>,
    pub artists: Vec<NeteaseArtistRef>,
    pub albums: Vec<NeteaseSuggestedAlbum>,
    pub playlists: Vec<NeteaseSuggestedPlaylist>,
}

/// Whether a track its own source will not play ([`crate::Track::unplayable`]) has a copy in
/// the user's other sources: `source` names where the best one is (its label, e.g. "Local"),
/// `None` when none matched. A list shows such a track as playable, "from <source>".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeteaseCopy {
    pub track_id: crate::model::TrackId,
    pub source: Option<String>,
}

/// Add songs to one of the user's NetEase playlists, or remove them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum NeteasePlaylistEdit {
    Add,
    Remove,
}

/// The most tracks one `netease_playlist_edit` names.
pub const MAX_PLAYLIST_EDIT: usize = 1000;
/// The longest playlist name NetEase takes, in characters.
pub const MAX_PLAYLIST_NAME_CHARS: usize = 40;

/// The most tracks one `netease_copies` call looks up.
pub const MAX_COPY_LOOKUPS: usize = 500;

/// A field of the login form, named by [`NeteaseError::Invalid`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum NeteaseLoginField {
    CountryCode,
    Phone,
    Email,
    Password,
    Code,
}

impl std::fmt::Display for NeteaseLoginField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::CountryCode => "country code",
            Self::Phone => "phone number",
            Self::Email => "email address",
            Self::Password => "password",
            Self::Code => "code",
        })
    }
}

/// Why a NetEase request failed, in a form the UI words (in the user's language) and acts on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum NeteaseError {
    /// -462: NetEase wants the user verified; open `url` in a window.
    #[error("NetEase asks you to verify your account")]
    Verify { url: String },
    /// 8821: a behaviour captcha.
    #[error("NetEase asks for a captcha")]
    Captcha,
    /// -460: NetEase does not trust this network.
    #[error("NetEase does not trust this network")]
    NetworkEnvironment,
    /// 8830: a second factor is needed.
    #[error("NetEase asks for a second factor")]
    SecondFactor,
    /// 301 / 8810: not signed in, or the session expired (the queue is kept).
    #[error("not signed in to NetEase")]
    NotLoggedIn,
    /// 501: no account has that phone number or email address.
    #[error("no NetEase account has that phone number or email address")]
    UnknownAccount,
    /// 502: the password is wrong.
    #[error("the password is wrong")]
    WrongPassword,
    /// 503: the SMS code is wrong or has expired.
    #[error("the SMS code is wrong or has expired")]
    WrongCode,
    /// 509: too many wrong passwords; password logins are blocked for a while.
    #[error("too many wrong passwords")]
    TooManyAttempts,
    /// 405: a code was sent moments ago.
    #[error("a code was sent moments ago")]
    CodeTooSoon,
    /// What the user typed cannot be a phone number, country code, email address, password
    /// or code; nothing was sent.
    #[error("that {field} cannot be right")]
    Invalid { field: NeteaseLoginField },
    /// NetEase could not be reached.
    #[error("NetEase cannot be reached: {message}")]
    Unreachable { message: String },
    /// Anything else NetEase said, as it said it.
    #[error("NetEase: {message}")]
    Other { message: String },
}
