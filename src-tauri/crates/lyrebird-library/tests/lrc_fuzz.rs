//! A stable stand-in for cargo-fuzz (which needs nightly; see `fuzz/`): hundreds of thousands
//! of LRC-shaped, mutated and random inputs, seeded so that a failure replays. Every input must
//! parse without panicking into bounded, well-formed lyrics.
//!
//! Replay one seed: `LYREBIRD_FUZZ_SEED=1234 cargo test -p lyrebird-library --test lrc_fuzz`.
//! More cases: `LYREBIRD_FUZZ_CASES=5000000` (release mode recommended).

use std::time::Instant;

use lyrebird_library::lyrics::{Lyrics, parse_lrc, parse_lrc_bytes};

/// The parser's own limits (see `lyrics.rs`): input cap and timestamps kept per line.
const MAX_INPUT: usize = 1 << 20;
const MAX_STAMPS_PER_LINE: usize = 64;

/// Fragments real LRC files are made of, good and bad.
const FRAGMENTS: &[&str] = &[
    "[00:01.00]",
    "[00:01]",
    "[0:1.5]",
    "[00:02.345]",
    "[00:03:50]",
    "[99999999999999999999999:59.99]",
    "[18446744073709551615:00.00]",
    "[-00:01.00]",
    "[00:1x]",
    "[00:60.00]",
    "[:00.00]",
    "[00:]",
    "[00:00.0000000000000]",
    "[offset:+500]",
    "[offset:-500]",
    "[offset:+99999999999999999999999]",
    "[offset:-9223372036854775808]",
    "[offset: 1200ms]",
    "[offset:]",
    "[ti:Title [Live]]",
    "[ar:Artist]",
    "[al:Album",
    "[by:someone]",
    "[length: 03:20]",
    "[#:comment]",
    "[a_very_long_tag_name_that_goes_past_the_limit:x]",
    "<00:01.00>",
    "<00:01.50>word ",
    "<99999999999:00>",
    "<00:0",
    "<",
    ">",
    "[",
    "]",
    "[[",
    "]]",
    ":",
    ".",
    "\n",
    "\r\n",
    "\r",
    "\u{feff}",
    " ",
    "\t",
    "text",
    "一段歌词",
    "翻訳",
    "🎵",
    "\u{0}",
    "\u{202e}",
    "&amp;<script>",
];

/// Bytes that break UTF-8 when spliced in: lone continuation bytes, truncated sequences,
/// overlongs, surrogates, BOMs.
const BAD_BYTES: &[&[u8]] = &[
    b"\x80",
    b"\xbf",
    b"\xc0\xaf",
    b"\xe4\xb8",
    b"\xf0\x9f\x8e",
    b"\xed\xa0\x80",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\xf8\x88\x80\x80\x80",
];

fn grammar_input(rng: &mut fastrand::Rng) -> Vec<u8> {
    let mut out = Vec::new();
    let lines = rng.usize(0..12);
    for _ in 0..lines {
        // Many timestamps per line now and then.
        let stamps = if rng.u8(..) < 8 {
            rng.usize(0..200)
        } else {
            rng.usize(0..4)
        };
        for _ in 0..stamps {
            let m = rng.u32(..200);
            let s = rng.u32(..70);
            let f = rng.u32(..1000);
            match rng.u8(..4) {
                0 => out.extend(format!("[{m:02}:{s:02}.{f:02}]").bytes()),
                1 => out.extend(format!("[{m}:{s}]").bytes()),
                2 => out.extend(format!("[{m:02}:{s:02}:{f:03}]").bytes()),
                _ => out.extend(rng.choice(FRAGMENTS).unwrap().bytes()),
            }
        }
        for _ in 0..rng.usize(0..8) {
            match rng.u8(..10) {
                0 => out.extend(rng.choice(BAD_BYTES).unwrap().iter()),
                1 => out.extend(
                    format!(
                        "<{:02}:{:02}.{:02}>",
                        rng.u32(..99),
                        rng.u32(..60),
                        rng.u32(..100)
                    )
                    .bytes(),
                ),
                _ => out.extend(rng.choice(FRAGMENTS).unwrap().bytes()),
            }
        }
        out.extend(if rng.bool() { "\n" } else { "\r\n" }.bytes());
    }
    out
}

fn random_bytes(rng: &mut fastrand::Rng) -> Vec<u8> {
    // Biased to the bytes that matter to the grammar.
    const HOT: &[u8] = b"[]<>:.+-0123456789\r\n \t";
    let len = rng.usize(0..256);
    (0..len)
        .map(|_| {
            if rng.bool() {
                *rng.choice(HOT).unwrap()
            } else {
                rng.u8(..)
            }
        })
        .collect()
}

fn mutate(rng: &mut fastrand::Rng, input: &mut Vec<u8>) {
    for _ in 0..rng.usize(1..6) {
        let at = rng.usize(0..=input.len());
        match rng.u8(..5) {
            0 if !input.is_empty() => {
                let i = rng.usize(0..input.len());
                input[i] = rng.u8(..);
            }
            1 if !input.is_empty() => {
                let end = rng.usize(at.min(input.len() - 1)..input.len());
                input.drain(at.min(end)..end);
            }
            2 => {
                let piece = rng.choice(BAD_BYTES).unwrap();
                input.splice(at..at, piece.iter().copied());
            }
            3 if !input.is_empty() => {
                // Duplicate a slice (repeats timestamps, tags, lines).
                let start = rng.usize(0..input.len());
                let end = rng.usize(start..=input.len().min(start + 64));
                let piece = input[start..end].to_vec();
                input.splice(at..at, piece);
            }
            _ => {
                let piece = rng.choice(FRAGMENTS).unwrap();
                input.splice(at..at, piece.bytes());
            }
        }
    }
}

/// What every parse must give, whatever the input.
fn check(input_len: usize, lyrics: &Lyrics, what: &dyn Fn() -> String) {
    let bounded = input_len.min(MAX_INPUT);
    // Each line comes from at least one timestamp (5 bytes, `[0:0]`) or one physical line.
    assert!(
        lyrics.lines.len() <= bounded + 1,
        "too many lines: {}",
        what()
    );
    let text: usize = lyrics
        .lines
        .iter()
        .map(|l| l.text.len() + l.translation.as_ref().map_or(0, String::len))
        .sum();
    // A line's text is copied once per timestamp in front of it (64 at most); U+FFFD from
    // lossy decoding takes 3 bytes for 1.
    assert!(
        text <= 3 * bounded * (MAX_STAMPS_PER_LINE + 1) + 3,
        "output too large: {}",
        what()
    );
    let words: usize = lyrics.lines.iter().map(|l| l.words.len()).sum();
    assert!(
        words <= (bounded + 1) * MAX_STAMPS_PER_LINE,
        "too many words: {}",
        what()
    );
    if lyrics.unsynced {
        assert!(
            lyrics.lines.iter().all(|l| l.at_ms == 0),
            "unsynced with times: {}",
            what()
        );
        assert!(!lyrics.lines.is_empty());
    } else {
        assert!(
            lyrics.lines.windows(2).all(|w| w[0].at_ms < w[1].at_ms),
            "times not strictly increasing: {}",
            what()
        );
    }
    for line in &lyrics.lines {
        assert_eq!(line.text.trim(), line.text, "untrimmed: {}", what());
        if let Some(translation) = &line.translation {
            assert!(!translation.is_empty() && *translation != line.text);
        }
    }
    // `line_at` stays in range at any position.
    for position in [0, 1, 1_000, u64::MAX / 2, u64::MAX] {
        if let Some(i) = lyrics.line_at(position) {
            assert!(i < lyrics.lines.len());
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn hundreds_of_thousands_of_inputs_never_panic() {
    let seed = env_number("LYREBIRD_FUZZ_SEED", 0x4c59_5245);
    let cases = env_number("LYREBIRD_FUZZ_CASES", 200_000);
    let mut rng = fastrand::Rng::with_seed(seed);
    let started = Instant::now();
    let mut corpus: Vec<Vec<u8>> = Vec::new();
    for case in 0..cases {
        let mut input = match rng.u8(..4) {
            0 => random_bytes(&mut rng),
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
        let what = || {
            format!(
                "seed {seed}, case {case}, input {:?}",
                String::from_utf8_lossy(&input)
            )
        };
        let lyrics = parse_lrc_bytes(&input);
        check(input.len(), &lyrics, &what);
        // The same text given as a string (already decoded) parses the same way.
        if let Ok(text) = std::str::from_utf8(&input)
            && !text.starts_with('\u{feff}')
        {
            assert_eq!(parse_lrc(text), lyrics, "{}", what());
        }
        if corpus.len() < 512 {
            corpus.push(input);
        } else if rng.u8(..16) == 0 {
            let slot = rng.usize(..corpus.len());
            corpus[slot] = input;
        }
    }
    eprintln!("{cases} inputs in {:?}", started.elapsed());
}

#[test]
fn huge_inputs_stay_bounded() {
    let mut rng = fastrand::Rng::with_seed(7);
    let ten_mb = 10 << 20;
    // One 10 MB line behind 64 timestamps: the cap keeps the copies bounded.
    let mut line = "[00:01.00]".repeat(64);
    line.extend((0..ten_mb).map(|_| char::from(b'a' + rng.u8(..26))));
    let lyrics = parse_lrc(&line);
    check(line.len(), &lyrics, &|| "10 MB line".into());
    // 10 MB of timestamps on one line, and of `[` and `<` (the quadratic traps).
    for unit in ["[00:01.00]", "[", "<", "<00:01.00>", "[ti:", "]"] {
        let text = format!("[00:00.00]{}", unit.repeat(ten_mb / unit.len()));
        let started = Instant::now();
        let lyrics = parse_lrc(&text);
        check(text.len(), &lyrics, &|| format!("10 MB of {unit:?}"));
        assert!(
            started.elapsed().as_secs() < 5,
            "{unit:?} took {:?}",
            started.elapsed()
        );
    }
    // Huge numbers saturate.
    let lyrics = parse_lrc("[999999999999999999999999999:59.999]x\n[offset:-99999999999999999999]");
    assert_eq!(lyrics.lines[0].at_ms, u64::MAX);
    assert_eq!(lyrics.offset_ms, -i64::MAX);
    // Ten million lines of nothing.
    let blank = "\n".repeat(ten_mb);
    assert_eq!(parse_lrc(&blank), Lyrics::default());
    // A multi-byte character straddling the input cap is cut before it, not through it.
    let mut text = "a".repeat(MAX_INPUT - 1);
    text.push('好');
    let lyrics = parse_lrc(&text);
    assert_eq!(lyrics.lines[0].text.len(), MAX_INPUT - 1);
    // Invalid UTF-8 everywhere decodes lossily.
    let bytes: Vec<u8> = (0..=255).cycle().take(1 << 16).collect();
    check(bytes.len(), &parse_lrc_bytes(&bytes), &|| {
        "every byte".into()
    });
    // UTF-16 with a BOM, cut in the middle of a unit.
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend("[00:01.00]歌".encode_utf16().flat_map(u16::to_le_bytes));
    utf16.push(0x41);
    assert_eq!(parse_lrc_bytes(&utf16).lines[0].text, "歌");
}
