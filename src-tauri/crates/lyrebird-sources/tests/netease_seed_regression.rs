//! THE SEED REGRESSION, extended to the real NetEase client (issue #18): go-musicfox crashed on
//! every VIP song because its parallel fallback lookups shared one header map, and after fast
//! skips it showed one song while playing another. `lyrebird-core/tests/seed_regression.rs`
//! checks the actor against fake sources; here every source is real:
//!
//! - the tracks' own source is the real `NeteaseSource` (`lyrebird-netease`) talking to the
//!   NetEase emulator (`tests/netease-emulator`, node) on 127.0.0.1: each resolve sends the
//!   song URL (xeapi: X25519 + AES-GCM, in a session) and the song's details (weapi, opened by
//!   the emulator with its own RSA key) at once. Every song is VIP-only (the listener has no
//!   VIP) or greyed, so every resolve is `Unavailable` and the fallback race runs — for half
//!   the songs beside that resolve, as for a song NetEase's list marked (`Track::unplayable`),
//!   for the other half after it. Two NetEase accounts share one `reqwest::Client`: half the
//!   players sign in with the emulator's valid `MUSIC_U`, the other half with a token it does
//!   not know; each has its own device;
//! - the race's four entrants are the real Subsonic client (`lyrebird-subsonic`) against four
//!   fake Subsonic servers on loopback, each with its own user and password, each listing the
//!   recording its own way beside decoys (another version, the neighbouring track);
//! - random latencies (0–30 ms on the Subsonic servers, 1–40 ms injected into the emulator)
//!   and random failures (HTTP 500s, dropped or reset connections) on every server;
//! - many plays with 0–3 skips before each (tracks requested and abandoned mid-resolve or
//!   mid-race), on several real actors at once with an audio output that records loads.
//!
//! Checked: no panic; no load reaches the audio side after a newer one (a stale reply
//! applied); after each play settles, the audio side's load is the recording last requested,
//! from the server the published state names in "Playing from" (displayed == playing), or the
//! player stopped saying it cannot play that track; every lookup task ends, and cancelled ones
//! within a second; the loopback connections to the emulator and to the servers return to
//! their baseline; every request the emulator logged opened (well-formed, decrypted) and came
//! with its own account's identity (the valid token only with the first device, the unknown
//! one only with the second; the device id the same in its cookies and headers); every Subsonic
//! request carried its own server's credentials and a salt never used before.
//!
//! `LYREBIRD_SEED_PLAYS` (default 1 000) and `LYREBIRD_SEED_PLAYERS` (default 8) change the load;
//! the numbers of a 10 000-play run are in `docs/reliability.md`. Without node (or the npm
//! package) the test is skipped with a message, except when `CI` is set: then it fails.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lyrebird_core::actor::{Action, Player, PlayerConfig, PlayerHandle};
use lyrebird_core::audio::AudioOutput;
use lyrebird_core::events::{Notice, PlaybackStatus, PlayerEvent, PlayerState};
use lyrebird_core::model::{SourceKind, Track, Unplayable};
use lyrebird_core::provider::{FindFuture, Playable, ResolveFuture, Source, SourceEntry, Sources};
use lyrebird_core::{AudioCommand, Published};
use lyrebird_netease::client::NeteaseClient;
use lyrebird_netease::crypto::OsEntropy;
use lyrebird_netease::model::Quality;
use lyrebird_netease::source::NeteaseSource;
use lyrebird_netease::{ApiHosts, ClientOs, Credentials, DeviceIdentity};
use lyrebird_subsonic::{ServerConfig, SubsonicClient};
use md5::{Digest, Md5};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

#[path = "../../lyrebird-netease/tests/support/emulator.rs"]
mod emulator;

/// Distinct NetEase songs (ids `SONG_BASE + k`): enough that nearly every play races (the actor
/// remembers a decision per track for the session).
const SONGS: u64 = 20_000;
const SONG_BASE: u64 = 400_000;
const SERVERS: usize = 4;
/// The emulator's preset token (valid), and one it never issued.
const VALID_MUSIC_U: &str = "EMU_MUSIC_U_PRESET_10001";
const UNKNOWN_MUSIC_U: &str = "EMU_MUSIC_U_NEVER_ISSUED_SEED";
/// A cancelled task must end within this: a hang detector (see `seed_regression.rs`).
const CANCEL_BUDGET: Duration = Duration::from_secs(1);
/// How long a play may take to settle on a loaded machine before the test calls it stuck.
const SETTLE_BUDGET: Duration = Duration::from_secs(20);

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).map_or(default, |v| v.parse().expect("a number"))
}

fn title(k: u64) -> String {
    format!("晴天 {k}")
}

/// Whole seconds: Subsonic lists durations in seconds.
fn length_ms(k: u64) -> u64 {
    180_000 + (k % 120) * 1_000
}

/// Song `k` as the player gets it. Even songs come marked as NetEase's lists mark them
/// (`Track::unplayable`: greyed or VIP only), and are raced at once beside NetEase's own
/// lookup; odd ones carry no mark and are raced after NetEase's "no".
fn netease_track(k: u64) -> Track {
    let listed = if k.is_multiple_of(3) {
        Unplayable::Greyed
    } else {
        Unplayable::NeedsVip
    };
    Track {
        unplayable: k.is_multiple_of(2).then_some(listed),
        artists: vec!["周杰伦".into()],
        album: Some("Seed".into()),
        duration_ms: Some(length_ms(k)),
        ..Track::new(
            lyrebird_netease::source::track_id(SONG_BASE + k),
            SourceKind::NetEase,
            title(k),
        )
    }
}

/// The emulator's catalogue: every song VIP-only (fee 1) or greyed, for a listener without VIP.
fn scenario() -> Value {
    let songs: Vec<Value> = (0..SONGS)
        .map(|k| {
            json!({ "id": SONG_BASE + k, "name": title(k), "artist": "周杰伦", "album": "Seed",
                    "fee": u8::from(k % 3 != 0), "greyed": k % 3 == 0,
                    "maxLevel": "exhigh", "toneHz": 440, "durationMs": length_ms(k) })
        })
        .collect();
    json!({
        "user": { "vipType": 0, "musicU": VALID_MUSIC_U },
        "songs": songs, "daily": [], "fm": [], "liked": [], "cloud": [], "playlists": [],
    })
}

// ---------------------------------------------------------------------------------------------
// The fake Subsonic servers.

#[derive(Default)]
struct ServerStats {
    accepted: AtomicU64,
    closed: AtomicU64,
    requests: AtomicU64,
    searches: AtomicU64,
    /// Requests without this server's user, or whose token is not this server's password
    /// salted with the request's own salt: another request's (or server's) credentials.
    foreign_credentials: AtomicU64,
}

struct CountClose(Arc<ServerStats>);
impl Drop for CountClose {
    fn drop(&mut self) {
        self.0.closed.fetch_add(1, Ordering::SeqCst);
    }
}

/// One server: its style of listing, its credentials, and the salts every server has seen
/// (shared: a salt used twice anywhere is a request built from another's parts).
#[derive(Clone)]
struct Server {
    style: usize,
    user: String,
    password: String,
    salts: Arc<Mutex<HashSet<String>>>,
    reused_salts: Arc<AtomicU64>,
    stats: Arc<ServerStats>,
}

async fn serve(server: Server) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            server.stats.accepted.fetch_add(1, Ordering::SeqCst);
            let guard = CountClose(server.stats.clone());
            let server = server.clone();
            tokio::spawn(async move {
                let _closed_when_done = guard;
                connection(stream, &server).await;
            });
        }
    });
    base
}

async fn connection(mut stream: TcpStream, server: &Server) {
    let mut rng = fastrand::Rng::new();
    let mut buffer = Vec::with_capacity(1024);
    loop {
        let Some(end) = read_head(&mut stream, &mut buffer).await else {
            return;
        };
        let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
        buffer.drain(..end);
        server.stats.requests.fetch_add(1, Ordering::SeqCst);
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
        let body = answer(&head, server);
        if respond(&mut stream, 200, &body).await.is_err() {
            return;
        }
    }
}

async fn read_head(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<usize> {
    loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            return Some(at + 4);
        }
        if buffer.len() > 16 * 1024 {
            return None;
        }
        let mut chunk = [0u8; 2048];
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

/// `application/x-www-form-urlencoded` decoding.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("3f");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The API method (without `/rest/` and `.view`) and the query's parameters.
fn parse(head: &str) -> (String, HashMap<String, String>) {
    let target = head
        .lines()
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let method = path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".view")
        .to_owned();
    let params = query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect();
    (method, params)
}

fn md5_hex(text: &str) -> String {
    use std::fmt::Write as _;
    Md5::digest(text.as_bytes())
        .iter()
        .fold(String::new(), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

fn envelope(fields: &Value) -> String {
    let mut body = json!({"status": "ok", "version": "1.16.1"});
    if let Value::Object(extra) = fields {
        body.as_object_mut().unwrap().extend(extra.clone());
    }
    json!({ "subsonic-response": body }).to_string()
}

fn answer(head: &str, server: &Server) -> String {
    let (method, params) = parse(head);
    let get = |k: &str| params.get(k).map(String::as_str);
    let authentic = match (get("u"), get("t"), get("s")) {
        (Some(u), Some(t), Some(s)) => {
            u == server.user && t == md5_hex(&format!("{}{s}", server.password))
        }
        _ => false,
    };
    if let Some(salt) = get("s")
        && !server.salts.lock().unwrap().insert(salt.to_owned())
    {
        server.reused_salts.fetch_add(1, Ordering::SeqCst);
    }
    if !authentic {
        server
            .stats
            .foreign_credentials
            .fetch_add(1, Ordering::SeqCst);
        return json!({"subsonic-response": {"status": "failed", "version": "1.16.1",
            "error": {"code": 40, "message": "Wrong username or password."}}})
        .to_string();
    }
    match method.as_str() {
        "search3" => {
            server.stats.searches.fetch_add(1, Ordering::SeqCst);
            // The query is the wanted track's title, "晴天 <k>".
            let k = get("query")
                .and_then(|q| q.rsplit(' ').next())
                .and_then(|n| n.parse().ok());
            let songs = k.map_or_else(Vec::new, |k| catalogue(server.style, k));
            envelope(&json!({ "searchResult3": { "song": songs } }))
        }
        _ => envelope(&json!({})),
    }
}

/// What server `style` lists for recording `k`: the true copy, written its own way, among
/// decoys. Song ids are `s<style>-<k>` for the copy; decoys carry a suffix or another number.
fn catalogue(style: usize, k: u64) -> Vec<Value> {
    let seconds = length_ms(k) / 1000;
    let song = |id: String, title: String, artist: &str, duration: Option<u64>| {
        json!({ "id": id, "title": title, "artist": artist, "album": "Seed", "duration": duration,
                "isDir": false, "suffix": "flac" })
    };
    let copy = |title: String, artist: &str, duration: Option<u64>| {
        song(format!("s{style}-{k}"), title, artist, duration)
    };
    let decoy = |suffix: &str, version: &str| {
        song(
            format!("s{style}-{k}-{version}"),
            format!("{}{suffix}", title(k)),
            "周杰伦",
            Some(seconds),
        )
    };
    match style {
        0 => vec![copy(title(k), "周杰伦", Some(seconds + 1))],
        1 => {
            let wide: String = k
                .to_string()
                .chars()
                .map(|d| char::from_u32(0xFF10 + d.to_digit(10).unwrap()).unwrap())
                .collect();
            vec![
                decoy(" (Live)", "live"),
                copy(format!("晴天　{wide}"), "周杰倫", Some(seconds - 1)),
            ]
        }
        2 => vec![
            decoy(" (伴奏)", "karaoke"),
            copy(format!("{} (Remastered 2021)", title(k)), "周杰伦", None),
        ],
        _ => vec![
            song(
                format!("s{style}-{}", k + 1),
                title(k + 1),
                "周杰伦",
                Some(seconds),
            ),
            copy(title(k), "Jay Chou、周杰伦", Some(seconds)),
        ],
    }
}

// ---------------------------------------------------------------------------------------------
// Probes: every lookup task ends, and cancelled ones soon.

#[derive(Default)]
struct ProbeStats {
    started: AtomicU64,
    ended: AtomicU64,
    cancelled: AtomicU64,
    max_cancel_to_end_us: AtomicU64,
    over_budget: AtomicU64,
    /// Resolves of a chosen copy that failed (not cancelled).
    copy_resolves_failed: AtomicU64,
}

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

/// A real source with a probe around each of its lookups (the same token, the same future).
struct Probed {
    inner: Arc<dyn Source>,
    probes: Arc<ProbeStats>,
    /// A fallback source: its resolves are of copies the race chose, and a failed one (not
    /// cancelled) may rightly end in "cannot play".
    copies: bool,
}

impl Source for Probed {
    fn resolve(&self, track: Track, cancel: CancellationToken) -> ResolveFuture {
        let probe = probe(&self.probes, &cancel);
        let failures = self.copies.then(|| (self.probes.clone(), cancel.clone()));
        let lookup = self.inner.resolve(track, cancel);
        Box::pin(async move {
            let _probe = probe;
            let result = lookup.await;
            if let Some((probes, cancel)) = failures
                && result.is_err()
                && !cancel.is_cancelled()
            {
                probes.copy_resolves_failed.fetch_add(1, Ordering::SeqCst);
            }
            result
        })
    }

    fn find(&self, wanted: Track, cancel: CancellationToken) -> FindFuture {
        let probe = probe(&self.probes, &cancel);
        let lookup = self.inner.find(wanted, cancel);
        Box::pin(async move {
            let _probe = probe;
            lookup.await
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The audio side.

#[derive(Clone, Default)]
struct RecordingAudio(Arc<Mutex<AudioLog>>);

#[derive(Default)]
struct AudioLog {
    current: Option<(lyrebird_core::PlayId, String)>,
    last_play_id: lyrebird_core::PlayId,
    loads: u64,
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

/// The server (its base URL) and the song id a Subsonic stream URL plays.
fn stream_of(url: &str) -> (String, String) {
    let (base, query) = url.split_once("/rest/").expect("a Subsonic URL");
    let (_, params) = parse(&format!("GET /rest/{query} HTTP/1.1"));
    (
        base.to_owned(),
        params.get("id").cloned().unwrap_or_default(),
    )
}

// ---------------------------------------------------------------------------------------------
// The run.

#[derive(Default, Debug)]
struct Tally {
    played: u64,
    cannot_play: u64,
    skips: u64,
}

/// Where each server's copies are, by base URL: its label.
type Labels = Arc<HashMap<String, String>>;

#[allow(clippy::too_many_lines)] // one player's plays, read top to bottom
async fn drive(
    player: PlayerHandle,
    mut events: mpsc::UnboundedReceiver<Published>,
    audio: RecordingAudio,
    labels: Labels,
    plays: usize,
    seed: u64,
) -> Tally {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut tally = Tally::default();
    let mut published: Option<PlayerState> = None;
    for play in 0..plays {
        for _ in 0..rng.usize(0..=3) {
            player.send(Action::ClearQueue);
            player.send(Action::PlayTracks(vec![netease_track(rng.u64(..SONGS))]));
            tally.skips += 1;
            let pause = rng.u64(0..=40);
            if pause > 0 {
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
        }
        let k = rng.u64(..SONGS);
        let wanted = netease_track(k);
        player.act(Action::ClearQueue).await.unwrap();
        player
            .act(Action::PlayTracks(vec![wanted.clone()]))
            .await
            .unwrap();
        let started = Instant::now();
        loop {
            let snap = player.snapshot().await.unwrap();
            // Everything the actor published before it answered is in the channel now.
            let mut said_cannot_play = false;
            while let Ok(p) = events.try_recv() {
                match p.event {
                    PlayerEvent::State(state) => published = Some(*state),
                    PlayerEvent::Notice(Notice::CannotPlay { ref name, .. })
                        if *name == wanted.display_name() =>
                    {
                        said_cannot_play = true;
                    }
                    _ => {}
                }
            }
            let state = &snap.state;
            if state.status == PlaybackStatus::Stopped {
                assert!(
                    said_cannot_play,
                    "play {play} of {seed}: stopped without saying why"
                );
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
                let (base, song) = stream_of(&url);
                let server = labels.get(&base).unwrap_or_else(|| {
                    panic!("play {play} of {seed}: a load from no known server ({url})")
                });
                assert!(
                    song.starts_with('s') && song.split('-').count() == 2,
                    "play {play} of {seed}: the audio side plays a decoy ({song})"
                );
                assert_eq!(
                    song.rsplit('-').next(),
                    Some(k.to_string().as_str()),
                    "play {play} of {seed}: the audio side plays another recording ({url})"
                );
                // Displayed == playing: what the window is told. A snapshot may be answered in
                // the turn that made the load, before the turn's events go out: wait for them.
                let wait = tokio::time::timeout(Duration::from_secs(5), async {
                    loop {
                        if published.as_ref().is_some_and(|s| {
                            s.play_id > play_id || s.play_id == play_id && s.playing_from.is_some()
                        }) {
                            return;
                        }
                        let p = events.recv().await.expect("the actor publishes");
                        if let PlayerEvent::State(state) = p.event {
                            published = Some(*state);
                        }
                    }
                });
                assert!(
                    wait.await.is_ok(),
                    "play {play} of {seed}: the load playing was never published (last: {:?})",
                    published
                        .as_ref()
                        .map(|s| (s.play_id, s.current.as_ref().map(|t| &t.id)))
                );
                let shown = published.as_ref().unwrap();
                assert_eq!(
                    shown.play_id, play_id,
                    "play {play} of {seed}: the published state is of another load"
                );
                assert_eq!(
                    shown.current.as_ref().map(|t| &t.id),
                    Some(&wanted.id),
                    "play {play} of {seed}: the window shows another track than the one playing"
                );
                let from = shown.playing_from.as_ref().unwrap_or_else(|| {
                    panic!("play {play} of {seed}: no 'Playing from' published")
                });
                assert_eq!(
                    &from.source_label, server,
                    "play {play} of {seed}: 'Playing from' names another server than the one \
                     streaming"
                );
                tally.played += 1;
                break;
            }
            assert!(
                started.elapsed() < SETTLE_BUDGET,
                "play {play} of {seed}: did not settle ({:?}, play id {}, audio {:?})",
                state.status,
                state.play_id,
                audio.0.lock().unwrap().current
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    tally
}

/// Established TCP connections (IPv4 and IPv6) from any local socket to `port` on loopback:
/// this process's connections to the emulator. `None` without `/proc/net/tcp`.
fn connections_to(port: u16) -> Option<usize> {
    let mut count = 0;
    let mut read_any = false;
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        read_any = true;
        count += text
            .lines()
            .skip(1)
            .filter(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let remote_port = fields
                    .get(2)
                    .and_then(|a| a.rsplit(':').next())
                    .and_then(|p| u16::from_str_radix(p, 16).ok());
                remote_port == Some(port) && fields.get(3) == Some(&"01")
            })
            .count();
    }
    read_any.then_some(count)
}

/// A NetEase client for one account, with the xeapi key and session its first call fetched
/// (as the session's owner keeps them).
async fn netease_client(
    http: &reqwest::Client,
    hosts: &ApiHosts,
    music_u: &str,
) -> Arc<NeteaseClient> {
    let device =
        DeviceIdentity::generate(ClientOs::Pc, &mut OsEntropy, emulator::now_ms()).unwrap();
    let credentials = Credentials {
        music_u: Some(music_u.into()),
        ..Credentials::default()
    };
    let mut client = NeteaseClient::new(http.clone(), hosts.clone(), device, credentials);
    let first = client
        .song_url(SONG_BASE + 1, Quality::Exhigh)
        .await
        .unwrap();
    assert!(first.value.url.is_none(), "a VIP-only song had a URL");
    client.apply(&first.update);
    assert!(client.xeapi_key().is_some() && client.xeapi_session().is_some());
    Arc::new(client)
}

/// What the emulator's log says about each request: all opened, each with its own identity.
#[derive(Default, Debug)]
struct EmulatorLog {
    requests: u64,
    by_api: HashMap<String, u64>,
    faulted: u64,
    /// Not opened, or refused as malformed.
    malformed: Vec<String>,
    /// With a device that was not one of the two, or the device's account not its own.
    foreign_identity: Vec<String>,
}

fn check_log(entries: &[Value], valid_device: &str, unknown_device: &str) -> EmulatorLog {
    let mut out = EmulatorLog::default();
    for e in entries {
        out.requests += 1;
        let api = e["api"].as_str().unwrap_or("?").to_owned();
        *out.by_api.entry(api.clone()).or_default() += 1;
        if e["fault"].is_number() {
            out.faulted += 1;
        }
        let short = || {
            let mut text = e.to_string();
            text.truncate(600);
            text
        };
        if e["status"] == 400 || e["error"].is_string() || e["decrypted"] != true {
            out.malformed.push(short());
            continue;
        }
        // The device named by the cookies, the xeapi headers and (eapi) the encrypted header:
        // one device, whichever of them the scheme sends.
        let named: HashSet<&str> = [
            e["cookies"]["deviceId"].as_str(),
            e["cookies"]["sDeviceId"].as_str(),
            e["headers"]["x-deviceid"].as_str(),
            e["params"]["header"]["deviceId"].as_str(),
            e["params"]["deviceId"].as_str(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let login = e["login"].as_str().unwrap_or("?");
        // The xeapi key exchange is sent without a login, by either device.
        let key_exchange = api == "/api/gorilla/anti/crawler/security/key/get";
        let own = match named.iter().collect::<Vec<_>>().as_slice() {
            [d] if key_exchange => {
                (**d == valid_device || **d == unknown_device) && login == "none"
            }
            [d] if **d == valid_device => login == "valid",
            [d] if **d == unknown_device => login == "invalid",
            _ => false,
        };
        if !own {
            out.foreign_identity
                .push(format!("{named:?} {login}: {}", short()));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines)] // one scenario, read top to bottom
async fn vip_netease_plays_race_four_subsonic_servers_with_skips_mid_race() {
    let plays = env_or("LYREBIRD_SEED_PLAYS", 1_000);
    let players = env_or("LYREBIRD_SEED_PLAYERS", 8).clamp(2, plays.max(2));
    let dir = tempfile::tempdir().unwrap();
    let scenario_file = dir.path().join("scenario.json");
    std::fs::write(&scenario_file, scenario().to_string()).unwrap();
    let scenario_arg = scenario_file.into_os_string();
    let emu = match emulator::start(&[
        std::ffi::OsStr::new("--weapi-rsa"),
        std::ffi::OsStr::new("generate"),
        std::ffi::OsStr::new("--scenario"),
        &scenario_arg,
    ]) {
        Ok(emu) => emu,
        Err(why) => return emulator::skip_or_fail(&why),
    };
    let emu_port: u16 = emu.ready["port"].as_u64().unwrap().try_into().unwrap();
    let began = std::time::Instant::now();
    // The test's own calls to the emulator keep no connection.
    let control = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let baseline = connections_to(emu_port);

    // One HTTP client for everything, as the app shares one: nothing else is shared.
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let hosts = ApiHosts::from_vars(Some(&emu.base), Some(emu.weapi_modulus())).unwrap();
    let valid = netease_client(&http, &hosts, VALID_MUSIC_U).await;
    let unknown = netease_client(&http, &hosts, UNKNOWN_MUSIC_U).await;
    let valid_device = valid.device().device_id.clone();
    let unknown_device = unknown.device().device_id.clone();

    let probes = Arc::new(ProbeStats::default());
    let salts = Arc::new(Mutex::new(HashSet::new()));
    let reused_salts = Arc::new(AtomicU64::new(0));
    let mut servers = Vec::new();
    let mut labels = HashMap::new();
    let mut subsonic = Vec::new();
    for style in 0..SERVERS {
        let server = Server {
            style,
            user: format!("listener{style}"),
            password: format!("pässword {style}"),
            salts: salts.clone(),
            reused_salts: reused_salts.clone(),
            stats: Arc::new(ServerStats::default()),
        };
        let base = serve(server.clone()).await;
        let config = ServerConfig::with_password(&base, &server.user, &server.password);
        let client = SubsonicClient::builder(config)
            .http_client(http.clone())
            .build()
            .unwrap();
        labels.insert(base, format!("Server {style}"));
        subsonic.push(Arc::new(client));
        servers.push(server.stats);
    }
    let labels: Labels = Arc::new(labels);
    let registry = |netease: &Arc<NeteaseClient>| {
        let own = NeteaseSource::new(netease.clone(), Quality::Exhigh);
        let mut entries = vec![
            SourceEntry::new(
                "netease",
                SourceKind::NetEase,
                "NetEase",
                Arc::new(Probed {
                    inner: Arc::new(own),
                    probes: probes.clone(),
                    copies: false,
                }),
            )
            .owning_ids_starting_with(lyrebird_netease::source::TRACK_ID_PREFIX),
        ];
        for (style, client) in subsonic.iter().enumerate() {
            entries.push(SourceEntry::new(
                format!("server{style}"),
                SourceKind::Subsonic,
                format!("Server {style}"),
                Arc::new(Probed {
                    inner: client.clone(),
                    probes: probes.clone(),
                    copies: true,
                }),
            ));
        }
        Sources::from_entries(entries)
    };
    let registries = [registry(&valid), registry(&unknown)];
    drop((valid, unknown, subsonic));

    // Random latencies and failures on the emulator: one-shot faults, injected all along.
    let injecting = CancellationToken::new();
    let injector = {
        let (base, stop) = (emu.base.clone(), injecting.clone());
        tokio::spawn(async move {
            // Its own client, keeping its connection (a new one per fault would run the system
            // out of ports in TIME_WAIT); dropped, and the connection closed, when it stops.
            let control = reqwest::Client::builder().no_proxy().build().unwrap();
            let mut rng = fastrand::Rng::with_seed(0x5eed);
            let mut injected = 0u64;
            while !stop.is_cancelled() {
                let fault = match rng.u8(..10) {
                    0..=5 => json!({ "path": "*", "delayMs": rng.u64(1..=40), "times": 1 }),
                    6 | 7 => json!({ "path": "*", "http": 500, "times": 1 }),
                    _ => json!({ "path": "*", "reset": true, "times": 1 }),
                };
                let sent = control
                    .post(format!("{base}/__control/fault"))
                    .header("content-type", "application/json")
                    .body(fault.to_string())
                    .send()
                    .await;
                // A keep-alive connection the emulator closed as this was sent: the next one.
                if sent.is_ok_and(|r| r.status().is_success()) {
                    injected += 1;
                }
                tokio::time::sleep(Duration::from_millis(rng.u64(0..=8))).await;
            }
            injected
        })
    };

    let mut runs = Vec::new();
    let mut handles = Vec::new();
    let mut audios = Vec::new();
    for p in 0..players {
        let audio = RecordingAudio::default();
        let (audio_events_tx, audio_events) = mpsc::unbounded_channel();
        let config = PlayerConfig {
            sources: registries[p % 2].clone(),
            ..PlayerConfig::default()
        };
        let (player, events, actor) = Player::new(config, audio.clone(), audio_events);
        let actor = tokio::spawn(actor);
        let share = plays / players + usize::from(p < plays % players);
        let seed = 0x5eed_0000 + p as u64;
        let driver = tokio::spawn(drive(
            player.clone(),
            events,
            audio.clone(),
            labels.clone(),
            share,
            seed,
        ));
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
    injecting.cancel();
    let injected = injector.await.unwrap();
    let ran_for = began.elapsed();
    let mut stats = Vec::new();
    for (player, actor) in handles {
        stats.push(player.stats().await.unwrap());
        player.shutdown().await.unwrap();
        actor.await.unwrap();
    }
    drop(registries);
    drop(http);
    let cleared = control
        .delete(format!("{}/__control/faults", emu.base))
        .send()
        .await
        .unwrap();
    assert!(cleared.status().is_success());

    // Every connection closes once the clients are gone: the servers count theirs, and the
    // emulator's are counted in the system's table (the test's own calls keep none).
    let open_on_servers = || {
        servers
            .iter()
            .map(|s| s.accepted.load(Ordering::SeqCst) - s.closed.load(Ordering::SeqCst))
            .sum::<u64>()
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while (open_on_servers() > 0 || connections_to(emu_port) > baseline)
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let to_emulator = connections_to(emu_port);

    let log = emu.inspect(&control, "/log").await;
    let entries = log["entries"].as_array().expect("the emulator's log");
    let checked = check_log(entries, &valid_device, &unknown_device);

    let sum = |f: fn(&lyrebird_core::actor::ActorStats) -> u64| stats.iter().map(f).sum::<u64>();
    let out_of_order: u64 = audios
        .iter()
        .map(|a| a.0.lock().unwrap().out_of_order)
        .sum();
    let loads: u64 = audios.iter().map(|a| a.0.lock().unwrap().loads).sum();
    let load = |f: fn(&ServerStats) -> &AtomicU64| {
        servers
            .iter()
            .map(|s| f(s).load(Ordering::SeqCst))
            .sum::<u64>()
    };
    let foreign = load(|s| &s.foreign_credentials);
    let max_cancel_us = probes.max_cancel_to_end_us.load(Ordering::SeqCst);
    eprintln!(
        "NetEase seed regression: {plays} plays on {players} players in {:.1} s: {} played from a \
         copy, {} could not play ({} copies failed to resolve), {} skips; {loads} loads; lookups {} (cancelled {}), stale \
         replies dropped {}, races {} (won {}, lost {}); probed tasks {} (ended {}), cancelled \
         {}, max cancel→end {:?}; emulator: {} requests {:?}, {injected} faults injected, {} \
         taken, connections to it {to_emulator:?} at the end (baseline {baseline:?}); Subsonic: {} \
         requests ({} searches) on {} connections",
        ran_for.as_secs_f64(),
        tally.played,
        tally.cannot_play,
        probes.copy_resolves_failed.load(Ordering::SeqCst),
        tally.skips,
        sum(|s| s.lookups_started),
        sum(|s| s.lookups_cancelled),
        sum(|s| s.stale_lookup_replies),
        sum(|s| s.races_started),
        sum(|s| s.races_won),
        sum(|s| s.races_lost),
        probes.started.load(Ordering::SeqCst),
        probes.ended.load(Ordering::SeqCst),
        probes.cancelled.load(Ordering::SeqCst),
        Duration::from_micros(max_cancel_us),
        checked.requests,
        checked.by_api,
        checked.faulted,
        load(|s| &s.requests),
        load(|s| &s.searches),
        load(|s| &s.accepted),
    );

    assert_eq!(tally.played + tally.cannot_play, plays as u64);
    assert!(
        tally.played > 0 && sum(|s| s.lookups_cancelled) > 0 && sum(|s| s.races_started) > 0,
        "nothing was exercised"
    );
    assert!(
        checked.requests > 0 && checked.faulted > 0,
        "the emulator saw no requests, or no faults"
    );
    // "Cannot play" is right only when the race found no copy in time, a chosen copy failed,
    // or the actor refused a lookup; any other means an answer went to the wrong load.
    let may_not_play = sum(|s| s.races_lost)
        + probes.copy_resolves_failed.load(Ordering::SeqCst)
        + sum(|s| s.lookups_refused);
    assert!(
        tally.cannot_play <= may_not_play,
        "{} plays ended in 'cannot play', but only {may_not_play} races were lost, copies \
         failed or lookups were refused: a stale answer applied?",
        tally.cannot_play
    );
    assert_eq!(
        out_of_order, 0,
        "an old load reached the audio side after a newer one"
    );
    assert!(
        checked.malformed.is_empty(),
        "{} requests did not open at the emulator, e.g. {}",
        checked.malformed.len(),
        checked.malformed[0]
    );
    assert!(
        checked.foreign_identity.is_empty(),
        "{} requests carried another account's identity, e.g. {}",
        checked.foreign_identity.len(),
        checked.foreign_identity[0]
    );
    assert_eq!(
        foreign, 0,
        "Subsonic requests carried another's credentials"
    );
    assert_eq!(
        reused_salts.load(Ordering::SeqCst),
        0,
        "a Subsonic salt was used twice"
    );
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
    assert_eq!(open_on_servers(), 0, "connections to the servers left open");
    assert!(
        to_emulator <= baseline,
        "connections to the emulator left open: {to_emulator:?} (baseline {baseline:?})"
    );
}
