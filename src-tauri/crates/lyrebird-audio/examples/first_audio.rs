//! Benchmark: time from a load command to the track's first sample taken by the device.
//!
//! `cargo run --release -p lyrebird-audio --example first_audio -- FILE [RUNS]`
//!
//! Measures, on the audio thread that the app uses, the time from sending `Load` to
//! - `Started`: file opened, probed, decoder built, source handed to the device mixer;
//! - `Audible`: the device callback took the track's first sample (what a listener hears, give
//!   or take the device's own buffer).
//!
//! The first load also opens the output device and is reported on its own.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]

use std::time::{Duration, Instant};

use lyrebird_core::AudioCommand;
use lyrebird_core::audio::{AudioEvent, AudioOutput};
use lyrebird_core::provider::Playable;

fn main() {
    let mut args = std::env::args_os().skip(1);
    let file = std::path::PathBuf::from(args.next().expect("a file to play"));
    let runs: usize = args
        .next()
        .map_or(50, |n| n.to_string_lossy().parse().expect("a count"));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (audio, thread) = lyrebird_audio::spawn(tx);
    let mut started = Vec::with_capacity(runs + 1);
    let mut audible = Vec::with_capacity(runs + 1);
    for play_id in (1..=(runs as u64 + 1)).map(lyrebird_core::PlayId) {
        let at = Instant::now();
        audio.send(AudioCommand::Load {
            play_id,
            media: Playable::File(file.clone()),
            start_ms: 0,
            paused: false,
            gain: 1.0,
        });
        loop {
            match rx.blocking_recv().expect("the audio thread runs") {
                AudioEvent::Started { play_id: id, .. } if id == play_id => {
                    started.push(at.elapsed());
                }
                AudioEvent::Audible { play_id: id } if id == play_id => {
                    audible.push(at.elapsed());
                    break;
                }
                AudioEvent::Failed { reason, .. }
                | AudioEvent::DeviceUnavailable { reason, .. } => {
                    panic!("{reason}")
                }
                _ => {}
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    audio.send(AudioCommand::Shutdown);
    thread.join().unwrap();
    println!("{}", file.display());
    report("Load → Started", &mut started);
    report("Load → first sample taken by the device", &mut audible);
}

fn report(what: &str, times: &mut Vec<Duration>) {
    let first = times.remove(0);
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: f64| ms(times[((times.len() - 1) as f64 * p).round() as usize]);
    println!(
        "  {what}: first load (opens the device) {:.2} ms; next {} loads p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        ms(first),
        times.len(),
        pct(0.5),
        pct(0.95),
        ms(*times.last().unwrap())
    );
}
