//! NetEase's word-timed lyrics (`yrc`, from `/api/song/lyric/v1`): untrusted text, one line per
//! sung line,
//!
//! ```text
//! {"t":0,"c":[{"tx":"作词: "},{"tx":"someone"}]}
//! [16210,3460](16210,670,0)还(16880,410,0)没 (17290,200,0)...
//! ```
//!
//! `[start,duration]` in milliseconds, then each word after `(start,duration,0)`. JSON lines are
//! credits and skipped. Like [`super::parse_lrc`], [`parse_yrc`] never fails and never panics:
//! the input is cut at 1 MiB, numbers saturate, a `(` that does not open a timing stays text, and
//! the work is linear (a timing is looked for at most [`MAX_TIMING_LEN`] bytes after its `(`).

use super::{Line, Lyrics, MAX_LRC_LEN, Word, floor_char_boundary, saturating_number};

/// The longest `(start,duration,flag)` read as a timing: three 20-digit numbers, two commas.
const MAX_TIMING_LEN: usize = 64;
/// Words kept per line; a hostile line of a million `(0,0,0)a` stays one line of text.
const MAX_WORDS_PER_LINE: usize = 512;

/// Parse `yrc` text. Lines without a readable `[start,duration]` are skipped; the result is
/// sorted by start (stable) and never `unsynced`. Empty when nothing was timed.
#[must_use]
pub fn parse_yrc(text: &str) -> Lyrics {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = &text[..floor_char_boundary(text, MAX_LRC_LEN)];
    let mut lines: Vec<Line> = text
        .split('\n')
        .flat_map(|line| line.strip_suffix('\r').unwrap_or(line).split('\r'))
        .filter_map(read_line)
        .collect();
    lines.sort_by_key(|line| line.at_ms);
    Lyrics {
        lines,
        ..Lyrics::default()
    }
}

/// One `[start,duration]…` line, or `None` (credits, blank, unreadable).
fn read_line(line: &str) -> Option<Line> {
    let rest = line.trim_start().strip_prefix('[')?;
    let end = rest.find(']')?;
    let (at_ms, _) = numbers_pair(&rest[..end])?;
    let (text, words) = split_words(&rest[end + 1..]);
    if text.is_empty() && words.is_empty() {
        // A timed blank: a pause, as in LRC.
        return Some(Line {
            at_ms,
            text: String::new(),
            translation: None,
            romanization: None,
            words: Vec::new(),
        });
    }
    Some(Line {
        at_ms,
        text,
        translation: None,
        romanization: None,
        words,
    })
}

/// `start,duration` (white space allowed around each): both numbers, saturating.
fn numbers_pair(inner: &str) -> Option<(u64, u64)> {
    let (a, b) = inner.split_once(',')?;
    Some((number(a)?, number(b)?))
}

/// ASCII digits (trimmed) as a saturating number; `None` when empty or anything else.
fn number(s: &str) -> Option<u64> {
    let s = s.trim();
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| saturating_number(s))
}

/// `(start,duration,flag)` at the start of `s` (which begins after the `(`): the timing and
/// the bytes it took, `)` included.
fn timing(s: &str) -> Option<(u64, u64, usize)> {
    let window = &s.as_bytes()[..s.len().min(MAX_TIMING_LEN)];
    let close = window.iter().position(|&b| b == b')')?;
    // Every byte before `)` is ASCII here, or the parse below fails: slicing at `close` is safe
    // because `)` is ASCII and so a character boundary.
    let inner = &s[..close];
    let mut parts = inner.split(',');
    let start = number(parts.next()?)?;
    let duration = number(parts.next()?)?;
    number(parts.next()?)?;
    if parts.next().is_some() {
        return None;
    }
    Some((start, duration, close + 1))
}

/// The line's text (trimmed) and its words. Text before the first timing belongs to no word.
fn split_words(line: &str) -> (String, Vec<Word>) {
    let mut text = String::with_capacity(line.len());
    let mut words: Vec<Word> = Vec::new();
    let mut current: Option<Word> = None;
    let mut rest = line;
    while let Some(open) = rest.find('(') {
        push_text(&mut text, &mut current, &rest[..open]);
        let inner = &rest[open + 1..];
        if let Some((at_ms, dur_ms, taken)) = timing(inner) {
            finish(&mut words, current.take());
            if words.len() < MAX_WORDS_PER_LINE {
                current = Some(Word {
                    at_ms,
                    dur_ms: Some(dur_ms),
                    text: String::new(),
                });
            }
            rest = &inner[taken..];
        } else {
            push_text(&mut text, &mut current, "(");
            rest = inner;
        }
    }
    push_text(&mut text, &mut current, rest);
    finish(&mut words, current);
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

/// Keep `word`: white space alone goes to the word before it (so words side by side keep their
/// spaces), or nowhere at the start of a line.
fn finish(words: &mut Vec<Word>, word: Option<Word>) {
    let Some(word) = word else { return };
    if word.text.trim().is_empty() {
        if let Some(last) = words.last_mut() {
            last.text.push_str(&word.text);
        }
    } else {
        words.push(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(at_ms: u64, dur_ms: u64, text: &str) -> Word {
        Word {
            at_ms,
            dur_ms: Some(dur_ms),
            text: text.into(),
        }
    }

    #[test]
    fn lines_and_words_are_read_and_credits_skipped() {
        let lyrics = parse_yrc(
            "{\"t\":0,\"c\":[{\"tx\":\"作词: \"},{\"tx\":\"x\"}]}\n\
             [16210,3460](16210,670,0)还(16880,410,0)没\r\n\
             [1000,2000](1000,500,0)Hello(1500,0,0) (1500,500,0)(world)\n",
        );
        assert_eq!(lyrics.lines.len(), 2);
        assert!(!lyrics.unsynced);
        let first = &lyrics.lines[0];
        assert_eq!(first.at_ms, 1000);
        assert_eq!(first.text, "Hello (world)");
        assert_eq!(
            first.words,
            [word(1000, 500, "Hello "), word(1500, 500, "(world)")]
        );
        assert_eq!(lyrics.lines[1].text, "还没");
        assert_eq!(
            lyrics.lines[1].words,
            [word(16_210, 670, "还"), word(16_880, 410, "没")]
        );
    }

    #[test]
    fn garbage_stays_text_and_numbers_saturate() {
        let lyrics = parse_yrc(
            "[99999999999999999999999,1](99999999999999999999999,5,0)big\n\
             [5,5](1,2)x(a,b,c)y(((\n[x,1]skipped\n[1]skipped\nno tag\n",
        );
        assert_eq!(lyrics.lines.len(), 2);
        assert_eq!(lyrics.lines[0].text, "(1,2)x(a,b,c)y(((");
        assert!(lyrics.lines[0].words.is_empty());
        assert_eq!(lyrics.lines[1].at_ms, u64::MAX);
        assert_eq!(lyrics.lines[1].words, [word(u64::MAX, 5, "big")]);
    }

    #[test]
    fn a_line_keeps_at_most_its_word_cap() {
        let line = format!("[0,1]{}", "(0,1,0)a".repeat(MAX_WORDS_PER_LINE * 3));
        let lyrics = parse_yrc(&line);
        assert_eq!(lyrics.lines[0].words.len(), MAX_WORDS_PER_LINE);
        assert_eq!(lyrics.lines[0].text.len(), MAX_WORDS_PER_LINE * 3);
    }
}
