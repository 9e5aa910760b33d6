//! Sending a [`PreparedRequest`] and reading its reply, bounded by [`MAX_REPLY_BYTES`].

use std::time::Duration;

use lyrebird_tls::Lost;

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
///
/// A connection that breaks before the reply's head arrives — most often a pooled keep-alive
/// connection the server closed just as it was reused — is tried once more, at once: when no
/// connection was made (nothing reached the server), or when the request is
/// [`PreparedRequest::repeatable`] (reset, aborted, broken pipe, closed early). Never after a
/// timeout, never once a reply's head has come (an HTTP error status is a reply), and never
/// past the one time limit both tries share.
pub async fn send(
    client: &reqwest::Client,
    request: &PreparedRequest,
) -> Result<Reply, NeteaseError> {
    send_within(client, request, REQUEST_TIMEOUT).await
}

/// [`send`] with a time limit of its own instead of [`REQUEST_TIMEOUT`] (tests, benchmarks).
pub async fn send_within(
    client: &reqwest::Client,
    request: &PreparedRequest,
    limit: Duration,
) -> Result<Reply, NeteaseError> {
    let host = host_of(&request.url);
    let network = |e: reqwest::Error| NeteaseError::Network {
        host: host.clone(),
        detail: detail(e, limit),
    };
    let deadline = tokio::time::Instant::now() + limit;
    let mut response = match post(client, request, limit).await {
        Ok(response) => response,
        Err(first) => {
            let lost = Lost::of(&first).filter(|lost| may_repeat(*lost, request));
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let Some(lost) = lost.filter(|_| !left.is_zero()) else {
                return Err(network(first));
            };
            tracing::info!(
                %host,
                error = %detail(first, limit),
                "the connection broke before a reply; sending again on a fresh one"
            );
            post(client, request, left)
                .await
                .map_err(|second| match Lost::of(&second) {
                    Some(Lost::Broke { how: again, .. }) => NeteaseError::Network {
                        host: host.clone(),
                        detail: lost.twice(again),
                    },
                    _ => network(second),
                })?
        }
    };
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

/// One try: the request as prepared, within `limit`.
async fn post(
    client: &reqwest::Client,
    request: &PreparedRequest,
    limit: Duration,
) -> Result<reqwest::Response, reqwest::Error> {
    let mut builder = client
        .post(&request.url)
        .timeout(limit)
        .body(request.body.clone());
    for (k, v) in &request.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    builder.send().await
}

/// What went wrong, in words without the URL (its query may carry anything).
fn detail(e: reqwest::Error, limit: Duration) -> String {
    if e.is_timeout() {
        format!("no whole reply within {} s", limit.as_secs_f32())
    } else {
        // reqwest's own words are "error sending request"; the causes say what happened.
        lyrebird_core::errors::error_chain(&e.without_url())
    }
}

/// Whether a call whose connection was `lost` before the reply may be sent again: always when
/// nothing of it can have reached the server (no connection made, or one lost while it was
/// being made), otherwise only when a second arrival changes nothing
/// ([`PreparedRequest::repeatable`]).
fn may_repeat(lost: Lost, request: &PreparedRequest) -> bool {
    !lost.maybe_sent() || request.repeatable
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

    #[tokio::test]
    async fn a_refused_connection_may_be_tried_again_whatever_the_call() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let refused = http
            .post(format!("http://127.0.0.1:{port}/api/x"))
            .send()
            .await
            .unwrap_err();
        let lost = Lost::of(&refused);
        assert_eq!(lost, Some(Lost::NotConnected));
        let once = PreparedRequest {
            url: String::new(),
            headers: Vec::new(),
            body: String::new(),
            reply: ReplyEncoding::Plain,
            repeatable: false,
        };
        assert!(may_repeat(Lost::NotConnected, &once), "nothing was sent");
        assert!(
            !may_repeat(
                Lost::Broke {
                    how: "reset",
                    sent: true
                },
                &once
            ),
            "it may have arrived"
        );
        assert!(
            detail(refused, REQUEST_TIMEOUT).contains("Connection refused"),
            "the cause, not only \"error sending request\""
        );
    }
}
