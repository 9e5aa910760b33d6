//! The client against a fake NetEase on the loopback interface: every endpoint goes out with
//! the npm package's scheme and parameters (the fake decrypts them with the crate's own
//! server-side functions), replies come back typed, what they change comes back as a
//! `SessionUpdate`, and requests in flight at once each carry their own cookies and headers.

mod support;

use std::sync::Arc;
use std::time::Duration;

use lyrebird_netease::client::{Answer, NeteaseClient, Scrobble, anonymous_username};
use lyrebird_netease::model::{LoginStatus, QrStatus, Quality};
use lyrebird_netease::{ApiError, Credentials};
use serde_json::{Value, json};
use support::{Canned, Fake, Handler, Seen, client, client_with, logged_in, privilege, song};
use tokio::sync::Barrier;

/// Answers like NetEase for each endpoint the client uses.
fn netease(seen: &Seen) -> Canned {
    let ok = |v: Value| Canned::json(v);
    match seen.api.as_str() {
        "/api/login/qrcode/unikey" => ok(json!({"code": 200, "unikey": "qr-key-1"})),
        "/api/login/qrcode/client/login" => match seen.param("key").as_deref() {
            Some("k800") => ok(json!({"code": 800, "message": "二维码不存在或已过期"})),
            Some("k801") => ok(json!({"code": 801, "message": "等待扫码"})),
            Some("k802") => ok(json!({"code": 802, "message": "授权中", "nickname": "Lyre",
                                       "avatarUrl": "https://p1.music.126.net/a.jpg"})),
            Some("k803") => ok(json!({"code": 803, "message": "授权登陆成功"}))
                .with_cookie("MUSIC_U=u-token; Max-Age=1296000; Path=/; HTTPOnly")
                .with_cookie("__csrf=csrf-1; Max-Age=1296010; Path=/")
                .with_cookie("NMTID=n; Path=/"),
            _ => ok(json!({"code": 8821, "message": "需要行为验证码验证"})),
        },
        "/api/w/nuser/account/get" => {
            if seen.cookies.contains_key("MUSIC_U") {
                ok(
                    json!({"code": 200, "account": {"id": 42, "anonimousUser": false, "vipType": 11},
                          "profile": {"userId": 42, "nickname": "Lyre", "vipType": 11}}),
                )
            } else {
                ok(json!({"code": 200, "account": null, "profile": null}))
            }
        }
        "/api/register/anonimous" => ok(json!({"code": 200, "userId": 77, "createTime": 1}))
            .with_cookie("MUSIC_A=anon-token; Max-Age=1296000; Path=/"),
        "/api/v3/discovery/recommend/songs" => ok(json!({"code": 200, "data": {
            "dailySongs": [song(1, "Daily one", 8), song(2, "Daily two", 0)],
            "recommendReasons": []}})),
        "/api/v1/radio/get" => ok(json!({"code": 200, "popAdjust": false, "data": [
            {"id": 3, "name": "FM", "artists": [{"id": 9, "name": "Old shape"}],
             "album": {"id": 8, "name": "A", "picUrl": "https://p1.music.126.net/3.jpg"},
             "duration": 180_000, "fee": 0}]})),
        "/api/radio/trash/add" => ok(json!({"code": 200, "count": 1})),
        "/api/user/playlist" => ok(json!({"code": 200, "more": true, "playlist": [
            {"id": 500, "name": "Liked", "specialType": 5, "trackCount": 2500,
             "coverImgUrl": "https://p1.music.126.net/p.jpg", "subscribed": false,
             "creator": {"userId": 42}}]})),
        "/api/v6/playlist/detail" => {
            let ids: Vec<Value> = (1..=2500).map(|i| json!({"id": i, "t": 0})).collect();
            ok(
                json!({"code": 200, "playlist": {"id": 500, "name": "Liked", "trackIds": ids,
                "tracks": [song(1, "First", 0)]}, "privileges": [privilege(1, 0, 0, 320_000)]}),
            )
        }
        "/api/v3/song/detail" => {
            let c: Vec<Value> = serde_json::from_str(&seen.param("c").unwrap()).unwrap();
            let ids: Vec<u64> = c.iter().map(|o| o["id"].as_u64().unwrap()).collect();
            ok(json!({"code": 200,
                "songs": ids.iter().map(|i| song(*i, &format!("Song {i}"), 0)).collect::<Vec<_>>(),
                "privileges": ids.iter().map(|i| privilege(*i, 0, 0, 320_000)).collect::<Vec<_>>()}))
        }
        "/api/song/like/get" => ok(json!({"code": 200, "ids": [5, 6, "7"], "checkPoint": 1})),
        "/api/radio/like" => ok(json!({"code": 200, "playlistId": 500})),
        "/api/song/enhance/player/url/v1" => {
            let id: u64 = seen
                .param("ids")
                .unwrap()
                .trim_matches(['[', ']'])
                .parse()
                .unwrap();
            // Offers at most exhigh, whatever is asked.
            ok(
                json!({"code": 200, "data": [{"id": id, "url": format!("http://m701.music.126.net/{id}.mp3"),
                "br": 320_000, "size": 8_000_000, "type": "mp3", "level": "exhigh",
                "freeTrialInfo": null, "code": 200, "fee": 0, "time": 200_000}]}),
            )
        }
        "/api/song/lyric/v1" => ok(json!({"code": 200, "lrc": {"lyric": "[00:01.00]line"},
            "tlyric": {"lyric": "[00:01.00]译"}, "romalrc": {"lyric": ""},
            "yrc": {"lyric": "[1000,500](1000,500,0)line"}})),
        "/api/cloudsearch/pc" => ok(json!({"code": 200, "result": {"songCount": 2,
            "songs": [song(10, "Found", 0), song(11, "Found too", 0)]}})),
        "/api/v1/cloud/get" => ok(json!({"code": 200, "count": 1, "hasMore": false, "data": [
            {"songId": 20, "songName": "Upload", "artist": "Me", "album": "Mine",
             "fileName": "upload.flac", "fileSize": 30_000_000, "bitrate": 900,
             "simpleSong": song(20, "Upload", 0)}]})),
        "/api/feedback/weblog" => ok(json!({"code": 200, "data": "success"})),
        _ => ok(json!({"code": 404, "message": "no such endpoint"})),
    }
}

fn handler() -> Handler {
    Arc::new(netease)
}

/// Each endpoint's (scheme, path) as the npm package 4.40.1 sends it.
fn assert_scheme(fake: &Fake, api: &str, scheme: &str) -> Seen {
    let seen = fake.to(api);
    assert!(!seen.is_empty(), "nothing sent to {api}");
    for s in &seen {
        assert_eq!(s.scheme, scheme, "{api}");
    }
    seen[0].clone()
}

#[tokio::test]
async fn login_endpoints_use_their_schemes_and_hand_back_credentials() {
    let fake = Fake::start(handler(), None).await;
    let c = client(&fake.base, Credentials::default());

    let key = c.qr_key().await.unwrap();
    assert_eq!(key.value, "qr-key-1");
    assert_eq!(
        assert_scheme(&fake, "/api/login/qrcode/unikey", "eapi")
            .param("type")
            .as_deref(),
        Some("3")
    );
    assert_eq!(
        c.qr_login_url("a b"),
        format!("{}/login?codekey=a+b", fake.base)
    );

    assert_eq!(c.qr_check("k800").await.unwrap().value, QrStatus::Expired);
    assert_eq!(c.qr_check("k801").await.unwrap().value, QrStatus::Waiting);
    assert!(matches!(
        c.qr_check("k802").await.unwrap().value,
        QrStatus::Scanned { nickname: Some(n), .. } if n == "Lyre"
    ));
    let done = c.qr_check("k803").await.unwrap();
    let QrStatus::Confirmed { credentials } = &done.value else {
        panic!("{:?}", done.value)
    };
    assert_eq!(credentials.music_u.as_deref(), Some("u-token"));
    assert_eq!(credentials.csrf.as_deref(), Some("csrf-1"));
    assert_eq!(done.update.credentials.as_ref(), Some(credentials));
    assert_eq!(c.qr_check("other").await.unwrap_err(), ApiError::Captcha);
    let check = assert_scheme(&fake, "/api/login/qrcode/client/login", "eapi");
    assert!(
        !check.cookies.contains_key("NMTID"),
        "login requests leave NMTID out"
    );

    // Not logged in yet: an answer, not an error. The client itself never changed.
    assert_eq!(
        c.login_status().await.unwrap().value,
        LoginStatus::LoggedOut
    );
    assert_eq!(c.credentials(), &Credentials::default());
    // The owner applies the update.
    let mut owned = c.clone();
    owned.apply(&done.update);
    let status = owned.login_status().await.unwrap().value;
    assert!(matches!(status, LoginStatus::LoggedIn(a) if a.user_id == 42 && a.vip_type == 11));
    let weapi = fake.to("/api/w/nuser/account/get").pop().unwrap();
    assert_eq!(weapi.scheme, "weapi");
    assert_eq!(
        weapi.cookies.get("MUSIC_U").map(String::as_str),
        Some("u-token")
    );
    assert_eq!(weapi.param("csrf_token").as_deref(), Some("csrf-1"));
}

#[tokio::test]
async fn anonymous_registration_fetches_the_xeapi_key_and_returns_music_a() {
    let fake = Fake::start(handler(), None).await;
    let c = client(&fake.base, Credentials::default());
    let Answer { value, update } = c.register_anonymous().await.unwrap();
    assert_eq!(value.music_a.as_deref(), Some("anon-token"));
    assert_eq!(value.music_u, None);
    // The key was fetched first (plain), and comes back for the owner to keep.
    assert_eq!(fake.seen()[0].api, support::KEY_PATH);
    assert_eq!(fake.seen()[0].scheme, "api");
    assert_eq!(update.xeapi_key.as_ref().unwrap().sk, "sk-fake");
    let sent = assert_scheme(&fake, "/api/register/anonimous", "xeapi");
    assert_eq!(
        sent.param("username"),
        Some(anonymous_username(&c.device().device_id))
    );
    assert_eq!(
        sent.headers.get("x-aeapi").map(String::as_str),
        Some("true")
    );

    // With the key applied, the next xeapi call fetches none.
    let mut owned = c.clone();
    owned.apply(&update);
    owned.song_url(1, Quality::Standard).await.unwrap();
    assert_eq!(fake.to(support::KEY_PATH).len(), 1);
}

#[tokio::test]
async fn music_endpoints_use_their_schemes_and_parse() {
    let fake = Fake::start(handler(), None).await;
    let c = client(&fake.base, logged_in("u1"));

    let daily = c.daily_songs().await.unwrap().value;
    assert_eq!(daily.iter().map(|s| s.id).collect::<Vec<_>>(), [1, 2]);
    assert_scheme(&fake, "/api/v3/discovery/recommend/songs", "weapi");

    let fm = c.personal_fm().await.unwrap().value;
    assert_eq!(fm[0].artists[0].name.as_deref(), Some("Old shape"));
    assert_eq!(fm[0].duration_ms, Some(180_000));
    assert_scheme(&fake, "/api/v1/radio/get", "weapi");

    c.fm_trash(3).await.unwrap();
    let trash = assert_scheme(&fake, "/api/radio/trash/add", "weapi");
    assert_eq!(
        (
            trash.param("songId").as_deref(),
            trash.param("alg").as_deref()
        ),
        (Some("3"), Some("RT"))
    );

    let page = c.user_playlists(42, 30, 0).await.unwrap().value;
    assert!(page.more);
    assert_eq!(
        (page.playlists[0].id, page.playlists[0].special_type),
        (500, Some(5))
    );
    assert_eq!(
        assert_scheme(&fake, "/api/user/playlist", "weapi")
            .param("uid")
            .as_deref(),
        Some("42")
    );

    // 2500 ids, one detailed: the other 2499 in batches of at most 1000, in order.
    let songs = c.playlist_songs(500).await.unwrap().value;
    assert_eq!(songs.len(), 2500);
    assert!(songs.iter().map(|s| s.id).eq(1..=2500));
    assert_eq!(songs[0].name.as_deref(), Some("First"));
    assert_eq!(songs[1].privilege.as_ref().unwrap().pl, Some(320_000));
    assert_scheme(&fake, "/api/v6/playlist/detail", "eapi");
    let batches: Vec<usize> = fake
        .to("/api/v3/song/detail")
        .iter()
        .map(|s| {
            serde_json::from_str::<Vec<Value>>(&s.param("c").unwrap())
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(batches, [1000, 1000, 499]);
    assert_scheme(&fake, "/api/v3/song/detail", "weapi");

    assert_eq!(c.liked_ids(42).await.unwrap().value, [5, 6]);
    assert_scheme(&fake, "/api/song/like/get", "eapi");

    c.like(7, false).await.unwrap();
    let like = assert_scheme(&fake, "/api/radio/like", "weapi");
    assert_eq!(like.params["like"], json!(false));
    assert_eq!(like.param("trackId").as_deref(), Some("7"));

    let lyrics = c.lyrics(1).await.unwrap().value;
    assert_eq!(lyrics.lrc.as_deref(), Some("[00:01.00]line"));
    assert_eq!(lyrics.translation.as_deref(), Some("[00:01.00]译"));
    assert_eq!(lyrics.romanization, None);
    assert!(lyrics.word_timed.is_some());
    assert_scheme(&fake, "/api/song/lyric/v1", "eapi");

    let found = c.search_songs("found", 20, 0).await.unwrap().value;
    assert_eq!((found.songs.len(), found.total), (2, Some(2)));
    let search = assert_scheme(&fake, "/api/cloudsearch/pc", "eapi");
    assert_eq!(
        (
            search.param("s").as_deref(),
            search.param("type").as_deref()
        ),
        (Some("found"), Some("1"))
    );

    let cloud = c.cloud_songs(30, 0).await.unwrap().value;
    assert_eq!(cloud.songs[0].song.id, 20);
    assert_eq!(cloud.songs[0].file_name.as_deref(), Some("upload.flac"));
    assert_scheme(&fake, "/api/v1/cloud/get", "weapi");
}

#[tokio::test]
async fn song_url_reports_the_level_the_server_offers() {
    let fake = Fake::start(handler(), None).await;
    let c = client(&fake.base, logged_in("u1"));
    let url = c.song_url(9, Quality::Hires).await.unwrap().value;
    assert_eq!(url.url.as_deref(), Some("http://m701.music.126.net/9.mp3"));
    assert_eq!(url.quality(), Some(Quality::Exhigh));
    let sent = assert_scheme(&fake, "/api/song/enhance/player/url/v1", "xeapi");
    assert_eq!(sent.param("level").as_deref(), Some("hires"));
    assert_eq!(sent.param("ids").as_deref(), Some("[9]"));
    assert_eq!(
        sent.headers.get("x-music-u").map(String::as_str),
        Some("u1")
    );
}

#[tokio::test]
async fn scrobble_sends_both_logs_to_the_client_log_as_osx() {
    let fake = Fake::start(handler(), None).await;
    let c = client(&fake.base, logged_in("u1"));
    c.scrobble(5, Some(500), Scrobble::Started).await.unwrap();
    c.scrobble(5, None, Scrobble::Played { seconds: 201 })
        .await
        .unwrap();
    let sent = fake.to("/api/feedback/weblog");
    assert_eq!(sent.len(), 2);
    for s in &sent {
        assert_eq!(
            (s.scheme, s.url_path.as_str()),
            ("eapi", "/eapi/feedback/weblog")
        );
        assert_eq!(s.cookies.get("os").map(String::as_str), Some("osx"));
    }
    let logs = |s: &Seen| serde_json::from_str::<Value>(&s.param("logs").unwrap()).unwrap();
    let start = logs(&sent[0]);
    assert_eq!(start[0]["action"], "startplay");
    assert_eq!(start[0]["json"]["id"], "5");
    assert_eq!(start[0]["json"]["content"], "id=500");
    let play = logs(&sent[1]);
    assert_eq!(play[0]["action"], "play");
    assert_eq!(play[0]["json"]["time"], 201);
    assert_eq!(play[0]["json"]["end"], "playend");
}

#[tokio::test]
async fn risk_control_and_lost_logins_are_typed() {
    let answer: Handler = Arc::new(|seen: &Seen| match seen.api.as_str() {
        "/api/v1/radio/get" => Canned::json(json!({"code": -462, "message": "需要验证",
            "data": {"url": "https://st.music.163.com/encrypt-pages?id=1", "verifyType": 8}})),
        "/api/v3/discovery/recommend/songs" => {
            Canned::json(json!({"code": 301, "msg": "需要登录"}))
        }
        "/api/cloudsearch/pc" => Canned::json(json!({"code": -460, "message": "网络太拥挤"})),
        "/api/song/lyric/v1" => Canned::json(json!({"code": "8830"})),
        _ => Canned::json(json!({"code": 200, "songs": "garbage", "privileges": {"x": 1}})),
    });
    let fake = Fake::start(answer, None).await;
    let c = client(&fake.base, logged_in("u1"));
    let verify = c.personal_fm().await.unwrap_err();
    assert_eq!(
        verify,
        ApiError::Verify {
            url: Some("https://st.music.163.com/encrypt-pages?id=1".into())
        }
    );
    assert!(verify.is_risk_control());
    assert_eq!(c.daily_songs().await.unwrap_err(), ApiError::NotLoggedIn);
    assert_eq!(
        c.search_songs("x", 1, 0).await.unwrap_err(),
        ApiError::NetworkEnvironment
    );
    assert_eq!(c.lyrics(1).await.unwrap_err(), ApiError::SecondFactor);
    // A malformed but successful reply reads as empty, not as an error.
    assert!(c.song_details(&[1, 2]).await.unwrap().value.is_empty());
}

#[tokio::test]
async fn an_xeapi_session_comes_back_and_is_used_once_applied() {
    let answer: Handler = Arc::new(|seen: &Seen| {
        let mut canned = netease(seen);
        if seen.scheme == "xeapi" {
            canned.session = Some(("sid-9".into(), "0123456789abcdef".into()));
        }
        canned
    });
    let fake = Fake::start(answer, None).await;
    let c = client(&fake.base, logged_in("u1"));
    let first = c.song_url(1, Quality::Exhigh).await.unwrap();
    assert_eq!(first.update.xeapi_session.as_ref().unwrap().id, "sid-9");
    let mut owned = c.clone();
    owned.apply(&first.update);
    owned.song_url(2, Quality::Exhigh).await.unwrap();
    let sent = fake.to("/api/song/enhance/player/url/v1");
    assert_eq!(sent[0].xeapi_session, "");
    assert_eq!(sent[1].xeapi_session, "sid-9");
    // The client the update came from is unchanged.
    assert!(c.xeapi_session().is_none() && c.xeapi_key().is_none());
}

/// go-musicfox crashed with `concurrent map writes` when parallel lookups shared one header
/// map. Here four requests from two accounts are in flight at once (the fake answers none
/// until all four have arrived); each carries its own account's cookies and its own
/// parameters.
#[tokio::test]
async fn requests_in_flight_at_once_carry_their_own_cookies_and_headers() {
    let gate = Arc::new(Barrier::new(4));
    let fake = Fake::start(handler(), Some(gate)).await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let a: NeteaseClient = client_with(http.clone(), &fake.base, logged_in("user-a"))
        .with_xeapi(Some(fake_key()), None);
    let b: NeteaseClient =
        client_with(http, &fake.base, logged_in("user-b")).with_xeapi(Some(fake_key()), None);
    let all = async {
        tokio::join!(
            a.like(1, true),
            b.like(2, true),
            a.song_url(3, Quality::Exhigh),
            b.lyrics(4)
        )
    };
    let (r1, r2, r3, r4) = tokio::time::timeout(Duration::from_secs(20), all)
        .await
        .expect("the four requests were in flight together");
    r1.unwrap();
    r2.unwrap();
    assert_eq!(r3.unwrap().value.id, 3);
    assert!(r4.unwrap().value.lrc.is_some());

    let seen = fake.seen();
    assert_eq!(seen.len(), 4);
    for s in &seen {
        let id = s
            .param("trackId")
            .or_else(|| s.param("id"))
            .or_else(|| s.param("ids"))
            .unwrap();
        let owner = match id.trim_matches(['[', ']']) {
            "1" | "3" => "user-a",
            "2" | "4" => "user-b",
            other => panic!("unexpected id {other}"),
        };
        // Every scheme carries MUSIC_U in its cookies; eapi in its header object too, xeapi
        // in x-music-u.
        assert_eq!(
            s.cookies.get("MUSIC_U").map(String::as_str),
            Some(owner),
            "{}",
            s.api
        );
        match s.scheme {
            "weapi" => {
                assert_eq!(s.param("csrf_token"), Some(format!("csrf-{owner}")));
            }
            "eapi" => assert_eq!(s.params["header"]["MUSIC_U"], owner),
            "xeapi" => assert_eq!(s.headers.get("x-music-u").map(String::as_str), Some(owner)),
            other => panic!("{other}"),
        }
    }
}

fn fake_key() -> lyrebird_netease::crypto::xeapi::ServerKey {
    lyrebird_netease::crypto::xeapi::ServerKey {
        public_key: lyrebird_netease::crypto::xeapi::public_key_for(&support::SERVER_SECRET),
        version: "3".into(),
        sk: "sk-fake".into(),
    }
}
