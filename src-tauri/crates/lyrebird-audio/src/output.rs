//! The device output: one cpal stream whose callback fills each buffer from the current
//! track in one loop.
//!
//! Why not rodio's `MixerDeviceSink` and `Player`: they pull every sample through a mixer,
//! a format converter and eight control adapters (pause, volume, skip, stop, seek polling…),
//! each a call of its own, and resample to the device's default rate. Playing one track at a
//! time needs none of that: controls are read once per buffer under one short lock, and the
//! device is opened at the track's own rate, so nothing is converted unless the device cannot
//! take the track as it is. Measured in docs/benchmarks.md ("CPU while playing").

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
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
}

type SharedSlot = Arc<Mutex<Slot>>;

fn lock(slot: &Mutex<Slot>) -> MutexGuard<'_, Slot> {
    // A panic while holding the lock (in a decoder: `Guarded` catches those) leaves the slot
    // as consistent as it was; playing on beats going silent for good.
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An open output stream on one device.
pub struct DeviceOutput {
    stream: cpal::Stream,
    format: Format,
    /// The rate asked for when opening: the device may not have it (then `format.rate`
    /// differs and tracks are converted).
    requested_rate: SampleRate,
    slot: SharedSlot,
    config: cpal::StreamConfig,
    stream_paused: AtomicBool,
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
            stream,
            format,
            requested_rate: rate,
            slot,
            config,
            stream_paused: AtomicBool::new(false),
        })
    }

    /// The rate this output was opened for (what the track wanted).
    pub fn requested_rate(&self) -> SampleRate {
        self.requested_rate
    }

    pub fn config(&self) -> &cpal::StreamConfig {
        &self.config
    }

    /// Stop or restart the device itself: a paused stream stops at once, with what it had
    /// buffered kept for the resume, and costs nothing while paused. False if the device
    /// cannot pause (then it plays the silence of a paused track).
    pub fn set_running(&self, running: bool) -> bool {
        if self.stream_paused.load(Ordering::Relaxed) != running {
            return true;
        }
        let result = if running {
            self.stream.play()
        } else {
            self.stream.pause()
        };
        match result {
            Ok(()) => {
                self.stream_paused.store(!running, Ordering::Relaxed);
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
        let old;
        let serial;
        {
            let mut slot = lock(&self.slot);
            slot.serial += 1;
            serial = slot.serial;
            old = slot.feed.replace(Feed {
                serial,
                source,
                controls: Arc::clone(&controls),
            });
        }
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
        self.controls.done.load(Ordering::Relaxed)
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
    let mut slot = lock(slot);
    let Some(feed) = slot.feed.as_mut().filter(|f| {
        !f.controls.paused.load(Ordering::Relaxed) && !f.controls.done.load(Ordering::Relaxed)
    }) else {
        out.fill(0.0);
        return;
    };
    let filled = feed.source.fill(out);
    if filled < out.len() {
        feed.controls.done.store(true, Ordering::Relaxed);
        out[filled..].fill(0.0);
    }
    let volume = f32::from_bits(feed.controls.volume.load(Ordering::Relaxed));
    #[allow(clippy::float_cmp)] // exactly 1.0 is the common case, and needs no pass
    if volume != 1.0 {
        for sample in &mut out[..filled] {
            *sample *= volume;
        }
    }
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
