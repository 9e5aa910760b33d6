//! Subsonic and OpenSubsonic servers (Navidrome, Gonic, Supysonic, …) as a Lyrebird source.
//!
//! [`SubsonicClient`] talks to one server. The first request settles how it authenticates —
//! an OpenSubsonic API key when the server advertises them, otherwise a salted token, and the
//! hex-encoded password only for servers that refuse tokens — and every later request uses
//! that decision, with a fresh salt each time. Passwords, keys and tokens never appear in
//! `Debug` output or error messages. As a [`lyrebird_core::provider::Source`] the client
//! resolves `subsonic:<song id>` tracks to stream URLs and searches for copies of tracks other
//! sources cannot play.

mod auth;
mod client;
mod config;
mod error;
mod model;
mod response;
mod source;
mod track;

pub use auth::AuthKind;
pub use client::{
    API_KEY_EXTENSION, API_VERSION, AlbumListType, CLIENT_NAME, MAX_REPLY_BYTES, Scrobble,
    SearchCounts, StarItem, SubsonicClient, SubsonicClientBuilder, same_server_redirects,
};
pub use config::{Secret, ServerConfig, Transcoding};
pub use error::SubsonicError;
pub use model::{
    Album, Artist, ArtistIndex, ArtistRef, Extension, Found, Playlist, Song, SongReplayGain,
};
pub use track::{TRACK_ID_PREFIX, song_id, track_id};

/// Reads `body` (with HTTP status `status`) as each reply the client reads — a status-only
/// reply and every payload element it asks for, typed as it types them — and maps the songs
/// found to tracks, discarding the results. The fuzz targets' entry point (`src-tauri/fuzz`);
/// whatever the bytes, it returns.
#[doc(hidden)]
pub fn decode_every_reply(status: u16, body: &[u8]) {
    use response::{ListOf, parse};
    use serde::de::IgnoredAny;
    let host = "fuzz";
    let _ = parse::<IgnoredAny>(status, body, host, None);
    let _ = parse::<ListOf<Extension>>(status, body, host, Some("openSubsonicExtensions"));
    let _ = parse::<model::ArtistsPayload>(status, body, host, Some("artists"));
    let _ = parse::<Artist>(status, body, host, Some("artist"));
    let _ = parse::<Album>(status, body, host, Some("album"));
    let _ = parse::<model::AlbumListPayload>(status, body, host, Some("albumList2"));
    let _ = parse::<model::PlaylistsPayload>(status, body, host, Some("playlists"));
    let _ = parse::<Playlist>(status, body, host, Some("playlist"));
    for key in ["starred2", "searchResult3"] {
        if let Ok(Some(found)) = parse::<Found>(status, body, host, Some(key)) {
            for song in &found.song {
                let _ = song.to_track();
            }
        }
    }
}
