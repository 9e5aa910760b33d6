//! Who the requests say they come from: one device identity, created once and kept, and the
//! account's login cookies.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::NeteaseError;
use crate::crypto::{Entropy, random_chars};

/// The client a request claims to be; it sets the `os`, `appver`, `osver` and `channel`
/// cookies (values from the npm package 4.40.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientOs {
    /// The Windows desktop client (the npm package's default).
    #[default]
    Pc,
    Linux,
    Android,
    Iphone,
    Osx,
}

impl ClientOs {
    /// The `os` cookie.
    #[must_use]
    pub fn cookie(self) -> &'static str {
        match self {
            Self::Pc => "pc",
            Self::Linux => "linux",
            Self::Android => "android",
            Self::Iphone => "iPhone OS",
            Self::Osx => "osx",
        }
    }

    #[must_use]
    pub fn appver(self) -> &'static str {
        match self {
            Self::Pc => "3.1.17.204416",
            Self::Linux => "1.2.1.0428",
            Self::Android => "8.20.20.231215173437",
            Self::Iphone => "9.0.90",
            Self::Osx => "3.1.10.5100",
        }
    }

    #[must_use]
    pub fn osver(self) -> &'static str {
        match self {
            Self::Pc => "Microsoft-Windows-10-Professional-build-19045-64bit",
            Self::Linux => "Deepin 20.9",
            Self::Android => "14",
            Self::Iphone => "16.2",
            Self::Osx => "15.5",
        }
    }

    #[must_use]
    pub fn channel(self) -> &'static str {
        match self {
            Self::Pc | Self::Linux | Self::Osx => "netease",
            Self::Android => "xiaomi",
            Self::Iphone => "distribution",
        }
    }
}

/// The device a Lyrebird installation claims to be. Create it once with
/// [`DeviceIdentity::generate`], store it (it is serialisable) and reuse it: NetEase ties
/// logins and anonymous tokens to the device id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceIdentity {
    /// `deviceId`: 52 upper-case hex digits.
    pub device_id: String,
    /// `NMTID`: 32 hex digits.
    pub nmtid: String,
    /// `_ntes_nuid`: 64 hex digits.
    pub ntes_nuid: String,
    /// `_ntes_nnid`: `<_ntes_nuid>,<creation time in ms>`.
    pub ntes_nnid: String,
    /// `WNMCID`: six lower-case letters, the creation time in ms, `.01.0`.
    pub wnmcid: String,
    pub os: ClientOs,
    pub appver: String,
    pub osver: String,
    pub channel: String,
}

const UPPER_HEX: &[u8] = b"0123456789ABCDEF";
const LOWER_HEX: &[u8] = b"0123456789abcdef";

impl DeviceIdentity {
    /// A new identity claiming to be `os`, created at `now_ms` (Unix time in ms).
    pub fn generate(
        os: ClientOs,
        entropy: &mut dyn Entropy,
        now_ms: u64,
    ) -> Result<Self, NeteaseError> {
        let text = |entropy: &mut dyn Entropy, alphabet, len| {
            random_chars(entropy, alphabet, len)
                .map(|c| String::from_utf8(c).expect("the alphabets are ASCII"))
        };
        let device_id = text(entropy, UPPER_HEX, 52)?;
        let nmtid = text(entropy, LOWER_HEX, 32)?;
        let ntes_nuid = text(entropy, LOWER_HEX, 64)?;
        let letters = text(entropy, b"abcdefghijklmnopqrstuvwxyz", 6)?;
        Ok(Self {
            ntes_nnid: format!("{ntes_nuid},{now_ms}"),
            wnmcid: format!("{letters}.{now_ms}.01.0"),
            device_id,
            nmtid,
            ntes_nuid,
            os,
            appver: os.appver().to_owned(),
            osver: os.osver().to_owned(),
            channel: os.channel().to_owned(),
        })
    }
}

/// The account's cookies, from a login (or the anonymous registration). `Debug` hides the
/// tokens.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// `MUSIC_U`, the login token.
    pub music_u: Option<String>,
    /// `__csrf`, sent back as `csrf_token` in weapi requests.
    pub csrf: Option<String>,
    /// `MUSIC_A`, the anonymous token, sent when there is no `MUSIC_U`.
    pub music_a: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hide = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("Credentials")
            .field("music_u", &hide(&self.music_u))
            .field("csrf", &hide(&self.csrf))
            .field("music_a", &hide(&self.music_a))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::ReplayEntropy;

    #[test]
    fn generated_identity_has_the_expected_shapes_and_serialises() {
        let mut e = ReplayEntropy::new((0u8..=255).collect::<Vec<_>>());
        let id = DeviceIdentity::generate(ClientOs::Pc, &mut e, 1_700_000_000_000).unwrap();
        assert_eq!(id.device_id.len(), 52);
        assert!(id.device_id.bytes().all(|b| UPPER_HEX.contains(&b)));
        assert_eq!((id.nmtid.len(), id.ntes_nuid.len()), (32, 64));
        assert_eq!(id.ntes_nnid, format!("{},1700000000000", id.ntes_nuid));
        assert!(id.wnmcid.ends_with(".1700000000000.01.0"));
        assert_eq!(
            (id.appver.as_str(), id.channel.as_str()),
            ("3.1.17.204416", "netease")
        );
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<DeviceIdentity>(&json).unwrap(), id);
    }

    #[test]
    fn credentials_debug_hides_tokens() {
        let c = Credentials {
            music_u: Some("SECRET-U".into()),
            // `__csrf` is a session token too: with `MUSIC_U` it makes requests as the user.
            csrf: Some("SECRET-CSRF".into()),
            music_a: Some("SECRET-A".into()),
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
    }
}
