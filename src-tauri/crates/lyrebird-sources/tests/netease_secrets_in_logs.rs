//! No NetEase secret in any log line, in any file the app writes, or in what the UI is told:
//! a whole session against the emulator (`tests/netease-emulator`, node) with every `tracing`
//! event and `log` record of every crate (reqwest, hyper included) captured at TRACE.
//!
//! The session is what a user does, through the app's own wiring (the actor, the registry
//! builder, the session's owner, the account's commands; `netease_emulator.rs` has the same):
//! QR login (scanned and confirmed through the emulator's control endpoints); daily songs,
//! playlists, a playlist page, liked songs, search, lyrics (word-timed, translated), personal
//! FM; songs resolved and streamed through the real `lyrebird_stream::Streamer` with an audio
//! cache (one to the end, one whose URL expires mid-stream and is refreshed through the actor,
//! one opened with an expired URL: 403); like and unlike; the start and the end of a play
//! reported; NetEase's -462 and 301, an HTTP 503 and a reset connection; logout; a wrong and a
//! right pasted `MUSIC_U`, and more browsing and playing with it; the client's anonymous
//! registration; logout again.
//!
//! The emulator is reached through a recording proxy of the test's own, which sees every
//! `Set-Cookie` (`MUSIC_U`, `__csrf`, `MUSIC_R_T`, `MUSIC_A`), every `x-encr-sskey` and every
//! cookie sent, so the secrets checked are the session's real ones, not a guess of them; the
//! stored session (secrets file) adds the xeapi `sk`; the test itself knows the QR unikey, the
//! pasted cookies, and the audio URLs' `t` tokens. (The device identity's cookies and the
//! xeapi session id are identifiers, shown in `Debug` on purpose, and not checked.)
//!
//! None of them may be in a log line; in any file under the test's config, data and cache
//! directories (settings, queue session, library index, audio cache) but the secrets file,
//! where they belong; or in the errors and events the UI gets. A secret logged, and one
//! written to a file, on purpose are caught first: the checks can fail.
//!
//! One test in its own binary: it installs the process's global subscriber. Without node (or
//! the npm package) it is skipped with a message, except when `CI` is set: then it fails.

use std::fmt::Write as _;
use std::io::{Read as _, Seek as _, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lyrebird_core::actor::{Action, Player, PlayerConfig, PlayerHandle, RegistryConfig};
use lyrebird_core::netease::{NeteaseError, NeteaseLogin, QrState};
use lyrebird_core::provider::{Playable, StreamSpec};
use lyrebird_core::servers::WantedSources;
use lyrebird_core::{AudioCommand, AudioEvent, PlayId, TrackId};
use lyrebird_library::service::LibraryHandle;
use lyrebird_netease::ApiHosts;
use lyrebird_sources::netease::{NeteaseAccount, NeteaseSession, SECRET_ENTRY};
use lyrebird_sources::secrets::{SECRETS_FILE, SecretStore};
use lyrebird_sources::{RegistryBuilder, build_registries};
use lyrebird_stream::{Cache, Location, Opened, Refresh, StreamOptions, StreamRequest, Streamer};
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[path = "../../lyrebird-netease/tests/support/emulator.rs"]
mod emulator;

use emulator::{Emulator, skip_or_fail};

/// A pasted cookie NetEase does not know: a secret all the same.
const WRONG_MUSIC_U: &str = "EMU_MUSIC_U_WRONG_5f0c1d2e3a4b5c6d7e8f9a0b";
/// The emulator's preset login token (its default scenario), pasted by the user.
const PRESET_MUSIC_U: &str = "EMU_MUSIC_U_PRESET_10001";
/// Names of the cookies that are secrets.
const SECRET_COOKIES: [&str; 4] = ["MUSIC_U", "MUSIC_A", "MUSIC_R_T", "__csrf"];

// ---- capture ---------------------------------------------------------------------------

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

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
    fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

/// The listener's phone number, as stored and as typed, email address and password.
const PHONE: &str = "1380013800012345";
const PHONE_AS_TYPED: &str = "1380 0138 0001 2345";
const EMAIL: &str = "listener.emulated@163.com";
const PASSWORD: &str = "correct horse battery staple";

fn hex_md5(text: &str) -> String {
    use md5::{Digest, Md5};
    use std::fmt::Write as _;
    Md5::digest(text.as_bytes())
        .iter()
        .fold(String::new(), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
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

/// The log lines holding a secret: `(secret's name, line)`.
fn log_hits(logs: &str, secrets: &[(String, String)]) -> Vec<(String, String)> {
    let mut hits = Vec::new();
    for line in logs.lines() {
        for (name, value) in secrets {
            if line.contains(value.as_str()) {
                hits.push((name.clone(), line.to_owned()));
            }
        }
    }
    hits
}

/// Every file under `dirs` (recursively) but `except`, with the secrets it holds.
fn file_hits(dirs: &[PathBuf], except: &Path, secrets: &[(String, String)]) -> Vec<String> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, files);
            } else {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    for dir in dirs {
        walk(dir, &mut files);
    }
    let mut hits = Vec::new();
    for file in files.iter().filter(|f| f.as_path() != except) {
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        for (name, value) in secrets {
            if bytes
                .windows(value.len())
                .any(|window| window == value.as_bytes())
            {
                hits.push(format!("{name} in {}", file.display()));
            }
        }
    }
    hits
}

// ---- the recording proxy ---------------------------------------------------------------

/// What the proxy saw pass.
#[derive(Default)]
struct Seen {
    /// `Set-Cookie` lines of the replies.
    set_cookies: Vec<String>,
    /// `Cookie` lines of the requests.
    cookies_sent: Vec<String>,
    /// `x-encr-sskey` values of the replies.
    session_keys: Vec<String>,
    /// Request targets (path and query) of audio requests, and their statuses.
    audio: Vec<(String, u16)>,
}

/// A plain HTTP/1.1 proxy in front of `upstream`: one request per connection, the body read
/// whole; audio bodies go out slowly (16 KiB per 20 ms), as over a real network, so a seek
/// far ahead goes to the network instead of a file already downloaded.
struct Proxy {
    base: String,
    seen: Arc<Mutex<Seen>>,
}

async fn start_proxy(upstream: String) -> Proxy {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Seen::default()));
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let shared = seen.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(forward(
                socket,
                upstream.clone(),
                http.clone(),
                shared.clone(),
            ));
        }
    });
    Proxy { base, seen }
}

async fn forward(
    mut socket: tokio::net::TcpStream,
    upstream: String,
    http: reqwest::Client,
    seen: Arc<Mutex<Seen>>,
) {
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(target)) = (request_line.next(), request_line.next()) else {
        return;
    };
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let Ok(method) = reqwest::Method::from_bytes(method.as_bytes()) else {
        return;
    };
    let mut request = http.request(method, format!("{upstream}{target}"));
    for (name, value) in &headers {
        if name == "cookie" {
            seen.lock().unwrap().cookies_sent.push(value.clone());
        }
        if !["host", "connection", "content-length", "transfer-encoding"].contains(&name.as_str()) {
            request = request.header(name.as_str(), value.as_str());
        }
    }
    // A reset connection (a fault) reaches the client as one too.
    let Ok(response) = request.body(body).send().await else {
        return;
    };
    let status = response.status();
    let mut out = format!(
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    let mut audio = false;
    for (name, value) in response.headers() {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match name.as_str() {
            "content-length" | "transfer-encoding" | "connection" => continue,
            "set-cookie" => seen.lock().unwrap().set_cookies.push(value.clone()),
            "x-encr-sskey" => seen.lock().unwrap().session_keys.push(value.clone()),
            "content-type" => audio = value.starts_with("audio/"),
            _ => {}
        }
        let _ = write!(out, "{name}: {value}\r\n");
    }
    if target.starts_with("/__audio/") {
        seen.lock()
            .unwrap()
            .audio
            .push((target.to_owned(), status.as_u16()));
    }
    let Ok(bytes) = response.bytes().await else {
        return;
    };
    let _ = write!(
        out,
        "content-length: {}\r\nconnection: close\r\n\r\n",
        bytes.len()
    );
    if socket.write_all(out.as_bytes()).await.is_err() {
        return;
    }
    if audio {
        for piece in bytes.chunks(16 * 1024) {
            if socket.write_all(piece).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    } else {
        let _ = socket.write_all(&bytes).await;
    }
    let _ = socket.shutdown().await;
}

/// `name=value` pairs of a `Cookie` line, or the first pair of a `Set-Cookie` line.
fn cookie_pairs(line: &str, set_cookie: bool) -> Vec<(String, String)> {
    let parts: Vec<&str> = if set_cookie {
        line.split(';').take(1).collect()
    } else {
        line.split(';').collect()
    };
    parts
        .into_iter()
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

// ---- the emulator ----------------------------------------------------------------------

/// Starts the emulator with its own weapi key and `scenario` (written into `dir`).
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

fn scrobbles_of(state: &Value, action: &str, id: &str) -> usize {
    state["scrobbles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["action"] == action && s["json"]["id"] == id)
        .count()
}

fn liked_on_emulator(state: &Value) -> Vec<u64> {
    state["liked"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_u64)
        .collect()
}

// ---- the app ---------------------------------------------------------------------------

/// The app's directories, as the platform's config, data and cache ones.
struct Dirs {
    config: PathBuf,
    data: PathBuf,
    cache: PathBuf,
}

struct App {
    player: PlayerHandle,
    account: NeteaseAccount,
    session: NeteaseSession,
    audio: mpsc::UnboundedReceiver<AudioCommand>,
    audio_events: mpsc::UnboundedSender<AudioEvent>,
    /// What the UI was told (the actor's events, as JSON).
    published: Arc<Mutex<Vec<String>>>,
}

/// The app's NetEase wiring as `startup.rs` does it, with the audio side played by the test.
fn start_app(dirs: &Dirs, hosts: ApiHosts, library: LibraryHandle) -> App {
    let (wanted_tx, wanted) = tokio::sync::watch::channel(WantedSources::default());
    let config = PlayerConfig {
        settings_path: Some(dirs.config.join("settings.json")),
        session_path: Some(dirs.data.join("session.json")),
        registry: RegistryConfig {
            wanted: Some(wanted_tx),
        },
        ..PlayerConfig::default()
    };
    let (audio_tx, audio) = mpsc::unbounded_channel();
    let (audio_events, audio_events_rx) = mpsc::unbounded_channel();
    let (player, mut events, actor) = Player::new(config, audio_tx, audio_events_rx);
    tokio::spawn(actor);
    let published = Arc::new(Mutex::new(Vec::new()));
    tokio::spawn({
        let published = published.clone();
        async move {
            while let Some(event) = events.recv().await {
                published
                    .lock()
                    .unwrap()
                    .push(serde_json::to_string(&event).unwrap());
            }
        }
    });
    // No keyring on a test machine's bus: the 0600 file.
    let secrets = SecretStore::new(&dirs.config, None);
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
    App {
        account: NeteaseAccount::new(player.clone(), session.clone()),
        session,
        player,
        audio,
        audio_events,
        published,
    }
}

async fn registered(player: &PlayerHandle) -> bool {
    player
        .registry_view()
        .await
        .unwrap()
        .sources
        .contains(&"netease".into())
}

/// The stored NetEase session (secrets file), if any.
fn stored_session(config: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(config.join(SECRETS_FILE)).ok()?;
    let file: Value = serde_json::from_str(&text).ok()?;
    serde_json::from_str(file.get(SECRET_ENTRY)?.as_str()?).ok()
}

/// The audio side: the streamer, with the app's audio cache; URLs go through the proxy.
struct AudioSide {
    streamer: Streamer,
    emulator: String,
    proxy: String,
}

impl AudioSide {
    fn location(&self, spec: &StreamSpec) -> Location {
        Location {
            url: spec.url.replacen(&self.emulator, &self.proxy, 1),
            headers: spec.headers.clone(),
            certificate_pin: spec.certificate_pin,
        }
    }
}

/// Asks the actor for a fresh URL (the old one expired), as the audio thread does.
struct AskActor {
    player: PlayerHandle,
    play_id: PlayId,
    emulator: String,
    proxy: String,
}

impl Refresh for AskActor {
    fn refresh(
        &self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Location, String>> + Send>> {
        let player = self.player.clone();
        let play_id = self.play_id;
        let (emulator, proxy) = (self.emulator.clone(), self.proxy.clone());
        Box::pin(async move {
            let spec = player
                .refresh_stream(play_id)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Location {
                url: spec.url.replacen(&emulator, &proxy, 1),
                headers: spec.headers,
                certificate_pin: spec.certificate_pin,
            })
        })
    }
}

/// Plays `id` (listed): the load's play id and its stream.
async fn play(app: &mut App, id: &str) -> (PlayId, StreamSpec) {
    app.player
        .act(Action::PlayListed(vec![TrackId(id.into())]))
        .await
        .unwrap();
    let wait = async {
        loop {
            if let AudioCommand::Load { play_id, media, .. } =
                app.audio.recv().await.expect("the actor runs")
            {
                match media {
                    Playable::Stream(spec) => return (play_id, spec),
                    Playable::File(path) => panic!("{id} plays a file: {}", path.display()),
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), wait)
        .await
        .expect("a load within 20 s")
}

/// How a stream is read.
enum Read {
    /// From the start to the end.
    Whole,
    /// Once open, the emulator expires every URL, and the reader seeks near the end: the
    /// Range request gets 403 and the stream asks the actor for a fresh URL.
    ExpireAndSeek,
}

/// Streams load `play_id` through the streamer as the audio side would, refreshing through
/// the actor; returns the bytes read.
async fn stream(
    app: &App,
    side: &AudioSide,
    play_id: PlayId,
    spec: &StreamSpec,
    read: Read,
    expire: impl std::future::Future<Output = ()>,
) -> u64 {
    let request = StreamRequest {
        location: side.location(spec),
        cache_key: spec.cache_key.clone(),
        refresh: Some(Arc::new(AskActor {
            player: app.player.clone(),
            play_id,
            emulator: side.emulator.clone(),
            proxy: side.proxy.clone(),
        })),
    };
    let opened = side
        .streamer
        .open(request, CancellationToken::new())
        .await
        .expect("the stream opens");
    let Opened::Remote(mut reader) = opened else {
        panic!("the stream came from the cache");
    };
    let seek_to = match read {
        Read::Whole => None,
        Read::ExpireAndSeek => {
            expire.await;
            let length = reader.content_length().expect("a known length");
            Some(length.saturating_sub(64 * 1024))
        }
    };
    tokio::task::spawn_blocking(move || {
        if let Some(at) = seek_to {
            reader.seek(SeekFrom::Start(at)).unwrap();
        }
        let mut sink = Vec::new();
        reader.read_to_end(&mut sink).unwrap();
        u64::try_from(sink.len()).unwrap()
    })
    .await
    .unwrap()
}

/// What the UI gets of an answer (its JSON, and the error's words).
fn told<T: serde::Serialize>(told: &mut Vec<String>, answer: &Result<T, NeteaseError>) {
    match answer {
        Ok(value) => told.push(serde_json::to_string(value).unwrap()),
        Err(e) => {
            told.push(e.to_string());
            told.push(serde_json::to_string(e).unwrap());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines)]
async fn no_netease_secret_reaches_a_log_line_a_file_or_the_ui() {
    let logs = capture_all_logs();

    let root = tempfile::tempdir().unwrap();
    let dirs = Dirs {
        config: root.path().join("config"),
        data: root.path().join("data"),
        cache: root.path().join("cache"),
    };
    for dir in [&dirs.config, &dirs.data, &dirs.cache] {
        std::fs::create_dir_all(dir).unwrap();
    }
    let scanned = [dirs.config.clone(), dirs.data.clone(), dirs.cache.clone()];
    let secrets_file = dirs.config.join(SECRETS_FILE);

    // The checks can fail: a secret logged at TRACE, and one written to a file, are found.
    let canary = (
        "canary".to_owned(),
        "EMU_MUSIC_U_canary_0a1b2c3d4e5f".to_owned(),
    );
    tracing::trace!(target: "lyrebird_netease", cookie = %canary.1, "on purpose");
    assert_eq!(
        log_hits(&logs.text(), std::slice::from_ref(&canary)).len(),
        1,
        "a secret logged at TRACE was not caught:\n{}",
        logs.text()
    );
    std::fs::write(dirs.data.join("canary"), format!("x{}y", canary.1)).unwrap();
    assert_eq!(
        file_hits(&scanned, &secrets_file, std::slice::from_ref(&canary)).len(),
        1
    );
    std::fs::remove_file(dirs.data.join("canary")).unwrap();
    logs.clear();

    // The default catalogue, and a listener without VIP: free songs only. Their phone number,
    // email address and password are long enough (16+) to be looked for without false hits.
    let scenario = serde_json::json!({ "user": {
        "vipType": 0,
        "phone": PHONE,
        "email": EMAIL,
        "password": PASSWORD,
    } });
    let emu = match start_emulator(&root.path().join("emulator"), &scenario) {
        Ok(emu) => emu,
        Err(why) => return skip_or_fail(&why),
    };
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let proxy = start_proxy(emu.base.clone()).await;
    let hosts = ApiHosts::from_vars(Some(&proxy.base), Some(emu.weapi_modulus())).unwrap();
    let (library, problem) = LibraryHandle::spawn(Some(dirs.data.join("library.db")));
    assert!(problem.is_none(), "{problem:?}");
    let mut app = start_app(&dirs, hosts, library);
    let side = AudioSide {
        streamer: Streamer::new(
            reqwest::Client::builder().no_proxy().build().unwrap(),
            Some(Cache::new(dirs.cache.join("audio"), 512 << 20).unwrap()),
        )
        .with_options(StreamOptions {
            prefetch_bytes: 32 * 1024,
            retry_budget: Duration::from_secs(3),
            ..StreamOptions::default()
        }),
        emulator: emu.base.clone(),
        proxy: proxy.base.clone(),
    };
    let account = app.account.clone();
    // What the UI was told: every answer's JSON, every error's words.
    let mut ui: Vec<String> = Vec::new();
    let mut secrets: Vec<(String, String)> = vec![
        ("pasted MUSIC_U".into(), PRESET_MUSIC_U.into()),
        ("wrong pasted MUSIC_U".into(), WRONG_MUSIC_U.into()),
    ];

    // Not signed in: lists refused.
    told(&mut ui, &account.daily().await);

    // QR login: waiting, scanned, confirmed.
    let qr = account.qr_start().await.unwrap();
    secrets.push(("QR unikey".into(), qr.key.clone()));
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
    told(&mut ui, &account.qr_check(qr.key.clone()).await);
    emu.control(
        &http,
        &format!("/qr/{}/confirm", qr.key),
        &serde_json::json!({}),
    )
    .await;
    let confirmed = account.qr_check(qr.key.clone()).await;
    told(&mut ui, &confirmed);
    assert!(
        matches!(confirmed, Ok(QrState::Confirmed { .. })),
        "{confirmed:?}"
    );
    assert!(registered(&app.player).await);

    // Browsing: every list the UI shows.
    let daily = account.daily().await;
    assert_eq!(daily.as_ref().map(Vec::len), Ok(5));
    told(&mut ui, &daily);
    told(&mut ui, &account.playlists().await);
    let page = account.playlist(2002, 9_900, 100).await;
    assert_eq!(page.as_ref().map(|p| p.tracks.len()), Ok(100));
    told(&mut ui, &page);
    told(&mut ui, &account.playlist(2001, 0, 500).await);
    told(&mut ui, &account.liked().await);
    told(&mut ui, &account.search("Nocturne".into()).await);
    let lyrics = account.lyrics("netease:1006").await.flatten();
    let first = &lyrics.as_ref().expect("lyrics of 1006").lines[0];
    assert!(!first.words.is_empty() && first.translation.is_some());
    ui.push(serde_json::to_string(&lyrics).unwrap());
    let fm = account.fm().await;
    told(&mut ui, &fm);
    told(
        &mut ui,
        &account.fm_trash(fm.unwrap()[0].id.0.clone()).await,
    );

    // Play a free song to its end through the streamer (and into the audio cache); NetEase
    // hears of its start.
    let (play_id, spec) = play(&mut app, "netease:1001").await;
    assert!(spec.url.contains("?t="), "{}", spec.url);
    app.audio_events
        .send(AudioEvent::Started {
            play_id,
            duration_ms: Some(5_000),
        })
        .unwrap();
    let read = stream(&app, &side, play_id, &spec, Read::Whole, async {}).await;
    assert!(read > 1000, "{read} bytes");
    emu.until_state(&http, "startplay of 1001", |s| {
        scrobbles_of(s, "startplay", "1001") == 1
    })
    .await;

    // A long song whose URL expires while it streams: the stream asks the actor for a fresh
    // one and goes on. Listened to past half its length: NetEase gets the play.
    let (play_id, spec) = play(&mut app, "netease:1006").await;
    app.audio_events
        .send(AudioEvent::Started {
            play_id,
            duration_ms: Some(60_000),
        })
        .unwrap();
    let empty = serde_json::json!({});
    let expire = async {
        emu.control(&http, "/audio/expire", &empty).await;
    };
    let read = stream(&app, &side, play_id, &spec, Read::ExpireAndSeek, expire).await;
    assert!(read > 1000, "{read} bytes after the seek");
    let refused = proxy
        .seen
        .lock()
        .unwrap()
        .audio
        .iter()
        .filter(|(_, status)| *status == 403)
        .count();
    assert!(refused >= 1, "the expired URL was never refused");
    assert!(
        logs.text()
            .contains("stream URL expired; asking for a fresh one"),
        "the stream never refreshed its URL"
    );
    for second in 1..=31 {
        app.audio_events
            .send(AudioEvent::Position {
                play_id,
                position_ms: second * 1_000,
            })
            .unwrap();
    }
    emu.until_state(&http, "the startplay and play of 1006", |s| {
        scrobbles_of(s, "play", "1006") == 1 && scrobbles_of(s, "startplay", "1006") == 1
    })
    .await;
    // An expired URL opened afresh: the 403 is what the audio side reports.
    emu.control(&http, "/audio/expire", &serde_json::json!({}))
        .await;
    let expired = side
        .streamer
        .open(
            StreamRequest {
                location: side.location(&spec),
                cache_key: None,
                refresh: None,
            },
            CancellationToken::new(),
        )
        .await;
    let Err(error) = expired else {
        panic!("an expired URL opened")
    };
    ui.push(error.to_string());

    // Like the current song, then unlike it.
    let nocturne = TrackId("netease:1006".into());
    for liked in [false, true] {
        app.player
            .act(Action::SetLiked {
                track: nocturne.clone(),
                liked,
            })
            .await
            .unwrap();
        emu.until_state(&http, "the (un)like of 1006", |s| {
            liked_on_emulator(s).contains(&1006) == liked
        })
        .await;
    }

    // NetEase's risk control (-462), a lost session (301), an HTTP error, a reset connection
    // (twice: the client sends once more after a single reset).
    let mut faults = Vec::new();
    for fault in [
        serde_json::json!({ "code": -462, "times": 1 }),
        serde_json::json!({ "code": 301, "times": 1 }),
        serde_json::json!({ "http": 503, "times": 1 }),
        serde_json::json!({ "reset": true, "times": 2 }),
    ] {
        let mut fault = fault;
        fault["path"] = "/api/v3/discovery/recommend/songs".into();
        emu.control(&http, "/fault", &fault).await;
        let answer = account.daily().await;
        assert!(answer.is_err(), "{fault}: {answer:?}");
        told(&mut ui, &answer);
        faults.push(answer.unwrap_err());
    }
    assert!(
        matches!(
            &faults[..],
            [
                NeteaseError::Verify { .. },
                NeteaseError::NotLoggedIn,
                NeteaseError::Other { .. },
                NeteaseError::Unreachable { .. }
            ]
        ),
        "{faults:?}"
    );

    // Everything the session holds, read while it is stored: its cookies and xeapi secrets.
    let stored = stored_session(&dirs.config).expect("the session is stored");
    for (name, value) in [
        ("stored MUSIC_U", &stored["credentials"]["music_u"]),
        ("stored __csrf (csrf_token)", &stored["credentials"]["csrf"]),
        ("stored MUSIC_A", &stored["credentials"]["music_a"]),
        ("xeapi sk", &stored["xeapi_key"]["sk"]),
        ("xeapi session key", &stored["xeapi_session"]["key"]),
    ] {
        if let Some(value) = value.as_str().filter(|v| !v.is_empty()) {
            secrets.push((name.into(), value.to_owned()));
        }
    }
    assert!(
        stored["xeapi_key"]["sk"]
            .as_str()
            .is_some_and(|sk| !sk.is_empty()),
        "{stored}"
    );
    assert!(stored["credentials"]["csrf"].as_str().is_some(), "{stored}");

    // Logout; then a wrong and a right pasted cookie, and more with it.
    told(&mut ui, &account.logout().await);
    assert!(
        stored_session(&dirs.config).is_none(),
        "the secret is wiped"
    );
    told(&mut ui, &account.login_cookie("bad cookie; x".into()).await);
    let wrong = account
        .login_cookie(format!("MUSIC_U={WRONG_MUSIC_U}"))
        .await;
    assert_eq!(wrong, Err(NeteaseError::NotLoggedIn));
    told(&mut ui, &wrong);
    let right = account.login_cookie(PRESET_MUSIC_U.into()).await;
    assert!(right.is_ok(), "{right:?}");
    told(&mut ui, &right);
    told(&mut ui, &account.daily().await);
    let (play_id, spec) = play(&mut app, "netease:1002").await;
    stream(&app, &side, play_id, &spec, Read::Whole, async {}).await;
    told(&mut ui, &account.liked().await);
    let stored = stored_session(&dirs.config).expect("the pasted session is stored");
    if let Some(key) = stored["xeapi_session"]["key"].as_str() {
        secrets.push(("xeapi session key (pasted login)".into(), key.to_owned()));
    }

    // Phone (a wrong password, then the right one), SMS code and email logins: the number,
    // address, password (and its MD5) and code are secrets too.
    told(&mut ui, &account.logout().await);
    let phone = |password: &str| NeteaseLogin::PhonePassword {
        country_code: "86".into(),
        phone: PHONE_AS_TYPED.into(),
        password: password.into(),
    };
    let wrong = account.login(phone("not the password")).await;
    assert_eq!(wrong, Err(NeteaseError::WrongPassword));
    told(&mut ui, &wrong);
    let right = account.login(phone(PASSWORD)).await;
    assert!(right.is_ok(), "{right:?}");
    told(&mut ui, &right);
    told(&mut ui, &account.recent().await);
    told(&mut ui, &account.logout().await);
    told(&mut ui, &account.sms_send("+86".into(), PHONE.into()).await);
    let texted = emu.inspect(&http, "/sms").await;
    let code = texted["sent"][0]["code"].as_str().unwrap().to_owned();
    let by_code = account
        .login(NeteaseLogin::PhoneCode {
            country_code: "86".into(),
            phone: PHONE.into(),
            code: code.clone(),
        })
        .await;
    assert!(by_code.is_ok(), "{by_code:?}");
    told(&mut ui, &by_code);
    told(&mut ui, &account.logout().await);
    let by_email = account
        .login(NeteaseLogin::Email {
            email: EMAIL.into(),
            password: PASSWORD.into(),
        })
        .await;
    assert!(by_email.is_ok(), "{by_email:?}");
    told(&mut ui, &by_email);
    let md5 = hex_md5(PASSWORD);
    for (name, value) in [
        ("phone number", PHONE),
        ("phone number as typed", PHONE_AS_TYPED),
        ("email address", EMAIL),
        ("password", PASSWORD),
        ("wrong password", "not the password"),
        ("password MD5", md5.as_str()),
    ] {
        secrets.push((name.into(), value.into()));
    }
    // The SMS code is not searched for: four digits turn up in any log (ports, ids, times).
    drop(code);

    // The client's anonymous registration (a guest's MUSIC_A), which the app does not use
    // today: its logs are checked all the same.
    let guest = app.session.guest_client().await.unwrap();
    let anonymous = guest.register_anonymous().await.expect("a guest account");
    secrets.push((
        "MUSIC_A (anonymous)".into(),
        anonymous.value.music_a.clone().unwrap(),
    ));
    told(&mut ui, &account.logout().await);
    app.player.shutdown().await.unwrap();
    // The actor's writer and the library finish their writes.
    tokio::time::sleep(Duration::from_millis(300)).await;

    // What passed the wire: every secret cookie set or sent, every xeapi session key, every
    // audio URL's token.
    {
        let seen = proxy.seen.lock().unwrap();
        for line in &seen.set_cookies {
            for (name, value) in cookie_pairs(line, true) {
                if SECRET_COOKIES.contains(&name.as_str()) && !value.is_empty() {
                    secrets.push((format!("{name} (Set-Cookie)"), value));
                }
            }
        }
        for line in &seen.cookies_sent {
            for (name, value) in cookie_pairs(line, false) {
                if SECRET_COOKIES.contains(&name.as_str()) && !value.is_empty() {
                    secrets.push((format!("{name} (sent)"), value));
                }
            }
        }
        for key in &seen.session_keys {
            secrets.push(("x-encr-sskey".into(), key.clone()));
        }
        for (target, _) in &seen.audio {
            let url = reqwest::Url::parse(&format!("http://x{target}")).unwrap();
            for (name, value) in url.query_pairs() {
                secrets.push((format!("audio URL {name}"), value.into_owned()));
            }
        }
        let set: Vec<String> = seen
            .set_cookies
            .iter()
            .filter_map(|l| cookie_pairs(l, true).first().map(|(n, _)| n.clone()))
            .collect();
        for name in SECRET_COOKIES {
            assert!(set.iter().any(|n| n == name), "no {name} was set: {set:?}");
        }
        assert!(
            seen.session_keys.len() >= 2,
            "xeapi sessions: {}",
            seen.session_keys.len()
        );
        assert!(seen.audio.len() >= 4, "audio requests: {:?}", seen.audio);
    }
    secrets.sort();
    secrets.dedup();
    for (name, value) in &secrets {
        assert!(
            value.len() >= 16,
            "{name} is too short to look for: {value:?}"
        );
    }

    // The capture saw the whole session, `log` records (reqwest's) and hyper's too.
    let logs = logs.text();
    assert!(
        logs.lines().count() > 100,
        "the capture saw almost nothing:\n{logs}"
    );
    for target in [
        "reqwest::",
        "hyper_util::",
        "lyrebird_stream",
        "lyrebird_sources",
    ] {
        assert!(logs.contains(target), "no log line of {target}:\n{logs}");
    }

    let hits = log_hits(&logs, &secrets);
    assert!(
        hits.is_empty(),
        "secrets in {} log lines, the first: {:?}",
        hits.len(),
        hits.first()
    );
    let mut told_ui = ui;
    told_ui.extend(app.published.lock().unwrap().iter().cloned());
    // The QR login's own answer carries its key: that is what the code encodes.
    let hits = log_hits(&told_ui.join("\n"), &secrets);
    assert!(hits.is_empty(), "secrets told to the UI: {hits:?}");
    let hits = file_hits(&scanned, &secrets_file, &secrets);
    assert!(hits.is_empty(), "secrets in files: {hits:?}");
    // The files that were checked are there: the settings, the queue, the index, the cache.
    assert!(dirs.config.join("settings.json").is_file());
    assert!(dirs.data.join("session.json").is_file());
    assert!(dirs.data.join("library.db").is_file());
    let cached = std::fs::read_dir(dirs.cache.join("audio")).unwrap().count();
    assert!(cached >= 1, "nothing in the audio cache");
}
