//! Building requests: URL, headers, cookies and the body each scheme sends, checked by
//! decrypting the body again. Nothing is sent anywhere.

use lyrebird_netease::crypto::xeapi::{self, ServerKey, Session};
use lyrebird_netease::crypto::{ReplayEntropy, eapi, linuxapi, weapi};
use lyrebird_netease::request::user_agent;
use lyrebird_netease::{
    ApiCall, ApiHosts, ClientOs, Credentials, DeviceIdentity, Host, NeteaseError, Params,
    ReplyEncoding, RequestContext, Scheme, build, build_xeapi_key_request,
};
use serde_json::{Value, json};

const NOW: u64 = 1_765_000_000_123;
const SERVER_SECRET: [u8; 32] = [0x5c; 32];

fn device() -> DeviceIdentity {
    DeviceIdentity::generate(
        ClientOs::Pc,
        &mut ReplayEntropy::new(*b"\x01\x23\x45\x67\x89"),
        NOW,
    )
    .unwrap()
}

fn logged_in() -> Credentials {
    Credentials {
        music_u: Some("U+token/=".to_owned()),
        csrf: Some("csrf123".to_owned()),
        music_a: None,
    }
}

fn server_key() -> ServerKey {
    ServerKey {
        public_key: xeapi::public_key_for(&SERVER_SECRET),
        version: "4".to_owned(),
        sk: "sk!".to_owned(),
    }
}

fn cookies(header: &str) -> Vec<(String, String)> {
    header
        .split("; ")
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn cookie<'a>(all: &'a [(String, String)], key: &str) -> Option<&'a str> {
    all.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn form_field(req: &lyrebird_netease::PreparedRequest, name: &str) -> String {
    req.form().into_iter().find(|(k, _)| k == name).unwrap().1
}

#[test]
fn weapi_request() {
    let (hosts, device, creds) = (ApiHosts::default(), device(), logged_in());
    let ctx = RequestContext {
        hosts: &hosts,
        device: &device,
        credentials: &creds,
        xeapi_key: None,
        xeapi_session: None,
    };
    let call = ApiCall::new(
        Scheme::Weapi,
        "/api/v3/discovery/recommend/songs",
        Params::new().with("afresh", false),
    );
    // 16 bytes 0..16 are the secret key "abcdefghijklmnop".
    let mut e = ReplayEntropy::new((0u8..16).collect::<Vec<_>>());
    let req = build(&call, &ctx, &mut e, NOW).unwrap();

    assert_eq!(
        req.url,
        "https://music.163.com/weapi/v3/discovery/recommend/songs"
    );
    assert_eq!(req.header("referer"), Some("https://music.163.com"));
    assert_eq!(req.header("user-agent"), Some(user_agent::WEAPI));
    assert_eq!(
        req.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(req.reply, ReplyEncoding::Plain);
    let c = cookies(req.header("cookie").unwrap());
    assert_eq!(
        cookie(&c, "MUSIC_U"),
        Some("U%2Btoken%2F%3D"),
        "cookie values are URI-encoded"
    );
    assert_eq!(cookie(&c, "__csrf"), Some("csrf123"));
    assert_eq!(cookie(&c, "deviceId"), Some(device.device_id.as_str()));
    assert_eq!(cookie(&c, "NMTID"), Some(device.nmtid.as_str()));
    assert_eq!(cookie(&c, "os"), Some("pc"));
    assert_eq!(cookie(&c, "appver"), Some("3.1.17.204416"));
    assert_eq!(cookie(&c, "MUSIC_A"), None);

    let json =
        weapi::decrypt_with_secret(&form_field(&req, "params"), b"abcdefghijklmnop").unwrap();
    assert_eq!(
        json,
        r#"{"afresh":false,"e_r":false,"csrf_token":"csrf123"}"#
    );
    assert_eq!(form_field(&req, "encSecKey").len(), 256);
}

#[test]
fn eapi_request_carries_the_header_in_cookies_and_params() {
    let (hosts, device) = (ApiHosts::default(), device());
    let anon = Credentials {
        music_a: Some("anon-token".to_owned()),
        ..Credentials::default()
    };
    let ctx = RequestContext {
        hosts: &hosts,
        device: &device,
        credentials: &anon,
        xeapi_key: None,
        xeapi_session: None,
    };
    let params = Params::new().with("id", 186_016).with("cp", false);
    let call = ApiCall::new(Scheme::Eapi, "/api/song/lyric/v1", params).encrypted_reply(true);
    let req = build(&call, &ctx, &mut ReplayEntropy::new([7, 0]), NOW).unwrap();

    assert_eq!(
        req.url,
        "https://interfacepc.music.163.com/eapi/song/lyric/v1"
    );
    assert_eq!(req.header("user-agent"), Some(user_agent::IPHONE));
    assert_eq!(req.reply, ReplyEncoding::Eapi);
    let c = cookies(req.header("cookie").unwrap());
    assert_eq!(cookie(&c, "requestId"), Some("1765000000123_0007"));
    assert_eq!(cookie(&c, "buildver"), Some("1765000000"));
    assert_eq!(cookie(&c, "MUSIC_A"), Some("anon-token"));
    assert_eq!(cookie(&c, "versioncode"), Some("140"));

    let sent = eapi::decrypt_request(&form_field(&req, "params")).unwrap();
    assert_eq!(sent.path, "/api/song/lyric/v1");
    let body: Value = serde_json::from_str(&sent.json).unwrap();
    assert_eq!(body["id"], 186_016);
    assert_eq!(body["e_r"], true);
    assert_eq!(body["header"]["deviceId"], json!(device.device_id));
    assert_eq!(body["header"]["requestId"], "1765000000123_0007");
    assert_eq!(body["header"]["os"], "pc");
}

#[test]
fn scrobble_goes_to_the_clientlog_host_as_osx() {
    let (hosts, device, creds) = (ApiHosts::default(), device(), logged_in());
    let ctx = RequestContext {
        hosts: &hosts,
        device: &device,
        credentials: &creds,
        xeapi_key: None,
        xeapi_session: None,
    };
    let call = ApiCall::new(
        Scheme::Eapi,
        "/api/feedback/weblog",
        Params::new().with("logs", "[]"),
    )
    .on_host(Host::Clientlog)
    .as_os(ClientOs::Osx);
    let req = build(&call, &ctx, &mut ReplayEntropy::new([0]), NOW).unwrap();
    assert_eq!(
        req.url,
        "https://clientlog.music.163.com/eapi/feedback/weblog"
    );
    assert_eq!(req.header("user-agent"), Some(user_agent::OSX));
    let c = cookies(req.header("cookie").unwrap());
    assert_eq!(
        (cookie(&c, "os"), cookie(&c, "appver")),
        (Some("osx"), Some("3.1.10.5100"))
    );
}

#[test]
fn linuxapi_and_plain_api_requests() {
    let (hosts, device, creds) = (ApiHosts::default(), device(), logged_in());
    let ctx = RequestContext {
        hosts: &hosts,
        device: &device,
        credentials: &creds,
        xeapi_key: None,
        xeapi_session: None,
    };
    let params = Params::new().with("id", "347230");
    let req = build(
        &ApiCall::new(Scheme::Linuxapi, "/api/song/detail", params.clone()),
        &ctx,
        &mut ReplayEntropy::new([0]),
        NOW,
    )
    .unwrap();
    assert_eq!(req.url, "https://music.163.com/api/linux/forward");
    assert_eq!(req.header("user-agent"), Some(user_agent::LINUXAPI));
    assert_eq!(
        linuxapi::decrypt(&form_field(&req, "eparams")).unwrap(),
        r#"{"method":"POST","url":"https://music.163.com/api/song/detail","params":{"id":"347230","e_r":false}}"#
    );

    let req = build(
        &ApiCall::new(
            Scheme::Api,
            "/api/login/qrcode/unikey",
            Params::new().with("type", 3),
        ),
        &ctx,
        &mut ReplayEntropy::new([0]),
        NOW,
    )
    .unwrap();
    assert_eq!(
        req.url,
        "https://interface.music.163.com/api/login/qrcode/unikey"
    );
    assert_eq!(req.body, "type=3&e_r=false");
}

#[test]
fn login_requests_leave_out_nmtid() {
    let (hosts, device, creds) = (ApiHosts::default(), device(), Credentials::default());
    let ctx = RequestContext {
        hosts: &hosts,
        device: &device,
        credentials: &creds,
        xeapi_key: None,
        xeapi_session: None,
    };
    let call = ApiCall::new(
        Scheme::Weapi,
        "/api/login/qrcode/client/login",
        Params::new().with("key", "k").with("type", 3),
    );
    let req = build(&call, &ctx, &mut ReplayEntropy::new([1]), NOW).unwrap();
    assert_eq!(
        cookie(&cookies(req.header("cookie").unwrap()), "NMTID"),
        None
    );
}

#[test]
fn xeapi_request_opens_with_the_servers_key() {
    let (hosts, device, creds, key) = (ApiHosts::default(), device(), logged_in(), server_key());
    let mut ctx = RequestContext {
        hosts: &hosts,
        device: &device,
        credentials: &creds,
        xeapi_key: None,
        xeapi_session: None,
    };
    let params = Params::new()
        .with("ids", "[186016]")
        .with("level", "exhigh")
        .with("encodeType", "flac");
    let call = ApiCall::new(
        Scheme::Xeapi,
        "/api/song/enhance/player/url/v1",
        params.clone(),
    );
    assert_eq!(
        build(&call, &ctx, &mut ReplayEntropy::new([1]), NOW),
        Err(NeteaseError::MissingXeapiKey)
    );

    ctx.xeapi_key = Some(&key);
    let req = build(
        &call,
        &ctx,
        &mut ReplayEntropy::new([3, 1, 4, 1, 5, 9, 2, 6]),
        NOW,
    )
    .unwrap();
    assert_eq!(
        req.url,
        "https://interface3.music.163.com/xeapi/song/enhance/player/url/v1"
    );
    assert_eq!(req.reply, ReplyEncoding::Xeapi);
    assert_eq!(req.header("x-deviceid"), Some(device.device_id.as_str()));
    assert_eq!(req.header("x-sdeviceid"), Some(device.device_id.as_str()));
    assert_eq!(req.header("x-appver"), Some("9.1.65"));
    assert_eq!(req.header("x-music-u"), Some("U+token/="));
    assert_eq!(req.header("user-agent"), Some(user_agent::ANDROID));
    let c = cookies(req.header("cookie").unwrap());
    assert_eq!(cookie(&c, "os"), Some("android"));
    assert_eq!(cookie(&c, "sDeviceId"), Some(device.device_id.as_str()));

    let form = xeapi::XeapiForm {
        b: form_field(&req, "B"),
        s: form_field(&req, "S"),
        r: form_field(&req, "R"),
    };
    let opened = xeapi::open(&form, &SERVER_SECRET).unwrap();
    assert_eq!(opened.envelope, xeapi::envelope(&call.path, &params));
    assert_eq!(
        (
            opened.version.as_str(),
            opened.session_id.as_str(),
            opened.sk.as_str()
        ),
        ("4", "", "sk!")
    );

    let session = Session::new("sid-9", "abcdefghijklmnop").unwrap();
    ctx.xeapi_session = Some(&session);
    let req = build(&call, &ctx, &mut ReplayEntropy::new([2, 7]), NOW).unwrap();
    let form = xeapi::XeapiForm {
        b: form_field(&req, "B"),
        s: form_field(&req, "S"),
        r: form_field(&req, "R"),
    };
    let opened = xeapi::open(&form, &SERVER_SECRET).unwrap();
    assert_eq!(
        (opened.session_id.as_str(), opened.dynamic_key.as_slice()),
        ("sid-9", &b"abcdefghijklmnop"[..])
    );
}

#[test]
fn xeapi_key_request() {
    let (hosts, device, creds, key) = (
        ApiHosts::default(),
        device(),
        Credentials::default(),
        server_key(),
    );
    let ctx = RequestContext {
        hosts: &hosts,
        device: &device,
        credentials: &creds,
        xeapi_key: Some(&key),
        xeapi_session: None,
    };
    let (req, nonce) = build_xeapi_key_request(
        &ctx,
        &mut ReplayEntropy::new(*b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"),
        NOW,
    )
    .unwrap();
    assert_eq!(nonce, "0123456789012345");
    assert_eq!(
        req.url,
        "https://interface.music.163.com/api/gorilla/anti/crawler/security/key/get"
    );
    assert_eq!(
        req.header("cookie").unwrap(),
        format!("deviceId={}", device.device_id)
    );
    let form = req.form();
    let field = |k: &str| form.iter().find(|(n, _)| n == k).unwrap().1.clone();
    assert_eq!(field("currentKeyVersion"), "4");
    assert_eq!(field("timestamp"), NOW.to_string());
    assert_eq!(field("signature"), xeapi::sign(&NOW.to_string(), &nonce));
}

#[test]
fn the_override_sends_everything_to_one_base() {
    let hosts = ApiHosts::all("http://127.0.0.1:9/").unwrap();
    let (device, creds, key) = (device(), Credentials::default(), server_key());
    let ctx = RequestContext {
        hosts: &hosts,
        device: &device,
        credentials: &creds,
        xeapi_key: Some(&key),
        xeapi_session: None,
    };
    for (scheme, url) in [
        (Scheme::Weapi, "http://127.0.0.1:9/weapi/x"),
        (Scheme::Eapi, "http://127.0.0.1:9/eapi/x"),
        (Scheme::Linuxapi, "http://127.0.0.1:9/api/linux/forward"),
        (Scheme::Xeapi, "http://127.0.0.1:9/xeapi/x"),
        (Scheme::Api, "http://127.0.0.1:9/api/x"),
    ] {
        let req = build(
            &ApiCall::new(scheme, "/api/x", Params::new()),
            &ctx,
            &mut ReplayEntropy::new([1]),
            NOW,
        )
        .unwrap();
        assert_eq!(req.url, url);
    }
    assert!(matches!(
        build(
            &ApiCall::new(Scheme::Eapi, "/weapi/x", Params::new()),
            &ctx,
            &mut ReplayEntropy::new([1]),
            NOW
        ),
        Err(NeteaseError::BadPath { .. })
    ));
}

#[test]
fn concurrent_builds_share_nothing_mutable() {
    // The context is only borrowed; each thread gets its own headers. (go-musicfox crashed
    // on a header map that concurrent requests wrote to.)
    let (hosts, device, creds) = (ApiHosts::default(), device(), logged_in());
    let ctx = RequestContext {
        hosts: &hosts,
        device: &device,
        credentials: &creds,
        xeapi_key: None,
        xeapi_session: None,
    };
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0u8..8)
            .map(|i| {
                s.spawn(move || {
                    let call = ApiCall::new(
                        Scheme::Eapi,
                        "/api/song/lyric/v1",
                        Params::new().with("id", i),
                    );
                    let req = build(&call, &ctx, &mut ReplayEntropy::new([i, 0]), NOW).unwrap();
                    let c = cookies(req.header("cookie").unwrap());
                    let sent = eapi::decrypt_request(&form_field(&req, "params")).unwrap();
                    let body: Value = serde_json::from_str(&sent.json).unwrap();
                    assert_eq!(body["id"], i);
                    cookie(&c, "requestId").unwrap().to_owned()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(*id, format!("{NOW}_{i:04}"));
    }
}
