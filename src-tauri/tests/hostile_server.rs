//! A hostile Subsonic server, met through the real app (the command layer on Tauri's mock
//! runtime, the real sources and Subsonic client): it answers `ping` properly, then meets the
//! user's browsing with a gigabyte, an endless body, a drip of a byte at a time, an HTML
//! login page, nesting a million deep, a body cut short, garbage, and redirects to another
//! host and to `file:`. For each, asserted: the browse ends with an error the user can read
//! (no secret in it), the process's resident memory stays within a bound, the player keeps
//! answering while the browse is stuck, and nothing reaches the other host. When the fault
//! ends, browsing works again.
//!
//! One test in its own binary: memory is the whole process's.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use tauri::WebviewWindow;
use tauri::test::MockRuntime;

mod support;
use support::{invoke, started_app, status_field, window};

const PASSWORD: &str = "hunter2-secret";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    None,
    Gigabyte,
    Endless,
    Drip,
    LoginPage,
    DeepNesting,
    CutMidBody,
    Garbage,
    RedirectElsewhere,
    RedirectToFile,
}

struct Server {
    fault: Mutex<Fault>,
    /// Port of the other host a redirect points to.
    elsewhere: u16,
}

fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 || head.len() > 64 << 10 {
            return None;
        }
        head.push(byte[0]);
    }
    let line = String::from_utf8_lossy(&head).lines().next()?.to_owned();
    Some(line.split_whitespace().nth(1)?.to_owned())
}

fn reply(stream: &mut TcpStream, status: &str, kind: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

const ALBUMS: &str = r#"{"subsonic-response":{"status":"ok","version":"1.16.1","albumList2":{"album":[{"id":"al-1","name":"Fine Album","artist":"Someone","songCount":1}]}}}"#;

/// Answers one connection as the current fault says; the chunky faults write until the client
/// goes away (a write fails).
fn serve(mut stream: TcpStream, server: &Server) {
    let Some(path) = read_request(&mut stream) else {
        return;
    };
    if path.starts_with("/rest/ping") {
        let body = br#"{"subsonic-response":{"status":"ok","version":"1.16.1"}}"#;
        return reply(&mut stream, "200 OK", "application/json", body);
    }
    let fault = *server.fault.lock().unwrap();
    let json = "application/json";
    let chunk = vec![b' '; 64 << 10];
    match fault {
        Fault::None => reply(&mut stream, "200 OK", json, ALBUMS.as_bytes()),
        Fault::Gigabyte => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{\"subsonic-response\":";
            let _ = stream.write_all(head.as_bytes());
            while stream.write_all(&chunk).is_ok() {}
        }
        Fault::Endless => {
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[",
            );
            while stream.write_all(&chunk).is_ok() {}
        }
        Fault::Drip => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n");
            loop {
                std::thread::sleep(Duration::from_millis(500));
                if stream.write_all(b" ").is_err() {
                    break;
                }
            }
        }
        Fault::LoginPage => reply(
            &mut stream,
            "200 OK",
            "text/html",
            b"<!DOCTYPE html><html><body><form>Wi-Fi login: password?</form></body></html>",
        ),
        Fault::DeepNesting => {
            let depth = 1_000_000;
            let body = format!(
                r#"{{"subsonic-response":{{"status":"ok","version":"1.16.1","albumList2":{{"album":{}{}}}}}}}"#,
                "[".repeat(depth),
                "]".repeat(depth)
            );
            reply(&mut stream, "200 OK", json, body.as_bytes());
        }
        Fault::CutMidBody => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"subsonic-response\":{\"status\":\"ok\"");
            // Closed here, 4 960 bytes short.
        }
        Fault::Garbage => {
            let garbage: Vec<u8> = (0..100_000u32)
                .map(|i| u8::try_from(i * 7919 % 251).unwrap())
                .collect();
            reply(&mut stream, "200 OK", json, &garbage);
        }
        Fault::RedirectElsewhere => {
            let location = format!("http://127.0.0.1:{}{path}", server.elsewhere);
            let head = format!(
                "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes());
        }
        Fault::RedirectToFile => {
            let head = "HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            let _ = stream.write_all(head.as_bytes());
        }
    }
}

fn start_server(server: Arc<Server>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let server = Arc::clone(&server);
            std::thread::spawn(move || serve(stream, &server));
        }
    });
    port
}

/// The other host of the redirects: counts what reaches it.
fn start_elsewhere(hits: Arc<AtomicUsize>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            hits.fetch_add(1, Ordering::SeqCst);
            let _ = read_request(&mut stream);
            reply(&mut stream, "200 OK", "application/json", ALBUMS.as_bytes());
        }
    });
    port
}

fn rss_kib() -> u64 {
    status_field("VmRSS:")
}

/// Samples resident memory every 20 ms until dropped; `peak()` is the highest seen.
struct RssSampler {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl RssSampler {
    fn start() -> Self {
        let peak = Arc::new(AtomicU64::new(rss_kib()));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (Arc::clone(&peak), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                p.fetch_max(rss_kib(), Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        Self { peak, stop }
    }

    fn peak(&self) -> u64 {
        self.peak.load(Ordering::SeqCst)
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// How much more than at the start the process may hold while a fault plays out: the reply
/// cap (16 MiB) and what parsing it costs, with room for the allocator's habits.
const MAX_GROWTH_KIB: u64 = 96 * 1024;

/// Adds the server as a user would (password auth); its id.
fn save_server(main: &WebviewWindow<MockRuntime>, port: u16) -> String {
    let saved = invoke(
        main,
        "save_server",
        json!({ "server": {
            "id": "", "name": "Hostile", "baseUrl": format!("http://127.0.0.1:{port}"),
            "user": "ann", "auth": "password", "secret": PASSWORD,
            "certificatePin": null, "legacyPasswordAuth": false, "enabled": true
        }}),
    )
    .unwrap();
    saved["id"].as_str().unwrap().to_owned()
}

#[test]
fn a_hostile_server_gets_errors_not_memory_hangs_or_secrets() {
    let hits_elsewhere = Arc::new(AtomicUsize::new(0));
    let elsewhere = start_elsewhere(Arc::clone(&hits_elsewhere));
    let server = Arc::new(Server {
        fault: Mutex::new(Fault::None),
        elsewhere,
    });
    let port = start_server(Arc::clone(&server));

    let config = tempfile::tempdir().unwrap();
    let music = tempfile::tempdir().unwrap();
    let app = started_app(support::options(
        config.path(),
        Some(vec![music.path().to_owned()]),
    ));
    let main = window(&app, "main");
    let id = save_server(&main, port);
    let browse = {
        let main = main.clone();
        move || {
            invoke(
                &main,
                "browse_server",
                json!({ "server": id, "request": { "kind": "albums" } }),
            )
        }
    };
    let page = browse().unwrap();
    assert_eq!(page["albums"][0]["name"], "Fine Album", "{page}");

    let baseline = rss_kib();
    for fault in [
        Fault::Gigabyte,
        Fault::Endless,
        Fault::LoginPage,
        Fault::DeepNesting,
        Fault::CutMidBody,
        Fault::Garbage,
        Fault::RedirectElsewhere,
        Fault::RedirectToFile,
        Fault::Drip,
    ] {
        *server.fault.lock().unwrap() = fault;
        let sampler = RssSampler::start();
        let started = Instant::now();
        let call = std::thread::spawn(browse.clone());
        // The player answers while the browse is stuck on the server.
        let mut slowest = Duration::ZERO;
        while !call.is_finished() {
            let asked = Instant::now();
            invoke(&main, "get_snapshot", json!({})).unwrap();
            slowest = slowest.max(asked.elapsed());
            assert!(
                started.elapsed() < Duration::from_secs(40),
                "{fault:?}: the browse never ended"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let took = started.elapsed();
        let answer = call.join().unwrap();
        let peak = sampler.peak();
        eprintln!(
            "{fault:?}: {took:?}, peak memory +{} KiB, slowest snapshot {slowest:?}, answer {answer:?}",
            peak.saturating_sub(baseline)
        );
        let error = answer.expect_err("a hostile reply must not be shown as a page");
        let text = error.as_str().unwrap_or_default();
        assert!(!text.is_empty(), "{fault:?}: an empty error");
        assert!(
            !text.contains(PASSWORD),
            "{fault:?}: the password in {text}"
        );
        assert!(
            !text.contains("t=") && !text.contains("s="),
            "{fault:?}: credentials in {text}"
        );
        assert!(
            peak < baseline + MAX_GROWTH_KIB,
            "{fault:?}: memory peaked {} KiB above the start",
            peak - baseline
        );
        assert!(
            slowest < Duration::from_secs(1),
            "{fault:?}: the player took {slowest:?} to answer"
        );
    }
    assert_eq!(
        hits_elsewhere.load(Ordering::SeqCst),
        0,
        "a redirect took the app (and the credentials in its URL) to another host"
    );

    *server.fault.lock().unwrap() = Fault::None;
    let page = browse().unwrap();
    assert_eq!(
        page["albums"][0]["name"], "Fine Album",
        "browsing works again"
    );
}
