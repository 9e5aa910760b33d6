//! The stream's first request is asked once more, at once, when its connection was lost
//! before any reply — the keep-alive race: the server (a CDN) closes an idle connection just
//! as the client reuses it from its pool, and the track would fail and go to the fallback
//! race. Against a scripted HTTP/1.1 server on 127.0.0.1 that keeps connections alive, counts
//! the connections and requests it sees and, per request (in the order they arrive, over all
//! connections), serves the audio bytes (206 to a Range request), resets the connection
//! (`SO_LINGER` 0: an RST), closes it without answering (a FIN), answers 503, resets it after
//! part of the body, or never answers. Checked: one reset (on a pooled connection, at accept)
//! or one early close costs exactly one more request and the stream plays every byte; two in a
//! row are the error that says so; a timeout and an HTTP status are never asked again; a reset
//! after the reply's head is the driver's Range reconnect, not a second first request.

#[allow(dead_code)] // shared with stream.rs; this test uses a part
mod support;

use std::io::Read as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lyrebird_stream::{
    Location, Opened, StreamError, StreamOptions, StreamReader, StreamRequest, Streamer,
};
use support::test_body;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

const PATIENCE: Duration = Duration::from_secs(20);
const BODY_LEN: usize = 512 * 1024;

/// What the server does with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Then {
    /// The audio (or the part a Range asks for), the connection kept alive.
    Serve,
    /// The connection is reset once the request is read, nothing answered.
    Reset,
    /// The connection is closed (a FIN) once the request is read, nothing answered.
    Close,
    /// An HTTP 503: an answer, not a lost connection.
    Status503,
    /// The head and this many body bytes, then a reset.
    ResetAfter(usize),
    /// Nothing, ever (the connection stays open).
    Stall,
}

struct Script {
    /// The first connections accepted are reset before a byte is read.
    reset_at_accept: usize,
    /// What each request gets, by its number; requests past the list are served.
    requests: Vec<Then>,
}

#[derive(Default)]
struct Seen {
    connections: AtomicUsize,
    /// Each request's path and Range header, in order.
    requests: Mutex<Vec<(String, Option<String>)>>,
}

impl Seen {
    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
    fn requests(&self) -> Vec<(String, Option<String>)> {
        self.requests.lock().unwrap().clone()
    }
    fn count(&self) -> (usize, usize) {
        (self.connections(), self.requests.lock().unwrap().len())
    }
}

struct Server {
    base: String,
    body: Arc<Vec<u8>>,
    seen: Arc<Seen>,
}

async fn serve(script: Script) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let body = Arc::new(test_body(BODY_LEN));
    let seen = Arc::new(Seen::default());
    let script = Arc::new(script);
    let (counted, served) = (Arc::clone(&seen), Arc::clone(&body));
    tokio::spawn(async move {
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            let n = counted.connections.fetch_add(1, Ordering::SeqCst);
            if n < script.reset_at_accept {
                reset(sock);
                continue;
            }
            tokio::spawn(connection(
                sock,
                Arc::clone(&script),
                Arc::clone(&counted),
                Arc::clone(&served),
            ));
        }
    });
    Server { base, body, seen }
}

/// Drops `sock` with an RST instead of an orderly close.
#[allow(deprecated)] // `SO_LINGER` 0 does not block the thread: the socket is reset at once
fn reset(sock: TcpStream) {
    sock.set_linger(Some(Duration::ZERO)).unwrap();
    drop(sock);
}

/// Serves the requests of one connection as the script says.
async fn connection(mut sock: TcpStream, script: Arc<Script>, seen: Arc<Seen>, body: Arc<Vec<u8>>) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let head_end = loop {
            if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        };
        let head = String::from_utf8_lossy(&got[..head_end]).to_lowercase();
        got.drain(..head_end + 4);
        let path = head
            .lines()
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .unwrap_or_default()
            .to_owned();
        let range = head
            .lines()
            .find_map(|l| l.strip_prefix("range: bytes="))
            .map(str::to_owned);
        let n = {
            let mut requests = seen.requests.lock().unwrap();
            requests.push((path.clone(), range.clone()));
            requests.len() - 1
        };
        let then = script.requests.get(n).copied().unwrap_or(Then::Serve);
        if path == "/warm" {
            // Leaves a connection in the client's pool.
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                .await;
            continue;
        }
        let start: usize = range
            .as_deref()
            .and_then(|r| r.split('-').next())
            .map_or(0, |s| s.trim().parse().unwrap());
        let part = &body[start..];
        let head = if range.is_some() {
            format!(
                "HTTP/1.1 206 Partial Content\r\nContent-Type: audio/mpeg\r\nContent-Length: {}\r\nContent-Range: bytes {start}-{}/{}\r\n\r\n",
                part.len(),
                body.len() - 1,
                body.len()
            )
        } else {
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Length: {}\r\nAccept-Ranges: bytes\r\n\r\n",
                part.len()
            )
        };
        match then {
            Then::Serve => {
                if sock.write_all(head.as_bytes()).await.is_err()
                    || sock.write_all(part).await.is_err()
                {
                    return;
                }
            }
            Then::Reset => return reset(sock),
            Then::Close => {
                let _ = sock.shutdown().await;
                return;
            }
            Then::Status503 => {
                let _ = sock
                    .write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy")
                    .await;
            }
            Then::ResetAfter(bytes) => {
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&part[..bytes]).await;
                let _ = sock.flush().await;
                tokio::time::sleep(Duration::from_millis(50)).await;
                return reset(sock);
            }
            Then::Stall => {
                tokio::time::sleep(Duration::from_hours(1)).await;
                return;
            }
        }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn options(first_response_timeout: Duration) -> StreamOptions {
    StreamOptions {
        prefetch_bytes: 64 * 1024,
        first_response_timeout,
        stall_timeout: Duration::from_secs(10),
        retry_budget: Duration::from_secs(5),
        max_bytes: lyrebird_stream::MAX_STREAM_BYTES,
    }
}

fn streamer(http: &reqwest::Client) -> Streamer {
    Streamer::new(http.clone(), None).with_options(options(Duration::from_secs(10)))
}

fn request(server: &Server) -> StreamRequest {
    StreamRequest {
        location: Location {
            url: format!("{}/track/t1", server.base),
            headers: Vec::new(),
            certificate_pin: None,
        },
        cache_key: None,
        refresh: None,
    }
}

async fn open(streamer: &Streamer, server: &Server) -> Result<StreamReader, StreamError> {
    let opened = tokio::time::timeout(
        PATIENCE,
        streamer.open(request(server), CancellationToken::new()),
    )
    .await
    .expect("open hung")?;
    match opened {
        Opened::Remote(reader) => Ok(reader),
        Opened::Cached(path) => panic!("unexpected cache hit: {}", path.display()),
    }
}

/// Every byte of the stream, read as the decoder would (blocking, off the runtime).
async fn read_all(mut reader: StreamReader) -> Vec<u8> {
    let read = tokio::task::spawn_blocking(move || {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).map(|_| bytes)
    });
    tokio::time::timeout(PATIENCE, read)
        .await
        .expect("the read hung")
        .unwrap()
        .expect("the stream reads to its end")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pooled_connection_reset_as_the_stream_reuses_it_is_asked_again() {
    // A small request leaves a connection in the pool; the stream's first request goes on it
    // and meets a reset (the server had given up on it).
    let server = serve(Script {
        reset_at_accept: 0,
        requests: vec![Then::Serve, Then::Reset],
    })
    .await;
    let http = client();
    let warm = http.get(format!("{}/warm", server.base)).send().await;
    assert_eq!(warm.unwrap().text().await.unwrap(), "ok");
    assert_eq!(server.seen.count(), (1, 1));

    let reader = open(&streamer(&http), &server)
        .await
        .expect("opened after the reset");
    assert_eq!(read_all(reader).await, *server.body);
    let requests = server.seen.requests();
    assert_eq!(
        server.seen.count(),
        (2, 3),
        "one more request, on a second connection: {requests:?}"
    );
    assert_eq!(
        requests[2],
        ("/track/t1".to_owned(), None),
        "the first request again: a plain GET from the start"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_reset_at_accept_is_asked_again() {
    let server = serve(Script {
        reset_at_accept: 1,
        requests: vec![],
    })
    .await;
    let reader = open(&streamer(&client()), &server)
        .await
        .expect("opened after the reset");
    assert_eq!(read_all(reader).await, *server.body);
    assert_eq!(server.seen.count(), (2, 1), "{:?}", server.seen.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_closed_without_a_reply_is_asked_again() {
    // A FIN instead of an RST: hyper's "connection closed before message completed".
    let server = serve(Script {
        reset_at_accept: 0,
        requests: vec![Then::Close],
    })
    .await;
    let reader = open(&streamer(&client()), &server)
        .await
        .expect("opened after the close");
    assert_eq!(read_all(reader).await, *server.body);
    assert_eq!(server.seen.count(), (2, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_resets_in_a_row_are_the_error_that_says_so() {
    let server = serve(Script {
        reset_at_accept: 0,
        requests: vec![Then::Reset, Then::Reset],
    })
    .await;
    let error = open(&streamer(&client()), &server).await.unwrap_err();
    assert!(matches!(error, StreamError::Network(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "network error: the connection was reset before a reply, and again on a fresh one"
    );
    // Nothing more is sent afterwards either.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.seen.count(), (2, 2), "asked twice, not more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_is_not_asked_again() {
    let server = serve(Script {
        reset_at_accept: 0,
        requests: vec![Then::Stall],
    })
    .await;
    let streamer = Streamer::new(client(), None).with_options(options(Duration::from_millis(300)));
    let started = Instant::now();
    let error = open(&streamer, &server).await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(error, StreamError::Timeout), "{error:?}");
    assert!(
        took < Duration::from_secs(2),
        "bounded by the limit: {took:?}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.seen.count(), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_shares_the_first_requests_time_limit() {
    // A reset, then a server that never answers: the open ends within the one limit.
    let server = serve(Script {
        reset_at_accept: 0,
        requests: vec![Then::Reset, Then::Stall],
    })
    .await;
    let streamer = Streamer::new(client(), None).with_options(options(Duration::from_millis(400)));
    let started = Instant::now();
    let error = open(&streamer, &server).await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(error, StreamError::Timeout), "{error:?}");
    assert!(
        took < Duration::from_millis(1200),
        "the second try had what was left of 400 ms: {took:?}"
    );
    assert_eq!(server.seen.count(), (2, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_status_is_not_asked_again() {
    let server = serve(Script {
        reset_at_accept: 0,
        requests: vec![Then::Status503],
    })
    .await;
    let error = open(&streamer(&client()), &server).await.unwrap_err();
    assert!(
        matches!(error, StreamError::Status { status: 503 }),
        "{error:?}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.seen.count(), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_after_the_head_is_the_drivers_range_reconnect() {
    // The first reply's head and 100 KiB came, then a reset: that is the stream's ordinary
    // recovery (a Range request from where it stopped), not a second first request.
    let server = serve(Script {
        reset_at_accept: 0,
        requests: vec![Then::ResetAfter(100 * 1024)],
    })
    .await;
    let reader = open(&streamer(&client()), &server).await.expect("opened");
    assert_eq!(read_all(reader).await, *server.body);
    let requests = server.seen.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[0].1, None);
    let resumed_at: usize = requests[1]
        .1
        .as_deref()
        .expect("the second request is a Range request")
        .trim_end_matches('-')
        .parse()
        .unwrap();
    assert!(resumed_at <= 100 * 1024, "{requests:?}");
}
