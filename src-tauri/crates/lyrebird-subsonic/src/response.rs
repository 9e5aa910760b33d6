//! The `subsonic-response` envelope: read from raw bytes so that an HTML page (a login portal,
//! a wrong address) or garbage is reported as such instead of as a JSON syntax error.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::SubsonicError;

/// A successful reply: the payload elements next to `status` and `version`.
#[derive(Debug)]
pub(crate) struct Reply {
    fields: Map<String, Value>,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "subsonic-response")]
    response: Body,
}

#[derive(Deserialize)]
struct Body {
    status: String,
    #[serde(default)]
    error: Option<ErrorElement>,
    #[serde(flatten)]
    fields: Map<String, Value>,
}

#[derive(Deserialize)]
struct ErrorElement {
    code: u32,
    #[serde(default)]
    message: Option<String>,
}

impl Reply {
    /// The list element `key`; absent means empty (servers omit empty lists).
    pub(crate) fn take_list<T: DeserializeOwned>(&mut self, key: &str) -> Vec<T> {
        self.fields
            .remove(key)
            .map(crate::model::de::list_from_value)
            .unwrap_or_default()
    }

    /// The payload element `key` (e.g. `searchResult3`).
    pub(crate) fn take<T: DeserializeOwned>(&mut self, key: &str) -> Result<T, SubsonicError> {
        let value = self
            .fields
            .remove(key)
            .ok_or_else(|| SubsonicError::NotSubsonic {
                what: format!("a reply without `{key}`"),
            })?;
        serde_json::from_value(value).map_err(|error| SubsonicError::NotSubsonic {
            what: format!("a malformed `{key}` ({error})"),
        })
    }
}

/// Reads one API reply. `status` is the HTTP status; Subsonic servers answer errors with 200
/// (or, like supysonic for unknown methods, 404) and an error element, so the body decides.
pub(crate) fn parse(status: u16, body: &[u8], host: &str) -> Result<Reply, SubsonicError> {
    let Ok(envelope) = serde_json::from_slice::<Envelope>(body) else {
        if matches!(status, 502..=504) {
            return Err(SubsonicError::ServerDown {
                host: host.to_owned(),
                reason: format!("HTTP {status} from the proxy in front of it"),
            });
        }
        let what = if (200..300).contains(&status) {
            describe(body).to_owned()
        } else {
            format!("{} (HTTP {status})", describe(body))
        };
        return Err(SubsonicError::NotSubsonic { what });
    };
    let body = envelope.response;
    if body.status == "ok" {
        return Ok(Reply {
            fields: body.fields,
        });
    }
    Err(match body.error {
        Some(error) => SubsonicError::from_api(error.code, error.message),
        None => SubsonicError::Api {
            code: 0,
            message: format!("status {:?} with no error", body.status),
        },
    })
}

/// What a body that is not Subsonic JSON looks like, in words.
fn describe(body: &[u8]) -> &'static str {
    let start = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = start.trim_ascii_start();
    let head = String::from_utf8_lossy(&start[..start.len().min(512)]).to_ascii_lowercase();
    if start.is_empty() {
        "an empty reply"
    } else if head.starts_with("<!doctype html") || head.contains("<html") {
        "an HTML page"
    } else if head.starts_with('<') {
        "XML or other markup"
    } else if head.starts_with('{') {
        "JSON that is not a Subsonic reply"
    } else {
        "data that is not Subsonic JSON"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_reply_gives_its_payload() {
        let body = br#"{"subsonic-response":{"status":"ok","version":"1.16.1","ping2":{"n":3}}}"#;
        let mut reply = parse(200, body, "h").unwrap();
        let value: Value = reply.take("ping2").unwrap();
        assert_eq!(value["n"], 3);
        assert!(matches!(
            reply.take::<Value>("other"),
            Err(SubsonicError::NotSubsonic { .. })
        ));
    }

    #[test]
    fn failed_reply_is_its_error() {
        let body = br#"{"subsonic-response":{"status":"failed","version":"1.10.2","error":{"code":40,"message":"Wrong username or password."}}}"#;
        assert_eq!(
            parse(200, body, "h").unwrap_err(),
            SubsonicError::WrongCredentials
        );
        // supysonic answers unknown methods with 404 and a proper error element.
        let body = br#"{"subsonic-response":{"error":{"code":0,"message":"Unknown method"},"status":"failed","version":"1.10.2"}}"#;
        assert!(matches!(
            parse(404, body, "h").unwrap_err(),
            SubsonicError::Api { code: 0, .. }
        ));
    }

    #[test]
    fn non_json_bodies_are_named() {
        let html = b"\n<!DOCTYPE html><html><body>Sign in</body></html>";
        let error = parse(200, html, "h").unwrap_err();
        assert!(error.to_string().contains("an HTML page"), "{error}");
        let error = parse(404, b"<html>nope</html>", "h").unwrap_err();
        assert!(error.to_string().contains("HTTP 404"), "{error}");
        let error = parse(200, b"\x00\x01garbage", "h").unwrap_err();
        assert!(error.to_string().contains("not Subsonic JSON"), "{error}");
        let error = parse(200, b"", "h").unwrap_err();
        assert!(error.to_string().contains("empty"), "{error}");
        let error = parse(502, b"Bad Gateway", "h").unwrap_err();
        assert!(
            matches!(error, SubsonicError::ServerDown { .. }),
            "{error:?}"
        );
    }
}
