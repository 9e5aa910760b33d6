//! Benchmark: from a track whose server refuses the connection to the other copy's first
//! audio (issue 16).
//!
//! `cargo run --release -p lyrebird-audio --example fallback_latency -- FILE [PLAYS]`
//!
//! The real actor and the real audio thread (streams included). Each play is a server track
//! whose stream URL points at a closed port on 127.0.0.1 (connection refused, as when the
//! server has stopped); the library holds a copy (`FILE`). Each play uses a server of its own,
//! so that every one is a real refusal, not a source already known to be down. Measured from
//! the play action to the copy's first sample taken by the device (`Audible`), against the
//! same file played directly (the copy's own first audio): the difference is what the failure
//! and the race cost. Then the same with the server already known to be down (the next track
//! of that server goes straight to the race).
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)] // percentiles of a few hundred samples

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lyrebird_core::actor::{Action, Player, PlayerConfig};
use lyrebird_core::audio::AudioEvent;
use lyrebird_core::model::{SourceKind, Track, TrackId};
use lyrebird_core::provider::{
    FindFuture, Playable, ResolveFuture, Source, SourceEntry, Sources, StreamSpec,
};
use lyrebird_stream::Streamer;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const LENGTH_MS: u64 = 240_000;

fn song(id: &str, source: SourceKind) -> Track {
    let mut track = Track::from_path(format!("/nowhere/{id}").into(), source);
    track.id = TrackId(id.into());
    track.title = "晴天".into();
    track.artists = vec!["周杰倫".into()];
    track.duration_ms = Some(LENGTH_MS);
    track.path = None;
    track
}

/// A server whose streams are refused: its URLs point at a port nothing listens on.
struct Refusing {
    url: String,
}

impl Source for Refusing {
    fn resolve(&self, _track: Track, _cancel: CancellationToken) -> ResolveFuture {
        let url = self.url.clone();
        Box::pin(async move {
            Ok(Playable::Stream(StreamSpec {
                url,
                headers: Vec::new(),
                certificate_pin: None,
                cache_key: None,
                quality: None,
            }))
        })
    }
}

/// The library: it holds the copy.
struct Library {
    copy: Track,
}

impl Source for Library {
    fn resolve(&self, track: Track, _cancel: CancellationToken) -> ResolveFuture {
        Box::pin(async move { lyrebird_core::provider::resolve_local(&track) })
    }

    fn find(&self, _wanted: Track, _cancel: CancellationToken) -> FindFuture {
        let copy = self.copy.clone();
        Box::pin(async move { Ok(vec![copy]) })
    }
}

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args_os().skip(1);
    let file = PathBuf::from(args.next().expect("a file to play"));
    let plays: usize = args
        .next()
        .map_or(30, |n| n.to_string_lossy().parse().expect("a count"));

    let mut copy = Track::from_path(file.clone(), SourceKind::Local);
    copy.title = "晴天".into();
    copy.artists = vec!["周杰倫".into()];
    copy.duration_ms = Some(LENGTH_MS);
    let mut entries = Vec::new();
    for i in 0..plays {
        let url = format!("http://127.0.0.1:{}/song{i}.flac", closed_port());
        entries.push(
            SourceEntry::new(
                format!("subsonic:s{i}"),
                SourceKind::Subsonic,
                format!("Server {i}"),
                Arc::new(Refusing { url }),
            )
            .owning_ids_starting_with(format!("subsonic:s{i}:")),
        );
    }
    entries.push(SourceEntry::new(
        "library",
        SourceKind::Local,
        "library",
        Arc::new(Library { copy: copy.clone() }),
    ));

    let streams = lyrebird_audio::StreamSupport {
        streamer: Arc::new(Streamer::new(reqwest::Client::new(), None)),
        runtime: tokio::runtime::Handle::current(),
    };
    // The audio thread's events pass through here on their way to the actor: the benchmark
    // notes when the device took each load's first sample.
    let (audio_tx, mut audio_rx) = mpsc::unbounded_channel();
    let (to_actor, actor_events) = mpsc::unbounded_channel();
    let (audible_tx, mut audible) = mpsc::unbounded_channel();
    let (audio, thread) = lyrebird_audio::spawn_with_streams(audio_tx, Some(streams));
    tokio::spawn(async move {
        while let Some(event) = audio_rx.recv().await {
            if let AudioEvent::Audible { play_id } = &event {
                let _ = audible_tx.send((*play_id, Instant::now()));
            }
            let _ = to_actor.send(event);
        }
    });
    let config = PlayerConfig {
        sources: Sources::from_entries(entries),
        ..PlayerConfig::default()
    };
    let (player, _events, actor) = Player::new(config, audio.clone(), actor_events);
    tokio::spawn(actor);

    // Time from an action to the first sample of whatever load then plays.
    let mut until_audible = async |action: Action| -> Duration {
        while audible.try_recv().is_ok() {}
        let at = Instant::now();
        player.act(action).await.unwrap();
        loop {
            let (play_id, when) = tokio::time::timeout(Duration::from_secs(10), audible.recv())
                .await
                .expect("audible within 10 s")
                .unwrap();
            if play_id == player.stats().await.unwrap().play_id {
                return when - at;
            }
        }
    };

    // Warm up: opens the device.
    until_audible(Action::PlayTracks(vec![copy.clone()])).await;
    let mut direct = Vec::new();
    let mut refused = Vec::new();
    let mut known_down = Vec::new();
    for i in 0..plays {
        tokio::time::sleep(Duration::from_millis(100)).await;
        direct.push(until_audible(Action::PlayTracks(vec![copy.clone()])).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
        let first = song(&format!("subsonic:s{i}:1"), SourceKind::Subsonic);
        refused.push(until_audible(Action::PlayTracks(vec![first])).await);
        let from = player.snapshot().await.unwrap().state.playing_from;
        assert!(from.is_some(), "the copy plays");
        tokio::time::sleep(Duration::from_millis(100)).await;
        let second = song(&format!("subsonic:s{i}:2"), SourceKind::Subsonic);
        known_down.push(until_audible(Action::PlayTracks(vec![second])).await);
    }
    player.shutdown().await.unwrap();
    drop(audio);
    let _ = thread.join();

    println!("{} plays, copy {}", plays, file.display());
    let direct_p = report(
        "the copy played directly (its own first audio)",
        &mut direct,
    );
    let refused_p = report("server refuses → the copy's first audio", &mut refused);
    let down_p = report(
        "server known down → the copy's first audio",
        &mut known_down,
    );
    println!(
        "  over the copy's own first audio: refused p50 {:.2} ms, p95 {:.2} ms; known down p50 {:.2} ms, p95 {:.2} ms",
        refused_p.0 - direct_p.0,
        refused_p.1 - direct_p.1,
        down_p.0 - direct_p.0,
        down_p.1 - direct_p.1,
    );
}

/// Print and return (p50, p95) in ms.
fn report(what: &str, times: &mut [Duration]) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: f64| ms(times[((times.len() - 1) as f64 * p).round() as usize]);
    let (p50, p95) = (pct(0.5), pct(0.95));
    println!(
        "  {what}: p50 {p50:.2} ms, p95 {p95:.2} ms, max {:.2} ms",
        ms(*times.last().unwrap())
    );
    (p50, p95)
}
