//! Lyrebird's own `build` + `send` against the NetEase emulator (`tests/netease-emulator`),
//! which decrypts with the npm package `@neteasecloudmusicapienhanced/api`: two independent
//! implementations of the protocol agreeing over real HTTP on the loopback interface.
//!
//! The emulator runs under `node` from PATH. Without node (or the npm package) the test is
//! skipped with a message, except when `CI` is set: then it fails. Nothing goes to NetEase.

use lyrebird_netease::crypto::xeapi;
use lyrebird_netease::crypto::{OsEntropy, ReplayEntropy};
use lyrebird_netease::{
    ApiCall, ApiHosts, ClientOs, Credentials, DeviceIdentity, Params, RequestContext, Scheme,
    build, build_xeapi_key_request, send,
};
use serde_json::{Value, json};

/// The login token the emulator's default scenario accepts from the start.
const PRESET_MUSIC_U: &str = "EMU_MUSIC_U_PRESET_10001";

#[path = "support/emulator.rs"]
mod emulator;

use emulator::{now_ms, skip_or_fail};

/// A client of the emulator (its own weapi key) signed in with its preset login, and the plain
/// HTTP client it sends through (for the control endpoints).
fn signed_in(
    emu: &emulator::Emulator,
) -> (lyrebird_netease::client::NeteaseClient, reqwest::Client) {
    client_with(
        emu,
        Credentials {
            music_u: Some(PRESET_MUSIC_U.into()),
            ..Credentials::default()
        },
    )
}

/// A client of the emulator (its weapi key, a new device) with `credentials`, and the HTTP
/// client it sends through.
fn client_with(
    emu: &emulator::Emulator,
    credentials: Credentials,
) -> (lyrebird_netease::client::NeteaseClient, reqwest::Client) {
    let hosts = ApiHosts::from_vars(Some(&emu.base), Some(emu.weapi_modulus())).unwrap();
    let device = DeviceIdentity::generate(ClientOs::Pc, &mut OsEntropy, now_ms()).unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let client =
        lyrebird_netease::client::NeteaseClient::new(http.clone(), hosts, device, credentials);
    (client, http)
}

/// With the emulator's own weapi key (what `LYREBIRD_NETEASE_WEAPI_PUBKEY` sets), the client
/// with the operating system's randomness gets every weapi call opened, parameters and all.
#[tokio::test]
async fn weapi_with_the_emulators_own_key_needs_no_known_secret() {
    use lyrebird_netease::client::NeteaseClient;
    let emu = match emulator::start(&["--weapi-rsa", "generate"]) {
        Ok(emu) => emu,
        Err(why) => return skip_or_fail(&why),
    };
    let hosts = ApiHosts::from_vars(Some(&emu.base), Some(emu.weapi_modulus())).unwrap();
    assert!(!hosts.weapi_key.is_netease());
    let device = DeviceIdentity::generate(ClientOs::Pc, &mut OsEntropy, now_ms()).unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let credentials = Credentials {
        music_u: Some(PRESET_MUSIC_U.into()),
        ..Credentials::default()
    };
    let client = NeteaseClient::new(http.clone(), hosts, device.clone(), credentials.clone());
    let daily = client.daily_songs().await.unwrap().value;
    assert_eq!(daily.len(), 5);
    // Song details carry parameters: only an opened request can answer them.
    let details = client.song_details(&[1001, 1006]).await.unwrap().value;
    let ids: Vec<u64> = details.iter().map(|s| s.id).collect();
    assert_eq!(ids, [1001, 1006]);
    let log = http
        .get(format!("{}/__control/log", emu.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let log: Value = serde_json::from_slice(&log).unwrap();
    let weapi: Vec<&Value> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["scheme"] == "weapi")
        .collect();
    assert_eq!(weapi.len(), 2, "{log}");
    assert!(weapi.iter().all(|e| e["decrypted"] == true), "{log}");
    // NetEase's own key, with a secret the emulator was not told, is refused.
    let netease_key =
        NeteaseClient::new(http, ApiHosts::all(&emu.base).unwrap(), device, credentials);
    assert!(netease_key.daily_songs().await.is_err());
}

/// Album and artist pages (weapi, with the emulator's own key): an album's songs keep their
/// privileges — the VIP-only one has no bitrate without VIP, the greyed one `st` < 0 — and
/// classify as a playlist's would, so they go to the fallback race.
#[tokio::test]
async fn albums_and_artists_from_the_emulator() {
    use lyrebird_netease::client::NeteaseClient;
    use lyrebird_netease::playability::{Playability, classify};
    let emu = match emulator::start(&["--weapi-rsa", "generate"]) {
        Ok(emu) => emu,
        Err(why) => return skip_or_fail(&why),
    };
    let hosts = ApiHosts::from_vars(Some(&emu.base), Some(emu.weapi_modulus())).unwrap();
    let device = DeviceIdentity::generate(ClientOs::Pc, &mut OsEntropy, now_ms()).unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    // No VIP: a guest (the emulator's preset user has VIP).
    let client = NeteaseClient::new(http, hosts, device, Credentials::default());

    let song = client.song_details(&[1012]).await.unwrap().value.remove(0);
    let album_id = song.album.as_ref().unwrap().id;
    let artist_id = song.artists[0].id;

    let album = client.album(album_id).await.unwrap().value;
    assert_eq!(album.album.name.as_deref(), Some("Deep Cuts"));
    assert_eq!(album.album.all_artists()[0].id, artist_id);
    assert_eq!(album.album.company.as_deref(), Some("Loopback Records"));
    assert_eq!(
        album.songs.iter().map(|s| s.id).collect::<Vec<_>>(),
        [1011, 1012, 1013, 1014]
    );
    assert_eq!(
        album
            .songs
            .iter()
            .map(|s| s.track_number)
            .collect::<Vec<_>>(),
        [Some(1), Some(2), Some(3), Some(4)]
    );
    let verdict = |id: u64| classify(album.songs.iter().find(|s| s.id == id), None, None);
    // Without a URL reply a free song is only "no URL yet"; it is not refused.
    assert_eq!(verdict(1011), Playability::NoUrl);
    assert_eq!(verdict(1012), Playability::NeedsVip);
    assert_eq!(verdict(1013), Playability::Greyed);

    let artist = client.artist(artist_id).await.unwrap().value;
    assert_eq!(artist.artist.name.as_deref(), Some("Catalogue Quartet"));
    assert_eq!(artist.artist.album_count, Some(2));
    assert_eq!(artist.top_songs.len(), 5);
    assert!(artist.top_songs.iter().all(|s| s.privilege.is_some()));
    let albums = client.artist_albums(artist_id, 1, 0).await.unwrap().value;
    assert_eq!(albums.albums.len(), 1);
    assert_eq!(albums.albums[0].id, album_id);
    assert!(albums.more);
    let rest = client.artist_albums(artist_id, 30, 1).await.unwrap().value;
    assert_eq!(rest.albums[0].name.as_deref(), Some("B-Sides"));
    assert!(!rest.more);

    assert!(client.album(1).await.is_err());
    assert!(client.artist(1).await.is_err());
}

/// The logged-in user's saved albums and followed artists (weapi `/api/album/sublist`,
/// `/api/artist/sublist`): the emulator's user has one of each, the ones the album and artist
/// pages show; a guest is refused.
#[tokio::test]
async fn saved_albums_and_followed_artists_from_the_emulator() {
    let emu = match emulator::start(&["--weapi-rsa", "generate"]) {
        Ok(emu) => emu,
        Err(why) => return skip_or_fail(&why),
    };
    let (client, _) = signed_in(&emu);

    let song = client.song_details(&[1012]).await.unwrap().value.remove(0);
    let album_id = song.album.as_ref().unwrap().id;
    let artist_id = song.artists[0].id;

    let albums = client.subscribed_albums(100, 0).await.unwrap().value;
    assert_eq!(
        albums
            .albums
            .iter()
            .map(|a| (a.id, a.name.as_deref()))
            .collect::<Vec<_>>(),
        [(album_id, Some("Deep Cuts"))]
    );
    assert_eq!(albums.albums[0].all_artists()[0].id, artist_id);
    assert_eq!(albums.count, Some(1));
    assert!(!albums.more);

    let artists = client.followed_artists(100, 0).await.unwrap().value;
    assert_eq!(
        artists
            .artists
            .iter()
            .map(|a| (a.id, a.name.as_deref()))
            .collect::<Vec<_>>(),
        [(artist_id, Some("Catalogue Quartet"))]
    );
    assert_eq!(artists.artists[0].album_count, Some(2));
    assert!(!artists.more);
    assert!(
        client
            .followed_artists(100, 1)
            .await
            .unwrap()
            .value
            .artists
            .is_empty()
    );

    let (guest, _) = client_with(&emu, Credentials::default());
    assert!(guest.subscribed_albums(100, 0).await.is_err());
}

#[tokio::test]
#[allow(clippy::too_many_lines)]
async fn lyrebird_and_the_emulator_agree_over_http() {
    let emu = match emulator::start::<&str>(&[]) {
        Ok(emu) => emu,
        Err(why) => return skip_or_fail(&why),
    };
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let hosts = ApiHosts::all(&emu.base).unwrap();
    let device = DeviceIdentity::generate(ClientOs::Pc, &mut OsEntropy, now_ms()).unwrap();
    let anonymous = Credentials::default();
    let logged_in = Credentials {
        music_u: Some(PRESET_MUSIC_U.to_owned()),
        ..Credentials::default()
    };
    let ctx = |credentials| RequestContext {
        hosts: &hosts,
        device: &device,
        credentials,
        xeapi_key: None,
        xeapi_session: None,
    };

    // eapi: the QR key, an encrypted reply; then the check after the emulator's "phone"
    // confirmed, which logs in with Set-Cookie.
    let call = ApiCall::new(
        Scheme::Eapi,
        "/api/login/qrcode/unikey",
        Params::new().with("type", 3),
    )
    .encrypted_reply(true);
    let reply = send(
        &http,
        &build(&call, &ctx(&anonymous), &mut OsEntropy, now_ms()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.json["code"], 200);
    let unikey = reply.json["unikey"].as_str().unwrap().to_owned();
    emu.control(&http, &format!("/qr/{unikey}/confirm"), &json!({}))
        .await;
    let check = ApiCall::new(
        Scheme::Eapi,
        "/api/login/qrcode/client/login",
        Params::new().with("key", unikey.as_str()).with("type", 3),
    );
    let reply = send(
        &http,
        &build(&check, &ctx(&anonymous), &mut OsEntropy, now_ms()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(reply.json["code"], 803, "{}", reply.json);
    assert!(
        reply.set_cookies.iter().any(|c| c.starts_with("MUSIC_U=")),
        "{:?}",
        reply.set_cookies
    );

    // weapi: only NetEase can open a random secret; the emulator opens one it was told.
    // Replaying bytes 0..16 makes the secret "abcdefghijklmnop".
    emu.control(
        &http,
        "/weapi/secret",
        &json!({"secret": "abcdefghijklmnop"}),
    )
    .await;
    let daily = ApiCall::new(
        Scheme::Weapi,
        "/api/v3/discovery/recommend/songs",
        Params::new(),
    )
    .encrypted_reply(true);
    let mut fixed_secret = ReplayEntropy::new((0u8..16).collect::<Vec<_>>());
    let reply = send(
        &http,
        &build(&daily, &ctx(&logged_in), &mut fixed_secret, now_ms()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(reply.json["code"], 200, "{}", reply.json);
    let songs = reply.json["data"]["dailySongs"].as_array().unwrap();
    assert_eq!(songs.len(), 5);
    assert!(songs[0]["privilege"]["maxbr"].is_number());
    // The same request with a secret the emulator does not know is refused as undecryptable.
    let reply = send(
        &http,
        &build(&daily, &ctx(&logged_in), &mut OsEntropy, now_ms()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(reply.status, 400, "{}", reply.json);

    // xeapi: the key exchange (signature checked both ways), then the song URL; the reply
    // starts a session, which the next request uses.
    let (key_request, nonce) =
        build_xeapi_key_request(&ctx(&logged_in), &mut OsEntropy, now_ms()).unwrap();
    let reply = send(&http, &key_request).await.unwrap();
    let key = xeapi::read_key_reply(&reply.json, &nonce, None).unwrap();
    let song_url = ApiCall::new(
        Scheme::Xeapi,
        "/api/song/enhance/player/url/v1",
        Params::new()
            .with("ids", "[1001]")
            .with("level", "exhigh")
            .with("encodeType", "flac"),
    );
    let with_key = RequestContext {
        xeapi_key: Some(&key),
        ..ctx(&logged_in)
    };
    let reply = send(
        &http,
        &build(&song_url, &with_key, &mut OsEntropy, now_ms()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(reply.json["code"], 200, "{}", reply.json);
    let entry = &reply.json["data"][0];
    assert_eq!(entry["level"], "exhigh");
    assert_eq!(entry["br"], 320_000);
    let url = entry["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("{}/__audio/1001-exhigh.", emu.base)));
    let session = reply
        .session
        .expect("the first xeapi reply starts a session");
    let with_session = RequestContext {
        xeapi_session: Some(&session),
        ..with_key
    };
    let reply = send(
        &http,
        &build(&song_url, &with_session, &mut OsEntropy, now_ms()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(reply.json["data"][0]["code"], 200, "{}", reply.json);
    let audio = http.get(&url).send().await.unwrap();
    assert_eq!(audio.status(), 200);
    assert_eq!(
        audio.bytes().await.unwrap().len() as u64,
        entry["size"].as_u64().unwrap()
    );

    // What the emulator saw: the right scheme per endpoint, the decrypted parameters, the
    // session in use, the login token redacted.
    let log = http
        .get(format!("{}/__control/log", emu.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let log: Value = serde_json::from_slice(&log).unwrap();
    let entries = log["entries"].as_array().unwrap();
    let seen: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e["scheme"].as_str().unwrap(), e["api"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            ("eapi", "/api/login/qrcode/unikey"),
            ("eapi", "/api/login/qrcode/client/login"),
            ("weapi", "/api/v3/discovery/recommend/songs"),
            ("weapi", "/api/v3/discovery/recommend/songs"),
            ("api", "/api/gorilla/anti/crawler/security/key/get"),
            ("xeapi", "/api/song/enhance/player/url/v1"),
            ("xeapi", "/api/song/enhance/player/url/v1"),
        ]
    );
    assert_eq!(entries[1]["params"]["key"], unikey.as_str());
    assert_eq!(entries[2]["cookies"]["MUSIC_U"], "<redacted>");
    assert_eq!(entries[5]["xeapi"]["session"], false);
    assert_eq!(entries[6]["xeapi"]["session"], true);
    assert_eq!(entries[6]["params"]["level"], "exhigh");
    assert!(!log.to_string().contains(PRESET_MUSIC_U));
}

/// Phone (password and SMS) and email logins with the client against the emulator: each
/// gives a `MUSIC_U` the account endpoint accepts; wrong passwords, wrong codes, unknown
/// accounts and a second code asked too soon are refusals the UI can word. The emulator's log
/// shows the password only as its MD5 (redacted there too).
#[tokio::test]
async fn password_sms_and_email_logins_against_the_emulator() {
    use lyrebird_netease::client::NeteaseClient;
    use lyrebird_netease::login::PhoneProof;
    use lyrebird_netease::model::LoginStatus;
    use lyrebird_netease::{ApiError, LoginRefusal};
    let emu = match emulator::start(&["--weapi-rsa", "generate"]) {
        Ok(emu) => emu,
        Err(why) => return skip_or_fail(&why),
    };
    let hosts = ApiHosts::from_vars(Some(&emu.base), Some(emu.weapi_modulus())).unwrap();
    let device = DeviceIdentity::generate(ClientOs::Pc, &mut OsEntropy, now_ms()).unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let guest = NeteaseClient::new(http.clone(), hosts, device, Credentials::default());
    let logged_in = |credentials: Credentials| {
        let client = guest.clone().with_credentials(credentials);
        async move {
            match client.login_status().await.unwrap().value {
                LoginStatus::LoggedIn(account) => account.user_id,
                other => panic!("not logged in: {other:?}"),
            }
        }
    };

    let wrong = guest
        .login_phone("86", "13800138000", PhoneProof::Password("nope"))
        .await;
    assert_eq!(wrong, Err(ApiError::Login(LoginRefusal::WrongPassword)));
    let unknown = guest
        .login_phone("86", "13900000000", PhoneProof::Password("correct horse"))
        .await;
    assert_eq!(unknown, Err(ApiError::Login(LoginRefusal::UnknownAccount)));
    let by_password = guest
        .login_phone("86", "13800138000", PhoneProof::Password("correct horse"))
        .await
        .unwrap();
    assert_eq!(
        by_password.update.credentials.as_ref(),
        Some(&by_password.value)
    );
    assert_eq!(logged_in(by_password.value).await, 10001);

    let by_email = guest
        .login_email("listener@163.com", "correct horse")
        .await
        .unwrap();
    assert_eq!(logged_in(by_email.value).await, 10001);

    guest.send_sms_code("86", "13800138000").await.unwrap();
    assert_eq!(
        guest.send_sms_code("86", "13800138000").await,
        Err(ApiError::Login(LoginRefusal::CodeTooSoon))
    );
    let sent = emu.inspect(&http, "/sms").await;
    let code = sent["sent"][0]["code"].as_str().unwrap().to_owned();
    let wrong_code = format!("{:04}", (code.parse::<u32>().unwrap() + 1) % 10_000);
    assert_eq!(
        guest
            .login_phone("86", "13800138000", PhoneProof::SmsCode(&wrong_code))
            .await,
        Err(ApiError::Login(LoginRefusal::WrongCode))
    );
    let by_sms = guest
        .login_phone("86", "13800138000", PhoneProof::SmsCode(&code))
        .await
        .unwrap();
    assert_eq!(logged_in(by_sms.value).await, 10001);

    let log = emu.inspect(&http, "/log?api=/api/w/login/cellphone").await;
    let text = log.to_string();
    assert!(
        !text.contains("correct horse") && !text.contains(&code),
        "{text}"
    );
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 5, "{text}");
    assert!(
        entries
            .iter()
            .all(|e| e["decrypted"] == true && e["scheme"] == "weapi")
    );
}

/// Recently played, the charts, heartbeat mode and search suggestions from the emulator.
#[tokio::test]
async fn recent_charts_heartbeat_and_suggestions_from_the_emulator() {
    use lyrebird_netease::client::Scrobble;
    let emu = match emulator::start(&["--weapi-rsa", "generate"]) {
        Ok(emu) => emu,
        Err(why) => return skip_or_fail(&why),
    };
    let (client, _) = signed_in(&emu);

    let ids =
        |songs: &[lyrebird_netease::model::Song]| songs.iter().map(|s| s.id).collect::<Vec<_>>();
    let recent = client.recent_songs(100).await.unwrap().value;
    assert_eq!(ids(&recent), [1006, 1002]);
    client
        .scrobble(1011, None, Scrobble::Started)
        .await
        .unwrap();
    assert_eq!(
        ids(&client.recent_songs(100).await.unwrap().value),
        [1011, 1006, 1002]
    );

    let charts = client.charts().await.unwrap().value;
    assert_eq!(
        charts.iter().map(|c| c.id).collect::<Vec<_>>(),
        [19_723_756, 3_779_629]
    );
    assert_eq!(charts[0].name.as_deref(), Some("飙升榜"));
    let chart = client.playlist_detail(charts[0].id).await.unwrap().value;
    assert_eq!(chart.track_ids, [1006, 1001, 1003, 1005]);

    let liked_playlist = client
        .user_playlists(10001, 30, 0)
        .await
        .unwrap()
        .value
        .playlists
        .into_iter()
        .find(|p| p.special_type == Some(5))
        .unwrap();
    let beat = client
        .heartbeat(1001, liked_playlist.id, 1)
        .await
        .unwrap()
        .value;
    assert_eq!(beat[0].id, 1001, "the start song first");
    assert!(beat.len() > 3 && beat.iter().skip(1).all(|s| s.privilege.is_some()));

    let found = client.search_suggestions("quartet").await.unwrap().value;
    assert_eq!(
        found
            .artists
            .iter()
            .filter_map(|a| a.name.as_deref())
            .collect::<Vec<_>>(),
        ["Catalogue Quartet"]
    );
    assert_eq!(found.albums.len(), 2);
    assert!(
        client
            .search_suggestions("zzzz")
            .await
            .unwrap()
            .value
            .is_empty()
    );
}

/// Creating a playlist and editing its songs with the client against the emulator.
#[tokio::test]
async fn playlists_created_and_edited_against_the_emulator() {
    use lyrebird_netease::playlist_edit::TrackEdit;
    let emu = match emulator::start(&["--weapi-rsa", "generate"]) {
        Ok(emu) => emu,
        Err(why) => return skip_or_fail(&why),
    };
    let (client, http) = signed_in(&emu);
    let created = client
        .playlist_create("Road Trip", false)
        .await
        .unwrap()
        .value;
    assert_eq!(created.name.as_deref(), Some("Road Trip"));
    client
        .playlist_tracks(TrackEdit::Add, created.id, &[1001, 1006])
        .await
        .unwrap();
    let duplicate = client
        .playlist_tracks(TrackEdit::Add, created.id, &[1001])
        .await;
    assert!(
        matches!(
            duplicate,
            Err(lyrebird_netease::ApiError::Refused { code: 502, .. })
        ),
        "{duplicate:?}"
    );
    client
        .playlist_tracks(TrackEdit::Remove, created.id, &[1006])
        .await
        .unwrap();
    let detail = client.playlist_detail(created.id).await.unwrap().value;
    assert_eq!(detail.track_ids, [1001]);
    let state = emu.inspect(&http, "/state").await;
    assert_eq!(
        state["playlists"][created.id.to_string()]["trackIds"],
        json!([1001])
    );
}

/// The studio-master level: a VIP gets it for a song that has it, and the best level below it
/// for one that does not.
#[tokio::test]
async fn the_master_level_against_the_emulator() {
    use lyrebird_netease::model::Quality;
    let emu = match emulator::start(&["--weapi-rsa", "generate"]) {
        Ok(emu) => emu,
        Err(why) => return skip_or_fail(&why),
    };
    let (client, _) = signed_in(&emu);
    let master = client.song_url(1016, Quality::Master).await.unwrap().value;
    assert_eq!(master.quality(), Some(Quality::Master));
    assert!(master.url.is_some());
    let below = client.song_url(1006, Quality::Master).await.unwrap().value;
    assert_eq!(below.quality(), Some(Quality::Hires));
}
