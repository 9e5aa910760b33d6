//! The device output: one cpal stream whose callback fills each buffer from the current
//! track in one loop.
//!
//! Why not rodio's `MixerDeviceSink` and `Player`: they pull every sample through a mixer,
//! a format converter and eight control adapters (pause, volume, skip, stop, seek polling…),
//! each a call of its own, and resample to the device's default rate. Playing one track at a
//! time needs none of that: controls are read once per buffer under one short lock, and the
//! device is opened at the track's own rate, so nothing is converted unless the device cannot
//! take the track as it is. Measured in docs/benchmarks.md ("CPU while playing").

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rodio::cpal::traits::{DeviceTrait, StreamTrait};
use rodio::cpal::{self, FromSample, SizedSample};
use rodio::source::{SeekError, UniformSourceIterator};
use rodio::{ChannelCount, SampleRate, Source};

/// Frames per device period (~93 ms at 44.1 kHz): seek and volume act within a tenth of a
/// second, and the callback runs ~11 times a second. (16 384 frames were tried for the tray:
/// the sound server's client woke a quarter as often, but the ALSA PulseAudio plugin then took
/// about a second to start each new stream, and a seek or a pause had to reopen it.)
const PERIOD_FRAMES: u32 = 4096;

/// What the device callback plays: fills a buffer of interleaved samples.
pub trait Fill: Send {
    /// Fill the start of `out`; fewer than `out.len()` samples means the track ended.
    fn fill(&mut self, out: &mut [f32]) -> usize;
    fn try_seek(&mut self, position: Duration) -> Result<(), SeekError>;
}

/// Any other source, converted to the device's format a sample at a time.
struct Converted<S: Source>(UniformSourceIterator<S>);

impl<S: Source + Send> Fill for Converted<S> {
    fn fill(&mut self, out: &mut [f32]) -> usize {
        for (i, sample) in out.iter_mut().enumerate() {
            match self.0.next() {
                Some(value) => *sample = value,
                None => return i,
            }
        }
        out.len()
    }

    fn try_seek(&mut self, position: Duration) -> Result<(), SeekError> {
        self.0.try_seek(position)
    }
}

/// What the device plays: the channel count and sample rate of its stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format {
    pub channels: ChannelCount,
    pub rate: SampleRate,
}

impl Format {
    pub fn of(source: &impl Source) -> Self {
        Self {
            channels: source.channels(),
            rate: source.sample_rate(),
        }
    }
}

/// What the engine sets and reads without waiting for the callback: a decoder blocked on the
/// network holds the slot's lock, and the engine must still notice that and answer commands.
#[derive(Default)]
struct Controls {
    paused: AtomicBool,
    /// `f32` bits.
    volume: AtomicU32,
    /// The source ran out, or was replaced or stopped: the engine reports the end.
    done: AtomicBool,
}

/// The track being played, as the callback sees it.
struct Feed {
    /// Which `play` installed it: a stale [`Playback`] handle must not seek or stop a newer one.
    serial: u64,
    source: Box<dyn Fill>,
    controls: Arc<Controls>,
}

#[derive(Default)]
struct Slot {
    feed: Option<Feed>,
    serial: u64,
    /// The track's samples written since the last start or flush (silence is not counted):
    /// with the stream's buffer length, how much of what the chain took is not heard yet.
    written: u64,
    /// A seek is dropping the sound server's buffer: write nothing until it has (it would be
    /// dropped, or heard before the new place).
    flushing: bool,
    /// The PulseAudio client's reactor, waiting for a track (or for a flush to finish).
    waiting: Option<std::task::Waker>,
}

impl Slot {
    /// Let a sound server client that found nothing to write try again.
    fn wake(&mut self) {
        if let Some(waker) = self.waiting.take() {
            waker.wake();
        }
    }
}

type SharedSlot = Arc<Mutex<Slot>>;

fn lock(slot: &Mutex<Slot>) -> MutexGuard<'_, Slot> {
    // A panic while holding the lock (in a decoder: `Guarded` catches those) leaves the slot
    // as consistent as it was; playing on beats going silent for good.
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Where the samples go.
enum Sink {
    /// A cpal stream (ALSA on Linux; a device the user chose; other systems).
    Cpal {
        stream: cpal::Stream,
        config: cpal::StreamConfig,
    },
    /// A native PulseAudio stream (also `PipeWire`'s PulseAudio server).
    #[cfg(target_os = "linux")]
    Pulse(pulse::Stream),
}

/// An open output stream on one device.
pub struct DeviceOutput {
    sink: Sink,
    format: Format,
    /// The rate asked for when opening: the device may not have it (then `format.rate`
    /// differs and tracks are converted).
    requested_rate: SampleRate,
    slot: SharedSlot,
    paused: AtomicBool,
}

impl DeviceOutput {
    /// Open `device` at `rate` if it takes that rate, else at its default; fall back to the
    /// device's default buffer when it refuses ours.
    pub fn open<E>(device: &cpal::Device, rate: SampleRate, on_error: E) -> Result<Self, String>
    where
        E: FnMut(cpal::Error) + Send + Clone + 'static,
    {
        let default = device
            .default_output_config()
            .map_err(|e| crate::engine::error_chain(&e))?;
        let sample_format = default.sample_format();
        let channels = default.channels();
        let supports_rate = device.supported_output_configs().is_ok_and(|mut ranges| {
            ranges.any(|r| {
                r.channels() == channels
                    && r.sample_format() == sample_format
                    && (r.min_sample_rate()..=r.max_sample_rate()).contains(&rate.get())
            })
        });
        let chosen_rate = if supports_rate {
            rate.get()
        } else {
            default.sample_rate()
        };
        let buffer = match default.buffer_size() {
            cpal::SupportedBufferSize::Range { min, max } => {
                cpal::BufferSize::Fixed(PERIOD_FRAMES.clamp(*min, *max))
            }
            cpal::SupportedBufferSize::Unknown => cpal::BufferSize::Default,
        };
        let mut config = cpal::StreamConfig {
            channels,
            sample_rate: chosen_rate,
            buffer_size: buffer,
        };
        let slot = SharedSlot::default();
        let stream =
            build(device, &config, sample_format, &slot, on_error.clone()).or_else(|first| {
                if config.buffer_size == cpal::BufferSize::Default {
                    return Err(first);
                }
                config.buffer_size = cpal::BufferSize::Default;
                build(device, &config, sample_format, &slot, on_error).map_err(|_| first)
            })?;
        stream.play().map_err(|e| crate::engine::error_chain(&e))?;
        let format = Format {
            channels: ChannelCount::new(channels).ok_or("the device has no channels")?,
            rate: SampleRate::new(chosen_rate).ok_or("the device has no sample rate")?,
        };
        Ok(Self {
            sink: Sink::Cpal { stream, config },
            format,
            requested_rate: rate,
            slot,
            paused: AtomicBool::new(false),
        })
    }

    /// Open a stream on the PulseAudio server's default sink, at `rate`, in stereo. `lost` is
    /// called once if the server goes away.
    #[cfg(target_os = "linux")]
    pub fn open_pulse(
        rate: SampleRate,
        lost: impl FnOnce(String) + Send + 'static,
    ) -> Result<Self, String> {
        let slot = SharedSlot::default();
        let format = Format {
            channels: ChannelCount::new(2).expect("two is not zero"),
            rate,
        };
        let stream = pulse::Stream::open(format, Arc::clone(&slot), lost)?;
        Ok(Self {
            sink: Sink::Pulse(stream),
            format,
            requested_rate: rate,
            slot,
            paused: AtomicBool::new(false),
        })
    }

    /// What this output is, for the log.
    pub fn describe(&self) -> String {
        match &self.sink {
            Sink::Cpal { config, .. } => format!("cpal {config:?}"),
            #[cfg(target_os = "linux")]
            Sink::Pulse(stream) => stream.describe(),
        }
    }

    /// Where the listener is: `taken` (the chain's position, in milliseconds) less what the
    /// sound server holds unheard, as far as it has been filled since the last start or
    /// seek. Both are read under the slot's lock, which the callback holds while it fills
    /// and moves `taken`: read apart, a fill between the two reads counts its samples as
    /// unheard without their having been taken, and a seek to 7 s reads as 6.7 s. (cpal's
    /// ~0.1 s is left out, as it always was.)
    pub fn heard(&self, taken: &AtomicU64) -> u64 {
        match &self.sink {
            Sink::Cpal { .. } => taken.load(Ordering::Relaxed),
            #[cfg(target_os = "linux")]
            Sink::Pulse(stream) => {
                let slot = lock(&self.slot);
                let per_second = u64::from(self.format.rate.get()) * 2;
                let written = Duration::from_micros(slot.written * 1_000_000 / per_second);
                let unheard = stream.buffer().min(written);
                taken
                    .load(Ordering::Relaxed)
                    .saturating_sub(u64::try_from(unheard.as_millis()).unwrap_or(u64::MAX))
            }
        }
    }

    /// Seek `playback` to `position`, dropping what the sound server holds of the old place.
    pub fn seek(&self, playback: &Playback, position: Duration) -> Result<(), SeekError> {
        match &self.sink {
            Sink::Cpal { .. } => playback.try_seek(position),
            #[cfg(target_os = "linux")]
            Sink::Pulse(stream) => self.flushing(stream, || playback.try_seek(position)),
        }
    }

    /// A track is installed and has not run out (only the native PulseAudio stream asks: a
    /// cpal device has no server-side buffer to flush).
    #[cfg(target_os = "linux")]
    fn playing_live(&self) -> bool {
        lock(&self.slot)
            .feed
            .as_ref()
            .is_some_and(|f| !f.controls.done.load(Ordering::Relaxed))
    }

    /// Drop what the sound server holds unheard (after a stop): it would play on. (Nothing to
    /// drop from a cpal stream.)
    #[cfg_attr(not(target_os = "linux"), allow(clippy::unused_self))]
    pub fn drop_buffered(&self) {
        #[cfg(target_os = "linux")]
        if let Sink::Pulse(stream) = &self.sink {
            self.flushing(stream, || ());
        }
    }

    /// Run `change` with the callback writing nothing, then drop the server's buffer and let
    /// the callback fill it again: what follows is heard at once, and nothing from before.
    #[cfg(target_os = "linux")]
    fn flushing<T>(&self, stream: &pulse::Stream, change: impl FnOnce() -> T) -> T {
        {
            let mut slot = lock(&self.slot);
            slot.flushing = true;
            slot.written = 0;
        }
        let result = change();
        // Not under the slot's lock: the flush's answer comes through the thread that runs
        // the callback.
        stream.flush();
        let mut slot = lock(&self.slot);
        slot.flushing = false;
        slot.written = 0;
        slot.wake();
        result
    }

    /// The rate this output was opened for (what the track wanted).
    pub fn requested_rate(&self) -> SampleRate {
        self.requested_rate
    }

    /// Stop or restart the device itself: a paused stream stops at once, with what it had
    /// buffered kept for the resume, and costs nothing while paused. False if the device
    /// cannot pause (then it plays the silence of a paused track).
    pub fn set_running(&self, running: bool) -> bool {
        if self.paused.load(Ordering::Relaxed) != running {
            return true;
        }
        let result = match &self.sink {
            Sink::Cpal { stream, .. } => if running {
                stream.play()
            } else {
                stream.pause()
            }
            .map_err(|e| e.to_string()),
            #[cfg(target_os = "linux")]
            Sink::Pulse(stream) => stream.set_corked(!running),
        };
        match result {
            Ok(()) => {
                self.paused.store(!running, Ordering::Relaxed);
                true
            }
            Err(e) => {
                tracing::debug!(error = %e, "the device cannot pause");
                false
            }
        }
    }

    /// Play `source` from the next buffer on, in place of whatever played.
    pub fn play<S>(&self, source: S, volume: f32, paused: bool) -> Playback
    where
        S: Source + Fill + 'static,
    {
        let source: Box<dyn Fill> = if Format::of(&source) == self.format {
            Box::new(source)
        } else {
            Box::new(Converted(UniformSourceIterator::new(
                source,
                self.format.channels,
                self.format.rate,
            )))
        };
        let controls = Arc::new(Controls {
            paused: AtomicBool::new(paused),
            volume: AtomicU32::new(volume.to_bits()),
            done: AtomicBool::new(false),
        });
        let install = || {
            let mut slot = lock(&self.slot);
            slot.serial += 1;
            slot.written = 0;
            let serial = slot.serial;
            let old = slot.feed.replace(Feed {
                serial,
                source,
                controls: Arc::clone(&controls),
            });
            slot.wake();
            (serial, old)
        };
        // A track replaced while it plays is cut at once; one that ran out plays its buffered
        // end first (the next follows it).
        let (serial, old) = match &self.sink {
            #[cfg(target_os = "linux")]
            Sink::Pulse(stream) if self.playing_live() => self.flushing(stream, install),
            _ => install(),
        };
        // Dropped outside the lock: a decoder's drop may close files or streams.
        if let Some(old) = old {
            old.controls.done.store(true, Ordering::Relaxed);
        }
        Playback {
            slot: Arc::clone(&self.slot),
            serial,
            controls,
        }
    }
}

/// Controls for one track handed to [`DeviceOutput::play`]; they do nothing once another
/// track has replaced it.
pub struct Playback {
    slot: SharedSlot,
    serial: u64,
    controls: Arc<Controls>,
}

impl Playback {
    pub fn set_paused(&self, paused: bool) {
        self.controls.paused.store(paused, Ordering::Relaxed);
        if !paused {
            // A sound server client that found the track paused waits to be told.
            lock(&self.slot).wake();
        }
    }

    pub fn set_volume(&self, volume: f32) {
        self.controls
            .volume
            .store(volume.to_bits(), Ordering::Relaxed);
    }

    /// Seek the track; the next buffer plays from there. (Runs the decoder's seek here, on
    /// the engine's thread, while the callback waits for the lock: as long as one seek.)
    pub fn try_seek(&self, position: Duration) -> Result<(), SeekError> {
        let mut slot = lock(&self.slot);
        let Some(feed) = slot.feed.as_mut().filter(|f| f.serial == self.serial) else {
            return Ok(());
        };
        let result = feed.source.try_seek(position);
        self.controls.done.store(false, Ordering::Relaxed);
        result
    }

    /// The track ran out, or was replaced or stopped.
    pub fn empty(&self) -> bool {
        self.controls.done.load(Ordering::Acquire)
    }

    /// Stop playing it; the device plays silence.
    pub fn stop(&self) {
        self.controls.done.store(true, Ordering::Relaxed);
        let feed = {
            let mut slot = lock(&self.slot);
            if slot.feed.as_ref().is_some_and(|f| f.serial == self.serial) {
                slot.feed.take()
            } else {
                None
            }
        };
        // Outside the lock, as in `play`.
        drop(feed);
    }
}

/// Fill one device buffer (interleaved samples) from the feed, silence where there is none.
fn fill(slot: &Mutex<Slot>, out: &mut [f32]) {
    if !fill_locked(&mut lock(slot), out) {
        out.fill(0.0);
    }
}

/// [`fill`] under a lock already taken. False, with `out` untouched, if there is nothing to
/// play (no track, it ran out, it is paused, or a flush is under way).
fn fill_locked(slot: &mut Slot, out: &mut [f32]) -> bool {
    if slot.flushing {
        return false;
    }
    let Some(feed) = slot.feed.as_mut().filter(|f| {
        !f.controls.paused.load(Ordering::Relaxed) && !f.controls.done.load(Ordering::Relaxed)
    }) else {
        return false;
    };
    let filled = feed.source.fill(out);
    if filled < out.len() {
        // Release: whatever the chain reported on its way to the end (a hand-over to its
        // follower) is in the engine's inbox before the engine can see the end.
        feed.controls.done.store(true, Ordering::Release);
        out[filled..].fill(0.0);
    }
    let volume = f32::from_bits(feed.controls.volume.load(Ordering::Relaxed));
    #[allow(clippy::float_cmp)] // exactly 1.0 is the common case, and needs no pass
    if volume != 1.0 {
        for sample in &mut out[..filled] {
            *sample *= volume;
        }
    }
    // Only the track's own samples: silence written around them moves no position.
    slot.written += filled as u64;
    true
}

fn build<E>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    format: cpal::SampleFormat,
    slot: &SharedSlot,
    on_error: E,
) -> Result<cpal::Stream, String>
where
    E: FnMut(cpal::Error) + Send + 'static,
{
    fn converting<T, E>(
        device: &cpal::Device,
        config: &cpal::StreamConfig,
        slot: SharedSlot,
        on_error: E,
    ) -> Result<cpal::Stream, cpal::Error>
    where
        T: SizedSample + FromSample<f32>,
        E: FnMut(cpal::Error) + Send + 'static,
    {
        let mut scratch = Vec::<f32>::new();
        device.build_output_stream::<T, _, _>(
            *config,
            move |data: &mut [T], _| {
                scratch.resize(data.len(), 0.0);
                fill(&slot, &mut scratch);
                for (out, sample) in data.iter_mut().zip(&scratch) {
                    *out = T::from_sample(*sample);
                }
            },
            on_error,
            None,
        )
    }
    let slot = Arc::clone(slot);
    let stream = match format {
        cpal::SampleFormat::F32 => device.build_output_stream::<f32, _, _>(
            *config,
            move |data: &mut [f32], _| fill(&slot, data),
            on_error,
            None,
        ),
        cpal::SampleFormat::F64 => converting::<f64, _>(device, config, slot, on_error),
        cpal::SampleFormat::I16 => converting::<i16, _>(device, config, slot, on_error),
        cpal::SampleFormat::I32 => converting::<i32, _>(device, config, slot, on_error),
        cpal::SampleFormat::U16 => converting::<u16, _>(device, config, slot, on_error),
        cpal::SampleFormat::U8 => converting::<u8, _>(device, config, slot, on_error),
        other => {
            return Err(format!(
                "the device wants {other} samples, which Lyrebird cannot write"
            ));
        }
    };
    stream.map_err(|e| crate::engine::error_chain(&e))
}

/// The native PulseAudio stream: the pure-Rust `pulseaudio` client, whose reactor thread asks
/// the callback for data when the server wants it.
#[cfg(target_os = "linux")]
mod pulse {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use futures::FutureExt as _;
    use futures::executor::block_on;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use pulseaudio::{Client, PlaybackSource, PlaybackStream, protocol};

    use super::{Format, SharedSlot, fill_locked, lock};

    /// The server keeps this much written ahead, and asks for half of it at a time: about
    /// seven wake-ups a second, a third of the CPU of cpal through the ALSA plugin (measured
    /// in docs/benchmarks.md). Pause (cork) and seek (flush) still act at once; a volume
    /// change is heard within this.
    const BUFFER: Duration = Duration::from_millis(300);
    /// Playback starts once this much is written (the server's default waits for all of it).
    const START_AFTER: Duration = Duration::from_millis(50);

    /// What the client's reactor reads when the server asks for data. With no track (or
    /// while a seek flushes) it answers "not yet" and is woken when there is one: silence
    /// written now would be played before the track.
    struct Source {
        slot: SharedSlot,
        scratch: Vec<f32>,
        /// Bytes per frame (stereo f32).
        frame: usize,
    }

    impl PlaybackSource for Source {
        fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<usize> {
            let this = self.get_mut();
            let length = buf.len() / this.frame * this.frame;
            if length == 0 {
                // Never 0: that would mean the end of the stream.
                buf.fill(0);
                return Poll::Ready(buf.len());
            }
            this.scratch.resize(length / 4, 0.0);
            // Whether there is anything to write and the writing, under one lock: a pause
            // between the two would write the buffer full of silence (heard after the
            // resume) and count it as the track's.
            let mut slot = lock(&this.slot);
            if !fill_locked(&mut slot, &mut this.scratch) {
                // Nothing to write (no track, it ran out, paused, or a flush is under way):
                // silence now would delay what comes next.
                slot.waiting = Some(cx.waker().clone());
                return Poll::Pending;
            }
            drop(slot);
            for (out, sample) in buf.chunks_exact_mut(4).zip(&this.scratch) {
                out.copy_from_slice(&sample.to_le_bytes());
            }
            Poll::Ready(length)
        }
    }

    pub struct Stream {
        playback: PlaybackStream,
        /// Set before the stream is deleted on purpose, so its end is not reported as a loss.
        closing: Arc<AtomicBool>,
        buffer: Duration,
        rate: u32,
        /// Dropped with the stream: the connection's reactor lives while a handle does.
        _client: Client,
    }

    /// The server's cookie is 256 bytes: one that is not there is sent as zeros, as libpulse
    /// does (an empty one is a protocol error, even where the server allows anyone).
    const COOKIE_LENGTH: usize = 256;

    fn connect() -> Result<Client, String> {
        let socket =
            pulseaudio::socket_path_from_env().ok_or("no PulseAudio server is configured")?;
        let cookie = pulseaudio::cookie_path_from_env()
            .and_then(|path| std::fs::read(path).ok())
            .filter(|cookie| cookie.len() == COOKIE_LENGTH)
            .unwrap_or_else(|| vec![0; COOKIE_LENGTH]);
        let socket = std::os::unix::net::UnixStream::connect(&socket)
            .map_err(|e| format!("cannot reach PulseAudio at {}: {e}", socket.display()))?;
        Client::new_unix(c"Lyrebird", socket, Some(cookie)).map_err(|e| e.to_string())
    }

    fn bytes(per_second: u32, length: Duration) -> u32 {
        u32::try_from(u128::from(per_second) * length.as_millis() / 1000).unwrap_or(u32::MAX)
    }

    impl Stream {
        pub fn open(
            format: Format,
            slot: SharedSlot,
            lost: impl FnOnce(String) + Send + 'static,
        ) -> Result<Self, String> {
            let client = connect()?;
            let rate = format.rate.get();
            let frame = 2 * 4; // stereo f32
            let per_second = rate * frame;
            let target = bytes(per_second, BUFFER) / frame * frame;
            let mut props = protocol::Props::new();
            props.set(protocol::Prop::MediaName, c"Music");
            props.set(protocol::Prop::MediaRole, c"music");
            let params = protocol::PlaybackStreamParams {
                sample_spec: protocol::SampleSpec {
                    format: protocol::SampleFormat::Float32Le,
                    channels: 2,
                    sample_rate: rate,
                },
                channel_map: protocol::ChannelMap::stereo(),
                buffer_attr: protocol::stream::BufferAttr {
                    max_length: u32::MAX,
                    target_length: target,
                    pre_buffering: bytes(per_second, START_AFTER) / frame * frame,
                    minimum_request_length: target / 2 / frame * frame,
                    fragment_size: u32::MAX,
                },
                props,
                ..Default::default()
            };
            let source = Source {
                slot,
                scratch: Vec::new(),
                frame: frame as usize,
            };
            let stream = block_on(client.create_playback_stream(params, source))
                .map_err(|e| format!("PulseAudio refused the stream: {e}"))?;
            let granted = stream.buffer_attr().target_length;
            let driver = stream.clone();
            let closing = Arc::new(AtomicBool::new(false));
            let closed = Arc::clone(&closing);
            std::thread::Builder::new()
                .name("lyrebird-pulse".into())
                .spawn(move || {
                    // Ends when the stream is deleted (dropped), or with the connection.
                    let result = block_on(driver.play_all());
                    if !closed.load(Ordering::Relaxed) {
                        let reason = result.err().map_or_else(
                            || "the PulseAudio server ended the stream".to_owned(),
                            |e| format!("the PulseAudio server went away ({e})"),
                        );
                        lost(reason);
                    }
                })
                .map_err(|e| e.to_string())?;
            Ok(Self {
                closing,
                buffer: Duration::from_micros(
                    u64::from(granted) * 1_000_000 / u64::from(per_second),
                ),
                playback: stream,
                rate,
                _client: client,
            })
        }

        pub fn describe(&self) -> String {
            format!(
                "PulseAudio, {} Hz stereo f32, buffer {} ms",
                self.rate,
                self.buffer.as_millis()
            )
        }

        pub fn buffer(&self) -> Duration {
            self.buffer
        }

        pub fn set_corked(&self, corked: bool) -> Result<(), String> {
            let result = if corked {
                block_on(self.playback.cork())
            } else {
                block_on(self.playback.uncork())
            };
            result.map_err(|e| e.to_string())
        }

        pub fn flush(&self) {
            if let Err(e) = block_on(self.playback.flush()) {
                tracing::debug!(error = %e, "flush failed");
            }
        }
    }

    impl Drop for Stream {
        fn drop(&mut self) {
            // Deleting the stream ends the driver thread's `play_all`; don't wait for the
            // server's answer (it may be gone).
            self.closing.store(true, Ordering::Relaxed);
            let _ = self.playback.clone().delete().now_or_never();
        }
    }
}
