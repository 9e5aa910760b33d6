//! The NetEase source against a fake NetEase: a VIP song, a greyed song and a trial clip are
//! `Unavailable` (so the actor's fallback race runs), a free song resolves to its stream at the
//! level offered, copies are found through search and the cloud disk, session changes reach
//! the owner's channel, and a cancelled lookup stops.

mod support;

use std::sync::Arc;
use std::time::Duration;

use lyrebird_core::provider::{Playable, ResolveError, ScrobbleKind, Source};
use lyrebird_core::{SourceKind, Track};
use lyrebird_netease::Credentials;
use lyrebird_netease::model::Quality;
use lyrebird_netease::source::{NeteaseSource, track_id};
use serde_json::{Value, json};
use support::{Canned, Fake, Handler, Seen, client, logged_in, privilege, song};
use tokio_util::sync::CancellationToken;

/// Song 1 is free, 2 needs VIP (no URL), 3 greyed out, 4 is offered as a trial clip only,
/// 5 needs VIP but the URL reply forgets to say it is a trial, 6 never answers.
fn netease(seen: &Seen) -> Canned {
    let id_in = |key: &str| -> u64 {
        let raw = seen.param(key).unwrap();
        raw.trim_matches(['[', ']'])
            .split(',')
            .next()
            .unwrap()
            .trim_start_matches("{\"id\":")
            .trim_end_matches('}')
            .parse()
            .unwrap()
    };
    match seen.api.as_str() {
        "/api/song/enhance/player/url/v1" => {
            let id = id_in("ids");
            if id == 6 {
                return Canned {
                    hang: true,
                    ..Canned::default()
                };
            }
            let (url, trial): (Value, Value) = match id {
                1 => (json!("http://m701.music.126.net/1.flac"), Value::Null),
                4 => (
                    json!("http://m701.music.126.net/4-trial.mp3"),
                    json!({"start": 30, "end": 60}),
                ),
                5 => (json!("http://m701.music.126.net/5.mp3"), Value::Null),
                _ => (Value::Null, Value::Null),
            };
            Canned::json(
                json!({"code": 200, "data": [{"id": id, "url": url, "br": 999_000,
                "size": 30_000_000, "type": "flac", "level": "lossless", "freeTrialInfo": trial,
                "code": if url.is_null() { 404 } else { 200 }, "fee": 0}]}),
            )
        }
        "/api/v3/song/detail" => {
            let c: Vec<Value> = serde_json::from_str(&seen.param("c").unwrap()).unwrap();
            let id = c[0]["id"].as_u64().unwrap();
            let (fee, st, pl) = match id {
                2 | 4 | 5 => (1, 0, 0),
                3 => (0, -200, 0),
                _ => (8, 0, 999_000),
            };
            Canned::json(json!({"code": 200, "songs": [song(id, "S", fee)],
                "privileges": [privilege(id, fee, st, pl)]}))
        }
        "/api/cloudsearch/pc" => {
            let mut greyed = song(31, "Wanted (greyed)", 0);
            greyed["privilege"] = privilege(31, 0, -200, 0);
            let mut vip = song(32, "Wanted (VIP)", 1);
            vip["privilege"] = privilege(32, 1, 0, 0);
            let mut free = song(33, "Wanted", 0);
            free["privilege"] = privilege(33, 0, 0, 320_000);
            Canned::json(
                json!({"code": 200, "result": {"songCount": 3, "songs": [greyed, vip, free]}}),
            )
        }
        "/api/v1/cloud/get" => Canned::json(json!({"code": 200, "hasMore": false, "data": [
            {"songId": 40, "simpleSong": song(40, "wanted (live)", 0)},
            {"songId": 41, "simpleSong": song(41, "Something else", 0)},
            {"songId": 33, "simpleSong": song(33, "Wanted", 0)}]})),
        "/api/feedback/weblog" | "/api/radio/like" => Canned::json(json!({"code": 200})),
        _ => Canned::json(json!({"code": 404})),
    }
}

fn netease_track(id: u64) -> Track {
    Track::new(track_id(id), SourceKind::NetEase, format!("Song {id}"))
}

async fn source(credentials: Credentials) -> (Fake, NeteaseSource) {
    let handler: Handler = Arc::new(netease);
    let fake = Fake::start(handler, None).await;
    let client = client(&fake.base, credentials);
    (fake, NeteaseSource::new(Arc::new(client), Quality::Hires))
}

async fn resolve(source: &NeteaseSource, id: u64) -> Result<Playable, ResolveError> {
    source
        .resolve(netease_track(id), CancellationToken::new())
        .await
}

#[tokio::test]
async fn a_free_song_resolves_at_the_level_offered() {
    let (_fake, source) = source(logged_in("u")).await;
    let Playable::Stream(spec) = resolve(&source, 1).await.unwrap() else {
        panic!("a stream")
    };
    assert_eq!(spec.url, "http://m701.music.126.net/1.flac");
    // Asked for hires, offered lossless: the cache key says what plays.
    assert_eq!(spec.cache_key.as_deref(), Some("netease:1:lossless"));
    assert!(spec.certificate_pin.is_none());
}

#[tokio::test]
async fn vip_greyed_and_trial_songs_are_unavailable() {
    let (_fake, source) = source(logged_in("u")).await;
    for (id, words) in [(2, "VIP"), (3, "no rights"), (4, "trial"), (5, "trial")] {
        match resolve(&source, id).await {
            Err(ResolveError::Unavailable(reason)) => {
                assert!(reason.contains(words), "{id}: {reason}");
            }
            other => panic!("song {id}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn other_tracks_are_refused() {
    let (fake, source) = source(logged_in("u")).await;
    let other = Track::new(
        lyrebird_core::TrackId("subsonic:x:1".into()),
        SourceKind::Subsonic,
        "x",
    );
    assert!(matches!(
        source.resolve(other, CancellationToken::new()).await,
        Err(ResolveError::Failed(_))
    ));
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn a_cancelled_lookup_stops() {
    let (fake, source) = source(logged_in("u")).await;
    let cancel = CancellationToken::new();
    let lookup = source.resolve(netease_track(6), cancel.clone());
    let stop = async {
        // Wait until the request is at the server, then cancel.
        while fake.to("/api/song/enhance/player/url/v1").is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        cancel.cancel();
    };
    let (result, ()) = tokio::time::timeout(Duration::from_secs(10), async {
        tokio::join!(lookup, stop)
    })
    .await
    .expect("the lookup stopped");
    assert_eq!(result, Err(ResolveError::Failed("lookup cancelled".into())));
}

#[tokio::test]
async fn find_searches_and_looks_in_the_cloud_disk_leaving_out_what_cannot_play() {
    let (fake, source) = source(logged_in("u")).await;
    let mut wanted = Track::new(
        lyrebird_core::TrackId("local:1".into()),
        SourceKind::Local,
        "Wanted",
    );
    wanted.artists = vec!["Someone".into()];
    let found = source
        .find(wanted.clone(), CancellationToken::new())
        .await
        .unwrap();
    let ids: Vec<&str> = found.iter().map(|t| t.id.0.as_str()).collect();
    // Cloud first (the user's own copies), then search; 33 once; greyed and VIP left out.
    assert_eq!(ids, ["netease:40", "netease:33"]);
    assert!(found.iter().all(|t| t.source == SourceKind::NetEase));
    assert_eq!(
        found[1].cover_art.as_deref(),
        Some("https://p1.music.126.net/33.jpg")
    );
    assert_eq!(
        fake.to("/api/cloudsearch/pc")[0].param("s").as_deref(),
        Some("Wanted Someone")
    );

    // A guest has no cloud disk.
    let (fake, guest) = self::source(Credentials::default()).await;
    let found = guest.find(wanted, CancellationToken::new()).await.unwrap();
    assert_eq!(found.len(), 1);
    assert!(fake.to("/api/v1/cloud/get").is_empty());
}

#[tokio::test]
async fn session_changes_reach_the_owner() {
    let (fake, source) = source(logged_in("u")).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let source = source.reporting_to(tx);
    resolve(&source, 1).await.unwrap();
    let update = rx.try_recv().expect("the fetched xeapi key is reported");
    assert_eq!(update.xeapi_key.unwrap().sk, "sk-fake");
    assert_eq!(fake.to(support::KEY_PATH).len(), 1);
}

#[tokio::test]
async fn scrobble_and_like_go_to_netease() {
    let (fake, source) = source(logged_in("u")).await;
    assert!(source.can_like());
    let mut t = netease_track(1);
    t.duration_ms = Some(100_000);
    source
        .scrobble(
            t.clone(),
            ScrobbleKind::NowPlaying,
            CancellationToken::new(),
        )
        .await
        .unwrap();
    let at = std::time::SystemTime::now() - Duration::from_mins(5);
    source
        .scrobble(
            t.clone(),
            ScrobbleKind::Played { at },
            CancellationToken::new(),
        )
        .await
        .unwrap();
    source
        .like(t, true, CancellationToken::new())
        .await
        .unwrap();
    let logs: Vec<Value> = fake
        .to("/api/feedback/weblog")
        .iter()
        .map(|s| serde_json::from_str(&s.param("logs").unwrap()).unwrap())
        .collect();
    assert_eq!(logs[0][0]["action"], "startplay");
    assert_eq!(logs[1][0]["json"]["time"], 100);
    assert_eq!(fake.to("/api/radio/like")[0].params["like"], json!(true));
}
