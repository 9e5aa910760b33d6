//! Starting the NetEase emulator (`tests/netease-emulator`, node) from a Rust test, and its
//! control endpoints. Shared by `lyrebird-netease/tests/emulator.rs` and, included by path,
//! `lyrebird-sources/tests/netease_emulator.rs` and `netease_secrets_in_logs.rs`.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

/// The emulator process, killed (and its state directory removed) when dropped.
pub struct Emulator {
    child: Child,
    pub base: String,
    /// Its start-up line (`port`, and `weapiModulus` with `--weapi-rsa generate`).
    pub ready: Value,
    state: PathBuf,
}

impl Emulator {
    /// The modulus of the emulator's own weapi key, when it holds one.
    pub fn weapi_modulus(&self) -> &str {
        self.ready["weapiModulus"]
            .as_str()
            .expect("started with --weapi-rsa generate")
    }
}

impl Emulator {
    /// `POST /__control{path}` with `body` (scan a QR code, expire audio URLs, set a fault…);
    /// its JSON answer, `Null` when it has none.
    pub async fn control(&self, http: &reqwest::Client, path: &str, body: &Value) -> Value {
        let res = http
            .post(format!("{}/__control{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_success(),
            "control {path}: {}",
            res.status()
        );
        serde_json::from_slice(&res.bytes().await.unwrap()).unwrap_or(Value::Null)
    }

    /// `GET /__control{path}` (`/state`: likes, scrobbles…; `/log`), as JSON.
    pub async fn inspect(&self, http: &reqwest::Client, path: &str) -> Value {
        let text = http
            .get(format!("{}/__control{path}", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// Waits (up to 10 s) until the emulator's state satisfies `done`; that state.
    pub async fn until_state(
        &self,
        http: &reqwest::Client,
        what: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        for _ in 0..200 {
            let state = self.inspect(http, "/state").await;
            if done(&state) {
                return state;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the emulator never saw {what}: {}",
            self.inspect(http, "/state").await
        );
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.state);
    }
}

/// Starts the emulator with `args` and a state directory of its own, or says why it cannot
/// (no node, no npm package).
pub fn start<S: AsRef<OsStr>>(args: &[S]) -> Result<Emulator, String> {
    let package = repo().join("node_modules/@neteasecloudmusicapienhanced/api/util/crypto.js");
    if !package.is_file() {
        return Err(format!(
            "the npm package is not at {} (run `npm ci`)",
            package.display()
        ));
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let state = std::env::temp_dir().join(format!(
        "lyrebird-netease-emu-{}-{nanos}",
        std::process::id()
    ));
    let mut child = Command::new("node")
        .arg(repo().join("tests/netease-emulator/server.mjs"))
        .args(["--port", "0", "--state"])
        .arg(&state)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run node: {e}"))?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let Ok(ready) = serde_json::from_str::<Value>(&line) else {
        let _ = child.kill();
        panic!("the emulator did not start: {line:?}");
    };
    let port = ready["port"]
        .as_u64()
        .expect("the emulator prints its port");
    Ok(Emulator {
        child,
        base: format!("http://127.0.0.1:{port}"),
        ready,
        state,
    })
}

/// A test that cannot start the emulator is skipped with a message, except under `CI`: then
/// it fails.
pub fn skip_or_fail(why: &str) {
    assert!(
        std::env::var_os("CI").is_none_or(|v| v.is_empty()),
        "CI must run the NetEase emulator test, but {why}"
    );
    eprintln!("skipped: {why}");
}

/// Milliseconds since the Unix epoch, as requests are stamped.
pub fn now_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}
