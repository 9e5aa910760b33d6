//! Cross-checks Lyrebird's encryptions against the npm package
//! `@neteasecloudmusicapienhanced/api` (an independent JavaScript implementation), through
//! `tests/ncm_crosscheck.cjs`.
//!
//! The package is found at `$LYREBIRD_NCM_API_DIR`, by default
//! `<repo>/node_modules/@neteasecloudmusicapienhanced/api` (a dev dependency in the root
//! `package.json`). Without node or the package the test is skipped with a message, except
//! when `CI` is set: then it fails.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use lyrebird_netease::Params;
use lyrebird_netease::crypto::{eapi, linuxapi, weapi, xeapi};
use serde_json::{Value, json};

fn package_dir() -> PathBuf {
    std::env::var_os("LYREBIRD_NCM_API_DIR").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../node_modules/@neteasecloudmusicapienhanced/api")
        },
        PathBuf::from,
    )
}

/// Runs the cases through node, or says why it cannot.
fn run_node(cases: &[Value]) -> Result<Vec<Value>, String> {
    let dir = package_dir();
    if !dir.join("util/crypto.js").is_file() {
        return Err(format!(
            "the npm package is not at {} (run `npm ci` in the repository, or set LYREBIRD_NCM_API_DIR)",
            dir.display()
        ));
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ncm_crosscheck.cjs");
    let mut child = Command::new("node")
        .arg(&script)
        .arg(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run node: {e}"))?;
    let input = serde_json::to_vec(&json!({ "cases": cases })).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the cross-check script failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut reply: Value = serde_json::from_slice(&out.stdout).expect("the script prints JSON");
    let Value::Array(results) = reply["results"].take() else {
        panic!("no results array");
    };
    assert_eq!(results.len(), cases.len());
    Ok(results)
}

fn hex_of(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

#[test]
#[allow(clippy::too_many_lines)]
fn lyrebird_and_the_npm_package_agree() {
    let params = Params::new()
        .with("s", "周杰伦 & Friends ~*")
        .with("type", 1)
        .with("limit", 30)
        .with("total", true)
        .with("e_r", false);
    // Objects go to node as JSON text (serde_json's Value would sort their keys).
    let json_text = params.to_json();
    let object: Value = serde_json::from_str(&json_text).unwrap();
    let secret = *b"Lyrebird0123abcZ";
    let weapi_form = weapi::encrypt_with_secret(&json_text, &secret);

    let eapi_path = "/api/song/lyric/v1";
    let eapi_form = eapi::encrypt(eapi_path, &json_text);
    let reply = r#"{"code":200,"lrc":{"lyric":"[00:01.00]晴天"},"ok":true}"#;

    let linux_url = "https://music.163.com/api/search/get";
    let linux_form = linuxapi::encrypt(linux_url, &params);

    let server_secret = [0x5c; 32];
    let key = xeapi::ServerKey {
        public_key: xeapi::public_key_for(&server_secret),
        version: "12".to_owned(),
        sk: "sk-from-server".to_owned(),
    };
    let material = xeapi::Material {
        dynamic_key: *b"0123456789ABCDEF",
        mask: [0xa7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        ephemeral_secret: [0x42; 32],
        iv: [9; 12],
    };
    let session = xeapi::Session::new("ssid-77", "sessionkey123456").unwrap();
    let xeapi_case = |uri: &str, session: Option<&xeapi::Session>| {
        json!({
            "op": "xeapi", "uri": uri, "json": json_text,
            "publicKeyState": {"publicKey": key.public_key, "version": key.version, "sk": key.sk},
            "sessionId": session.map(|s| s.id.clone()),
            "sessionKey": session.map(|_| "sessionkey123456"),
            "os": "android",
            "dynamicKey": hex_of(&material.dynamic_key), "mask": hex_of(&material.mask),
            "iv": hex_of(&material.iv), "ephemeralSecret": hex_of(&material.ephemeral_secret),
        })
    };
    let key_json = format!(
        r#"{{"publicKey":"{}","version":"12","sk":"sk-from-server"}}"#,
        key.public_key
    );

    let cases = vec![
        json!({"op": "weapi", "secret": "Lyrebird0123abcZ", "json": json_text}),
        json!({"op": "weapi_decrypt", "secret": "Lyrebird0123abcZ", "params": weapi_form.params}),
        json!({"op": "eapi", "url": eapi_path, "json": json_text}),
        json!({"op": "eapi_req_decrypt", "params": eapi_form.params}),
        json!({"op": "eapi_res_encrypt", "text": reply}),
        json!({"op": "eapi_res_decrypt", "hex": hex_of(&eapi::encrypt_response(reply.as_bytes())).to_uppercase()}),
        json!({"op": "linuxapi", "json": format!(r#"{{"method":"POST","url":"{linux_url}","params":{json_text}}}"#)}),
        json!({"op": "linuxapi_decrypt", "eparams": linux_form.eparams}),
        xeapi_case("/api/song/enhance/player/url/v1", None),
        xeapi_case("/api/v1/radio/like", Some(&session)),
        xeapi_case("/api/comment/add?t=1&x=%20y", None),
        json!({"op": "xeapi_sign", "timestamp": "1765000000123", "nonce": "0042424242424242"}),
        json!({"op": "xeapi_res_decrypt",
               "base64": base64_of(&xeapi_encrypt_reply(&gzip(reply.as_bytes())))}),
        json!({"op": "xeapi_decrypt_public_key", "encrypted": xeapi::encrypt_server_key(&key_json)}),
    ];

    let results = match run_node(&cases) {
        Ok(r) => r,
        Err(why) if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) => {
            panic!("CI must run the NetEase cross-check, but {why}")
        }
        Err(why) => {
            eprintln!("SKIPPED the NetEase cross-check against the npm package: {why}");
            return;
        }
    };

    // weapi: the same secret key gives the same ciphertext, and node reads ours.
    assert_eq!(results[0]["params"], weapi_form.params);
    assert_eq!(results[0]["encSecKey"], weapi_form.enc_sec_key);
    assert_eq!(results[1], json_text);

    // eapi: deterministic, so equal; node reads our request; we read node's reply and back.
    assert_eq!(results[2]["params"], eapi_form.params);
    assert_eq!(results[3]["url"], eapi_path);
    assert_eq!(results[3]["data"], object);
    let node_reply = hex_decode(results[4].as_str().unwrap());
    assert_eq!(
        eapi::decrypt_response(&node_reply).unwrap(),
        reply.as_bytes()
    );
    assert_eq!(results[5], serde_json::from_str::<Value>(reply).unwrap());

    // linuxapi.
    assert_eq!(results[6]["eparams"], linux_form.eparams);
    assert_eq!(results[7], linuxapi::decrypt(&linux_form.eparams).unwrap());

    // xeapi: with the same random bytes the same B, S and R, and we open node's requests.
    for (i, uri, session) in [
        (8, "/api/song/enhance/player/url/v1", None),
        (9, "/api/v1/radio/like", Some(&session)),
        (10, "/api/comment/add?t=1&x=%20y", None),
    ] {
        let ours = xeapi::encrypt_with(uri, &params, "android", &key, session, &material).unwrap();
        assert_eq!(results[i]["B"], ours.b, "B for {uri}");
        assert_eq!(results[i]["S"], ours.s, "S for {uri}");
        assert_eq!(results[i]["R"], ours.r, "R for {uri}");
        let theirs = xeapi::XeapiForm {
            b: results[i]["B"].as_str().unwrap().to_owned(),
            s: results[i]["S"].as_str().unwrap().to_owned(),
            r: results[i]["R"].as_str().unwrap().to_owned(),
        };
        let opened = xeapi::open(&theirs, &server_secret).unwrap();
        assert_eq!(opened.envelope, xeapi::envelope(uri, &params));
        assert_eq!(opened.session_id, session.map_or("", |s| s.id.as_str()));
    }
    assert_eq!(
        results[11],
        xeapi::sign("1765000000123", "0042424242424242")
    );
    assert_eq!(results[12], serde_json::from_str::<Value>(reply).unwrap());
    assert_eq!(
        results[13],
        serde_json::from_str::<Value>(&key_json).unwrap()
    );
}

fn xeapi_encrypt_reply(body: &[u8]) -> Vec<u8> {
    // The server encrypts xeapi replies with the eapi key.
    eapi::encrypt_response(body)
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn hex_decode(text: &str) -> Vec<u8> {
    hex::decode(text).unwrap()
}
