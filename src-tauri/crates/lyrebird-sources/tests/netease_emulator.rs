//! NetEase end to end against the emulator (`tests/netease-emulator`, node): a real actor with
//! a fake audio side, the real registry builder, the NetEase session's owner and the account
//! commands' logic, the real library as the fallback race's local source. QR login through
//! the emulator's control endpoints, daily songs, a free song that loads from the emulator's
//! audio, a VIP-only song that plays the library's copy, the session stored in the secrets
//! file and kept up to date, logout wiping it; cookie login too.
//!
//! The emulator holds a weapi key pair of its own (`--weapi-rsa generate`), so every weapi
//! request Lyrebird sends with OS randomness is opened, parameters and all. Without node (or
//! the npm package) the test is skipped with a message, except when `CI` is set: then it
//! fails. Nothing goes to NetEase.

use std::path::Path;
use std::time::Duration;

use lyrebird_core::actor::{Action, Player, PlayerConfig, PlayerHandle, RegistryConfig};
use lyrebird_core::netease::{NeteaseError, NeteaseQuality, QrState};
use lyrebird_core::provider::Playable;
use lyrebird_core::servers::WantedSources;
use lyrebird_core::{AudioCommand, SourceKind, TrackId};
use lyrebird_library::service::LibraryHandle;
use lyrebird_netease::ApiHosts;
use lyrebird_sources::netease::{NeteaseAccount, NeteaseSession, SECRET_ENTRY};
use lyrebird_sources::secrets::{SECRETS_FILE, SecretStore};
use lyrebird_sources::{RegistryBuilder, build_registries};
use serde_json::Value;
use tokio::sync::mpsc;

#[path = "../../lyrebird-netease/tests/support/emulator.rs"]
mod emulator;
#[path = "support/wav.rs"]
mod wav;

use emulator::{Emulator, skip_or_fail};
use wav::write_tagged_wav;

/// Starts the emulator with its own weapi key and `scenario` (written into `dir`), or says why
/// it cannot.
fn start_emulator(dir: &Path, scenario: &Value) -> Result<Emulator, String> {
    std::fs::create_dir_all(dir).unwrap();
    let scenario_file = dir.join("scenario.json");
    std::fs::write(&scenario_file, scenario.to_string()).unwrap();
    let scenario_arg = scenario_file.into_os_string();
    emulator::start(&[
        std::ffi::OsStr::new("--weapi-rsa"),
        std::ffi::OsStr::new("generate"),
        std::ffi::OsStr::new("--scenario"),
        &scenario_arg,
    ])
}

/// The scrobbles the emulator took of `action` (`startplay`, `play`) for song `id`.
fn scrobbles_of<'a>(state: &'a Value, action: &str, id: &str) -> Vec<&'a Value> {
    state["scrobbles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["action"] == action && s["json"]["id"] == id)
        .collect()
}

fn liked_on_emulator(state: &Value) -> Vec<u64> {
    state["liked"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_u64)
        .collect()
}

/// The next load's play id and what it plays (URL or path).
async fn next_load_id(
    audio: &mut mpsc::UnboundedReceiver<AudioCommand>,
) -> (lyrebird_core::PlayId, String) {
    let wait = async {
        loop {
            if let AudioCommand::Load { play_id, media, .. } =
                audio.recv().await.expect("the actor runs")
            {
                return match media {
                    Playable::Stream(spec) => (play_id, spec.url),
                    Playable::File(path) => (play_id, path.display().to_string()),
                };
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), wait)
        .await
        .expect("a load within 20 s")
}

/// The secrets file as JSON (empty when there is none).
fn secrets_file(dir: &Path) -> serde_json::Map<String, Value> {
    std::fs::read_to_string(dir.join(SECRETS_FILE))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// The NetEase session stored in the secrets file, if any.
fn stored_session(dir: &Path) -> Option<Value> {
    secrets_file(dir)
        .get(SECRET_ENTRY)
        .and_then(Value::as_str)
        .map(|text| serde_json::from_str(text).unwrap())
}

struct App {
    player: PlayerHandle,
    /// What the actor publishes (notices among it).
    published: mpsc::UnboundedReceiver<lyrebird_core::Published>,
    account: NeteaseAccount,
    audio: mpsc::UnboundedReceiver<AudioCommand>,
    audio_events: mpsc::UnboundedSender<lyrebird_core::AudioEvent>,
}

/// The app's NetEase wiring as `startup.rs` does it, with a fake audio side: the actor, the
/// session's owner, the registry builder (with the library), the account's commands.
fn start_app(dir: &Path, hosts: ApiHosts, library: LibraryHandle) -> App {
    let (wanted_tx, wanted) = tokio::sync::watch::channel(WantedSources::default());
    let config = PlayerConfig {
        settings_path: Some(dir.join("settings.json")),
        registry: RegistryConfig {
            wanted: Some(wanted_tx),
        },
        ..PlayerConfig::default()
    };
    let (audio_tx, audio) = mpsc::unbounded_channel();
    let (audio_events, audio_events_rx) = mpsc::unbounded_channel();
    let (player, published, actor) = Player::new(config, audio_tx, audio_events_rx);
    tokio::spawn(actor);
    // No keyring on a test machine's bus: the 0600 file.
    let secrets = SecretStore::new(dir, None);
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let (session, owner) = NeteaseSession::new(secrets.clone(), http.clone(), hosts);
    tokio::spawn(owner);
    tokio::spawn(build_registries(
        player.clone(),
        wanted,
        RegistryBuilder {
            library,
            secrets,
            http: Some(http),
            netease: Some(session.clone()),
        },
    ));
    let (copies, copy_owner) = lyrebird_sources::copies::CopyFinder::new(player.clone());
    tokio::spawn(copy_owner);
    App {
        published,
        account: NeteaseAccount::new(player.clone(), session)
            .with_copies(copies)
            .with_offline(dir.join("data").join("netease")),
        player,
        audio,
        audio_events,
    }
}

async fn registered(player: &PlayerHandle) -> Vec<String> {
    player.registry_view().await.unwrap().sources
}

/// Wait (10 s at most) until the registry in use is the one the actor wants.
async fn registry_current(player: &PlayerHandle) {
    for _ in 0..1000 {
        let view = player.registry_view().await.unwrap();
        if view.in_use == Some(view.wanted) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the wanted registry was never built");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines)]
async fn qr_login_daily_songs_play_a_vip_song_falls_back_to_the_library_and_logout_wipes() {
    let dir = tempfile::tempdir().unwrap();
    // A listener without VIP: "Members Only" (fee 1) has no URL for them.
    let scenario = serde_json::json!({ "user": { "vipType": 0 } });
    let emu = match start_emulator(&dir.path().join("emulator"), &scenario) {
        Ok(emu) => emu,
        Err(why) => return skip_or_fail(&why),
    };
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    // What LYREBIRD_NETEASE_API and LYREBIRD_NETEASE_WEAPI_PUBKEY give the app.
    let hosts = ApiHosts::from_vars(Some(&emu.base), Some(emu.weapi_modulus())).unwrap();

    // The library holds a copy of the VIP-only song.
    let music = dir.path().join("music");
    std::fs::create_dir_all(&music).unwrap();
    let copy = music.join("members-only.wav");
    write_tagged_wav(&copy, "Members Only", "Paywall Trio", 5);
    let (library, _) = LibraryHandle::spawn(None);
    library
        .sync(vec![music.clone()], SourceKind::Local, |_| {})
        .await
        .unwrap();

    let mut app = start_app(dir.path(), hosts, library);
    let account = app.account.clone();

    // Not signed in: no NetEase source, lists refused.
    assert_eq!(account.status().await.unwrap().user, None);
    assert_eq!(account.daily().await, Err(NeteaseError::NotLoggedIn));
    assert!(!registered(&app.player).await.contains(&"netease".into()));

    // QR login: waiting, scanned, confirmed (the emulator's control endpoints play the phone).
    let qr = account.qr_start().await.unwrap();
    assert!(
        qr.url.ends_with(&format!("codekey={}", qr.key)),
        "{}",
        qr.url
    );
    assert_eq!(qr.modules.len(), (qr.size * qr.size) as usize);
    assert_eq!(
        account.qr_check(qr.key.clone()).await.unwrap(),
        QrState::Waiting
    );
    emu.control(
        &http,
        &format!("/qr/{}/scan", qr.key),
        &serde_json::json!({}),
    )
    .await;
    assert!(matches!(
        account.qr_check(qr.key.clone()).await.unwrap(),
        QrState::Scanned { nickname: Some(_) }
    ));
    emu.control(
        &http,
        &format!("/qr/{}/confirm", qr.key),
        &serde_json::json!({}),
    )
    .await;
    let QrState::Confirmed { status } = account.qr_check(qr.key.clone()).await.unwrap() else {
        panic!("not confirmed");
    };
    let user = status.user.expect("signed in");
    assert_eq!(
        (user.id, user.nickname.as_str()),
        (10001, "Emulated Listener")
    );
    assert!(!user.vip);
    assert_eq!(account.status().await.unwrap().user, Some(user));
    assert!(registered(&app.player).await.contains(&"netease".into()));

    // The session is in the secrets file (0600), not in the settings.
    let stored = stored_session(dir.path()).expect("the session is stored");
    let music_u = stored["credentials"]["music_u"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!music_u.is_empty());
    assert_eq!(stored["device"]["device_id"].as_str().unwrap().len(), 52);

    // Daily songs, playable by id.
    let daily = account.daily().await.unwrap();
    let ids: Vec<&str> = daily.iter().map(|t| t.id.0.as_str()).collect();
    assert_eq!(
        ids,
        [
            "netease:1001",
            "netease:1002",
            "netease:1003",
            "netease:1004",
            "netease:1006"
        ]
    );
    assert_eq!(daily[0].title, "Loopback Morning");
    // Listed tracks say whether the user liked them (1001 and 1006 in the scenario).
    let liked: Vec<Option<bool>> = daily.iter().map(|t| t.liked).collect();
    assert_eq!(
        liked,
        [
            Some(true),
            Some(false),
            Some(false),
            Some(false),
            Some(true)
        ]
    );

    // A free song plays from the emulator's audio; once it starts, NetEase hears of it
    // (`startplay`, the official client's weblog).
    app.player
        .act(Action::PlayListed(vec![TrackId("netease:1001".into())]))
        .await
        .unwrap();
    let (play_id, url) = next_load_id(&mut app.audio).await;
    app.audio_events
        .send(lyrebird_core::AudioEvent::Started {
            play_id,
            duration_ms: Some(5_000),
        })
        .unwrap();
    emu.until_state(&http, "startplay of 1001", |s| {
        scrobbles_of(s, "startplay", "1001").len() == 1
    })
    .await;
    assert!(
        url.starts_with(&format!("{}/__audio/1001-exhigh.", emu.base)),
        "{url}"
    );
    let audio = http.get(&url).send().await.unwrap();
    assert_eq!(audio.status(), 200);
    assert!(audio.bytes().await.unwrap().len() > 1000);
    // The player says what plays: the level NetEase offered.
    let state = app.player.snapshot().await.unwrap().state;
    assert_eq!(state.quality.as_deref(), Some("exhigh"));

    // On a metered connection (the OS watcher's word) with a second level chosen, the
    // registry is rebuilt with it and the next song asks NetEase for that level.
    account
        .set_metered_quality(Some(NeteaseQuality::Standard))
        .await
        .unwrap();
    app.player.act(Action::SetMetered(true)).await.unwrap();
    registry_current(&app.player).await;
    app.player
        .act(Action::PlayListed(vec![TrackId("netease:1001".into())]))
        .await
        .unwrap();
    let (_, url) = next_load_id(&mut app.audio).await;
    assert!(
        url.starts_with(&format!("{}/__audio/1001-standard.", emu.base)),
        "{url}"
    );
    let state = app.player.snapshot().await.unwrap().state;
    assert_eq!(state.quality.as_deref(), Some("standard"));
    app.player.act(Action::SetMetered(false)).await.unwrap();
    registry_current(&app.player).await;

    // A VIP-only song goes to the fallback race, which plays the library's copy.
    app.player
        .act(Action::PlayListed(vec![TrackId("netease:1003".into())]))
        .await
        .unwrap();
    let (_, played) = next_load_id(&mut app.audio).await;
    assert_eq!(
        std::fs::canonicalize(&played).unwrap(),
        std::fs::canonicalize(&copy).unwrap()
    );
    let snapshot = app.player.snapshot().await.unwrap();
    assert_eq!(snapshot.state.quality, None, "a file has no NetEase level");
    let from = snapshot.state.playing_from.expect("playing a copy");
    assert_eq!(from.source_label, "library");

    // The owner took in what the replies changed (the xeapi key the resolve fetched) and
    // stored it.
    let mut waited = 0;
    while stored_session(dir.path()).is_some_and(|s| s["xeapi_key"].is_null()) {
        assert!(waited < 100, "the xeapi key was never stored");
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += 1;
    }

    // Like the current song (the VIP one, playing from the library's copy): the like goes to
    // NetEase, the heart shows it, and the liked list has it; unlike takes it back.
    let members = TrackId("netease:1003".into());
    app.player
        .act(Action::SetLiked {
            track: members.clone(),
            liked: true,
        })
        .await
        .unwrap();
    assert_eq!(app.player.snapshot().await.unwrap().state.liked, Some(true));
    emu.until_state(&http, "the like of 1003", |s| {
        liked_on_emulator(s).first() == Some(&1003)
    })
    .await;
    let liked = account.liked().await.unwrap();
    assert_eq!(liked[0].id, members);
    assert_eq!(liked[0].liked, Some(true));
    assert!(liked.iter().all(|t| t.liked == Some(true)));
    app.player
        .act(Action::SetLiked {
            track: members.clone(),
            liked: false,
        })
        .await
        .unwrap();
    emu.until_state(&http, "the unlike of 1003", |s| {
        !liked_on_emulator(s).contains(&1003)
    })
    .await;
    let log: Value = serde_json::from_str(
        &http
            .get(format!("{}/__control/log?api=/api/radio/like", emu.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let like_calls: Vec<String> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["params"]["trackId"], e["params"]["like"]))
        .collect();
    assert_eq!(like_calls, [r#""1003" true"#, r#""1003" false"#], "{log}");

    // A long enough song, listened to past half its length: NetEase gets the play (its
    // `time` is the wall-clock seconds since the start, bounded by the length: about 0 here,
    // where the positions come at once).
    app.player
        .act(Action::PlayListed(vec![TrackId("netease:1006".into())]))
        .await
        .unwrap();
    let (play_id, _) = next_load_id(&mut app.audio).await;
    app.audio_events
        .send(lyrebird_core::AudioEvent::Started {
            play_id,
            duration_ms: Some(60_000),
        })
        .unwrap();
    for second in 1..=31 {
        app.audio_events
            .send(lyrebird_core::AudioEvent::Position {
                play_id,
                position_ms: second * 1_000,
            })
            .unwrap();
    }
    // Both are fire-and-forget tasks: they may arrive in either order.
    let state = emu
        .until_state(&http, "the startplay and play of 1006", |s| {
            scrobbles_of(s, "play", "1006").len() == 1
                && !scrobbles_of(s, "startplay", "1006").is_empty()
        })
        .await;
    let play = scrobbles_of(&state, "play", "1006")[0];
    assert_eq!(play["json"]["end"], "playend");
    let seconds = play["json"]["time"].as_u64().unwrap();
    assert!(seconds <= 60, "{play}");
    assert_eq!(scrobbles_of(&state, "startplay", "1006").len(), 1);

    // Lyrics of a NetEase track come from NetEase, word by word, with the translation and
    // the romanisation; a track without lyrics has none; another source's track is not
    // NetEase's to answer.
    let lyrics = account
        .lyrics("netease:1006")
        .await
        .expect("a NetEase track")
        .expect("with lyrics");
    assert!(lyrics.synced);
    let first = &lyrics.lines[0];
    assert_eq!(first.text, "夜曲 Nocturne line one");
    let words: Vec<(u64, u64, &str)> = first
        .words
        .iter()
        .map(|w| (w.at_ms, w.dur_ms, w.text.as_str()))
        .collect();
    assert_eq!(
        words,
        [
            (0, 7_500, "夜曲 "),
            (7_500, 7_500, "Nocturne "),
            (15_000, 7_500, "line "),
            (22_500, 7_500, "one")
        ]
    );
    assert_eq!(first.translation.as_deref(), Some("译文 1"));
    assert_eq!(first.romanization.as_deref(), Some("roma 1"));
    assert_eq!(lyrics.lines[1].at_ms, 30_000);
    assert_eq!(account.lyrics("netease:1007").await, Some(None));
    assert_eq!(account.lyrics("local:song").await, None);

    // Playlists, a page of the 10 000-track one, liked songs, search, FM; quality.
    let lists = account.playlists().await.unwrap();
    assert!(lists.iter().any(|p| p.name == "Emulated Mix"), "{lists:?}");
    let page = account.playlist(2002, 9_900, 1_000).await.unwrap();
    assert_eq!(
        (page.total, page.offset, page.tracks.len()),
        (10_000, 9_900, 100)
    );
    let page = account.playlist(2002, 0, 1_000).await.unwrap();
    assert_eq!(page.tracks.len(), 500, "capped");
    let liked = account.liked().await.unwrap();
    assert_eq!(liked.len(), 2);
    let found = account.search("Nocturne".into()).await.unwrap();
    assert!(found.iter().any(|t| t.id.0 == "netease:1006"), "{found:?}");
    let fm = account.fm().await.unwrap();
    assert!(!fm.is_empty());
    account.fm_trash(fm[0].id.0.clone()).await.unwrap();
    account.set_quality(NeteaseQuality::Lossless).await.unwrap();
    assert_eq!(
        account.status().await.unwrap().quality,
        NeteaseQuality::Lossless
    );

    // Logout: NetEase is no source, the session is gone, the queue is kept.
    let queue_before = app.player.snapshot().await.unwrap().queue.count;
    account.logout().await.unwrap();
    assert_eq!(account.status().await.unwrap().user, None);
    assert!(!registered(&app.player).await.contains(&"netease".into()));
    assert!(stored_session(dir.path()).is_none(), "the secret is wiped");
    assert_eq!(account.daily().await, Err(NeteaseError::NotLoggedIn));
    // Lyrics need no login: asked with a guest client.
    assert!(matches!(
        account.lyrics("netease:1001").await,
        Some(Some(_))
    ));
    let queue_after = app.player.snapshot().await.unwrap().queue.count;
    assert_eq!(queue_after, queue_before);

    // The last resort: a pasted MUSIC_U (the scenario's preset), checked first.
    assert!(account.login_cookie("bad cookie; x".into()).await.is_err());
    assert_eq!(
        account.login_cookie("MUSIC_U=NOT_A_TOKEN".into()).await,
        Err(NeteaseError::NotLoggedIn)
    );
    assert!(stored_session(dir.path()).is_none());
    let status = account
        .login_cookie("EMU_MUSIC_U_PRESET_10001".into())
        .await
        .unwrap();
    assert_eq!(status.user.map(|u| u.id), Some(10001));
    assert_eq!(account.daily().await.unwrap().len(), 5);

    // No token reached the settings file.
    app.player.shutdown().await.unwrap();
    let settings = std::fs::read_to_string(dir.path().join("settings.json")).unwrap();
    assert!(settings.contains("Emulated Listener"), "{settings}");
    for token in [music_u.as_str(), "EMU_MUSIC_U_PRESET_10001"] {
        assert!(!settings.contains(token), "a token in settings.json");
    }
}

/// Phone login by SMS code through the app's wiring (what the typed form sends is checked
/// first), then the lists beyond playlists: recently played, the
/// cloud disk, the charts (each opens as a playlist), heartbeat mode from the latest liked
/// song, and search suggestions (which need no login). A wrong password and a second code asked
/// too soon are errors the UI words; nothing is stored until NetEase accepts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines)] // one user's session, step by step
async fn sms_login_then_recent_cloud_charts_heartbeat_and_suggestions() {
    use lyrebird_core::netease::{NeteaseLogin, NeteaseLoginField, NeteasePlaylistEdit};
    let dir = tempfile::tempdir().unwrap();
    let emu = match start_emulator(&dir.path().join("emulator"), &serde_json::json!({})) {
        Ok(emu) => emu,
        Err(why) => return skip_or_fail(&why),
    };
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let hosts = ApiHosts::from_vars(Some(&emu.base), Some(emu.weapi_modulus())).unwrap();
    // The library holds a copy of the greyed "Withdrawn".
    let music = dir.path().join("music");
    std::fs::create_dir_all(&music).unwrap();
    write_tagged_wav(
        &music.join("withdrawn.wav"),
        "Withdrawn",
        "Catalogue Quartet",
        5,
    );
    let (library, _) = LibraryHandle::spawn(None);
    library
        .sync(vec![music], SourceKind::Local, |_| {})
        .await
        .unwrap();
    let app = start_app(dir.path(), hosts, library);
    let account = app.account.clone();
    let ids = |tracks: &[lyrebird_core::Track]| -> Vec<String> {
        tracks.iter().map(|t| t.id.0.clone()).collect()
    };

    // Suggestions while signed out (a guest client asks).
    let suggested = account.suggest("  quartet ".into()).await.unwrap();
    assert_eq!(suggested.artists.len(), 1);
    assert_eq!(suggested.artists[0].name, "Catalogue Quartet");
    assert!(suggested.songs.iter().any(|s| s.name == "Opening Bars"));
    assert!(
        account
            .suggest("   ".into())
            .await
            .unwrap()
            .songs
            .is_empty()
    );

    // What cannot be right is refused before anything is sent.
    let typed = |phone: &str, code: &str| NeteaseLogin::PhoneCode {
        country_code: "86".into(),
        phone: phone.into(),
        code: code.into(),
    };
    assert_eq!(
        account.login(typed("12ab", "1234")).await,
        Err(NeteaseError::Invalid {
            field: NeteaseLoginField::Phone
        })
    );
    assert_eq!(
        account.login(typed("13800138000", "12")).await,
        Err(NeteaseError::Invalid {
            field: NeteaseLoginField::Code
        })
    );
    let wrong = account
        .login(NeteaseLogin::PhonePassword {
            country_code: "+86".into(),
            phone: "138-0013-8000".into(),
            password: "nope".into(),
        })
        .await;
    assert_eq!(wrong, Err(NeteaseError::WrongPassword));
    assert_eq!(
        stored_session(dir.path())
            .and_then(|s| s["credentials"]["music_u"].as_str().map(str::to_owned)),
        None
    );

    account
        .sms_send("86".into(), "138 0013 8000".into())
        .await
        .unwrap();
    assert_eq!(
        account.sms_send("86".into(), "13800138000".into()).await,
        Err(NeteaseError::CodeTooSoon)
    );
    let sent = emu.inspect(&http, "/sms").await;
    assert_eq!(sent["sent"][0]["cellphone"], "13800138000");
    let code = sent["sent"][0]["code"].as_str().unwrap().to_owned();
    let status = account.login(typed("13800138000", &code)).await.unwrap();
    assert_eq!(status.user.map(|u| u.id), Some(10001));
    assert!(registered(&app.player).await.contains(&"netease".into()));
    assert!(
        stored_session(dir.path()).is_some(),
        "the session is stored"
    );

    // Recently played (the emulator's record; a scrobbled start goes on top: the client's test).
    assert_eq!(
        ids(&account.recent().await.unwrap()),
        ["netease:1006", "netease:1002"]
    );

    assert_eq!(ids(&account.cloud().await.unwrap()), ["netease:1008"]);

    let charts = account.charts().await.unwrap();
    assert_eq!(charts.len(), 2);
    assert_eq!(
        (charts[0].name.as_str(), charts[0].updated.as_deref()),
        ("飙升榜", Some("每天更新"))
    );
    let page = account.playlist(charts[0].id, 0, 500).await.unwrap();
    assert_eq!(
        ids(&page.tracks),
        [
            "netease:1006",
            "netease:1001",
            "netease:1003",
            "netease:1005"
        ]
    );

    // Heartbeat from the latest liked song (1001): it first, then picks not liked; the tracks
    // are the actor's to play by id.
    let beat = account.heartbeat(None).await.unwrap();
    assert_eq!(beat[0].id.0, "netease:1001");
    assert_eq!(beat[0].liked, Some(true));
    assert!(beat.len() > 3 && beat[1..].iter().all(|t| t.liked == Some(false)));
    let from = account
        .heartbeat(Some("netease:1006".into()))
        .await
        .unwrap();
    assert_eq!(from[0].id.0, "netease:1006");
    app.player
        .act(Action::PlayListed(vec![beat[1].id.clone()]))
        .await
        .expect("a heartbeat track plays by id");

    // A playlist of the user's own: created, songs added (NetEase puts them first) and one
    // removed; a duplicate is NetEase's refusal; what is not a NetEase track is refused here.
    let created = account
        .playlist_create("  Road Trip ".into())
        .await
        .unwrap();
    assert_eq!(
        (created.name.as_str(), created.subscribed),
        ("Road Trip", false)
    );
    assert!(account.playlist_create(" ".into()).await.is_err());
    let edit = |ids: &[&str], how| {
        account.playlist_edit(
            created.id,
            ids.iter().map(|&id| id.to_owned()).collect(),
            how,
        )
    };
    edit(&["netease:1001"], NeteasePlaylistEdit::Add)
        .await
        .unwrap();
    edit(&["netease:1013", "netease:1006"], NeteasePlaylistEdit::Add)
        .await
        .unwrap();
    assert!(matches!(
        edit(&["netease:1001"], NeteasePlaylistEdit::Add).await,
        Err(NeteaseError::Other { .. })
    ));
    assert!(edit(&["local:x"], NeteasePlaylistEdit::Add).await.is_err());
    edit(&["netease:1006"], NeteasePlaylistEdit::Remove)
        .await
        .unwrap();
    assert!(
        account
            .playlists()
            .await
            .unwrap()
            .iter()
            .any(|p| p.id == created.id)
    );
    let page = account.playlist(created.id, 0, 500).await.unwrap();
    assert_eq!(ids(&page.tracks), ["netease:1013", "netease:1001"]);

    // Lyrics for a library song with none of its own: NetEase's for the same recording, once
    // the user opted in.
    // (The player knows a track by id: here one NetEase listed.)
    let listed = app
        .player
        .track(TrackId("netease:1013".into()))
        .await
        .unwrap();
    assert_eq!(listed.map(|t| t.title), Some("Withdrawn".to_owned()));
    let mut local = lyrebird_core::Track::new(
        TrackId("local:withdrawn".into()),
        SourceKind::Local,
        "Withdrawn",
    );
    local.artists = vec!["Catalogue Quartet".into()];
    local.duration_ms = Some(5_000);
    assert_eq!(account.lyrics_matching(&local).await, None, "not asked for");
    let mut lyrics = app.player.settings().await.unwrap().lyrics;
    lyrics.from_netease = true;
    app.player
        .act(Action::SetLyricsSettings(lyrics))
        .await
        .unwrap();
    let sung = account
        .lyrics_matching(&local)
        .await
        .expect("NetEase's lyrics of the same recording");
    assert!(!sung.lines.is_empty());
    let mut other = local.clone();
    other.title = "Nothing Like It".into();
    assert_eq!(account.lyrics_matching(&other).await, None, "no match");

    // A search finds albums, artists and playlists too.
    let found = account.search_else(" quartet ".into()).await.unwrap();
    assert_eq!(found.albums.len(), 2);
    assert_eq!(found.artists.len(), 1);
    assert_eq!(found.artists[0].name, "Catalogue Quartet");
    let lists = account.search_else("mix".into()).await.unwrap().playlists;
    assert_eq!(
        lists.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["Emulated Mix"]
    );
    assert_eq!(
        account.search_else(" ".into()).await.unwrap(),
        lyrebird_core::netease::NeteaseFound::default()
    );

    // Covers: a NetEase track's picture, from NetEase's image host only.
    let art = page.tracks[0].cover_art.clone().expect("a cover address");
    assert!(art.contains("music.126.net"), "{art}");
    let (mime, png) = account.cover(&art, 256).await.expect("the cover");
    assert_eq!(mime, "image/png");
    assert_eq!(&png[1..4], b"PNG");
    for hostile in [
        "https://evil.example/x.jpg",
        "file:///etc/passwd",
        "http://127.0.0.1:1/emulator/1.jpg",
    ] {
        assert_eq!(account.cover(hostile, 256).await, None, "{hostile}");
    }

    // An album's greyed song is listed as such, and its copy in the library is found.
    let album = account
        .album(lyrebird_core::netease::NeteaseRef::Track {
            track_id: "netease:1013".into(),
        })
        .await
        .unwrap();
    let greyed = album
        .tracks
        .iter()
        .find(|t| t.id.0 == "netease:1013")
        .unwrap();
    assert_eq!(greyed.unplayable, Some(lyrebird_core::Unplayable::Greyed));
    assert!(
        album
            .tracks
            .iter()
            .filter(|t| t.unplayable.is_some())
            .count()
            == 1,
        "a VIP listener can play the rest: {:?}",
        album.tracks
    );
    let copies = account
        .copies(vec!["netease:1013".into(), "netease:1011".into()])
        .await
        .unwrap();
    assert_eq!(
        copies.len(),
        1,
        "only the greyed song is looked up: {copies:?}"
    );
    assert_eq!(copies[0].track_id.0, "netease:1013");
    assert_eq!(
        copies[0].source.as_deref(),
        Some(lyrebird_sources::LIBRARY_LABEL)
    );
}

/// Offline start: the lists NetEase answered are kept (in the data directory, for this user);
/// with NetEase gone they are shown as kept, a notice says from when, and their tracks are
/// the actor's to play by id. Lists never kept stay an "unreachable" error; signing out
/// forgets them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_are_kept_for_an_offline_start() {
    use lyrebird_core::Published;
    use lyrebird_core::events::Notice;
    let dir = tempfile::tempdir().unwrap();
    let emu = match start_emulator(&dir.path().join("emulator"), &serde_json::json!({})) {
        Ok(emu) => emu,
        Err(why) => return skip_or_fail(&why),
    };
    let hosts = ApiHosts::from_vars(Some(&emu.base), Some(emu.weapi_modulus())).unwrap();
    let (library, _) = LibraryHandle::spawn(None);
    let mut app = start_app(dir.path(), hosts, library);
    let account = app.account.clone();
    account
        .login_cookie("EMU_MUSIC_U_PRESET_10001".into())
        .await
        .unwrap();

    let daily = account.daily().await.unwrap();
    let liked = account.liked().await.unwrap();
    let recent = account.recent().await.unwrap();
    let playlists = account.playlists().await.unwrap();
    let page = account.playlist(2001, 0, 500).await.unwrap();
    assert!(
        !daily.is_empty() && !liked.is_empty() && !recent.is_empty() && !page.tracks.is_empty()
    );
    let kept = dir.path().join("data").join("netease");
    let files = [
        "daily.json",
        "liked.json",
        "recent.json",
        "playlists.json",
        "playlist-2001.json",
    ];
    tokio::time::timeout(Duration::from_secs(10), async {
        while !files.iter().all(|f| kept.join(f).exists()) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("every list was kept");

    // NetEase goes away.
    drop(emu);
    while app.published.try_recv().is_ok() {}
    assert_eq!(account.daily().await.unwrap(), daily);
    assert_eq!(account.liked().await.unwrap(), liked);
    assert_eq!(account.recent().await.unwrap(), recent);
    assert_eq!(account.playlists().await.unwrap(), playlists);
    assert_eq!(account.playlist(2001, 0, 500).await.unwrap(), page);
    assert!(
        matches!(
            account.playlist(2002, 0, 500).await,
            Err(NeteaseError::Unreachable { .. })
        ),
        "a list never kept"
    );
    assert!(
        matches!(
            account.playlist(2001, 500, 500).await,
            Err(NeteaseError::Unreachable { .. })
        ),
        "only first pages are kept"
    );
    // The actor publishes a turn's notices after it has replied: wait for them, then read
    // for a moment more in case a sixth comes.
    let mut offline = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let until = if offline.len() >= 5 {
            deadline.min(tokio::time::Instant::now() + Duration::from_millis(200))
        } else {
            deadline
        };
        match tokio::time::timeout_at(until, app.published.recv()).await {
            Ok(Some(Published {
                event: lyrebird_core::PlayerEvent::Notice(Notice::NeteaseOffline { saved_ms }),
                ..
            })) => offline.push(saved_ms),
            Ok(Some(_)) => {}
            _ => break,
        }
    }
    assert_eq!(offline.len(), 5, "one notice per list shown as kept");
    assert!(offline.iter().all(|ms| *ms > 1_700_000_000_000));
    app.player
        .act(Action::PlayListed(vec![daily[0].id.clone()]))
        .await
        .expect("a kept track is the actor's to play");

    // Signing out forgets them.
    account.logout().await.unwrap();
    assert!(files.iter().all(|f| !kept.join(f).exists()));
}

/// An artist with more albums than their page lists (120): the page has the newest 100 and
/// says there are more; the next page has the other 20 and says there are no more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_artists_albums_beyond_the_first_hundred() {
    let dir = tempfile::tempdir().unwrap();
    let extra: Vec<Value> = (0..120)
        .map(|n| {
            serde_json::json!({
                "id": 9000 + n, "name": format!("Track {n}"), "artist": "Prolific",
                "album": format!("Album {n:03}"), "fee": 0, "maxLevel": "exhigh", "toneHz": 300 + n
            })
        })
        .collect();
    // The user saved every one of those albums.
    let saved: Vec<String> = (0..120).map(|n| format!("Album {n:03}")).collect();
    let scenario = serde_json::json!({ "extraSongs": extra, "savedAlbums": saved });
    let emu = match start_emulator(&dir.path().join("emulator"), &scenario) {
        Ok(emu) => emu,
        Err(why) => return skip_or_fail(&why),
    };
    let hosts = ApiHosts::from_vars(Some(&emu.base), Some(emu.weapi_modulus())).unwrap();
    let (library, _) = LibraryHandle::spawn(None);
    let app = start_app(dir.path(), hosts, library);
    let account = app.account.clone();
    account
        .login_cookie("EMU_MUSIC_U_PRESET_10001".into())
        .await
        .unwrap();
    let artist = account
        .search_else("prolific".into())
        .await
        .unwrap()
        .artists[0]
        .id;
    let page = account
        .artist(lyrebird_core::netease::NeteaseRef::Id { id: artist })
        .await
        .unwrap();
    assert_eq!((page.albums.len(), page.more_albums), (100, true));
    let rest = account.artist_albums(artist, 100).await.unwrap();
    assert_eq!((rest.albums.len(), rest.more), (20, false));
    let mut all: Vec<u64> = page
        .albums
        .iter()
        .chain(&rest.albums)
        .map(|a| a.id)
        .collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 120, "no album twice, none left out");

    // The saved albums page the same way.
    let library = account.library().await.unwrap();
    assert_eq!((library.albums.len(), library.more_albums), (100, true));
    let rest = account
        .library_more(lyrebird_core::netease::NeteaseLibraryPart::Albums, 100)
        .await
        .unwrap();
    assert_eq!((rest.albums.len(), rest.more_albums), (20, false));
    assert!(rest.artists.is_empty());
}

/// How many "NetEase is offline: kept lists" notices the actor has published, after a moment
/// for its coalescing.
async fn offline_notices(
    published: &mut mpsc::UnboundedReceiver<lyrebird_core::Published>,
) -> usize {
    use lyrebird_core::events::Notice;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut n = 0;
    while let Ok(event) = published.try_recv() {
        if let lyrebird_core::Published {
            event: lyrebird_core::PlayerEvent::Notice(Notice::NeteaseOffline { .. }),
            ..
        } = event
        {
            n += 1;
        }
    }
    n
}

/// One connection reset — the keep-alive race: NetEase closing a pooled connection just as it
/// is reused — costs one more request, not "NetEase cannot be reached": the client sends a
/// read again once, so neither a list nor a song's URL fails, and nothing is shown offline.
/// Two resets in a row are NetEase unreachable: the kept list, with its notice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_connection_reset_does_not_take_netease_offline() {
    const DAILY: &str = "/api/v3/discovery/recommend/songs";
    let dir = tempfile::tempdir().unwrap();
    let emu = match start_emulator(&dir.path().join("emulator"), &serde_json::json!({})) {
        Ok(emu) => emu,
        Err(why) => return skip_or_fail(&why),
    };
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let hosts = ApiHosts::from_vars(Some(&emu.base), Some(emu.weapi_modulus())).unwrap();
    let (library, _) = LibraryHandle::spawn(None);
    let mut app = start_app(dir.path(), hosts, library);
    let account = app.account.clone();
    account
        .login_cookie("EMU_MUSIC_U_PRESET_10001".into())
        .await
        .unwrap();
    let daily = account.daily().await.unwrap();
    let kept = dir.path().join("data").join("netease").join("daily.json");
    tokio::time::timeout(Duration::from_secs(10), async {
        while !kept.exists() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the daily list was kept");
    offline_notices(&mut app.published).await;
    let reset =
        |path: &str, times: u32| serde_json::json!({ "path": path, "reset": true, "times": times });

    // Once: the list comes from NetEase, after one more request.
    emu.control(&http, "/fault", &reset(DAILY, 1)).await;
    assert_eq!(account.daily().await.unwrap(), daily);
    assert_eq!(
        offline_notices(&mut app.published).await,
        0,
        "not shown as offline"
    );
    let log = emu.inspect(&http, &format!("/log?api={DAILY}")).await;
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        3,
        "the first list, the reset, the retry: {log}"
    );
    assert_eq!(entries[1]["reset"], true, "{log}");
    assert_eq!(entries[2]["code"], 200, "{log}");

    // A song's URL reset once: the song still plays from NetEase, not through the fallback.
    emu.control(
        &http,
        "/fault",
        &reset("/api/song/enhance/player/url/v1", 1),
    )
    .await;
    app.player
        .act(Action::PlayListed(vec![TrackId("netease:1001".into())]))
        .await
        .unwrap();
    let (_, url) = next_load_id(&mut app.audio).await;
    assert!(
        url.starts_with(&format!("{}/__audio/1001-exhigh.", emu.base)),
        "{url}"
    );

    // Twice in a row: NetEase cannot be reached, and the kept list is shown as such.
    emu.control(&http, "/fault", &reset(DAILY, 2)).await;
    assert_eq!(account.daily().await.unwrap(), daily);
    assert_eq!(
        offline_notices(&mut app.published).await,
        1,
        "shown as kept, once"
    );
    let log = emu.inspect(&http, &format!("/log?api={DAILY}")).await;
    assert_eq!(
        log["entries"].as_array().unwrap().len(),
        5,
        "sent twice, not more: {log}"
    );
}
