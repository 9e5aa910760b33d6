//! Benchmark (issue #18): the fallback race's overhead for a VIP NetEase track, with real
//! sources on loopback — the mirror of `lyrebird-core`'s `race_latency` (fake sources).
//!
//! `cargo run --release -p lyrebird-sources --example netease_race_overhead -- [PLAYS] [unflagged]`
//!
//! The NetEase emulator (`tests/netease-emulator`, node, its own weapi key) lists songs that
//! are VIP-only for its listener (no VIP). The real actor, an audio side that only notes when
//! each `Load` reaches it, and four real sources in the app's order: the library (the real
//! `LibrarySource` over a real index), two Subsonic servers (the real `SubsonicClient` against
//! fake servers on 127.0.0.1 whose `search3` answers after 20 and 40 ms), and NetEase (the real
//! `NeteaseSource`, signed in with the emulator's preset cookie, holding the xeapi key and
//! session its first call fetched). Each play is a new NetEase track (no remembered decision),
//! marked as NetEase's lists mark it (`Track::unplayable`: needs VIP), so the actor asks
//! NetEase (song URL, xeapi, and details, weapi, at once: "needs VIP") and races the other
//! sources at the same time; the winner's copy is resolved → `Load`. With `unflagged`, the
//! tracks carry no mark (a track whose list said nothing), and the race starts only after
//! NetEase's "needs VIP": `PlayTracks` → NetEase's resolve → the race → the winner's copy
//! resolved → `Load`. Two halves:
//!
//! - **the library's copy wins**: the library holds a tagged file with the song's title,
//!   artist and length (a perfect match) and is the user's first choice, so its answer decides
//!   at once; the servers' finds are cancelled.
//! - **a server's copy wins**: songs the library does not have; server A (20 ms, first among
//!   the servers) lists a perfect copy and wins when it answers; server B is cancelled.
//!
//! Every source is wrapped in a probe that notes when each call started and answered, inside
//! the source (as `race_latency`'s fakes do). Per play: play → `Load` minus the winner's find
//! and resolve — what the user waits beyond the copy itself; for unflagged tracks, minus
//! NetEase's own resolve too (the emulator saying "needs VIP", which those wait for before the
//! race): **overhead**, what the actor and the race add. A flagged track's NetEase lookup runs
//! beside the race and is cancelled when a copy wins first (its time is then not known).
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)] // percentiles of a few thousand samples

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lyrebird_core::actor::{Action, Player, PlayerConfig};
use lyrebird_core::model::{SourceKind, Track};
use lyrebird_core::provider::{FindFuture, Playable, ResolveFuture, Source, SourceEntry, Sources};
use lyrebird_core::servers::SourceSettings;
use lyrebird_core::{AudioCommand, Unplayable};
use lyrebird_library::service::LibraryHandle;
use lyrebird_netease::client::NeteaseClient;
use lyrebird_netease::crypto::OsEntropy;
use lyrebird_netease::model::Quality;
use lyrebird_netease::source::{NeteaseSource, TRACK_ID_PREFIX, track_id};
use lyrebird_netease::{ApiHosts, ClientOs, Credentials, DeviceIdentity};
use lyrebird_sources::RegistryBuilder;
use lyrebird_sources::secrets::SecretStore;
use lyrebird_subsonic::{ServerConfig, SubsonicClient};
use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[path = "../../lyrebird-netease/tests/support/emulator.rs"]
mod emulator;
#[path = "../tests/support/wav.rs"]
mod wav;

use wav::write_tagged_wav;

const PRESET_MUSIC_U: &str = "EMU_MUSIC_U_PRESET_10001";
const ARTIST: &str = "周杰伦";
/// The library's copy, and every song of the first half: this title, artist and length.
const LOCAL_TITLE: &str = "晴天";
const LENGTH_S: u32 = 30;
/// Songs of the first half (the library's copy wins) and of the second (server A's).
const LOCAL_BASE: u64 = 800_000;
const SERVER_BASE: u64 = 900_000;
/// The servers' `search3` latencies.
const SERVER_DELAYS_MS: [(&str, u64); 2] = [("a", 20), ("b", 40)];
const WARM_UP: usize = 20;

fn server_title(k: usize) -> String {
    format!("夜曲 {k}")
}

/// The emulator's catalogue: every song VIP-only (fee 1) for a listener without VIP.
fn scenario(plays: usize) -> serde_json::Value {
    let song = |id: u64, name: String| {
        json!({ "id": id, "name": name, "artist": ARTIST, "album": "Overhead", "fee": 1,
                "maxLevel": "exhigh", "toneHz": 440, "durationMs": LENGTH_S * 1000 })
    };
    let count = plays + WARM_UP;
    let songs: Vec<_> = (0..count)
        .map(|k| song(LOCAL_BASE + k as u64, LOCAL_TITLE.to_owned()))
        .chain((0..count).map(|k| song(SERVER_BASE + k as u64, server_title(k))))
        .collect();
    json!({
        "user": { "vipType": 0, "musicU": PRESET_MUSIC_U },
        "songs": songs, "daily": [], "fm": [], "liked": [], "cloud": [], "playlists": [],
    })
}

/// A song as NetEase's lists give it: marked VIP only (`flagged`), or with no mark.
fn netease_track(id: u64, title: &str, flagged: bool) -> Track {
    Track {
        unplayable: flagged.then_some(Unplayable::NeedsVip),
        artists: vec![ARTIST.into()],
        album: Some("Overhead".into()),
        duration_ms: Some(u64::from(LENGTH_S) * 1000),
        ..Track::new(track_id(id), SourceKind::NetEase, title)
    }
}

// ---------------------------------------------------------------------------------------------
// Probes: when each call of each source started and answered.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    Find,
    Resolve,
}

#[derive(Debug)]
struct Ended {
    source: &'static str,
    call: Call,
    took: Option<Duration>,
}

type Log = Arc<Mutex<Vec<Ended>>>;
/// Calls started and not yet ended.
type Open = Arc<AtomicUsize>;

/// Notes, when dropped, how long its call took (`None`: it never answered — cancelled).
struct Note {
    log: Log,
    open: Open,
    source: &'static str,
    call: Call,
    started: Instant,
    answered: Option<Instant>,
}

impl Note {
    fn answered_now(&mut self) {
        self.answered = Some(Instant::now());
    }
}

impl Drop for Note {
    fn drop(&mut self) {
        self.log.lock().unwrap().push(Ended {
            source: self.source,
            call: self.call,
            took: self.answered.map(|at| at - self.started),
        });
        self.open.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Probed {
    name: &'static str,
    inner: Arc<dyn Source>,
    log: Log,
    open: Open,
}

impl Probed {
    fn note(&self, call: Call) -> Note {
        self.open.fetch_add(1, Ordering::SeqCst);
        Note {
            log: self.log.clone(),
            open: self.open.clone(),
            source: self.name,
            call,
            started: Instant::now(),
            answered: None,
        }
    }
}

impl Source for Probed {
    fn resolve(&self, track: Track, cancel: CancellationToken) -> ResolveFuture {
        let mut note = self.note(Call::Resolve);
        let inner = self.inner.resolve(track, cancel);
        Box::pin(async move {
            let answer = inner.await;
            note.answered_now();
            answer
        })
    }

    fn find(&self, wanted: Track, cancel: CancellationToken) -> FindFuture {
        let mut note = self.note(Call::Find);
        let inner = self.inner.find(wanted, cancel);
        Box::pin(async move {
            let answer = inner.await;
            note.answered_now();
            answer
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Fake Subsonic servers: `search3` lists one song with the title asked for, the artist and
// the length, after a fixed delay; anything else is an empty "ok".

async fn subsonic_server(delay: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(subsonic_connection(stream, delay));
        }
    });
    base
}

async fn subsonic_connection(mut stream: TcpStream, delay: Duration) {
    let mut buffer = Vec::with_capacity(1024);
    loop {
        let end = loop {
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let mut chunk = [0u8; 2048];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
        buffer.drain(..end);
        let target = head
            .lines()
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .unwrap_or("/");
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut body = json!({"status": "ok", "version": "1.16.1"});
        if path.ends_with("/search3") || path.ends_with("/search3.view") {
            tokio::time::sleep(delay).await;
            let title = url_query(query, "query").unwrap_or_default();
            body["searchResult3"] = json!({ "song": [{
                "id": format!("copy-{}", title.len()), "title": title, "artist": ARTIST,
                "album": "Overhead", "duration": LENGTH_S, "isDir": false, "suffix": "flac" }] });
        }
        let body = json!({ "subsonic-response": body }).to_string();
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// One parameter of a query string, decoded.
fn url_query(query: &str, name: &str) -> Option<String> {
    let url = format!("http://x/?{query}");
    reqwest::Url::parse(&url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

// ---------------------------------------------------------------------------------------------

/// One play's times.
struct Play {
    to_load: Duration,
    /// `None`: cancelled before it answered (a copy won first).
    netease: Option<Duration>,
    find: Duration,
    resolve: Duration,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines)] // one benchmark, read top to bottom
async fn main() {
    let plays: usize = std::env::args()
        .nth(1)
        .map_or(500, |n| n.parse().expect("a number of plays"));
    let flagged = std::env::args().nth(2).is_none_or(|a| a != "unflagged");
    let dir = tempfile::tempdir().unwrap();
    let scenario_file = dir.path().join("scenario.json");
    std::fs::write(&scenario_file, scenario(plays).to_string()).unwrap();
    let emu = emulator::start(&[
        std::ffi::OsStr::new("--weapi-rsa"),
        std::ffi::OsStr::new("generate"),
        std::ffi::OsStr::new("--scenario"),
        scenario_file.as_os_str(),
    ])
    .expect("the emulator starts");
    let http = reqwest::Client::builder().no_proxy().build().unwrap();

    // NetEase: signed in, with the xeapi key and session its first call fetched.
    let hosts = ApiHosts::from_vars(Some(&emu.base), Some(emu.weapi_modulus())).unwrap();
    let device =
        DeviceIdentity::generate(ClientOs::Pc, &mut OsEntropy, emulator::now_ms()).unwrap();
    let credentials = Credentials {
        music_u: Some(PRESET_MUSIC_U.into()),
        ..Credentials::default()
    };
    let mut client = NeteaseClient::new(http.clone(), hosts, device, credentials);
    let first = client.song_url(LOCAL_BASE, Quality::Exhigh).await.unwrap();
    assert!(first.value.url.is_none(), "a VIP-only song had a URL");
    client.apply(&first.update);
    let netease = NeteaseSource::new(Arc::new(client), Quality::Exhigh);

    // The library, holding the first half's copy.
    let music = dir.path().join("music");
    std::fs::create_dir_all(&music).unwrap();
    let copy = music.join("qingtian.wav");
    write_tagged_wav(&copy, LOCAL_TITLE, ARTIST, LENGTH_S);
    let (library, _) = LibraryHandle::spawn(None);
    library
        .sync(vec![music.clone()], SourceKind::Local, |_| {})
        .await
        .unwrap();
    let built = RegistryBuilder {
        library,
        secrets: SecretStore::new(dir.path(), None),
        http: None,
        netease: None,
    }
    .build(&SourceSettings::default())
    .await;
    let library_source = built
        .by_id(lyrebird_core::servers::LIBRARY_SOURCE_ID)
        .expect("the library is a source")
        .source
        .clone();

    let (log, open): (Log, Open) = (Arc::default(), Arc::default());
    let probed = |name: &'static str, inner: Arc<dyn Source>| -> Arc<dyn Source> {
        Arc::new(Probed {
            name,
            inner,
            log: log.clone(),
            open: open.clone(),
        })
    };
    let mut entries = vec![SourceEntry::new(
        "library",
        SourceKind::Local,
        "library",
        probed("library", library_source),
    )];
    let mut server_base = Vec::new();
    for (name, ms) in SERVER_DELAYS_MS {
        let base = subsonic_server(Duration::from_millis(ms)).await;
        let config = ServerConfig::with_password(&base, "listener", "password");
        let subsonic = SubsonicClient::builder(config)
            .http_client(http.clone())
            .build()
            .unwrap();
        entries.push(SourceEntry::new(
            name,
            SourceKind::Subsonic,
            format!("Server {name}"),
            probed(name, Arc::new(subsonic)),
        ));
        server_base.push(base);
    }
    entries.push(
        SourceEntry::new(
            "netease",
            SourceKind::NetEase,
            "NetEase",
            probed("netease", Arc::new(netease)),
        )
        .owning_ids_starting_with(TRACK_ID_PREFIX),
    );
    let config = PlayerConfig {
        sources: Sources::from_entries(entries),
        ..PlayerConfig::default()
    };

    // The audio side: notes when each Load arrives and what it loads, answers nothing.
    let (audio_tx, mut audio_rx) = mpsc::unbounded_channel();
    let (loads_tx, mut loads) = mpsc::unbounded_channel::<(String, Instant)>();
    tokio::spawn(async move {
        while let Some(command) = audio_rx.recv().await {
            if let AudioCommand::Load { media, .. } = command {
                let what = match media {
                    Playable::Stream(spec) => spec.url,
                    Playable::File(path) => path.display().to_string(),
                };
                let _ = loads_tx.send((what, Instant::now()));
            }
        }
    });
    let (_audio_events, audio_events_rx) = mpsc::unbounded_channel();
    let (player, mut events, actor) = Player::new(config, audio_tx, audio_events_rx);
    tokio::spawn(actor);
    tokio::spawn(async move { while events.recv().await.is_some() {} });

    // One play of `track`, which `winner` must win with a `Load` of `expected`.
    let mut play = async |track: Track, winner: &'static str, expected: &str| -> Play {
        log.lock().unwrap().clear();
        while loads.try_recv().is_ok() {}
        player.act(Action::ClearQueue).await.unwrap();
        let t0 = Instant::now();
        player.act(Action::PlayTracks(vec![track])).await.unwrap();
        let (what, at) = tokio::time::timeout(Duration::from_secs(5), loads.recv())
            .await
            .expect("a load within 5 s")
            .unwrap();
        assert!(what.starts_with(expected), "{what} is not {winner}'s copy");
        // Every call of this play ends (the losers cancelled) before the next starts. A
        // loser's task cancelled before it first ran never calls its source at all.
        let deadline = Instant::now() + Duration::from_secs(2);
        while open.load(Ordering::SeqCst) > 0 {
            assert!(
                Instant::now() < deadline,
                "the calls of a play never ended: {:?}",
                log.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let log = log.lock().unwrap();
        let answered = |source: &str, call: Call| {
            log.iter()
                .find(|e| e.source == source && e.call == call)
                .and_then(|e| e.took)
        };
        let took = |source: &str, call: Call| {
            answered(source, call).unwrap_or_else(|| panic!("{source} never answered its {call:?}"))
        };
        Play {
            to_load: at - t0,
            netease: answered("netease", Call::Resolve),
            find: took(winner, Call::Find),
            resolve: if winner == "library" {
                Duration::ZERO
            } else {
                took(winner, Call::Resolve)
            },
        }
    };

    let local_copy = copy.display().to_string();
    let server_copy = format!("{}/", server_base[0]);
    let halves: [(&str, &'static str, &str, u64); 2] = [
        (
            "the library's copy wins",
            "library",
            &local_copy,
            LOCAL_BASE,
        ),
        (
            "server A's copy wins (20 ms)",
            "a",
            &server_copy,
            SERVER_BASE,
        ),
    ];
    let began = Instant::now();
    for (what, winner, expected, base) in halves {
        let mut results = Vec::new();
        for k in 0..plays + WARM_UP {
            let title = if base == LOCAL_BASE {
                LOCAL_TITLE.to_owned()
            } else {
                server_title(k)
            };
            let track = netease_track(base + k as u64, &title, flagged);
            let result = play(track, winner, expected).await;
            if k >= WARM_UP {
                results.push(result);
            }
        }
        let marks = if flagged {
            "listed as needing VIP"
        } else {
            "unflagged"
        };
        println!(
            "\n{what}: {plays} plays of tracks {marks} (after {WARM_UP} to warm up), loopback"
        );
        println!("| | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |");
        println!("|---|---:|---:|---:|---:|");
        report(
            "play → `Load` of the winning copy",
            results.iter().map(|p| p.to_load),
        );
        let answered: Vec<_> = results.iter().filter_map(|p| p.netease).collect();
        println!(
            "| NetEase's own resolve answered (not cancelled) | {} of {plays} | | | |",
            answered.len()
        );
        if !answered.is_empty() {
            report(
                "NetEase's own resolve, when it answered (the emulator: needs VIP)",
                answered.into_iter(),
            );
        }
        report("the winner's own find", results.iter().map(|p| p.find));
        report(
            "the winner's own resolve (none for a local file)",
            results.iter().map(|p| p.resolve),
        );
        report(
            "play → `Load` − the winner's find and resolve",
            results
                .iter()
                .map(|p| p.to_load.saturating_sub(p.find + p.resolve)),
        );
        // Only when the race waited for NetEase (unflagged tracks; flagged ones before the
        // actor raced them at once), where NetEase's answer and the race follow each other.
        if results.iter().all(|p| p.netease.is_some()) {
            report(
                "**overhead** (if NetEase was waited for): play → `Load` − NetEase's resolve − \
                 the winner's find and resolve",
                results.iter().map(|p| {
                    let netease = p.netease.unwrap_or_default();
                    p.to_load.saturating_sub(netease + p.find + p.resolve)
                }),
            );
        }
    }
    let stats = player.stats().await.unwrap();
    println!(
        "\n{:.1} s; races started {}, won {}",
        began.elapsed().as_secs_f64(),
        stats.races_started,
        stats.races_won
    );
    player.shutdown().await.unwrap();
}

fn report(what: &str, samples: impl Iterator<Item = Duration>) {
    let mut samples: Vec<_> = samples.collect();
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| {what} | {:.2} | {:.2} | {:.2} | {:.2} |",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(at(0.99)),
        ms(at(1.0))
    );
}
