//! NetEase Cloud Music for Lyrebird: the request protocol (the encryptions its servers expect
//! and how one request is put together), the endpoints, and the player's [`source::NeteaseSource`].
//! No UI and no actor here.
//!
//! - [`crypto`]: weapi, eapi, linuxapi and xeapi, each with its decryption (the server's side
//!   too where the scheme allows it, for fake servers and tests). Randomness comes from an
//!   [`crypto::Entropy`] so tests are deterministic.
//! - [`DeviceIdentity`]: the device the requests claim to come from, created once and
//!   stored; [`Credentials`]: the account's cookies.
//! - [`ApiHosts`]: where requests go; `LYREBIRD_NETEASE_API` sends them all to one base URL.
//! - [`build`]: one request's URL, headers, cookies and form body for an [`ApiCall`]. Each
//!   request gets its own headers from an immutable [`RequestContext`]; nothing is shared
//!   and mutated between requests.
//! - [`send`]: sends a [`PreparedRequest`] with reqwest and reads the reply, at most
//!   [`MAX_REPLY_BYTES`], decrypted; an xeapi reply may hand back a new
//!   [`crypto::xeapi::Session`] for the caller to keep.
//! - [`client::NeteaseClient`]: the endpoints (QR, phone, SMS and email login, account, daily songs, FM, playlists,
//!   song details, URLs, lyrics, search, cloud disk, likes, scrobbling), typed replies
//!   ([`model`]) and errors ([`ApiError`]); what a reply changes about the session comes back
//!   as a [`client::SessionUpdate`] for the client's one owner.
//! - [`playability::classify`]: playable, greyed, VIP-only, trial-only or no URL.
//! - [`source::NeteaseSource`]: the `Source` the actor asks.
//!
//! The wire format follows the npm package `@neteasecloudmusicapienhanced/api` 4.40.1 (see
//! `docs/netease.md`). The known-answer tests hold values that package computes for the same
//! input, and `tests/crosscheck_npm.rs` compares the two implementations live through node.
//! Nothing in the tests talks to NetEase.

mod api_error;
pub mod client;
pub mod crypto;
mod device;
pub mod discover;
mod error;
mod hosts;
mod lenient;
pub mod login;
pub mod model;
mod params;
pub mod playability;
pub mod playlist_edit;
pub mod request;
mod send;
pub mod source;

pub use api_error::{ApiError, LoginRefusal, check as check_reply, code, error_for, reply_code};

pub use device::{ClientOs, Credentials, DeviceIdentity};
pub use error::NeteaseError;
pub use hosts::{API_OVERRIDE_ENV, ApiHosts, Host, WEAPI_PUBKEY_ENV};
pub use lenient::{MAX_LIST_ITEMS, MAX_LYRICS_CHARS, MAX_NAME_CHARS, MAX_URL_CHARS};
pub use params::Params;
pub use request::{
    ApiCall, PreparedRequest, ReplyEncoding, RequestContext, Scheme, build, build_xeapi_key_request,
};
pub use send::{REQUEST_TIMEOUT, Reply, send, send_within};

/// The most a reply body may be, read or decompressed: 16 MiB. Replies are JSON; the largest
/// (a playlist of thousands of tracks with their details) stay well under this.
pub const MAX_REPLY_BYTES: usize = 16 << 20;

/// Reads `body` as each reply the client reads — decrypted when it is eapi, then checked for
/// an API error and read as every model (songs, URLs, lyrics, login status, playlists, cloud
/// pages) — discarding the results. The fuzz targets' entry point (`src-tauri/fuzz`);
/// whatever the bytes, it returns.
#[doc(hidden)]
pub fn decode_every_reply(body: &[u8]) {
    use serde::Deserialize;
    for encoding in [request::ReplyEncoding::Plain, request::ReplyEncoding::Eapi] {
        let Ok(json) = send::decode(encoding, body) else {
            continue;
        };
        let _ = check_reply(200, &json);
        let _ = model::Lyrics::from_json(&json);
        let _ = model::LoginStatus::from_json(&json);
        let _ = model::PlaylistDetail::from_json(&json);
        let _ = model::CloudPage::from_json(&json);
        if let Ok(songs) = model::SongsReply::deserialize(&json) {
            let _ = songs.into_songs();
        }
        let _ = model::SongUrl::deserialize(&json);
        let _ = model::PlaylistPage::deserialize(&json);
        discover::decode_every_reply(&json);
    }
}
