//! A fake Subsonic server on loopback (plain HTTP or TLS with a self-signed certificate) that
//! records every request and checks credentials the way the API defines them.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use md5::{Digest, Md5};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    /// The API method, without `/rest/` and `.view`.
    pub method: String,
    /// Query parameters, percent-decoded.
    pub params: Vec<(String, String)>,
    /// The request line and headers, as sent.
    pub head: String,
}

impl Request {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.param(name).is_some()
    }
}

/// What the server answers.
#[derive(Clone, Debug)]
pub enum Reply {
    Body {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// Never answer (until the client gives up).
    Hang,
    /// 200 and a JSON array that never ends (no Content-Length), until the client hangs up or
    /// 1 GiB is sent: a hostile server. The bytes sent are counted ([`FakeServer::sent`]).
    Endless,
}

impl Reply {
    /// `{"subsonic-response": {"status": "ok", …fields}}`.
    pub fn ok(fields: serde_json::Value) -> Self {
        let mut body = serde_json::json!({"status": "ok", "version": "1.16.1"});
        if let serde_json::Value::Object(extra) = fields {
            body.as_object_mut().unwrap().extend(extra);
        }
        Self::json(200, &serde_json::json!({ "subsonic-response": body }))
    }

    pub fn error(code: u32, message: &str) -> Self {
        Self::json(
            200,
            &serde_json::json!({"subsonic-response": {
                "status": "failed", "version": "1.16.1",
                "error": {"code": code, "message": message}
            }}),
        )
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Self::Body {
            status,
            content_type: "application/json",
            body: value.to_string().into_bytes(),
        }
    }
}

type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

struct State {
    handler: Handler,
    requests: Mutex<Vec<Request>>,
    open: AtomicUsize,
    sent: AtomicUsize,
}

pub struct FakeServer {
    addr: SocketAddr,
    scheme: &'static str,
    state: Arc<State>,
    shutdown: CancellationToken,
}

impl FakeServer {
    pub async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        Self::listen(Arc::new(handler), None).await
    }

    /// The same over TLS, with a self-signed certificate for 127.0.0.1 and localhost.
    pub async fn start_tls(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        let identity = native_tls::Identity::from_pkcs8(CERT.as_bytes(), KEY.as_bytes()).unwrap();
        let acceptor =
            tokio_native_tls::TlsAcceptor::from(native_tls::TlsAcceptor::new(identity).unwrap());
        Self::listen(Arc::new(handler), Some(acceptor)).await
    }

    async fn listen(handler: Handler, tls: Option<tokio_native_tls::TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State {
            handler,
            requests: Mutex::new(Vec::new()),
            open: AtomicUsize::new(0),
            sent: AtomicUsize::new(0),
        });
        let shutdown = CancellationToken::new();
        let scheme = if tls.is_some() { "https" } else { "http" };
        tokio::spawn(accept_loop(
            listener,
            tls,
            Arc::clone(&state),
            shutdown.clone(),
        ));
        Self {
            addr,
            scheme,
            state,
            shutdown,
        }
    }

    /// The base URL a client is configured with.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.requests.lock().unwrap().clone()
    }

    pub fn open_connections(&self) -> usize {
        self.state.open.load(Ordering::SeqCst)
    }

    /// Body bytes sent by [`Reply::Endless`] answers so far.
    pub fn sent(&self) -> usize {
        self.state.sent.load(Ordering::SeqCst)
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<tokio_native_tls::TlsAcceptor>,
    state: Arc<State>,
    shutdown: CancellationToken,
) {
    loop {
        let socket = tokio::select! {
            () = shutdown.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((socket, _)) => socket,
                Err(_) => continue,
            },
        };
        let state = Arc::clone(&state);
        let shutdown = shutdown.clone();
        let tls = tls.clone();
        state.open.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            tokio::select! {
                () = shutdown.cancelled() => {}
                () = async {
                    match tls {
                        // A client that distrusts the certificate aborts the handshake here.
                        Some(tls) => if let Ok(stream) = tls.accept(socket).await {
                            let _ = serve(stream, &state).await;
                        },
                        None => { let _ = serve(socket, &state).await; }
                    }
                } => {}
            }
            state.open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Serves requests on one connection (keep-alive) until the client closes it.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    state: &State,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    loop {
        let Some(head) = read_head(&mut stream, &mut buffer).await? else {
            return Ok(());
        };
        let request = parse_request(&head);
        state.requests.lock().unwrap().push(request.clone());
        match (state.handler)(&request) {
            Reply::Hang => {
                // Hold the connection open; return once the client hangs up.
                let mut byte = [0; 1];
                while stream.read(&mut byte).await? > 0 {}
                return Ok(());
            }
            Reply::Endless => {
                let head = "HTTP/1.1 200 Fake\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[";
                stream.write_all(head.as_bytes()).await?;
                let chunk = b"1,".repeat(32 * 1024);
                while state.sent.load(Ordering::SeqCst) < 1 << 30 {
                    if stream.write_all(&chunk).await.is_err() {
                        break;
                    }
                    state.sent.fetch_add(chunk.len(), Ordering::SeqCst);
                }
                return Ok(());
            }
            Reply::Body {
                status,
                content_type,
                body,
            } => {
                let head = format!(
                    "HTTP/1.1 {status} Fake\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                stream.write_all(head.as_bytes()).await?;
                stream.write_all(&body).await?;
                stream.flush().await?;
            }
        }
    }
}

/// The next request head (GETs only: no bodies), or `None` once the client closed.
async fn read_head<S: AsyncRead + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
) -> std::io::Result<Option<String>> {
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
            buffer.drain(..end + 4);
            return Ok(Some(head));
        }
        let mut chunk = [0; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

fn parse_request(head: &str) -> Request {
    let target = head
        .lines()
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let method = path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".view")
        .to_owned();
    let params = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect();
    Request {
        method,
        params,
        head: head.to_owned(),
    }
}

/// `application/x-www-form-urlencoded` decoding.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 2;
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

pub fn md5_hex(text: &str) -> String {
    to_hex(&Md5::digest(text.as_bytes()))
}

pub fn hex(text: &str) -> String {
    to_hex(text.as_bytes())
}

fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// How a simulated server treats `t`/`s` token authentication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tokens {
    Accept,
    /// Error 41, as the API defines for servers (or LDAP users) without tokens.
    Refuse41,
    /// Error 10, as supysonic 0.7 answers (it only reads `p`).
    RefuseLikeSupysonic,
}

/// A Subsonic server's authentication rules plus a tiny library.
#[derive(Clone, Debug)]
pub struct Sim {
    pub user: String,
    pub password: String,
    pub tokens: Tokens,
    /// Advertise `apiKeyAuthentication` and accept this key.
    pub api_key: Option<String>,
}

impl Sim {
    pub fn new(user: &str, password: &str) -> Self {
        Self {
            user: user.into(),
            password: password.into(),
            tokens: Tokens::Accept,
            api_key: None,
        }
    }

    pub fn handle(&self, request: &Request) -> Reply {
        // OpenSubsonic servers answer this one without credentials too.
        let public = request.method == "getOpenSubsonicExtensions" && !request.has("apiKey");
        let checked = if public {
            Ok(())
        } else {
            self.authenticate(request)
        };
        if let Err(reply) = checked {
            return reply;
        }
        match request.method.as_str() {
            "getOpenSubsonicExtensions" => self.extensions(),
            "search3" => Reply::ok(serde_json::json!({"searchResult3": {"song": [
                {"id": "song-1", "title": "Hello", "artist": "Sim", "album": "Fake",
                 "duration": 3, "isDir": false}
            ]}})),
            _ => Reply::ok(serde_json::json!({})),
        }
    }

    fn extensions(&self) -> Reply {
        match &self.api_key {
            Some(_) => Reply::ok(serde_json::json!({
                "openSubsonic": true,
                "openSubsonicExtensions": [
                    {"name": "transcodeOffset", "versions": [1]},
                    {"name": "apiKeyAuthentication", "versions": [1]},
                ]
            })),
            // What supysonic answers for methods it does not know.
            None => Reply::json(
                404,
                &serde_json::json!({"subsonic-response": {"status": "failed",
                    "version": "1.10.2", "error": {"code": 0, "message": "Unknown method"}}}),
            ),
        }
    }
    fn authenticate(&self, request: &Request) -> Result<(), Reply> {
        if let Some(key) = request.param("apiKey") {
            if request.has("u") || request.has("t") || request.has("p") {
                return Err(Reply::error(
                    43,
                    "Multiple conflicting authentication mechanisms provided",
                ));
            }
            return match &self.api_key {
                Some(expected) if expected == key => Ok(()),
                Some(_) => Err(Reply::error(44, "Invalid API key")),
                None => Err(Reply::error(
                    42,
                    "Provided authentication mechanism not supported",
                )),
            };
        }
        if request.param("u") != Some(&self.user) {
            return Err(match request.param("u") {
                None => Reply::error(10, "Required parameter is missing."),
                Some(_) => Reply::error(40, "Wrong username or password."),
            });
        }
        if let (Some(token), Some(salt)) = (request.param("t"), request.param("s")) {
            return match self.tokens {
                Tokens::Accept if token == md5_hex(&format!("{}{salt}", self.password)) => Ok(()),
                Tokens::Accept => Err(Reply::error(40, "Wrong username or password.")),
                Tokens::Refuse41 => Err(Reply::error(
                    41,
                    "Token authentication not supported for LDAP users.",
                )),
                Tokens::RefuseLikeSupysonic => {
                    Err(Reply::error(10, "A required parameter is missing."))
                }
            };
        }
        match request.param("p") {
            Some(p) if p == format!("enc:{}", hex(&self.password)) || p == self.password => Ok(()),
            Some(_) => Err(Reply::error(40, "Wrong username or password.")),
            None => Err(Reply::error(10, "Required parameter is missing.")),
        }
    }
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

/// The self-signed certificate (127.0.0.1 and localhost, valid to 2126) lyrebird-stream's
/// tests use too.
const CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUNRxO4s+9bEQPcHtiF3vhrwoFsREwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyODIxMzgyMloYDzIxMjYxMTA0
MjEzODIyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQL0pYUHAa6+MOGLC/KTqiKx1uohNVdcfJTVI6z81HR6EJcPFBqTZp0
VMpeOoUizlf2J5xgok6wvenpyi+DotzIo28wbTAdBgNVHQ4EFgQUhszygEidO4bJ
xWU4laiZ2KcR1IIwHwYDVR0jBBgwFoAUhszygEidO4bJxWU4laiZ2KcR1IIwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSAAwRQIgXFoYL7JAlDuzQEbYvsqWiJGXgx8ShQeopjxjwTp5rywCIQDF
xOeRH2R/4aUULlUEDBq1polHmQ6/GQHZVW0N7zR+xQ==
-----END CERTIFICATE-----
";
const KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg2uRP7pIKYUU9b9+q
dxt77cGoJlWoPURpS4OQPCJUoYShRANCAAQL0pYUHAa6+MOGLC/KTqiKx1uohNVd
cfJTVI6z81HR6EJcPFBqTZp0VMpeOoUizlf2J5xgok6wvenpyi+DotzI
-----END PRIVATE KEY-----
";
