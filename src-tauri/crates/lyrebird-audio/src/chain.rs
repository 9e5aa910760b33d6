//! Gapless hand-over: one source that plays the current track and then, sample-exactly, the
//! track preloaded to follow it.
//!
//! The engine sends the preloaded decoder (or `None` to withdraw it) over a channel; the chain
//! looks at that channel only when its current track runs out, so the device callback never
//! waits on a lock. It keeps the position of the track it is in, so position reports restart
//! at zero for the next track.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::time::Duration;

use lyrebird_core::audio::PlayId;
use rodio::source::SeekError;
use rodio::{ChannelCount, SampleRate, Source};

use crate::Inbox;
use crate::output::Fill;

/// A track ready to follow the current one, with its own gain (ReplayGain).
pub type Follower<S> = Option<(PlayId, S, f32)>;

/// A linear gain the engine can change while the callback reads it: `f32` bits in an atomic.
#[derive(Clone, Debug)]
pub struct SharedGain(Arc<AtomicU32>);

impl SharedGain {
    pub fn new(gain: f32) -> Self {
        Self(Arc::new(AtomicU32::new(gain.to_bits())))
    }

    pub fn set(&self, gain: f32) {
        self.0.store(gain.to_bits(), Ordering::Relaxed);
    }

    pub fn get(&self) -> f32 {
        f32::from_bits(self.0.load(Ordering::Relaxed))
    }
}

/// A track that keeps its own position: the samples taken since its start or its last seek.
/// (rodio's `TrackPosition` asks the decoder for its span length at every sample, through
/// every layer; a track's format is fixed here, so a count does.)
struct Tracked<S> {
    source: S,
    /// Where the last seek landed (zero at the start).
    offset: Duration,
    samples: u64,
    /// Samples per second, all channels.
    per_second: u64,
}

impl<S: Source> Tracked<S> {
    fn new(source: S) -> Self {
        let per_second = u64::from(source.sample_rate().get()) * u64::from(source.channels().get());
        Self {
            source,
            offset: Duration::ZERO,
            samples: 0,
            per_second,
        }
    }

    #[inline]
    fn next(&mut self) -> Option<f32> {
        let sample = self.source.next();
        self.samples += u64::from(sample.is_some());
        sample
    }

    fn get_pos(&self) -> Duration {
        let whole = self.samples / self.per_second;
        let part = self.samples % self.per_second;
        // `part < per_second`, so the nanoseconds fit.
        let nanos = u32::try_from(part * 1_000_000_000 / self.per_second).unwrap_or(0);
        self.offset + Duration::new(whole, nanos)
    }

    fn try_seek(&mut self, pos: Duration) -> Result<(), SeekError> {
        self.source.try_seek(pos)?;
        self.offset = pos;
        self.samples = 0;
        Ok(())
    }

    fn channels(&self) -> ChannelCount {
        self.source.channels()
    }

    fn sample_rate(&self) -> SampleRate {
        self.source.sample_rate()
    }

    fn total_duration(&self) -> Option<Duration> {
        self.source.total_duration()
    }

    fn current_span_len(&self) -> Option<usize> {
        self.source.current_span_len()
    }
}

/// Samples between position updates (about 20 ms of stereo 48 kHz).
const POSITION_EVERY: u32 = 2048;

/// The track that is fading out under the next one during a crossfade.
struct Tail<S: Source> {
    source: Tracked<S>,
    gain: f32,
    /// Length of the fade, and how far into it we are, in samples.
    length: u64,
    done: u64,
}

pub struct Chain<S: Source> {
    current: Tracked<S>,
    followers: Receiver<Follower<S>>,
    report: Sender<Inbox>,
    /// Position in the current track, in milliseconds, for the engine to read.
    position_ms: Arc<AtomicU64>,
    /// The current track's own gain; read once per update period, not per sample.
    gain: SharedGain,
    factor: f32,
    since_update: u32,
    /// Samples taken from the current track, to start a fade on a frame boundary.
    samples_in_track: u64,
    /// The first track's load, until its first sample is taken (then reported as audible).
    not_yet_audible: Option<PlayId>,
    /// Crossfade length in milliseconds (0: gapless), set by the engine at any time.
    crossfade_ms: Arc<AtomicU32>,
    tail: Option<Tail<S>>,
    /// A follower taken for a crossfade that could not be mixed: it follows gaplessly.
    pending: Follower<S>,
}

impl<S: Source> Chain<S> {
    pub fn new(
        play_id: PlayId,
        first: S,
        followers: Receiver<Follower<S>>,
        report: Sender<Inbox>,
        position_ms: Arc<AtomicU64>,
        gain: SharedGain,
        crossfade_ms: Arc<AtomicU32>,
    ) -> Self {
        let factor = gain.get();
        let chain = Self {
            current: Tracked::new(first),
            followers,
            report,
            position_ms,
            gain,
            factor,
            since_update: 0,
            samples_in_track: 0,
            not_yet_audible: Some(play_id),
            crossfade_ms,
            tail: None,
            pending: None,
        };
        chain.publish_position();
        chain
    }

    fn publish_position(&self) {
        let ms = u64::try_from(self.current.get_pos().as_millis()).unwrap_or(u64::MAX);
        self.position_ms.store(ms, Ordering::Relaxed);
    }

    /// The follower sent last, if any (a later `None` withdraws an earlier one).
    fn take_follower(&self) -> Follower<S> {
        let mut latest = None;
        while let Ok(follower) = self.followers.try_recv() {
            latest = follower;
        }
        latest
    }

    /// Make `follower` the current track and tell the engine. With `fade`, the old track
    /// keeps playing under it, fading out over `fade` samples.
    fn advance_to(&mut self, (play_id, follower, gain): (PlayId, S, f32), fade: Option<u64>) {
        let old_factor = self.factor;
        self.gain.set(gain);
        self.factor = gain;
        let duration_ms = follower
            .total_duration()
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let old = std::mem::replace(&mut self.current, Tracked::new(follower));
        self.tail = fade.map(|length| Tail {
            source: old,
            gain: old_factor,
            length,
            done: 0,
        });
        self.since_update = 0;
        self.samples_in_track = 0;
        self.publish_position();
        let _ = self.report.send(Inbox::Advanced {
            play_id,
            duration_ms,
        });
    }

    /// Near the end of the current track with a crossfade set and a compatible follower
    /// ready: start fading into it. Checked once per update period, on a frame boundary.
    fn maybe_start_crossfade(&mut self) {
        let fade_ms = u64::from(self.crossfade_ms.load(Ordering::Relaxed));
        if fade_ms == 0 || self.tail.is_some() {
            return;
        }
        let channels = u64::from(self.current.channels().get());
        if !self.samples_in_track.is_multiple_of(channels) {
            return;
        }
        let Some(total) = self.current.total_duration() else {
            return; // unknown length (some streams): no crossfade, gapless instead
        };
        let remaining = total.saturating_sub(self.current.get_pos());
        // Never more than half of either track.
        let fade = Duration::from_millis(fade_ms).min(total / 2);
        if remaining > fade {
            return;
        }
        let Some(follower) = self.take_follower() else {
            return;
        };
        let compatible = follower.1.channels() == self.current.channels()
            && follower.1.sample_rate() == self.current.sample_rate();
        if !compatible {
            // Mixing needs one format; play it gaplessly when the current one ends instead.
            self.pending = Some(follower);
            return;
        }
        let rate = u64::from(self.current.sample_rate().get());
        let samples =
            u64::try_from(remaining.as_nanos() * u128::from(rate * channels) / 1_000_000_000)
                .unwrap_or(u64::MAX)
                .max(1);
        self.advance_to(follower, Some(samples));
    }

    /// Mix one sample of the fade: `new` (already scaled by its gain) rising, the old track
    /// falling, with equal power. The fade runs its full length even if the old track runs
    /// out a little early, so the new one never jumps to full level.
    fn mix_tail(&mut self, new: f32) -> f32 {
        let Some(tail) = self.tail.as_mut() else {
            return new;
        };
        if tail.done >= tail.length {
            self.tail = None;
            return new;
        }
        // Precision is no concern: a fade is at most 12 s, ~10⁶ samples.
        #[allow(clippy::cast_precision_loss)]
        let angle = (tail.done as f32 / tail.length as f32) * std::f32::consts::FRAC_PI_2;
        tail.done += 1;
        let old = tail.source.next().unwrap_or(0.0) * tail.gain;
        new * angle.sin() + old * angle.cos()
    }
}

impl<S: Source> Iterator for Chain<S> {
    type Item = S::Item;

    fn next(&mut self) -> Option<S::Item> {
        if let Some(sample) = self.current.next() {
            if let Some(play_id) = self.not_yet_audible.take() {
                // The device callback is taking the first sample now: the moment a listener
                // hears the track start (give or take the device's own buffer).
                let _ = self.report.send(Inbox::Audible { play_id });
            }
            self.since_update += 1;
            self.samples_in_track += 1;
            let out = sample * self.factor;
            if self.since_update >= POSITION_EVERY {
                self.since_update = 0;
                self.publish_position();
                self.factor = self.gain.get();
                if self.tail.is_none() {
                    self.maybe_start_crossfade();
                    if self.tail.is_some() {
                        // The fade begins with the next sample, which is the new track's first.
                        return Some(out);
                    }
                }
            }
            return Some(self.mix_tail(out));
        }
        // A new track shorter than the fade: let the old one finish fading under silence.
        if self.tail.as_ref().is_some_and(|t| t.done < t.length) {
            return Some(self.mix_tail(0.0));
        }
        self.tail = None;
        let follower = self.pending.take().or_else(|| self.take_follower())?;
        self.advance_to(follower, None);
        self.current.next().map(|sample| sample * self.factor)
    }
}

impl<S: Source> Source for Chain<S> {
    fn current_span_len(&self) -> Option<usize> {
        self.current.current_span_len()
    }

    fn channels(&self) -> ChannelCount {
        self.current.channels()
    }

    fn sample_rate(&self) -> SampleRate {
        self.current.sample_rate()
    }

    fn total_duration(&self) -> Option<Duration> {
        // Unknown: the chain may go on into the next track.
        None
    }

    fn try_seek(&mut self, pos: Duration) -> Result<(), SeekError> {
        // A seek ends any fade: the listener wants the new track, from there.
        self.tail = None;
        let result = self.current.try_seek(pos);
        self.publish_position();
        result
    }
}

/// A source that can hand over many samples in one call (the decoder's panic guard: one
/// `catch_unwind` per block instead of one per sample).
pub trait ReadBlock: Source {
    /// Fill the start of `out`; fewer than `out.len()` means the source ended.
    fn read_block(&mut self, out: &mut [f32]) -> usize;
}

impl<S: ReadBlock> Tracked<S> {
    fn read_block(&mut self, out: &mut [f32]) -> usize {
        let got = self.source.read_block(out);
        self.samples += got as u64;
        got
    }
}

impl<S: ReadBlock + Send> Fill for Chain<S> {
    fn fill(&mut self, out: &mut [f32]) -> usize {
        let mut filled = 0;
        while filled < out.len() {
            // Fades, the first sample's report and the hand-over go a sample at a time.
            if self.tail.is_some() || self.not_yet_audible.is_some() {
                let Some(value) = self.next() else { break };
                out[filled] = value;
                filled += 1;
                continue;
            }
            // Otherwise whole runs up to the next position update: what `next` does per
            // sample, once per run.
            let until_update = (POSITION_EVERY - self.since_update) as usize;
            let want = until_update.min(out.len() - filled);
            let run = &mut out[filled..filled + want];
            let got = self.current.read_block(run);
            for sample in &mut run[..got] {
                *sample *= self.factor;
            }
            filled += got;
            // `got <= want <= POSITION_EVERY`
            self.since_update += u32::try_from(got).unwrap_or(u32::MAX);
            self.samples_in_track += got as u64;
            if self.since_update >= POSITION_EVERY {
                self.since_update = 0;
                self.publish_position();
                self.factor = self.gain.get();
                self.maybe_start_crossfade();
            }
            if got < want {
                // The track ran out: the hand-over (or the end) sample by sample.
                let Some(value) = self.next() else { break };
                out[filled] = value;
                filled += 1;
            }
        }
        // Exact at every buffer: where a change or loss of device resumes from.
        self.publish_position();
        filled
    }

    fn try_seek(&mut self, position: Duration) -> Result<(), SeekError> {
        Source::try_seek(self, position)
    }
}
