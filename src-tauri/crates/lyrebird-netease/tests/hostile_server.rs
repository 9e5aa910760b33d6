//! A hostile server playing NetEase's API host, met through the client the app uses: a
//! [`NeteaseClient`] with a logged-in session, over the app's API client
//! (`lyrebird_tls::client_builder` with same-server redirects), pointed at the loopback as
//! `LYREBIRD_NETEASE_API` points the app. The server answers properly first (the xeapi key
//! exchange included), then meets weapi (daily songs), xeapi (a song's URL), eapi (lyrics) and
//! the plain key exchange with a gigabyte, an endless chunked body, a gzip bomb, a byte every
//! half second, a reset mid-body, an HTML login page, JSON nested a million deep, garbage, an
//! image where JSON belongs, redirects to another host and to `file:`, and a downgraded
//! exchange (an unsigned key; an unencrypted reply rotating the session to a key too short for
//! AES). For each call, asserted: it ends in bounded time with an error that reads as one and
//! holds neither a secret of the session (`MUSIC_U`, `__csrf`, the xeapi `sk` and session key)
//! nor the server's bytes; the process's resident memory stays within 96 MiB of the start;
//! the runtime keeps running other tasks; nothing reaches the other host. When the fault ends,
//! the same calls work again.
//!
//! One test in its own binary: memory is the whole process's.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lyrebird_netease::client::NeteaseClient;
use lyrebird_netease::crypto::{OsEntropy, eapi, xeapi};
use lyrebird_netease::model::Quality;
use lyrebird_netease::{ApiError, ApiHosts, ClientOs, Credentials, DeviceIdentity};
use serde_json::json;

const MUSIC_U: &str = "MUSICU0secret0a7f3c9e21d4b8";
const CSRF: &str = "csrf0secret05e21b7";
/// The xeapi key's server token, sealed into every xeapi request.
const SK: &str = "sk0secret09d4e7a";
/// The xeapi session key handed out in `x-encr-sskey` (16 bytes: an AES-128 key).
const SESSION_KEY: &str = "sskey0secret0b6f";
/// In the garbage and the login page: an error must not repeat what the server sent.
const GARBAGE_MARK: &str = "GARBAGE-MARK-7319";
const LOGIN_MARK: &str = "Wi-Fi login: password?";

/// The song whose URL and lyrics are asked for.
const SONG: u64 = 186_016;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    None,
    Gigabyte,
    Endless,
    GzipBomb,
    Drip,
    Reset,
    LoginPage,
    DeepNesting,
    Garbage,
    WrongType,
    RedirectElsewhere,
    RedirectToFile,
    Downgrade,
    /// Plain JSON where xeapi encryption is expected, otherwise proper (not an error).
    PlainReply,
}

/// Which of the server's endpoints a request is for, told by its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endpoint {
    /// weapi `/weapi/v3/discovery/recommend/songs`: plain JSON back.
    Weapi,
    /// eapi `/eapi/song/lyric/v1` (without `e_r`): plain JSON back.
    Eapi,
    /// xeapi `/xeapi/song/enhance/player/url/v1`: eapi-encrypted JSON back.
    Xeapi,
    /// The xeapi key exchange (a plain form POST): a signed, encrypted key back.
    Key,
    Unknown,
}

impl Endpoint {
    fn of(path: &str) -> Self {
        if path == xeapi::KEY_PATH {
            Self::Key
        } else if path.starts_with("/weapi/") {
            Self::Weapi
        } else if path.starts_with("/eapi/") {
            Self::Eapi
        } else if path.starts_with("/xeapi/") {
            Self::Xeapi
        } else {
            Self::Unknown
        }
    }
}

struct Server {
    fault: Mutex<Fault>,
    /// Port of the other host the redirects point to.
    elsewhere: u16,
    /// A small gzip stream that inflates to 64 MiB, four times the client's cap.
    bomb: Vec<u8>,
    /// What each endpoint was asked, counted (a fault no request met proves nothing).
    asked: Mutex<Vec<(Fault, Endpoint)>>,
}

/// The request line's path and the `Content-Length`; the body is left unread.
fn read_head(stream: &mut TcpStream) -> Option<(String, usize)> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 || head.len() > 64 << 10 {
            return None;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.lines().next()?.split_whitespace().nth(1)?.to_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    Some((path, length))
}

fn reply(stream: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

const JSON: (&str, &str) = ("Content-Type", "application/json;charset=UTF-8");

/// A proper reply of `endpoint` to a request whose form is `form`.
fn proper(endpoint: Endpoint, form: &[u8]) -> (Vec<(String, String)>, Vec<u8>) {
    let json_type = vec![(JSON.0.to_owned(), JSON.1.to_owned())];
    match endpoint {
        Endpoint::Weapi => (
            json_type,
            json!({"code": 200, "data": {"dailySongs": [{
                "id": 1, "name": "Daily one", "ar": [{"id": 101, "name": "Artist"}],
                "al": {"id": 201, "name": "Album", "picUrl": "https://p1.music.126.net/1.jpg"},
                "dt": 200_000, "fee": 0}], "privileges": []}})
            .to_string()
            .into_bytes(),
        ),
        Endpoint::Eapi => (
            json_type,
            json!({"code": 200, "lrc": {"lyric": "[00:01.00]line"}})
                .to_string()
                .into_bytes(),
        ),
        Endpoint::Xeapi => (
            vec![
                (JSON.0.to_owned(), JSON.1.to_owned()),
                (xeapi::Session::ID_HEADER.to_owned(), "session-1".to_owned()),
                (
                    xeapi::Session::KEY_HEADER.to_owned(),
                    SESSION_KEY.to_owned(),
                ),
            ],
            eapi::encrypt_response(url_reply("http://m701.music.126.net/1.mp3").as_bytes()),
        ),
        Endpoint::Key => (json_type, key_reply(form, true).into_bytes()),
        Endpoint::Unknown => (
            json_type,
            json!({"code": 404, "message": "no such endpoint"})
                .to_string()
                .into_bytes(),
        ),
    }
}

fn url_reply(url: &str) -> String {
    json!({"code": 200, "data": [{"id": SONG, "url": url, "br": 320_000,
        "size": 8_000_000, "type": "mp3", "level": "exhigh", "code": 200, "fee": 0}]})
    .to_string()
}

/// The key exchange's reply to a request with this form: the server's key, encrypted, and
/// (when `signed`) the signature of the request's nonce.
fn key_reply(form: &[u8], signed: bool) -> String {
    let nonce = url::form_urlencoded::parse(form)
        .find(|(k, _)| k == "nonce")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let timestamp = "1700000000000";
    let key = json!({"publicKey": xeapi::public_key_for(&[0x11; 32]), "version": "7", "sk": SK});
    let signature = if signed {
        xeapi::sign(timestamp, &nonce)
    } else {
        String::new()
    };
    json!({"code": 200, "data": {
        "encryptedData": xeapi::encrypt_server_key(&key.to_string()),
        "timestamp": timestamp, "signature": signature}})
    .to_string()
}

/// Answers one connection as the current fault says; the endless faults write until the
/// client goes away (a write fails).
#[allow(clippy::too_many_lines)]
fn serve(mut stream: TcpStream, server: &Server) {
    let Some((path, length)) = read_head(&mut stream) else {
        return;
    };
    let endpoint = Endpoint::of(&path);
    let fault = *server.fault.lock().unwrap();
    server.asked.lock().unwrap().push((fault, endpoint));
    if fault == Fault::Reset {
        // Half of the promised body, then the connection is dropped with the request's body
        // unread in it: the kernel answers with a reset (RST), not an orderly close.
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"code\":200,\"data\":{\"dailySongs\":[",
        );
        std::thread::sleep(Duration::from_millis(50));
        return;
    }
    let mut form = vec![0; length.min(1 << 20)];
    if stream.read_exact(&mut form).is_err() {
        return;
    }
    let chunk = vec![b' '; 64 << 10];
    match fault {
        Fault::None => {
            let (headers, body) = proper(endpoint, &form);
            let headers: Vec<_> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            reply(&mut stream, "200 OK", &headers, &body);
        }
        Fault::Gigabyte => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{\"code\":200,\"data\":";
            let _ = stream.write_all(head.as_bytes());
            while stream.write_all(&chunk).is_ok() {}
        }
        Fault::Endless => {
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n[\r\n",
            );
            let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
            framed.extend_from_slice(&chunk);
            framed.extend_from_slice(b"\r\n");
            while stream.write_all(&framed).is_ok() {}
        }
        Fault::GzipBomb => {
            if endpoint == Endpoint::Xeapi {
                // As NetEase compresses an xeapi reply: gzip inside the encryption.
                let body = eapi::encrypt_response(&server.bomb);
                reply(&mut stream, "200 OK", &[JSON], &body);
            } else {
                // HTTP's own compression, which the app's client does not undo.
                reply(
                    &mut stream,
                    "200 OK",
                    &[JSON, ("Content-Encoding", "gzip")],
                    &server.bomb,
                );
            }
        }
        Fault::Drip => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n");
            loop {
                std::thread::sleep(Duration::from_millis(500));
                if stream.write_all(b" ").is_err() {
                    break;
                }
            }
        }
        Fault::Reset => unreachable!("answered above"),
        Fault::LoginPage => {
            let page = format!(
                "<!DOCTYPE html><html><body><form action=\"/login\">{LOGIN_MARK}<input name=\"p\"></form></body></html>"
            );
            reply(
                &mut stream,
                "200 OK",
                &[("Content-Type", "text/html")],
                page.as_bytes(),
            );
        }
        Fault::DeepNesting => {
            let depth = 1_000_000;
            let json = format!(
                r#"{{"code":200,"data":{}{}}}"#,
                "[".repeat(depth),
                "]".repeat(depth)
            );
            let body = if endpoint == Endpoint::Xeapi {
                eapi::encrypt_response(json.as_bytes())
            } else {
                json.into_bytes()
            };
            reply(&mut stream, "200 OK", &[JSON], &body);
        }
        Fault::Garbage => reply(&mut stream, "200 OK", &[JSON], &garbage()),
        Fault::WrongType => {
            // An image where JSON belongs (a captive portal's logo, a CDN's error picture).
            let mut png =
                b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0".to_vec();
            png.extend(garbage().into_iter().take(20_000));
            reply(
                &mut stream,
                "200 OK",
                &[("Content-Type", "image/png")],
                &png,
            );
        }
        Fault::RedirectElsewhere => {
            // 307 keeps the method and body (and the xeapi request's `x-music-u` header,
            // which reqwest does not know to drop on another host).
            let status = if endpoint == Endpoint::Xeapi {
                "307 Temporary Redirect"
            } else {
                "302 Found"
            };
            let location = format!("http://127.0.0.1:{}{path}", server.elsewhere);
            reply(&mut stream, status, &[("Location", &location)], b"");
        }
        Fault::RedirectToFile => reply(
            &mut stream,
            "302 Found",
            &[("Location", "file:///etc/passwd")],
            b"",
        ),
        Fault::Downgrade => match endpoint {
            // The key without its signature: anyone's key.
            Endpoint::Key => reply(
                &mut stream,
                "200 OK",
                &[JSON],
                key_reply(&form, false).as_bytes(),
            ),
            // Unencrypted, and rotating the session to a key AES cannot take.
            _ => reply(
                &mut stream,
                "200 OK",
                &[
                    JSON,
                    (xeapi::Session::ID_HEADER, "session-weak"),
                    (xeapi::Session::KEY_HEADER, "weak"),
                ],
                url_reply("http://m701.music.126.net/weak.mp3").as_bytes(),
            ),
        },
        Fault::PlainReply => {
            let body = if endpoint == Endpoint::Xeapi {
                url_reply("http://m701.music.126.net/plain.mp3").into_bytes()
            } else {
                proper(endpoint, &form).1
            };
            reply(&mut stream, "200 OK", &[JSON], &body);
        }
    }
}

/// 100 000 bytes of noise with a marker in it.
fn garbage() -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..100_000u32)
        .map(|i| u8::try_from(i * 7919 % 251).unwrap())
        .collect();
    bytes[5_000..5_000 + GARBAGE_MARK.len()].copy_from_slice(GARBAGE_MARK.as_bytes());
    bytes
}

/// Gzip of 64 MiB of zeros, compressed as it is written (the server's memory counts too).
fn gzip_bomb() -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        gz.write_all(&zeros).unwrap();
    }
    gz.finish().unwrap()
}

fn start_server(server: Arc<Server>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let server = Arc::clone(&server);
            std::thread::spawn(move || serve(stream, &server));
        }
    });
    port
}

/// The other host of the redirects: counts what reaches it.
fn start_elsewhere(hits: Arc<AtomicUsize>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            hits.fetch_add(1, Ordering::SeqCst);
            let _ = read_head(&mut stream);
            reply(&mut stream, "200 OK", &[JSON], br#"{"code":200}"#);
        }
    });
    port
}

/// A `/proc/self/status` field in KiB (`VmRSS:`, `VmHWM:`).
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}

fn rss_kib() -> u64 {
    status_kib("VmRSS:")
}

/// Samples resident memory every 20 ms until dropped; `peak()` is the highest seen, or the
/// kernel's high-water mark since the start when it could be reset (it catches what lives
/// shorter than 20 ms: a gzip bomb's 16 MiB is inflated and dropped within about 10 ms).
struct RssSampler {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    high_water_mark: bool,
}

impl RssSampler {
    fn start() -> Self {
        // "5" resets the process's peak resident size (VmHWM) to its current one.
        let high_water_mark = std::fs::write("/proc/self/clear_refs", "5").is_ok();
        let peak = Arc::new(AtomicU64::new(rss_kib()));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (Arc::clone(&peak), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                p.fetch_max(rss_kib(), Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        Self {
            peak,
            stop,
            high_water_mark,
        }
    }

    fn peak(&self) -> u64 {
        let sampled = self.peak.load(Ordering::SeqCst).max(rss_kib());
        if self.high_water_mark {
            sampled.max(status_kib("VmHWM:"))
        } else {
            sampled
        }
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// How much more than at the start the process may hold while a fault plays out: the reply
/// cap (16 MiB, read and decompressed) and what parsing it costs, with room for the
/// allocator's habits.
const MAX_GROWTH_KIB: u64 = 96 * 1024;

/// How long one call may take at most: the client's timeout and a margin.
const CALL_BOUND: Duration =
    lyrebird_netease::REQUEST_TIMEOUT.saturating_add(Duration::from_secs(5));

/// Beyond this the test gives up on a call (it never ended).
const CALL_DEADLINE: Duration = Duration::from_mins(1);

/// How late the runtime may run another task while the calls are in flight (the commands
/// the UI sends are such tasks), at the 95th percentile and at worst (a hang detector).
const MAX_LATENESS_P95: Duration = Duration::from_millis(100);
const MAX_LATENESS: Duration = Duration::from_secs(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    /// weapi.
    DailySongs,
    /// xeapi, with the key the client holds.
    SongUrl,
    /// eapi.
    Lyrics,
    /// xeapi without a key: the plain key exchange first.
    KeyExchange,
}

const ALL_CALLS: [Call; 4] = [
    Call::DailySongs,
    Call::SongUrl,
    Call::Lyrics,
    Call::KeyExchange,
];

/// The calls a fault is met with (a downgrade means something only where encryption does).
fn calls(fault: Fault) -> &'static [Call] {
    match fault {
        Fault::Downgrade => &[Call::SongUrl, Call::KeyExchange],
        _ => &ALL_CALLS,
    }
}

/// Makes `call` and says what came back, or the error.
async fn make(
    call: Call,
    client: &NeteaseClient,
    keyless: &NeteaseClient,
) -> Result<String, ApiError> {
    Ok(match call {
        Call::DailySongs => {
            let songs = client.daily_songs().await?.value;
            format!("{:?}", songs.iter().map(|s| &s.name).collect::<Vec<_>>())
        }
        Call::SongUrl => format!(
            "{:?}",
            client.song_url(SONG, Quality::Exhigh).await?.value.url
        ),
        Call::Lyrics => format!("{:?}", client.lyrics(SONG).await?.value.lrc),
        Call::KeyExchange => {
            let answer = keyless.song_url(SONG, Quality::Exhigh).await?;
            format!(
                "{:?} with key {:?}",
                answer.value.url,
                answer.update.xeapi_key.map(|k| k.version)
            )
        }
    })
}

/// `call` under the test's deadline, timed.
async fn timed(
    call: Call,
    client: &NeteaseClient,
    keyless: &NeteaseClient,
) -> (Call, Duration, Result<String, ApiError>) {
    let started = Instant::now();
    let answer = tokio::time::timeout(CALL_DEADLINE, make(call, client, keyless))
        .await
        .unwrap_or_else(|_| panic!("{call:?} never ended ({CALL_DEADLINE:?})"));
    (call, started.elapsed(), answer)
}

/// Runs on the runtime every 10 ms and records how late it woke each time, as a command
/// would be.
fn heartbeat(lateness: Arc<Mutex<Vec<Duration>>>) {
    tokio::spawn(async move {
        let tick = Duration::from_millis(10);
        loop {
            let asked = Instant::now();
            tokio::time::sleep(tick).await;
            let late = asked.elapsed().saturating_sub(tick);
            lateness.lock().unwrap().push(late);
        }
    });
}

/// The 95th percentile and the largest of `samples`.
fn p95_and_max(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort_unstable();
    let at = |i: usize| samples.get(i).copied().unwrap_or_default();
    (
        at(samples.len() * 95 / 100),
        at(samples.len().saturating_sub(1)),
    )
}

/// What an error shown to the user must be: readable, and nothing of the session's secrets or
/// the server's bytes.
fn assert_clean(fault: Fault, call: Call, error: &ApiError) {
    let text = error.to_string();
    assert!(
        !text.trim().is_empty(),
        "{fault:?} {call:?}: an empty error"
    );
    assert!(
        text.len() < 300 && !text.chars().any(|c| c.is_control() || c == '\u{fffd}'),
        "{fault:?} {call:?}: an unreadable error: {text:?}"
    );
    for secret in [MUSIC_U, CSRF, SK, SESSION_KEY] {
        assert!(
            !text.contains(secret),
            "{fault:?} {call:?}: a secret in {text:?}"
        );
    }
    for theirs in [
        GARBAGE_MARK,
        LOGIN_MARK,
        "<html",
        "<form",
        "PNG",
        "/etc/passwd",
    ] {
        assert!(
            !text.contains(theirs),
            "{fault:?} {call:?}: the server's bytes in {text:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines)]
async fn a_hostile_netease_gets_errors_not_memory_hangs_or_secrets() {
    let hits_elsewhere = Arc::new(AtomicUsize::new(0));
    let elsewhere = start_elsewhere(Arc::clone(&hits_elsewhere));
    let server = Arc::new(Server {
        fault: Mutex::new(Fault::None),
        elsewhere,
        bomb: gzip_bomb(),
        asked: Mutex::new(Vec::new()),
    });
    assert!(server.bomb.len() < 1 << 20, "a small bomb");
    let port = start_server(Arc::clone(&server));

    // The app's client for API calls (`startup.rs`, `api_http`).
    let http = lyrebird_tls::client_builder()
        .redirect(lyrebird_tls::same_server_redirects())
        .build()
        .unwrap();
    let hosts = ApiHosts::all(&format!("http://127.0.0.1:{port}")).unwrap();
    let device = DeviceIdentity::generate(ClientOs::Pc, &mut OsEntropy, 1_700_000_000_000).unwrap();
    let credentials = Credentials {
        music_u: Some(MUSIC_U.to_owned()),
        csrf: Some(CSRF.to_owned()),
        music_a: None,
    };
    let mut client = NeteaseClient::new(http, hosts, device, credentials);
    let keyless = client.clone();

    // Proper answers first: the key exchange, the session handed out, each endpoint.
    let answer = client.song_url(SONG, Quality::Exhigh).await.unwrap();
    assert_eq!(
        answer.value.url.as_deref(),
        Some("http://m701.music.126.net/1.mp3")
    );
    client.apply(&answer.update);
    assert_eq!(client.xeapi_key().map(|k| k.sk.as_str()), Some(SK));
    assert!(client.xeapi_session().is_some());
    for call in ALL_CALLS {
        let (_, took, answer) = timed(call, &client, &keyless).await;
        eprintln!("proper {call:?}: {took:?}, {}", answer.unwrap());
    }

    let lateness = Arc::new(Mutex::new(Vec::new()));
    heartbeat(Arc::clone(&lateness));
    let baseline = rss_kib();
    eprintln!("baseline {baseline} KiB resident");
    for fault in [
        Fault::Gigabyte,
        Fault::Endless,
        Fault::GzipBomb,
        Fault::Reset,
        Fault::LoginPage,
        Fault::DeepNesting,
        Fault::Garbage,
        Fault::WrongType,
        Fault::RedirectElsewhere,
        Fault::RedirectToFile,
        Fault::Downgrade,
        Fault::Drip,
    ] {
        *server.fault.lock().unwrap() = fault;
        let before = rss_kib();
        let sampler = RssSampler::start();
        lateness.lock().unwrap().clear();
        let runs = calls(fault)
            .iter()
            .map(|&call| timed(call, &client, &keyless));
        let results = if fault == Fault::Drip {
            // Each waits out the client's timeout: all at once.
            futures_util::future::join_all(runs).await
        } else {
            let mut results = Vec::new();
            for run in runs {
                results.push(run.await);
            }
            results
        };
        let peak = sampler.peak();
        let (growth, this_fault) = (peak.saturating_sub(baseline), peak.saturating_sub(before));
        let (late_p95, late_max) = p95_and_max(std::mem::take(&mut *lateness.lock().unwrap()));
        for (call, took, answer) in &results {
            eprintln!(
                "{fault:?} {call:?}: {took:?}, peak memory +{growth} KiB over the start \
                 (+{this_fault} KiB in this fault), runtime late by {late_p95:?} at p95, {late_max:?} at most: {answer:?}"
            );
            let error = answer
                .as_ref()
                .expect_err("a hostile reply must not be taken for an answer");
            assert_clean(fault, *call, error);
            assert!(
                *took < CALL_BOUND,
                "{fault:?} {call:?}: took {took:?}, over {CALL_BOUND:?}"
            );
        }
        assert!(
            growth < MAX_GROWTH_KIB,
            "{fault:?}: memory peaked {growth} KiB above the start"
        );
        assert!(
            late_p95 < MAX_LATENESS_P95 && late_max < MAX_LATENESS,
            "{fault:?}: the runtime ran other work {late_p95:?} late at p95, {late_max:?} at worst"
        );
    }
    assert_eq!(
        hits_elsewhere.load(Ordering::SeqCst),
        0,
        "a redirect took the client (and the session's cookies) to another host"
    );
    // Every fault met the endpoints it was meant for.
    let asked = server.asked.lock().unwrap().clone();
    for fault in [Fault::Gigabyte, Fault::Drip, Fault::Reset, Fault::Downgrade] {
        for endpoint in [Endpoint::Xeapi, Endpoint::Key] {
            assert!(
                asked.contains(&(fault, endpoint)),
                "{fault:?} never met {endpoint:?}"
            );
        }
    }

    // An unencrypted reply where xeapi encrypts is read as it is (`send::decode`: NetEase
    // sends its errors unencrypted). Nothing is lost: the reply "encryption" is AES with
    // eapi's fixed key, which every client carries, so it never proved where a reply came
    // from; TLS and same-server redirects do.
    *server.fault.lock().unwrap() = Fault::PlainReply;
    let plain = client.song_url(SONG, Quality::Exhigh).await.unwrap();
    assert_eq!(
        plain.value.url.as_deref(),
        Some("http://m701.music.126.net/plain.mp3")
    );
    assert!(plain.update.is_empty(), "no session from a plain reply");

    // The fault ends: the same calls work again.
    *server.fault.lock().unwrap() = Fault::None;
    for call in ALL_CALLS {
        let (_, took, answer) = timed(call, &client, &keyless).await;
        let answer = answer.unwrap_or_else(|e| panic!("{call:?} after the faults: {e}"));
        eprintln!("after the faults {call:?}: {took:?}, {answer}");
        assert!(
            answer.contains("Daily one")
                || answer.contains("1.mp3")
                || answer.contains("[00:01.00]line"),
            "{call:?}: {answer}"
        );
    }
}
