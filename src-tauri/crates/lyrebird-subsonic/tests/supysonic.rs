//! The client against a real Subsonic server: Debian's supysonic, with a generated library.
//! Skipped (loudly) where supysonic is not installed, unless `LYREBIRD_REQUIRE_SUPYSONIC=1`.

mod support;

use std::time::{Instant, SystemTime};

use lyrebird_core::provider::{Playable, ScrobbleKind, Source};
use lyrebird_core::{SourceKind, Track};
use lyrebird_subsonic::{
    Album, AlbumListType, AuthKind, Scrobble, ServerConfig, Song, StarItem, SubsonicClient,
    SubsonicError, Transcoding, track_id,
};
use support::supysonic::{PASSWORD, Supysonic, TestTrack, USER};
use tokio_util::sync::CancellationToken;

const LIBRARY: &[TestTrack] = &[
    TestTrack {
        title: "Sine Song",
        artist: "Tone Artist",
        album: "Tone Album",
        track: 1,
        seconds: 3,
        frequency: 440,
    },
    TestTrack {
        title: "Second Song",
        artist: "Tone Artist",
        album: "Tone Album",
        track: 2,
        seconds: 2,
        frequency: 660,
    },
    TestTrack {
        title: "夜曲",
        artist: "Chopin Bot",
        album: "Nocturnes",
        track: 1,
        seconds: 2,
        frequency: 330,
    },
];

/// Fetches a URL the client handed out (stream, cover) as a player would.
async fn fetch(url: &str) -> (String, Vec<u8>) {
    let response = reqwest::get(url).await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (content_type, response.bytes().await.unwrap().to_vec())
}

/// The length of a FLAC stream from its STREAMINFO block, in seconds.
fn flac_seconds(bytes: &[u8]) -> f64 {
    assert_eq!(&bytes[..4], b"fLaC", "not FLAC");
    // Block header (4 bytes), then block sizes (4) and frame sizes (6); then 20 bits of sample
    // rate, 3 of channels, 5 of bits per sample and 36 of total samples.
    let packed = u64::from_be_bytes(bytes[18..26].try_into().unwrap());
    let rate = packed >> 44;
    let samples = packed & 0xF_FFFF_FFFF;
    #[allow(clippy::cast_precision_loss)]
    let seconds = samples as f64 / rate as f64;
    seconds
}

fn stream_url(playable: Playable) -> String {
    match playable {
        Playable::Stream(spec) => spec.url,
        Playable::File(path) => panic!("a file: {}", path.display()),
    }
}

fn by_title<'a>(tracks: &'a [Track], title: &str) -> &'a Track {
    tracks
        .iter()
        .find(|t| t.title == title)
        .unwrap_or_else(|| panic!("{title} not in {tracks:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_supysonic_server() {
    let clock = Instant::now();
    let Some(server) = Supysonic::start(LIBRARY).await else {
        return;
    };
    eprintln!(
        "supysonic (pid {:?}) up in {:?}",
        server.pid(),
        clock.elapsed()
    );
    // supysonic 0.7 refuses tokens (with error 10): without the legacy method allowed, the
    // client says so and sends no password.
    let refused = SubsonicClient::new(ServerConfig::with_password(
        &server.base_url,
        USER,
        PASSWORD,
    ))
    .unwrap();
    assert_eq!(
        refused.ping().await.unwrap_err(),
        SubsonicError::LegacyAuthNotEnabled
    );
    let client = SubsonicClient::new(legacy(ServerConfig::with_password(
        &server.base_url,
        USER,
        PASSWORD,
    )))
    .unwrap();

    // Allowed (and on loopback), the client settles on the hex password.
    client.ping().await.unwrap();
    assert_eq!(client.auth_kind().await.unwrap(), AuthKind::LegacyPassword);
    assert!(client.open_subsonic_extensions().await.unwrap().is_empty());

    let sine = search(&client).await;
    let album = browse(&client).await;
    assert_eq!(sine.id, track_id(&album.song[0].id));
    stream(&server, &client, &sine, &album.song[0]).await;
    cover(&client, &album).await;
    star_and_scrobble(&client, &album).await;
    scrobble_as_a_source(&server, &client, &sine).await;

    // A wrong password.
    let wrong = SubsonicClient::new(legacy(ServerConfig::with_password(
        &server.base_url,
        USER,
        "not-the-password",
    )))
    .unwrap();
    let error = wrong.ping().await.unwrap_err();
    assert_eq!(error, SubsonicError::WrongCredentials);
    assert_eq!(error.to_string(), "wrong user name or password");

    eprintln!("supysonic test done in {:?}", clock.elapsed());
}

/// supysonic takes no tokens: every client of it opts in to the legacy password method.
fn legacy(mut config: ServerConfig) -> ServerConfig {
    config.legacy_password_auth = true;
    config
}

/// search3 finds titles (CJK too) and maps them to tracks; returns "Sine Song".
async fn search(client: &SubsonicClient) -> Track {
    let found = client.search_tracks("Sine", 10).await.unwrap();
    let sine = by_title(&found, "Sine Song").clone();
    assert_eq!(sine.source, SourceKind::Subsonic);
    assert!(sine.id.0.starts_with("subsonic:"), "{}", sine.id);
    assert_eq!(sine.artists, ["Tone Artist"]);
    assert_eq!(sine.album.as_deref(), Some("Tone Album"));
    assert_eq!(sine.track_number, Some(1));
    assert_eq!(sine.duration_ms, Some(3000));
    let found = client.search_tracks("夜曲", 10).await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    // The fallback race's search: a local copy's title finds the server's song.
    let mut local = Track::from_path("/music/02 Second Song.mp3".into(), SourceKind::Local);
    local.title = "Second Song".into();
    let candidates = client.find(local, CancellationToken::new()).await.unwrap();
    assert_eq!(candidates.len(), 1, "{candidates:?}");
    assert_eq!(candidates[0].duration_ms, Some(2000));
    assert!(
        client
            .search_tracks("no such thing", 10)
            .await
            .unwrap()
            .is_empty()
    );
    sine
}

/// Artists → artist → album, album lists and playlists; returns "Tone Album" with its songs.
async fn browse(client: &SubsonicClient) -> Album {
    let artists: Vec<_> = client
        .artists()
        .await
        .unwrap()
        .into_iter()
        .flat_map(|index| index.artist)
        .collect();
    let mut names: Vec<_> = artists.iter().map(|a| a.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Chopin Bot", "Tone Artist"]);
    let tone = artists.iter().find(|a| a.name == "Tone Artist").unwrap();
    let artist = client.artist(&tone.id).await.unwrap();
    assert_eq!(artist.album.len(), 1);
    let album = client.album(&artist.album[0].id).await.unwrap();
    assert_eq!(album.name, "Tone Album");
    let titles: Vec<_> = album.song.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Sine Song", "Second Song"]);
    assert_eq!(album.song[1].to_track().duration_ms, Some(2000));
    let newest = client
        .album_list(&AlbumListType::Newest, 10, 0)
        .await
        .unwrap();
    assert_eq!(newest.len(), 2, "{newest:?}");
    assert!(client.playlists().await.unwrap().is_empty());
    album
}

/// resolve → stream URL → the audio: the original FLAC whole and 3 s long, and an MP3
/// transcode of about the size its bit rate gives.
async fn stream(server: &Supysonic, client: &SubsonicClient, sine: &Track, song: &Song) {
    let url = stream_url(
        client
            .resolve(sine.clone(), CancellationToken::new())
            .await
            .unwrap(),
    );
    let (content_type, bytes) = fetch(&url).await;
    assert_eq!(content_type, "audio/flac");
    assert_eq!(Some(bytes.len() as u64), song.size);
    let seconds = flac_seconds(&bytes);
    assert!((seconds - 3.0).abs() < 0.01, "{seconds} s");

    let mut config = legacy(ServerConfig::with_password(
        &server.base_url,
        USER,
        PASSWORD,
    ));
    config.transcoding = Transcoding::Transcode {
        max_bit_rate_kbps: 64,
        format: "mp3".into(),
    };
    let transcoding = SubsonicClient::new(config).unwrap();
    let url = stream_url(
        transcoding
            .resolve(sine.clone(), CancellationToken::new())
            .await
            .unwrap(),
    );
    let (content_type, bytes) = fetch(&url).await;
    assert_eq!(content_type, "audio/mpeg");
    assert!(
        bytes.starts_with(b"ID3") || (bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0),
        "not MP3: {:02x?}",
        &bytes[..4]
    );
    // 64 kbit/s for 3 s is 24 kB.
    assert!(
        (16_000..36_000).contains(&bytes.len()),
        "{} bytes",
        bytes.len()
    );
}

/// getCoverArt serves the album folder's cover.jpg.
async fn cover(client: &SubsonicClient, album: &Album) {
    let cover = album.cover_art.clone().expect("album has a cover");
    let url = client.cover_art_url(&cover, Some(16)).await.unwrap();
    let (content_type, bytes) = fetch(&url).await;
    assert!(content_type.starts_with("image/"), "{content_type}");
    assert!(!bytes.is_empty());
}

/// star/unstar as getStarred2 sees it; scrobbles (now playing, played) accepted.
async fn star_and_scrobble(client: &SubsonicClient, album: &Album) {
    let song = &album.song[0];
    assert!(client.starred().await.unwrap().song.is_empty());
    client.star(&StarItem::Song(song.id.clone())).await.unwrap();
    client
        .star(&StarItem::Album(album.id.clone()))
        .await
        .unwrap();
    let starred = client.starred().await.unwrap();
    assert_eq!(starred.song.len(), 1);
    assert_eq!(starred.song[0].id, song.id);
    assert!(starred.song[0].starred.is_some());
    assert_eq!(starred.album.len(), 1);
    client
        .unstar(&StarItem::Song(song.id.clone()))
        .await
        .unwrap();
    client
        .unstar(&StarItem::Album(album.id.clone()))
        .await
        .unwrap();
    let starred = client.starred().await.unwrap();
    assert!(
        starred.song.is_empty() && starred.album.is_empty(),
        "{starred:?}"
    );

    client
        .scrobble(&song.id, Scrobble::NowPlaying)
        .await
        .unwrap();
    let at = SystemTime::now();
    client
        .scrobble(&song.id, Scrobble::Played { at })
        .await
        .unwrap();
}

/// The player's path: `Source::scrobble` with the track as the actor holds it. "Now playing"
/// shows in `getNowPlaying` (asked directly, with the hex password supysonic 0.7 takes).
async fn scrobble_as_a_source(server: &Supysonic, client: &SubsonicClient, sine: &Track) {
    let source: &dyn Source = client;
    source
        .scrobble(
            sine.clone(),
            ScrobbleKind::NowPlaying,
            CancellationToken::new(),
        )
        .await
        .unwrap();
    let hex = PASSWORD.bytes().fold(String::new(), |mut hex, b| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{b:02x}");
        hex
    });
    let url = format!(
        "{}/rest/getNowPlaying.view?u={USER}&p=enc:{hex}&v=1.16.1&c=test&f=json",
        server.base_url.trim_end_matches('/')
    );
    let (_, body) = fetch(&url).await;
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let entries = &body["subsonic-response"]["nowPlaying"]["entry"];
    let song_id = sine.id.0.rsplit(':').next().unwrap();
    assert!(
        entries
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["id"].as_str() == Some(song_id))),
        "{body}"
    );
    source
        .scrobble(
            sine.clone(),
            ScrobbleKind::Played {
                at: SystemTime::now(),
            },
            CancellationToken::new(),
        )
        .await
        .unwrap();
    // Like = star, unlike = unstar, as getStarred2 sees it.
    assert!(source.can_like());
    source
        .like(sine.clone(), true, CancellationToken::new())
        .await
        .unwrap();
    let starred = client.starred().await.unwrap();
    assert_eq!(starred.song.len(), 1, "{starred:?}");
    assert_eq!(starred.song[0].id, song_id);
    source
        .like(sine.clone(), false, CancellationToken::new())
        .await
        .unwrap();
    assert!(client.starred().await.unwrap().song.is_empty());
    // Not a Subsonic track: refused before any request.
    let mut local = sine.clone();
    local.source = SourceKind::Local;
    assert!(
        source
            .scrobble(local, ScrobbleKind::NowPlaying, CancellationToken::new())
            .await
            .is_err()
    );
}
