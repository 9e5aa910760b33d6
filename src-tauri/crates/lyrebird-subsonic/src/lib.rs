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
