//! Benchmark (issue #18): from a click on a NetEase track to its first audio, end to end,
//! through the NetEase emulator on loopback, against the emulator's own answers.
//!
//! `cargo run --release -p lyrebird-audio --example netease_first_audio -- [ROUNDS]`
//! (`tests/bench/netease.sh` runs it on a real-time PulseAudio null sink).
//!
//! The emulator (`tests/netease-emulator`, node) holds a weapi key of its own; the client is
//! signed in with its preset cookie (a VIP listener) and holds the xeapi key and session its
//! first call fetched, as the session's owner keeps them. The real actor with the real
//! `NeteaseSource` as its only source, and the real audio thread with the app's streamer (no
//! disk cache, so every play fetches). Each round:
//!
//! 1. **click → first audio**: `PlayTracks` to the actor → `NeteaseSource::resolve` (the song
//!    URL, xeapi, and the song's details, weapi, at once) → `Load` → the stream opens on the
//!    emulator's `/__audio/…` URL → decoded → the device callback takes the first sample
//!    (`Audible`). Two songs alternate (exhigh: a 320 kbit/s MP3, 22 050 Hz mono sine).
//! 2. **the emulator's own answers**, measured right after, one after the other: the same two
//!    API requests, built beforehand, sent at once (HTTP, the emulator's decryption, routing
//!    and sealing, the client reading the reply); then a plain GET of the song's audio URL to
//!    its headers and first body chunk.
//!
//! The difference (1) − (2), per round, is what Lyrebird adds: the actor, building and
//! sealing the requests, classifying, the stream's open and probe, decoding and the device.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)] // percentiles of a few hundred samples

use std::sync::Arc;
use std::time::{Duration, Instant};

use lyrebird_core::actor::{Action, Player, PlayerConfig};
use lyrebird_core::audio::AudioEvent;
use lyrebird_core::model::SourceKind;
use lyrebird_core::provider::{SourceEntry, Sources};
use lyrebird_netease::client::NeteaseClient;
use lyrebird_netease::crypto::OsEntropy;
use lyrebird_netease::model::Quality;
use lyrebird_netease::source::{NeteaseSource, TRACK_ID_PREFIX, song_to_track};
use lyrebird_netease::{
    ApiCall, ApiHosts, ClientOs, Credentials, DeviceIdentity, Params, RequestContext, Scheme,
    build, send,
};
use lyrebird_stream::Streamer;
use tokio::sync::mpsc;

#[path = "../../lyrebird-netease/tests/support/emulator.rs"]
mod emulator;
use emulator::now_ms;

const PRESET_MUSIC_U: &str = "EMU_MUSIC_U_PRESET_10001";
/// "Loopback Morning" and "Instrumental Hum": free songs the emulator serves at exhigh.
const SONGS: [u64; 2] = [1001, 1007];

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines)] // one benchmark, read top to bottom
async fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(50, |n| n.parse().expect("a number of rounds"));
    let emu = emulator::start(&["--weapi-rsa", "generate"]).expect("the emulator starts");
    let hosts = ApiHosts::from_vars(Some(&emu.base), Some(emu.weapi_modulus())).unwrap();
    let device = DeviceIdentity::generate(ClientOs::Pc, &mut OsEntropy, now_ms()).unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let credentials = Credentials {
        music_u: Some(PRESET_MUSIC_U.into()),
        ..Credentials::default()
    };
    let mut client = NeteaseClient::new(http.clone(), hosts.clone(), device.clone(), credentials);
    let first = client.song_url(SONGS[0], Quality::Exhigh).await.unwrap();
    client.apply(&first.update);
    let client = Arc::new(client);
    // The tracks as a NetEase list gives them to the actor.
    let songs = client.song_details(&SONGS).await.unwrap().value;
    let tracks: Vec<_> = SONGS
        .iter()
        .map(|id| song_to_track(songs.iter().find(|s| s.id == *id).unwrap()).unwrap())
        .collect();

    let source = NeteaseSource::new(client.clone(), Quality::Exhigh);
    let sources = Sources::from_entries([SourceEntry::new(
        "netease",
        SourceKind::NetEase,
        "NetEase",
        Arc::new(source),
    )
    .owning_ids_starting_with(TRACK_ID_PREFIX)]);
    let streams = lyrebird_audio::StreamSupport {
        streamer: Arc::new(Streamer::new(http.clone(), None)),
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
            match &event {
                AudioEvent::Audible { play_id } => {
                    let _ = audible_tx.send((*play_id, Instant::now()));
                }
                AudioEvent::Failed { reason, .. } => panic!("the stream failed: {reason}"),
                _ => {}
            }
            let _ = to_actor.send(event);
        }
    });
    let config = PlayerConfig {
        sources,
        ..PlayerConfig::default()
    };
    let (player, _events, actor) = Player::new(config, audio.clone(), actor_events);
    tokio::spawn(actor);

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

    // The emulator's own answers for one song: the resolve's two requests, built beforehand
    // and sent at once; then its audio URL to the first body chunk.
    let emulator_alone = async |id: u64| -> (Duration, Duration) {
        let (key, session) = (client.xeapi_key().cloned(), client.xeapi_session().cloned());
        let ctx = RequestContext {
            hosts: &hosts,
            device: client.device(),
            credentials: client.credentials(),
            xeapi_key: key.as_ref(),
            xeapi_session: session.as_ref(),
        };
        let url_call = ApiCall::new(
            Scheme::Xeapi,
            "/api/song/enhance/player/url/v1",
            Params::new()
                .with("ids", format!("[{id}]"))
                .with("level", Quality::Exhigh.as_str())
                .with("encodeType", "flac"),
        );
        let details_call = ApiCall::new(
            Scheme::Weapi,
            "/api/v3/song/detail",
            Params::new().with("c", format!("[{{\"id\":{id}}}]")),
        );
        let url_request = build(&url_call, &ctx, &mut OsEntropy, now_ms()).unwrap();
        let details_request = build(&details_call, &ctx, &mut OsEntropy, now_ms()).unwrap();
        let at = Instant::now();
        let (url_reply, details_reply) =
            tokio::join!(send(&http, &url_request), send(&http, &details_request));
        let api = at.elapsed();
        let url_reply = url_reply.unwrap();
        assert_eq!(details_reply.unwrap().status, 200);
        let audio_url = url_reply.json["data"][0]["url"]
            .as_str()
            .expect("a URL")
            .to_owned();
        let at = Instant::now();
        let mut response = http.get(&audio_url).send().await.unwrap();
        assert!(response.status().is_success());
        response.chunk().await.unwrap().expect("a first chunk");
        let first_chunk = at.elapsed();
        drop(response);
        (api, first_chunk)
    };

    // Warm up: opens the device; the emulator makes each song's file (ffmpeg) on first use.
    for track in tracks.iter().chain(&tracks) {
        until_audible(Action::PlayTracks(vec![track.clone()])).await;
        emulator_alone(song_id(track)).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let (mut e2e, mut api, mut audio_first, mut emulated, mut over) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let track = &tracks[round % tracks.len()];
        let took = until_audible(Action::PlayTracks(vec![track.clone()])).await;
        let state = player.snapshot().await.unwrap().state;
        assert_eq!(state.current.as_ref().map(|t| &t.id), Some(&track.id));
        assert!(state.playing_from.is_none(), "NetEase itself plays it");
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (a, f) = emulator_alone(song_id(track)).await;
        e2e.push(took);
        api.push(a);
        audio_first.push(f);
        emulated.push(a + f);
        over.push(took.saturating_sub(a + f));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    player.shutdown().await.unwrap();
    drop(audio);
    let _ = thread.join();

    println!("{rounds} rounds, songs {SONGS:?} at exhigh, loopback");
    println!("| | p50 (ms) | p95 (ms) | max (ms) |");
    println!("|---|---:|---:|---:|");
    report(
        "click → first audio (actor, resolve, stream, decode, device)",
        e2e,
    );
    report(
        "emulator: the resolve's two requests (song URL xeapi ∥ details weapi)",
        api,
    );
    report(
        "emulator: the audio URL to its first body chunk",
        audio_first,
    );
    report("emulator's own answers, summed", emulated);
    report(
        "**Lyrebird's overhead** (per round: end to end − emulator)",
        over,
    );
}

fn song_id(track: &lyrebird_core::model::Track) -> u64 {
    lyrebird_netease::source::song_id(&track.id).expect("a NetEase track")
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| {what} | {:.2} | {:.2} | {:.2} |",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(at(1.0))
    );
}
