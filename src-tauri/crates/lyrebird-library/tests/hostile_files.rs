//! Hostile files: every mutation of the seed files in `tests/hostile/seeds/` (one in each
//! format Lyrebird plays; see `hostile/mutate.rs` for what is done to them) goes through the
//! real scan path (the tag reader the index uses, the embedded cover and its thumbnail, the
//! lyrics lookup) and the real decode path (`lyrebird_audio::play_through`: the decoder the
//! audio thread opens, read through its panic guard, from the start and after a seek).
//!
//! A child process (this test binary again, `LYREBIRD_HOSTILE_CHILD` naming the first case)
//! runs the cases in order under a 3 GiB address-space limit, saying on stdout which case it
//! starts and how it ended. The parent is the watchdog: a case that takes longer than
//! [`WATCHDOG`] is a hang, a child that dies mid-case (an abort, a failed allocation, a stack
//! overflow) is a crash; either way the case is named, and a new child goes on with the next.
//! The test fails on any hang, crash, file that "plays" without a single sample (the player
//! would skip it without a word instead of saying it cannot be played), or empty file the scan
//! lists without its problem. Panics caught inside (the scan's and the decoder's guards turn
//! them into the file's problem or the track's failure) are printed and counted.
#![cfg(unix)]

#[path = "hostile/mutate.rs"]
mod mutate;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use lyrebird_core::model::SourceKind;
use mutate::Case;

const CHILD: &str = "LYREBIRD_HOSTILE_CHILD";
const TEST: &str = "mutated_files_neither_crash_nor_hang_and_fail_with_an_error";
/// Longer than any case takes (a few ms each; the slowest well under a second in debug on a
/// busy machine), short enough that a hang fails fast.
const WATCHDOG: Duration = Duration::from_secs(5);
/// The child's address space: a length field believed and allocated fails here (as an abort
/// the parent reports) instead of swapping the machine.
const MEMORY_LIMIT_KIB: u64 = 3 << 20;

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/seeds")
}

fn all_cases() -> Vec<Case> {
    mutate::seeds(&seeds_dir())
        .iter()
        .flat_map(|(name, bytes)| mutate::cases(name, bytes))
        .collect()
}

/// How one case ended, as the child reports it.
#[derive(Debug, Default)]
struct Outcome {
    tags_read: bool,
    tag_panic: bool,
    decoded: Option<u64>,
    decode_error: Option<String>,
}

/// Everything the app does with a file it finds or plays.
fn run_case(dir: &Path, case: &Case, step: &mut dyn FnMut(&str)) -> Outcome {
    let ext = case.seed.rsplit('.').next().unwrap();
    let path = dir.join(format!("case.{ext}"));
    std::fs::write(&path, &case.bytes).unwrap();
    let mut outcome = Outcome::default();

    // The scan: what the index stores, then what the UI asks for later.
    step("reading its tags");
    let read = lyrebird_library::read_track_checked(&path, SourceKind::Local);
    outcome.tags_read = read.problem.is_none();
    outcome.tag_panic = read
        .problem
        .as_deref()
        .is_some_and(|p| p.contains("failed on this file"));
    step("reading its cover");
    if let Some(cover) = lyrebird_library::read_cover(&path) {
        let _ = lyrebird_library::thumbnail::thumbnail(&cover, 4);
    }
    step("reading its lyrics");
    let _ = lyrebird_library::lyrics::lyrics_for(&path);
    step("playing it");

    // Playback, from the start, then from a seek.
    match lyrebird_audio::play_through(&path, None) {
        Ok(samples) => outcome.decoded = Some(samples),
        Err(e) => outcome.decode_error = Some(e),
    }
    step("playing it from 60 ms");
    let _ = lyrebird_audio::play_through(&path, Some(Duration::from_millis(60)));
    outcome
}

/// The child: run the cases from `first` on, saying which one starts and how it ended.
fn child(first: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut out = std::io::stdout().lock();
    for (index, case) in all_cases().iter().enumerate().skip(first) {
        writeln!(out, "@hostile start {index}").unwrap();
        out.flush().unwrap();
        let o = run_case(dir.path(), case, &mut |step| {
            writeln!(out, "@hostile step {step}").unwrap();
            out.flush().unwrap();
        });
        let verdict = match (&o.decoded, &o.decode_error) {
            (Some(0), _) => "silent".to_owned(),
            (Some(n), _) => format!("played {n}"),
            (None, Some(e)) if e.contains("decoder crashed") => format!("decoder-panic {e}"),
            (None, Some(e)) => format!("refused {e}"),
            (None, None) => unreachable!(),
        };
        let tags = match (o.tags_read, o.tag_panic) {
            // An empty file has no tags to read: the scan must list it with its problem.
            (true, _) if case.bytes.is_empty() => "empty-file-read",
            (true, _) => "tags",
            (false, true) => "tag-panic",
            (false, false) => "no-tags",
        };
        writeln!(
            out,
            "@hostile end {index} {tags} {}",
            verdict.replace('\n', " ")
        )
        .unwrap();
        out.flush().unwrap();
    }
    writeln!(out, "@hostile finished").unwrap();
}

#[test]
fn mutated_files_neither_crash_nor_hang_and_fail_with_an_error() {
    if let Some(dir) = std::env::var_os("LYREBIRD_HOSTILE_DUMP") {
        // Write every case out (`<seed>-<number>.<ext>`), to try with other tools.
        for case in all_cases() {
            let (stem, ext) = case.seed.rsplit_once('.').unwrap();
            let name = format!("{stem}-{}.{ext}", case.number);
            std::fs::write(Path::new(&dir).join(name), &case.bytes).unwrap();
        }
        return;
    }
    if let Some(first) = std::env::var_os(CHILD) {
        child(first.to_string_lossy().parse().unwrap());
        return;
    }
    let started = Instant::now();
    let cases = all_cases();
    assert!(cases.len() >= 1000, "only {} cases", cases.len());
    let mut failures = Vec::new();
    let mut tally = std::collections::BTreeMap::<String, usize>::new();
    let mut next = 0;
    while next < cases.len() {
        let (ended_at, trouble) = run_child(next, &mut |index, line| {
            let mut words = line.split_whitespace();
            let tags = words.next().unwrap_or_default();
            let verdict = words.next().unwrap_or_default();
            *tally.entry(format!("scan: {tags}")).or_default() += 1;
            *tally.entry(format!("decode: {verdict}")).or_default() += 1;
            if tags == "empty-file-read" {
                failures.push(format!(
                    "{}: an empty file scans without a problem",
                    cases[index]
                ));
            }
            if verdict == "silent" {
                failures.push(format!(
                    "{}: opens as audio but has no samples (it would be skipped silently \
                     instead of reported)",
                    cases[index]
                ));
            }
            if tags == "tag-panic" || verdict == "decoder-panic" {
                eprintln!("contained panic: {}: {line}", cases[index]);
            }
        });
        match trouble {
            None => break,
            Some(trouble) => {
                failures.push(format!("{}: {trouble}", cases[ended_at]));
                next = ended_at + 1;
            }
        }
    }
    eprintln!(
        "{} mutations of {} seeds in {:.1} s: {tally:#?}",
        cases.len(),
        mutate::seeds(&seeds_dir()).len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Run a child from case `first` until it finishes (`None`) or a case hangs or kills it
/// (that case's index and what happened). `ended` gets each finished case's report.
fn run_child(first: usize, ended: &mut dyn FnMut(usize, &str)) -> (usize, Option<String>) {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(exe)
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD, first.to_string())
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let mut current = first;
    let mut step = String::new();
    let trouble = loop {
        match lines.recv_timeout(WATCHDOG) {
            Ok(line) => {
                // libtest's "test … ... " may share a line.
                let Some((_, said)) = line.split_once("@hostile ") else {
                    continue;
                };
                if let Some(what) = said.strip_prefix("step ") {
                    what.clone_into(&mut step);
                } else if let Some(n) = said.strip_prefix("start ") {
                    current = n.trim().parse().unwrap();
                } else if let Some(rest) = said.strip_prefix("end ") {
                    let (n, report) = rest.split_once(' ').unwrap();
                    ended(n.parse().unwrap(), report);
                } else if said == "finished" {
                    break None;
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                child.kill().unwrap();
                break Some(format!("hangs {step} (no answer in {WATCHDOG:?})"));
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = child.wait().unwrap();
                let said = errors.join().unwrap();
                let said: Vec<_> = said.lines().filter(|l| !l.trim().is_empty()).collect();
                break Some(format!(
                    "crashes the process {step} ({status}): {}",
                    said[said.len().saturating_sub(3)..].join(" / ")
                ));
            }
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    let _ = reader.join();
    (current, trouble)
}

/// The seeds themselves are read and played whole: the corpus starts from files that reach
/// every parser, not from ones refused at the first byte.
#[test]
fn every_seed_scans_with_its_tags_and_plays() {
    let seeds = mutate::seeds(&seeds_dir());
    let formats: Vec<_> = seeds.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        formats,
        [
            "seed-alac.m4a",
            "seed.aac",
            "seed.flac",
            "seed.m4a",
            "seed.mp3",
            "seed.ogg",
            "seed.opus",
            "seed.wav"
        ]
    );
    for (name, _) in &seeds {
        let path = seeds_dir().join(name);
        let read = lyrebird_library::read_track_checked(&path, SourceKind::Local);
        assert_eq!(read.problem, None, "{name}");
        if name != "seed.aac" {
            assert_eq!(read.track.title, "Seed Title", "{name}");
            assert_eq!(read.track.artists, ["Seed Artist"], "{name}");
        }
        let samples = lyrebird_audio::play_through(&path, None).unwrap();
        // Opus decodes at 48 kHz whatever rate its header says the input had.
        let rate = if name == "seed.opus" {
            48_000
        } else {
            u64::from(read.track.sample_rate.unwrap())
        };
        let channels = u64::from(read.track.channels.unwrap());
        // 0.15 s, give or take a codec's priming and padding.
        let seconds = f64::from(u32::try_from(samples).unwrap())
            / f64::from(u32::try_from(rate * channels).unwrap());
        assert!((0.1..0.25).contains(&seconds), "{name}: {seconds} s");
    }
    for name in ["seed.flac", "seed.mp3", "seed.m4a"] {
        let cover = lyrebird_library::read_cover(&seeds_dir().join(name));
        assert_eq!(cover.unwrap().mime_type, "image/png", "{name}");
    }
}

/// What the corpus found, case by case, run in this process: each fails (or aborts the test
/// binary) without its fix in `lyrebird-audio` (`gate.rs`, `decode.rs`).
#[test]
#[allow(clippy::too_many_lines)] // a table of cases
fn what_the_corpus_found_stays_fixed() {
    let cases = all_cases();
    let dir = tempfile::tempdir().unwrap();
    // "… (2nd)": the second case of that name (the ALAC sample entry and its configuration box
    // are both `alac`).
    let play = |seed: &str, what: &str| {
        let (name, nth) = what
            .strip_suffix(" (2nd)")
            .map_or((what, 0), |name| (name, 1));
        let case = cases
            .iter()
            .filter(|c| c.seed == seed && c.what == name)
            .nth(nth)
            .unwrap_or_else(|| panic!("no case {seed}: {what}"));
        let path = dir
            .path()
            .join(format!("case.{}", seed.rsplit('.').next().unwrap()));
        std::fs::write(&path, &case.bytes).unwrap();
        let from_start = lyrebird_audio::play_through(&path, None);
        let _ = lyrebird_audio::play_through(&path, Some(Duration::from_millis(60)));
        from_start
    };
    // Lengths symphonia 0.5 would have allocated (4 to 64 GiB: the process aborted). Tags it
    // does not need are not shown to it, so these play...
    for (seed, what) in [
        ("seed.mp3", "ID3v2 TIT2 frame size = max"),
        ("seed.mp3", "ID3v2 APIC frame size = max"),
        ("seed.flac", "FLAC picture data length = max"),
        ("seed.flac", "FLAC picture MIME length = max"),
        ("seed.flac", "first Vorbis comment length = max"),
    ] {
        let samples = play(seed, what).unwrap_or_else(|e| panic!("{seed}: {what}: {e}"));
        assert!(samples > 1000, "{seed}: {what}: {samples}");
    }
    // ...and headers it needs are checked first.
    for (seed, what, error) in [
        (
            "seed.ogg",
            "first comment length = max",
            "comment header is corrupt",
        ),
        (
            "seed.opus",
            "first comment length = max",
            "comment header is corrupt",
        ),
        (
            "seed.m4a",
            "MP4 stsc entry count = max",
            "more entries than the box holds",
        ),
        (
            "seed.m4a",
            "MP4 stts entry count = max",
            "more entries than the box holds",
        ),
        (
            "seed.m4a",
            "MP4 stco entry count = max",
            "more entries than the box holds",
        ),
        (
            "seed.m4a",
            "MP4 stsz sample count = max",
            "more entries than the box holds",
        ),
        (
            "seed.m4a",
            "MP4 stsz sample size = max",
            "a sample larger than the file",
        ),
        (
            "seed.m4a",
            "MP4 hdlr atom size = max",
            "does not fit in the box holding it",
        ),
        (
            "seed.m4a",
            "MP4 data atom size = max",
            "does not fit in the box holding it",
        ),
        (
            "seed-alac.m4a",
            "MP4 alac sample rate = max",
            "the ALAC sample entry says",
        ),
        // A seek in it never ended.
        (
            "seed-alac.m4a",
            "MP4 alac sample rate = max (2nd)",
            "the ALAC configuration says",
        ),
        // Opened, then panicked outside the guard when the audio thread asked its rate.
        (
            "seed-alac.m4a",
            "MP4 alac sample rate = 0 (2nd)",
            "ALAC configuration says 0 Hz",
        ),
        // Opened as audio without a single sample: skipped without a word.
        (
            "seed.mp3",
            "truncated to 598 bytes",
            "no audio could be decoded",
        ),
        (
            "seed.wav",
            "RIFF data chunk size = 0",
            "no audio could be decoded",
        ),
    ] {
        let e = play(seed, what).expect_err(what);
        assert!(e.contains(error), "{seed}: {what}: {e}");
    }
}
