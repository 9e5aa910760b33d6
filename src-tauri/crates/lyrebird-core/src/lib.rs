//! Lyrebird's core: one actor owns every piece of mutable player and session state.
//!
//! Everything else talks to it by messages: Tauri commands through a [`PlayerHandle`],
//! the audio thread through [`audio::AudioEvent`]s that carry the play id they belong to.
//! The actor publishes [`events::PlayerEvent`]s that the UI renders; the UI keeps no state
//! of its own. See `docs/architecture.md`.

pub mod actor;
pub mod audio;
pub mod bindings;
pub mod certificate;
pub mod errors;
pub mod events;
pub mod folders;
pub mod ids;
pub mod library_rows;
pub mod log_limit;
pub mod matching;
pub mod model;
pub mod netease;
pub mod playlists;
pub mod provider;
pub mod queue;
pub mod race;
pub mod servers;
pub mod session;
pub mod settings;

pub use actor::{Player, PlayerConfig, PlayerError, PlayerHandle};
pub use audio::{AudioCommand, AudioEvent, FailureCause, PlayId};
pub use events::{Notice, PlaybackStatus, PlayerEvent, PlayerState, Published, Snapshot};
pub use model::{SourceKind, Track, TrackId, Unplayable};
