//! The protocol between the actor and the audio thread.
//!
//! The actor sends [`AudioCommand`]s; the audio thread answers with [`AudioEvent`]s. Every load
//! carries a fresh [`PlayId`] and every event carries the id of the load it belongs to, so the
//! actor can drop events from a track it has already moved away from.

use crate::provider::Playable;

pub use crate::ids::PlayId;

/// What the actor asks the audio thread to do.
#[derive(Clone, Debug, PartialEq)]
pub enum AudioCommand {
    /// Stop whatever plays and start `media` at `start_ms`, paused or not. `gain` is the
    /// track's own linear gain (ReplayGain), applied under the volume.
    Load {
        play_id: PlayId,
        media: Playable,
        start_ms: u64,
        paused: bool,
        gain: f32,
    },
    /// Decode `media` ahead, to follow the current track with no gap when it ends. Its events
    /// come under `play_id`. Replaces any earlier preload.
    Preload {
        play_id: PlayId,
        media: Playable,
        gain: f32,
    },
    /// Change the current track's own gain (the ReplayGain mode changed).
    SetTrackGain {
        play_id: PlayId,
        gain: f32,
    },
    /// Withdraw the preload (the queue changed).
    CancelPreload,
    Pause,
    Resume,
    /// Stop and drop the current source.
    Stop,
    Seek {
        play_id: PlayId,
        position_ms: u64,
    },
    /// Linear gain, 0.0 ..= 1.0, already shaped by the actor's volume curve.
    SetGain(f32),
    /// Try to open the output device again (after it was missing).
    RetryDevice,
    /// Play through this device (by id) from now on; `None`: the system default.
    SetDevice(Option<String>),
    /// Report the output devices there are (answered with `Devices`).
    ListDevices,
    /// Fade each track into the next over this long (0: gapless, no fade).
    SetCrossfade {
        ms: u32,
    },
    /// Whether any window shows the position: without one, the audio thread wakes less often
    /// and reports positions once a second (the tray and media controls need no more).
    SetWatched(bool),
    /// End the audio thread.
    Shutdown,
}

/// Why a load could not be heard, as far as the actor's decisions go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureCause {
    /// The server could not be reached (refused, timed out, a network or TLS failure): its
    /// other tracks would fail the same way for a while.
    Unreachable,
    /// This track: its file or stream, its decoder, what the server said about it.
    Track,
}

/// What the audio thread reports back.
#[derive(Clone, Debug, PartialEq)]
pub enum AudioEvent {
    /// The decoder opened and samples are flowing to the device.
    Started {
        play_id: PlayId,
        duration_ms: Option<u64>,
    },
    /// The device took the load's first sample: the listener hears it now (give or take the
    /// device's buffer). For measurements; the state does not depend on it.
    Audible { play_id: PlayId },
    /// Periodic while playing, and once after every seek.
    Position { play_id: PlayId, position_ms: u64 },
    /// The track played to its end.
    Ended { play_id: PlayId },
    /// The track played to its end and the preloaded one took over with no gap. `started` is
    /// the preload the audio thread actually used, which may be one the actor has since
    /// withdrawn: the actor decides whether to follow it or load something else.
    Continued {
        ended: PlayId,
        started: PlayId,
        duration_ms: Option<u64>,
    },
    /// The track could not be opened or decoded; playback should move on (to another copy
    /// first). `cause` says whether its server could not be reached at all.
    Failed {
        play_id: PlayId,
        reason: String,
        cause: FailureCause,
    },
    /// The watchdog saw no audio decoded for a while although the track is playing (a stream
    /// that stopped delivering, a decoder stuck resyncing). The actor reloads it from here.
    Stalled { play_id: PlayId, position_ms: u64 },
    /// No output device could be opened. The load stays pending until `RetryDevice`.
    DeviceUnavailable {
        play_id: Option<PlayId>,
        reason: String,
    },
    /// The output device is open.
    DeviceReady,
    /// The output devices there are, in the backend's order.
    Devices(Vec<crate::events::OutputDevice>),
}

impl AudioEvent {
    /// The play id this event belongs to, if it belongs to one.
    #[must_use]
    pub fn play_id(&self) -> Option<PlayId> {
        match self {
            Self::Started { play_id, .. }
            | Self::Position { play_id, .. }
            | Self::Ended { play_id }
            | Self::Failed { play_id, .. }
            | Self::Stalled { play_id, .. }
            | Self::Audible { play_id } => Some(*play_id),
            // Stale or not by the track that ended: it is the one the actor knows.
            Self::Continued { ended, .. } => Some(*ended),
            Self::DeviceUnavailable { play_id, .. } => *play_id,
            Self::DeviceReady | Self::Devices(_) => None,
        }
    }
}

/// Where the actor sends audio commands. The real implementation is the audio thread's
/// handle; tests use a channel they can read.
pub trait AudioOutput: Send + 'static {
    fn send(&self, command: AudioCommand);
}

impl AudioOutput for std::sync::mpsc::Sender<AudioCommand> {
    fn send(&self, command: AudioCommand) {
        // A closed audio thread is reported by its last event; nothing to do here.
        let _ = std::sync::mpsc::Sender::send(self, command);
    }
}

impl AudioOutput for tokio::sync::mpsc::UnboundedSender<AudioCommand> {
    fn send(&self, command: AudioCommand) {
        let _ = tokio::sync::mpsc::UnboundedSender::send(self, command);
    }
}
