//! Lyrebird's desktop integration that needs no web view, so it builds and tests anywhere:
//!
//! - [`media`]: the OS media controls (MPRIS on Linux, SMTC on Windows, Now Playing on macOS)
//!   through `souvlaki`, on a thread of their own that mirrors the actor's events and turns
//!   the OS's requests into actor actions;
//! - [`tray`]: what the tray menu shows for a player state, in the UI's language — a plain
//!   model the shell turns into a native menu;
//! - [`network`]: whether the connection is metered (NetworkManager on Linux, the connection
//!   profile's cost on Windows), told to the actor for NetEase's quality on such a connection;
//! - [`notification`]: the text of a track-change notification (markup escaped where the
//!   notification server reads it).

pub mod language;
pub mod media;
pub mod network;
pub mod notification;
pub mod tray;

pub use language::Language;
