//! Building one request: URL, headers (cookies included) and form body for a scheme and an
//! `/api/...` endpoint path.
//!
//! [`build`] is a pure function of its inputs: every request gets its own header list, built
//! from an immutable [`RequestContext`]. Nothing is shared and mutated between requests —
//! a shared mutable header map, written by concurrent requests, is what crashed go-musicfox.
//! The one piece of state the protocol rotates, the xeapi [`Session`], comes back from
//! the reply as a value for the caller to keep.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use crate::crypto::xeapi::{self, ServerKey, Session};
use crate::crypto::{Entropy, eapi, linuxapi, weapi};
use crate::{ApiHosts, ClientOs, Credentials, DeviceIdentity, Host, NeteaseError, Params};

/// How a request is encrypted (see [`crate::crypto`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    Weapi,
    Eapi,
    Linuxapi,
    Xeapi,
    /// No encryption: the form goes to the API host as it is.
    Api,
}

/// User agents (from the npm package 4.40.1).
pub mod user_agent {
    pub const WEAPI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0";
    pub const LINUXAPI: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.90 Safari/537.36";
    /// eapi and api, unless the cookie says `os=osx`.
    pub const IPHONE: &str = "NeteaseMusic 9.0.90/5038 (iPhone; iOS 16.2; zh_CN)";
    pub const OSX: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
    /// xeapi and the xeapi key request.
    pub const ANDROID: &str = "NeteaseMusic/9.5.61.260802021928(9005061);Dalvik/2.1.0 (Linux; U; Android 12; HBN-AL00 Build/cd737a2.0)";
}

/// The app version xeapi requests claim unless the identity is an Android one.
pub const XEAPI_APPVER: &str = "9.1.65";
const XEAPI_OSVER: &str = "16";
const FORM: &str = "application/x-www-form-urlencoded";

/// One API call: what to ask, before encryption.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiCall {
    pub scheme: Scheme,
    /// The endpoint as `/api/...`.
    pub path: String,
    pub params: Params,
    /// Asks the server to encrypt its reply (`e_r`); xeapi replies always are.
    pub encrypted_reply: bool,
    /// Sends to this host instead of the scheme's own (scrobbling goes to [`Host::Clientlog`]).
    pub host: Option<Host>,
    /// Claims this client instead of the identity's (the npm package sends `osx` to scrobble).
    pub os: Option<ClientOs>,
    /// Whether the call may be sent again when its connection broke after the request went out
    /// and before the reply's head came back (see [`crate::send`]): true, the default, for
    /// reads and for calls whose second arrival changes nothing (a like sets a state); false
    /// for calls that create or count something ([`ApiCall::not_repeatable`]).
    pub repeatable: bool,
}

impl ApiCall {
    #[must_use]
    pub fn new(scheme: Scheme, path: impl Into<String>, params: Params) -> Self {
        Self {
            scheme,
            path: path.into(),
            params,
            encrypted_reply: false,
            host: None,
            os: None,
            repeatable: true,
        }
    }

    /// Never sent a second time once the request may have reached the server: the call
    /// creates or counts something (a playlist, a play, a login attempt, a text message), so
    /// a second arrival would do it twice. Sent again only when no connection was made.
    #[must_use]
    pub fn not_repeatable(mut self) -> Self {
        self.repeatable = false;
        self
    }

    #[must_use]
    pub fn encrypted_reply(mut self, yes: bool) -> Self {
        self.encrypted_reply = yes;
        self
    }

    #[must_use]
    pub fn on_host(mut self, host: Host) -> Self {
        self.host = Some(host);
        self
    }

    #[must_use]
    pub fn as_os(mut self, os: ClientOs) -> Self {
        self.os = Some(os);
        self
    }
}

/// Everything a request is built from; nothing in it changes while building.
#[derive(Clone, Copy, Debug)]
pub struct RequestContext<'a> {
    pub hosts: &'a ApiHosts,
    pub device: &'a DeviceIdentity,
    pub credentials: &'a Credentials,
    /// Needed for xeapi calls only.
    pub xeapi_key: Option<&'a ServerKey>,
    /// The latest xeapi session, if the server has handed one out.
    pub xeapi_session: Option<&'a Session>,
}

/// How to read the reply to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyEncoding {
    /// JSON as it is.
    Plain,
    /// eapi-encrypted bytes (the request asked with `e_r`).
    Eapi,
    /// xeapi: eapi-encrypted, maybe gzipped, and the headers may rotate the session.
    Xeapi,
}

/// A request ready to send: always a form POST.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    pub url: String,
    /// In order; names as sent.
    pub headers: Vec<(String, String)>,
    /// `application/x-www-form-urlencoded`.
    pub body: String,
    pub reply: ReplyEncoding,
    /// From [`ApiCall::repeatable`]: whether [`crate::send`] may send it again after its
    /// connection broke before a reply.
    pub repeatable: bool,
}

impl std::fmt::Debug for PreparedRequest {
    // Cookies carry the login token: show only header names.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedRequest")
            .field("url", &self.url)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.len())
            .field("reply", &self.reply)
            .field("repeatable", &self.repeatable)
            .finish()
    }
}

impl PreparedRequest {
    /// The method: every NetEase API call is a POST.
    pub const METHOD: &'static str = "POST";

    /// A header's value, by case-insensitive name.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The form body's fields, decoded.
    #[must_use]
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .into_owned()
            .collect()
    }
}

/// Builds `call` for sending. `now_ms` is Unix time in milliseconds.
pub fn build(
    call: &ApiCall,
    ctx: &RequestContext<'_>,
    entropy: &mut dyn Entropy,
    now_ms: u64,
) -> Result<PreparedRequest, NeteaseError> {
    let rest = call
        .path
        .strip_prefix("/api/")
        .ok_or_else(|| NeteaseError::BadPath {
            path: call.path.clone(),
        })?;
    let base = |default| ctx.hosts.base(call.host.unwrap_or(default));
    let os = call.os.unwrap_or(ctx.device.os);
    let mut params = call.params.clone();
    let mut headers = Vec::new();
    let mut reply = ReplyEncoding::Plain;

    let (url, body) = match call.scheme {
        Scheme::Weapi => {
            let web = base(Host::Web);
            params.set("e_r", call.encrypted_reply);
            params.set(
                "csrf_token",
                ctx.credentials.csrf.clone().unwrap_or_default(),
            );
            headers.push(("Referer".to_owned(), web.to_owned()));
            headers.push(("User-Agent".to_owned(), user_agent::WEAPI.to_owned()));
            headers.push((
                "Cookie".to_owned(),
                cookie_line(&web_cookies(call, ctx, os)),
            ));
            if call.encrypted_reply {
                reply = ReplyEncoding::Eapi;
            }
            let form = weapi::encrypt_for(&params.to_json(), entropy, &ctx.hosts.weapi_key)?;
            (format!("{web}/weapi/{rest}"), encode_form(&form.fields()))
        }
        Scheme::Linuxapi => {
            let web = base(Host::Web);
            params.set("e_r", call.encrypted_reply);
            headers.push(("User-Agent".to_owned(), user_agent::LINUXAPI.to_owned()));
            headers.push((
                "Cookie".to_owned(),
                cookie_line(&web_cookies(call, ctx, os)),
            ));
            let form = linuxapi::encrypt(&format!("{web}{}", call.path), &params);
            (
                format!("{web}/api/linux/forward"),
                encode_form(&form.fields()),
            )
        }
        Scheme::Eapi | Scheme::Api => {
            let header = client_header(ctx, os, entropy, now_ms)?;
            headers.push(("Cookie".to_owned(), cookie_line(&header)));
            let ua = if os == ClientOs::Osx {
                user_agent::OSX
            } else {
                user_agent::IPHONE
            };
            headers.push(("User-Agent".to_owned(), ua.to_owned()));
            params.set("e_r", call.encrypted_reply);
            if call.scheme == Scheme::Api {
                (
                    format!("{}{}", base(Host::Api), call.path),
                    params.to_form(),
                )
            } else {
                if call.encrypted_reply {
                    reply = ReplyEncoding::Eapi;
                }
                let header: serde_json::Map<_, _> = header
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), Value::String(v)))
                    .collect();
                params.set("header", Value::Object(header));
                let form = eapi::encrypt(&call.path, &params.to_json());
                (
                    format!("{}/eapi/{rest}", base(Host::Eapi)),
                    encode_form(&form.fields()),
                )
            }
        }
        Scheme::Xeapi => {
            reply = ReplyEncoding::Xeapi;
            params.set("e_r", true);
            let url = format!("{}/xeapi/{rest}", base(Host::Xeapi));
            (
                url,
                xeapi_parts(call, ctx, &params, &mut headers, entropy, now_ms)?,
            )
        }
    };
    if call.scheme != Scheme::Xeapi {
        headers.push(("Content-Type".to_owned(), FORM.to_owned()));
    }
    Ok(PreparedRequest {
        url,
        headers,
        body,
        reply,
        repeatable: call.repeatable,
    })
}

/// The xeapi headers and cookies (it claims the Android client) and the encrypted form.
fn xeapi_parts(
    call: &ApiCall,
    ctx: &RequestContext<'_>,
    params: &Params,
    headers: &mut Vec<(String, String)>,
    entropy: &mut dyn Entropy,
    now_ms: u64,
) -> Result<String, NeteaseError> {
    let key = ctx.xeapi_key.ok_or(NeteaseError::MissingXeapiKey)?;
    let android = call.os.unwrap_or(ctx.device.os) == ClientOs::Android;
    let appver = if android {
        ctx.device.appver.as_str()
    } else {
        XEAPI_APPVER
    };
    let osver = if android {
        ctx.device.osver.as_str()
    } else {
        XEAPI_OSVER
    };
    let buildver = (now_ms / 1000).to_string();
    let device_id = ctx.device.device_id.as_str();
    for (k, v) in [
        ("User-Agent", user_agent::ANDROID),
        ("X-Client-Enc-State", "ENCRYPTED"),
        ("x-aeapi", "true"),
        (
            "content-type",
            "application/x-www-form-urlencoded;charset=utf-8",
        ),
        ("x-deviceid", device_id),
        ("x-os", "android"),
        ("x-osver", osver),
        ("x-appver", appver),
        ("x-sdeviceid", device_id),
        ("x-buildver", &buildver),
    ] {
        headers.push((k.to_owned(), v.to_owned()));
    }
    if let Some(u) = &ctx.credentials.music_u {
        headers.push(("x-music-u".to_owned(), u.clone()));
    }
    let mut cookies = web_cookies(call, ctx, ClientOs::Android);
    for (k, v) in [("osver", osver), ("appver", appver)] {
        set_pair(&mut cookies, k, v.to_owned());
    }
    cookies.push(("buildver", buildver.clone()));
    cookies.push(("sDeviceId", device_id.to_owned()));
    headers.push(("Cookie".to_owned(), cookie_line(&cookies)));
    let form = xeapi::encrypt(
        &call.path,
        params,
        "android",
        key,
        ctx.xeapi_session,
        entropy,
    )?;
    Ok(encode_form(&form.fields()))
}

/// Builds the request for the server's xeapi key and returns it with the nonce its reply's
/// signature must match (pass both to [`xeapi::read_key_reply`]).
pub fn build_xeapi_key_request(
    ctx: &RequestContext<'_>,
    entropy: &mut dyn Entropy,
    now_ms: u64,
) -> Result<(PreparedRequest, String), NeteaseError> {
    let nonce = xeapi::key_nonce(entropy)?;
    let device_id = &ctx.device.device_id;
    let current = ctx.xeapi_key.map_or("", |k| k.version.as_str());
    let params = xeapi::key_request(device_id, current, now_ms, &nonce);
    let cookie = format!("deviceId={}", utf8_percent_encode(device_id, URI_COMPONENT));
    let request = PreparedRequest {
        url: format!("{}{}", ctx.hosts.api, xeapi::KEY_PATH),
        headers: vec![
            ("User-Agent".to_owned(), user_agent::ANDROID.to_owned()),
            ("Cookie".to_owned(), cookie),
            ("Content-Type".to_owned(), FORM.to_owned()),
        ],
        body: params.to_form(),
        reply: ReplyEncoding::Plain,
        // A read: a second key exchange hands out the same key.
        repeatable: true,
    };
    Ok((request, nonce))
}

/// The OS version, channel and app version a request claims: the device's own when it claims
/// the device's OS, else the preset of the client it claims to be.
struct Claimed {
    osver: String,
    channel: String,
    appver: String,
}

impl Claimed {
    fn of(device: &DeviceIdentity, os: ClientOs) -> Self {
        if os == device.os {
            Self {
                osver: device.osver.clone(),
                channel: device.channel.clone(),
                appver: device.appver.clone(),
            }
        } else {
            Self {
                osver: os.osver().to_owned(),
                channel: os.channel().to_owned(),
                appver: os.appver().to_owned(),
            }
        }
    }
}

/// The cookies weapi, linuxapi and xeapi send: the account's, then the device's.
fn web_cookies(
    call: &ApiCall,
    ctx: &RequestContext<'_>,
    os: ClientOs,
) -> Vec<(&'static str, String)> {
    let device = ctx.device;
    let claimed = Claimed::of(device, os);
    let mut cookies = Vec::new();
    if let Some(u) = &ctx.credentials.music_u {
        cookies.push(("MUSIC_U", u.clone()));
    }
    if let Some(csrf) = &ctx.credentials.csrf {
        cookies.push(("__csrf", csrf.clone()));
    }
    cookies.extend([
        ("__remember_me", "true".to_owned()),
        ("ntes_kaola_ad", "1".to_owned()),
        ("_ntes_nuid", device.ntes_nuid.clone()),
        ("_ntes_nnid", device.ntes_nnid.clone()),
        ("WNMCID", device.wnmcid.clone()),
        ("WEVNSM", "1.0.0".to_owned()),
        ("osver", claimed.osver),
        ("deviceId", device.device_id.clone()),
        ("os", os.cookie().to_owned()),
        ("channel", claimed.channel),
        ("appver", claimed.appver),
    ]);
    // The npm package leaves NMTID out of login requests.
    if !call.path.contains("login") {
        cookies.push(("NMTID", device.nmtid.clone()));
    }
    if let (None, Some(a)) = (&ctx.credentials.music_u, &ctx.credentials.music_a) {
        cookies.push(("MUSIC_A", a.clone()));
    }
    cookies
}

/// The desktop client's header, sent as eapi/api cookies and inside eapi parameters.
fn client_header(
    ctx: &RequestContext<'_>,
    os: ClientOs,
    entropy: &mut dyn Entropy,
    now_ms: u64,
) -> Result<Vec<(&'static str, String)>, NeteaseError> {
    let device = ctx.device;
    let claimed = Claimed::of(device, os);
    let mut draw = [0u8; 2];
    entropy.fill(&mut draw)?;
    let request_number = u16::from_le_bytes(draw) % 1000;
    let mut header = vec![
        ("osver", claimed.osver),
        ("deviceId", device.device_id.clone()),
        ("os", os.cookie().to_owned()),
        ("appver", claimed.appver),
        ("versioncode", "140".to_owned()),
        ("mobilename", String::new()),
        ("buildver", (now_ms / 1000).to_string()),
        ("resolution", "1920x1080".to_owned()),
        ("__csrf", ctx.credentials.csrf.clone().unwrap_or_default()),
        ("channel", claimed.channel),
        ("requestId", format!("{now_ms}_{request_number:04}")),
    ];
    if let Some(u) = &ctx.credentials.music_u {
        header.push(("MUSIC_U", u.clone()));
    }
    if let Some(a) = &ctx.credentials.music_a {
        header.push(("MUSIC_A", a.clone()));
    }
    Ok(header)
}

fn set_pair(pairs: &mut [(&'static str, String)], key: &str, value: String) {
    if let Some(slot) = pairs.iter_mut().find(|(k, _)| *k == key) {
        slot.1 = value;
    }
}

/// What JavaScript's `encodeURIComponent` leaves alone: letters, digits and `-_.!~*'()`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

fn cookie_line(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, URI_COMPONENT),
                utf8_percent_encode(v, URI_COMPONENT)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn encode_form(fields: &[(&str, &str)]) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.extend_pairs(fields);
    form.finish()
}
