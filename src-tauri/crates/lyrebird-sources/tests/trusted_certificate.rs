//! "Test connection" and "Save" against a Subsonic server with a self-signed certificate, as
//! the Settings form drives them: the test names the certificate's fingerprint without sending
//! a request, the trusted fingerprint is what makes the server work, and a changed certificate
//! is named as such and never gets the stored password.

// Shared with the Subsonic client's tests; not every helper is used here.
#[allow(dead_code)]
#[path = "../../lyrebird-subsonic/tests/support/fake.rs"]
mod fake;

use std::sync::Arc;

use fake::{FakeServer, Sim};
use lyrebird_core::certificate::CertificatePin;
use lyrebird_core::servers::{ServerInput, ServerTest};
use lyrebird_sources::ServersHandle;
use lyrebird_sources::secrets::{Keyring, SecretStore};

const USER: &str = "ann";
const PASSWORD: &str = "sesame-7f3a";

/// `openssl x509 -noout -fingerprint -sha256` of the fake server's certificate.
const SERVER_FINGERPRINT: &str = "06:C3:57:36:81:CD:65:41:C3:0B:77:15:65:99:A1:8F:7A:4E:DB:D6:C8:A4:02:F0:C2:E1:53:1E:3B:B1:D2:7B";

/// No keyring: the secret goes to the 0600 file in the test's folder.
struct NoKeyring;

impl Keyring for NoKeyring {
    fn set(&self, _: &str, _: &str) -> Result<(), String> {
        Err("no keyring here".into())
    }
    fn get(&self, _: &str) -> Result<Option<String>, String> {
        Err("no keyring here".into())
    }
    fn delete(&self, _: &str) -> Result<(), String> {
        Err("no keyring here".into())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_signed_server_is_trusted_by_its_fingerprint_and_only_that() {
    let sim = Sim::new(USER, PASSWORD);
    let server = FakeServer::start_tls(move |request| sim.handle(request)).await;
    let dir = tempfile::tempdir().unwrap();
    let settings_path = dir.path().join("settings.json");
    let config = lyrebird_core::PlayerConfig {
        settings_path: Some(settings_path.clone()),
        ..lyrebird_core::PlayerConfig::default()
    };
    let (audio, _audio_rx) = tokio::sync::mpsc::unbounded_channel();
    let (_audio_events, audio_events) = tokio::sync::mpsc::unbounded_channel();
    let (player, _events, actor) = lyrebird_core::Player::new(config, audio, audio_events);
    tokio::spawn(actor);
    let servers = ServersHandle::new(
        player.clone(),
        SecretStore::new(dir.path(), Some(Arc::new(NoKeyring))),
    );
    let input = ServerInput {
        name: "NAS".into(),
        base_url: server.base_url(),
        user: USER.into(),
        secret: Some(PASSWORD.into()),
        enabled: true,
        ..ServerInput::default()
    };
    let fingerprint: CertificatePin = SERVER_FINGERPRINT.parse().unwrap();

    // Nobody vouches for it: the test says so and shows its fingerprint; nothing was sent.
    let ServerTest::Failed {
        reason,
        presented_certificate,
    } = servers.test(input.clone()).await
    else {
        panic!("a self-signed certificate passed");
    };
    assert!(reason.contains("not trusted"), "{reason}");
    assert_eq!(presented_certificate, Some(fingerprint));
    assert!(server.requests().is_empty(), "a request got through");

    // Trusted: it signs in, and is saved with the pin.
    let trusted = ServerInput {
        certificate_pin: Some(fingerprint),
        ..input.clone()
    };
    assert!(
        matches!(servers.test(trusted.clone()).await, ServerTest::Ok { .. }),
        "the trusted certificate was refused"
    );
    assert!(!server.requests().is_empty());
    let saved = servers.save(trusted.clone()).await.unwrap();
    assert_eq!(saved.certificate_pin, Some(fingerprint));

    // Another pin for the saved server (what a compromised form or a careless click would
    // send): the stored password is neither sent nor kept for it.
    let other = CertificatePin::of_certificate(b"someone else's certificate");
    let sent_before = server.requests().len();
    let repinned = ServerInput {
        id: saved.id.clone(),
        secret: None,
        certificate_pin: Some(other),
        ..input.clone()
    };
    let ServerTest::Failed {
        reason,
        presented_certificate,
    } = servers.test(repinned.clone()).await
    else {
        panic!("the stored password went to a newly trusted certificate");
    };
    assert!(reason.contains("enter the password"), "{reason}");
    // The server presents its own, not the one pinned: named, as a changed certificate is.
    assert_eq!(presented_certificate, Some(fingerprint));
    let refused = servers.save(repinned).await.unwrap_err();
    assert!(refused.contains("trusted certificate changed"), "{refused}");
    assert_eq!(
        server.requests().len(),
        sent_before,
        "a request got through"
    );

    // With the password typed, a pin to another certificate fails the handshake and names
    // what the server presented.
    let ServerTest::Failed {
        reason,
        presented_certificate,
    } = servers
        .test(ServerInput {
            id: saved.id.clone(),
            certificate_pin: Some(other),
            ..input
        })
        .await
    else {
        panic!("a certificate other than the trusted one passed");
    };
    assert!(reason.contains("not the one you trusted"), "{reason}");
    assert_eq!(presented_certificate, Some(fingerprint));
    assert_eq!(
        server.requests().len(),
        sent_before,
        "a request got through"
    );

    player.shutdown().await.unwrap();
    let text = std::fs::read_to_string(&settings_path).unwrap();
    assert!(text.contains(SERVER_FINGERPRINT), "{text}");
}
