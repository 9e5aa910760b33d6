//! LRC (synced lyrics) parsing for untrusted text, as found next to audio files or served by
//! NetEase, QQ Music and foobar2000 plug-ins.
//!
//! [`parse_lrc`] never fails and never panics: whatever it cannot read as a tag stays text (or
//! is skipped), numbers saturate instead of overflowing, and the work is linear in the input.
//! [`lyrics_beside`] finds and decodes the `.lrc` file beside an audio file; [`lyrics_for`]
//! also looks in the file's own tags (see `embedded`).

mod embedded;
mod yrc;

pub use yrc::parse_yrc;

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

/// Largest `.lrc` file [`lyrics_beside`] reads, in bytes.
const MAX_LRC_BYTES: u64 = 1 << 20;
/// The same limit as a `usize`, to compare with what was read.
const MAX_LRC_LEN: usize = 1 << 20;
/// Timestamps in front of one line beyond this many are dropped, so a hostile file cannot make
/// one long line into millions of copies.
const MAX_STAMPS_PER_LINE: usize = 64;
/// Longest metadata tag name (`[offset:…]` is the longest we know).
const MAX_TAG_NAME: usize = 32;

/// One lyric line at a time position.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// When the line starts, in milliseconds, as written (without the file's offset).
    pub at_ms: u64,
    /// The line without its time tags, trimmed. Empty for an intentional pause.
    pub text: String,
    /// A second line with the same timestamp (NetEase's merged translation format), or the
    /// line of a separate translation ([`Lyrics::attach_translation`]).
    pub translation: Option<String>,
    /// The line in Latin letters (NetEase's `romalrc`, [`Lyrics::attach_romanization`]).
    pub romanization: Option<String>,
    /// Enhanced LRC word timings, empty when the line has none.
    pub words: Vec<Word>,
}

/// A word's timing: enhanced LRC's `<mm:ss.xx>word`, or NetEase's `yrc` `(start,duration,0)word`.
///
/// `text` is kept as written (spaces included), so the words of a line laid side by side give
/// its timed part back. Words with nothing but white space are dropped (in `yrc`, added to the
/// word before).
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    pub at_ms: u64,
    /// How long the word is sung (`yrc` says; enhanced LRC does not).
    pub dur_ms: Option<u64>,
    pub text: String,
}

/// Parsed lyrics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lyrics {
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    /// `[offset:]` in milliseconds: positive shows the lyrics earlier.
    pub offset_ms: i64,
    /// Sorted by `at_ms`, each time at most once.
    pub lines: Vec<Line>,
    /// True when no line had a timestamp: plain unsynced lyrics (every line at 0 ms). False for
    /// lyrics without any line.
    pub unsynced: bool,
}

impl Lyrics {
    /// Index of the line playing at `position_ms` (offset applied), None before the first line.
    ///
    /// Always `None` for unsynced lyrics: no line is playing at any particular time.
    #[must_use]
    pub fn line_at(&self, position_ms: u64) -> Option<usize> {
        if self.unsynced {
            return None;
        }
        // A positive offset shows lines earlier: the lyrics clock runs ahead of the player's.
        let clock = i128::from(position_ms) + i128::from(self.offset_ms);
        if clock < 0 {
            return None;
        }
        let clock = u64::try_from(clock).unwrap_or(u64::MAX);
        self.lines
            .partition_point(|line| line.at_ms <= clock)
            .checked_sub(1)
    }
}

/// How far (ms) a translation's or romanisation's line may be from the line it belongs to.
const ATTACH_WINDOW_MS: u64 = 1_000;
/// How long the last timed word of the last line lasts when nothing says (enhanced LRC).
const LAST_WORD_MS: u64 = 1_000;

impl Lyrics {
    /// Put each line of `translation` (separate lyrics timed like these, e.g. NetEase's
    /// `tlyric`) under the line nearest in time, within a second, unless it has one already.
    pub fn attach_translation(&mut self, translation: &Lyrics) {
        self.attach(translation, |line| &mut line.translation);
    }

    /// As [`Lyrics::attach_translation`], for a romanisation (NetEase's `romalrc`).
    pub fn attach_romanization(&mut self, romanization: &Lyrics) {
        self.attach(romanization, |line| &mut line.romanization);
    }

    fn attach(&mut self, other: &Lyrics, slot: impl Fn(&mut Line) -> &mut Option<String>) {
        if self.unsynced || other.unsynced || self.lines.is_empty() {
            return;
        }
        let own = self.offset_ms.saturating_neg();
        let theirs = other.offset_ms.saturating_neg();
        for line in other.lines.iter().filter(|l| !l.text.is_empty()) {
            let at = line.at_ms.saturating_add_signed(theirs);
            let i = self
                .lines
                .partition_point(|l| l.at_ms.saturating_add_signed(own) < at);
            let nearest = [i.checked_sub(1), Some(i)]
                .into_iter()
                .flatten()
                .filter(|&j| j < self.lines.len())
                .min_by_key(|&j| self.lines[j].at_ms.saturating_add_signed(own).abs_diff(at));
            if let Some(j) = nearest
                && self.lines[j].at_ms.saturating_add_signed(own).abs_diff(at) <= ATTACH_WINDOW_MS
            {
                let slot = slot(&mut self.lines[j]);
                if slot.is_none() {
                    *slot = Some(line.text.clone());
                }
            }
        }
    }

    /// What the UI shows: the lines with the offset applied (a positive offset shows them
    /// earlier) and every word's duration (until the next word, or the next line, when the
    /// lyrics do not say).
    #[must_use]
    pub fn into_view(self) -> lyrebird_core::events::LyricsView {
        use lyrebird_core::events::{LyricLine, LyricWord, LyricsView};
        let shift = self.offset_ms.saturating_neg();
        let next_starts: Vec<Option<u64>> = self
            .lines
            .iter()
            .skip(1)
            .map(|l| Some(l.at_ms))
            .chain(std::iter::once(None))
            .collect();
        let lines = self
            .lines
            .into_iter()
            .zip(next_starts)
            .map(|(line, next_line)| {
                let ends: Vec<Option<u64>> = line
                    .words
                    .iter()
                    .skip(1)
                    .map(|w| Some(w.at_ms))
                    .chain(std::iter::once(next_line))
                    .collect();
                let words = line
                    .words
                    .into_iter()
                    .zip(ends)
                    .map(|(word, end)| LyricWord {
                        at_ms: word.at_ms.saturating_add_signed(shift),
                        dur_ms: word.dur_ms.unwrap_or_else(|| {
                            end.map_or(LAST_WORD_MS, |end| end.saturating_sub(word.at_ms))
                        }),
                        text: word.text,
                    })
                    .collect();
                LyricLine {
                    at_ms: line.at_ms.saturating_add_signed(shift),
                    text: line.text,
                    translation: line.translation,
                    romanization: line.romanization,
                    words,
                }
            })
            .collect();
        LyricsView {
            synced: !self.unsynced,
            lines,
        }
    }
}

/// Parse LRC text. Anything goes: unreadable tags stay text, lines without a timestamp are
/// skipped in synced lyrics, and a text with no timestamp at all gives unsynced lyrics.
#[must_use]
pub fn parse_lrc(text: &str) -> Lyrics {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Lyrics longer than this are not lyrics; the cap keeps the output (at most 64 copies of
    // each line) bounded whatever the caller hands in.
    let text = &text[..floor_char_boundary(text, MAX_LRC_LEN)];
    let mut lyrics = Lyrics::default();
    let mut timed: Vec<Line> = Vec::new();
    let mut plain: Vec<&str> = Vec::new();
    // `\n`, `\r\n` and a lone `\r` all end a line.
    let physical = text
        .split('\n')
        .flat_map(|line| line.strip_suffix('\r').unwrap_or(line).split('\r'));
    for line in physical {
        match read_line(line, &mut lyrics) {
            Kind::Timed(stamps, rest) => {
                let (text, words) = split_words(rest);
                for at_ms in stamps {
                    timed.push(Line {
                        at_ms,
                        text: text.clone(),
                        translation: None,
                        romanization: None,
                        words: words.clone(),
                    });
                }
            }
            Kind::Meta => {}
            Kind::Text(text) => plain.push(text),
        }
    }
    if timed.is_empty() {
        lyrics.lines = unsynced_lines(&plain);
        lyrics.unsynced = !lyrics.lines.is_empty();
    } else {
        // Stable: lines with equal times keep the file's order, so the original comes first.
        timed.sort_by_key(|line| line.at_ms);
        lyrics.lines = merge_translations(timed);
    }
    lyrics
}

/// The largest index `<= at` that starts a character of `text`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    (0..=at)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}

/// Parse LRC bytes as found in a file: UTF-8 (with or without a BOM) or UTF-16 with a BOM;
/// bad sequences become U+FFFD. Like [`parse_lrc`], never fails.
#[must_use]
pub fn parse_lrc_bytes(bytes: &[u8]) -> Lyrics {
    parse_lrc(&decode(&bytes[..bytes.len().min(MAX_LRC_LEN)]))
}

/// What one physical line of an LRC file is.
enum Kind<'a> {
    /// Timestamps (at least one) and the rest of the line.
    Timed(Vec<u64>, &'a str),
    /// Only metadata tags (already applied).
    Meta,
    /// No tag: text, trimmed. Only used when the whole file has no timestamp.
    Text(&'a str),
}

fn read_line<'a>(line: &'a str, lyrics: &mut Lyrics) -> Kind<'a> {
    let mut rest = line.trim_start();
    let mut stamps = Vec::new();
    let mut meta = false;
    while let Some(inner) = rest.strip_prefix('[') {
        // A timestamp has no brackets inside: look for `]` up to the next `[`.
        if let Some(end) = inner.find([']', '['])
            && inner.as_bytes()[end] == b']'
            && let Some(ms) = parse_time(&inner[..end])
        {
            if stamps.len() < MAX_STAMPS_PER_LINE {
                stamps.push(ms);
            }
            rest = inner[end + 1..].trim_start();
            continue;
        }
        if stamps.is_empty()
            && let Some((name, value, after)) = split_tag(inner)
        {
            apply_tag(lyrics, name, value);
            meta = true;
            rest = after.trim_start();
            continue;
        }
        break;
    }
    if !stamps.is_empty() {
        Kind::Timed(stamps, rest)
    } else if meta {
        Kind::Meta
    } else {
        Kind::Text(line.trim())
    }
}

/// `name:value]rest` (the text after a `[`) as a metadata tag. The value may hold balanced
/// brackets (`[ti:Song [Live]]`); with unbalanced ones it runs to the last `]` of the line.
fn split_tag(inner: &str) -> Option<(&str, &str, &str)> {
    let name_len = inner
        .bytes()
        .take(MAX_TAG_NAME + 1)
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'#'))
        .count();
    if name_len == 0 || name_len > MAX_TAG_NAME || !inner.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    let (name, after_name) = inner.split_at(name_len);
    let body = after_name.trim_start().strip_prefix(':')?;
    let mut depth = 1_usize;
    for (i, b) in body.bytes().enumerate() {
        match b {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some((name, &body[..i], &body[i + 1..]));
                }
            }
            _ => {}
        }
    }
    let end = body.rfind(']')?;
    Some((name, &body[..end], &body[end + 1..]))
}

fn apply_tag(lyrics: &mut Lyrics, name: &str, value: &str) {
    let value = value.trim();
    if value.is_empty() {
        return;
    }
    let slot = if name.eq_ignore_ascii_case("ti") {
        &mut lyrics.title
    } else if name.eq_ignore_ascii_case("ar") {
        &mut lyrics.artist
    } else if name.eq_ignore_ascii_case("al") {
        &mut lyrics.album
    } else {
        if name.eq_ignore_ascii_case("offset")
            && lyrics.offset_ms == 0
            && let Some(offset) = parse_offset(value)
        {
            lyrics.offset_ms = offset;
        }
        return;
    };
    // The first non-empty tag wins.
    if slot.is_none() {
        *slot = Some(value.to_owned());
    }
}

/// `+500`, `-200`, `300`: milliseconds, saturating. Trailing junk (`500ms`) is ignored.
fn parse_offset(value: &str) -> Option<i64> {
    let (negative, digits) = match value.as_bytes().first() {
        Some(b'-') => (true, &value[1..]),
        Some(b'+') => (false, &value[1..]),
        _ => (false, value),
    };
    let digits = digits.trim_start();
    let len = digits.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 {
        return None;
    }
    let magnitude = i64::try_from(saturating_number(&digits[..len])).unwrap_or(i64::MAX);
    Some(if negative { -magnitude } else { magnitude })
}

/// A run of ASCII digits as a number, saturating at `u64::MAX`.
fn saturating_number(digits: &str) -> u64 {
    digits.bytes().fold(0_u64, |n, b| {
        n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    })
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// `mm:ss`, `mm:ss.x`, `mm:ss.xx`, `mm:ss.xxx` or `mm:ss:xx` (any number of minute digits,
/// saturating; digits past milliseconds ignored) in milliseconds. A negative time is 0.
fn parse_time(tag: &str) -> Option<u64> {
    let tag = tag.trim();
    let (negative, tag) = match tag.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, tag),
    };
    let (minutes, rest) = tag.split_once(':')?;
    let (seconds, fraction) = match rest.find(['.', ':']) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    if minutes.is_empty()
        || !all_digits(minutes)
        || !(1..=2).contains(&seconds.len())
        || !all_digits(seconds)
        || !all_digits(fraction)
    {
        return None;
    }
    let fraction_ms = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0, |n, b| n * 10 + u64::from(b - b'0'));
    if negative {
        return Some(0);
    }
    Some(
        saturating_number(minutes)
            .saturating_mul(60_000)
            .saturating_add(saturating_number(seconds) * 1000)
            .saturating_add(fraction_ms),
    )
}

/// The text of a line without its `<mm:ss.xx>` word tags (trimmed), and the timed words.
fn split_words(line: &str) -> (String, Vec<Word>) {
    let mut text = String::with_capacity(line.len());
    let mut words = Vec::new();
    let mut current: Option<Word> = None;
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        push_text(&mut text, &mut current, &rest[..open]);
        let inner = &rest[open + 1..];
        // Look for `>` only up to the next `<`, so a line full of `<` stays linear.
        if let Some(end) = inner.find(['<', '>'])
            && inner.as_bytes()[end] == b'>'
            && let Some(at_ms) = parse_time(&inner[..end])
        {
            words.extend(current.take().filter(|w| !w.text.trim().is_empty()));
            current = Some(Word {
                at_ms,
                dur_ms: None,
                text: String::new(),
            });
            rest = &inner[end + 1..];
        } else {
            push_text(&mut text, &mut current, "<");
            rest = inner;
        }
    }
    push_text(&mut text, &mut current, rest);
    words.extend(current.filter(|w| !w.text.trim().is_empty()));
    let trimmed = text.trim();
    if trimmed.len() != text.len() {
        text = trimmed.to_owned();
    }
    (text, words)
}

fn push_text(text: &mut String, current: &mut Option<Word>, piece: &str) {
    text.push_str(piece);
    if let Some(word) = current {
        word.text.push_str(piece);
    }
}

/// Equal times: the second line becomes the first one's translation (unless empty or the same
/// text), any further one is dropped. `lines` must be sorted by time.
fn merge_translations(lines: Vec<Line>) -> Vec<Line> {
    let mut merged: Vec<Line> = Vec::with_capacity(lines.len());
    let mut seen_second = false;
    for line in lines {
        match merged.last_mut() {
            Some(first) if first.at_ms == line.at_ms => {
                if !seen_second {
                    seen_second = true;
                    if !line.text.is_empty() && line.text != first.text {
                        first.translation = Some(line.text);
                    }
                }
            }
            _ => {
                seen_second = false;
                merged.push(line);
            }
        }
    }
    merged
}

/// Plain text lines at 0 ms: blank lines kept as single stanza breaks, none at either end.
fn unsynced_lines(plain: &[&str]) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for text in plain {
        let blank = text.is_empty();
        if blank && lines.last().is_none_or(|l| l.text.is_empty()) {
            continue;
        }
        lines.push(Line {
            at_ms: 0,
            text: (*text).to_owned(),
            translation: None,
            romanization: None,
            words: Vec::new(),
        });
    }
    if lines.last().is_some_and(|l| l.text.is_empty()) {
        lines.pop();
    }
    lines
}

/// Read lyrics for an audio file: a `.lrc` next to it (same stem; UTF-8, UTF-8 with BOM, or
/// UTF-16 with BOM; otherwise lossy), else `None`. Never panics, caps the file size at 1 MiB
/// (larger → None).
#[must_use]
pub fn lyrics_beside(audio: &Path) -> Option<Lyrics> {
    let bytes = ["lrc", "LRC"]
        .into_iter()
        .find_map(|ext| read_capped(&audio.with_extension(ext)))?;
    Some(parse_lrc(&decode(&bytes)))
}

/// The lyrics to show for an audio file, from the first source that has any:
///
/// 1. a `.lrc` file beside it ([`lyrics_beside`]);
/// 2. synced lyrics in its tags (an `ID3v2` `SYLT` frame, or a lyrics tag holding LRC text);
/// 3. plain lyrics in its tags (`USLT`, Vorbis `LYRICS` / `UNSYNCEDLYRICS`, MP4 `©lyr`).
///
/// Blocking (reads files); never panics.
#[must_use]
pub fn lyrics_for(audio: &Path) -> Option<Lyrics> {
    lyrics_beside(audio)
        .filter(|lyrics| !lyrics.lines.is_empty())
        .or_else(|| embedded::read(audio).best())
}

fn read_capped(path: &Path) -> Option<Vec<u8>> {
    // Check before opening: opening a FIFO (or a device) could block or never end.
    let meta = fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_LRC_BYTES {
        return None;
    }
    let mut bytes = Vec::new();
    File::open(path)
        .ok()?
        .take(MAX_LRC_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    // The file may have grown since the check.
    (bytes.len() <= MAX_LRC_LEN).then_some(bytes)
}

/// Text from a UTF-8 or UTF-16 file with a BOM, or UTF-8 without one; bad sequences become
/// U+FFFD.
fn decode(bytes: &[u8]) -> String {
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}
