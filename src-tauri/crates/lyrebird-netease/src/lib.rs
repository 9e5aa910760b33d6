//! NetEase Cloud Music's request protocol: the encryptions its servers expect (see
//! [`crypto`]) and the parameters they carry ([`Params`]).
//!
//! The wire format follows the npm package `@neteasecloudmusicapienhanced/api` 4.40.1; the
//! known-answer tests hold values that package computes for the same input, and
//! `tests/crosscheck_npm.rs` compares the two implementations live when node is installed.

pub mod crypto;
mod error;
mod params;

pub use error::NeteaseError;
pub use params::Params;

/// The most a reply body may be, read or decompressed: 16 MiB. A reply is JSON; the largest
/// ones (a playlist of thousands of tracks with their details) stay well under this.
pub const MAX_REPLY_BYTES: usize = 16 << 20;
