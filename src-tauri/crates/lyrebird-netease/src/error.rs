//! What can go wrong building, sending or reading a NetEase request.
//!
//! Messages never carry cookies, `MUSIC_U` tokens or session keys.

/// Errors of the NetEase protocol layer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NeteaseError {
    /// The operating system's random source failed.
    #[error("the system's random source failed: {0}")]
    Random(String),
    /// A ciphertext could not be decrypted or a decrypted payload was not what its scheme
    /// promises (bad hex or base64, bad padding, failed authentication, bad digest).
    #[error("could not decrypt a {scheme} payload: {reason}")]
    Decrypt {
        scheme: &'static str,
        reason: String,
    },
    /// A reply (or a decompressed reply) was larger than [`crate::MAX_REPLY_BYTES`].
    #[error("{host} sent more than {limit_mib} MiB in answer to one request")]
    ReplyTooLarge { host: String, limit_mib: usize },
    /// An xeapi request was built without the server's public key
    /// (`/api/gorilla/anti/crawler/security/key/get`).
    #[error("an xeapi request needs the server's public key, and none has been fetched")]
    MissingXeapiKey,
    /// The xeapi session key from `x-encr-sskey` is not an AES key length.
    #[error("the xeapi session key is {len} bytes long; AES needs 16, 24 or 32")]
    BadSessionKey { len: usize },
    /// An endpoint path that is not `/api/...`.
    #[error("endpoint path {path:?} does not start with /api/")]
    BadPath { path: String },
    /// A base URL that is not an absolute http(s) URL.
    #[error("invalid NetEase API address {address:?}: {reason}")]
    InvalidAddress { address: String, reason: String },
    /// A weapi public key (`LYREBIRD_NETEASE_WEAPI_PUBKEY`) that is not one.
    #[error("invalid weapi public key: {0}")]
    InvalidWeapiKey(String),
    /// The connection failed or timed out.
    #[error("network error talking to {host}: {detail}")]
    Network { host: String, detail: String },
    /// The server answered, but not with the JSON the scheme promises.
    #[error("{host} sent an unreadable reply: {reason}")]
    BadReply { host: String, reason: String },
}

impl NeteaseError {
    pub(crate) fn decrypt(scheme: &'static str, reason: impl std::fmt::Display) -> Self {
        Self::Decrypt {
            scheme,
            reason: reason.to_string(),
        }
    }
}
