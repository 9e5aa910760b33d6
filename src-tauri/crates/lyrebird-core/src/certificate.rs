//! The certificate a user trusted for one server (a home server's self-signed one), named by
//! its SHA-256. What is done with it at the handshake is `lyrebird-tls`'s.

use std::fmt::{self, Write as _};
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// The SHA-256 of one certificate (its DER encoding), as a user compares it: 32 bytes written
/// `AB:CD:…` in upper-case hex. Stored as that text in the settings.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CertificatePin([u8; 32]);

impl CertificatePin {
    /// The pin of a DER-encoded certificate.
    #[must_use]
    pub fn of_certificate(der: &[u8]) -> Self {
        Self(Sha256::digest(der).into())
    }

    /// `AB:CD:…:EF`, what browsers and `openssl x509 -fingerprint -sha256` show.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        let mut text = String::with_capacity(32 * 3);
        for (i, byte) in self.0.iter().enumerate() {
            if i > 0 {
                text.push(':');
            }
            let _ = write!(text, "{byte:02X}");
        }
        text
    }
}

impl fmt::Display for CertificatePin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fingerprint())
    }
}

impl fmt::Debug for CertificatePin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CertificatePin({})", self.fingerprint())
    }
}

/// Why a text is not a fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "a certificate fingerprint is 64 hexadecimal digits (SHA-256), optionally separated by ':'"
)]
pub struct BadFingerprint;

impl FromStr for CertificatePin {
    type Err = BadFingerprint;

    /// Hex digits in either case; `:` and spaces between them are ignored. Anything else, or
    /// another count than 64 digits, is refused.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut digits = text
            .chars()
            .filter(|c| *c != ':' && *c != ' ')
            .map(|c| c.to_digit(16).ok_or(BadFingerprint));
        let mut bytes = [0u8; 32];
        for byte in &mut bytes {
            let high = digits.next().ok_or(BadFingerprint)??;
            let low = digits.next().ok_or(BadFingerprint)??;
            // Two hex digits: at most 255.
            *byte = u8::try_from(high * 16 + low).map_err(|_| BadFingerprint)?;
        }
        if digits.next().is_some() {
            return Err(BadFingerprint);
        }
        Ok(Self(bytes))
    }
}

impl serde::Serialize for CertificatePin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.fingerprint())
    }
}

impl<'de> serde::Deserialize<'de> for CertificatePin {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Bounded: a fingerprint with separators is 95 characters.
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        if text.len() > 200 {
            return Err(serde::de::Error::custom(BadFingerprint));
        }
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_reads_back_in_any_common_spelling() {
        let pin = CertificatePin::of_certificate(b"not really a certificate");
        let text = pin.fingerprint();
        assert_eq!(text.len(), 95);
        assert_eq!(text.parse::<CertificatePin>(), Ok(pin));
        assert_eq!(text.to_lowercase().parse::<CertificatePin>(), Ok(pin));
        assert_eq!(text.replace(':', "").parse::<CertificatePin>(), Ok(pin));
        assert_eq!(text.replace(':', " ").parse::<CertificatePin>(), Ok(pin));
    }

    #[test]
    fn anything_but_64_hex_digits_is_refused() {
        let good = CertificatePin::of_certificate(b"x")
            .fingerprint()
            .replace(':', "");
        for bad in [
            String::new(),
            good[..62].to_owned(),
            format!("{good}00"),
            format!("{}zz", &good[..62]),
            format!("{}é", &good[..63]),
            "sha256/AAAA".to_owned(),
        ] {
            assert_eq!(bad.parse::<CertificatePin>(), Err(BadFingerprint), "{bad}");
        }
    }

    #[test]
    fn it_is_stored_as_its_fingerprint() {
        let pin = CertificatePin::of_certificate(b"x");
        let json = serde_json::to_string(&pin).unwrap();
        assert_eq!(json, format!("\"{}\"", pin.fingerprint()));
        assert_eq!(serde_json::from_str::<CertificatePin>(&json).unwrap(), pin);
        assert!(serde_json::from_str::<CertificatePin>("\"00\"").is_err());
        assert!(
            serde_json::from_str::<CertificatePin>(&format!("\"{}\"", "0".repeat(10_000))).is_err()
        );
    }
}
