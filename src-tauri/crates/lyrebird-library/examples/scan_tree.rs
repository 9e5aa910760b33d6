//! Benchmark: a full scan of an existing tree of audio files, for `tests/bench/scan.sh`.
//!
//! `cargo run --release -p lyrebird-library --example scan_tree -- index DIR`: the first scan
//! of DIR into a new, empty index (walk, stat, tags, inserts, full-text rows), as the app does.
//!
//! `cargo run --release -p lyrebird-library --example scan_tree -- lofty DIR`: the baseline, a
//! bare multi-threaded lofty read of the same files (walk, then `Probe::open(..).read()` on one
//! thread per core, nothing kept).
//!
//! `… -- lofty-nocovers DIR`: the same with lofty told not to read pictures
//! (`read_cover_art(false)`), which then does not say whether a file has one.
//!
//! Prints one line: `MODE FILES SECONDS`; for `index`, then `checkpoint SECONDS`: folding the
//! write-ahead log into the index file afterwards, which the app does once the library thread
//! is idle after a scan (the scan's rows are in the index, and shown, before it).

use std::path::{Path, PathBuf};
use std::time::Instant;

use lyrebird_core::model::SourceKind;
use lyrebird_library::index::Index;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            walk(&path, out);
        } else if kind.is_file() && lyrebird_library::is_audio_file(&path) {
            out.push(path);
        }
    }
}

fn bare_lofty(dir: &Path, covers: bool) -> usize {
    let options = lofty::config::ParseOptions::new().read_cover_art(covers);
    let mut files = Vec::new();
    walk(dir, &mut files);
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .filter(|p| {
                            lofty::probe::Probe::open(p)
                                .and_then(|probe| probe.options(options).read())
                                .is_ok()
                        })
                        .count()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().expect("index or lofty");
    let dir = PathBuf::from(args.next().expect("a folder"));
    let temp = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (mut elapsed, mut checkpoint) = (None, None);
    let files = match mode.as_str() {
        "index" => {
            let mut index = Index::open(&temp.path().join("index.sqlite")).unwrap();
            let report = index.sync(&[dir], SourceKind::Local).unwrap();
            let scanned = started.elapsed();
            index.checkpoint().unwrap();
            checkpoint = started.elapsed().checked_sub(scanned);
            elapsed = Some(scanned);
            report.seen
        }
        "lofty" => bare_lofty(&dir, true),
        "lofty-nocovers" => bare_lofty(&dir, false),
        other => panic!("unknown mode {other}"),
    };
    let elapsed = elapsed.unwrap_or_else(|| started.elapsed());
    match checkpoint {
        Some(c) => println!(
            "{mode} {files} {:.3} checkpoint {:.3}",
            elapsed.as_secs_f64(),
            c.as_secs_f64()
        ),
        None => println!("{mode} {files} {:.3}", elapsed.as_secs_f64()),
    }
}
