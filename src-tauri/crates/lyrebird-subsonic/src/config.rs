//! What the user tells us about a server.

use lyrebird_core::certificate::CertificatePin;
use serde::{Deserialize, Serialize};

/// A password or API key. Its `Debug` never shows it, so a logged config leaks nothing.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How the server should send audio.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Transcoding {
    /// The file as it is on the server (`format=raw`).
    #[default]
    Original,
    /// Transcoded by the server to `format` at no more than `max_bit_rate_kbps`.
    Transcode {
        max_bit_rate_kbps: u32,
        format: String,
    },
}

impl Transcoding {
    /// The quality part of a cache key: a different quality is a different file.
    #[must_use]
    pub fn cache_label(&self) -> String {
        match self {
            Self::Original => "original".to_owned(),
            Self::Transcode {
                max_bit_rate_kbps,
                format,
            } => format!("{format}-{max_bit_rate_kbps}"),
        }
    }
}

/// One Subsonic/OpenSubsonic server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerConfig {
    /// Where the server lives, e.g. `https://music.example.org/navidrome` (without `/rest`).
    pub base_url: String,
    pub user: String,
    /// For token authentication (and the legacy password method, if allowed below).
    pub password: Option<Secret>,
    /// An OpenSubsonic API key, used when the server advertises `apiKeyAuthentication`.
    pub api_key: Option<Secret>,
    /// Accept exactly this certificate, whoever issued it (a home server's self-signed one the
    /// user trusted), and no other. `None`: verified by the system's authorities.
    #[serde(default)]
    pub certificate_pin: Option<CertificatePin>,
    /// Send the password itself (`p=enc:<hex>`) to a server that refuses tokens (supysonic,
    /// LDAP users). Off unless the user turns it on for this server, and even then refused over
    /// plain `http://` to anything but this computer: hex is an encoding, not a protection.
    #[serde(default)]
    pub legacy_password_auth: bool,
    #[serde(default)]
    pub transcoding: Transcoding,
}

impl ServerConfig {
    /// A server reached with a password, certificates verified, original files.
    #[must_use]
    pub fn with_password(
        base_url: impl Into<String>,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Self {
            base_url: base_url.into(),
            user: user.into(),
            password: Some(Secret::new(password)),
            api_key: None,
            certificate_pin: None,
            legacy_password_auth: false,
            transcoding: Transcoding::Original,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let mut config = ServerConfig::with_password("https://h", "ann", "hunter2");
        config.api_key = Some(Secret::new("key-42"));
        let text = format!("{config:?}");
        assert!(
            !text.contains("hunter2") && !text.contains("key-42"),
            "{text}"
        );
        assert!(text.contains("<redacted>"), "{text}");
    }

    #[test]
    fn cache_labels_tell_qualities_apart() {
        assert_eq!(Transcoding::Original.cache_label(), "original");
        let mp3 = Transcoding::Transcode {
            max_bit_rate_kbps: 192,
            format: "mp3".into(),
        };
        assert_eq!(mp3.cache_label(), "mp3-192");
    }
}
