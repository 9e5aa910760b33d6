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
mod decode;
mod engine;
mod gate;
mod guard;
mod opus;
mod output;
mod remote;

pub use remote::StreamSupport;

/// Decode a whole file as the player would, as fast as possible, and return how many samples
/// it gave. For benchmarks (decode cost) and diagnostics; playback never calls this.
pub fn decode_to_end(path: &std::path::Path) -> Result<u64, String> {
    let source = decode::open_file(path)?;
    Ok(source.fold(0u64, |n, _| n + 1))
}

/// Decode a whole file the way playback does — [`decode::open_file`], then the panic guard the
/// device callback reads through, in the chain's blocks — after seeking to `seek_to` if given,
/// and return how many samples it gave. `Err` is what the audio thread would report as the
/// load's failure (`AudioEvent::Failed`): a file that will not open, a decoder that panics, or
/// one that opens but has no sound at all. For the hostile-file tests; playback never calls it.
pub fn play_through(path: &std::path::Path, seek_to: Option<Duration>) -> Result<u64, String> {
    use chain::ReadBlock;
    let source = decode::open_file(path)?;
    let (report, reports) = mpsc::channel();
    let mut guarded = guard::Guarded::new(source, PlayId(0), report);
    if let Some(position) = seek_to
        && let Err(e) = rodio::Source::try_seek(&mut guarded, position)
    {
        // The engine logs a failed seek and plays on from where the decoder is.
        tracing::debug!(error = %e, "seek failed");
    }
    let mut block = [0f32; 1024];
    let mut samples = 0u64;
    loop {
        let read = guarded.read_block(&mut block);
        samples += read as u64;
        if read < block.len() {
            break;
        }
    }
    if let Ok(Inbox::DecoderPanicked { message, .. }) = reports.try_recv() {
        return Err(format!("the decoder crashed ({message})"));
    }
    Ok(samples)
}

use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use lyrebird_core::PlayerHandle;
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
    /// The output stream must be rebuilt on the same device (cpal's `StreamInvalidated`:
    /// WASAPI reports it when the system's default device changes under a default stream).
    StreamInvalidated(String),
    /// The preloaded track took over from the current one, sample-exactly.
    Advanced {
        play_id: PlayId,
        duration_ms: Option<u64>,
    },
    /// The device callback took the first sample of load `play_id`.
    Audible {
        play_id: PlayId,
    },
    /// The actor to ask for fresh URLs when a stream's URL expires.
    Connect(PlayerHandle),
    /// A stream for load `play_id` was opened and its decoder built (or not).
    Opened {
        play_id: PlayId,
        result: OpenedSource,
    },
}

/// A decoder built off the audio thread, or why it could not be.
pub(crate) struct OpenedSource(Result<decode::BoxSource, OpenFailed>);

/// Why a stream could not be opened, and whether its server was reachable at all.
#[derive(Debug)]
pub(crate) struct OpenFailed {
    pub(crate) reason: String,
    pub(crate) cause: lyrebird_core::FailureCause,
}

impl std::fmt::Debug for OpenedSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Ok(_) => f.write_str("Ok(<decoder>)"),
            Err(e) => write!(f, "Err({:?})", e.reason),
        }
    }
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

impl AudioHandle {
    /// Let the audio thread ask `player` for fresh URLs when a stream's URL expires. (The
    /// actor is built after the audio thread, so this comes separately.)
    pub fn connect(&self, player: PlayerHandle) {
        let _ = self.inbox.send(Inbox::Connect(player));
    }
}

/// Start the audio thread for local files only. See [`spawn_with_streams`].
#[must_use]
pub fn spawn(events: UnboundedSender<AudioEvent>) -> (AudioHandle, JoinHandle<()>) {
    spawn_with_streams(events, None)
}

/// Start the audio thread. It opens the output device on the first load (and on
/// `RetryDevice`), so starting never fails for lack of a device. With `streams`, it can play
/// remote tracks too.
#[must_use]
pub fn spawn_with_streams(
    events: UnboundedSender<AudioEvent>,
    streams: Option<StreamSupport>,
) -> (AudioHandle, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel();
    let handle = AudioHandle { inbox: tx.clone() };
    let thread = std::thread::Builder::new()
        .name("lyrebird-audio".into())
        .spawn(move || engine::Engine::new(events, tx, streams).run(&rx))
        .expect("the OS can start a thread");
    (handle, thread)
}
