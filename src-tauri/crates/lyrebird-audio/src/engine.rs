//! The loop of the audio thread: one current load, one output device.

use std::fs::File;
use std::io::BufReader;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use lyrebird_core::audio::{AudioCommand, AudioEvent, PlayId};
use rodio::{CpalErrorKind, Decoder, DeviceSinkBuilder, MixerDeviceSink, Player, Source};
use tokio::sync::mpsc::UnboundedSender;

use crate::Inbox;
use crate::chain::{Chain, Follower, SharedGain};
use crate::guard::{Guarded, panic_message};

/// How often the loop wakes to notice the end of a track without a command.
const TICK: Duration = Duration::from_millis(40);
/// Position reports while playing: five a second.
const POSITION_EVERY: Duration = Duration::from_millis(200);

/// "error: cause: cause" — rodio's errors keep the useful part in their source.
#[must_use]
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

type Track = Guarded<FileDecoder>;

/// The track the actor last asked for.
struct Current {
    play_id: PlayId,
    path: PathBuf,
    paused: bool,
    /// Playing through the device; `None` while waiting for a device.
    player: Option<Player>,
    /// Where to start when the player is (re)built.
    resume_at: Duration,
    last_report: Instant,
    /// Position in the current track, kept by the chain.
    position_ms: Arc<AtomicU64>,
    /// The current track's own gain (ReplayGain), applied by the chain.
    gain: SharedGain,
    /// Hands the chain the track to follow this one.
    followers: Option<Sender<Follower<Track>>>,
    /// The track preloaded to follow (until the actor withdraws it).
    preload: Option<Preload>,
    /// The last follower handed to the chain, withdrawn or not.
    handed: Option<(PlayId, PathBuf)>,
}

struct Preload {
    play_id: PlayId,
    path: PathBuf,
    gain: f32,
}

impl Current {
    fn new(play_id: PlayId, path: PathBuf, start_ms: u64, paused: bool, gain: f32) -> Self {
        Self {
            play_id,
            path,
            paused,
            gain: SharedGain::new(gain),
            player: None,
            resume_at: Duration::from_millis(start_ms),
            last_report: Instant::now(),
            position_ms: Arc::new(AtomicU64::new(start_ms)),
            followers: None,
            preload: None,
            handed: None,
        }
    }

    fn position_ms(&self) -> u64 {
        self.position_ms.load(Ordering::Relaxed)
    }
}

pub struct Engine {
    events: UnboundedSender<AudioEvent>,
    /// Lets the device callback and decoders report back into our own inbox.
    loopback: Sender<Inbox>,
    sink: Option<MixerDeviceSink>,
    current: Option<Current>,
    gain: f32,
}

impl Engine {
    pub fn new(events: UnboundedSender<AudioEvent>, loopback: Sender<Inbox>) -> Self {
        Self {
            events,
            loopback,
            sink: None,
            current: None,
            gain: 1.0,
        }
    }

    pub fn run(mut self, inbox: &Receiver<Inbox>) {
        loop {
            match inbox.recv_timeout(TICK) {
                Ok(Inbox::Command(AudioCommand::Shutdown))
                | Err(RecvTimeoutError::Disconnected) => {
                    break;
                }
                Ok(message) => self.handle(message),
                Err(RecvTimeoutError::Timeout) => {}
            }
            self.tick();
        }
        self.stop_current();
    }

    fn emit(&self, event: AudioEvent) {
        let _ = self.events.send(event);
    }

    fn handle(&mut self, message: Inbox) {
        match message {
            Inbox::Command(command) => self.command(command),
            Inbox::DecoderPanicked { play_id, message } => {
                if self.current.as_ref().is_some_and(|c| c.play_id == play_id) {
                    self.current = None;
                    self.emit(AudioEvent::Failed {
                        play_id,
                        reason: format!("the decoder crashed ({message})"),
                    });
                }
            }
            Inbox::DeviceError(reason) => self.device_lost(reason),
            Inbox::Advanced {
                play_id,
                duration_ms,
            } => self.advanced(play_id, duration_ms),
        }
    }

    fn command(&mut self, command: AudioCommand) {
        match command {
            AudioCommand::Load {
                play_id,
                path,
                start_ms,
                paused,
                gain,
            } => {
                self.stop_current();
                self.current = Some(Current::new(play_id, path, start_ms, paused, gain));
                if self.ensure_device() {
                    self.start_current();
                }
            }
            AudioCommand::Preload {
                play_id,
                path,
                gain,
            } => self.preload(play_id, path, gain),
            AudioCommand::SetTrackGain { play_id, gain } => {
                if let Some(current) = self.current.as_ref().filter(|c| c.play_id == play_id) {
                    current.gain.set(gain);
                }
            }
            AudioCommand::CancelPreload => {
                if let Some(current) = &mut self.current {
                    current.preload = None;
                    if let Some(followers) = &current.followers {
                        let _ = followers.send(None);
                    }
                }
            }
            AudioCommand::Pause | AudioCommand::Resume => {
                let paused = command == AudioCommand::Pause;
                if let Some(current) = &mut self.current {
                    current.paused = paused;
                    if let Some(player) = &current.player {
                        if paused {
                            player.pause();
                        } else {
                            player.play();
                        }
                    }
                }
            }
            AudioCommand::Stop => self.stop_current(),
            AudioCommand::Seek {
                play_id,
                position_ms,
            } => self.seek(play_id, position_ms),
            AudioCommand::SetGain(gain) => {
                self.gain = gain;
                if let Some(player) = self.current.as_ref().and_then(|c| c.player.as_ref()) {
                    player.set_volume(gain);
                }
            }
            AudioCommand::RetryDevice => {
                if self.ensure_device() {
                    self.emit(AudioEvent::DeviceReady);
                    if self.current.as_ref().is_some_and(|c| c.player.is_none()) {
                        self.start_current();
                    }
                }
            }
            AudioCommand::Shutdown => {}
        }
    }

    fn stop_current(&mut self) {
        if let Some(player) = self.current.take().and_then(|c| c.player) {
            player.stop();
        }
    }

    /// Open the default output device if it is not open. Reports failure and returns false.
    fn ensure_device(&mut self) -> bool {
        if self.sink.is_some() {
            return true;
        }
        match open_default_sink(self.loopback.clone()) {
            Ok(sink) => {
                tracing::info!(config = ?sink.config(), "audio device open");
                self.sink = Some(sink);
                true
            }
            Err(reason) => {
                tracing::warn!(%reason, "no audio device");
                let play_id = self.current.as_ref().map(|c| c.play_id);
                self.emit(AudioEvent::DeviceUnavailable { play_id, reason });
                false
            }
        }
    }

    /// Decode the current track into a fresh player on the open device.
    fn start_current(&mut self) {
        let (Some(sink), Some(current)) = (&self.sink, &mut self.current) else {
            return;
        };
        let play_id = current.play_id;
        let mut decoder = match open_decoder(&current.path) {
            Ok(decoder) => decoder,
            Err(reason) => {
                self.current = None;
                self.emit(AudioEvent::Failed { play_id, reason });
                return;
            }
        };
        let duration = decoder.total_duration();
        if !current.resume_at.is_zero()
            && let Err(e) = decoder.try_seek(current.resume_at)
        {
            tracing::warn!(error = %e, "could not start mid-track; starting at 0");
            current.resume_at = Duration::ZERO;
        }
        let player = Player::connect_new(sink.mixer());
        player.set_volume(self.gain);
        if current.paused {
            player.pause();
        }
        let (followers, handover) = std::sync::mpsc::channel();
        let first = Guarded::new(decoder, play_id, self.loopback.clone());
        let position = Arc::clone(&current.position_ms);
        let gain = current.gain.clone();
        player.append(Chain::new(
            first,
            handover,
            self.loopback.clone(),
            position,
            gain,
        ));
        let position_ms = millis(current.resume_at);
        current.position_ms.store(position_ms, Ordering::Relaxed);
        current.followers = Some(followers);
        current.preload = None;
        current.player = Some(player);
        current.last_report = Instant::now();
        self.emit(AudioEvent::Started {
            play_id,
            duration_ms: duration.map(millis),
        });
        self.emit(AudioEvent::Position {
            play_id,
            position_ms,
        });
    }

    fn seek(&mut self, play_id: PlayId, position_ms: u64) {
        let Some(current) = self.current.as_mut().filter(|c| c.play_id == play_id) else {
            return;
        };
        let target = Duration::from_millis(position_ms);
        match &current.player {
            Some(player) => {
                if let Err(e) = player.try_seek(target) {
                    tracing::warn!(error = %e, "seek failed");
                }
                current.last_report = Instant::now();
                let position_ms = current.position_ms();
                self.emit(AudioEvent::Position {
                    play_id,
                    position_ms,
                });
            }
            None => current.resume_at = target,
        }
    }

    /// Report position and notice the end of the track.
    fn tick(&mut self) {
        let Some(current) = &mut self.current else {
            return;
        };
        let Some(player) = &current.player else {
            return;
        };
        let play_id = current.play_id;
        if player.empty() {
            let preload = current.preload.take();
            self.current = None;
            match preload {
                // The follower did not reach the chain in time (or could not be decoded
                // ahead): start it now, with a gap rather than not at all.
                Some(preload) => {
                    self.emit(AudioEvent::Continued {
                        ended: play_id,
                        started: preload.play_id,
                        duration_ms: None,
                    });
                    let (play_id, path, gain) = (preload.play_id, preload.path, preload.gain);
                    self.current = Some(Current::new(play_id, path, 0, false, gain));
                    if self.ensure_device() {
                        self.start_current();
                    }
                }
                None => self.emit(AudioEvent::Ended { play_id }),
            }
            return;
        }
        if !current.paused && current.last_report.elapsed() >= POSITION_EVERY {
            current.last_report = Instant::now();
            let position_ms = current.position_ms();
            self.emit(AudioEvent::Position {
                play_id,
                position_ms,
            });
        }
    }

    /// Decode `path` ahead and hand it to the chain, to follow the current track gaplessly.
    fn preload(&mut self, play_id: PlayId, path: PathBuf, gain: f32) {
        let Some(current) = &mut self.current else {
            return;
        };
        if let Some(followers) = &current.followers {
            match open_decoder(&path) {
                Ok(decoder) => {
                    let track = Guarded::new(decoder, play_id, self.loopback.clone());
                    if followers.send(Some((play_id, track, gain))).is_ok() {
                        current.handed = Some((play_id, path.clone()));
                    }
                }
                // Reported when its turn comes, through the ordinary start.
                Err(reason) => tracing::debug!(%reason, "preload failed"),
            }
        }
        current.preload = Some(Preload {
            play_id,
            path,
            gain,
        });
    }

    /// The chain moved on to the preloaded track.
    fn advanced(&mut self, play_id: PlayId, duration_ms: Option<u64>) {
        let Some(current) = &mut self.current else {
            return;
        };
        // Normally the active preload; if the actor withdrew it a moment too late, the chain
        // took it anyway: say so, under its own id, and the actor decides (it will load what
        // it wants instead).
        let path = match current.preload.take() {
            Some(preload) if preload.play_id == play_id => preload.path,
            other => {
                current.preload = other;
                current
                    .handed
                    .take()
                    .map_or_else(|| current.path.clone(), |(_, path)| path)
            }
        };
        let ended = current.play_id;
        current.play_id = play_id;
        current.path = path;
        current.handed = None;
        current.last_report = Instant::now();
        self.emit(AudioEvent::Continued {
            ended,
            started: play_id,
            duration_ms,
        });
        self.emit(AudioEvent::Started {
            play_id,
            duration_ms,
        });
        self.emit(AudioEvent::Position {
            play_id,
            position_ms: 0,
        });
    }

    /// The device went away: drop it, keep the current track to resume where it was.
    fn device_lost(&mut self, reason: String) {
        tracing::warn!(%reason, "audio device lost");
        if let Some(current) = &mut self.current
            && let Some(player) = current.player.take()
        {
            current.resume_at = Duration::from_millis(current.position_ms());
            current.preload = None;
            current.followers = None;
            player.stop();
        }
        self.sink = None;
        let play_id = self.current.as_ref().map(|c| c.play_id);
        self.emit(AudioEvent::DeviceUnavailable { play_id, reason });
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn open_default_sink(loopback: Sender<Inbox>) -> Result<MixerDeviceSink, String> {
    let on_error = move |error: rodio::CpalError| {
        // Under-runs and route changes are survivable; a vanished device or server is not.
        if matches!(
            error.kind(),
            CpalErrorKind::DeviceNotAvailable | CpalErrorKind::HostUnavailable
        ) {
            let _ = loopback.send(Inbox::DeviceError(error.to_string()));
        } else {
            tracing::debug!(%error, "audio stream error");
        }
    };
    let mut sink = DeviceSinkBuilder::from_default_device()
        .map(|builder| builder.with_error_callback(on_error))
        .and_then(|builder| builder.open_sink_or_fallback())
        .map_err(|e| error_chain(&e))?;
    sink.log_on_drop(false);
    Ok(sink)
}

type FileDecoder = Decoder<BufReader<File>>;

/// Open `path` with symphonia. Panics inside the probe are caught: files are untrusted.
fn open_decoder(path: &Path) -> Result<FileDecoder, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    if len == 0 {
        return Err("the file is empty".to_owned());
    }
    let hint = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let build = AssertUnwindSafe(move || {
        Decoder::builder()
            .with_data(BufReader::new(file))
            .with_byte_len(len)
            .with_seekable(true)
            .with_gapless(true)
            .with_hint(&hint)
            .build()
    });
    match catch_unwind(build) {
        Ok(Ok(decoder)) => Ok(decoder),
        Ok(Err(e)) => Err(error_chain(&e)),
        Err(payload) => Err(format!(
            "the decoder crashed ({})",
            panic_message(payload.as_ref())
        )),
    }
}
