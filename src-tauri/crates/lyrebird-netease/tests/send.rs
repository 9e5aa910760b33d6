//! Sending against a one-shot server on the loopback interface: the reply is read bounded,
//! decrypted, and an xeapi session handed back. Nothing goes to NetEase.

use std::io::Write as _;

use lyrebird_netease::crypto::xeapi::{self, ServerKey};
use lyrebird_netease::crypto::{ReplayEntropy, eapi};
use lyrebird_netease::{
    ApiCall, ApiHosts, ClientOs, Credentials, DeviceIdentity, MAX_REPLY_BYTES, NeteaseError,
    Params, RequestContext, Scheme, build, send,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// Serves one request with `head` (status line and headers, without the blank line) and
/// `body`, and returns what the client sent.
async fn serve_once(head: String, body: Vec<u8>) -> (String, tokio::task::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = sock.read(&mut buf).await.unwrap();
            got.extend_from_slice(&buf[..n]);
            if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&got[..end]).to_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .map_or(0, |v| v.trim().parse().unwrap());
                if got.len() >= end + 4 + len {
                    break;
                }
            }
            assert!(n > 0, "the client closed early");
        }
        let _ = sock.write_all(format!("{head}\r\n\r\n").as_bytes()).await;
        let _ = sock.write_all(&body).await;
        let _ = sock.shutdown().await;
        got
    });
    (base, task)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn identity() -> DeviceIdentity {
    DeviceIdentity::generate(ClientOs::Pc, &mut ReplayEntropy::new([9, 8, 7]), 1).unwrap()
}

#[tokio::test]
async fn xeapi_reply_is_decrypted_and_rotates_the_session() {
    let reply = br#"{"code":200,"data":[{"id":186016,"url":"http://m/x.flac"}]}"#;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(reply).unwrap();
    let body = eapi::encrypt_response(&gz.finish().unwrap());
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nx-encr-ssid: sid-2\r\nx-encr-sskey: 0123456789abcdef\r\nSet-Cookie: NMTID=abc; Path=/",
        body.len()
    );
    let (base, server) = serve_once(head, body).await;

    let hosts = ApiHosts::all(&base).unwrap();
    let device = identity();
    let creds = Credentials::default();
    let key = ServerKey {
        public_key: xeapi::public_key_for(&[1; 32]),
        version: "1".into(),
        sk: "s".into(),
    };
    let ctx = RequestContext {
        hosts: &hosts,
        device: &device,
        credentials: &creds,
        xeapi_key: Some(&key),
        xeapi_session: None,
    };
    let call = ApiCall::new(
        Scheme::Xeapi,
        "/api/song/enhance/player/url/v1",
        Params::new().with("ids", "[186016]"),
    );
    let req = build(&call, &ctx, &mut ReplayEntropy::new([5, 6]), 1_000).unwrap();

    let got = send(&client(), &req).await.unwrap();
    assert_eq!(got.status, 200);
    assert_eq!(got.json["data"][0]["id"], 186_016);
    assert_eq!(got.set_cookies, ["NMTID=abc; Path=/"]);
    let session = got.session.expect("the headers hand out a session");
    assert_eq!(session.id, "sid-2");

    let sent = String::from_utf8(server.await.unwrap()).unwrap();
    assert!(
        sent.starts_with("POST /xeapi/song/enhance/player/url/v1 HTTP/1.1\r\n"),
        "{sent}"
    );
    assert!(
        sent.to_lowercase()
            .contains(&format!("x-deviceid: {}", device.device_id.to_lowercase()))
    );
}

#[tokio::test]
async fn an_unencrypted_error_reply_is_read_as_it_is() {
    let body = br#"{"code":301,"msg":"need login"}"#.to_vec();
    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}", body.len());
    let (base, server) = serve_once(head, body).await;
    let hosts = ApiHosts::all(&base).unwrap();
    let (device, creds) = (identity(), Credentials::default());
    let ctx = RequestContext {
        hosts: &hosts,
        device: &device,
        credentials: &creds,
        xeapi_key: None,
        xeapi_session: None,
    };
    let call = ApiCall::new(Scheme::Eapi, "/api/v1/radio/get", Params::new()).encrypted_reply(true);
    let req = build(&call, &ctx, &mut ReplayEntropy::new([1]), 1_000).unwrap();
    let got = send(&client(), &req).await.unwrap();
    assert_eq!((got.json["code"].as_i64(), got.session), (Some(301), None));
    server.await.unwrap();
}

async fn too_large(head: String, body: Vec<u8>) {
    let (base, server) = serve_once(head, body).await;
    let hosts = ApiHosts::all(&base).unwrap();
    let (device, creds) = (identity(), Credentials::default());
    let ctx = RequestContext {
        hosts: &hosts,
        device: &device,
        credentials: &creds,
        xeapi_key: None,
        xeapi_session: None,
    };
    let req = build(
        &ApiCall::new(Scheme::Api, "/api/x", Params::new()),
        &ctx,
        &mut ReplayEntropy::new([1]),
        1,
    )
    .unwrap();
    let err = send(&client(), &req).await.unwrap_err();
    assert!(
        matches!(err, NeteaseError::ReplyTooLarge { limit_mib: 16, .. }),
        "{err:?}"
    );
    drop(server);
}

#[tokio::test]
async fn a_reply_over_the_cap_is_refused_by_its_length() {
    too_large(
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}", MAX_REPLY_BYTES + 1),
        Vec::new(),
    )
    .await;
}

#[tokio::test]
async fn a_reply_over_the_cap_is_refused_while_reading() {
    // No length: the body ends when the connection closes.
    too_large(
        "HTTP/1.1 200 OK\r\nConnection: close".to_owned(),
        vec![b' '; MAX_REPLY_BYTES + 1],
    )
    .await;
}
