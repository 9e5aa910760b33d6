//! Phone (password or SMS code) and email login. What the user typed is checked here before
//! anything is sent (a clear error, nothing lost); the password and code go to NetEase once,
//! through a guest client of the stored device, and are dropped. The session NetEase answers
//! with is checked and stored as a QR login's is ([`NeteaseAccount::sign_in`]). Nothing here is
//! logged: not the number, the address, the password or the code.

use lyrebird_core::netease::{NeteaseError, NeteaseLogin, NeteaseLoginField, NeteaseStatus};
use lyrebird_netease::LoginRefusal;
use lyrebird_netease::login::PhoneProof;

use super::{NeteaseAccount, error_of};

/// The UI's error for a login NetEase refused.
pub(super) fn error_of_refusal(refusal: LoginRefusal) -> NeteaseError {
    match refusal {
        LoginRefusal::UnknownAccount => NeteaseError::UnknownAccount,
        LoginRefusal::WrongPassword => NeteaseError::WrongPassword,
        LoginRefusal::WrongCode => NeteaseError::WrongCode,
        LoginRefusal::TooManyAttempts => NeteaseError::TooManyAttempts,
        LoginRefusal::CodeTooSoon => NeteaseError::CodeTooSoon,
    }
}

fn invalid(field: NeteaseLoginField) -> NeteaseError {
    NeteaseError::Invalid { field }
}

/// A calling code as NetEase takes it: digits, without `+`.
fn country_code(text: &str) -> Result<String, NeteaseError> {
    let code = text.trim().trim_start_matches('+');
    if (1..=4).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_owned())
    } else {
        Err(invalid(NeteaseLoginField::CountryCode))
    }
}

/// A phone number's digits; spaces, dashes, dots and brackets people type are dropped.
fn phone(text: &str) -> Result<String, NeteaseError> {
    let mut digits = String::new();
    for c in text.trim().chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return Err(invalid(NeteaseLoginField::Phone)),
        }
    }
    if (5..=20).contains(&digits.len()) {
        Ok(digits)
    } else {
        Err(invalid(NeteaseLoginField::Phone))
    }
}

fn email(text: &str) -> Result<String, NeteaseError> {
    let text = text.trim();
    let ok = text.len() <= 254
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && text.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty() && domain.contains('.') && !domain.contains('@')
        });
    if ok {
        Ok(text.to_owned())
    } else {
        Err(invalid(NeteaseLoginField::Email))
    }
}

/// A password is sent as typed (its MD5); only an empty or absurdly long one is refused.
fn password(text: &str) -> Result<&str, NeteaseError> {
    if text.is_empty() || text.len() > 256 {
        Err(invalid(NeteaseLoginField::Password))
    } else {
        Ok(text)
    }
}

/// NetEase's SMS codes are 4 to 8 digits.
fn code(text: &str) -> Result<String, NeteaseError> {
    let code = text.trim();
    if (4..=8).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_owned())
    } else {
        Err(invalid(NeteaseLoginField::Code))
    }
}

impl NeteaseAccount {
    /// Asks NetEase to text a login code to the phone.
    pub async fn sms_send(&self, country: String, number: String) -> Result<(), NeteaseError> {
        let (country, number) = (country_code(&country)?, phone(&number)?);
        let client = self.session.guest_client().await?;
        client
            .send_sms_code(&country, &number)
            .await
            .map_err(error_of)?;
        Ok(())
    }

    /// Logs in with a phone number or an email address; once NetEase accepts, the session is
    /// stored and NetEase is a source, as after a QR login.
    pub async fn login(&self, login: NeteaseLogin) -> Result<NeteaseStatus, NeteaseError> {
        let client = self.session.guest_client().await?;
        let answer = match &login {
            NeteaseLogin::PhonePassword {
                country_code: country,
                phone: number,
                password: secret,
            } => {
                let (country, number) = (country_code(country)?, phone(number)?);
                client
                    .login_phone(&country, &number, PhoneProof::Password(password(secret)?))
                    .await
            }
            NeteaseLogin::PhoneCode {
                country_code: country,
                phone: number,
                code: sms,
            } => {
                let (country, number, sms) = (country_code(country)?, phone(number)?, code(sms)?);
                client
                    .login_phone(&country, &number, PhoneProof::SmsCode(&sms))
                    .await
            }
            NeteaseLogin::Email {
                email: address,
                password: secret,
            } => {
                let address = email(address)?;
                client.login_email(&address, password(secret)?).await
            }
        };
        drop(login);
        let credentials = answer.map_err(error_of)?.value;
        self.sign_in(client, credentials).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_user_types_is_checked_before_anything_is_sent() {
        assert_eq!(country_code("+86").unwrap(), "86");
        assert_eq!(country_code(" 852 ").unwrap(), "852");
        for bad in ["", "+", "86a", "12345", "８６"] {
            assert_eq!(
                country_code(bad),
                Err(invalid(NeteaseLoginField::CountryCode)),
                "{bad}"
            );
        }
        assert_eq!(phone("138 0013-8000").unwrap(), "13800138000");
        assert_eq!(phone("(0)20.7946").unwrap(), "0207946");
        for bad in [
            "",
            "1234",
            "138001380001380013800",
            "138x",
            "+8613800138000",
        ] {
            assert_eq!(phone(bad), Err(invalid(NeteaseLoginField::Phone)), "{bad}");
        }
        assert_eq!(email(" me@163.com ").unwrap(), "me@163.com");
        for bad in [
            "",
            "me",
            "@163.com",
            "me@163",
            "me@@163.com",
            "m e@163.com",
            "a@b\u{0}.c",
        ] {
            assert_eq!(
                email(bad),
                Err(invalid(NeteaseLoginField::Email)),
                "{bad:?}"
            );
        }
        assert_eq!(password(" spaces count "), Ok(" spaces count "));
        assert!(password("").is_err() && password(&"x".repeat(257)).is_err());
        assert_eq!(code(" 0123 ").unwrap(), "0123");
        assert!(code("123").is_err() && code("12a4").is_err() && code("123456789").is_err());
    }

    #[test]
    fn refusals_keep_their_meaning() {
        assert_eq!(
            error_of(lyrebird_netease::ApiError::Login(
                LoginRefusal::WrongPassword
            )),
            NeteaseError::WrongPassword
        );
        assert_eq!(
            error_of_refusal(LoginRefusal::CodeTooSoon),
            NeteaseError::CodeTooSoon
        );
    }
}
