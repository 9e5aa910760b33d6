//! The four request encryptions NetEase's servers accept, and the decryptions of what they
//! send back.
//!
//! | scheme | used by | request body | reply |
//! | --- | --- | --- | --- |
//! | [`weapi`] | the web player (`/weapi/…`) | `params` (AES-128-CBC twice, base64) + `encSecKey` (raw RSA) | plain JSON, or eapi-encrypted with `e_r` |
//! | [`eapi`] | the desktop clients (`/eapi/…`) | `params`: AES-128-ECB of `path-36cd479b6b5-json-36cd479b6b5-md5`, upper-case hex | plain JSON, or eapi-encrypted with `e_r` |
//! | [`linuxapi`] | the old Linux client (`/api/linux/forward`) | `eparams`: AES-128-ECB of `{method,url,params}`, upper-case hex | plain JSON |
//! | [`xeapi`] | the Android client (`/xeapi/…`) | `B`, `S`, `R`: X25519 + HKDF + AES-128-GCM key wrap, AES-ECB body | always eapi-encrypted, maybe gzipped |
//!
//! Every function that needs randomness takes an [`Entropy`], so tests can replay fixed
//! bytes; [`OsEntropy`] is the operating system's random source. Each scheme also has a
//! variant that takes its random material explicitly, which the known-answer tests use.

pub mod eapi;
pub mod linuxapi;
pub mod weapi;
pub mod xeapi;

use std::io::Read;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyInit};

use crate::MAX_REPLY_BYTES;
use crate::NeteaseError;

/// A source of random bytes.
pub trait Entropy {
    /// Fills `buf` with random bytes.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), NeteaseError>;
}

/// The operating system's random source.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), NeteaseError> {
        getrandom::fill(buf).map_err(|e| NeteaseError::Random(e.to_string()))
    }
}

/// Hands out the given bytes in order, starting again from the first when they run out.
/// For tests: the same bytes give the same ciphertexts.
#[derive(Clone, Debug)]
pub struct ReplayEntropy {
    bytes: Vec<u8>,
    at: usize,
}

impl ReplayEntropy {
    /// # Panics
    /// If `bytes` is empty.
    #[must_use]
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        let bytes = bytes.into();
        assert!(!bytes.is_empty(), "ReplayEntropy needs at least one byte");
        Self { bytes, at: 0 }
    }
}

impl Entropy for ReplayEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), NeteaseError> {
        for b in buf {
            *b = self.bytes[self.at];
            self.at = (self.at + 1) % self.bytes.len();
        }
        Ok(())
    }
}

pub(crate) fn random_array<const N: usize>(
    entropy: &mut dyn Entropy,
) -> Result<[u8; N], NeteaseError> {
    let mut out = [0; N];
    entropy.fill(&mut out)?;
    Ok(out)
}

/// `len` characters drawn uniformly from `alphabet` (at most 256 characters long).
pub(crate) fn random_chars(
    entropy: &mut dyn Entropy,
    alphabet: &[u8],
    len: usize,
) -> Result<Vec<u8>, NeteaseError> {
    debug_assert!(!alphabet.is_empty() && alphabet.len() <= 256);
    // Reject bytes at or above the largest multiple of the alphabet's size: no modulo bias.
    let limit = 256 - 256 % alphabet.len();
    let mut out = Vec::with_capacity(len);
    let mut byte = [0u8; 1];
    while out.len() < len {
        entropy.fill(&mut byte)?;
        if usize::from(byte[0]) < limit {
            out.push(alphabet[usize::from(byte[0]) % alphabet.len()]);
        }
    }
    Ok(out)
}

pub(crate) fn aes128_cbc_encrypt(key: &[u8; 16], iv: &[u8; 16], data: &[u8]) -> Vec<u8> {
    use aes::cipher::KeyIvInit;
    cbc::Encryptor::<aes::Aes128>::new(key.into(), iv.into()).encrypt_padded_vec::<Pkcs7>(data)
}

pub(crate) fn aes128_cbc_decrypt(
    scheme: &'static str,
    key: &[u8; 16],
    iv: &[u8; 16],
    data: &[u8],
) -> Result<Vec<u8>, NeteaseError> {
    use aes::cipher::KeyIvInit;
    cbc::Decryptor::<aes::Aes128>::new(key.into(), iv.into())
        .decrypt_padded_vec::<Pkcs7>(data)
        .map_err(|_| NeteaseError::decrypt(scheme, "bad length or padding"))
}

/// AES-ECB with PKCS#7 padding; the key length (16, 24 or 32 bytes) picks AES-128/192/256.
pub(crate) fn aes_ecb_encrypt(key: &[u8], data: &[u8]) -> Result<Vec<u8>, NeteaseError> {
    let bad = |_| NeteaseError::BadSessionKey { len: key.len() };
    Ok(match key.len() {
        16 => ecb::Encryptor::<aes::Aes128>::new_from_slice(key)
            .map_err(bad)?
            .encrypt_padded_vec::<Pkcs7>(data),
        24 => ecb::Encryptor::<aes::Aes192>::new_from_slice(key)
            .map_err(bad)?
            .encrypt_padded_vec::<Pkcs7>(data),
        32 => ecb::Encryptor::<aes::Aes256>::new_from_slice(key)
            .map_err(bad)?
            .encrypt_padded_vec::<Pkcs7>(data),
        len => return Err(NeteaseError::BadSessionKey { len }),
    })
}

pub(crate) fn aes_ecb_decrypt(
    scheme: &'static str,
    key: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, NeteaseError> {
    let padding = |_| NeteaseError::decrypt(scheme, "bad length or padding");
    let bad = |_| NeteaseError::BadSessionKey { len: key.len() };
    match key.len() {
        16 => ecb::Decryptor::<aes::Aes128>::new_from_slice(key)
            .map_err(bad)?
            .decrypt_padded_vec::<Pkcs7>(data)
            .map_err(padding),
        24 => ecb::Decryptor::<aes::Aes192>::new_from_slice(key)
            .map_err(bad)?
            .decrypt_padded_vec::<Pkcs7>(data)
            .map_err(padding),
        32 => ecb::Decryptor::<aes::Aes256>::new_from_slice(key)
            .map_err(bad)?
            .decrypt_padded_vec::<Pkcs7>(data)
            .map_err(padding),
        len => Err(NeteaseError::BadSessionKey { len }),
    }
}

pub(crate) fn decode_hex(scheme: &'static str, text: &str) -> Result<Vec<u8>, NeteaseError> {
    hex::decode(text.trim()).map_err(|e| NeteaseError::decrypt(scheme, format!("not hex: {e}")))
}

pub(crate) fn decode_base64(scheme: &'static str, text: &str) -> Result<Vec<u8>, NeteaseError> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| NeteaseError::decrypt(scheme, format!("not base64: {e}")))
}

pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Gunzips `data` when it starts with the gzip magic, refusing output past
/// [`MAX_REPLY_BYTES`] (a small reply can inflate to gigabytes).
pub(crate) fn maybe_gunzip(scheme: &'static str, data: Vec<u8>) -> Result<Vec<u8>, NeteaseError> {
    if !data.starts_with(&[0x1f, 0x8b]) {
        return Ok(data);
    }
    let mut out = Vec::new();
    let limit = u64::try_from(MAX_REPLY_BYTES).unwrap_or(u64::MAX) + 1;
    flate2::read::GzDecoder::new(data.as_slice())
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| NeteaseError::decrypt(scheme, format!("bad gzip: {e}")))?;
    if out.len() > MAX_REPLY_BYTES {
        return Err(NeteaseError::ReplyTooLarge {
            host: "(decompressed reply)".to_owned(),
            limit_mib: MAX_REPLY_BYTES >> 20,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_chars_rejects_biased_bytes() {
        // 62 * 4 = 248: bytes 248..=255 are skipped, 0 and 61 map to the alphabet's ends.
        let mut e = ReplayEntropy::new([255, 0, 248, 61, 62]);
        let out = random_chars(
            &mut e,
            b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            3,
        )
        .unwrap();
        assert_eq!(out, b"a9a");
    }

    #[test]
    fn ecb_needs_an_aes_key_length() {
        assert_eq!(
            aes_ecb_encrypt(&[0; 15], b"x"),
            Err(NeteaseError::BadSessionKey { len: 15 })
        );
        let ct = aes_ecb_encrypt(&[7; 24], b"hello").unwrap();
        assert_eq!(aes_ecb_decrypt("t", &[7; 24], &ct).unwrap(), b"hello");
    }

    #[test]
    fn gunzip_is_bounded() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![b'a'; MAX_REPLY_BYTES + 1]).unwrap();
        let bomb = gz.finish().unwrap();
        assert!(bomb.len() < 100_000);
        assert!(matches!(
            maybe_gunzip("t", bomb),
            Err(NeteaseError::ReplyTooLarge { .. })
        ));
        assert_eq!(maybe_gunzip("t", b"plain".to_vec()).unwrap(), b"plain");
    }
}
