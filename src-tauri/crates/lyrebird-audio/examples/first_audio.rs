//! Benchmark: time from a load command to the track playing on the device.
//!
//! `cargo run --release -p lyrebird-audio --example first_audio -- FILE [RUNS]`
//!
//! Measures, on the audio thread that the app uses, the time from sending `Load` to the
//! `Started` event (file opened, probed, decoder built, source handed to the device mixer; the
//! device pulls its first samples within one buffer period, ~50 ms at most, after that). The
//! first load also opens the output device and is reported on its own.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]

use std::time::{Duration, Instant};

use lyrebird_core::AudioCommand;
use lyrebird_core::audio::{AudioEvent, AudioOutput};

fn main() {
    let mut args = std::env::args_os().skip(1);
    let file = std::path::PathBuf::from(args.next().expect("a file to play"));
    let runs: usize = args
        .next()
        .map_or(50, |n| n.to_string_lossy().parse().expect("a count"));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (audio, thread) = lyrebird_audio::spawn(tx);
    let mut times = Vec::with_capacity(runs + 1);
    for play_id in 1..=(runs as u64 + 1) {
        let at = Instant::now();
        audio.send(AudioCommand::Load {
            play_id,
            path: file.clone(),
            start_ms: 0,
            paused: false,
            gain: 1.0,
        });
        loop {
            match rx.blocking_recv().expect("the audio thread runs") {
                AudioEvent::Started { play_id: id, .. } if id == play_id => break,
                AudioEvent::Failed { reason, .. }
                | AudioEvent::DeviceUnavailable { reason, .. } => {
                    panic!("{reason}")
                }
                _ => {}
            }
        }
        times.push(at.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    audio.send(AudioCommand::Shutdown);
    thread.join().unwrap();
    let first = times.remove(0);
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: f64| ms(times[((times.len() - 1) as f64 * p).round() as usize]);
    println!(
        "{}: first load (opens the device) {:.2} ms",
        file.display(),
        ms(first)
    );
    println!(
        "next {} loads: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        times.len(),
        pct(0.5),
        pct(0.95),
        ms(*times.last().unwrap())
    );
}
