//! NetEase's word-timed lyrics (`yrc`) against random, grammar-built and mutated input, seeded
//! so a failure replays (`LYREBIRD_FUZZ_SEED`, `LYREBIRD_FUZZ_CASES`, as `lrc_fuzz.rs`). Every
//! input must parse without panicking into bounded, sorted lyrics; attaching a translation and
//! building the UI's view of them must not panic either.

use std::fmt::Write as _;
use std::time::Instant;

use lyrebird_library::lyrics::{Lyrics, parse_lrc, parse_yrc};

/// The parser's limits (see `lyrics/yrc.rs`): input cap, words kept per line.
const MAX_INPUT: usize = 1 << 20;
const MAX_WORDS_PER_LINE: usize = 512;

const FRAGMENTS: &[&str] = &[
    "[0,1000]",
    "[16210,3460]",
    "[99999999999999999999999,1]",
    "[18446744073709551615,18446744073709551615]",
    "[-1,5]",
    "[ 1 , 2 ]",
    "[1,]",
    "[,1]",
    "[1]",
    "[00:01.00]",
    "(0,100,0)",
    "(16210,670,0)",
    "(99999999999999999999999,1,0)",
    "(1,2)",
    "(1,2,3,4)",
    "(a,b,c)",
    "(1,2,3",
    "(",
    ")",
    ",",
    "[",
    "]",
    "{\"t\":0,\"c\":[{\"tx\":\"作词: \"}]}",
    "{",
    "\n",
    "\r\n",
    "\r",
    "\u{feff}",
    " ",
    "word",
    "还没",
    "🎵",
    "\u{0}",
    "\u{202e}",
    "<script>",
];

fn grammar_input(rng: &mut fastrand::Rng) -> String {
    let mut out = String::new();
    for _ in 0..rng.usize(0..12) {
        if rng.u8(..4) > 0 {
            let _ = write!(out, "[{},{}]", rng.u32(..400_000), rng.u32(..10_000));
        }
        let words = if rng.u8(..16) == 0 {
            rng.usize(0..1_200)
        } else {
            rng.usize(0..8)
        };
        for _ in 0..words {
            match rng.u8(..6) {
                0 => out.push_str(rng.choice(FRAGMENTS).unwrap()),
                1 => out.push(char::from_u32(rng.u32(..0x11_0000)).unwrap_or('?')),
                _ => {
                    let _ = write!(
                        out,
                        "({},{},0){}",
                        rng.u32(..400_000),
                        rng.u32(..5_000),
                        rng.choice(["a", "b ", " ", "字", ""]).unwrap()
                    );
                }
            }
        }
        out.push_str(if rng.bool() { "\n" } else { "\r\n" });
    }
    out
}

fn random_text(rng: &mut fastrand::Rng) -> String {
    const HOT: &[u8] = b"[](),0123456789\r\n {}";
    let bytes: Vec<u8> = (0..rng.usize(0..256))
        .map(|_| {
            if rng.bool() {
                *rng.choice(HOT).unwrap()
            } else {
                rng.u8(..)
            }
        })
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn mutate(rng: &mut fastrand::Rng, input: &mut String) {
    for _ in 0..rng.usize(1..6) {
        // Work on chars so the text stays a string.
        let mut chars: Vec<char> = input.chars().collect();
        let at = rng.usize(0..=chars.len());
        match rng.u8(..4) {
            0 if !chars.is_empty() => {
                let end = rng.usize(at.min(chars.len() - 1)..chars.len());
                chars.drain(at.min(end)..end);
            }
            1 if !chars.is_empty() => {
                let start = rng.usize(0..chars.len());
                let end = rng.usize(start..=chars.len().min(start + 64));
                let piece = chars[start..end].to_vec();
                chars.splice(at..at, piece);
            }
            _ => {
                let piece = rng.choice(FRAGMENTS).unwrap();
                chars.splice(at..at, piece.chars());
            }
        }
        *input = chars.into_iter().collect();
    }
}

fn check(input_len: usize, lyrics: &Lyrics, what: &dyn Fn() -> String) {
    let bounded = input_len.min(MAX_INPUT);
    // A line needs at least `[0,0]` (5 bytes); a word `(0,0,0)` (7).
    assert!(lyrics.lines.len() <= bounded / 5 + 1, "lines: {}", what());
    let text: usize = lyrics.lines.iter().map(|l| l.text.len()).sum();
    assert!(text <= bounded, "text: {}", what());
    for line in &lyrics.lines {
        assert!(line.words.len() <= MAX_WORDS_PER_LINE, "words: {}", what());
        assert_eq!(line.text.trim(), line.text, "untrimmed: {}", what());
        assert!(
            line.words
                .iter()
                .all(|w| !w.text.trim().is_empty() && w.dur_ms.is_some())
        );
        let words: usize = line.words.iter().map(|w| w.text.len()).sum();
        assert!(words <= bounded, "word text: {}", what());
    }
    assert!(!lyrics.unsynced);
    assert!(
        lyrics.lines.windows(2).all(|w| w[0].at_ms <= w[1].at_ms),
        "unsorted: {}",
        what()
    );
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn random_yrc_never_panics_and_stays_bounded() {
    let seed = env_number("LYREBIRD_FUZZ_SEED", 0x5952_4300);
    let cases = env_number("LYREBIRD_FUZZ_CASES", 50_000);
    let mut rng = fastrand::Rng::with_seed(seed);
    let started = Instant::now();
    let mut corpus: Vec<String> = Vec::new();
    for case in 0..cases {
        let mut input = match rng.u8(..4) {
            0 => random_text(&mut rng),
            1 if !corpus.is_empty() => {
                let mut base = rng.choice(&corpus).unwrap().clone();
                mutate(&mut rng, &mut base);
                base
            }
            _ => grammar_input(&mut rng),
        };
        if rng.u8(..8) == 0 {
            mutate(&mut rng, &mut input);
        }
        let what = || format!("seed {seed}, case {case}, input {input:?}");
        let mut lyrics = parse_yrc(&input);
        check(input.len(), &lyrics, &what);
        // The same text as a translation (as LRC) and as words: attaching and the view hold.
        lyrics.attach_translation(&parse_lrc(&input));
        lyrics.attach_romanization(&lyrics.clone());
        let lines = lyrics.lines.len();
        let view = lyrics.into_view();
        assert_eq!(view.lines.len(), lines, "{}", what());
        if corpus.len() < 512 {
            corpus.push(input);
        } else if rng.u8(..16) == 0 {
            let slot = rng.usize(..corpus.len());
            corpus[slot] = input;
        }
    }
    eprintln!("{cases} yrc inputs in {:?}", started.elapsed());
}

#[test]
fn huge_yrc_inputs_stay_linear_and_bounded() {
    let ten_mb = 10 << 20;
    for unit in [
        "(",
        "(0,0,0)a",
        "(0,0,0) ",
        "[0,0]",
        "(1,2",
        "(99999999999999999999",
    ] {
        let text = format!("[0,1]{}", unit.repeat(ten_mb / unit.len()));
        let started = Instant::now();
        let lyrics = parse_yrc(&text);
        check(text.len(), &lyrics, &|| format!("10 MB of {unit:?}"));
        assert!(
            started.elapsed().as_secs() < 5,
            "{unit:?} took {:?}",
            started.elapsed()
        );
    }
    // Ten million blank lines.
    assert!(parse_yrc(&"\n".repeat(ten_mb)).lines.is_empty());
    // A multi-byte character straddling the cap is cut before it.
    let mut text = format!("[0,1]{}", "a".repeat(MAX_INPUT - 6));
    text.push('好');
    assert_eq!(parse_yrc(&text).lines[0].text.len(), MAX_INPUT - 6);
}
