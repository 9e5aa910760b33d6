//! No secret in any log line, at any level: the client's flows (token, legacy password and API
//! key authentication; browsing, search, scrobble, star; refused credentials; a server that
//! errs) and the audio side streaming the credentialed URLs it hands out, all with every
//! `tracing` event and `log` record of every crate (reqwest, hyper included) captured at TRACE.
//! The password, its hex form, the API key, and every `t`, `s`, `p` and `apiKey` value the
//! server received must appear in none of them.
//!
//! One test in its own binary: it installs the process's global subscriber.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lyrebird_core::provider::{Playable, Source};
use lyrebird_core::{SourceKind, Track, TrackId};
use lyrebird_stream::{Location, Opened, StreamOptions, StreamRequest, Streamer};
use lyrebird_subsonic::{Scrobble, SearchCounts, Secret, ServerConfig, StarItem, SubsonicClient};
use support::fake::{FakeServer, Reply, Request, Sim, Tokens, hex};
use tokio_util::sync::CancellationToken;

const USER: &str = "ann";
const PASSWORD: &str = "s3cret-Pässword";
const API_KEY: &str = "key-0f1e2d3c4b5a";

/// Everything written by the subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_all_logs() -> Captured {
    use tracing_subscriber::util::SubscriberInitExt as _;
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish()
        // Also forwards `log` records (reqwest's own logging) into the subscriber.
        .try_init()
        .expect("the only subscriber of this test binary");
    captured
}

/// The Sim's rules, plus audio for `stream` and a server error for song `broken`.
fn handler(sim: Sim) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    move |request| {
        let reply = sim.handle(request);
        let authorised = matches!(&reply, Reply::Body { body, .. }
            if !String::from_utf8_lossy(body).contains("\"failed\""));
        match request.method.as_str() {
            "stream" if authorised && request.param("id") == Some("broken") => Reply::Body {
                status: 503,
                content_type: "text/plain",
                body: b"busy".to_vec(),
            },
            "stream" if authorised => Reply::Body {
                status: 200,
                content_type: "audio/mpeg",
                body: vec![0xff; 200 * 1024],
            },
            _ => reply,
        }
    }
}

fn song(id: &str) -> Track {
    let mut track = Track::from_path("x".into(), SourceKind::Subsonic);
    track.id = TrackId(format!("subsonic:{id}"));
    track.path = None;
    track
}

/// Plays a resolved track through the audio side's streamer, to the end or to its error.
async fn stream(client: &SubsonicClient, id: &str) {
    let Ok(Playable::Stream(spec)) = client.resolve(song(id), CancellationToken::new()).await
    else {
        panic!("no stream for {id}")
    };
    let streamer = Streamer::new(reqwest::Client::new(), None).with_options(StreamOptions {
        retry_budget: Duration::from_millis(500),
        ..StreamOptions::default()
    });
    let request = StreamRequest {
        location: Location {
            url: spec.url,
            headers: spec.headers,
            certificate_pin: None,
        },
        cache_key: None,
        refresh: None,
    };
    if let Ok(Opened::Remote(mut reader)) = streamer.open(request, CancellationToken::new()).await {
        tokio::task::spawn_blocking(move || {
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        })
        .await
        .unwrap();
    }
}

async fn browse(client: &SubsonicClient) {
    let _ = client.ping().await;
    let _ = client
        .search(
            "hello",
            SearchCounts {
                artists: 1,
                albums: 1,
                songs: 5,
            },
        )
        .await;
    let _ = client.artists().await;
    let _ = client.album("al-1").await;
    let _ = client.scrobble("song-1", Scrobble::NowPlaying).await;
    let _ = client.star(&StarItem::Song("song-1".into())).await;
    let _ = client.cover_art_url("cover-1", Some(300)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_any_log_line() {
    let logs = capture_all_logs();
    let mut servers = Vec::new();

    // Token authentication: every flow, a stream, a stream the server fails.
    let token = FakeServer::start(handler(Sim::new(USER, PASSWORD))).await;
    let client = SubsonicClient::new(ServerConfig::with_password(
        token.base_url(),
        USER,
        PASSWORD,
    ))
    .unwrap();
    browse(&client).await;
    stream(&client, "song-1").await;
    stream(&client, "broken").await;
    // A wrong password.
    let wrong = SubsonicClient::new(ServerConfig::with_password(
        token.base_url(),
        USER,
        "not-the-password",
    ))
    .unwrap();
    let _ = wrong.ping().await;
    servers.push(token);

    // A server that refuses tokens: the hex-encoded password.
    let mut sim = Sim::new(USER, PASSWORD);
    sim.tokens = Tokens::RefuseLikeSupysonic;
    let legacy = FakeServer::start(handler(sim)).await;
    let mut config = ServerConfig::with_password(legacy.base_url(), USER, PASSWORD);
    config.legacy_password_auth = true;
    let client = SubsonicClient::new(config).unwrap();
    browse(&client).await;
    stream(&client, "song-1").await;
    servers.push(legacy);

    // An API key.
    let mut sim = Sim::new(USER, PASSWORD);
    sim.api_key = Some(API_KEY.into());
    let keyed = FakeServer::start(handler(sim)).await;
    let mut config = ServerConfig::with_password(keyed.base_url(), USER, PASSWORD);
    config.api_key = Some(Secret::new(API_KEY));
    let client = SubsonicClient::new(config).unwrap();
    browse(&client).await;
    stream(&client, "song-1").await;
    servers.push(keyed);

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let mut secrets = vec![
        PASSWORD.to_owned(),
        hex(PASSWORD),
        API_KEY.to_owned(),
        "not-the-password".to_owned(),
    ];
    for server in &servers {
        for request in server.requests() {
            for (name, value) in &request.params {
                if ["t", "s", "p", "apiKey"].contains(&name.as_str()) {
                    secrets.push(value.clone());
                    // As it would show in a logged URL, too.
                    secrets.push(format!("{name}={value}"));
                }
            }
        }
    }
    assert!(
        secrets.len() > 40,
        "too few credentialed requests seen: {secrets:?}"
    );
    assert!(
        logs.lines().count() > 20,
        "the capture saw almost nothing:\n{logs}"
    );
    for line in logs.lines() {
        for secret in &secrets {
            assert!(
                !line.contains(secret.as_str()),
                "a secret ({} chars) is in the log line: {line}",
                secret.len()
            );
        }
    }
}
