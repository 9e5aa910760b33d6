//! Benchmark (issue #18): what Lyrebird's NetEase client costs over the emulator's own answer,
//! on loopback.
//!
//! `cargo run --release -p lyrebird-netease --example netease_latency -- [ROUNDS]`
//!
//! Starts the NetEase emulator (`tests/netease-emulator`, node) with a weapi key of its own,
//! signs in with its preset cookie, then times, `ROUNDS` times each (default 200):
//! - a song's URL (xeapi: X25519 + AES-GCM, the key fetched once and kept, as the session's
//!   owner keeps it), round trip, and the client's own part of it: building and sealing the
//!   request (`build`) and reading the reply;
//! - the first page of a 10 000-track playlist as the app opens it: the playlist's detail
//!   (10 000 ids) and the details of its first 500 songs.
//!
//! The difference between a round trip and the client's own part is the emulator (node, its
//! own decryption with the npm package) and the loopback HTTP.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)] // percentiles of a few hundred samples

use std::time::{Duration, Instant};

use lyrebird_netease::client::NeteaseClient;
use lyrebird_netease::crypto::OsEntropy;
use lyrebird_netease::model::Quality;
use lyrebird_netease::{
    ApiCall, ApiHosts, ClientOs, Credentials, DeviceIdentity, Params, RequestContext, Scheme, build,
};

#[path = "../tests/support/emulator.rs"]
mod emulator;
use emulator::now_ms;

const PRESET_MUSIC_U: &str = "EMU_MUSIC_U_PRESET_10001";

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| {what} | {} | {:.3} | {:.3} | {:.3} |",
        samples.len(),
        ms(at(0.5)),
        ms(at(0.95)),
        ms(at(1.0))
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(200, |n| n.parse().expect("a number of rounds"));
    let emu = emulator::start(&["--weapi-rsa", "generate"]).expect("the emulator starts");
    let hosts = ApiHosts::from_vars(Some(&emu.base), Some(emu.weapi_modulus())).unwrap();
    let device = DeviceIdentity::generate(ClientOs::Pc, &mut OsEntropy, now_ms()).unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let credentials = Credentials {
        music_u: Some(PRESET_MUSIC_U.into()),
        ..Credentials::default()
    };
    let mut client = NeteaseClient::new(http, hosts.clone(), device.clone(), credentials.clone());

    // The first call fetches the xeapi key; the session's owner keeps it, so do we.
    let first = client.song_url(1001, Quality::Exhigh).await.unwrap();
    client.apply(&first.update);
    assert!(first.value.url.is_some(), "the emulator gave no URL");

    println!("| call, loopback | rounds | p50 (ms) | p95 (ms) | max (ms) |");
    println!("|---|---:|---:|---:|---:|");
    let mut round_trips = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        let answer = client.song_url(1001, Quality::Exhigh).await.unwrap();
        round_trips.push(started.elapsed());
        client.apply(&answer.update);
    }
    report("song URL (xeapi), round trip", round_trips);

    let key = client.xeapi_key().cloned();
    let session = client.xeapi_session().cloned();
    let ctx = RequestContext {
        hosts: &hosts,
        device: &device,
        credentials: &credentials,
        xeapi_key: key.as_ref(),
        xeapi_session: session.as_ref(),
    };
    let mut building = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let call = ApiCall::new(
            Scheme::Xeapi,
            "/api/song/enhance/player/url/v1",
            Params::new()
                .with("ids", "[1001]")
                .with("level", "exhigh")
                .with("encodeType", "flac"),
        );
        let started = Instant::now();
        let prepared = build(&call, &ctx, &mut OsEntropy, now_ms()).unwrap();
        building.push(started.elapsed());
        std::hint::black_box(prepared);
    }
    report(
        "song URL (xeapi), building and sealing the request",
        building,
    );

    let (mut pages, mut details, mut songs_500) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds.min(50) {
        let started = Instant::now();
        let detail = client.playlist_detail(2002).await.unwrap().value;
        let got_ids = started.elapsed();
        let first: Vec<u64> = detail.track_ids.iter().copied().take(500).collect();
        let songs = client.song_details(&first).await.unwrap().value;
        pages.push(started.elapsed());
        details.push(got_ids);
        songs_500.push(started.elapsed().saturating_sub(got_ids));
        assert_eq!(detail.track_ids.len(), 10_000);
        assert_eq!(songs.len(), 500);
    }
    report("10 000-track playlist: its detail (10 000 ids)", details);
    report(
        "10 000-track playlist: the first 500 songs' details",
        songs_500,
    );
    report("10 000-track playlist: first page in all", pages);
}
