//! Logging in with a phone number (password or SMS code) or an email address and password,
//! as the npm package's `login_cellphone`, `captcha_sent` and `login` modules do. The password
//! leaves as its MD5 (what NetEase's own web client sends); neither it nor the phone number is
//! kept or logged. The session comes back in `Set-Cookie` like a QR login's.

use md5::{Digest, Md5};
use serde_json::Value;

use crate::api_error::{ApiError, LoginRefusal, error_for, reply_code};
use crate::client::{Answer, NeteaseClient};
use crate::request::{ApiCall, Scheme};
use crate::{Credentials, Params};

/// How a phone login proves itself.
#[derive(Clone, Copy)]
pub enum PhoneProof<'a> {
    /// The account's password.
    Password(&'a str),
    /// The code NetEase sent by SMS ([`NeteaseClient::send_sms_code`]).
    SmsCode(&'a str),
}

impl std::fmt::Debug for PhoneProof<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Password(_) => "Password(<hidden>)",
            Self::SmsCode(_) => "SmsCode(<hidden>)",
        })
    }
}

/// The lower-case hex MD5 of `password`, as NetEase's login endpoints take it.
fn password_md5(password: &str) -> String {
    hex::encode(Md5::digest(password.as_bytes()))
}

/// The error a login endpoint's non-200 `code` means: a [`LoginRefusal`] where the code is one,
/// else what any endpoint's code means.
fn login_error(code: i64, json: &Value) -> ApiError {
    LoginRefusal::of(code).map_or_else(|| error_for(code, json), ApiError::Login)
}

impl NeteaseClient {
    /// Asks NetEase to text a login code to `phone` (weapi `/api/sms/captcha/sent`).
    /// `country_code` is the calling code without `+` (`86`).
    pub async fn send_sms_code(
        &self,
        country_code: &str,
        phone: &str,
    ) -> Result<Answer<()>, ApiError> {
        let params = Params::new()
            .with("ctcode", country_code)
            .with("secrete", "music_middleuser_pclogin")
            .with("cellphone", phone);
        // A second arrival would text a second code (or be refused as too soon).
        let call = ApiCall::new(Scheme::Weapi, "/api/sms/captcha/sent", params).not_repeatable();
        let (_, update) = self.login_exchange(&call).await?;
        Ok(Answer::new((), update))
    }

    /// Logs in with a phone number and its password or an SMS code (weapi
    /// `/api/w/login/cellphone`). The credentials are in the answer and the update.
    pub async fn login_phone(
        &self,
        country_code: &str,
        phone: &str,
        proof: PhoneProof<'_>,
    ) -> Result<Answer<Credentials>, ApiError> {
        let mut params = Params::new()
            .with("type", "1")
            .with("https", "true")
            .with("phone", phone)
            .with("countrycode", country_code);
        match proof {
            PhoneProof::Password(password) => params.set("password", password_md5(password)),
            PhoneProof::SmsCode(code) => params.set("captcha", code),
        }
        params.set("remember", "true");
        params.set("secureCaptcha", "");
        // A wrong password twice counts twice towards the lock-out; a code is used once.
        let call = ApiCall::new(Scheme::Weapi, "/api/w/login/cellphone", params).not_repeatable();
        self.login_with(&call).await
    }

    /// Logs in with an email address (a NetEase mailbox account) and its password (eapi
    /// `/api/w/login`, the scheme the npm package's `login` leaves to its default).
    pub async fn login_email(
        &self,
        email: &str,
        password: &str,
    ) -> Result<Answer<Credentials>, ApiError> {
        let params = Params::new()
            .with("type", "0")
            .with("https", "true")
            .with("username", email)
            .with("password", password_md5(password))
            .with("rememberLogin", "true");
        let call = ApiCall::new(Scheme::Eapi, "/api/w/login", params).not_repeatable();
        self.login_with(&call).await
    }

    /// Sends a login and takes the credentials its cookies set.
    async fn login_with(&self, call: &ApiCall) -> Result<Answer<Credentials>, ApiError> {
        let (_, update) = self.login_exchange(call).await?;
        let credentials = update
            .credentials
            .clone()
            .filter(|c| c.music_u.is_some())
            .ok_or_else(|| ApiError::unexpected("a login without MUSIC_U"))?;
        Ok(Answer::new(credentials, update))
    }

    /// Sends `call` and reads its code the way the login endpoints mean it.
    async fn login_exchange(
        &self,
        call: &ApiCall,
    ) -> Result<(Value, crate::client::SessionUpdate), ApiError> {
        let (reply, update) = self.exchange(call, None).await?;
        match reply_code(&reply.json) {
            Some(crate::code::OK) => Ok((reply.json, update)),
            None if (200..300).contains(&reply.status) => Ok((reply.json, update)),
            None => Err(login_error(i64::from(reply.status), &reply.json)),
            Some(code) => Err(login_error(code, &reply.json)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_password_leaves_as_its_md5() {
        // node: require('crypto-js').MD5(password).toString(), as the npm package's
        // `login_cellphone` computes it.
        assert_eq!(
            password_md5("correct horse"),
            "3cb4e732631f47e6eb961f34554b7cde"
        );
        assert_eq!(password_md5(""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(password_md5("密码"), "a8105204604a0b11e916f3879aae3b0b");
    }

    #[test]
    fn login_codes_are_refusals_the_user_can_act_on() {
        let j = json!({"code": 502, "message": "密码错误"});
        assert_eq!(
            login_error(502, &j),
            ApiError::Login(LoginRefusal::WrongPassword)
        );
        assert_eq!(
            login_error(501, &j),
            ApiError::Login(LoginRefusal::UnknownAccount)
        );
        assert_eq!(
            login_error(503, &j),
            ApiError::Login(LoginRefusal::WrongCode)
        );
        assert_eq!(
            login_error(509, &j),
            ApiError::Login(LoginRefusal::TooManyAttempts)
        );
        assert_eq!(
            login_error(405, &j),
            ApiError::Login(LoginRefusal::CodeTooSoon)
        );
        assert_eq!(login_error(8821, &j), ApiError::Captcha);
        assert_eq!(
            login_error(-462, &json!({})),
            ApiError::Verify { url: None }
        );
        assert!(matches!(
            login_error(400, &j),
            ApiError::Refused { code: 400, .. }
        ));
    }

    #[test]
    fn proofs_hide_their_secret_in_debug() {
        let shown = format!(
            "{:?} {:?}",
            PhoneProof::Password("hunter2"),
            PhoneProof::SmsCode("1234")
        );
        assert!(
            !shown.contains("hunter2") && !shown.contains("1234"),
            "{shown}"
        );
    }
}
