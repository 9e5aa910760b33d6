//! Certificate pinning for the servers whose user trusted one exact certificate — a home
//! server's self-signed one — instead of turning certificate checks off for them.
//!
//! The flow is trust on first use, as ssh does with host keys: "Test connection" meets a
//! certificate no authority vouches for, [`presented_certificate`] reads it without sending a
//! byte of HTTP, the user sees its SHA-256 fingerprint and trusts it, and from then on every
//! connection to that server (API calls, streams, covers) goes through
//! [`pinned_client_builder`], whose verifier accepts that certificate and nothing else. A
//! different one — renewed, or a machine in the middle — fails the handshake with
//! [`CertificateChanged`], before anything with a credential in it is sent.
//!
//! Why rustls: the app's other connections use the system's TLS library (native-tls), which
//! offers no hook to check a certificate during the handshake. Checking the certificate of a
//! response afterwards would be too late: a Subsonic request carries its credentials.
//!
//! Beside it, what else reqwest's errors are told apart by for the whole app: a TLS failure
//! ([`TlsFailure::in_chain`]) and a connection lost before a reply's head ([`Lost`], which
//! the NetEase client and the audio stream's first request try once more).

use std::fmt;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};

pub use lyrebird_core::certificate::{BadFingerprint, CertificatePin};

mod lost;
pub use lost::Lost;

/// The handshake met another certificate than the pinned one. Carries what was presented, so
/// the user can compare it with the server's and trust it if they renewed it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the server's certificate is not the one you trusted: it now presents SHA-256 {presented}")]
pub struct CertificateChanged {
    pub presented: CertificatePin,
}

/// What failed in a secure connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsFailure {
    /// A pinned server presented another certificate.
    Changed(CertificateChanged),
    /// Anything else the TLS library refused (untrusted, expired, wrong host name, not TLS),
    /// in its words.
    Refused(String),
}

impl TlsFailure {
    /// The TLS failure somewhere in `error`'s chain of causes, if it is one. reqwest wraps the
    /// handshake's error in hyper's and in `io::Error`s, whose `source` skips what they wrap,
    /// so each `io::Error` is looked inside too.
    #[must_use]
    pub fn in_chain(error: &(dyn std::error::Error + 'static)) -> Option<Self> {
        let mut next = Some(error);
        while let Some(cause) = next {
            if let Some(found) = Self::of(cause) {
                return Some(found);
            }
            // An `io::Error` may wrap another (hyper's connect error does): look inside.
            next = match cause
                .downcast_ref::<std::io::Error>()
                .and_then(std::io::Error::get_ref)
            {
                Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                None => cause.source(),
            };
        }
        None
    }

    fn of(error: &(dyn std::error::Error + 'static)) -> Option<Self> {
        if let Some(native) = error.downcast_ref::<native_tls::Error>() {
            return Some(Self::Refused(native.to_string()));
        }
        let rustls = error.downcast_ref::<rustls::Error>()?;
        if let rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(other))) =
            rustls
            && let Some(changed) = other.downcast_ref::<CertificateChanged>()
        {
            return Some(Self::Changed(changed.clone()));
        }
        Some(Self::Refused(rustls.to_string()))
    }
}

impl fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Changed(changed) => changed.fmt(f),
            Self::Refused(detail) => f.write_str(detail),
        }
    }
}

/// A redirect policy for connections that carry a server's credentials: follow redirects to
/// the same scheme, host and port only (at most 10), so a redirect cannot hand the URL's
/// credentials to another host, or to the same one in clear text.
#[must_use]
pub fn same_server_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_server = attempt.previous().first().is_some_and(|first| {
            first.scheme() == attempt.url().scheme()
                && first.host_str() == attempt.url().host_str()
                && first.port_or_known_default() == attempt.url().port_or_known_default()
        });
        if same_server && attempt.previous().len() <= 10 {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// Where every HTTP client of the app starts: its user agent, a 10 s connect timeout, and no
/// `Referer` header. reqwest sends the previous URL as the `Referer` when it follows a
/// redirect, to whatever host the redirect names; a Subsonic URL's query holds the user's
/// credentials (found by `lyrebird-audio/tests/hostile_streams.rs`: a stream redirected to
/// another host handed it the token that way). Redirect policies are set on top.
pub fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(concat!("Lyrebird/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(10))
        .referer(false)
}

/// Why a pinned client could not be made (the crypto provider offers no TLS version: not
/// expected with ring).
#[derive(Debug, thiserror::Error)]
#[error("no TLS configuration for a trusted certificate: {0}")]
pub struct PinnedClientError(#[from] rustls::Error);

/// A client builder whose connections accept exactly the certificate `pin` names, whatever its
/// host name, issuer or dates say (the user compared it and trusted it, as with an ssh host
/// key), and nothing else. The handshake's signature is still checked, so the server must hold
/// the certificate's private key. Redirects go to the same server only
/// ([`same_server_redirects`]); set timeouts on it as on any other.
pub fn pinned_client_builder(
    pin: CertificatePin,
) -> Result<reqwest::ClientBuilder, PinnedClientError> {
    let verifier = PinVerifier {
        expect: Expect::Pin(pin),
        provider: provider(),
    };
    Ok(client_builder()
        .tls_backend_preconfigured(config(verifier)?)
        .redirect(same_server_redirects()))
}

/// Why [`presented_certificate`] found no certificate.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    #[error("the address is not https://, so there is no certificate to trust")]
    NotHttps,
    #[error("no certificate was presented ({0})")]
    NoCertificate(String),
}

/// The certificate the server at `url` presents, read in a TLS handshake that is then
/// abandoned: no HTTP request (and so no credential) is sent. For "Test connection" to show the
/// fingerprint of a certificate no authority vouches for.
pub async fn presented_certificate(
    url: &str,
    timeout: Duration,
) -> Result<CertificatePin, ProbeError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| ProbeError::NoCertificate(e.to_string()))?;
    if parsed.scheme() != "https" {
        return Err(ProbeError::NotHttps);
    }
    // Only scheme, host and port: the path and query may hold credentials, and are not needed.
    let mut origin = parsed.clone();
    origin.set_path("/");
    origin.set_query(None);
    origin.set_fragment(None);
    let _ = origin.set_username("");
    let _ = origin.set_password(None);
    let (seen, presented) = mpsc::sync_channel(1);
    let verifier = PinVerifier {
        expect: Expect::Record(seen),
        provider: provider(),
    };
    let client = client_builder()
        .tls_backend_preconfigured(
            config(verifier).map_err(|e| ProbeError::NoCertificate(e.to_string()))?,
        )
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()
        .map_err(|e| ProbeError::NoCertificate(e.to_string()))?;
    // The recording verifier fails every handshake, so this never gets an answer.
    let outcome = client.get(origin).send().await;
    match presented.try_recv() {
        Ok(pin) => Ok(pin),
        Err(_) => Err(ProbeError::NoCertificate(match outcome {
            Ok(_) => "the server answered without TLS".to_owned(),
            Err(e) => lyrebird_core::errors::error_chain(&e.without_url()),
        })),
    }
}

/// ring's provider. rustls 0.23.48 deprecates it for want of post-quantum key exchange, in
/// favour of aws-lc-rs; but aws-lc-rs builds a C library with cmake for each target (the Windows
/// and macOS builds included), and these connections go to the user's own server only.
/// Revisit when ring gains ML-KEM or rustls a pure-Rust provider that has it.
#[allow(deprecated)]
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn config(verifier: PinVerifier) -> Result<rustls::ClientConfig, PinnedClientError> {
    let provider = verifier.provider.clone();
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// What the verifier accepts.
#[derive(Debug)]
enum Expect {
    /// Exactly this certificate.
    Pin(CertificatePin),
    /// Nothing: it hands the certificate it was shown to [`presented_certificate`].
    Record(mpsc::SyncSender<CertificatePin>),
}

#[derive(Debug)]
struct PinVerifier {
    expect: Expect,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = CertificatePin::of_certificate(end_entity.as_ref());
        match &self.expect {
            Expect::Pin(pin) if *pin == presented => Ok(ServerCertVerified::assertion()),
            Expect::Pin(_) => Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                OtherError(Arc::new(CertificateChanged { presented })),
            ))),
            Expect::Record(seen) => {
                let _ = seen.try_send(presented);
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::ApplicationVerificationFailure,
                ))
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
