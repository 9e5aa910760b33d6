//! THE SEED REGRESSION: the two failures Lyrebird exists to avoid, in the setting that caused
//! them. go-musicfox crashed on every VIP song (`concurrent map writes`: its parallel fallback
//! lookups shared one header map) and, after fast skips, showed one song while playing another.
//!
//! Here: VIP tracks whose own source (`NetEase`) has no URL, four fallback sources backed by real
//! HTTP servers on loopback, each lookup making several requests in parallel (one per quality,
//! as migu did), every request with headers of its own, random latencies (0–30 ms) and random
//! failures (500s, dropped connections). 10 000 plays with random skips in between, on the
//! real actor with a fake audio output that records loads, on a multi-thread runtime in real
//! time. Checked: no panic; after each play settles, the audio side's load is the last track
//! requested (or the player stopped with "cannot play" for it); every cancelled task ends
//! within 100 ms; the servers' open connections return to zero; no request arrived with
//! another request's headers.
//!
//! `LYREBIRD_SEED_PLAYS` (default 10 000) and `LYREBIRD_SEED_PLAYERS` (players running at once,
//! default 32) change the load.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lyrebird_core::actor::{Action, Player, PlayerConfig, PlayerHandle};
use lyrebird_core::audio::AudioOutput;
use lyrebird_core::events::{Notice, PlaybackStatus, PlayerEvent};
use lyrebird_core::model::{SourceKind, Track, TrackId};
use lyrebird_core::provider::{
    FindFuture, Playable, ResolveError, ResolveFuture, Source, SourceEntry, Sources, StreamSpec,
};
use lyrebird_core::{AudioCommand, Published};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Distinct VIP tracks: so many that nearly every play races (a decision is remembered per
/// track for the session).
const TRACKS: u64 = 1_000_000;
/// One request per quality, in parallel, per lookup.
const QUALITIES: [&str; 3] = ["lossless", "exhigh", "standard"];
const FALLBACK_SERVERS: usize = 4;
/// A cancelled task must end within this. A hang detector, not a speed measure (that is the
/// benchmarks' job): with both cores busy (CI, or helpers building beside it) tasks have been
/// seen to take over 100 ms to be scheduled at all.
const CANCEL_BUDGET: Duration = Duration::from_secs(1);

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).map_or(default, |v| v.parse().expect("a number"))
}

// ---------------------------------------------------------------------------------------------
// The HTTP servers.

/// What a server counts.
#[derive(Default)]
struct ServerStats {
    accepted: AtomicU64,
    closed: AtomicU64,
    requests: AtomicU64,
    /// Requests whose headers did not match their own query: another request's headers.
    foreign_headers: AtomicU64,
}

struct CountClose(Arc<ServerStats>);
impl Drop for CountClose {
    fn drop(&mut self) {
        self.0.closed.fetch_add(1, Ordering::SeqCst);
    }
}

/// A small HTTP/1.1 server (keep-alive, GET only) with random latency and faults. Server
/// `style` decides what its catalogue looks like; `None` is the primary, which knows every
/// track and has a URL for none.
async fn serve(style: Option<usize>) -> (String, Arc<ServerStats>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let stats = Arc::new(ServerStats::default());
    let counters = stats.clone();
    let origin = base.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            counters.accepted.fetch_add(1, Ordering::SeqCst);
            let guard = CountClose(counters.clone());
            let (origin, stats) = (origin.clone(), counters.clone());
            tokio::spawn(async move {
                let _closed_when_done = guard;
                connection(stream, style, &origin, &stats).await;
            });
        }
    });
    (base, stats)
}

/// Serve one connection until the client closes it or a fault drops it.
async fn connection(
    mut stream: TcpStream,
    style: Option<usize>,
    origin: &str,
    stats: &ServerStats,
) {
    let mut rng = fastrand::Rng::new();
    let mut buffer = Vec::with_capacity(1024);
    loop {
        let Some(end) = read_head(&mut stream, &mut buffer).await else {
            return;
        };
        let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
        buffer.drain(..end);
        stats.requests.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(rng.u64(0..=30))).await;
        match rng.u8(..20) {
            0 => return, // dropped connection
            1 | 2 => {
                if respond(&mut stream, 500, "{}").await.is_err() {
                    return;
                }
                continue;
            }
            _ => {}
        }
        let (code, body) = answer(&head, style, origin, stats);
        if respond(&mut stream, code, &body).await.is_err() {
            return;
        }
    }
}

/// Read up to the end of a request's head; its length, or `None` at EOF or on error.
async fn read_head(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<usize> {
    loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            return Some(at + 4);
        }
        if buffer.len() > 16 * 1024 {
            return None;
        }
        let mut chunk = [0u8; 1024];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

async fn respond(stream: &mut TcpStream, status: u16, body: &str) -> std::io::Result<()> {
    let reason = if status == 200 { "OK" } else { "Error" };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await
}

/// The request's path and query parameters, and its headers (lower-cased names).
/// Names and values, in order.
type Pairs = Vec<(String, String)>;

fn parse(head: &str) -> (String, Pairs, Pairs) {
    let mut lines = head.split("\r\n");
    let target = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let params = query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (path.to_owned(), params, headers)
}

fn lookup<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn answer(head: &str, style: Option<usize>, origin: &str, stats: &ServerStats) -> (u16, String) {
    let (path, params, headers) = parse(head);
    let (Some(subject), Some(quality)) = (lookup(&params, "id"), lookup(&params, "quality")) else {
        return (400, "{}".into());
    };
    // Each request built its own headers from its own arguments: they must agree with the
    // query. Headers shared and written by parallel requests would not.
    if lookup(&headers, "x-subject") != Some(subject)
        || lookup(&headers, "x-quality") != Some(quality)
    {
        stats.foreign_headers.fetch_add(1, Ordering::SeqCst);
        return (400, "{}".into());
    }
    match (path.as_str(), style) {
        ("/song", None) => (
            200,
            json!({ "url": null, "reason": "VIP only" }).to_string(),
        ),
        ("/search", Some(style)) => {
            let k: u64 = subject.parse().unwrap_or(0);
            (200, Value::Array(catalogue(style, k)).to_string())
        }
        ("/song", Some(_)) => {
            // Candidate ids are `<style>:<recording>[:<version>]`: a version is another
            // recording (stream numbers from 1000 up), which must never be asked for.
            let mut parts = subject.split(':').skip(1);
            let recording: u64 = parts.next().and_then(|r| r.parse().ok()).unwrap_or(0);
            let stream = if parts.next().is_some() {
                1_000 + recording
            } else {
                recording
            };
            let url = format!("{origin}/stream/{stream}?quality={quality}");
            (200, json!({ "url": url }).to_string())
        }
        _ => (404, "{}".into()),
    }
}

fn title(k: u64) -> String {
    format!("晴天 {k}")
}

fn length_ms(k: u64) -> u64 {
    180_000 + (k % 120) * 1_000
}

/// What server `style` lists for recording `k`: a true copy written its own way, plus decoys.
fn catalogue(style: usize, k: u64) -> Vec<Value> {
    let copy = |title: String, artist: &str, length: Option<u64>| json!({ "id": format!("{style}:{k}"), "title": title, "artists": [artist], "durationMs": length });
    let decoy = |suffix: &str, version: &str| {
        json!({ "id": format!("{style}:{k}:{version}"), "title": format!("{}{suffix}", title(k)),
                "artists": ["周杰伦"], "durationMs": length_ms(k) })
    };
    match style {
        0 => vec![copy(title(k), "周杰伦", Some(length_ms(k) + 400))],
        1 => {
            let wide: String = k
                .to_string()
                .chars()
                .map(|d| char::from_u32(0xFF10 + d.to_digit(10).unwrap()).unwrap())
                .collect();
            vec![
                decoy(" (Live)", "live"),
                copy(format!("晴天　{wide}"), "周杰倫", Some(length_ms(k) - 700)),
            ]
        }
        2 => vec![
            decoy(" (伴奏)", "karaoke"),
            copy(format!("{} (Remastered 2021)", title(k)), "周杰伦", None),
        ],
        _ => vec![
            json!({ "id": format!("{style}:{}", k + 1), "title": title(k + 1),
                    "artists": ["周杰伦"], "durationMs": length_ms(k) }),
            copy(title(k), "Jay Chou、周杰伦", Some(length_ms(k))),
        ],
    }
}

// ---------------------------------------------------------------------------------------------
// Probes: how long a cancelled task takes to end.

#[derive(Default)]
struct ProbeStats {
    started: AtomicU64,
    ended: AtomicU64,
    cancelled: AtomicU64,
    max_cancel_to_end_us: AtomicU64,
    over_budget: AtomicU64,
}

/// Lives inside a lookup's future: dropped when the task ends, however it ends.
struct Probe {
    ended: Option<oneshot::Sender<Instant>>,
    stats: Arc<ProbeStats>,
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.stats.ended.fetch_add(1, Ordering::SeqCst);
        if let Some(ended) = self.ended.take() {
            let _ = ended.send(Instant::now());
        }
    }
}

/// Start measuring a lookup: a watcher notes when its token is cancelled and, once the task
/// has ended, how long that took.
fn probe(stats: &Arc<ProbeStats>, token: &CancellationToken) -> Probe {
    stats.started.fetch_add(1, Ordering::SeqCst);
    let (ended_tx, mut ended) = oneshot::channel::<Instant>();
    let token = token.clone();
    let watcher = stats.clone();
    tokio::spawn(async move {
        tokio::select! {
            biased;
            () = token.cancelled() => {
                let cancelled_at = Instant::now();
                if let Ok(ended_at) = (&mut ended).await {
                    let took = ended_at.saturating_duration_since(cancelled_at);
                    let us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
                    watcher.cancelled.fetch_add(1, Ordering::SeqCst);
                    watcher.max_cancel_to_end_us.fetch_max(us, Ordering::SeqCst);
                    if took > CANCEL_BUDGET {
                        watcher.over_budget.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
            _ = &mut ended => {}
        }
    });
    Probe {
        ended: Some(ended_tx),
        stats: stats.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// The sources.

/// Talks to one server. Holds only configuration and the shared client: every request builds
/// its own headers from its own arguments.
struct HttpSource {
    base: String,
    client: reqwest::Client,
    probes: Arc<ProbeStats>,
}

async fn get(
    client: reqwest::Client,
    url: String,
    subject: String,
    quality: &'static str,
) -> Result<Value, ResolveError> {
    let mut headers = HeaderMap::new();
    headers.insert("x-subject", HeaderValue::from_str(&subject).unwrap());
    headers.insert("x-quality", HeaderValue::from_static(quality));
    headers.insert(
        "cookie",
        HeaderValue::from_str(&format!("session={subject}-{quality}")).unwrap(),
    );
    let failed = |e: reqwest::Error| ResolveError::Failed(e.to_string());
    let response = client
        .get(url)
        .headers(headers)
        .send()
        .await
        .map_err(failed)?;
    if !response.status().is_success() {
        return Err(ResolveError::Failed(response.status().to_string()));
    }
    let text = response.text().await.map_err(failed)?;
    serde_json::from_str(&text).map_err(|e| ResolveError::Failed(e.to_string()))
}

/// The same request for every quality at once; the answers in quality order.
async fn per_quality(
    source: &HttpSource,
    path: &str,
    subject: &str,
) -> [Result<Value, ResolveError>; 3] {
    let request = |quality: &'static str| {
        let url = format!("{}{path}?id={subject}&quality={quality}", source.base);
        get(source.client.clone(), url, subject.to_owned(), quality)
    };
    let (a, b, c) = tokio::join!(
        request(QUALITIES[0]),
        request(QUALITIES[1]),
        request(QUALITIES[2])
    );
    [a, b, c]
}

fn subject_of(track: &Track) -> String {
    track
        .id
        .0
        .rsplit('/')
        .next()
        .unwrap()
        .trim_start_matches("netease:")
        .to_owned()
}

impl Source for HttpSource {
    fn resolve(&self, track: Track, cancel: CancellationToken) -> ResolveFuture {
        let probe = probe(&self.probes, &cancel);
        let me = HttpSource {
            base: self.base.clone(),
            client: self.client.clone(),
            probes: self.probes.clone(),
        };
        Box::pin(async move {
            let _probe = probe;
            let subject = subject_of(&track);
            let answers = per_quality(&me, "/song", &subject).await;
            let mut last = ResolveError::Failed("no answer".into());
            // The best quality that answered with a URL.
            for (answer, quality) in answers.into_iter().zip(QUALITIES) {
                match answer {
                    Ok(value) => {
                        if let Some(url) = value["url"].as_str() {
                            return Ok(Playable::Stream(StreamSpec {
                                url: url.to_owned(),
                                headers: vec![("cookie".into(), format!("session={subject}"))],
                                certificate_pin: None,
                                cache_key: Some(format!("{}:{quality}", track.id)),
                                quality: None,
                            }));
                        }
                        let reason = value["reason"].as_str().unwrap_or("no URL");
                        last = ResolveError::Unavailable(reason.to_owned());
                    }
                    Err(e) => last = e,
                }
            }
            Err(last)
        })
    }

    fn find(&self, wanted: Track, cancel: CancellationToken) -> FindFuture {
        let probe = probe(&self.probes, &cancel);
        let me = HttpSource {
            base: self.base.clone(),
            client: self.client.clone(),
            probes: self.probes.clone(),
        };
        Box::pin(async move {
            let _probe = probe;
            let answers = per_quality(&me, "/search", &subject_of(&wanted)).await;
            let mut found: Vec<Track> = Vec::new();
            let mut last = None;
            for answer in answers {
                match answer {
                    Ok(Value::Array(items)) => {
                        for item in items {
                            let track = track_from(&item);
                            if !found.iter().any(|t| t.id == track.id) {
                                found.push(track);
                            }
                        }
                        last = None;
                    }
                    Ok(_) => {}
                    Err(e) => last = last.or(Some(e)),
                }
            }
            match (found.is_empty(), last) {
                (true, Some(e)) => Err(e),
                _ => Ok(found),
            }
        })
    }
}

fn track_from(item: &Value) -> Track {
    Track {
        artists: item["artists"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        duration_ms: item["durationMs"].as_u64(),
        ..Track::new(
            TrackId(item["id"].as_str().unwrap_or_default().to_owned()),
            SourceKind::Subsonic,
            item["title"].as_str().unwrap_or_default(),
        )
    }
}

fn vip(k: u64) -> Track {
    Track {
        artists: vec!["周杰伦".into()],
        duration_ms: Some(length_ms(k)),
        ..Track::new(
            TrackId(format!("netease:{k}")),
            SourceKind::NetEase,
            title(k),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// The audio side.

/// Records what the actor loads; the audio side's "current load" is the last one, until a stop.
#[derive(Clone, Default)]
struct RecordingAudio(Arc<Mutex<AudioLog>>);

#[derive(Default)]
struct AudioLog {
    current: Option<(lyrebird_core::PlayId, String)>,
    last_play_id: lyrebird_core::PlayId,
    loads: u64,
    /// A load with a play id not above the last: an old load arriving late.
    out_of_order: u64,
}

impl AudioOutput for RecordingAudio {
    fn send(&self, command: AudioCommand) {
        let mut log = self.0.lock().unwrap();
        match command {
            AudioCommand::Load { play_id, media, .. } => {
                let Playable::Stream(spec) = media else {
                    panic!("only streams here")
                };
                if play_id <= log.last_play_id {
                    log.out_of_order += 1;
                }
                log.last_play_id = play_id;
                log.loads += 1;
                log.current = Some((play_id, spec.url));
            }
            AudioCommand::Stop => log.current = None,
            _ => {}
        }
    }
}

/// Which recording a stream URL plays: the number after `/stream/`.
fn recording_of(url: &str) -> u64 {
    let tail = url.split("/stream/").nth(1).expect("a stream URL");
    tail.split('?').next().unwrap().parse().unwrap()
}

// ---------------------------------------------------------------------------------------------
// The run.

/// What one player saw.
#[derive(Default, Debug)]
struct Tally {
    played: u64,
    cannot_play: u64,
    skips: u64,
}

async fn drive(
    player: PlayerHandle,
    mut events: mpsc::UnboundedReceiver<Published>,
    audio: RecordingAudio,
    plays: usize,
    seed: u64,
) -> Tally {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut tally = Tally::default();
    for play in 0..plays {
        // Random skips: tracks requested and abandoned before they settle.
        for _ in 0..rng.usize(0..=3) {
            player.send(Action::ClearQueue);
            player.send(Action::PlayTracks(vec![vip(rng.u64(..TRACKS))]));
            tally.skips += 1;
            let pause = rng.u64(0..=40);
            if pause > 0 {
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
        }
        let k = rng.u64(..TRACKS);
        player.act(Action::ClearQueue).await.unwrap();
        player.act(Action::PlayTracks(vec![vip(k)])).await.unwrap();
        let wanted = vip(k);
        let started = Instant::now();
        loop {
            let snap = player.snapshot().await.unwrap();
            let state = &snap.state;
            if state.status == PlaybackStatus::Stopped {
                let said_so = std::iter::from_fn(|| events.try_recv().ok()).any(|p| {
                    matches!(p.event, PlayerEvent::Notice(Notice::CannotPlay { ref name, .. })
                        if *name == wanted.display_name())
                });
                assert!(said_so, "play {play} of {seed}: stopped without saying why");
                tally.cannot_play += 1;
                break;
            }
            assert_eq!(
                state.current.as_ref().map(|t| &t.id),
                Some(&wanted.id),
                "play {play} of {seed}: the actor's current track is not the one requested last"
            );
            let current = audio.0.lock().unwrap().current.clone();
            if let Some((play_id, url)) = current
                && play_id == state.play_id
            {
                assert_eq!(
                    recording_of(&url),
                    k,
                    "play {play} of {seed}: the audio side plays another recording ({url})"
                );
                assert!(
                    state.playing_from.is_some(),
                    "play {play}: no 'playing from'"
                );
                tally.played += 1;
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(8),
                "play {play} of {seed}: did not settle ({:?}, play id {}, audio {:?})",
                state.status,
                state.play_id,
                audio.0.lock().unwrap().current
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        // Drop the events of this play (the notices of skipped tracks included).
        while events.try_recv().is_ok() {}
    }
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines)] // one scenario, read top to bottom
async fn ten_thousand_vip_plays_over_racing_http_sources() {
    let plays = env_or("LYREBIRD_SEED_PLAYS", 10_000);
    let players = env_or("LYREBIRD_SEED_PLAYERS", 32).clamp(1, plays.max(1));
    let began = std::time::Instant::now();

    let probes = Arc::new(ProbeStats::default());
    let (primary_base, primary_stats) = serve(None).await;
    let mut servers = vec![primary_stats];
    let client = reqwest::Client::new();
    let mut entries = vec![SourceEntry::new(
        "netease",
        SourceKind::NetEase,
        "NetEase",
        Arc::new(HttpSource {
            base: primary_base,
            client: client.clone(),
            probes: probes.clone(),
        }),
    )];
    for style in 0..FALLBACK_SERVERS {
        let (base, stats) = serve(Some(style)).await;
        servers.push(stats);
        entries.push(SourceEntry::new(
            format!("server{style}"),
            SourceKind::Subsonic,
            format!("Server {style}"),
            Arc::new(HttpSource {
                base,
                // Each source its own client (and connection pool), as the shell will build them.
                client: reqwest::Client::new(),
                probes: probes.clone(),
            }),
        ));
    }
    drop(client);
    let sources = Sources::from_entries(entries);

    let mut runs = Vec::new();
    let mut handles = Vec::new();
    let mut audios = Vec::new();
    for p in 0..players {
        let audio = RecordingAudio::default();
        let (audio_events_tx, audio_events) = mpsc::unbounded_channel();
        let config = PlayerConfig {
            sources: sources.clone(),
            ..PlayerConfig::default()
        };
        let (player, events, actor) = Player::new(config, audio.clone(), audio_events);
        let actor = tokio::spawn(actor);
        let share = plays / players + usize::from(p < plays % players);
        let seed = 0x5eed_0000 + p as u64;
        let driver = tokio::spawn(drive(player.clone(), events, audio.clone(), share, seed));
        runs.push((driver, audio_events_tx));
        handles.push((player, actor));
        audios.push(audio);
    }
    let mut tally = Tally::default();
    for (driver, _keep_audio_events_open) in runs {
        let t = driver.await.expect("a player's run panicked");
        tally.played += t.played;
        tally.cannot_play += t.cannot_play;
        tally.skips += t.skips;
    }
    let mut stats = Vec::new();
    for (player, actor) in handles {
        stats.push(player.stats().await.unwrap());
        player.shutdown().await.unwrap();
        actor.await.unwrap();
    }
    drop(sources);

    // Every lookup task ended (the actors wait for theirs at shutdown); the servers saw every
    // connection closed once the clients were dropped.
    let deadline = Instant::now() + Duration::from_secs(3);
    let open = || {
        servers
            .iter()
            .map(|s| s.accepted.load(Ordering::SeqCst) - s.closed.load(Ordering::SeqCst))
            .sum::<u64>()
    };
    while open() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sum = |f: fn(&lyrebird_core::actor::ActorStats) -> u64| stats.iter().map(f).sum::<u64>();
    let out_of_order: u64 = audios
        .iter()
        .map(|a| a.0.lock().unwrap().out_of_order)
        .sum();
    let loads: u64 = audios.iter().map(|a| a.0.lock().unwrap().loads).sum();
    let requests: u64 = servers
        .iter()
        .map(|s| s.requests.load(Ordering::SeqCst))
        .sum();
    let connections: u64 = servers
        .iter()
        .map(|s| s.accepted.load(Ordering::SeqCst))
        .sum();
    let foreign: u64 = servers
        .iter()
        .map(|s| s.foreign_headers.load(Ordering::SeqCst))
        .sum();
    let max_cancel_us = probes.max_cancel_to_end_us.load(Ordering::SeqCst);
    eprintln!(
        "seed regression: {plays} plays on {players} players in {:.1} s: {} played from a copy, \
         {} could not play, {} skips; {loads} loads; lookups {} (cancelled {}), races {} \
         (won {}, lost {}); probed tasks {} (ended {}), cancelled {}, max cancel→end {:?}; \
         {requests} HTTP requests on {connections} connections",
        began.elapsed().as_secs_f64(),
        tally.played,
        tally.cannot_play,
        tally.skips,
        sum(|s| s.lookups_started),
        sum(|s| s.lookups_cancelled),
        sum(|s| s.races_started),
        sum(|s| s.races_won),
        sum(|s| s.races_lost),
        probes.started.load(Ordering::SeqCst),
        probes.ended.load(Ordering::SeqCst),
        probes.cancelled.load(Ordering::SeqCst),
        Duration::from_micros(max_cancel_us),
    );

    assert_eq!(tally.played + tally.cannot_play, plays as u64);
    assert!(
        tally.played > 0 && sum(|s| s.lookups_cancelled) > 0,
        "nothing was exercised"
    );
    assert_eq!(
        out_of_order, 0,
        "an old load reached the audio side after a newer one"
    );
    assert_eq!(foreign, 0, "requests carried another request's headers");
    assert_eq!(
        probes.started.load(Ordering::SeqCst),
        probes.ended.load(Ordering::SeqCst),
        "lookup tasks still alive"
    );
    assert_eq!(
        probes.over_budget.load(Ordering::SeqCst),
        0,
        "cancelled tasks took more than {CANCEL_BUDGET:?} to end (max {max_cancel_us} µs)"
    );
    assert_eq!(open(), 0, "connections left open");
}
