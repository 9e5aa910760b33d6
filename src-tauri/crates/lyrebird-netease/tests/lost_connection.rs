//! A connection that breaks before NetEase's reply is sent again once, at once, on a fresh
//! connection — the classic keep-alive race: the server closes an idle connection just as the
//! client reuses it from its pool. Against a scripted HTTP/1.1 server on 127.0.0.1 that counts
//! the connections and requests it sees and, per request, answers, resets the connection
//! (`SO_LINGER` 0: an RST), closes it without answering (a FIN), or never answers. Checked: one
//! reset (on a pooled connection, on a fresh one, at accept) or one early close costs one more
//! request and no error; two in a row give an error that says so; a timeout, an HTTP error
//! status and a reset after the reply's head are never sent again; a call that counts
//! something (a scrobble) is not sent again once its request may have arrived, while a like
//! is.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lyrebird_netease::client::{NeteaseClient, Scrobble};
use lyrebird_netease::crypto::ReplayEntropy;
use lyrebird_netease::{
    ApiCall, ApiError, ApiHosts, ClientOs, Credentials, DeviceIdentity, NeteaseError, Params,
    PreparedRequest, RequestContext, Scheme, build, send, send_within,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one request (in the order requests arrive, over all connections).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Then {
    /// `{"code":200}`, the connection kept alive.
    Answer,
    /// An HTTP 503 with a body: a reply, not a lost connection.
    Status503,
    /// The connection is reset (an RST) once the request is read, nothing answered.
    Reset,
    /// The connection is closed (a FIN) once the request is read, nothing answered.
    Close,
    /// The reply's head and half its body, then a reset.
    ResetMidBody,
    /// Nothing, ever (the connection stays open).
    Stall,
}

struct Script {
    /// The first connections accepted are reset before a byte is read.
    reset_at_accept: usize,
    /// What each request gets, by its number; requests past the list are answered.
    requests: Vec<Then>,
}

#[derive(Default)]
struct Seen {
    connections: AtomicUsize,
    requests: AtomicUsize,
    /// The request lines, in order.
    lines: Mutex<Vec<String>>,
}

impl Seen {
    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Starts the scripted server; its base URL and what it sees.
async fn serve(script: Script) -> (String, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Seen::default());
    let script = Arc::new(script);
    let counted = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            let n = counted.connections.fetch_add(1, Ordering::SeqCst);
            if n < script.reset_at_accept {
                reset(sock);
                continue;
            }
            tokio::spawn(connection(sock, Arc::clone(&script), Arc::clone(&counted)));
        }
    });
    (base, seen)
}

/// Drops `sock` with an RST instead of an orderly close.
#[allow(deprecated)] // `SO_LINGER` 0 does not block the thread: the socket is reset at once
fn reset(sock: TcpStream) {
    sock.set_linger(Some(Duration::ZERO)).unwrap();
    drop(sock);
}

/// Serves the requests of one connection as the script says.
async fn connection(mut sock: TcpStream, script: Arc<Script>, seen: Arc<Seen>) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        // One whole request: head, then `Content-Length` bytes of body.
        let (line, end) = loop {
            if let Some(head_end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&got[..head_end]).to_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .map_or(0, |v| v.trim().parse().unwrap());
                if got.len() >= head_end + 4 + len {
                    let line = head.lines().next().unwrap_or_default().to_owned();
                    break (line, head_end + 4 + len);
                }
            }
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        };
        got.drain(..end);
        let n = seen.requests.fetch_add(1, Ordering::SeqCst);
        seen.lines.lock().unwrap().push(line);
        match script.requests.get(n).copied().unwrap_or(Then::Answer) {
            Then::Answer => {
                let body = br#"{"code":200}"#;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                sock.write_all(head.as_bytes()).await.unwrap();
                sock.write_all(body).await.unwrap();
            }
            Then::Status503 => {
                let body = b"<html>busy</html>";
                let head = format!(
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                sock.write_all(head.as_bytes()).await.unwrap();
                sock.write_all(body).await.unwrap();
            }
            Then::Reset => return reset(sock),
            Then::Close => {
                let _ = sock.shutdown().await;
                return;
            }
            Then::ResetMidBody => {
                let _ = sock
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n{\"code\":200,")
                    .await;
                tokio::time::sleep(Duration::from_millis(20)).await;
                return reset(sock);
            }
            Then::Stall => {
                tokio::time::sleep(Duration::from_hours(1)).await;
                return;
            }
        }
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn identity() -> DeviceIdentity {
    DeviceIdentity::generate(ClientOs::Pc, &mut ReplayEntropy::new([9, 8, 7]), 1).unwrap()
}

/// A plain read (`/api/x`) for the server at `base`.
fn read_call(base: &str) -> PreparedRequest {
    prepared(base, &ApiCall::new(Scheme::Api, "/api/x", Params::new()))
}

fn prepared(base: &str, call: &ApiCall) -> PreparedRequest {
    let hosts = ApiHosts::all(base).unwrap();
    let (device, credentials) = (identity(), Credentials::default());
    let ctx = RequestContext {
        hosts: &hosts,
        device: &device,
        credentials: &credentials,
        xeapi_key: None,
        xeapi_session: None,
    };
    build(call, &ctx, &mut ReplayEntropy::new([1]), 1_000).unwrap()
}

/// Whether `error` is a network error whose words hold `words`.
fn network_saying(error: &NeteaseError, words: &str) -> bool {
    matches!(error, NeteaseError::Network { detail, .. } if detail.contains(words))
}

#[tokio::test]
async fn a_pooled_connection_reset_as_it_is_reused_is_sent_again_on_a_fresh_one() {
    // The first request is answered on a connection the client keeps; the second, sent on that
    // pooled connection, meets a reset (the server had given up on it).
    let (base, seen) = serve(Script {
        reset_at_accept: 0,
        requests: vec![Then::Answer, Then::Reset],
    })
    .await;
    let http = http();
    let request = read_call(&base);
    send(&http, &request).await.unwrap();
    assert_eq!((seen.connections(), seen.requests()), (1, 1));

    let reply = send(&http, &request)
        .await
        .expect("sent again after the reset");
    assert_eq!(reply.json["code"], 200);
    assert_eq!(
        (seen.connections(), seen.requests()),
        (2, 3),
        "the reset request once more, on a second connection"
    );
    // The fresh connection is the pool's now: the next call uses it.
    send(&http, &request).await.unwrap();
    assert_eq!((seen.connections(), seen.requests()), (2, 4));
}

#[tokio::test]
async fn a_connection_closed_without_a_reply_is_sent_again() {
    // A FIN instead of an RST: hyper's "connection closed before message completed".
    let (base, seen) = serve(Script {
        reset_at_accept: 0,
        requests: vec![Then::Answer, Then::Close],
    })
    .await;
    let http = http();
    let request = read_call(&base);
    send(&http, &request).await.unwrap();
    let reply = send(&http, &request)
        .await
        .expect("sent again after the close");
    assert_eq!(reply.json["code"], 200);
    assert_eq!((seen.connections(), seen.requests()), (2, 3));
}

#[tokio::test]
async fn a_connection_reset_at_accept_is_sent_again() {
    let (base, seen) = serve(Script {
        reset_at_accept: 1,
        requests: vec![],
    })
    .await;
    let reply = send(&http(), &read_call(&base))
        .await
        .expect("sent again after the reset");
    assert_eq!(reply.json["code"], 200);
    assert_eq!((seen.connections(), seen.requests()), (2, 1));
}

#[tokio::test]
async fn two_resets_in_a_row_are_an_error_that_says_so() {
    let (base, seen) = serve(Script {
        reset_at_accept: 0,
        requests: vec![Then::Reset, Then::Reset],
    })
    .await;
    let error = send(&http(), &read_call(&base)).await.unwrap_err();
    assert!(
        network_saying(
            &error,
            "the connection was reset before a reply, and again on a fresh one"
        ),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "network error talking to 127.0.0.1: the connection was reset before a reply, and again on a fresh one"
    );
    assert_eq!(
        (seen.connections(), seen.requests()),
        (2, 2),
        "sent twice, not more"
    );
}

#[tokio::test]
async fn a_timeout_is_not_sent_again() {
    let (base, seen) = serve(Script {
        reset_at_accept: 0,
        requests: vec![Then::Stall],
    })
    .await;
    let started = std::time::Instant::now();
    let error = send_within(&http(), &read_call(&base), Duration::from_millis(300))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        network_saying(&error, "no whole reply within 0.3 s"),
        "{error}"
    );
    assert!(
        took < Duration::from_secs(2),
        "bounded by the limit: {took:?}"
    );
    // Nothing more comes afterwards either.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!((seen.connections(), seen.requests()), (1, 1));
}

#[tokio::test]
async fn a_retry_shares_the_first_tries_time_limit() {
    // A reset, then a server that never answers: the whole call ends within the one limit.
    let (base, seen) = serve(Script {
        reset_at_accept: 0,
        requests: vec![Then::Reset, Then::Stall],
    })
    .await;
    let started = std::time::Instant::now();
    let error = send_within(&http(), &read_call(&base), Duration::from_millis(400))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(network_saying(&error, "no whole reply within"), "{error}");
    assert!(
        took < Duration::from_millis(1200),
        "the retry had what was left of 400 ms: {took:?}"
    );
    assert_eq!(seen.requests(), 2);
}

#[tokio::test]
async fn an_http_error_and_a_reset_after_the_head_are_not_sent_again() {
    let (base, seen) = serve(Script {
        reset_at_accept: 0,
        requests: vec![Then::Status503, Then::ResetMidBody],
    })
    .await;
    let http = http();
    let request = read_call(&base);
    // A status is a reply: `send` hands it back (the client's check words it).
    let reply = send(&http, &request).await;
    assert!(
        matches!(&reply, Err(NeteaseError::BadReply { .. }) | Ok(_)),
        "{reply:?}"
    );
    assert_eq!(seen.requests(), 1);
    let error = send(&http, &request).await.unwrap_err();
    assert!(matches!(error, NeteaseError::Network { .. }), "{error:?}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        seen.requests(),
        2,
        "the reply had begun: not sent again ({:?})",
        seen.lines.lock().unwrap()
    );
}

#[tokio::test]
async fn a_like_is_sent_again_and_a_scrobble_is_not() {
    let (base, seen) = serve(Script {
        reset_at_accept: 0,
        requests: vec![Then::Reset, Then::Answer, Then::Reset],
    })
    .await;
    let credentials = Credentials {
        music_u: Some("MUSIC_U_TEST".into()),
        csrf: Some("csrf".into()),
        music_a: None,
    };
    let client = NeteaseClient::new(
        http(),
        ApiHosts::all(&base).unwrap(),
        identity(),
        credentials,
    );
    // weapi with OS randomness: this server does not open the form, it only answers.
    client
        .like(186_016, true)
        .await
        .expect("a like arriving twice sets the same state: sent again");
    assert_eq!(seen.requests(), 2);
    let error = client
        .scrobble(186_016, None, Scrobble::Started)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            ApiError::Protocol(NeteaseError::Network { detail, .. }) if detail.contains("reset")
        ),
        "{error:?}"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        seen.requests(),
        3,
        "a scrobble arriving twice would count the play twice: not sent again"
    );
    let lines = seen.lines.lock().unwrap().clone();
    assert!(lines[0].starts_with("post /weapi/radio/like"), "{lines:?}");
    assert!(lines[1].starts_with("post /weapi/radio/like"), "{lines:?}");
    assert!(
        lines[2].starts_with("post /eapi/feedback/weblog"),
        "{lines:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_an_error_naming_the_refusal() {
    // Nothing listens: no request can have arrived, so even a call that is not repeatable is
    // tried once more (`send.rs`'s unit test); both are refused, and the error says so rather
    // than reqwest's "error sending request".
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let call = ApiCall::new(Scheme::Api, "/api/x", Params::new()).not_repeatable();
    let error = send(&http(), &prepared(&base, &call)).await.unwrap_err();
    assert!(
        network_saying(&error, "refused") || network_saying(&error, "Connection refused"),
        "{error}"
    );
}
