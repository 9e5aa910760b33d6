//! xeapi, the Android client's scheme (the npm package uses it for `song_url_v1`, `like_v1`,
//! comments, anonymous registration and a few VIP endpoints).
//!
//! **The server's key.** Before the first xeapi request the client asks
//! `/api/gorilla/anti/crawler/security/key/get` (a plain form POST, see [`key_request`]) for
//! the server's X25519 public key. The reply's `data.signature` must equal
//! HMAC-SHA256(sign key, `timestamp + nonce`) for the nonce the client sent, and its
//! `data.encryptedData` is AES-256-ECB (fixed static key) of `{"publicKey","version","sk",…}`
//! ([`ServerKey`]).
//!
//! **A request** to `/xeapi/<p>` sends three base64 form fields:
//! - `B`, the body. The plaintext is a JSON envelope of the HTTP request
//!   (`{"body": base64(form), "queryString": "e_r=true"}`), AES-256-ECB encrypted with the
//!   static key, then masked (XOR with 16 random bytes, base64, rotated left by
//!   `mask[0] & 15` characters, the mask prepended), then AES-ECB encrypted with the dynamic
//!   key: 16 random bytes, or the session key once the server has handed one out.
//! - `S`, the dynamic key for the server: an ephemeral X25519 key pair meets the server's
//!   public key; HKDF-SHA256 (zero salt, info = the ephemeral public key) gives a 16-byte
//!   AES-128-GCM key that seals `base64(dynamic key)|os|sk`. `S` = ephemeral public key (32)
//!   ‖ IV (12) ‖ ciphertext ‖ tag (16).
//! - `R`, AES-256-ECB (static key) of `version|session id` (the id empty without a session).
//!
//! **A reply** is always encrypted like an eapi reply (and gzipped when it starts with the
//! gzip magic). When it carries `x-encr-ssid` and `x-encr-sskey` headers, later requests use
//! that [`Session`]: the key becomes the dynamic key and the id goes into `R`.

use std::fmt;

use aes_gcm::aead::Aead;
use aes_gcm::{Aes128Gcm, KeyInit as _, Nonce};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};

use super::{
    Entropy, aes_ecb_decrypt, aes_ecb_encrypt, decode_base64, encode_base64, random_array,
    random_chars,
};
use crate::{NeteaseError, Params};

const STATIC_KEY: [u8; 32] = [
    0xab, 0x1d, 0x5a, 0x43, 0x0f, 0x6b, 0xb0, 0x4a, 0x3f, 0x01, 0xe8, 0x1d, 0xdd, 0x72, 0xbd, 0x91,
    0x6d, 0x5c, 0xe5, 0x91, 0x24, 0x8a, 0xc1, 0x28, 0x71, 0x48, 0x06, 0xd7, 0xf8, 0xfb, 0x1b, 0x84,
];
/// Used as the HMAC key as it stands (the ASCII text, not its base64 decoding).
const SIGN_KEY: &[u8] =
    b"mUHCwVNWJbunMqAHf5MImuirT6plvs6VSFW62MGHstFQxhBGdEoIhLItH3djc4+FB/OKty3+lL2rGeoFBpVe5g==";

/// Where the server's public key comes from (a plain `api` POST to the API host).
pub const KEY_PATH: &str = "/api/gorilla/anti/crawler/security/key/get";
/// The Android app version the key request claims.
pub const KEY_APP_VERSION: &str = "9.5.61";

/// The server's X25519 key state, from [`KEY_PATH`]. Keep it (it is serialisable) and send
/// its `version` back as `currentKeyVersion` when refreshing it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerKey {
    /// The raw 32-byte X25519 public key, base64.
    #[serde(rename = "publicKey")]
    pub public_key: String,
    #[serde(deserialize_with = "string_or_number")]
    pub version: String,
    /// An opaque server token sealed into every request's `S` (a refresh may leave it out,
    /// and then the previous one stays).
    #[serde(default)]
    pub sk: String,
}

impl fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerKey")
            .field("public_key", &self.public_key)
            .field("version", &self.version)
            .field("sk", &"<redacted>")
            .finish()
    }
}

impl ServerKey {
    pub fn public_key_bytes(&self) -> Result<[u8; 32], NeteaseError> {
        decode_base64("xeapi", &self.public_key)?
            .try_into()
            .map_err(|_| NeteaseError::decrypt("xeapi", "the server key is not 32 bytes"))
    }
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// A session the server handed out in `x-encr-ssid` / `x-encr-sskey` reply headers.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    key: String,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl Session {
    /// The response header names that rotate the session.
    pub const ID_HEADER: &'static str = "x-encr-ssid";
    pub const KEY_HEADER: &'static str = "x-encr-sskey";

    /// A session from its two header values; the key's bytes are used as an AES key, so it
    /// must be 16, 24 or 32 bytes long.
    pub fn new(id: impl Into<String>, key: impl Into<String>) -> Result<Self, NeteaseError> {
        let key = key.into();
        match key.len() {
            16 | 24 | 32 => Ok(Self { id: id.into(), key }),
            len => Err(NeteaseError::BadSessionKey { len }),
        }
    }
}

/// The random material of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Material {
    /// The dynamic key when there is no session.
    pub dynamic_key: [u8; 16],
    /// The XOR mask of the body (its first byte also sets the rotation).
    pub mask: [u8; 16],
    /// The ephemeral X25519 secret.
    pub ephemeral_secret: [u8; 32],
    /// The AES-GCM IV.
    pub iv: [u8; 12],
}

impl Material {
    pub fn generate(entropy: &mut dyn Entropy) -> Result<Self, NeteaseError> {
        Ok(Self {
            dynamic_key: random_array(entropy)?,
            mask: random_array(entropy)?,
            ephemeral_secret: random_array(entropy)?,
            iv: random_array(entropy)?,
        })
    }
}

/// The form fields of an xeapi request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XeapiForm {
    pub b: String,
    pub s: String,
    pub r: String,
}

impl XeapiForm {
    #[must_use]
    pub fn fields(&self) -> [(&'static str, &str); 3] {
        [("B", &self.b), ("S", &self.s), ("R", &self.r)]
    }
}

/// The JSON envelope `B` carries for a POST form to `uri` (`/api/...`, maybe with a query).
/// `e_r` is dropped from the form: the envelope always asks for an encrypted reply.
#[must_use]
pub fn envelope(uri: &str, params: &Params) -> String {
    let query = uri
        .split_once('?')
        .map(|(_, q)| q.split_once('#').map_or(q, |(q, _)| q))
        .filter(|q| !q.is_empty());
    let mut form = params.clone();
    form.remove("e_r");
    let body = encode_base64(form.to_form().as_bytes());
    // Field order as the npm package writes it: a query from the URI comes first.
    let fields = match query {
        Some(q) => Params::new()
            .with("queryString", format!("{q}&e_r=true"))
            .with("body", body),
        None => Params::new()
            .with("body", body)
            .with("queryString", "e_r=true"),
    };
    fields.to_json()
}

/// Encrypts a request with fresh random material.
pub fn encrypt(
    uri: &str,
    params: &Params,
    os: &str,
    key: &ServerKey,
    session: Option<&Session>,
    entropy: &mut dyn Entropy,
) -> Result<XeapiForm, NeteaseError> {
    encrypt_with(uri, params, os, key, session, &Material::generate(entropy)?)
}

/// Encrypts a request with the given random material.
pub fn encrypt_with(
    uri: &str,
    params: &Params,
    os: &str,
    key: &ServerKey,
    session: Option<&Session>,
    material: &Material,
) -> Result<XeapiForm, NeteaseError> {
    let dynamic_key: &[u8] = session.map_or(&material.dynamic_key, |s| s.key.as_bytes());
    let inner = aes_ecb_encrypt(&STATIC_KEY, envelope(uri, params).as_bytes())?;
    let b = aes_ecb_encrypt(dynamic_key, &mask(&inner, &material.mask))?;

    let peer = PublicKey::from(key.public_key_bytes()?);
    let secret = StaticSecret::from(material.ephemeral_secret);
    let ephemeral = PublicKey::from(&secret);
    let aes_key = derive_key(
        secret.diffie_hellman(&peer).as_bytes(),
        ephemeral.as_bytes(),
    );
    let sealed = Aes128Gcm::new(&aes_key.into())
        .encrypt(
            &Nonce::from(material.iv),
            format!("{}|{os}|{}", encode_base64(dynamic_key), key.sk).as_bytes(),
        )
        .map_err(|_| NeteaseError::decrypt("xeapi", "AES-GCM refused the message"))?;
    let mut s = Vec::with_capacity(32 + 12 + sealed.len());
    s.extend_from_slice(ephemeral.as_bytes());
    s.extend_from_slice(&material.iv);
    s.extend_from_slice(&sealed);

    let session_id = session.map_or("", |s| s.id.as_str());
    let r = aes_ecb_encrypt(
        &STATIC_KEY,
        format!("{}|{session_id}", key.version).as_bytes(),
    )?;
    Ok(XeapiForm {
        b: encode_base64(&b),
        s: encode_base64(&s),
        r: encode_base64(&r),
    })
}

fn derive_key(shared: &[u8; 32], ephemeral_public: &[u8; 32]) -> [u8; 16] {
    let mut key = [0; 16];
    hkdf::Hkdf::<Sha256>::new(Some(&[0; 32]), shared)
        .expand(ephemeral_public, &mut key)
        .expect("16 bytes is a valid HKDF-SHA256 length");
    key
}

fn mask(data: &[u8], mask: &[u8; 16]) -> Vec<u8> {
    let xored: Vec<u8> = data
        .iter()
        .zip(mask.iter().cycle())
        .map(|(d, m)| d ^ m)
        .collect();
    let b64 = encode_base64(&xored).into_bytes();
    let rot = if b64.is_empty() {
        0
    } else {
        usize::from(mask[0] & 0x0f) % b64.len()
    };
    let mut out = Vec::with_capacity(16 + b64.len());
    out.extend_from_slice(mask);
    out.extend_from_slice(&b64[rot..]);
    out.extend_from_slice(&b64[..rot]);
    out
}

fn unmask(masked: &[u8]) -> Result<Vec<u8>, NeteaseError> {
    let bad = || NeteaseError::decrypt("xeapi", "bad body mask");
    let (mask, rotated) = masked.split_at_checked(16).ok_or_else(bad)?;
    let rot = if rotated.is_empty() {
        0
    } else {
        usize::from(mask[0] & 0x0f) % rotated.len()
    };
    let split = rotated.len() - rot;
    let mut b64 = rotated[split..].to_vec();
    b64.extend_from_slice(&rotated[..split]);
    let text = std::str::from_utf8(&b64).map_err(|_| bad())?;
    let xored = decode_base64("xeapi", text)?;
    Ok(xored
        .iter()
        .zip(mask.iter().cycle())
        .map(|(d, m)| d ^ m)
        .collect())
}

/// A request opened with the server's secret key: what the server sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedRequest {
    pub envelope: String,
    pub dynamic_key: Vec<u8>,
    pub os: String,
    pub sk: String,
    pub version: String,
    pub session_id: String,
}

/// The server side of [`encrypt`], for fake servers and tests: opens a request given the
/// secret half of the [`ServerKey`].
pub fn open(form: &XeapiForm, server_secret: &[u8; 32]) -> Result<OpenedRequest, NeteaseError> {
    let bad = |what: &str| NeteaseError::decrypt("xeapi", what);
    let s = decode_base64("xeapi", &form.s)?;
    if s.len() < 32 + 12 + 16 {
        return Err(bad("S is too short"));
    }
    let ephemeral: [u8; 32] = s[..32].try_into().map_err(|_| bad("S"))?;
    let iv: [u8; 12] = s[32..44].try_into().map_err(|_| bad("S"))?;
    let shared = StaticSecret::from(*server_secret).diffie_hellman(&PublicKey::from(ephemeral));
    let aes_key = derive_key(shared.as_bytes(), &ephemeral);
    let sealed = Aes128Gcm::new(&aes_key.into())
        .decrypt(&Nonce::from(iv), &s[44..])
        .map_err(|_| bad("S does not authenticate"))?;
    let sealed = String::from_utf8(sealed).map_err(|_| bad("S is not UTF-8"))?;
    let mut parts = sealed.splitn(3, '|');
    let (Some(key_b64), Some(os), Some(sk)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("S has fewer than three parts"));
    };
    let dynamic_key = decode_base64("xeapi", key_b64)?;

    let masked = aes_ecb_decrypt("xeapi", &dynamic_key, &decode_base64("xeapi", &form.b)?)?;
    let envelope = aes_ecb_decrypt("xeapi", &STATIC_KEY, &unmask(&masked)?)?;
    let envelope = String::from_utf8(envelope).map_err(|_| bad("B is not UTF-8"))?;

    let r = aes_ecb_decrypt("xeapi", &STATIC_KEY, &decode_base64("xeapi", &form.r)?)?;
    let r = String::from_utf8(r).map_err(|_| bad("R is not UTF-8"))?;
    let (version, session_id) = r.split_once('|').ok_or_else(|| bad("R has no separator"))?;
    Ok(OpenedRequest {
        envelope,
        dynamic_key,
        os: os.to_owned(),
        sk: sk.to_owned(),
        version: version.to_owned(),
        session_id: session_id.to_owned(),
    })
}

/// Decrypts a reply body (eapi encryption, gunzipped when compressed) to its JSON text.
pub fn decrypt_response(body: &[u8]) -> Result<Vec<u8>, NeteaseError> {
    super::eapi::decrypt_response(body)
}

/// The signature of the key exchange: base64 HMAC-SHA256 of `timestamp + nonce`.
#[must_use]
pub fn sign(timestamp: &str, nonce: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SIGN_KEY).expect("HMAC takes any key length");
    mac.update(timestamp.as_bytes());
    mac.update(nonce.as_bytes());
    encode_base64(&mac.finalize().into_bytes())
}

/// A fresh key-request nonce: 16 decimal digits.
pub fn key_nonce(entropy: &mut dyn Entropy) -> Result<String, NeteaseError> {
    let digits = random_chars(entropy, b"0123456789", 16)?;
    Ok(String::from_utf8(digits).expect("digits are ASCII"))
}

/// The form of a key request ([`KEY_PATH`]), in the npm package's field order.
#[must_use]
pub fn key_request(
    device_id: &str,
    current_version: &str,
    timestamp_ms: u64,
    nonce: &str,
) -> Params {
    let timestamp = timestamp_ms.to_string();
    Params::new()
        .with("appVersion", KEY_APP_VERSION)
        .with("currentKeyVersion", current_version)
        .with("deviceId", device_id)
        .with("nonce", nonce)
        .with("os", "android")
        .with("requestType", "active")
        .with("signature", sign(&timestamp, nonce))
        .with("t1", "")
        .with("t2", "")
        .with("timestamp", timestamp)
        .with("uid", "")
}

/// Checks a key reply's code and signature against the nonce sent, and decrypts the key.
/// A reply without `sk` keeps `previous`'s (the server sends it only when it changes).
pub fn read_key_reply(
    reply: &serde_json::Value,
    nonce: &str,
    previous: Option<&ServerKey>,
) -> Result<ServerKey, NeteaseError> {
    let bad = |what: &str| NeteaseError::decrypt("xeapi", what);
    if reply.get("code").and_then(serde_json::Value::as_i64) != Some(200) {
        return Err(bad("the key request was refused"));
    }
    let data = reply
        .get("data")
        .ok_or_else(|| bad("no data in the key reply"))?;
    let encrypted = data
        .get("encryptedData")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| bad("no encryptedData in the key reply"))?;
    let timestamp = data
        .get("timestamp")
        .map(crate::params::js_string)
        .unwrap_or_default();
    let signature = data.get("signature").and_then(serde_json::Value::as_str);
    if signature != Some(sign(&timestamp, nonce).as_str()) {
        return Err(bad("the key reply's signature does not match"));
    }
    let mut key = decrypt_server_key(encrypted)?;
    if key.sk.is_empty() {
        key.sk = previous.map(|p| p.sk.clone()).unwrap_or_default();
    }
    if key.sk.is_empty() {
        return Err(bad("the key reply has no sk"));
    }
    key.public_key_bytes()?;
    Ok(key)
}

/// Decrypts `encryptedData` (base64) of a key reply.
pub fn decrypt_server_key(encrypted_b64: &str) -> Result<ServerKey, NeteaseError> {
    let json = aes_ecb_decrypt(
        "xeapi",
        &STATIC_KEY,
        &decode_base64("xeapi", encrypted_b64)?,
    )?;
    serde_json::from_slice(&json).map_err(|e| NeteaseError::decrypt("xeapi", e))
}

/// Encrypts a key JSON the way the server does (for fake servers and tests).
#[must_use]
pub fn encrypt_server_key(json: &str) -> String {
    encode_base64(
        &aes_ecb_encrypt(&STATIC_KEY, json.as_bytes()).expect("the static key is 32 bytes"),
    )
}

/// The X25519 public key of a secret, base64 (for fake servers and tests).
#[must_use]
pub fn public_key_for(secret: &[u8; 32]) -> String {
    encode_base64(PublicKey::from(&StaticSecret::from(*secret)).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER_SECRET: [u8; 32] = [0x11; 32];

    fn server_key() -> ServerKey {
        ServerKey {
            public_key: public_key_for(&SERVER_SECRET),
            version: "7".to_owned(),
            sk: "server-sk".to_owned(),
        }
    }

    fn material() -> Material {
        Material {
            dynamic_key: *b"dynamicdynamic16",
            mask: [0x2a; 16],
            ephemeral_secret: [0x22; 32],
            iv: [0x33; 12],
        }
    }

    fn params() -> Params {
        Params::new()
            .with("ids", "[186016]")
            .with("level", "exhigh")
            .with("encodeType", "flac")
            .with("e_r", true)
    }

    #[test]
    fn envelope_drops_e_r_and_orders_fields() {
        let env = envelope("/api/song/enhance/player/url/v1", &params());
        assert_eq!(
            env,
            format!(
                r#"{{"body":"{}","queryString":"e_r=true"}}"#,
                encode_base64(b"ids=%5B186016%5D&level=exhigh&encodeType=flac")
            )
        );
        let env = envelope("/api/x?a=1", &Params::new());
        assert_eq!(env, r#"{"queryString":"a=1&e_r=true","body":""}"#);
    }

    #[test]
    fn mask_roundtrip_for_every_rotation() {
        for first in 0..=255u8 {
            let mut m = [7u8; 16];
            m[0] = first;
            let data: Vec<u8> = (0..37).collect();
            assert_eq!(unmask(&mask(&data, &m)).unwrap(), data);
        }
    }

    #[test]
    fn known_answer() {
        let form = encrypt_with(
            "/api/song/enhance/player/url/v1",
            &params(),
            "android",
            &server_key(),
            None,
            &material(),
        )
        .unwrap();
        assert_eq!(form.b, KAT_B);
        assert_eq!(form.s, KAT_S);
        assert_eq!(form.r, KAT_R);
        assert_eq!(sign("1700000000000", "1234567890123456"), KAT_SIGN);
    }

    #[test]
    fn roundtrip_without_and_with_a_session() {
        let uri = "/api/song/enhance/player/url/v1";
        let form =
            encrypt_with(uri, &params(), "android", &server_key(), None, &material()).unwrap();
        let opened = open(&form, &SERVER_SECRET).unwrap();
        assert_eq!(opened.envelope, envelope(uri, &params()));
        assert_eq!(opened.dynamic_key, b"dynamicdynamic16");
        assert_eq!(
            (opened.os.as_str(), opened.sk.as_str()),
            ("android", "server-sk")
        );
        assert_eq!(
            (opened.version.as_str(), opened.session_id.as_str()),
            ("7", "")
        );

        let session = Session::new("ssid-1", "0123456789abcdef0123456789abcdef").unwrap();
        let form = encrypt_with(
            uri,
            &params(),
            "android",
            &server_key(),
            Some(&session),
            &material(),
        )
        .unwrap();
        let opened = open(&form, &SERVER_SECRET).unwrap();
        assert_eq!(opened.dynamic_key, b"0123456789abcdef0123456789abcdef");
        assert_eq!(opened.session_id, "ssid-1");
        assert!(
            open(&form, &[0x12; 32]).is_err(),
            "another server key cannot open it"
        );
    }

    #[test]
    fn session_keys_must_be_aes_keys() {
        assert_eq!(
            Session::new("a", "short"),
            Err(NeteaseError::BadSessionKey { len: 5 })
        );
        assert!(!format!("{:?}", Session::new("a", "k".repeat(16)).unwrap()).contains("kkkk"));
    }

    #[test]
    fn key_reply_is_checked_and_decrypted() {
        let nonce = "0000111122223333";
        let key_json = format!(
            r#"{{"publicKey":"{}","version":3,"sk":"s1"}}"#,
            public_key_for(&SERVER_SECRET)
        );
        let reply = serde_json::json!({
            "code": 200,
            "data": {"encryptedData": encrypt_server_key(&key_json), "timestamp": 1_700_000_000_000_u64,
                     "signature": sign("1700000000000", nonce)}
        });
        let key = read_key_reply(&reply, nonce, None).unwrap();
        assert_eq!((key.version.as_str(), key.sk.as_str()), ("3", "s1"));
        assert!(read_key_reply(&reply, "9999999999999999", None).is_err());

        let form = key_request("DEV", "2", 1_700_000_000_000, nonce);
        assert_eq!(
            form.get("signature").unwrap(),
            &serde_json::json!(sign("1700000000000", nonce))
        );
        assert_eq!(
            form.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            [
                "appVersion",
                "currentKeyVersion",
                "deviceId",
                "nonce",
                "os",
                "requestType",
                "signature",
                "t1",
                "t2",
                "timestamp",
                "uid"
            ]
        );
    }

    // From the npm package @neteasecloudmusicapienhanced/api 4.40.1 with the same input.
    const KAT_B: &str = "qzevt+IPYqC5TTmjGXEFJ51nCTsiU1ETkKWEBBIg/6A3XySjp1Fvcn3h+KVa4K+UXcM8+vk+J7WTL+BiG2IrwlKTh3C039z0r8mVZOcTnGkag4d1a494cK1l+v9jN/Fr/d+eELZmWhKi5UzkCXDLUr7CIjtwkvqena2WlTKf2JNDSKjKzdCJZfCBzbP93r+lC5gPggkHcvalZOpc1hgkxsOuuyor0q02s5jtoW7u+kc=";
    const KAT_S: &str = "D6poTtKIZ7l/Smot7l34zpdOdrcBjj8iocTPJnhXDyAzMzMzMzMzMzMzMzPam96rNtWU3G+eggb5XLcPYhWBuWvgY93RBcUzo7beyg4GHcbqolpJ2RkTRhuXH5RhOK9YFVN3Zn3t";
    const KAT_R: &str = "e/V4Ujz2MSzee8dJ2jEe9w==";
    const KAT_SIGN: &str = "AfwKXk83sQ/wAKzoswSsn7/DgRvQ6zfI4O5eOSKnkIA=";
}
