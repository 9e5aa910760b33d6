//! Ogg Opus, decoded by libopus (symphonia 0.5 demuxes Ogg Opus but has no Opus decoder).
//!
//! symphonia's Ogg reader finds the packets; `symphonia-adapter-libopus` decodes them. This is
//! the small part of rodio's symphonia decoder we need, with the Opus codec registered.

use std::io::{Read, Seek, SeekFrom};
use std::sync::OnceLock;
use std::time::Duration;

use rodio::source::SeekError;
use rodio::{ChannelCount, SampleRate, Source};
use symphonia::core::audio::{SampleBuffer, SignalSpec};
use symphonia::core::codecs::{CodecRegistry, Decoder, DecoderOptions};
use symphonia::core::errors::Error;
use symphonia::core::formats::{FormatOptions, FormatReader, SeekMode, SeekTo};
use symphonia::core::io::{MediaSource, MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;
use symphonia_adapter_libopus::OpusDecoder;

fn codecs() -> &'static CodecRegistry {
    static CODECS: OnceLock<CodecRegistry> = OnceLock::new();
    CODECS.get_or_init(|| {
        let mut registry = CodecRegistry::new();
        registry.register_all::<OpusDecoder>();
        registry
    })
}

/// Any `Read + Seek` as a symphonia media source.
struct Seekable<R>(R);

impl<R: Read> Read for Seekable<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Seek> Seek for Seekable<R> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.0.seek(pos)
    }
}

impl<R: Read + Seek + Send + Sync> MediaSource for Seekable<R> {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        None
    }
}

pub struct OpusSource {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn Decoder>,
    track_id: u32,
    spec: SignalSpec,
    buffer: SampleBuffer<f32>,
    offset: usize,
    total_duration: Option<Duration>,
}

impl OpusSource {
    pub fn new<R>(reader: R) -> Result<Self, String>
    where
        R: Read + Seek + Send + Sync + 'static,
    {
        let stream = MediaSourceStream::new(
            Box::new(Seekable(reader)),
            MediaSourceStreamOptions::default(),
        );
        let mut hint = Hint::new();
        hint.with_extension("ogg");
        let format_options = FormatOptions {
            enable_gapless: true,
            ..FormatOptions::default()
        };
        let probed = symphonia::default::get_probe()
            .format(&hint, stream, &format_options, &MetadataOptions::default())
            .map_err(|e| e.to_string())?;
        let format = probed.format;
        let track = format
            .tracks()
            .iter()
            .find(|t| t.codec_params.codec == symphonia::core::codecs::CODEC_TYPE_OPUS)
            .ok_or("no Opus stream in this file")?;
        let track_id = track.id;
        let total_duration = track
            .codec_params
            .time_base
            .zip(track.codec_params.n_frames)
            .map(|(base, frames)| base.calc_time(frames).into());
        let decoder = codecs()
            .make(&track.codec_params, &DecoderOptions::default())
            .map_err(|e| e.to_string())?;
        let rate = track.codec_params.sample_rate.unwrap_or(48_000);
        let channels = track
            .codec_params
            .channels
            .ok_or("the Opus stream does not say how many channels it has")?;
        let spec = SignalSpec::new(rate, channels);
        let mut source = Self {
            format,
            decoder,
            track_id,
            spec,
            buffer: SampleBuffer::new(0, spec),
            offset: 0,
            total_duration,
        };
        // Decode the first packet now, so a file that cannot be decoded fails here, not later.
        if !source.decode_next() {
            return Err("no audio could be decoded from this Opus file".to_owned());
        }
        Ok(source)
    }

    /// Fill the buffer from the next packet that has audio. False at the end of the stream.
    fn decode_next(&mut self) -> bool {
        loop {
            let Ok(packet) = self.format.next_packet() else {
                return false;
            };
            if packet.track_id() != self.track_id {
                continue;
            }
            match self.decoder.decode(&packet) {
                Ok(decoded) if decoded.frames() > 0 => {
                    self.spec = *decoded.spec();
                    let frames = decoded.capacity() as u64;
                    if self.buffer.capacity() < decoded.capacity() * self.spec.channels.count() {
                        self.buffer = SampleBuffer::new(frames, self.spec);
                    }
                    self.buffer.copy_interleaved_ref(decoded);
                    self.offset = 0;
                    return true;
                }
                // A damaged packet: skip it, as rodio's own decoder does.
                Ok(_) | Err(Error::DecodeError(_)) => {}
                Err(_) => return false,
            }
        }
    }
}

impl Iterator for OpusSource {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        if self.offset >= self.buffer.len() && !self.decode_next() {
            return None;
        }
        let sample = self.buffer.samples().get(self.offset).copied();
        self.offset += 1;
        sample
    }
}

impl Source for OpusSource {
    fn current_span_len(&self) -> Option<usize> {
        Some(self.buffer.len().saturating_sub(self.offset).max(1))
    }

    fn channels(&self) -> ChannelCount {
        let count = u16::try_from(self.spec.channels.count()).unwrap_or(2);
        ChannelCount::new(count).unwrap_or(ChannelCount::MIN)
    }

    fn sample_rate(&self) -> SampleRate {
        SampleRate::new(self.spec.rate).unwrap_or(SampleRate::MIN)
    }

    fn total_duration(&self) -> Option<Duration> {
        self.total_duration
    }

    fn try_seek(&mut self, pos: Duration) -> Result<(), SeekError> {
        let target = self.total_duration.map_or(pos, |total| pos.min(total));
        let seeked = self
            .format
            .seek(
                SeekMode::Accurate,
                SeekTo::Time {
                    time: target.into(),
                    track_id: Some(self.track_id),
                },
            )
            .map_err(|e| SeekError::Other(std::sync::Arc::new(e)))?;
        self.decoder.reset();
        self.buffer.clear();
        self.offset = 0;
        // The demuxer lands on a page boundary before the target: decode up to it.
        let frames = seeked.required_ts.saturating_sub(seeked.actual_ts);
        let channels = self.spec.channels.count() as u64;
        for _ in 0..frames * channels {
            if self.next().is_none() {
                break;
            }
        }
        Ok(())
    }
}
