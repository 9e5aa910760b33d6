//! What NetEase's replies say went wrong: the `code` (and `message` / `msg`) every reply
//! carries, with the risk-control codes told apart. Messages are English for now (i18n later)
//! and never carry cookies or tokens.

use serde_json::Value;

use crate::NeteaseError;
use crate::lenient::{as_int, http_url};

/// NetEase's reply codes that mean something to Lyrebird.
pub mod code {
    pub const OK: i64 = 200;
    /// Not logged in, or the login expired.
    pub const NOT_LOGGED_IN: i64 = 301;
    /// Risk control: this network environment is blocked for now.
    pub const NETWORK_ENVIRONMENT: i64 = -460;
    /// Risk control: verify in a browser (the reply carries the page's URL).
    pub const VERIFY: i64 = -462;
    /// The session expired (another reply for "log in again").
    pub const SESSION_EXPIRED: i64 = 8810;
    /// Risk control: a captcha is needed.
    pub const CAPTCHA: i64 = 8821;
    /// Risk control: a second factor is needed.
    pub const SECOND_FACTOR: i64 = 8830;
}

/// The most characters of a server's own message an error keeps.
const MAX_MESSAGE_CHARS: usize = 200;

/// Errors of the NetEase client: the protocol's, or what NetEase answered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Building, sending or decrypting failed (see [`NeteaseError`]).
    #[error(transparent)]
    Protocol(#[from] NeteaseError),
    /// -462: NetEase wants the user to verify themselves on a web page first.
    #[error(
        "NetEase wants you to confirm it is you before going on: open the verification page, then try again"
    )]
    Verify {
        /// The verification page, when the reply named an http(s) one.
        url: Option<String>,
    },
    /// 8821: a captcha must be solved (log in another way, or later).
    #[error("NetEase asks for a captcha; log in another way or try again later")]
    Captcha,
    /// -460: NetEase refuses this network for now.
    #[error(
        "NetEase refuses requests from this network for now; try again later or from another network"
    )]
    NetworkEnvironment,
    /// 8830: the login needs a second factor (an SMS code, the phone app).
    #[error("NetEase asks for a second step to log in; confirm it in the NetEase app or by SMS")]
    SecondFactor,
    /// 301 or 8810: no login, or it expired.
    #[error("not logged in to NetEase, or the login has expired; log in again")]
    NotLoggedIn,
    /// A password or SMS login was refused for a reason the user can fix (only the login
    /// endpoints read these codes: elsewhere they mean other things).
    #[error("{0}")]
    Login(LoginRefusal),
    /// Any other code that is not 200.
    #[error("NetEase refused the request (code {code}){}", message_suffix(.message.as_ref()))]
    Refused { code: i64, message: Option<String> },
    /// The reply was JSON but not the shape this endpoint answers with.
    #[error("NetEase sent a reply Lyrebird cannot read ({what})")]
    Unexpected { what: String },
}

/// Why NetEase refused a password or SMS login.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoginRefusal {
    /// 501: no account has this phone number or email address.
    #[error("NetEase has no account with that phone number or email address")]
    UnknownAccount,
    /// 502: the password is wrong.
    #[error("the password is wrong")]
    WrongPassword,
    /// 503: the SMS code is wrong or expired.
    #[error("the SMS code is wrong or has expired")]
    WrongCode,
    /// 509: too many wrong passwords; NetEase blocks password logins for a while.
    #[error("too many wrong passwords; wait a while or log in another way")]
    TooManyAttempts,
    /// 405: an SMS code was sent moments ago.
    #[error("a code was sent moments ago; wait a minute before asking again")]
    CodeTooSoon,
}

impl LoginRefusal {
    /// The refusal a login endpoint's `code` means, if it is one.
    #[must_use]
    pub fn of(code: i64) -> Option<Self> {
        match code {
            501 => Some(Self::UnknownAccount),
            502 => Some(Self::WrongPassword),
            503 => Some(Self::WrongCode),
            509 => Some(Self::TooManyAttempts),
            405 => Some(Self::CodeTooSoon),
            _ => None,
        }
    }
}

fn message_suffix(message: Option<&String>) -> String {
    message.map(|m| format!(": {m}")).unwrap_or_default()
}

impl ApiError {
    /// Whether logging in again would help.
    #[must_use]
    pub fn needs_login(&self) -> bool {
        matches!(self, Self::NotLoggedIn)
    }

    /// Whether NetEase's risk control stopped the request (the user must act, or wait).
    #[must_use]
    pub fn is_risk_control(&self) -> bool {
        matches!(
            self,
            Self::Verify { .. } | Self::Captcha | Self::NetworkEnvironment | Self::SecondFactor
        )
    }

    pub(crate) fn unexpected(what: impl Into<String>) -> Self {
        Self::Unexpected { what: what.into() }
    }
}

/// A reply's `code` (a number or a numeric string), if it has one.
#[must_use]
pub fn reply_code(json: &Value) -> Option<i64> {
    json.get("code").and_then(as_int)
}

/// `Ok` when the reply's `code` is 200 (or missing while HTTP said 2xx); otherwise the error
/// it means.
pub fn check(status: u16, json: &Value) -> Result<(), ApiError> {
    match reply_code(json) {
        Some(code::OK) => Ok(()),
        None if (200..300).contains(&status) => Ok(()),
        None => Err(error_for(i64::from(status), json)),
        Some(code) => Err(error_for(code, json)),
    }
}

/// The error a non-200 `code` means.
#[must_use]
pub fn error_for(code: i64, json: &Value) -> ApiError {
    match code {
        code::NOT_LOGGED_IN | code::SESSION_EXPIRED => ApiError::NotLoggedIn,
        code::NETWORK_ENVIRONMENT => ApiError::NetworkEnvironment,
        code::VERIFY => ApiError::Verify {
            url: verify_url(json),
        },
        code::CAPTCHA => ApiError::Captcha,
        code::SECOND_FACTOR => ApiError::SecondFactor,
        code => ApiError::Refused {
            code,
            message: server_message(json),
        },
    }
}

/// The verification page of a -462 reply: `data.url`, `data.verifyUrl` or `verifyUrl`.
fn verify_url(json: &Value) -> Option<String> {
    let data = json.get("data");
    [
        data.and_then(|d| d.get("url")),
        data.and_then(|d| d.get("verifyUrl")),
        json.get("verifyUrl"),
        json.get("url"),
    ]
    .into_iter()
    .flatten()
    .find_map(|v| v.as_str().and_then(http_url))
}

/// The server's own words (`message` or `msg`), short and on one line.
fn server_message(json: &Value) -> Option<String> {
    let text = ["message", "msg"]
        .into_iter()
        .find_map(|k| json.get(k).and_then(Value::as_str))?;
    let text: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_MESSAGE_CHARS)
        .collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn codes_map_to_errors() {
        assert_eq!(check(200, &json!({"code": 200})), Ok(()));
        assert_eq!(check(200, &json!({"code": "200"})), Ok(()));
        assert_eq!(check(200, &json!({"songs": []})), Ok(()));
        assert_eq!(
            check(200, &json!({"code": 301})),
            Err(ApiError::NotLoggedIn)
        );
        assert_eq!(
            check(200, &json!({"code": 8810})),
            Err(ApiError::NotLoggedIn)
        );
        assert_eq!(
            check(200, &json!({"code": -460})),
            Err(ApiError::NetworkEnvironment)
        );
        assert_eq!(check(200, &json!({"code": 8821})), Err(ApiError::Captcha));
        assert_eq!(
            check(200, &json!({"code": 8830})),
            Err(ApiError::SecondFactor)
        );
        assert_eq!(
            check(503, &json!({})),
            Err(ApiError::Refused {
                code: 503,
                message: None
            })
        );
        assert!(ApiError::Captcha.is_risk_control() && ApiError::NotLoggedIn.needs_login());
    }

    #[test]
    fn verify_carries_only_an_http_url() {
        let e = check(
            200,
            &json!({"code": -462, "message": "绑定手机号", "data": {
                "url": "https://st.music.163.com/encrypt-pages?x=1", "verifyType": 8}}),
        )
        .unwrap_err();
        assert_eq!(
            e,
            ApiError::Verify {
                url: Some("https://st.music.163.com/encrypt-pages?x=1".into())
            }
        );
        let e = check(
            200,
            &json!({"code": -462, "data": {"url": "javascript:alert(1)"}}),
        );
        assert_eq!(e, Err(ApiError::Verify { url: None }));
        let e = check(
            200,
            &json!({"code": "-462", "verifyUrl": "https://v.163.com/"}),
        );
        assert_eq!(
            e,
            Err(ApiError::Verify {
                url: Some("https://v.163.com/".into())
            })
        );
    }

    #[test]
    fn other_codes_keep_a_short_clean_message() {
        let e = check(
            200,
            &json!({"code": 400, "message": format!("bad\n{}", "x".repeat(500))}),
        )
        .unwrap_err();
        let ApiError::Refused {
            code: 400,
            message: Some(m),
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(m.chars().count(), MAX_MESSAGE_CHARS);
        assert!(!m.contains('\n'));
        assert!(
            e.to_string()
                .starts_with("NetEase refused the request (code 400): bad")
        );
        let e = check(200, &json!({"code": 404, "msg": 5})).unwrap_err();
        assert_eq!(e.to_string(), "NetEase refused the request (code 404)");
    }

    #[test]
    fn messages_are_english_sentences() {
        for e in [
            ApiError::Verify { url: None },
            ApiError::Captcha,
            ApiError::NetworkEnvironment,
            ApiError::SecondFactor,
            ApiError::NotLoggedIn,
        ] {
            let text = e.to_string();
            assert!(
                text.starts_with("NetEase") || text.starts_with("not logged in"),
                "{text}"
            );
        }
    }
}
