//! The loop of the audio thread: one current load, one output device.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use lyrebird_core::PlayerHandle;
use lyrebird_core::audio::{AudioCommand, AudioEvent, FailureCause, PlayId};
use lyrebird_core::events::OutputDevice;
use lyrebird_core::provider::{Playable, StreamSpec};
use rodio::cpal::traits::{DeviceTrait, HostTrait};
use rodio::{CpalErrorKind, SampleRate, Source};
use tokio::sync::mpsc::UnboundedSender;

use crate::Inbox;
use crate::chain::{Chain, Follower, SharedGain};
use crate::decode::{self, BoxSource};
use crate::guard::Guarded;
use crate::output::{DeviceOutput, Format, Playback};
use crate::remote::{StreamSupport, StreamTask};

/// How often the loop wakes to notice the end of a track without a command: while a window
/// is open, and while none is (the tray and media controls; waking less saves power).
const WATCHED: Pace = Pace {
    tick: Duration::from_millis(100),
};
const UNWATCHED: Pace = Pace {
    tick: Duration::from_millis(250),
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pace {
    tick: Duration,
}

/// Positions are reported as the music crosses each whole second (what a clock shows) and at
/// every jump (start, seek, hand-over), never more often: each report is an event through the
/// actor to every window, and in the window a repaint (five a second were most of the window's
/// CPU while playing; issue #19). A window that needs finer time (synced lyrics) follows the
/// music from the last report with its own clock.
const REPORT_EVERY_MS: u64 = 1_000;
/// Wake this long after a second is crossed, so the report is not a hair early.
const REPORT_SLACK: Duration = Duration::from_millis(3);
/// Playing, but no audio reached the device for this long: report a stall. Long enough for a
/// slow device start (PulseAudio's first buffer) and a network hiccup that a reconnect fixes.
const WATCHDOG: Duration = Duration::from_secs(8);
/// The rate to open the device at before any track asked for one (most music is CD audio).
const FIRST_RATE: SampleRate = SampleRate::new(44_100).unwrap();
/// A stream that ends more than this before its known length was cut short.
const CUT_SHORT_MS: u64 = 2_000;
/// While the device is missing, try it again this often.
const DEVICE_RETRY: Duration = Duration::from_secs(2);

pub use lyrebird_core::errors::error_chain;

type Track = Guarded<BoxSource>;

/// The track the actor last asked for.
struct Current {
    play_id: PlayId,
    media: Playable,
    paused: bool,
    /// Playing through the device; `None` while waiting for a device or a stream.
    player: Option<Playback>,
    /// The format of the chain playing (its first track's): a follower must match it.
    format: Option<Format>,
    /// Where to start when the player is (re)built.
    resume_at: Duration,
    /// The position last reported (it is reported again when it reaches the next second).
    reported_ms: u64,
    /// Position in the current track, kept by the chain.
    position_ms: Arc<AtomicU64>,
    /// The current track's own gain (ReplayGain), applied by the chain.
    gain: SharedGain,
    /// Hands the chain the track to follow this one.
    followers: Option<Sender<Follower<Track>>>,
    /// The track preloaded to follow (until the actor withdraws it).
    preload: Option<Preload>,
    /// The last follower handed to the chain, withdrawn or not.
    handed: Option<(PlayId, Playable)>,
    /// The stream being opened (or read) for this load; dropping it cancels the download.
    stream: Option<StreamTask>,
    /// An opened stream's decoder, waiting for the device.
    ready: Option<BoxSource>,
    /// Watchdog: the last position seen and when it last changed.
    progress: (u64, Instant),
    /// The track's length as its decoder reported it.
    duration_ms: Option<u64>,
}

struct Preload {
    play_id: PlayId,
    media: Playable,
    gain: f32,
    stream: Option<StreamTask>,
}

impl Current {
    fn new(play_id: PlayId, media: Playable, start_ms: u64, paused: bool, gain: f32) -> Self {
        Self {
            play_id,
            media,
            paused,
            gain: SharedGain::new(gain),
            player: None,
            format: None,
            resume_at: Duration::from_millis(start_ms),
            reported_ms: start_ms,
            position_ms: Arc::new(AtomicU64::new(start_ms)),
            followers: None,
            preload: None,
            handed: None,
            stream: None,
            ready: None,
            progress: (start_ms, Instant::now()),
            duration_ms: None,
        }
    }

    fn position_ms(&self) -> u64 {
        self.position_ms.load(Ordering::Relaxed)
    }

    /// Restart the watchdog's clock (after a pause, a seek, a start).
    fn touch(&mut self) {
        self.progress = (self.position_ms(), Instant::now());
    }
}

pub struct Engine {
    events: UnboundedSender<AudioEvent>,
    /// Lets the device callback, decoders and stream tasks report back into our own inbox.
    loopback: Sender<Inbox>,
    sink: Option<DeviceOutput>,
    /// The sample rate to open the device at: the last track's.
    rate: SampleRate,
    current: Option<Current>,
    gain: f32,
    /// How remote tracks are fetched; `None`: streams fail with a clear reason.
    streams: Option<StreamSupport>,
    /// Asked for a fresh URL when a stream's URL expires mid-track.
    player: Option<PlayerHandle>,
    /// The output device the user chose (by id); `None`: the system default.
    device: Option<String>,
    /// When the device was last tried, for the quiet retries while it is missing.
    last_device_try: Instant,
    /// Crossfade length in ms (0: gapless), read by the chain near each track's end.
    crossfade_ms: Arc<AtomicU32>,
    pace: Pace,
}

impl Engine {
    pub fn new(
        events: UnboundedSender<AudioEvent>,
        loopback: Sender<Inbox>,
        streams: Option<StreamSupport>,
    ) -> Self {
        Self {
            events,
            loopback,
            sink: None,
            rate: FIRST_RATE,
            current: None,
            gain: 1.0,
            streams,
            player: None,
            device: None,
            last_device_try: Instant::now(),
            crossfade_ms: Arc::new(AtomicU32::new(0)),
            pace: WATCHED,
        }
    }

    pub fn run(mut self, inbox: &Receiver<Inbox>) {
        'running: loop {
            let received = match self.next_look() {
                Some(wait) => inbox.recv_timeout(wait),
                None => inbox.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match received {
                Ok(Inbox::Command(AudioCommand::Shutdown))
                | Err(RecvTimeoutError::Disconnected) => {
                    break;
                }
                Ok(message) => self.handle(message),
                Err(RecvTimeoutError::Timeout) => {}
            }
            // A track that ran out may first have handed over to its follower and played that
            // out too (a short track; a device faster than real time), with the chain's report
            // of the hand-over still queued. Taken for the end of the first track, the follower
            // would start again, after a gap. So: what is queued first, then the tick.
            if self.ran_out() {
                while let Ok(message) = inbox.try_recv() {
                    if matches!(message, Inbox::Command(AudioCommand::Shutdown)) {
                        break 'running;
                    }
                    self.handle(message);
                }
            }
            self.tick();
        }
        self.stop_current();
    }

    /// How long the loop may sleep before it looks again without a message: the pace's tick
    /// while a track plays (its end, its position, the watchdog), the device retry while a
    /// track waits for a missing device, and otherwise until the next message — paused,
    /// stopped or waiting for a stream, nothing changes by itself, and the thread sleeps
    /// (it woke 25 times a second while paused, most of the app's CPU then; issue #19).
    fn next_look(&self) -> Option<Duration> {
        let current = self.current.as_ref()?;
        if current.player.is_some() && !current.paused {
            let to_report = until_report(heard(self.sink.as_ref(), current));
            return Some(self.pace.tick.min(to_report));
        }
        self.sink.is_none().then_some(DEVICE_RETRY)
    }

    /// The device has played all the current chain gave it.
    fn ran_out(&self) -> bool {
        self.current
            .as_ref()
            .and_then(|c| c.player.as_ref())
            .is_some_and(Playback::empty)
    }

    fn emit(&self, event: AudioEvent) {
        let _ = self.events.send(event);
    }

    fn handle(&mut self, message: Inbox) {
        match message {
            Inbox::Command(command) => self.command(command),
            Inbox::DecoderPanicked { play_id, message } => {
                if self.current.as_ref().is_some_and(|c| c.play_id == play_id) {
                    self.stop_current();
                    self.emit(AudioEvent::Failed {
                        play_id,
                        reason: format!("the decoder crashed ({message})"),
                        cause: FailureCause::Track,
                    });
                }
            }
            Inbox::DeviceError(reason) => self.device_lost(reason),
            Inbox::StreamInvalidated(reason) => self.reopen_device(&reason),
            Inbox::Advanced {
                play_id,
                duration_ms,
            } => self.advanced(play_id, duration_ms),
            Inbox::Connect(player) => self.player = Some(player),
            Inbox::Audible { play_id } => {
                if self.current.as_ref().is_some_and(|c| c.play_id == play_id) {
                    self.emit(AudioEvent::Audible { play_id });
                }
            }
            Inbox::Opened { play_id, result } => self.opened(play_id, result.0),
        }
    }

    fn command(&mut self, command: AudioCommand) {
        match command {
            AudioCommand::Load {
                play_id,
                media,
                start_ms,
                paused,
                gain,
            } => {
                self.stop_current();
                self.current = Some(Current::new(play_id, media, start_ms, paused, gain));
                if self.ensure_device() {
                    self.start_current();
                }
            }
            AudioCommand::Preload {
                play_id,
                media,
                gain,
            } => self.preload(play_id, media, gain),
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
                let mut stopped_at = None;
                if let Some(current) = &mut self.current {
                    current.paused = paused;
                    current.touch();
                    if let Some(player) = &current.player {
                        player.set_paused(paused);
                        // Stops the device itself: at once, and no callbacks while paused.
                        if let Some(sink) = &self.sink {
                            sink.set_running(!paused);
                        }
                        // Where it stopped, not where it was at the last report: what a
                        // paused player shows and a restart resumes from.
                        if paused {
                            let position_ms = heard(self.sink.as_ref(), current);
                            current.reported_ms = position_ms;
                            stopped_at = Some((current.play_id, position_ms));
                        }
                    }
                }
                if let Some((play_id, position_ms)) = stopped_at {
                    self.emit(AudioEvent::Position {
                        play_id,
                        position_ms,
                    });
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
            AudioCommand::SetDevice(device) => {
                if self.device != device {
                    self.device = device;
                    // Move what plays to the new device, from where it was.
                    self.release_device();
                    if self.current.is_some() && self.ensure_device() {
                        self.start_current();
                    }
                }
            }
            AudioCommand::ListDevices => self.emit(AudioEvent::Devices(list_devices())),
            AudioCommand::SetCrossfade { ms } => self.crossfade_ms.store(ms, Ordering::Relaxed),
            AudioCommand::SetWatched(watched) => {
                self.pace = if watched { WATCHED } else { UNWATCHED };
            }
            AudioCommand::Shutdown => {}
        }
    }

    fn stop_current(&mut self) {
        if let Some(current) = self.current.take() {
            // Cancel the download first: a read blocked on the network must wake up, or the
            // device callback that is waiting on it would hold up every other track.
            drop(current.stream);
            if let Some(player) = current.player {
                // Cut what is still playing; a track that ran out plays its buffered end.
                let live = !player.empty();
                player.stop();
                if live && let Some(sink) = &self.sink {
                    sink.drop_buffered();
                }
            }
        }
    }

    /// Open the default output device if it is not open. Reports failure and returns false.
    fn ensure_device(&mut self) -> bool {
        if self.sink.is_some() {
            return true;
        }
        self.last_device_try = Instant::now();
        match open_output(self.device.as_deref(), self.rate, self.loopback.clone()) {
            Ok(sink) => {
                tracing::info!(output = %sink.describe(), device = ?self.device, "audio device open");
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

    /// About to play a track at `rate`: reopen the device at that rate if it was opened for
    /// another, so the track plays unconverted. (Only between tracks that are not gapless:
    /// a follower in another format is not handed to the chain.) If the device will not
    /// reopen, the open one stays and converts.
    fn match_rate(&mut self, rate: SampleRate) {
        self.rate = rate;
        let Some(open) = &self.sink else {
            return;
        };
        if open.requested_rate() == rate {
            return;
        }
        match open_output(self.device.as_deref(), rate, self.loopback.clone()) {
            Ok(output) => {
                tracing::info!(output = %output.describe(), "audio device reopened for the track's rate");
                // The old stream stops when dropped, after the new one is running.
                self.sink = Some(output);
            }
            Err(reason) => {
                tracing::warn!(%reason, "cannot reopen the device at {rate} Hz; converting");
            }
        }
    }

    /// Start fetching a stream; its decoder arrives later as `Inbox::Opened`.
    fn open_stream(&self, play_id: PlayId, spec: &StreamSpec) -> Result<StreamTask, String> {
        let streams = self
            .streams
            .as_ref()
            .ok_or("this build cannot play streams")?;
        Ok(streams.open(play_id, spec, self.player.clone(), self.loopback.clone()))
    }

    /// Decode the current track into a fresh player on the open device. A stream that is not
    /// open yet is started here and finishes in `opened`.
    fn start_current(&mut self) {
        let Some(current) = &mut self.current else {
            return;
        };
        if self.sink.is_none() {
            return;
        }
        let play_id = current.play_id;
        let source = match (current.ready.take(), &current.media) {
            (Some(source), _) => Ok(source),
            (None, Playable::File(path)) => decode::open_file(path),
            (None, Playable::Stream(spec)) => {
                if current.stream.is_some() {
                    return; // still opening
                }
                let spec = spec.clone();
                match self.open_stream(play_id, &spec) {
                    Ok(task) => {
                        if let Some(current) = &mut self.current {
                            current.stream = Some(task);
                        }
                        return;
                    }
                    Err(reason) => Err(reason),
                }
            }
        };
        let decoder = match source {
            Ok(decoder) => decoder,
            Err(reason) => {
                self.stop_current();
                self.emit(AudioEvent::Failed {
                    play_id,
                    reason,
                    cause: FailureCause::Track,
                });
                return;
            }
        };
        self.match_rate(decoder.sample_rate());
        let (Some(sink), Some(current)) = (&self.sink, &mut self.current) else {
            return;
        };
        let duration = decoder.total_duration();
        current.duration_ms = duration.map(millis);
        let (followers, handover) = std::sync::mpsc::channel();
        current.format = Some(Format::of(&decoder));
        let first = Guarded::new(decoder, play_id, self.loopback.clone());
        let position = Arc::clone(&current.position_ms);
        let gain = current.gain.clone();
        let mut chain = Chain::new(
            play_id,
            first,
            handover,
            self.loopback.clone(),
            position,
            gain,
            Arc::clone(&self.crossfade_ms),
        );
        // Through the chain, so its position counts on from there.
        if !current.resume_at.is_zero()
            && let Err(e) = Source::try_seek(&mut chain, current.resume_at)
        {
            tracing::warn!(error = %e, "could not start mid-track; starting at 0");
            current.resume_at = Duration::ZERO;
        }
        let position_ms = millis(current.resume_at);
        // Before the device takes samples (at once, on the sound server's thread), not after.
        current.position_ms.store(position_ms, Ordering::Relaxed);
        let player = sink.play(chain, self.gain, current.paused);
        sink.set_running(!current.paused);
        current.followers = Some(followers);
        current.player = Some(player);
        current.reported_ms = position_ms;
        current.touch();
        // A preload that arrived before the device: hand it over now.
        let preload = current
            .preload
            .take()
            .map(|p| (p.play_id, p.media, p.gain, p.stream));
        self.emit(AudioEvent::Started {
            play_id,
            duration_ms: duration.map(millis),
        });
        self.emit(AudioEvent::Position {
            play_id,
            position_ms,
        });
        if let Some((play_id, media, gain, stream)) = preload {
            match stream {
                // Still downloading: keep it; it hands itself over when open.
                Some(stream) => {
                    if let Some(current) = &mut self.current {
                        current.preload = Some(Preload {
                            play_id,
                            media,
                            gain,
                            stream: Some(stream),
                        });
                    }
                }
                None => self.preload(play_id, media, gain),
            }
        }
    }

    /// A stream finished opening (or failed to).
    fn opened(&mut self, play_id: PlayId, result: Result<BoxSource, crate::OpenFailed>) {
        let Some(current) = &mut self.current else {
            return;
        };
        if current.play_id == play_id && current.player.is_none() {
            match result {
                Ok(source) => {
                    current.ready = Some(source);
                    if self.ensure_device() {
                        self.start_current();
                    }
                }
                Err(crate::OpenFailed { reason, cause }) => {
                    self.stop_current();
                    self.emit(AudioEvent::Failed {
                        play_id,
                        reason,
                        cause,
                    });
                }
            }
        } else if current
            .preload
            .as_ref()
            .is_some_and(|p| p.play_id == play_id)
        {
            match result {
                Ok(source) => self.hand_follower(play_id, source),
                // Reported when its turn comes, through the ordinary start.
                Err(failed) => tracing::debug!(reason = %failed.reason, "preload failed"),
            }
        }
        // Anything else was superseded while it opened: dropping it closes the stream.
    }

    fn seek(&mut self, play_id: PlayId, position_ms: u64) {
        let Some(current) = self.current.as_mut().filter(|c| c.play_id == play_id) else {
            return;
        };
        let target = Duration::from_millis(position_ms);
        match &current.player {
            Some(player) => {
                let sought = match &self.sink {
                    Some(sink) => sink.seek(player, target),
                    None => player.try_seek(target),
                };
                if let Err(e) = sought {
                    tracing::warn!(error = %e, "seek failed");
                }
                current.touch();
                let position_ms = heard(self.sink.as_ref(), current);
                current.reported_ms = position_ms;
                self.emit(AudioEvent::Position {
                    play_id,
                    position_ms,
                });
            }
            None => current.resume_at = target,
        }
    }

    /// Report position, notice the end of the track, and watch for audio that stopped.
    fn tick(&mut self) {
        if self.sink.is_none() {
            self.retry_device_quietly();
        }
        let Some(current) = &mut self.current else {
            return;
        };
        let Some(player) = &current.player else {
            return;
        };
        let play_id = current.play_id;
        if player.empty() {
            let position_ms = heard(self.sink.as_ref(), current);
            let cut_short = matches!(current.media, Playable::Stream(_))
                && current
                    .duration_ms
                    .is_some_and(|d| position_ms + CUT_SHORT_MS < d);
            if cut_short {
                // A stream that gave up (the server went away for good) ends its decoder
                // early. That is not the end of the track: report a stall, so the actor
                // resolves it again and reloads from here, or gives up and says so.
                tracing::warn!(%play_id, position_ms, "stream ended early");
                self.stop_current();
                self.emit(AudioEvent::Stalled {
                    play_id,
                    position_ms,
                });
                return;
            }
            let preload = current.preload.take();
            self.stop_current();
            match preload {
                // The follower did not reach the chain in time (or could not be decoded
                // ahead): start it now, with a gap rather than not at all.
                Some(preload) => {
                    self.emit(AudioEvent::Continued {
                        ended: play_id,
                        started: preload.play_id,
                        duration_ms: None,
                    });
                    let mut next =
                        Current::new(preload.play_id, preload.media, 0, false, preload.gain);
                    // A stream still opening carries over; it lands in `opened` as current.
                    next.stream = preload.stream;
                    self.current = Some(next);
                    if self.ensure_device() {
                        self.start_current();
                    }
                }
                None => self.emit(AudioEvent::Ended { play_id }),
            }
            return;
        }
        if current.paused {
            return;
        }
        let position_ms = current.position_ms();
        if position_ms != current.progress.0 {
            current.progress = (position_ms, Instant::now());
        } else if current.progress.1.elapsed() >= WATCHDOG {
            // Playing, yet no sample has reached the device for a while.
            tracing::warn!(%play_id, position_ms, "no audio decoded; reporting a stall");
            current.progress.1 = Instant::now();
            self.emit(AudioEvent::Stalled {
                play_id,
                position_ms,
            });
            return;
        }
        let position_ms = heard(self.sink.as_ref(), current);
        if report_due(current.reported_ms, position_ms) {
            current.reported_ms = position_ms;
            self.emit(AudioEvent::Position {
                play_id,
                position_ms,
            });
        }
    }

    /// Decode `media` ahead and hand it to the chain, to follow the current track gaplessly.
    fn preload(&mut self, play_id: PlayId, media: Playable, gain: f32) {
        let Some(current) = &self.current else {
            return;
        };
        let mut decoded = None;
        let mut stream = None;
        if current.followers.is_some() {
            // A failure here is reported when its turn comes, through the ordinary start.
            match &media {
                Playable::File(path) => match decode::open_file(path) {
                    Ok(source) => decoded = Some(source),
                    Err(reason) => tracing::debug!(%reason, "preload failed"),
                },
                // A stream hands itself over from `opened` once it is open.
                Playable::Stream(spec) => match self.open_stream(play_id, spec) {
                    Ok(task) => stream = Some(task),
                    Err(reason) => tracing::debug!(%reason, "preload failed"),
                },
            }
        }
        if let Some(current) = &mut self.current {
            current.preload = Some(Preload {
                play_id,
                media,
                gain,
                stream,
            });
        }
        if let Some(source) = decoded {
            self.hand_follower(play_id, source);
        }
    }

    /// Give the chain a decoded follower for the active preload.
    fn hand_follower(&mut self, play_id: PlayId, source: BoxSource) {
        let Some(current) = &mut self.current else {
            return;
        };
        let Some(preload) = current.preload.as_ref().filter(|p| p.play_id == play_id) else {
            return;
        };
        let Some(followers) = &current.followers else {
            return;
        };
        if current.format != Some(Format::of(&source)) {
            // Another rate or channel count: the device is reopened for it when the current
            // track ends, with a gap (the chain plays one format).
            tracing::debug!(%play_id, "follower in another format; not gapless");
            return;
        }
        let track = Guarded::new(source, play_id, self.loopback.clone());
        if followers.send(Some((play_id, track, preload.gain))).is_ok() {
            current.handed = Some((play_id, preload.media.clone()));
        }
    }

    /// The chain moved on to the preloaded track.
    fn advanced(&mut self, play_id: PlayId, duration_ms: Option<u64>) {
        let Some(current) = &mut self.current else {
            return;
        };
        // Normally the active preload; if the actor withdrew it a moment too late, the chain
        // took it anyway: say so, under its own id, and the actor decides (it will load what
        // it wants instead).
        let (media, stream) = match current.preload.take() {
            Some(preload) if preload.play_id == play_id => (preload.media, preload.stream),
            other => {
                current.preload = other;
                let media = current
                    .handed
                    .take()
                    .map_or_else(|| current.media.clone(), |(_, media)| media);
                (media, None)
            }
        };
        let ended = current.play_id;
        current.play_id = play_id;
        current.duration_ms = duration_ms;
        current.media = media;
        // The old track's download is finished with; the new one's lives on with it.
        current.stream = stream;
        current.handed = None;
        current.reported_ms = 0;
        current.touch();
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

    /// The device went away: drop it, keep the current track to resume where it was (when
    /// the device comes back, or the user picks another).
    fn device_lost(&mut self, reason: String) {
        tracing::warn!(%reason, "audio device lost");
        self.release_device();
        let play_id = self.current.as_ref().map(|c| c.play_id);
        self.emit(AudioEvent::DeviceUnavailable { play_id, reason });
    }

    /// The stream is no longer valid but a device may well be there (the default one changed):
    /// reopen at once and play on from where it was; only if that fails is it a loss.
    fn reopen_device(&mut self, reason: &str) {
        tracing::info!(%reason, "audio output reopened");
        self.release_device();
        if self.current.is_some() && self.ensure_device() {
            self.start_current();
        }
    }

    /// Close the device; the current track stays, to restart where it was.
    fn release_device(&mut self) {
        if let Some(current) = &mut self.current
            && let Some(player) = current.player.take()
        {
            // What was written but not heard is lost with the device: resume from what was.
            current.resume_at = Duration::from_millis(heard(self.sink.as_ref(), current));
            current.preload = None;
            current.followers = None;
            // A stream must be fetched again from where it was (its decoder went with the
            // player).
            current.stream = None;
            player.stop();
        }
        self.sink = None;
    }

    /// While a track waits for a missing device, try the device every few seconds, without
    /// repeating the complaint; when it is back, say so and play on from where it stopped.
    fn retry_device_quietly(&mut self) {
        if self.current.is_none() || self.last_device_try.elapsed() < DEVICE_RETRY {
            return;
        }
        self.last_device_try = Instant::now();
        if let Ok(sink) = open_output(self.device.as_deref(), self.rate, self.loopback.clone()) {
            tracing::info!(device = ?self.device, "audio device is back");
            self.sink = Some(sink);
            self.emit(AudioEvent::DeviceReady);
            self.start_current();
        }
    }
}

/// The position the listener is at: the chain's, less what the output holds unheard.
fn heard(sink: Option<&DeviceOutput>, current: &Current) -> u64 {
    sink.map_or_else(|| current.position_ms(), |s| s.heard(&current.position_ms))
}

/// Whether the music, heard at `heard_ms`, has reached another second than the last report's.
fn report_due(reported_ms: u64, heard_ms: u64) -> bool {
    heard_ms / REPORT_EVERY_MS != reported_ms / REPORT_EVERY_MS
}

/// How long until the music, heard at `heard_ms`, crosses its next second (and a hair more).
fn until_report(heard_ms: u64) -> Duration {
    Duration::from_millis(REPORT_EVERY_MS - heard_ms % REPORT_EVERY_MS) + REPORT_SLACK
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The audio system to play through: the platform's default (ALSA on Linux, which reaches
/// PulseAudio and `PipeWire` through their ALSA plugins). cpal's native PulseAudio host was
/// measured too: no less CPU, and the same start-up delay on a fresh stream.
fn audio_host() -> rodio::cpal::Host {
    rodio::cpal::default_host()
}

/// The system default goes to the sound server natively when there is one (a third of the
/// CPU of the same through ALSA's PulseAudio plugin); `LYREBIRD_AUDIO_OUTPUT=alsa` goes
/// through ALSA anyway (the tests' capture devices are ALSA ones).
#[cfg(target_os = "linux")]
fn prefer_pulse() -> bool {
    std::env::var("LYREBIRD_AUDIO_OUTPUT").map_or(true, |v| v != "alsa")
}

/// The output devices the audio host lists.
fn list_devices() -> Vec<OutputDevice> {
    let host = audio_host();
    match host.output_devices() {
        Ok(devices) => devices
            .filter_map(|device| {
                let id = device.id().ok()?.to_string();
                let name = device
                    .description()
                    .map_or_else(|_| id.clone(), |d| d.name().to_owned());
                Some(OutputDevice { id, name })
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot list output devices");
            Vec::new()
        }
    }
}

/// Open `device` (by id), or the system default, at `rate` if it takes that rate.
fn open_output(
    device: Option<&str>,
    rate: SampleRate,
    loopback: Sender<Inbox>,
) -> Result<DeviceOutput, String> {
    #[cfg(target_os = "linux")]
    if device.is_none() && prefer_pulse() {
        let lost = loopback.clone();
        match DeviceOutput::open_pulse(rate, move |reason| {
            let _ = lost.send(Inbox::DeviceError(reason));
        }) {
            Ok(output) => return Ok(output),
            // No PulseAudio (or PipeWire-pulse) server: ALSA's default device.
            Err(reason) => tracing::debug!(%reason, "no PulseAudio server; using ALSA"),
        }
    }
    let on_error = move |error: rodio::CpalError| {
        // Under-runs and followed route changes are survivable; a stream that must be rebuilt
        // is reopened; a vanished device or server is lost until it is back.
        let message = match error.kind() {
            CpalErrorKind::DeviceNotAvailable | CpalErrorKind::HostUnavailable => {
                Inbox::DeviceError(error.to_string())
            }
            CpalErrorKind::StreamInvalidated => Inbox::StreamInvalidated(error.to_string()),
            _ => {
                tracing::debug!(%error, "audio stream error");
                return;
            }
        };
        let _ = loopback.send(message);
    };
    let device = match device {
        None => audio_host()
            .default_output_device()
            .ok_or("no default output device")?,
        Some(id) => id
            .parse::<rodio::cpal::DeviceId>()
            .ok()
            .and_then(|id| {
                let host = rodio::cpal::host_from_id(id.host()).ok()?;
                host.device_by_id(&id)
            })
            .ok_or_else(|| format!("the output device {id} is not connected"))?,
    };
    DeviceOutput::open(&device, rate, on_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One report a second, as the music crosses it (issue #19: five a second were most of
    /// the shown window's CPU); a jump to another second (a seek back) is reported too.
    #[test]
    fn positions_are_reported_as_each_second_is_crossed() {
        assert!(
            !report_due(1_234, 1_999),
            "within the second of the last report"
        );
        assert!(report_due(1_234, 2_000), "the next second");
        assert!(!report_due(0, 999));
        assert!(report_due(5_000, 3_100), "back to an earlier second");
        let reports = (0..=10_000)
            .step_by(40)
            .scan(0, |reported, heard| {
                let due = report_due(*reported, heard);
                if due {
                    *reported = heard;
                }
                Some(due)
            })
            .filter(|due| *due)
            .count();
        assert_eq!(reports, 10, "10 s of music, looked at every 40 ms");
    }

    #[test]
    fn the_loop_wakes_just_after_the_next_second() {
        assert_eq!(
            until_report(1_234),
            Duration::from_millis(766) + REPORT_SLACK
        );
        assert_eq!(until_report(2_000), Duration::from_secs(1) + REPORT_SLACK);
        assert!(WATCHED.tick < until_report(0) && UNWATCHED.tick < until_report(0));
    }
}
