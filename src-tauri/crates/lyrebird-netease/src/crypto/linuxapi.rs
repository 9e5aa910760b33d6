//! linuxapi, the old Linux client's scheme.
//!
//! Every request goes to `/api/linux/forward` with one form field, `eparams`: AES-128-ECB
//! (PKCS#7, fixed key) of `{"method":"POST","url":"<base>/api/<p>","params":{…}}`, as
//! upper-case hex. Nothing in it is random. No endpoint of the npm package 4.40.1 uses it any
//! more; it is kept because some endpoints still answer to it.

use serde::Serialize;

use super::{aes_ecb_decrypt, aes_ecb_encrypt, decode_hex};
use crate::{NeteaseError, Params};

const KEY: &[u8; 16] = b"rFgB&h#%2?^eDg:Q";

/// The form field of a linuxapi request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinuxapiForm {
    pub eparams: String,
}

impl LinuxapiForm {
    #[must_use]
    pub fn fields(&self) -> [(&'static str, &str); 1] {
        [("eparams", &self.eparams)]
    }
}

#[derive(Serialize)]
struct Forward<'a> {
    method: &'a str,
    url: &'a str,
    params: &'a Params,
}

/// Encrypts a forwarded POST of `params` to `url` (the full `https://…/api/…` address).
#[must_use]
pub fn encrypt(url: &str, params: &Params) -> LinuxapiForm {
    let json = serde_json::to_string(&Forward {
        method: "POST",
        url,
        params,
    })
    .expect("a JSON value always serialises");
    let ct = aes_ecb_encrypt(KEY, json.as_bytes()).expect("the linuxapi key is 16 bytes");
    LinuxapiForm {
        eparams: hex::encode_upper(ct),
    }
}

/// Decrypts `eparams` back to its JSON text.
pub fn decrypt(eparams_hex: &str) -> Result<String, NeteaseError> {
    let plain = aes_ecb_decrypt("linuxapi", KEY, &decode_hex("linuxapi", eparams_hex)?)?;
    String::from_utf8(plain).map_err(|_| NeteaseError::decrypt("linuxapi", "not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answer_and_roundtrip() {
        let params = Params::new().with("id", "347230").with("e_r", false);
        let form = encrypt("https://music.163.com/api/song/detail", &params);
        assert_eq!(form.eparams, KAT_EPARAMS);
        assert_eq!(
            decrypt(&form.eparams).unwrap(),
            r#"{"method":"POST","url":"https://music.163.com/api/song/detail","params":{"id":"347230","e_r":false}}"#
        );
    }

    // From the npm package @neteasecloudmusicapienhanced/api 4.40.1 with the same input.
    const KAT_EPARAMS: &str = "A0D9583F4C5FF68DE851D2893A49DE98FAFB24399F27B4F7E74C64B6FC49A965CFA972FA5EA3D6247CD6247C8198CB8724902E133AF06ABB1602F129E968462DAF31B0741EB747879EEF56DE6AC59F7CB3BB0E83487D3CACCA52497D96AC6212BB9EC57222A524EA56F2FF9519A78127";
}
