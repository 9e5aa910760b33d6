//! Lyrebird's audio thread.
//!
//! One OS thread owns the output device and the decoder of the current track. The actor drives
//! it with [`AudioCommand`]s through an [`AudioHandle`]; it reports [`AudioEvent`]s, each tagged
//! with the play id of the load it belongs to, so the actor can drop stale ones.
//!
//! Decoding runs inside the device callback (rodio's mixer). Decoders for untrusted files can
//! panic, so every source is wrapped in [`guard::Guarded`], which turns a panic into the end of
//! that track plus a `Failed` event instead of a dead audio thread.

mod chain;
mod engine;
mod guard;

use std::sync::mpsc;
use std::thread::JoinHandle;

use lyrebird_core::audio::{AudioCommand, AudioEvent, AudioOutput, PlayId};
use tokio::sync::mpsc::UnboundedSender;

/// Messages the audio thread reads: the actor's commands, and reports from the device callback.
#[derive(Debug)]
enum Inbox {
    Command(AudioCommand),
    /// A decoder panicked inside the device callback.
    DecoderPanicked {
        play_id: PlayId,
        message: String,
    },
    /// The device reported an error (unplugged, server gone).
    DeviceError(String),
    /// The preloaded track took over from the current one, sample-exactly.
    Advanced {
        play_id: PlayId,
        duration_ms: Option<u64>,
    },
}

/// The sending side of the audio thread. Dropping the last handle ends the thread.
#[derive(Clone, Debug)]
pub struct AudioHandle {
    inbox: mpsc::Sender<Inbox>,
}

impl AudioOutput for AudioHandle {
    fn send(&self, command: AudioCommand) {
        // If the thread is gone its last event said why; nothing useful to do here.
        let _ = self.inbox.send(Inbox::Command(command));
    }
}

/// Start the audio thread. It opens the output device on the first load (and on
/// `RetryDevice`), so starting never fails for lack of a device.
#[must_use]
pub fn spawn(events: UnboundedSender<AudioEvent>) -> (AudioHandle, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel();
    let handle = AudioHandle { inbox: tx.clone() };
    let thread = std::thread::Builder::new()
        .name("lyrebird-audio".into())
        .spawn(move || engine::Engine::new(events, tx).run(&rx))
        .expect("the OS can start a thread");
    (handle, thread)
}
