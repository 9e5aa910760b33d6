//! Benchmark: resolve and cancellation latency of the fallback race (issue 5).
//!
//! `cargo run --release -p lyrebird-core --example race_latency [PLAYS]`
//!
//! The real actor, an audio side that only records when each `Load` reaches it, and fake
//! sources with fixed latencies: the track's own source (`NetEase`) refuses it at once; three
//! fallback sources answer after 20, 40 and 60 ms, the first (highest priority, fastest) with a
//! perfect match, so it wins at once; resolving the winner's copy answers at once. Every fifth
//! play is skipped (stopped) 10 ms in, while all three are still searching.
//!
//! - **Resolve overhead**: time from the play action to the `Load` at the audio side, minus the
//!   winner's own latency (its find, measured inside the fake from its start to its answer,
//!   and also against the nominal 20 ms).
//! - **Cancellation latency**, for losers and skipped races: time from the token's cancel to
//!   the drop of the fake's future (a watcher task awaits the token, as in
//!   `tests/seed_regression.rs`), and an upper bound that also holds the actor's share: from
//!   the event that caused the cancel (the winner's answer; the skip being sent) to the drop.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)] // percentiles of a few thousand samples

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lyrebird_core::AudioCommand;
use lyrebird_core::actor::{Action, FallbackConfig, Player, PlayerConfig};
use lyrebird_core::model::{SourceKind, Track, TrackId};
use lyrebird_core::provider::{
    FindFuture, Playable, ResolveError, ResolveFuture, Source, SourceEntry, Sources, StreamSpec,
};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

const LENGTH_MS: u64 = 240_000;
const SKIP_EVERY: usize = 5;
const SKIP_AFTER: Duration = Duration::from_millis(10);

fn track(id: &str, source: SourceKind) -> Track {
    let mut track = Track::from_path(format!("/nowhere/{id}").into(), source);
    track.id = TrackId(id.into());
    track.title = "晴天".into();
    track.artists = vec!["周杰倫".into()];
    track.duration_ms = Some(LENGTH_MS);
    track.path = None;
    track
}

/// One find that ended: which play (the wanted track's id), which source, when it started,
/// when its answer was ready (if it got that far) and when its future was dropped.
#[derive(Debug)]
struct FindEnd {
    wanted: String,
    source: &'static str,
    started: Instant,
    answered: Option<Instant>,
    dropped: Instant,
    /// Cancel → drop, seen by the watcher (`None`: not cancelled before it ended).
    cancel_to_drop: Option<Duration>,
}

#[derive(Default)]
struct Record {
    finds: Mutex<Vec<FindEnd>>,
}

/// Lives inside a find's future; dropped when the task ends, however it ends.
struct Guard {
    end: Option<oneshot::Sender<(Instant, Option<Instant>)>>,
    answered: Option<Instant>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(end) = self.end.take() {
            let _ = end.send((Instant::now(), self.answered));
        }
    }
}

struct Fake {
    name: &'static str,
    /// `None`: the track's own source, which refuses at once.
    delay: Option<Duration>,
    record: Arc<Record>,
}

impl Source for Fake {
    fn resolve(&self, track: Track, _cancel: CancellationToken) -> ResolveFuture {
        let url = format!("https://{}/{}", self.name, track.id);
        let refuse = self.delay.is_none();
        Box::pin(async move {
            if refuse {
                return Err(ResolveError::Unavailable("VIP only".into()));
            }
            Ok(Playable::Stream(StreamSpec {
                url,
                headers: Vec::new(),
                certificate_pin: None,
                cache_key: None,
                quality: None,
            }))
        })
    }

    fn find(&self, wanted: Track, cancel: CancellationToken) -> FindFuture {
        let started = Instant::now();
        let (end_tx, end_rx) = oneshot::channel();
        let record = self.record.clone();
        let source = self.name;
        let wanted_id = wanted.id.0.clone();
        // The watcher: when the token fires, note the time; when the future is dropped,
        // record the find.
        tokio::spawn(async move {
            let mut end_rx = end_rx;
            let ended = tokio::select! {
                biased;
                () = cancel.cancelled() => None,
                end = &mut end_rx => Some(end),
            };
            let (cancelled_at, end) = match ended {
                None => (Some(Instant::now()), end_rx.await),
                Some(end) => (None, end),
            };
            let Ok((dropped, answered)) = end else {
                return;
            };
            record.finds.lock().unwrap().push(FindEnd {
                wanted: wanted_id,
                source,
                started,
                answered,
                dropped,
                cancel_to_drop: cancelled_at
                    .filter(|_| answered.is_none())
                    .map(|at| dropped.saturating_duration_since(at)),
            });
        });
        let delay = self.delay.unwrap_or_default();
        let copy = track(&format!("{source}:{}", wanted.id), SourceKind::Subsonic);
        Box::pin(async move {
            let mut guard = Guard {
                end: Some(end_tx),
                answered: None,
            };
            tokio::time::sleep(delay).await;
            guard.answered = Some(Instant::now());
            Ok(vec![copy])
        })
    }
}

fn percentiles(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    if samples.is_empty() {
        println!("{label}: no samples");
        return;
    }
    let pct = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label}: n {}, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        samples.len(),
        ms(pct(0.5)),
        ms(pct(0.99)),
        ms(*samples.last().unwrap())
    );
}

/// The track's own source refuses at once; the fallbacks answer after 20, 40 and 60 ms.
fn sources(record: &Arc<Record>) -> Sources {
    let fake = |name, delay_ms: Option<u64>| -> Arc<dyn Source> {
        Arc::new(Fake {
            name,
            delay: delay_ms.map(Duration::from_millis),
            record: record.clone(),
        })
    };
    let mut entries = vec![SourceEntry::new(
        "netease",
        SourceKind::NetEase,
        "NetEase",
        fake("netease", None),
    )];
    for (name, ms) in [("a", 20), ("b", 40), ("c", 60)] {
        entries.push(SourceEntry::new(
            name,
            SourceKind::Subsonic,
            format!("Server {name}"),
            fake(name, Some(ms)),
        ));
    }
    Sources::from_entries(entries)
}

#[tokio::main]
async fn main() {
    let plays: usize = std::env::args()
        .nth(1)
        .map_or(1_250, |n| n.parse().expect("a count"));
    let record = Arc::new(Record::default());
    let config = PlayerConfig {
        sources: sources(&record),
        fallback: FallbackConfig::default(),
        ..PlayerConfig::default()
    };

    // The audio side: notes when each Load arrives, answers nothing.
    let (audio_tx, mut audio_rx) = mpsc::unbounded_channel();
    let (loads_tx, mut loads) = mpsc::unbounded_channel::<(String, Instant)>();
    tokio::spawn(async move {
        while let Some(command) = audio_rx.recv().await {
            if let AudioCommand::Load {
                media: Playable::Stream(spec),
                ..
            } = command
            {
                let _ = loads_tx.send((spec.url, Instant::now()));
            }
        }
    });
    let (_audio_events, audio_events_rx) = mpsc::unbounded_channel();
    let (player, mut events, actor) = Player::new(config, audio_tx, audio_events_rx);
    tokio::spawn(actor);
    tokio::spawn(async move { while events.recv().await.is_some() {} });

    let mut to_load = Vec::new(); // play → Load, and the winner's find latency
    let mut skipped_at = std::collections::HashMap::new();
    let began = Instant::now();
    for i in 0..plays {
        // A new track id each time, so no remembered decision short-cuts the race.
        let wanted = format!("netease:vip{i}");
        player.act(Action::ClearQueue).await.unwrap();
        let t0 = Instant::now();
        player
            .act(Action::PlayTracks(vec![track(
                &wanted,
                SourceKind::NetEase,
            )]))
            .await
            .unwrap();
        if i % SKIP_EVERY == SKIP_EVERY - 1 {
            tokio::time::sleep(SKIP_AFTER).await;
            skipped_at.insert(wanted.clone(), Instant::now());
            player.act(Action::Stop).await.unwrap();
        } else {
            let (url, at) = tokio::time::timeout(Duration::from_secs(5), loads.recv())
                .await
                .expect("a load within 5 s")
                .unwrap();
            assert_eq!(
                url,
                format!("https://a/a:{wanted}"),
                "the perfect, fastest copy"
            );
            to_load.push((wanted.clone(), at - t0));
        }
        // Let this play's finds end before the next one starts.
        let deadline = Instant::now() + Duration::from_secs(2);
        while record
            .finds
            .lock()
            .unwrap()
            .iter()
            .filter(|f| f.wanted == wanted)
            .count()
            < 3
        {
            assert!(
                Instant::now() < deadline,
                "the finds of {wanted} never ended"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    let total = began.elapsed();
    let stats = player.stats().await.unwrap();

    let finds = std::mem::take(&mut *record.finds.lock().unwrap());
    report(
        plays,
        &finds,
        &to_load,
        &skipped_at,
        total,
        (stats.races_started, stats.races_won),
    );
}

fn report(
    plays: usize,
    finds: &[FindEnd],
    to_load: &[(String, Duration)],
    skipped_at: &std::collections::HashMap<String, Instant>,
    total: Duration,
    races: (u64, u64),
) {
    let winner = |wanted: &str| {
        finds
            .iter()
            .find(|f| f.wanted == wanted && f.source == "a" && f.answered.is_some())
            .expect("the winner's find")
    };
    let mut overhead_nominal = Vec::new();
    let mut overhead_measured = Vec::new();
    let mut winner_latency = Vec::new();
    for (wanted, took) in to_load {
        let w = winner(wanted);
        let own = w.answered.unwrap() - w.started;
        winner_latency.push(own);
        overhead_nominal.push(took.saturating_sub(Duration::from_millis(20)));
        overhead_measured.push(took.saturating_sub(own));
    }
    let mut loser_cancel = Vec::new();
    let mut loser_bound = Vec::new();
    let mut skip_cancel = Vec::new();
    let mut skip_bound = Vec::new();
    let mut not_cancelled = 0;
    for f in finds.iter().filter(|f| f.answered.is_none()) {
        let Some(cancel_to_drop) = f.cancel_to_drop else {
            not_cancelled += 1;
            continue;
        };
        if let Some(skip) = skipped_at.get(&f.wanted) {
            skip_cancel.push(cancel_to_drop);
            skip_bound.push(f.dropped.saturating_duration_since(*skip));
        } else {
            loser_cancel.push(cancel_to_drop);
            let w = winner(&f.wanted);
            loser_bound.push(f.dropped.saturating_duration_since(w.answered.unwrap()));
        }
    }

    println!(
        "plays: {plays} ({} loaded, {} skipped after {SKIP_AFTER:?}) in {:.1} s; races started {}, won {}",
        to_load.len(),
        skipped_at.len(),
        total.as_secs_f64(),
        races.0,
        races.1
    );
    percentiles("play → Load", to_load.iter().map(|(_, d)| *d).collect());
    percentiles("winner's own find latency (nominal 20 ms)", winner_latency);
    percentiles("overhead: play → Load − 20 ms", overhead_nominal);
    percentiles(
        "overhead: play → Load − winner's measured find",
        overhead_measured,
    );
    percentiles("losers: cancel → future dropped", loser_cancel);
    percentiles(
        "losers: winner's answer → future dropped (bound)",
        loser_bound,
    );
    percentiles("skipped: cancel → future dropped", skip_cancel);
    percentiles("skipped: skip sent → future dropped (bound)", skip_bound);
    println!("unanswered finds never cancelled: {not_cancelled}");
}
