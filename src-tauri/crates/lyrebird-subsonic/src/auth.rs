//! How requests prove who they are. The client picks one [`Auth`] per server, once; every
//! request then builds its own parameters from it (a fresh salt each time).

use md5::{Digest, Md5};

use crate::config::Secret;

/// The authentication the server accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Auth {
    /// OpenSubsonic `apiKey=` (no user name: servers must reject `u` alongside a key).
    ApiKey(Secret),
    /// `u`, `t = md5(password + s)`, `s`: the password itself never travels.
    Token { user: String, password: Secret },
    /// `p=enc:<hex of the password>` — only for servers that refuse tokens (supysonic, LDAP
    /// users). Hex is an encoding, not a protection: HTTPS is what keeps it private.
    LegacyPassword { user: String, password: Secret },
}

impl Auth {
    /// Which kind it is, for logs and tests: never includes a secret.
    pub(crate) fn kind(&self) -> AuthKind {
        match self {
            Self::ApiKey(_) => AuthKind::ApiKey,
            Self::Token { .. } => AuthKind::Token,
            Self::LegacyPassword { .. } => AuthKind::LegacyPassword,
        }
    }

    /// The query parameters of one request.
    pub(crate) fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::ApiKey(key) => vec![("apiKey", key.expose().to_owned())],
            Self::Token { user, password } => {
                let salt = fresh_salt();
                vec![
                    ("u", user.clone()),
                    ("t", token(password.expose(), &salt)),
                    ("s", salt),
                ]
            }
            Self::LegacyPassword { user, password } => vec![
                ("u", user.clone()),
                ("p", format!("enc:{}", hex(password.expose().as_bytes()))),
            ],
        }
    }
}

/// The kind of authentication a client settled on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthKind {
    ApiKey,
    Token,
    LegacyPassword,
}

/// `md5(password + salt)` as lower-case hex, as the Subsonic API defines the token.
pub(crate) fn token(password: &str, salt: &str) -> String {
    let mut hasher = Md5::new();
    hasher.update(password.as_bytes());
    hasher.update(salt.as_bytes());
    hex(&hasher.finalize())
}

/// 16 random bytes as hex: never reused, so a captured token is good for its salt only.
fn fresh_salt() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param<'a>(params: &'a [(&str, String)], name: &str) -> Option<&'a str> {
        params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn token_is_the_md5_of_password_and_salt() {
        // The example from the Subsonic API documentation.
        assert_eq!(
            token("sesame", "c19b2d"),
            "26719a1196d2a940705a59634eb18eab"
        );
    }

    #[test]
    fn every_token_request_has_a_fresh_salt_and_no_password() {
        let auth = Auth::Token {
            user: "ann".into(),
            password: Secret::new("sesame"),
        };
        let first = auth.params();
        let second = auth.params();
        let (s1, s2) = (param(&first, "s").unwrap(), param(&second, "s").unwrap());
        assert_ne!(s1, s2);
        assert!(s1.len() >= 16);
        assert_eq!(param(&first, "t").unwrap(), token("sesame", s1));
        assert!(param(&first, "p").is_none());
        assert!(!format!("{first:?}{auth:?}").contains("sesame"));
    }

    #[test]
    fn legacy_password_is_hex_encoded() {
        let auth = Auth::LegacyPassword {
            user: "ann".into(),
            password: Secret::new("pässword"),
        };
        assert_eq!(
            param(&auth.params(), "p").unwrap(),
            "enc:70c3a47373776f7264"
        );
    }

    #[test]
    fn api_key_goes_without_a_user_name() {
        let params = Auth::ApiKey(Secret::new("k")).params();
        assert_eq!(params, vec![("apiKey", "k".to_owned())]);
    }
}
