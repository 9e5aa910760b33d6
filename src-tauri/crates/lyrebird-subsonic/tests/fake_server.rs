//! The client against a fake server on loopback: authentication rules, errors, TLS and
//! cancellation.

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lyrebird_core::certificate::CertificatePin;
use lyrebird_core::provider::{Playable, ResolveError, Source};
use lyrebird_core::{SourceKind, Track, TrackId};
use lyrebird_subsonic::{
    AuthKind, Scrobble, SearchCounts, Secret, ServerConfig, StarItem, SubsonicClient,
    SubsonicError, Transcoding,
};
use support::fake::{FakeServer, Reply, Request, Sim, Tokens, hex, md5_hex, wait_until};
use tokio_util::sync::CancellationToken;

const USER: &str = "ann";
const PASSWORD: &str = "s3cret-Pässword";

async fn sim_server(sim: Sim) -> FakeServer {
    FakeServer::start(move |request| sim.handle(request)).await
}

fn client(server: &FakeServer, password: &str) -> SubsonicClient {
    SubsonicClient::new(ServerConfig::with_password(
        server.base_url(),
        USER,
        password,
    ))
    .unwrap()
}

/// No secret in any form: the password, its hex, or the API key.
fn assert_no_secret(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{secret:?} leaked into {text}");
    }
}

fn subsonic_track(song_id: &str) -> Track {
    let mut track = Track::from_path("x".into(), SourceKind::Subsonic);
    track.id = TrackId(format!("subsonic:{song_id}"));
    track.path = None;
    track
}

#[tokio::test]
async fn token_auth_uses_md5_of_password_and_a_fresh_salt_and_never_the_password() {
    let server = sim_server(Sim::new(USER, PASSWORD)).await;
    let client = client(&server, PASSWORD);
    client.ping().await.unwrap();
    let found = client
        .search(
            "hello",
            SearchCounts {
                artists: 0,
                albums: 0,
                songs: 5,
            },
        )
        .await
        .unwrap();
    assert_eq!(found.song[0].title, "Hello");
    client
        .scrobble("song-1", Scrobble::NowPlaying)
        .await
        .unwrap();
    client.star(&StarItem::Song("song-1".into())).await.unwrap();
    assert_eq!(client.auth_kind().await.unwrap(), AuthKind::Token);

    let requests = server.requests();
    // One negotiating ping, then the five calls.
    let methods: Vec<_> = requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["ping", "ping", "search3", "scrobble", "star"]);
    let mut salts = HashSet::new();
    for request in &requests {
        let salt = request.param("s").expect("salt");
        assert!(salt.len() >= 6, "salt too short: {salt}");
        assert!(salts.insert(salt.to_owned()), "salt {salt} reused");
        assert_eq!(
            request.param("t").unwrap(),
            md5_hex(&format!("{PASSWORD}{salt}"))
        );
        assert_eq!(request.param("u"), Some(USER));
        assert_eq!(request.param("c"), Some("lyrebird"));
        assert_eq!(request.param("v"), Some("1.16.1"));
        assert_eq!(request.param("f"), Some("json"));
        assert!(!request.has("p") && !request.has("apiKey"), "{request:?}");
        // Raw, as sent: neither the password nor its hex, encoded or not.
        assert_no_secret(&request.head, &[PASSWORD, "s3cret", &hex(PASSWORD)]);
    }
}

#[tokio::test]
async fn authentication_is_settled_once_even_under_concurrent_first_calls() {
    let server = sim_server(Sim::new(USER, PASSWORD)).await;
    let client = client(&server, PASSWORD);
    let calls: Vec<_> = (0..6)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.search_tracks("hello", 3).await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().len(), 1);
    }
    let pings = server
        .requests()
        .iter()
        .filter(|r| r.method == "ping")
        .count();
    assert_eq!(pings, 1, "negotiated more than once");
}

#[tokio::test]
async fn api_key_is_used_when_advertised_and_then_no_user_or_token_is_sent() {
    let mut sim = Sim::new(USER, PASSWORD);
    sim.api_key = Some("key-1234".into());
    let server = sim_server(sim).await;
    let mut config = ServerConfig::with_password(server.base_url(), USER, PASSWORD);
    config.api_key = Some(Secret::new("key-1234"));
    let client = SubsonicClient::new(config).unwrap();
    client.search_tracks("hello", 3).await.unwrap();
    assert_eq!(client.auth_kind().await.unwrap(), AuthKind::ApiKey);
    let extensions = client.open_subsonic_extensions().await.unwrap();
    assert!(extensions.iter().any(|e| e.name == "apiKeyAuthentication"));

    let requests = server.requests();
    assert_eq!(requests[0].method, "getOpenSubsonicExtensions");
    for request in &requests[1..] {
        assert_eq!(request.param("apiKey"), Some("key-1234"), "{request:?}");
        for name in ["u", "t", "s", "p"] {
            assert!(
                !request.has(name),
                "{name} sent with an API key: {request:?}"
            );
        }
    }
    assert!(
        !format!("{client:?}").contains("key-1234"),
        "Debug shows the key"
    );

    // A password alone on the same server: tokens, no key.
    let password_only = self::client(&server, PASSWORD);
    password_only.ping().await.unwrap();
    assert_eq!(password_only.auth_kind().await.unwrap(), AuthKind::Token);
}

#[tokio::test]
async fn api_key_problems_are_named() {
    // A wrong key.
    let mut sim = Sim::new(USER, PASSWORD);
    sim.api_key = Some("right".into());
    let server = sim_server(sim).await;
    let mut config = ServerConfig::with_password(server.base_url(), USER, PASSWORD);
    config.password = None;
    config.api_key = Some(Secret::new("wrong"));
    let error = SubsonicClient::new(config.clone())
        .unwrap()
        .ping()
        .await
        .unwrap_err();
    assert_eq!(error, SubsonicError::WrongCredentials);

    // A key for a server without API keys.
    let plain = sim_server(Sim::new(USER, PASSWORD)).await;
    config.base_url = plain.base_url();
    let error = SubsonicClient::new(config)
        .unwrap()
        .ping()
        .await
        .unwrap_err();
    assert_eq!(error, SubsonicError::ApiKeyNotSupported);
    assert!(error.to_string().contains("enter a password"), "{error}");
}

/// A client of `server` with the legacy password method allowed.
fn legacy_client(server: &FakeServer, password: &str) -> SubsonicClient {
    let mut config = ServerConfig::with_password(server.base_url(), USER, password);
    config.legacy_password_auth = true;
    SubsonicClient::new(config).unwrap()
}

#[tokio::test]
async fn a_server_refusing_tokens_gets_no_password_unless_the_user_allowed_it() {
    for (refusal, code) in [
        (Tokens::Refuse41, "41"),
        (Tokens::RefuseLikeSupysonic, "10"),
    ] {
        let mut sim = Sim::new(USER, PASSWORD);
        sim.tokens = refusal;
        let server = sim_server(sim).await;
        let client = client(&server, PASSWORD);
        let error = client.ping().await.unwrap_err();
        assert_eq!(error, SubsonicError::LegacyAuthNotEnabled, "after {code}");
        assert_eq!(
            error.to_string(),
            "this server only accepts the legacy password method; turn it on in the server's \
             settings if you trust the connection"
        );
        assert!(client.search_tracks("hello", 1).await.is_err());
        let requests = server.requests();
        assert_eq!(
            requests.len(),
            2,
            "one token ping per attempt, nothing else"
        );
        for request in &requests {
            assert!(request.has("t") && !request.has("p"), "after {code}");
            assert_no_secret(&request.head, &[PASSWORD, &hex(PASSWORD)]);
        }
    }
}

#[tokio::test]
async fn hex_password_is_sent_only_when_allowed_and_after_the_server_refuses_tokens() {
    for (refusal, code) in [
        (Tokens::Refuse41, "41"),
        (Tokens::RefuseLikeSupysonic, "10"),
    ] {
        let mut sim = Sim::new(USER, PASSWORD);
        sim.tokens = refusal;
        let server = sim_server(sim).await;
        let client = legacy_client(&server, PASSWORD);
        client.ping().await.unwrap();
        client.search_tracks("hello", 1).await.unwrap();
        assert_eq!(
            client.auth_kind().await.unwrap(),
            AuthKind::LegacyPassword,
            "after {code}"
        );
        let requests = server.requests();
        assert!(
            requests[0].has("t") && !requests[0].has("p"),
            "tokens first"
        );
        let legacy = format!("enc:{}", hex(PASSWORD));
        for request in &requests[1..] {
            assert_eq!(request.param("p"), Some(legacy.as_str()));
            assert!(!request.has("t") && !request.has("s"));
            assert_no_secret(&request.head, &[PASSWORD]);
        }
    }

    // Allowed, but a server that takes tokens still gets tokens.
    let server = sim_server(Sim::new(USER, PASSWORD)).await;
    let client = legacy_client(&server, PASSWORD);
    client.ping().await.unwrap();
    assert_eq!(client.auth_kind().await.unwrap(), AuthKind::Token);
    assert!(server.requests().iter().all(|r| !r.has("p")));
}

#[tokio::test]
async fn allowed_legacy_auth_is_refused_over_plain_http_off_this_computer() {
    let mut sim = Sim::new(USER, PASSWORD);
    sim.tokens = Tokens::RefuseLikeSupysonic;
    let server = sim_server(sim).await;
    // A name that is not this computer's, resolved to the fake server.
    let http = reqwest::Client::builder()
        .resolve(
            "music.lyrebird.test",
            std::net::SocketAddr::from(([127, 0, 0, 1], server.port())),
        )
        .build()
        .unwrap();
    let mut config = ServerConfig::with_password(
        format!("http://music.lyrebird.test:{}", server.port()),
        USER,
        PASSWORD,
    );
    config.legacy_password_auth = true;
    let client = SubsonicClient::builder(config)
        .http_client(http)
        .build()
        .unwrap();
    let error = client.ping().await.unwrap_err();
    assert_eq!(
        error,
        SubsonicError::LegacyAuthOverPlainHttp {
            host: format!("music.lyrebird.test:{}", server.port())
        }
    );
    assert!(error.to_string().contains("https://"), "{error}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "the token ping reached the server");
    assert!(requests.iter().all(|r| !r.has("p")));
    assert_no_secret(&requests[0].head, &[PASSWORD, &hex(PASSWORD)]);
}

#[tokio::test]
async fn wrong_password_is_a_clear_error_and_never_falls_back() {
    let server = sim_server(Sim::new(USER, PASSWORD)).await;
    let client = client(&server, "not-it");
    let error = client.ping().await.unwrap_err();
    assert_eq!(error, SubsonicError::WrongCredentials);
    assert_eq!(error.to_string(), "wrong user name or password");
    assert!(
        server.requests().iter().all(|r| !r.has("p")),
        "a token refused with 40 must not be retried as a password"
    );
    // Not remembered: the next call asks again.
    assert!(client.ping().await.is_err());
    assert_eq!(server.requests().len(), 2);

    // On a server without tokens, the fallback's 40 is the answer.
    let mut sim = Sim::new(USER, PASSWORD);
    sim.tokens = Tokens::Refuse41;
    let server = sim_server(sim).await;
    let error = legacy_client(&server, "not-it").ping().await.unwrap_err();
    assert_eq!(error, SubsonicError::WrongCredentials);
}

#[tokio::test]
async fn html_or_garbage_instead_of_json_is_named() {
    let server = FakeServer::start(|_: &Request| Reply::Body {
        status: 200,
        content_type: "text/html",
        body: b"<!DOCTYPE html><html><head><title>Sign in</title></head></html>".to_vec(),
    })
    .await;
    let error = client(&server, PASSWORD).ping().await.unwrap_err();
    assert!(
        matches!(error, SubsonicError::NotSubsonic { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("an HTML page"), "{error}");
    assert!(
        error.to_string().contains("check the server address"),
        "{error}"
    );

    let server = FakeServer::start(|_: &Request| Reply::Body {
        status: 200,
        content_type: "application/octet-stream",
        body: vec![0xde, 0xad, 0xbe, 0xef],
    })
    .await;
    let error = client(&server, PASSWORD).ping().await.unwrap_err();
    assert!(error.to_string().contains("not Subsonic JSON"), "{error}");
}

#[tokio::test]
async fn unsupported_api_version_is_named() {
    let server = FakeServer::start(|_: &Request| {
        Reply::error(
            30,
            "Incompatible Subsonic REST protocol version. Server must upgrade.",
        )
    })
    .await;
    let error = client(&server, PASSWORD).ping().await.unwrap_err();
    assert!(
        matches!(error, SubsonicError::UnsupportedVersion { code: 30, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("API version"), "{error}");
}

#[tokio::test]
async fn a_server_that_is_down_says_so() {
    // Refused: a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = ServerConfig::with_password(format!("http://127.0.0.1:{port}"), USER, PASSWORD);
    let error = SubsonicClient::new(config)
        .unwrap()
        .ping()
        .await
        .unwrap_err();
    assert!(
        matches!(error, SubsonicError::ServerDown { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains("down") && text.contains("connection refused"),
        "{text}"
    );
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert_no_secret(&format!("{text}{error:?}"), &[PASSWORD, "t=", "s="]);

    // Silent: accepts, never answers.
    let server = FakeServer::start(|_: &Request| Reply::Hang).await;
    let client = SubsonicClient::builder(ServerConfig::with_password(
        server.base_url(),
        USER,
        PASSWORD,
    ))
    .timeout(Duration::from_millis(300))
    .build()
    .unwrap();
    let started = Instant::now();
    let error = client.ping().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(error, SubsonicError::ServerDown { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("no answer in time"), "{error}");
}

#[tokio::test]
async fn a_self_signed_certificate_works_only_once_trusted_and_only_that_one() {
    let sim = Sim::new(USER, PASSWORD);
    let server = FakeServer::start_tls(move |request| sim.handle(request)).await;
    let mut config = ServerConfig::with_password(server.base_url(), USER, PASSWORD);

    let error = SubsonicClient::new(config.clone())
        .unwrap()
        .ping()
        .await
        .unwrap_err();
    assert!(matches!(error, SubsonicError::Tls { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("not trusted") && text.contains("trust its fingerprint"),
        "{text}"
    );
    #[cfg(target_os = "linux")]
    assert!(text.contains("certificate verify failed"), "{text}");
    assert!(server.requests().is_empty(), "a request got through");

    // What "Test connection" shows, read without a request.
    let presented =
        lyrebird_tls::presented_certificate(&server.base_url(), Duration::from_secs(10))
            .await
            .unwrap();
    assert!(server.requests().is_empty(), "the probe sent a request");

    // Pinned to another certificate (the server renewed its own, or someone is in the
    // middle): refused before a request, naming what was presented.
    config.certificate_pin = Some(CertificatePin::of_certificate(b"the one trusted before"));
    let error = SubsonicClient::new(config.clone())
        .unwrap()
        .ping()
        .await
        .unwrap_err();
    assert_eq!(error, SubsonicError::CertificateChanged { presented });
    assert!(
        error.to_string().contains(&presented.fingerprint()),
        "{error}"
    );
    assert!(server.requests().is_empty(), "a request got through");

    // Trusted, even when the app hands over its shared (verifying) client.
    config.certificate_pin = Some(presented);
    let client = SubsonicClient::builder(config)
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    client.ping().await.unwrap();
    assert_eq!(server.requests().len(), 2);
    // Its streams carry the pin to the audio side (which verifies everything else).
    assert_eq!(
        client.stream_spec("s1").await.unwrap().certificate_pin,
        Some(presented)
    );
}

#[tokio::test]
async fn resolve_gives_a_stream_url_with_the_configured_quality() {
    let server = sim_server(Sim::new(USER, PASSWORD)).await;
    let original = client(&server, PASSWORD);
    let Playable::Stream(spec) = original
        .resolve(subsonic_track("song-1"), CancellationToken::new())
        .await
        .unwrap()
    else {
        panic!("not a stream")
    };
    assert_eq!(
        spec.cache_key.as_deref(),
        Some(format!("subsonic:127.0.0.1:{}:song-1:original", server.port()).as_str())
    );
    assert!(spec.headers.is_empty());
    assert_eq!(
        spec.certificate_pin, None,
        "verified unless the user trusted a certificate"
    );
    let url = reqwest::Url::parse(&spec.url).unwrap();
    assert_eq!(url.path(), "/rest/stream.view");
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("id"), Some("song-1"));
    assert_eq!(get("format"), Some("raw"));
    assert_eq!(get("maxBitRate"), None);
    let salt = get("s").unwrap();
    assert_eq!(get("t").unwrap(), md5_hex(&format!("{PASSWORD}{salt}")));
    assert_no_secret(&spec.url, &[PASSWORD, &hex(PASSWORD)]);
    // An original is seeked with ranges: no timeOffset even when asked.
    let url = original.stream_url("song-1", Some(30)).await.unwrap();
    assert!(!url.contains("timeOffset"), "{url}");

    let mut config = ServerConfig::with_password(server.base_url(), USER, PASSWORD);
    config.transcoding = Transcoding::Transcode {
        max_bit_rate_kbps: 128,
        format: "opus".into(),
    };
    let transcoded = SubsonicClient::new(config).unwrap();
    let Playable::Stream(spec) = transcoded
        .resolve(subsonic_track("song-1"), CancellationToken::new())
        .await
        .unwrap()
    else {
        panic!("not a stream")
    };
    assert!(spec.url.contains("maxBitRate=128") && spec.url.contains("format=opus"));
    assert!(!spec.url.contains("timeOffset"));
    assert!(spec.cache_key.unwrap().ends_with(":song-1:opus-128"));
    let url = transcoded.stream_url("song-1", Some(30)).await.unwrap();
    assert!(url.contains("timeOffset=30"), "{url}");

    // Tracks of other sources are not ours.
    let mut local = subsonic_track("song-1");
    local.source = SourceKind::Local;
    assert!(matches!(
        original.resolve(local, CancellationToken::new()).await,
        Err(ResolveError::Failed(_))
    ));
}

#[tokio::test]
async fn resolve_stops_when_cancelled_and_drops_its_request() {
    let server = Arc::new(FakeServer::start(|_: &Request| Reply::Hang).await);
    let client = client(&server, PASSWORD);
    let cancel = CancellationToken::new();
    let lookup = tokio::spawn(client.resolve(subsonic_track("song-1"), cancel.clone()));
    assert!(
        wait_until(Duration::from_secs(5), || server.open_connections() == 1).await,
        "the lookup never reached the server"
    );
    let started = Instant::now();
    cancel.cancel();
    let result = tokio::time::timeout(Duration::from_secs(2), lookup)
        .await
        .expect("resolve ignored its cancellation")
        .unwrap();
    assert!(started.elapsed() < Duration::from_millis(500));
    assert!(
        matches!(result, Err(ResolveError::Failed(ref m)) if m.contains("cancelled")),
        "{result:?}"
    );
    assert!(
        wait_until(Duration::from_secs(2), || server.open_connections() == 0).await,
        "the request was left running"
    );
}

#[tokio::test]
async fn search_tracks_maps_songs_to_tracks() {
    let server = sim_server(Sim::new(USER, PASSWORD)).await;
    let tracks = client(&server, PASSWORD)
        .search_tracks("hello", 10)
        .await
        .unwrap();
    assert_eq!(tracks.len(), 1);
    let track = &tracks[0];
    assert_eq!(track.id.0, "subsonic:song-1");
    assert_eq!(track.source, SourceKind::Subsonic);
    assert_eq!(track.artists, ["Sim"]);
    assert_eq!(track.duration_ms, Some(3000));
    let search = server.requests().pop().unwrap();
    assert_eq!(search.param("query"), Some("hello"));
    assert_eq!(search.param("songCount"), Some("10"));
    assert_eq!(search.param("artistCount"), Some("0"));
    assert_eq!(search.param("albumCount"), Some("0"));
}

#[tokio::test]
async fn find_searches_by_title_for_the_fallback_race_and_honours_cancel() {
    let server = sim_server(Sim::new(USER, PASSWORD)).await;
    let client = client(&server, PASSWORD);
    let mut wanted = Track::from_path("/music/Hello.flac".into(), SourceKind::Local);
    wanted.title = " Hello ".into();
    wanted.artists = vec!["Someone".into()];
    let found = client
        .find(wanted.clone(), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id.0, "subsonic:song-1");
    let search = server.requests().pop().unwrap();
    assert_eq!(search.method, "search3");
    assert_eq!(search.param("query"), Some("Hello"), "the title alone");

    let hanging = FakeServer::start(|_: &Request| Reply::Hang).await;
    let cancel = CancellationToken::new();
    let lookup = tokio::spawn(self::client(&hanging, PASSWORD).find(wanted, cancel.clone()));
    assert!(wait_until(Duration::from_secs(5), || hanging.open_connections() == 1).await);
    cancel.cancel();
    let result = tokio::time::timeout(Duration::from_secs(2), lookup)
        .await
        .expect("find ignored its cancellation")
        .unwrap();
    assert!(result.is_err());
    assert!(wait_until(Duration::from_secs(2), || hanging.open_connections() == 0).await);
}

/// A hostile server answers with a body that never ends: the client stops reading at its cap
/// (16 MiB), says so, and its memory does not follow the server (the app went from ~190 MB to
/// a 2.4 GB peak on a 63 MB `ping` before the cap).
#[tokio::test]
async fn an_endless_reply_is_cut_at_the_cap() {
    let server = FakeServer::start(|_| Reply::Endless).await;
    let error = client(&server, PASSWORD).ping().await.unwrap_err();
    assert!(
        matches!(error, SubsonicError::ReplyTooLarge { limit_mib: 16, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("more than 16 MiB"), "{error}");
    // The client hung up soon after the cap (the socket buffers hold a few MiB more).
    let ended = wait_until(Duration::from_secs(5), || server.open_connections() == 0).await;
    assert!(ended, "the connection is still open");
    let sent = server.sent();
    assert!(
        sent < lyrebird_subsonic::MAX_REPLY_BYTES + (16 << 20),
        "the client read on: {sent} bytes sent"
    );
}
