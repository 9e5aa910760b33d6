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
use rodio::source::{SeekError, TrackPosition};
use rodio::{ChannelCount, SampleRate, Source};

use crate::Inbox;

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

/// Samples between position updates (about 20 ms of stereo 48 kHz).
const POSITION_EVERY: u32 = 2048;

pub struct Chain<S: Source> {
    current: TrackPosition<S>,
    followers: Receiver<Follower<S>>,
    report: Sender<Inbox>,
    /// Position in the current track, in milliseconds, for the engine to read.
    position_ms: Arc<AtomicU64>,
    /// The current track's own gain; read once per update period, not per sample.
    gain: SharedGain,
    factor: f32,
    since_update: u32,
}

impl<S: Source> Chain<S> {
    pub fn new(
        first: S,
        followers: Receiver<Follower<S>>,
        report: Sender<Inbox>,
        position_ms: Arc<AtomicU64>,
        gain: SharedGain,
    ) -> Self {
        let factor = gain.get();
        let chain = Self {
            current: first.track_position(),
            followers,
            report,
            position_ms,
            gain,
            factor,
            since_update: 0,
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
}

impl<S: Source> Iterator for Chain<S> {
    type Item = S::Item;

    fn next(&mut self) -> Option<S::Item> {
        if let Some(sample) = self.current.next() {
            self.since_update += 1;
            if self.since_update >= POSITION_EVERY {
                self.since_update = 0;
                self.publish_position();
                self.factor = self.gain.get();
            }
            return Some(sample * self.factor);
        }
        let (play_id, follower, gain) = self.take_follower()?;
        self.gain.set(gain);
        self.factor = gain;
        let duration_ms = follower
            .total_duration()
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        self.current = follower.track_position();
        self.since_update = 0;
        self.publish_position();
        let _ = self.report.send(Inbox::Advanced {
            play_id,
            duration_ms,
        });
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
        let result = self.current.try_seek(pos);
        self.publish_position();
        result
    }
}
