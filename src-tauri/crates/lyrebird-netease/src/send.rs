//! Sending a [`PreparedRequest`] and reading its reply, bounded by [`MAX_REPLY_BYTES`].

use std::time::Duration;

use crate::crypto::{eapi, xeapi::Session};
use crate::request::{PreparedRequest, ReplyEncoding};
use crate::{MAX_REPLY_BYTES, NeteaseError};

/// How long one request may take, from connecting until the last byte of the reply: a server
/// that sends a byte now and then would otherwise hold the call for as long as it likes
/// (16 MiB at a byte every half second is three months). As Subsonic's calls.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A reply, decrypted.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// The HTTP status. NetEase puts its own status in the JSON's `code`.
    pub status: u16,
    pub json: serde_json::Value,
    /// `Set-Cookie` headers as sent (a login's `MUSIC_U` and `__csrf` come this way).
    pub set_cookies: Vec<String>,
    /// A new xeapi session from `x-encr-ssid` / `x-encr-sskey`; later xeapi requests must use
    /// it.
    pub session: Option<Session>,
}

/// Sends `request` with `client` and reads the reply: at most [`MAX_REPLY_BYTES`] of body
/// (and as much again after decompression), within [`REQUEST_TIMEOUT`], decrypted as the
/// request's scheme asks.
pub async fn send(
    client: &reqwest::Client,
    request: &PreparedRequest,
) -> Result<Reply, NeteaseError> {
    let host = host_of(&request.url);
    let network = |e: reqwest::Error| NeteaseError::Network {
        host: host.clone(),
        detail: if e.is_timeout() {
            format!("no whole reply within {} s", REQUEST_TIMEOUT.as_secs())
        } else {
            e.without_url().to_string()
        },
    };
    let mut builder = client
        .post(&request.url)
        .timeout(REQUEST_TIMEOUT)
        .body(request.body.clone());
    for (k, v) in &request.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let mut response = builder.send().await.map_err(network)?;
    let status = response.status().as_u16();
    let headers = response.headers();
    let set_cookies = headers
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let header = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let session = match (
        request.reply,
        header(Session::ID_HEADER),
        header(Session::KEY_HEADER),
    ) {
        (ReplyEncoding::Xeapi, Some(id), Some(key)) => Some(Session::new(id, key)?),
        _ => None,
    };

    let too_large = || NeteaseError::ReplyTooLarge {
        host: host.clone(),
        limit_mib: MAX_REPLY_BYTES >> 20,
    };
    if response
        .content_length()
        .is_some_and(|n| n > MAX_REPLY_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(network)? {
        if body.len() + chunk.len() > MAX_REPLY_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }

    let json = decode(request.reply, &body).map_err(|reason| NeteaseError::BadReply {
        host: host.clone(),
        reason,
    })?;
    Ok(Reply {
        status,
        json,
        set_cookies,
        session,
    })
}

/// Decrypts (when asked) and parses a reply body. A reply that does not decrypt but is plain
/// JSON is taken as it is: servers send errors unencrypted.
pub(crate) fn decode(encoding: ReplyEncoding, body: &[u8]) -> Result<serde_json::Value, String> {
    let decrypted = match encoding {
        ReplyEncoding::Plain => None,
        ReplyEncoding::Eapi | ReplyEncoding::Xeapi => eapi::decrypt_response(body).ok(),
    };
    let text = decrypted.as_deref().unwrap_or(body);
    serde_json::from_slice(text).map_err(|e| {
        if encoding == ReplyEncoding::Plain || decrypted.is_some() {
            format!("not JSON ({e})")
        } else {
            "neither decryptable nor JSON".to_owned()
        }
    })
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "the server".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_plain_encrypted_and_fallback() {
        let enc = eapi::encrypt_response(br#"{"code":200}"#);
        assert_eq!(decode(ReplyEncoding::Eapi, &enc).unwrap()["code"], 200);
        assert_eq!(
            decode(ReplyEncoding::Xeapi, br#"{"code":301}"#).unwrap()["code"],
            301
        );
        assert!(decode(ReplyEncoding::Plain, &enc).is_err());
        assert!(decode(ReplyEncoding::Xeapi, b"garbage!").is_err());
    }
}
