//! The cargo-fuzz targets' bodies (`src-tauri/fuzz/src/lib.rs`, outside the workspace: libFuzzer
//! needs nightly) run in a plain `cargo test`: each over its committed corpus
//! (`src-tauri/fuzz/corpus/<target>/`), then over 300 seeded mutations of every corpus file
//! (truncations, bit flips, spliced bytes). This crate depends on every crate they reach.

#[path = "../../../fuzz/src/lib.rs"]
mod targets;

use std::path::{Path, PathBuf};

/// A target's body: any bytes in, a panic on failure.
type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 5] = [
    ("lrc", targets::lrc),
    ("tags", targets::tags),
    ("m3u", targets::m3u),
    ("subsonic", targets::subsonic),
    ("netease", targets::netease),
];

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_fuzz_target_takes_its_corpus() {
    for (name, target) in TARGETS {
        let files = corpus(name);
        assert!(files.len() >= 2, "{name}: {} corpus files", files.len());
        for (path, bytes) in files {
            let run = std::panic::catch_unwind(|| target(&bytes));
            assert!(run.is_ok(), "{name} fails on {}", path.display());
        }
    }
}

#[test]
fn every_fuzz_target_takes_mutations_of_its_corpus() {
    let mut rng = fastrand::Rng::with_seed(0x6675_7a7a);
    let mut runs = 0;
    for (name, target) in TARGETS {
        for (path, seed) in corpus(name) {
            for case in 0..300 {
                let mut bytes = seed.clone();
                let what = match case % 3 {
                    0 => {
                        let cut = rng.usize(0..=bytes.len());
                        bytes.truncate(cut);
                        format!("truncated to {cut}")
                    }
                    1 => {
                        for _ in 0..rng.usize(1..8) {
                            if !bytes.is_empty() {
                                let i = rng.usize(0..bytes.len());
                                bytes[i] ^= 1 << rng.u8(0..8);
                            }
                        }
                        "bit flips".to_owned()
                    }
                    _ => {
                        let at = rng.usize(0..=bytes.len());
                        let from = rng.usize(0..=seed.len());
                        let run = rng.usize(0..=(seed.len() - from).min(64));
                        bytes.splice(at..at, seed[from..from + run].iter().copied());
                        format!("{run} bytes spliced in at {at}")
                    }
                };
                let run = std::panic::catch_unwind(|| target(&bytes));
                assert!(
                    run.is_ok(),
                    "{name} fails on case {case} of {} ({what})",
                    path.display()
                );
                runs += 1;
            }
        }
    }
    assert!(runs > 5000, "{runs}");
}
