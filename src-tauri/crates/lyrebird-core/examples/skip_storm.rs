//! Benchmark: actor latency under a skip storm.
//!
//! `cargo run --release -p lyrebird-core --example skip_storm [COMMANDS]`
//!
//! Sends COMMANDS (default 10 000) "next" commands as fast as a caller can, with the queue on
//! repeat-all so it never ends, and measures for each command the time from sending it to the
//! first published state event that includes its effect (each "next" loads under a fresh play
//! id, so the event's play id says which commands it covers). Coalescing means one event
//! usually covers many commands.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)] // percentiles of a few thousand samples

use std::time::{Duration, Instant};

use lyrebird_core::actor::{Action, Player, PlayerConfig};
use lyrebird_core::events::{LibraryView, PlayerEvent};
use lyrebird_core::model::{SourceKind, Track};
use lyrebird_core::queue::PlayMode;

#[tokio::main]
async fn main() {
    let commands: usize = std::env::args()
        .nth(1)
        .map_or(10_000, |n| n.parse().expect("a count"));
    let dir = tempfile::tempdir().unwrap();
    let tracks: Vec<Track> = (0..50)
        .map(|i| {
            let path = dir.path().join(format!("{i}.flac"));
            std::fs::write(&path, b"x").unwrap();
            Track::from_path(path, SourceKind::Local)
        })
        .collect();

    // The audio side takes commands and never answers: only the actor is measured.
    let (audio_tx, mut audio_rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move { while audio_rx.recv().await.is_some() {} });
    let (_audio_events, audio_events_rx) = tokio::sync::mpsc::unbounded_channel();
    let (player, mut events, actor) =
        Player::new(PlayerConfig::default(), audio_tx, audio_events_rx);
    tokio::spawn(actor);
    let first = tracks[0].id.clone();
    player
        .act(Action::SetLibrary(LibraryView {
            tracks,
            scanning: false,
        }))
        .await
        .unwrap();
    player
        .act(Action::SetPlayMode(PlayMode::RepeatAll))
        .await
        .unwrap();
    player.act(Action::PlayLibraryTrack(first)).await.unwrap();
    let base = player.snapshot().await.unwrap().state.play_id.0;
    while events.try_recv().is_ok() {}

    let listener = tokio::spawn(async move {
        let mut seen = Vec::new();
        while let Some(published) = events.recv().await {
            if let PlayerEvent::State(state) = published.event {
                seen.push((state.play_id, Instant::now()));
                if state.play_id.0 >= base + commands as u64 {
                    break;
                }
            }
        }
        (seen, events)
    });

    let started = Instant::now();
    let mut sent = Vec::with_capacity(commands);
    for _ in 0..commands {
        sent.push(Instant::now());
        player.send(Action::Next);
    }
    let (seen, mut events) = listener.await.unwrap();
    let total = started.elapsed();

    let mut latencies = Vec::with_capacity(commands);
    let mut next_event = 0;
    for (i, at) in sent.iter().enumerate() {
        let play_id = base + i as u64 + 1;
        while seen[next_event].0.0 < play_id {
            next_event += 1;
        }
        latencies.push(seen[next_event].1 - *at);
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "commands: {commands}, state events: {}, all handled in {:.1} ms",
        seen.len(),
        ms(total)
    );
    println!(
        "command → state event: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        ms(pct(0.5)),
        ms(pct(0.99)),
        ms(*latencies.last().unwrap())
    );

    // The same path one command at a time, on an idle actor.
    let mut single = Vec::with_capacity(1000);
    for _ in 0..1000 {
        let at = Instant::now();
        player.send(Action::Next);
        while let Some(published) = events.recv().await {
            if matches!(published.event, PlayerEvent::State(_)) {
                single.push(at.elapsed());
                break;
            }
        }
    }
    single.sort();
    println!(
        "one command on an idle actor → state event: p50 {:.3} ms, p99 {:.3} ms",
        ms(single[500]),
        ms(single[989])
    );
}
