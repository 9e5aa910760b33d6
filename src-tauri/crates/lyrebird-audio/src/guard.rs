//! A source adapter that contains decoder panics.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::Sender;
use std::time::Duration;

use lyrebird_core::audio::PlayId;
use rodio::source::SeekError;
use rodio::{ChannelCount, SampleRate, Source};

use crate::Inbox;

/// Wraps a decoder. If any call into it panics, the track ends (the device hears silence, not
/// garbage) and the audio thread is told, once.
pub struct Guarded<S> {
    inner: S,
    play_id: PlayId,
    report: Sender<Inbox>,
    poisoned: bool,
    channels: ChannelCount,
    sample_rate: SampleRate,
}

impl<S: Source> Guarded<S> {
    pub fn new(inner: S, play_id: PlayId, report: Sender<Inbox>) -> Self {
        let channels = inner.channels();
        let sample_rate = inner.sample_rate();
        Self {
            inner,
            play_id,
            report,
            poisoned: false,
            channels,
            sample_rate,
        }
    }

    fn guard<T>(&mut self, fallback: T, f: impl FnOnce(&mut S) -> T) -> T {
        if self.poisoned {
            return fallback;
        }
        match catch_unwind(AssertUnwindSafe(|| f(&mut self.inner))) {
            Ok(value) => value,
            Err(payload) => {
                self.poisoned = true;
                let message = panic_message(payload.as_ref());
                tracing::error!(play_id = %self.play_id, %message, "decoder panicked");
                let _ = self.report.send(Inbox::DecoderPanicked {
                    play_id: self.play_id,
                    message,
                });
                fallback
            }
        }
    }
}

impl<S: Source> crate::chain::ReadBlock for Guarded<S> {
    fn read_block(&mut self, out: &mut [f32]) -> usize {
        self.guard(0, |inner| {
            for (taken, sample) in out.iter_mut().enumerate() {
                match inner.next() {
                    Some(value) => *sample = value,
                    None => return taken,
                }
            }
            out.len()
        })
    }
}

/// The text of a panic payload.
#[must_use]
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "decoder panicked".to_owned())
}

impl<S: Source> Iterator for Guarded<S> {
    type Item = S::Item;

    fn next(&mut self) -> Option<S::Item> {
        self.guard(None, Iterator::next)
    }
}

impl<S: Source> Source for Guarded<S> {
    fn current_span_len(&self) -> Option<usize> {
        if self.poisoned {
            return Some(0);
        }
        // Symphonia's MP3 decoder says "a span of 0" until it has decoded its first packet
        // (at the first sample asked for). rodio's converter (`UniformSourceIterator`, used
        // when the device plays another rate or channel count) takes a span of 0 for the end
        // of the source and ended such tracks at once: a 22 050 Hz mono MP3 never sounded.
        // "Unknown" makes it read on; at the real end the decoder's samples end anyway.
        match self.inner.current_span_len() {
            Some(0) => None,
            other => other,
        }
    }

    fn channels(&self) -> ChannelCount {
        // Stable values captured at creation: these getters must not panic inside the callback.
        if self.poisoned {
            self.channels
        } else {
            self.inner.channels()
        }
    }

    fn sample_rate(&self) -> SampleRate {
        if self.poisoned {
            self.sample_rate
        } else {
            self.inner.sample_rate()
        }
    }

    fn total_duration(&self) -> Option<Duration> {
        self.inner.total_duration()
    }

    fn try_seek(&mut self, pos: Duration) -> Result<(), SeekError> {
        self.guard(Ok(()), |inner| inner.try_seek(pos))
    }
}
