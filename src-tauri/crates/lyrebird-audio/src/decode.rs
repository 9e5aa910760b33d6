//! Turning bytes into samples: files and HTTP streams into boxed rodio sources.
//!
//! Most formats go through rodio's symphonia decoder. Opus, which symphonia 0.5 cannot decode,
//! goes through [`crate::opus`]. Probing runs under `catch_unwind`: the bytes are untrusted.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use rodio::{Decoder, Source};

use crate::engine::error_chain;
use crate::guard::panic_message;

/// A decoded track, whatever it was read from.
pub type BoxSource = Box<dyn Source + Send>;

/// Open a local file.
pub fn open_file(path: &Path) -> Result<BoxSource, String> {
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
    match open_reader(BufReader::new(file), Some(len), &hint) {
        // An Ogg file (or a cached download, which has no extension) may hold Opus, which
        // only our Opus decoder reads.
        Err(e) if hint != "opus" && starts_with_ogg(path) => {
            let file = File::open(path).map_err(|e| e.to_string())?;
            open_reader(BufReader::new(file), Some(len), "opus").map_err(|_| e)
        }
        other => other,
    }
}

fn starts_with_ogg(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && &magic == b"OggS"
}

/// Open any seekable byte source (a file, a stream being downloaded). `hint` is a file
/// extension or empty.
pub fn open_reader<R>(mut reader: R, len: Option<u64>, hint: &str) -> Result<BoxSource, String>
where
    R: Read + Seek + Send + Sync + 'static,
{
    // Servers send Ogg Opus as `audio/ogg` (Navidrome's opus transcoding does): look inside.
    let is_opus =
        hint == "opus" || (matches!(hint, "ogg" | "oga" | "") && holds_ogg_opus(&mut reader));
    let reader = crate::gate::admit(reader, len)?;
    let len = reader.len();
    if is_opus {
        return guarded_probe(move || crate::opus::OpusSource::new(reader));
    }
    let build = move || {
        let mut builder = Decoder::builder()
            .with_data(reader)
            .with_seekable(true)
            .with_gapless(true);
        if let Some(len) = len {
            builder = builder.with_byte_len(len);
        }
        if !hint.is_empty() {
            builder = builder.with_hint(hint);
        }
        builder.build().map_err(|e| error_chain(&e))
    };
    guarded_probe(build)
}

/// Whether the stream starts with an Ogg page carrying an Opus header. Leaves it at the start.
fn holds_ogg_opus<R: Read + Seek>(reader: &mut R) -> bool {
    let mut head = [0u8; 64];
    let mut filled = 0;
    while filled < head.len() {
        match reader.read(&mut head[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    let rewound = reader.seek(std::io::SeekFrom::Start(0)).is_ok();
    rewound
        && head[..filled].starts_with(b"OggS")
        && head[..filled].windows(8).any(|w| w == b"OpusHead")
}

/// Run a decoder constructor, turning a panic into an error. The decoder must say its format
/// and give its first sample here (the audio thread asks for the format unguarded, and a file
/// that opens but has no sound would otherwise "play" in silence and be skipped without a
/// word).
fn guarded_probe<S, F>(build: F) -> Result<BoxSource, String>
where
    S: Source + Send + 'static,
    F: FnOnce() -> Result<S, String>,
{
    let build = move || {
        let mut source = build()?;
        let _ = (
            source.channels(),
            source.sample_rate(),
            source.total_duration(),
        );
        let first = source
            .next()
            .ok_or("no audio could be decoded from this file")?;
        Ok(Primed {
            first: Some(first),
            inner: source,
        })
    };
    match catch_unwind(AssertUnwindSafe(build)) {
        Ok(Ok(source)) => Ok(Box::new(source)),
        Ok(Err(e)) => Err(e),
        Err(payload) => Err(format!(
            "the decoder crashed ({})",
            panic_message(payload.as_ref())
        )),
    }
}

/// A decoder whose first sample was decoded when it was opened.
struct Primed<S> {
    first: Option<f32>,
    inner: S,
}

impl<S: Source> Iterator for Primed<S> {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        self.first.take().or_else(|| self.inner.next())
    }
}

impl<S: Source> Source for Primed<S> {
    fn current_span_len(&self) -> Option<usize> {
        let first = usize::from(self.first.is_some());
        self.inner.current_span_len().map(|n| n + first)
    }

    fn channels(&self) -> rodio::ChannelCount {
        self.inner.channels()
    }

    fn sample_rate(&self) -> rodio::SampleRate {
        self.inner.sample_rate()
    }

    fn total_duration(&self) -> Option<std::time::Duration> {
        self.inner.total_duration()
    }

    fn try_seek(&mut self, pos: std::time::Duration) -> Result<(), rodio::source::SeekError> {
        self.first = None;
        self.inner.try_seek(pos)
    }
}

/// The file extension a stream's content type stands for, as a probe hint.
#[must_use]
pub fn hint_for_content_type(content_type: Option<&str>, url: &str) -> String {
    let mime = content_type
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase());
    let from_mime = match mime.as_deref() {
        Some("audio/flac" | "audio/x-flac") => "flac",
        Some("audio/mpeg" | "audio/mp3") => "mp3",
        Some("audio/ogg" | "audio/vorbis" | "application/ogg") => "ogg",
        Some("audio/opus") => "opus",
        Some("audio/wav" | "audio/x-wav" | "audio/wave") => "wav",
        Some("audio/mp4" | "audio/aac" | "audio/x-m4a") => "m4a",
        _ => "",
    };
    if !from_mime.is_empty() {
        return from_mime.to_owned();
    }
    // Otherwise the URL path's extension, if it has one.
    let path = url.split(['?', '#']).next().unwrap_or_default();
    path.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .filter(|ext| ext.len() <= 4 && ext.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{hint_for_content_type, open_reader};

    #[test]
    fn ogg_opus_sent_as_audio_ogg_is_recognised() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.opus");
        let made = std::process::Command::new("ffmpeg")
            .args([
                "-y",
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:duration=1",
            ])
            .args(["-c:a", "libopus"])
            .arg(&file)
            .status()
            .expect("ffmpeg is installed");
        assert!(made.success());
        let bytes = std::fs::read(&file).unwrap();
        let len = Some(bytes.len() as u64);
        // The stream's content type says only "ogg", or nothing at all.
        for hint in ["ogg", ""] {
            let source = open_reader(std::io::Cursor::new(bytes.clone()), len, hint)
                .unwrap_or_else(|e| panic!("hint {hint:?}: {e}"));
            let samples = source.count();
            // One second of 48 kHz mono (the decoder's rate), give or take the codec's edges.
            assert!(
                (47_000..=49_500).contains(&samples),
                "hint {hint:?}: {samples} samples"
            );
        }
    }

    #[test]
    fn hints_come_from_the_content_type_then_the_url() {
        assert_eq!(hint_for_content_type(Some("audio/flac"), "x"), "flac");
        assert_eq!(
            hint_for_content_type(Some("audio/mpeg; charset=x"), "x"),
            "mp3"
        );
        assert_eq!(
            hint_for_content_type(Some("application/octet-stream"), "http://h/a/b.opus?x=1"),
            "opus"
        );
        assert_eq!(hint_for_content_type(None, "http://h/stream?id=1"), "");
        assert_eq!(hint_for_content_type(None, "http://h/a.b/evil<>"), "");
    }
}
