//! weapi, the web player's scheme.
//!
//! The JSON is AES-128-CBC encrypted (PKCS#7, IV `0102030405060708`) with a fixed key, the
//! base64 of that is encrypted again with a fresh 16-character base62 secret key, and the
//! base64 of the result is the `params` form field. The secret key, reversed, is encrypted
//! with textbook RSA (no padding, e = 65537, a 1024-bit modulus) and sent as `encSecKey`, 256
//! lower-case hex digits. Raw RSA is deterministic, so the same secret key always gives the
//! same `encSecKey`.

use num_bigint::BigUint;

use super::{Entropy, aes128_cbc_decrypt, aes128_cbc_encrypt, decode_base64, encode_base64};
use crate::NeteaseError;

const PRESET_KEY: &[u8; 16] = b"0CoJUm6Qyw8W8jud";
const IV: &[u8; 16] = b"0102030405060708";
const BASE62: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// The modulus of the web player's RSA public key, big-endian hex.
const MODULUS_HEX: &str = "e0b509f6259df8642dbc35662901477df22677ec152b5ff68ace615bb7b725152b3ab17a876aea8a5aa76d2e417629ec4ee341f56135fccf695280104e0312ecbda92557c93870114af6c9d05c4f7f0c3685b7a46bee255932575cce10b424d813cfe4875d3e82047b97ddef52741d546b8e289dc6935b3ece0462db0a22b8e7";
const EXPONENT: u32 = 65_537;

/// The form fields of a weapi request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeapiForm {
    pub params: String,
    pub enc_sec_key: String,
}

impl WeapiForm {
    /// `(name, value)` pairs for the form body.
    #[must_use]
    pub fn fields(&self) -> [(&'static str, &str); 2] {
        [("params", &self.params), ("encSecKey", &self.enc_sec_key)]
    }
}

/// The RSA public key (e = 65537, a 1024-bit modulus) that hides weapi's secret key: NetEase's
/// web player's by default. Another one is for tests only: an emulator with a key pair of its
/// own can then open every weapi request (see [`crate::ApiHosts::from_env`]).
#[derive(Clone, PartialEq, Eq)]
pub struct WeapiPublicKey {
    modulus: BigUint,
}

impl Default for WeapiPublicKey {
    fn default() -> Self {
        Self {
            modulus: BigUint::parse_bytes(MODULUS_HEX.as_bytes(), 16)
                .expect("the modulus constant is hex"),
        }
    }
}

impl std::fmt::Debug for WeapiPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_netease() {
            f.write_str("WeapiPublicKey(NetEase)")
        } else {
            write!(f, "WeapiPublicKey({:x})", self.modulus)
        }
    }
}

impl WeapiPublicKey {
    /// A key by its modulus, big-endian hex: 1024 bits (so `encSecKey` stays 256 hex
    /// digits, as NetEase's servers expect), odd.
    pub fn from_modulus_hex(hex: &str) -> Result<Self, NeteaseError> {
        let bad = |reason: &str| NeteaseError::InvalidWeapiKey(reason.to_owned());
        let hex = hex.trim();
        let hex = hex
            .strip_prefix("0x")
            .or_else(|| hex.strip_prefix("0X"))
            .unwrap_or(hex);
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("the modulus is not hex"));
        }
        let modulus = BigUint::parse_bytes(hex.as_bytes(), 16).ok_or_else(|| bad("not hex"))?;
        if modulus.bits() != 1024 {
            return Err(bad("the modulus is not 1024 bits long"));
        }
        if !modulus.bit(0) {
            return Err(bad("the modulus is even"));
        }
        Ok(Self { modulus })
    }

    /// Whether this is NetEase's own key.
    #[must_use]
    pub fn is_netease(&self) -> bool {
        *self == Self::default()
    }

    /// The modulus, lower-case hex.
    #[must_use]
    pub fn modulus_hex(&self) -> String {
        format!("{:x}", self.modulus)
    }
}

/// Encrypts `json` with a fresh secret key, hidden with NetEase's public key.
pub fn encrypt(json: &str, entropy: &mut dyn Entropy) -> Result<WeapiForm, NeteaseError> {
    encrypt_for(json, entropy, &WeapiPublicKey::default())
}

/// Encrypts `json` with a fresh secret key, hidden with `key`.
pub fn encrypt_for(
    json: &str,
    entropy: &mut dyn Entropy,
    key: &WeapiPublicKey,
) -> Result<WeapiForm, NeteaseError> {
    let chars = super::random_chars(entropy, BASE62, 16)?;
    let mut secret = [0u8; 16];
    secret.copy_from_slice(&chars);
    Ok(encrypt_with_secret_for(json, &secret, key))
}

/// Encrypts `json` with the given 16-byte secret key (normally 16 base62 characters).
#[must_use]
pub fn encrypt_with_secret(json: &str, secret: &[u8; 16]) -> WeapiForm {
    encrypt_with_secret_for(json, secret, &WeapiPublicKey::default())
}

/// [`encrypt_with_secret`], the secret hidden with `key`.
#[must_use]
pub fn encrypt_with_secret_for(json: &str, secret: &[u8; 16], key: &WeapiPublicKey) -> WeapiForm {
    let inner = encode_base64(&aes128_cbc_encrypt(PRESET_KEY, IV, json.as_bytes()));
    let params = encode_base64(&aes128_cbc_encrypt(secret, IV, inner.as_bytes()));
    WeapiForm {
        params,
        enc_sec_key: rsa_encrypt_reversed(secret, key),
    }
}

/// Decrypts `params` given the secret key it was made with (the server side of
/// [`encrypt_with_secret`]; the RSA half cannot be undone without NetEase's private key).
pub fn decrypt_with_secret(params: &str, secret: &[u8; 16]) -> Result<String, NeteaseError> {
    let outer = aes128_cbc_decrypt("weapi", secret, IV, &decode_base64("weapi", params)?)?;
    let inner =
        String::from_utf8(outer).map_err(|_| NeteaseError::decrypt("weapi", "not UTF-8"))?;
    let json = aes128_cbc_decrypt("weapi", PRESET_KEY, IV, &decode_base64("weapi", &inner)?)?;
    String::from_utf8(json).map_err(|_| NeteaseError::decrypt("weapi", "not UTF-8"))
}

fn rsa_encrypt_reversed(secret: &[u8; 16], key: &WeapiPublicKey) -> String {
    let mut reversed = *secret;
    reversed.reverse();
    let c = BigUint::from_bytes_be(&reversed).modpow(&BigUint::from(EXPONENT), &key.modulus);
    format!("{c:0>256x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::ReplayEntropy;

    const SECRET: &[u8; 16] = b"abcdefghijklmnop";

    #[test]
    fn known_answer() {
        let form = encrypt_with_secret(r#"{"id":"1","csrf_token":""}"#, SECRET);
        assert_eq!(form.params, KAT_PARAMS);
        assert_eq!(form.enc_sec_key, KAT_ENC_SEC_KEY);
        assert_eq!(form.enc_sec_key.len(), 256);
    }

    #[test]
    fn roundtrip() {
        let json = r#"{"s":"周杰伦 & co","limit":30}"#;
        let form = encrypt_with_secret(json, SECRET);
        assert_eq!(decrypt_with_secret(&form.params, SECRET).unwrap(), json);
        assert!(decrypt_with_secret(&form.params, b"0000000000000000").is_err());
    }

    #[test]
    fn the_secret_comes_from_the_entropy() {
        // 0..16 map to "a".."p".
        let mut e = ReplayEntropy::new((0u8..16).collect::<Vec<_>>());
        let form = encrypt("{}", &mut e).unwrap();
        assert_eq!(form, encrypt_with_secret("{}", SECRET));
    }

    #[test]
    fn another_key_hides_the_secret_differently_and_is_checked() {
        let netease = WeapiPublicKey::default();
        assert!(netease.is_netease());
        assert_eq!(netease.modulus_hex(), MODULUS_HEX);
        // Any odd 1024-bit number will do for the shape (a real key's modulus in the tests
        // that decrypt).
        let other_hex = format!("c{}1", "0".repeat(254));
        let other = WeapiPublicKey::from_modulus_hex(&other_hex).unwrap();
        assert!(!other.is_netease());
        let form = encrypt_with_secret_for("{}", SECRET, &other);
        assert_eq!(form.params, encrypt_with_secret("{}", SECRET).params);
        assert_ne!(
            form.enc_sec_key,
            encrypt_with_secret("{}", SECRET).enc_sec_key
        );
        assert_eq!(form.enc_sec_key.len(), 256);
        for bad in ["", "xyz", "abc1", &format!("c{}0", "0".repeat(254))] {
            assert!(WeapiPublicKey::from_modulus_hex(bad).is_err(), "{bad}");
        }
        assert!(format!("{netease:?}").contains("NetEase"));
    }

    // From the npm package @neteasecloudmusicapienhanced/api 4.40.1 with the same input.
    const KAT_PARAMS: &str = "z0h0pWvwyq4TRucEtzVMtmp3AqZUq4UAq/7oFadbGec2iKWrnMHnr6Rxx4x4SCiH";
    const KAT_ENC_SEC_KEY: &str = "d15a1683c992095d0c234c19966605c5c5964911268bbeda8cb8d08d834913e59d53b32358903a121b5fca784c1f5ae44951fd02524df58ecc98e52cc7cf8689b42c2e93ddf05b0592512d87f5960467e2f086c018849d76014d323500e30f13ef4cafbb0cf5a66731a3f1776c75ca35d0062dac70a3e33245afabcf47938487";
}
