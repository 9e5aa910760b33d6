//! Pinning against a real TLS server on loopback (the system's TLS library serving a
//! self-signed certificate): the trusted certificate is accepted, any other is refused before a
//! byte of HTTP is sent, and the probe reads a certificate without sending a request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use lyrebird_tls::{CertificatePin, ProbeError, TlsFailure, pinned_client_builder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CERT: &str = include_str!("fixtures/cert.pem");
const KEY: &str = include_str!("fixtures/key.pem");
const OTHER_CERT: &str = include_str!("fixtures/other-cert.pem");
const OTHER_KEY: &str = include_str!("fixtures/other-key.pem");

/// `openssl x509 -in tests/fixtures/cert.pem -noout -fingerprint -sha256`: an independent
/// computation of the fingerprint the user is shown.
const CERT_FINGERPRINT: &str = "06:C3:57:36:81:CD:65:41:C3:0B:77:15:65:99:A1:8F:7A:4E:DB:D6:C8:A4:02:F0:C2:E1:53:1E:3B:B1:D2:7B";

/// An HTTPS server on loopback answering every request with "hello", counting the requests that
/// reached it (a refused handshake never gets that far).
struct Server {
    url: String,
    requests: Arc<AtomicUsize>,
}

async fn serve(cert: &str, key: &str) -> Server {
    let identity = native_tls::Identity::from_pkcs8(cert.as_bytes(), key.as_bytes()).unwrap();
    let acceptor =
        tokio_native_tls::TlsAcceptor::from(native_tls::TlsAcceptor::new(identity).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "https://127.0.0.1:{}/rest/ping?u=ann&t=secret",
        listener.local_addr().unwrap().port()
    );
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let counted = counted.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n")
                    && tls.read(&mut byte).await.is_ok_and(|n| n == 1)
                {
                    head.push(byte[0]);
                }
                if head.is_empty() {
                    return;
                }
                counted.fetch_add(1, Ordering::SeqCst);
                let _ = tls
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
                    )
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    Server { url, requests }
}

fn pin_of(pem: &str) -> CertificatePin {
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    CertificatePin::of_certificate(&base64_decode(&body))
}

/// Enough base64 for a PEM body (the test keeps its dependencies to what the crate uses).
fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|c| *c != b'=') {
        let value = u32::try_from(ALPHABET.iter().position(|a| *a == c).unwrap()).unwrap();
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from((bits >> count) & 0xff).unwrap());
        }
    }
    out
}

#[tokio::test]
async fn the_probe_reads_the_certificate_and_sends_no_request() {
    let server = serve(CERT, KEY).await;
    let pin = lyrebird_tls::presented_certificate(&server.url, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(pin.fingerprint(), CERT_FINGERPRINT);
    assert_eq!(pin, pin_of(CERT));
    // Let a request, had one been sent, arrive.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.requests.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_trusted_certificate_is_accepted_whatever_its_issuer() {
    let server = serve(CERT, KEY).await;
    let client = pinned_client_builder(CERT_FINGERPRINT.parse().unwrap())
        .unwrap()
        .build()
        .unwrap();
    let reply = client.get(&server.url).send().await.unwrap();
    assert_eq!(reply.text().await.unwrap(), "hello");
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);

    // The same server through the system's verification: refused (nobody vouches for it).
    let error = reqwest::Client::new()
        .get(&server.url)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(TlsFailure::in_chain(&error), Some(TlsFailure::Refused(_))),
        "{error:?}"
    );
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn another_certificate_is_refused_before_the_request_and_named() {
    // The user trusted CERT; the server (renewed, or someone in the middle) presents another.
    let server = serve(OTHER_CERT, OTHER_KEY).await;
    let client = pinned_client_builder(pin_of(CERT))
        .unwrap()
        .build()
        .unwrap();
    let error = client.get(&server.url).send().await.unwrap_err();
    let Some(TlsFailure::Changed(changed)) = TlsFailure::in_chain(&error) else {
        panic!("not a changed certificate: {error:?}");
    };
    assert_eq!(changed.presented, pin_of(OTHER_CERT));
    assert_ne!(changed.presented, pin_of(CERT));
    assert!(
        changed
            .to_string()
            .contains(&pin_of(OTHER_CERT).fingerprint()),
        "{changed}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        0,
        "a request got through"
    );
}

#[tokio::test]
async fn a_server_without_tls_has_nothing_to_pin() {
    assert_eq!(
        lyrebird_tls::presented_certificate("http://127.0.0.1:9/", Duration::from_secs(1)).await,
        Err(ProbeError::NotHttps)
    );
    // A port where nothing listens: an error, not a hang.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let error = lyrebird_tls::presented_certificate(
        &format!("https://127.0.0.1:{port}/"),
        Duration::from_secs(5),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, ProbeError::NoCertificate(_)), "{error:?}");
}
