//! A small fault-injecting HTTP/1.1 server on loopback, for the streaming tests.
//!
//! It serves one generated body at `/track/<token>`: full GETs get `200` with Content-Length,
//! `Range: bytes=A-` / `bytes=A-B` get `206` with Content-Range. Every response closes its
//! connection (`Connection: close`), so "open connections" means "responses in progress".
//! Faults are taken from a queue, one per request (then `Config::default_fault`); tokens named
//! `expired` (or revoked at run time) are answered with 403.

use std::collections::{HashSet, VecDeque};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// What to do to one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Serve it normally.
    None,
    /// Send the head and this many body bytes, then close the connection.
    DropAfter(u64),
    /// Send the head and this many body bytes, then send nothing until
    /// [`TestServer::release_stalls`] (then finish) or until the client goes away.
    StallAfter(u64),
    /// Answer with this status and a short text body.
    Status(u16),
    /// Wait this long before answering (normally).
    Delay(Duration),
}

#[derive(Clone, Debug)]
pub struct Config {
    /// Faults for the next requests, in order.
    pub faults: VecDeque<Fault>,
    /// Fault for requests once `faults` is empty.
    pub default_fault: Fault,
    /// Body bytes per write.
    pub chunk_size: usize,
    /// Pause between writes (throttling).
    pub chunk_delay: Option<Duration>,
    pub content_type: String,
    /// Honour Range headers (else always 200 with the whole body, and no Accept-Ranges).
    pub ranges: bool,
    /// A `DropAfter` also revokes the request's token: its next request gets 403.
    pub revoke_on_drop: bool,
    /// Send Content-Length (else the body ends when the connection closes, and a client
    /// cannot tell a complete body from a cut one).
    pub length: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            faults: VecDeque::new(),
            default_fault: Fault::None,
            chunk_size: 16 * 1024,
            chunk_delay: None,
            content_type: "audio/mpeg".into(),
            ranges: true,
            revoke_on_drop: false,
            length: true,
        }
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    pub range: Option<String>,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

struct State {
    body: Vec<u8>,
    config: Mutex<Config>,
    requests: Mutex<Vec<Request>>,
    revoked: Mutex<HashSet<String>>,
    open: AtomicUsize,
    released: watch::Sender<bool>,
}

pub struct TestServer {
    addr: SocketAddr,
    state: Arc<State>,
    shutdown: CancellationToken,
    /// The accept loop, awaited by `shutdown` so that the listener is closed when it returns.
    accepting: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap()
}

impl TestServer {
    pub async fn start(body: Vec<u8>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State {
            body,
            config: Mutex::new(Config::default()),
            requests: Mutex::new(Vec::new()),
            revoked: Mutex::new(HashSet::new()),
            open: AtomicUsize::new(0),
            released: watch::channel(false).0,
        });
        let shutdown = CancellationToken::new();
        let accepting = tokio::spawn(accept_loop(listener, Arc::clone(&state), shutdown.clone()));
        Self {
            addr,
            state,
            shutdown,
            accepting: Mutex::new(Some(accepting)),
        }
    }

    pub fn url(&self, token: &str) -> String {
        format!("http://{}/track/{token}", self.addr)
    }

    pub fn body(&self) -> &[u8] {
        &self.state.body
    }

    pub fn configure(&self, change: impl FnOnce(&mut Config)) {
        change(&mut lock(&self.state.config));
    }

    pub fn requests(&self) -> Vec<Request> {
        lock(&self.state.requests).clone()
    }

    pub fn request_count(&self) -> usize {
        lock(&self.state.requests).len()
    }

    pub fn open_connections(&self) -> usize {
        self.state.open.load(Ordering::SeqCst)
    }

    /// Lets stalled responses (and future `StallAfter`s) finish.
    pub fn release_stalls(&self) {
        self.state.released.send_replace(true);
    }

    /// Closes the listener (later connects are refused) and every open connection; returns
    /// once the listener is closed, so a reconnect made after it cannot be served.
    pub async fn shutdown(&self) {
        self.shutdown.cancel();
        let accepting = lock(&self.accepting).take();
        if let Some(accepting) = accepting {
            let _ = accepting.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>, shutdown: CancellationToken) {
    loop {
        // `biased`: once shut down, a connection that is also waiting is never taken.
        let socket = tokio::select! {
            biased;
            () = shutdown.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((socket, _)) => socket,
                Err(_) => continue,
            },
        };
        let state = Arc::clone(&state);
        let shutdown = shutdown.clone();
        state.open.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            tokio::select! {
                biased;
                () = shutdown.cancelled() => {}
                _ = serve(socket, &state) => {}
            }
            // The socket is dropped (closed) by now.
            state.open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Reads the request head: request line and headers, lower-cased names.
async fn read_head(socket: &mut TcpStream) -> Option<(String, Vec<(String, String)>)> {
    let mut head = Vec::new();
    let mut buf = [0; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 || head.len() > 64 * 1024 {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_owned();
    let headers = lines
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Some((path, headers))
}

/// `bytes=A-` or `bytes=A-B` → `[A, B+1)` clamped to `len`.
fn parse_range(value: &str, len: u64) -> Option<(u64, u64)> {
    let (start, end) = value.strip_prefix("bytes=")?.split_once('-')?;
    let start: u64 = start.parse().ok()?;
    let end = if end.is_empty() {
        len
    } else {
        (end.parse::<u64>().ok()? + 1).min(len)
    };
    Some((start, end))
}

async fn serve(mut socket: TcpStream, state: &State) -> std::io::Result<()> {
    let Some((path, headers)) = read_head(&mut socket).await else {
        return Ok(());
    };
    let range = headers
        .iter()
        .find(|(n, _)| n == "range")
        .map(|(_, v)| v.clone());
    lock(&state.requests).push(Request {
        path: path.clone(),
        range: range.clone(),
        headers,
    });
    let (fault, config) = {
        let mut config = lock(&state.config);
        let fault = config
            .faults
            .pop_front()
            .unwrap_or_else(|| config.default_fault.clone());
        (fault, config.clone())
    };
    let token = path.rsplit('/').next().unwrap_or_default().to_owned();

    if let Fault::Delay(delay) = fault {
        tokio::time::sleep(delay).await;
    }
    if let Fault::Status(status) = fault {
        return simple(&mut socket, status, "text/plain", "injected failure").await;
    }
    if token == "expired" || lock(&state.revoked).contains(&token) {
        return simple(&mut socket, 403, "text/plain", "token expired").await;
    }

    let len = state.body.len() as u64;
    let (status, start, end) = match range.as_deref().filter(|_| config.ranges) {
        Some(value) => match parse_range(value, len) {
            Some((start, end)) if start < len && start < end => (206, start, end),
            _ => return simple(&mut socket, 416, "text/plain", "bad range").await,
        },
        None => (200, 0, len),
    };
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {}\r\nConnection: close\r\n",
        if status == 206 {
            "Partial Content"
        } else {
            "OK"
        },
        config.content_type,
    );
    if config.length {
        let _ = write!(head, "Content-Length: {}\r\n", end - start);
    }
    if config.ranges {
        head.push_str("Accept-Ranges: bytes\r\n");
    }
    if status == 206 {
        let _ = write!(head, "Content-Range: bytes {start}-{}/{len}\r\n", end - 1);
    }
    head.push_str("\r\n");
    socket.write_all(head.as_bytes()).await?;

    let limit = match fault {
        Fault::DropAfter(n) | Fault::StallAfter(n) => Some(n),
        _ => None,
    };
    let body = &state.body[usize::try_from(start).unwrap()..usize::try_from(end).unwrap()];
    let mut sent = 0u64;
    let mut stalled = false;
    for chunk in body.chunks(config.chunk_size) {
        let mut chunk = chunk;
        if let Some(limit) = limit.filter(|_| !stalled) {
            let room = usize::try_from(limit.saturating_sub(sent)).unwrap();
            if room < chunk.len() {
                socket.write_all(&chunk[..room]).await?;
                socket.flush().await?;
                sent += room as u64;
                chunk = &chunk[room..];
                if let Fault::DropAfter(_) = fault {
                    if config.revoke_on_drop {
                        lock(&state.revoked).insert(token);
                    }
                    return Ok(());
                }
                wait_release_or_close(&mut socket, state).await?;
                stalled = true;
            }
        }
        socket.write_all(chunk).await?;
        sent += chunk.len() as u64;
        if let Some(delay) = config.chunk_delay {
            tokio::time::sleep(delay).await;
        }
    }
    socket.flush().await?;
    socket.shutdown().await
}

/// Stall: returns once stalls are released, or errors once the client closed the connection.
async fn wait_release_or_close(socket: &mut TcpStream, state: &State) -> std::io::Result<()> {
    let mut released = state.released.subscribe();
    let mut buf = [0; 64];
    tokio::select! {
        _ = released.wait_for(|r| *r) => Ok(()),
        read = socket.read(&mut buf) => match read {
            Ok(0) | Err(_) => Err(std::io::ErrorKind::ConnectionAborted.into()),
            Ok(_) => Err(std::io::ErrorKind::InvalidData.into()),
        },
    }
}

async fn simple(
    socket: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &str,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} Test\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    socket.write_all(head.as_bytes()).await?;
    socket.shutdown().await
}

/// Deterministic pseudo-random bytes (xorshift), so any misplaced range shows.
pub fn test_body(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
pub async fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    condition()
}
