//! Benchmark: the library index at scale.
//!
//! `cargo run --release -p lyrebird-library --example index_bench -- [TRACKS] [DIR]`
//!
//! Writes TRACKS (default 100 000) small tagged MP3 files with distinct titles, artists and
//! albums (English words and Chinese characters, seeded) under DIR (default: a temporary
//! folder), then measures: the first scan into a new index (and the checkpoint the app runs
//! once idle after it), a rescan with nothing changed, and search latency over 2 000 queries
//! typed the way people type (1–6 leading characters of a title, artist or album word).
//! Prints Markdown.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lofty::config::WriteOptions;
use lofty::id3::v2::Id3v2Tag;
use lofty::prelude::*;
use lyrebird_core::model::SourceKind;
use lyrebird_library::index::Index;

const WORDS: &[&str] = &[
    "love", "night", "summer", "river", "light", "dream", "heart", "rain", "fire", "moon", "city",
    "road", "blue", "gold", "wild", "home", "star", "ocean", "winter", "song", "dance", "shadow",
    "morning", "echo", "silver", "storm", "garden", "paper", "glass", "ghost",
];
const HANZI: &[char] = &[
    '晴', '天', '七', '里', '香', '夜', '曲', '青', '花', '瓷', '稻', '香', '告', '白', '气', '球',
    '东', '风', '破', '星', '晴', '雨', '爱', '你', '海', '阔', '空', '光', '年', '梦',
];

/// One silent MPEG-1 Layer III frame (128 kbit/s, 44.1 kHz): enough for a valid file.
fn mp3_frame() -> Vec<u8> {
    let mut frame = vec![0xFF, 0xFB, 0x90, 0x64];
    frame.resize(417, 0);
    frame
}

fn phrase(rng: &mut fastrand::Rng) -> String {
    if rng.u8(..4) == 0 {
        (0..rng.usize(2..5))
            .map(|_| HANZI[rng.usize(..HANZI.len())])
            .collect()
    } else {
        let words: Vec<&str> = (0..rng.usize(1..4))
            .map(|_| WORDS[rng.usize(..WORDS.len())])
            .collect();
        format!("{} {}", words.join(" "), rng.u32(..1000))
    }
}

fn write_library(dir: &Path, count: usize) -> Vec<String> {
    let mut rng = fastrand::Rng::with_seed(20_261_128);
    let frame = mp3_frame();
    let mut titles = Vec::with_capacity(count);
    for i in 0..count {
        let folder = dir.join(format!("{:03}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir_all(&folder).unwrap();
        }
        let path = folder.join(format!("{i:06}.mp3"));
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(&frame).unwrap();
        drop(file);
        let title = phrase(&mut rng);
        let mut tag = Id3v2Tag::new();
        tag.set_title(title.clone());
        tag.set_artist(phrase(&mut rng));
        tag.set_album(phrase(&mut rng));
        tag.save_to_path(&path, WriteOptions::default()).unwrap();
        titles.push(title);
    }
    titles
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn max_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .map_or(100_000, |n| n.parse().expect("a track count"));
    let temp = tempfile::tempdir().unwrap();
    let dir = args
        .next()
        .map_or_else(|| temp.path().join("music"), PathBuf::from);
    let roots = vec![dir.clone()];

    let started = Instant::now();
    let titles = if dir.exists() {
        Vec::new()
    } else {
        write_library(&dir, count)
    };
    eprintln!(
        "library written in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let db = temp.path().join("index.sqlite");
    let mut index = Index::open(&db).unwrap();
    let started = Instant::now();
    let first = index.sync(&roots, SourceKind::Local).unwrap();
    let first_scan = started.elapsed();
    // As the library thread does once it is idle after a scan.
    let started = Instant::now();
    index.checkpoint().unwrap();
    let checkpoint = started.elapsed();

    let started = Instant::now();
    let again = index.sync(&roots, SourceKind::Local).unwrap();
    let rescan = started.elapsed();
    assert_eq!(again.unchanged, first.seen);

    // Queries: the first 1–6 characters of a word of a random title.
    let mut rng = fastrand::Rng::with_seed(7);
    let tracks = index.tracks().unwrap();
    let mut times = Vec::with_capacity(2_000);
    let mut hits = 0usize;
    for _ in 0..2_000 {
        let title = &tracks[rng.usize(..tracks.len())].title;
        let words: Vec<&str> = title.split(' ').collect();
        let word = words[rng.usize(..words.len())];
        let take = rng.usize(1..=6).min(word.chars().count());
        let query: String = word.chars().take(take).collect();
        let at = Instant::now();
        hits += index.search(&query, 100).unwrap().len();
        times.push(at.elapsed());
    }
    times.sort();
    let size = std::fs::metadata(&db).map_or(0, |m| m.len())
        + std::fs::metadata(db.with_extension("sqlite-wal")).map_or(0, |m| m.len());

    println!(
        "| {} tracks ({} titles written) | |",
        first.seen,
        titles.len()
    );
    println!("|---|---:|");
    println!(
        "| first scan into a new index | {:.2} s ({:.0} files/s) |",
        first_scan.as_secs_f64(),
        first.seen as f64 / first_scan.as_secs_f64()
    );
    println!(
        "| then folding the log into the index file (once idle) | {:.3} s |",
        checkpoint.as_secs_f64()
    );
    println!(
        "| rescan, nothing changed | {:.3} s |",
        rescan.as_secs_f64()
    );
    println!(
        "| search, 2 000 typed prefixes: p50 / p99 / max | {:.2} / {:.2} / {:.2} ms |",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        percentile(&times, 1.0)
    );
    println!(
        "| results per query (≤ 100), mean | {:.1} |",
        hits as f64 / 2_000.0
    );
    println!(
        "| index on disk | {:.1} MiB |",
        size as f64 / (1024.0 * 1024.0)
    );
    println!("| peak memory of this process | {:.1} MiB |", max_rss_mib());
}
