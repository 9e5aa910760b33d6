//! eapi, the desktop clients' scheme, and the reply encryption every scheme can ask for.
//!
//! A request to `/eapi/<p>` carries one form field, `params`: AES-128-ECB (PKCS#7, fixed key)
//! of `"/api/<p>-36cd479b6b5-<json>-36cd479b6b5-<md5>"`, as upper-case hex, where `<md5>` is
//! the lower-case hex MD5 of `"nobody/api/<p>use<json>md5forencrypt"`. Nothing in it is
//! random. With `e_r: true` in the parameters the server encrypts its reply with the same
//! key (raw bytes, not hex), gzipped first when the request had `x-aeapi: true`.

use md5::{Digest, Md5};

use super::{aes_ecb_decrypt, aes_ecb_encrypt, decode_hex, maybe_gunzip};
use crate::NeteaseError;

pub(crate) const KEY: &[u8; 16] = b"e82ckenh8dichen8";
const SEPARATOR: &str = "-36cd479b6b5-";

/// The form field of an eapi request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EapiForm {
    pub params: String,
}

impl EapiForm {
    #[must_use]
    pub fn fields(&self) -> [(&'static str, &str); 1] {
        [("params", &self.params)]
    }
}

/// A decrypted eapi request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EapiRequest {
    /// The `/api/...` path the request was signed for.
    pub path: String,
    /// The JSON parameters, as sent.
    pub json: String,
}

/// The MD5 that ties an eapi request's JSON to its path.
#[must_use]
pub fn digest(path: &str, json: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(format!("nobody{path}use{json}md5forencrypt"));
    hex::encode(md5.finalize())
}

/// Encrypts `json` for `path` (the `/api/...` form of the endpoint).
#[must_use]
pub fn encrypt(path: &str, json: &str) -> EapiForm {
    let data = format!("{path}{SEPARATOR}{json}{SEPARATOR}{}", digest(path, json));
    let ct = aes_ecb_encrypt(KEY, data.as_bytes()).expect("the eapi key is 16 bytes");
    EapiForm {
        params: hex::encode_upper(ct),
    }
}

/// Decrypts a request's `params` and checks its digest.
pub fn decrypt_request(params_hex: &str) -> Result<EapiRequest, NeteaseError> {
    let plain = aes_ecb_decrypt("eapi", KEY, &decode_hex("eapi", params_hex)?)?;
    let text = String::from_utf8(plain).map_err(|_| NeteaseError::decrypt("eapi", "not UTF-8"))?;
    let (path, rest) = text
        .split_once(SEPARATOR)
        .ok_or_else(|| NeteaseError::decrypt("eapi", "no separator"))?;
    let (json, md5) = rest
        .rsplit_once(SEPARATOR)
        .ok_or_else(|| NeteaseError::decrypt("eapi", "no second separator"))?;
    if md5 != digest(path, json) {
        return Err(NeteaseError::decrypt("eapi", "digest does not match"));
    }
    Ok(EapiRequest {
        path: path.to_owned(),
        json: json.to_owned(),
    })
}

/// Decrypts an encrypted reply body (the raw bytes the server sent), gunzipping it when it
/// was compressed. The result is the reply's JSON text.
pub fn decrypt_response(body: &[u8]) -> Result<Vec<u8>, NeteaseError> {
    maybe_gunzip("eapi", aes_ecb_decrypt("eapi", KEY, body)?)
}

/// Encrypts a reply the way the server does (for fake servers in tests).
#[must_use]
pub fn encrypt_response(json: &[u8]) -> Vec<u8> {
    aes_ecb_encrypt(KEY, json).expect("the eapi key is 16 bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = "/api/song/lyric/v1";
    const JSON: &str = r#"{"id":"186016","cp":false,"e_r":false}"#;

    #[test]
    fn known_answer() {
        assert_eq!(digest(PATH, JSON), KAT_DIGEST);
        assert_eq!(encrypt(PATH, JSON).params, KAT_PARAMS);
    }

    #[test]
    fn request_roundtrip_checks_the_digest() {
        let form = encrypt(PATH, JSON);
        let req = decrypt_request(&form.params).unwrap();
        assert_eq!((req.path.as_str(), req.json.as_str()), (PATH, JSON));

        let forged = format!("{PATH}{SEPARATOR}{JSON}{SEPARATOR}{}", "0".repeat(32));
        let forged = hex::encode(aes_ecb_encrypt(KEY, forged.as_bytes()).unwrap());
        assert!(matches!(
            decrypt_request(&forged),
            Err(NeteaseError::Decrypt { .. })
        ));
        assert!(decrypt_request("zz").is_err());
    }

    #[test]
    fn response_roundtrip_plain_and_gzipped() {
        use std::io::Write;
        let reply = br#"{"code":200,"lrc":{"lyric":"[00:01.00]hi"}}"#;
        assert_eq!(decrypt_response(&encrypt_response(reply)).unwrap(), reply);

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(reply).unwrap();
        let zipped = encrypt_response(&gz.finish().unwrap());
        assert_eq!(decrypt_response(&zipped).unwrap(), reply);
        assert!(decrypt_response(&[1, 2, 3]).is_err());
    }

    // From the npm package @neteasecloudmusicapienhanced/api 4.40.1 with the same input.
    const KAT_DIGEST: &str = "42428f2e428c62bcfd1a3f574ae4f4e4";
    const KAT_PARAMS: &str = "04AE33D34A93FE3EC22DA8FA305D290AB337D0FE5F36D211DE0D338CC6AA89D0DD03BB327E4E8792B5D592510173A15FD7B1827C0DB034F9C7F91F9DC7077F51C61CD2BA645F7F925CFB111BBE1EB534FEA0DD0EC60E58125D94F7549E8AE200C3BA2EB7B6B53896D90881C3356E75A7E2057033901099A24B67BFB99D7D6980";
}
