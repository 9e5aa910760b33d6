//! Lyrics embedded in an audio file's tags: `ID3v2` `USLT` (plain) and `SYLT` (synchronised),
//! Vorbis comments `LYRICS` / `UNSYNCEDLYRICS` (FLAC, Ogg Vorbis, Opus), MP4 `©lyr`, APE
//! `Lyrics`, and `TXXX` frames named like lyrics. A text that reads as LRC counts as synced
//! lyrics.
//!
//! Tags are untrusted: a tag lofty cannot read gives no lyrics, never an error or a panic.

use std::fs::File;
use std::path::Path;

use lofty::config::ParseOptions;
use lofty::file::{AudioFile, FileType, TaggedFileExt};
use lofty::id3::v2::{Frame, FrameId, Id3v2Tag, SynchronizedTextFrame, TimestampFormat};
use lofty::prelude::ItemKey;
use lofty::probe::Probe;

use super::{Line, Lyrics, MAX_LRC_LEN, parse_lrc};

/// Most `SYLT` entries taken from one frame (a hostile frame could hold millions).
const MAX_SYLT_ENTRIES: usize = 20_000;

/// What a file's tags hold, best first within each kind.
#[derive(Debug, Default)]
pub(super) struct Embedded {
    /// Timed lyrics: `SYLT` frames, and texts that read as LRC.
    pub synced: Vec<Lyrics>,
    /// Plain lyrics.
    pub plain: Vec<Lyrics>,
}

impl Embedded {
    /// The lyrics to show: the first synced ones, else the first plain ones.
    pub fn best(self) -> Option<Lyrics> {
        self.synced.into_iter().chain(self.plain).next()
    }

    fn add_text(&mut self, text: &str) {
        let lyrics = parse_lrc(text);
        if lyrics.lines.is_empty() {
            return;
        }
        if lyrics.unsynced {
            self.plain.push(lyrics);
        } else {
            self.synced.push(lyrics);
        }
    }

    fn add_id3v2(&mut self, tag: &Id3v2Tag, frame_ms: Option<f64>) {
        for frame in tag {
            match frame {
                Frame::UnsynchronizedText(uslt) => self.add_text(&uslt.content),
                // foobar2000 writes `TXXX:LYRICS` / `TXXX:UNSYNCEDLYRICS`; ffmpeg, which cannot
                // write `USLT`, writes `TXXX:USLT` or `TXXX:lyrics-eng`.
                Frame::UserText(txxx) if is_lyrics_description(&txxx.description) => {
                    self.add_text(&txxx.content);
                }
                Frame::Binary(binary) if *binary.id() == FrameId::Valid("SYLT".into()) => {
                    if let Some(lyrics) = SynchronizedTextFrame::parse(&binary.data, binary.flags())
                        .ok()
                        .and_then(|sylt| sylt_lyrics(&sylt, frame_ms))
                    {
                        self.synced.push(lyrics);
                    }
                }
                _ => {}
            }
        }
    }
}

fn is_lyrics_description(description: &str) -> bool {
    ["LYRICS", "UNSYNCEDLYRICS", "USLT"]
        .iter()
        .any(|name| description.eq_ignore_ascii_case(name))
        || description
            .get(..7)
            .is_some_and(|start| start.eq_ignore_ascii_case("lyrics-"))
}

/// Read the lyrics in `path`'s tags. Never panics; unreadable files have none.
pub(super) fn read(path: &Path) -> Embedded {
    // lofty is meant never to panic on bad input; a bug there must not take the app down.
    std::panic::catch_unwind(|| read_inner(path).unwrap_or_default()).unwrap_or_default()
}

fn read_inner(path: &Path) -> Option<Embedded> {
    let options = ParseOptions::new()
        .read_properties(false)
        .read_cover_art(false);
    let file_type = Probe::open(path)
        .ok()?
        .guess_file_type()
        .ok()?
        .file_type()?;
    let mut embedded = Embedded::default();
    let mut file = File::open(path).ok()?;
    match file_type {
        // Files that carry ID3v2: read the tag itself, as `SYLT` frames do not survive the
        // conversion to lofty's generic tag.
        FileType::Mpeg => {
            let mpeg = lofty::mpeg::MpegFile::read_from(
                &mut file,
                ParseOptions::new().read_cover_art(false),
            )
            .ok()?;
            let frame_ms = mpeg_frame_ms(mpeg.properties());
            if let Some(tag) = mpeg.id3v2() {
                embedded.add_id3v2(tag, frame_ms);
            }
            if let Some(ape) = mpeg.ape() {
                add_items(&mut embedded, &lofty::tag::Tag::from(ape.clone()));
            }
        }
        FileType::Wav => {
            let wav = lofty::iff::wav::WavFile::read_from(&mut file, options).ok()?;
            if let Some(tag) = wav.id3v2() {
                embedded.add_id3v2(tag, None);
            }
        }
        FileType::Aac => {
            let aac = lofty::aac::AacFile::read_from(&mut file, options).ok()?;
            if let Some(tag) = aac.id3v2() {
                embedded.add_id3v2(tag, None);
            }
        }
        _ => {
            let tagged = Probe::open(path).ok()?.options(options).read().ok()?;
            for tag in tagged.tags() {
                add_items(&mut embedded, tag);
            }
        }
    }
    Some(embedded)
}

/// `LYRICS` (may be LRC) first, then `UNSYNCEDLYRICS`.
fn add_items(embedded: &mut Embedded, tag: &lofty::tag::Tag) {
    for key in [ItemKey::Lyrics, ItemKey::UnsyncLyrics] {
        for text in tag.get_strings(key) {
            embedded.add_text(text);
        }
    }
}

/// How long one MPEG frame lasts, in milliseconds (for `SYLT` timed in frames).
fn mpeg_frame_ms(properties: &lofty::mpeg::MpegProperties) -> Option<f64> {
    use lofty::mpeg::{Layer, MpegVersion};
    let rate = properties.sample_rate();
    if rate == 0 {
        return None;
    }
    let samples = match (properties.layer(), properties.version()) {
        (Layer::Layer1, _) => 384.0,
        (Layer::Layer3, MpegVersion::V2 | MpegVersion::V2_5) => 576.0,
        _ => 1152.0,
    };
    Some(samples * 1000.0 / f64::from(rate))
}

/// A `SYLT` frame as timed lines (sorted, equal times merged as translations like LRC).
/// Frames timed in MPEG frames need the frame length; without it they are skipped.
fn sylt_lyrics(sylt: &SynchronizedTextFrame<'_>, frame_ms: Option<f64>) -> Option<Lyrics> {
    let scale = match sylt.timestamp_format {
        TimestampFormat::MS => 1.0,
        TimestampFormat::MPEG => frame_ms?,
    };
    let mut budget = MAX_LRC_LEN;
    let mut lines: Vec<Line> = Vec::new();
    for (at, text) in sylt.content.iter().take(MAX_SYLT_ENTRIES) {
        let Some(left) = budget.checked_sub(text.len()) else {
            break;
        };
        budget = left;
        // Some taggers put a line break at the start of each entry instead of the end.
        let text = text.trim_matches(|c: char| c == '\n' || c == '\r');
        // `as` is exact for every u32 time in ms; frames scaled and rounded stay below 2^53.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let at_ms = (f64::from(*at) * scale).round() as u64;
        lines.push(Line {
            at_ms,
            text: text.trim().to_owned(),
            translation: None,
            romanization: None,
            words: Vec::new(),
        });
    }
    if lines.is_empty() {
        return None;
    }
    lines.sort_by_key(|line| line.at_ms);
    Some(Lyrics {
        lines: super::merge_translations(lines),
        ..Lyrics::default()
    })
}
