//! A fake NetEase on the loopback interface for the client's and the source's tests. It opens
//! every request with the crate's own server-side functions (weapi with the secret the tests'
//! fixed entropy gives, eapi, xeapi with the fake server key), records what it saw, and answers
//! with what the test's handler returns: JSON, `Set-Cookie` lines, an xeapi session. Nothing
//! goes to NetEase.

#![allow(dead_code)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use lyrebird_netease::client::NeteaseClient;
use lyrebird_netease::crypto::xeapi::{self, XeapiForm};
use lyrebird_netease::crypto::{ReplayEntropy, eapi, weapi};
use lyrebird_netease::{ApiHosts, ClientOs, Credentials, DeviceIdentity};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Barrier;

/// The weapi secret key the tests' entropy gives (bytes 0..16 → "a".."p").
pub const WEAPI_SECRET: &[u8; 16] = b"abcdefghijklmnop";
/// The fake server's X25519 secret.
pub const SERVER_SECRET: [u8; 32] = [7; 32];
pub const KEY_PATH: &str = "/api/gorilla/anti/crawler/security/key/get";

/// One request as the server opened it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// "weapi", "eapi", "xeapi" or "api".
    pub scheme: &'static str,
    /// The URL path as sent (`/weapi/...`).
    pub url_path: String,
    /// The endpoint as `/api/...`.
    pub api: String,
    /// The parameters: the JSON sent (weapi, eapi) or the form (xeapi, api) as strings.
    pub params: Value,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    /// The `Cookie` header's pairs, decoded.
    pub cookies: HashMap<String, String>,
    /// The xeapi session id in `R` ("" when none).
    pub xeapi_session: String,
}

impl Seen {
    pub fn param(&self, key: &str) -> Option<String> {
        self.params.get(key).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }
}

/// What the handler answers.
#[derive(Clone, Debug, Default)]
pub struct Canned {
    pub json: Value,
    pub set_cookies: Vec<String>,
    /// `(x-encr-ssid, x-encr-sskey)`.
    pub session: Option<(String, String)>,
    /// Never answer (for cancellation tests).
    pub hang: bool,
}

impl Canned {
    pub fn json(json: Value) -> Self {
        Self {
            json,
            ..Self::default()
        }
    }

    pub fn with_cookie(mut self, line: &str) -> Self {
        self.set_cookies.push(line.to_owned());
        self
    }
}

pub type Handler = Arc<dyn Fn(&Seen) -> Canned + Send + Sync>;

pub struct Fake {
    pub base: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    /// Serves until the test ends. With `gate`, every request waits there before it is
    /// answered (so the requests meeting at it were all in flight at once).
    pub async fn start(handler: Handler, gate: Option<Arc<Barrier>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let (handler, log, gate) = (Arc::clone(&handler), Arc::clone(&log), gate.clone());
                tokio::spawn(async move { serve(sock, handler, log, gate).await });
            }
        });
        Self { base, seen }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The requests to an endpoint (`/api/...`), in order.
    pub fn to(&self, api: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.api == api).collect()
    }
}

async fn serve(
    mut sock: TcpStream,
    handler: Handler,
    log: Arc<Mutex<Vec<Seen>>>,
    gate: Option<Arc<Barrier>>,
) {
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    let (head, body) = loop {
        let Ok(n) = sock.read(&mut buf).await else {
            return;
        };
        if n == 0 {
            return;
        }
        got.extend_from_slice(&buf[..n]);
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).into_owned();
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if got.len() >= end + 4 + len {
                break (head, got[end + 4..end + 4 + len].to_vec());
            }
        }
    };
    let seen = open(&head, &body);
    log.lock().unwrap().push(seen.clone());
    if let Some(gate) = gate {
        gate.wait().await;
    }
    let canned = if seen.api == KEY_PATH {
        key_reply(&seen)
    } else {
        handler(&seen)
    };
    if canned.hang {
        std::future::pending::<()>().await;
    }
    let text = serde_json::to_vec(&canned.json).unwrap();
    let body = if seen.scheme == "xeapi" {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&text).unwrap();
        eapi::encrypt_response(&gz.finish().unwrap())
    } else {
        text
    };
    let mut reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for c in &canned.set_cookies {
        let _ = write!(reply, "Set-Cookie: {c}\r\n");
    }
    if let Some((id, key)) = &canned.session {
        let _ = write!(reply, "x-encr-ssid: {id}\r\nx-encr-sskey: {key}\r\n");
    }
    reply.push_str("\r\n");
    let _ = sock.write_all(reply.as_bytes()).await;
    let _ = sock.write_all(&body).await;
    let _ = sock.shutdown().await;
}

fn form_of(text: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

fn open(head: &str, body: &[u8]) -> Seen {
    let mut lines = head.lines();
    let url_path = lines.next().unwrap().split(' ').nth(1).unwrap().to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
        .collect();
    let cookies = headers
        .get("cookie")
        .map(|c| {
            c.split("; ")
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| {
                    let dec = |s: &str| {
                        percent_encoding::percent_decode_str(s)
                            .decode_utf8_lossy()
                            .into_owned()
                    };
                    (dec(k), dec(v))
                })
                .collect()
        })
        .unwrap_or_default();
    let form = form_of(std::str::from_utf8(body).unwrap());
    let (scheme, api, params, xeapi_session) = if let Some(rest) = url_path.strip_prefix("/weapi/")
    {
        let json = weapi::decrypt_with_secret(&form["params"], WEAPI_SECRET).unwrap();
        (
            "weapi",
            format!("/api/{rest}"),
            serde_json::from_str(&json).unwrap(),
            String::new(),
        )
    } else if url_path.starts_with("/eapi/") {
        let req = eapi::decrypt_request(&form["params"]).unwrap();
        assert_eq!(url_path.replacen("/eapi/", "/api/", 1), req.path);
        (
            "eapi",
            req.path,
            serde_json::from_str(&req.json).unwrap(),
            String::new(),
        )
    } else if let Some(rest) = url_path.strip_prefix("/xeapi/") {
        let opened = xeapi::open(
            &XeapiForm {
                b: form["B"].clone(),
                s: form["S"].clone(),
                r: form["R"].clone(),
            },
            &SERVER_SECRET,
        )
        .unwrap();
        let envelope: Value = serde_json::from_str(&opened.envelope).unwrap();
        let inner = base64::engine::general_purpose::STANDARD
            .decode(envelope["body"].as_str().unwrap())
            .unwrap();
        let params: serde_json::Map<String, Value> = form_of(std::str::from_utf8(&inner).unwrap())
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        (
            "xeapi",
            format!("/api/{rest}"),
            Value::Object(params),
            opened.session_id,
        )
    } else {
        let params = form
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect::<serde_json::Map<_, _>>();
        (
            "api",
            url_path.clone(),
            Value::Object(params),
            String::new(),
        )
    };
    Seen {
        scheme,
        url_path,
        api,
        params,
        headers,
        cookies,
        xeapi_session,
    }
}

/// The xeapi key exchange, answered as NetEase does: the fake server's public key, signed
/// with the client's nonce.
fn key_reply(seen: &Seen) -> Canned {
    let nonce = seen.param("nonce").unwrap();
    let key = json!({
        "publicKey": xeapi::public_key_for(&SERVER_SECRET),
        "version": 3,
        "sk": "sk-fake",
    });
    Canned::json(json!({"code": 200, "data": {
        "encryptedData": xeapi::encrypt_server_key(&key.to_string()),
        "timestamp": 1_700_000_000_000u64,
        "signature": xeapi::sign("1700000000000", &nonce),
    }}))
}

pub fn device() -> DeviceIdentity {
    DeviceIdentity::generate(ClientOs::Pc, &mut ReplayEntropy::new([3, 1, 4, 1, 5]), 1).unwrap()
}

/// A client of the fake at `base`, with entropy the fake can decrypt weapi with.
pub fn client(base: &str, credentials: Credentials) -> NeteaseClient {
    client_with(
        reqwest::Client::builder().no_proxy().build().unwrap(),
        base,
        credentials,
    )
}

pub fn client_with(http: reqwest::Client, base: &str, credentials: Credentials) -> NeteaseClient {
    NeteaseClient::new(http, ApiHosts::all(base).unwrap(), device(), credentials).with_entropy(
        Arc::new(|| Box::new(ReplayEntropy::new((0u8..16).collect::<Vec<_>>()))),
    )
}

pub fn logged_in(music_u: &str) -> Credentials {
    Credentials {
        music_u: Some(music_u.to_owned()),
        csrf: Some(format!("csrf-{music_u}")),
        music_a: None,
    }
}

/// A song in NetEase's current shape.
pub fn song(id: u64, name: &str, fee: i64) -> Value {
    json!({
        "id": id, "name": name, "ar": [{"id": 100 + id, "name": format!("Artist {id}")}],
        "al": {"id": 200 + id, "name": format!("Album {id}"),
               "picUrl": format!("https://p1.music.126.net/{id}.jpg")},
        "dt": 200_000 + id, "fee": fee, "no": 1, "mv": 0, "publishTime": 0
    })
}

pub fn privilege(id: u64, fee: i64, st: i64, pl: u64) -> Value {
    json!({"id": id, "fee": fee, "payed": 0, "st": st, "pl": pl, "dl": 0, "maxbr": 999_000,
           "cs": false, "plLevel": if pl > 0 { "exhigh" } else { "none" }})
}
