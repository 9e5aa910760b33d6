//! What can go wrong talking to a server, worded for the person who set it up.
//!
//! No message ever carries a request URL: with Subsonic the credentials ride in the query.

use lyrebird_core::certificate::CertificatePin;
use std::error::Error as _;
use std::io;

/// Subsonic error codes the API defines and we treat specially.
pub(crate) mod code {
    pub const MISSING_PARAMETER: u32 = 10;
    pub const CLIENT_MUST_UPGRADE: u32 = 20;
    pub const SERVER_MUST_UPGRADE: u32 = 30;
    pub const WRONG_CREDENTIALS: u32 = 40;
    pub const TOKEN_AUTH_NOT_SUPPORTED: u32 = 41;
    pub const PASSWORD_AUTH_NOT_SUPPORTED: u32 = 42;
    pub const INVALID_API_KEY: u32 = 44;
    pub const NOT_FOUND: u32 = 70;
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubsonicError {
    #[error("wrong user name or password")]
    WrongCredentials,
    #[error("the server at {host} is down or unreachable ({reason})")]
    ServerDown { host: String, reason: String },
    #[error(
        "the server's certificate is not trusted ({detail}); if it is your own server with a \
         self-signed certificate, test the connection in Settings and trust its fingerprint"
    )]
    Tls { detail: String },
    #[error(
        "the server's certificate is not the one you trusted (it now presents SHA-256 \
         {presented}); if you renewed it, test the connection in Settings and trust the new one"
    )]
    CertificateChanged { presented: CertificatePin },
    #[error("the server does not support this Subsonic API version ({message}, error {code})")]
    UnsupportedVersion { code: u32, message: String },
    #[error(
        "the server sent {what} instead of Subsonic data; check the server address (it should \
         be the address of the Subsonic server itself, without /rest)"
    )]
    NotSubsonic { what: String },
    #[error("the server does not accept API keys; enter a password instead")]
    ApiKeyNotSupported,
    #[error("the server accepts only API keys; enter an API key instead of a password")]
    ApiKeyRequired,
    #[error(
        "this server only accepts the legacy password method; turn it on in the server's \
         settings if you trust the connection"
    )]
    LegacyAuthNotEnabled,
    #[error(
        "this server only accepts the legacy password method, which would send the password \
         readable by anyone on the network over plain http:// to {host}; use an https:// \
         address"
    )]
    LegacyAuthOverPlainHttp { host: String },
    #[error("no password or API key is set for this server")]
    NoCredentials,
    #[error("the server refused: {message} (Subsonic error {code})")]
    Api { code: u32, message: String },
    #[error("network error talking to {host}: {detail}")]
    Network { host: String, detail: String },
    #[error(
        "the server at {host} sent more than {limit_mib} MiB in answer to one request \
         (check that the address is a Subsonic server's)"
    )]
    ReplyTooLarge { host: String, limit_mib: usize },
    #[error("invalid server address {address:?}: {reason}")]
    InvalidAddress { address: String, reason: String },
}

/// Server messages are untrusted and may be long: a notice needs only the start.
const MAX_MESSAGE_CHARS: usize = 200;

impl SubsonicError {
    /// Maps a Subsonic `error` element.
    pub(crate) fn from_api(code: u32, message: Option<String>) -> Self {
        let message = message.map_or_else(
            || "no message".to_owned(),
            |m| m.chars().take(MAX_MESSAGE_CHARS).collect(),
        );
        match code {
            code::WRONG_CREDENTIALS | code::INVALID_API_KEY => Self::WrongCredentials,
            code::CLIENT_MUST_UPGRADE | code::SERVER_MUST_UPGRADE => {
                Self::UnsupportedVersion { code, message }
            }
            code::PASSWORD_AUTH_NOT_SUPPORTED => Self::ApiKeyRequired,
            _ => Self::Api { code, message },
        }
    }

    /// The Subsonic error code, for errors the server reported.
    #[must_use]
    pub fn api_code(&self) -> Option<u32> {
        match self {
            Self::WrongCredentials => Some(code::WRONG_CREDENTIALS),
            Self::UnsupportedVersion { code, .. } | Self::Api { code, .. } => Some(*code),
            Self::ApiKeyRequired => Some(code::PASSWORD_AUTH_NOT_SUPPORTED),
            _ => None,
        }
    }

    /// Classifies a transport error. `host` (host:port) names the server in the message.
    pub(crate) fn from_reqwest(error: reqwest::Error, host: &str) -> Self {
        // reqwest's message would otherwise include the URL, credentials and all.
        let error = error.without_url();
        let down = |reason: &str| Self::ServerDown {
            host: host.to_owned(),
            reason: reason.to_owned(),
        };
        if error.is_timeout() {
            return down("no answer in time");
        }
        match lyrebird_tls::TlsFailure::in_chain(&error) {
            Some(lyrebird_tls::TlsFailure::Changed(changed)) => {
                return Self::CertificateChanged {
                    presented: changed.presented,
                };
            }
            Some(lyrebird_tls::TlsFailure::Refused(detail)) => return Self::Tls { detail },
            None => {}
        }
        let mut source = error.source();
        while let Some(cause) = source {
            if let Some(io) = cause.downcast_ref::<io::Error>() {
                match io.kind() {
                    io::ErrorKind::ConnectionRefused => return down("connection refused"),
                    io::ErrorKind::TimedOut => return down("no answer in time"),
                    _ => {}
                }
            }
            source = cause.source();
        }
        if error.is_connect() {
            return down(&chain(&error));
        }
        Self::Network {
            host: host.to_owned(),
            detail: chain(&error),
        }
    }
}

use lyrebird_core::errors::error_chain as chain;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_clear_errors() {
        assert_eq!(
            SubsonicError::from_api(40, Some("Wrong username or password.".into())).to_string(),
            "wrong user name or password"
        );
        assert_eq!(
            SubsonicError::from_api(44, None),
            SubsonicError::WrongCredentials
        );
        assert!(matches!(
            SubsonicError::from_api(30, Some("Server must upgrade".into())),
            SubsonicError::UnsupportedVersion { code: 30, .. }
        ));
        let other = SubsonicError::from_api(70, Some("x".repeat(1000)));
        assert_eq!(other.api_code(), Some(70));
        assert!(other.to_string().len() < 300, "{other}");
    }
}
