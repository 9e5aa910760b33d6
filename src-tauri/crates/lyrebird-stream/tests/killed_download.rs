//! `kill -9` in the middle of a download (issue #17, crash safety): a child process streams a
//! throttled track into the on-disk cache and is killed when a quarter has arrived. The next
//! start (`Cache::new` on the same folder) finds what it left — a `.tmp-*` buffer — and
//! deletes it; the track downloaded whole before the kill is still there, byte for byte; the
//! interrupted one is not in the cache as if complete.
#![cfg(unix)]

#[allow(dead_code)] // shared with stream.rs; this test uses a part
mod support;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use lyrebird_core::certificate::CertificatePin;
use lyrebird_stream::{Cache, Location, Opened, StreamRequest, Streamer};
use support::{TestServer, test_body};
use tokio_util::sync::CancellationToken;

const CHILD: &str = "LYREBIRD_KILLED_DOWNLOAD_CHILD";
const MIB: usize = 1 << 20;

fn request(url: String, key: &str) -> StreamRequest {
    StreamRequest {
        location: Location {
            url,
            headers: Vec::new(),
            certificate_pin: None::<CertificatePin>,
        },
        cache_key: Some(key.into()),
        refresh: None,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn temp_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
        .count()
}

/// The child: stream the URL into the cache, say "READY" once a quarter is read, then keep
/// reading slowly until killed.
fn child() {
    let url = std::env::var("LYREBIRD_KILLED_URL").unwrap();
    let dir = PathBuf::from(std::env::var("LYREBIRD_KILLED_CACHE").unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let cache = Cache::new(dir, 64 * MIB as u64).unwrap();
        let streamer = Streamer::new(client(), Some(cache));
        let Opened::Remote(mut reader) = streamer
            .open(request(url, "killed"), CancellationToken::new())
            .await
            .unwrap()
        else {
            panic!("a cache hit for a track never downloaded");
        };
        tokio::task::spawn_blocking(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let mut read = 0;
            let mut told = false;
            loop {
                let n = reader.read(&mut buf).unwrap();
                assert!(n > 0, "the download ended before the kill");
                read += n;
                if !told && read >= MIB / 2 {
                    println!("READY");
                    told = true;
                }
            }
        })
        .await
        .unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_killed_midway_leaves_nothing_and_loses_nothing() {
    if std::env::var(CHILD).is_ok() {
        // Its own runtime, on a thread outside this one's.
        std::thread::spawn(child).join().unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join("cache");

    // A track downloaded whole before the crash.
    let whole = TestServer::start(test_body(MIB)).await;
    let cache = Cache::new(cache_dir.clone(), 64 * MIB as u64).unwrap();
    let streamer = Streamer::new(client(), Some(cache.clone()));
    let Opened::Remote(mut reader) = streamer
        .open(request(whole.url("w"), "whole"), CancellationToken::new())
        .await
        .unwrap()
    else {
        panic!("an empty cache had a hit");
    };
    let kept = tokio::task::spawn_blocking(move || {
        let mut data = Vec::new();
        reader.read_to_end(&mut data).unwrap();
        data
    })
    .await
    .unwrap();
    assert_eq!(kept, whole.body());
    assert!(
        support::wait_until(Duration::from_secs(10), || cache.get("whole").is_some()).await,
        "the whole track was not cached"
    );
    drop(streamer);

    // The track the child is downloading when it is killed: 4 MiB at 16 KiB every 10 ms.
    let slow = TestServer::start(test_body(4 * MIB)).await;
    slow.configure(|c| c.chunk_delay = Some(Duration::from_millis(10)));
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_download_killed_midway_leaves_nothing_and_loses_nothing",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .env("LYREBIRD_KILLED_URL", slow.url("k"))
        .env("LYREBIRD_KILLED_CACHE", &cache_dir)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let ready = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| line == "READY")
    });
    assert!(
        tokio::time::timeout(Duration::from_mins(1), ready)
            .await
            .expect("the child never got a quarter of the track")
            .unwrap(),
        "the child ended without reading"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // What the kill left: the download's buffer (else this test proves nothing).
    assert!(
        temp_files(&cache_dir) >= 1,
        "the kill left no buffer to clean"
    );

    // The next start.
    let cache = Cache::new(cache_dir.clone(), 64 * MIB as u64).unwrap();
    assert_eq!(temp_files(&cache_dir), 0, "the buffer outlived the restart");
    let path = cache.get("whole").expect("the whole track survived");
    assert_eq!(std::fs::read(path).unwrap(), whole.body());
    assert!(
        cache.get("killed").is_none(),
        "a cut download was taken for a whole one"
    );
    // Everything in the folder is an entry of the cache (its index, its files).
    let total: u64 = std::fs::read_dir(&cache_dir)
        .unwrap()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len())
        .sum();
    assert!(
        total < 2 * MIB as u64,
        "{total} bytes in the cache folder: more than the one whole track"
    );
}
