//! Streaming over real HTTP on loopback, against the fault-injecting server in `support`.
//!
//! Reads are blocking, so they run on `spawn_blocking`, each bounded by a generous timeout so
//! that a hang fails the test instead of the run.

mod support;

use std::io::{self, Read, Seek, SeekFrom};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lyrebird_core::certificate::CertificatePin;
use lyrebird_stream::{
    Cache, Location, Opened, Refresh, StreamError, StreamOptions, StreamReader, StreamRequest,
    Streamer,
};
use support::{Fault, TestServer, test_body, wait_until};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;
/// Upper bound for anything that should take well under a second; generous for a loaded CI.
const PATIENCE: Duration = Duration::from_secs(20);

fn options() -> StreamOptions {
    StreamOptions {
        prefetch_bytes: 64 * 1024,
        first_response_timeout: Duration::from_secs(10),
        // Long: tests that stall the server on purpose must not trigger stall reconnects.
        stall_timeout: Duration::from_secs(30),
        retry_budget: Duration::from_secs(2),
        max_bytes: lyrebird_stream::MAX_STREAM_BYTES,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn streamer() -> Streamer {
    Streamer::new(client(), None).with_options(options())
}

fn location(url: String) -> Location {
    Location {
        url,
        headers: Vec::new(),
        certificate_pin: None,
    }
}

fn request(url: String) -> StreamRequest {
    StreamRequest {
        location: location(url),
        cache_key: None,
        refresh: None,
    }
}

async fn open_remote(streamer: &Streamer, request: StreamRequest) -> StreamReader {
    match tokio::time::timeout(PATIENCE, streamer.open(request, CancellationToken::new()))
        .await
        .expect("open hung")
        .expect("open failed")
    {
        Opened::Remote(reader) => reader,
        Opened::Cached(path) => panic!("unexpected cache hit: {}", path.display()),
    }
}

/// Runs blocking reader work off the runtime, failing the test if it hangs.
///
/// A hung read cannot be interrupted, and the runtime's shutdown would wait for it forever, so
/// a hang ends the whole test process at once instead.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let Ok(result) = tokio::time::timeout(PATIENCE, tokio::task::spawn_blocking(work)).await else {
        eprintln!("a blocking read hung for {PATIENCE:?}; aborting the test run");
        std::process::exit(101);
    };
    result.unwrap()
}

async fn read_to_end(mut reader: StreamReader) -> (StreamReader, io::Result<Vec<u8>>) {
    blocking(move || {
        let mut data = Vec::new();
        let result = reader.read_to_end(&mut data).map(|_| data);
        (reader, result)
    })
    .await
}

async fn read_to_end_from(
    mut reader: StreamReader,
    offset: u64,
) -> (StreamReader, io::Result<Vec<u8>>) {
    blocking(move || {
        reader.seek(SeekFrom::Start(offset)).unwrap();
        let mut data = Vec::new();
        let result = reader.read_to_end(&mut data).map(|_| data);
        (reader, result)
    })
    .await
}

async fn read_exact_at(
    mut reader: StreamReader,
    offset: u64,
    len: usize,
) -> (StreamReader, Vec<u8>) {
    blocking(move || {
        reader.seek(SeekFrom::Start(offset)).unwrap();
        let mut data = vec![0; len];
        reader.read_exact(&mut data).unwrap();
        (reader, data)
    })
    .await
}

fn stream_error(error: &io::Error) -> &StreamError {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<StreamError>())
        .unwrap_or_else(|| panic!("not a StreamError: {error:?}"))
}

/// Asserts equality without printing megabytes on failure.
#[track_caller]
fn assert_same(actual: &[u8], expected: &[u8]) {
    assert_eq!(actual.len(), expected.len(), "length differs");
    if let Some(at) = actual.iter().zip(expected).position(|(a, e)| a != e) {
        panic!("bytes differ from offset {at}");
    }
}

struct TestRefresh {
    calls: AtomicUsize,
    answer: Result<Location, String>,
}

impl TestRefresh {
    fn new(answer: Result<Location, String>) -> Arc<Self> {
        Arc::new(Self {
            calls: AtomicUsize::new(0),
            answer,
        })
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl Refresh for TestRefresh {
    fn refresh(
        &self,
    ) -> Pin<Box<dyn std::future::Future<Output = Result<Location, String>> + Send>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let answer = self.answer.clone();
        Box::pin(async move { answer })
    }
}

#[test]
fn reader_is_send_sync_static() {
    fn check<T: Read + Seek + Send + Sync + 'static>() {}
    check::<StreamReader>();
}

/// 1. `open` returns after a small prefix, not after the whole file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opens_after_a_small_prefix() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    // The server sends 512 KiB, then holds the rest back until released.
    server.configure(|c| c.faults.push_back(Fault::StallAfter(512 * KIB as u64)));

    let reader = open_remote(&streamer(), request(server.url("t1"))).await;
    // `open` returned while the server still holds back 1.5 MiB: it did not wait for the file.
    assert_eq!(server.open_connections(), 1);
    assert_eq!(reader.content_length(), Some(2 * MIB as u64));
    assert_eq!(reader.content_type(), Some("audio/mpeg"));

    let (reader, prefix) = read_exact_at(reader, 0, 64 * KIB).await;
    assert_same(&prefix, &server.body()[..64 * KIB]);

    server.release_stalls();
    let (_, rest) = read_to_end(reader).await;
    assert_same(&rest.unwrap(), &server.body()[64 * KIB..]);
    assert_eq!(server.request_count(), 1);
}

/// 2. A seek into the part not downloaded yet issues `Range: bytes=N-`; the bytes are right,
/// and so is the whole file afterwards (the gap is filled with a bounded Range request).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seek_ahead_uses_a_range_request() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    server.configure(|c| c.faults.push_back(Fault::StallAfter(256 * KIB as u64)));
    let reader = open_remote(&streamer(), request(server.url("t1"))).await;

    let target = 1_500_000;
    let (reader, data) = read_exact_at(reader, target, 100_000).await;
    let target = usize::try_from(target).unwrap();
    assert_same(&data, &server.body()[target..target + 100_000]);
    let requests = server.requests();
    assert_eq!(requests[0].range, None);
    assert_eq!(requests[1].range.as_deref(), Some("bytes=1500000-"));

    let (_, all) = read_to_end_from(reader, 0).await;
    assert_same(&all.unwrap(), server.body());
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.range.as_deref().is_some_and(|r| r.ends_with("-1499999"))),
        "the gap before the seek target was fetched with a bounded range: {:?}",
        server.requests()
    );
}

/// 2b. After a seek ahead, seeking back and reading into the gap waits for the real bytes, even
/// while the range ahead is being written (stream-download alone would wake that read on the
/// writes ahead and return the hole: zeros).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_into_a_gap_waits_for_its_bytes() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    server.configure(|c| {
        c.faults.push_back(Fault::StallAfter(256 * KIB as u64));
        c.faults.push_back(Fault::StallAfter(200_000));
    });
    let reader = open_remote(&streamer(), request(server.url("t1"))).await;
    // Ahead: 1.5 MB.. is fetched up to 1.7 MB, then that response stalls too.
    let (reader, data) = read_exact_at(reader, 1_500_000, 100_000).await;
    assert_same(&data, &server.body()[1_500_000..1_600_000]);

    // Back to the start: reads pass 256 KiB and wait in the gap.
    let reading = tokio::spawn(read_to_end_from(reader, 0));
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The range ahead resumes (writes far past the waiting read), then the gap is filled.
    server.release_stalls();
    let (_, all) = reading.await.unwrap();
    assert_same(&all.unwrap(), server.body());
}

/// 3. A connection dropped mid-body is resumed with a Range request from where it stopped; the
/// reader sees the complete, identical file and no error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connection_resumes_with_range() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    server.configure(|c| c.faults.push_back(Fault::DropAfter(700_000)));
    let reader = open_remote(&streamer(), request(server.url("t1"))).await;

    let (_, data) = read_to_end(reader).await;
    assert_same(&data.unwrap(), server.body());
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[1].range.as_deref(), Some("bytes=700000-"));
}

/// 3b. Same, against a server without Range support: it answers the Range request with the
/// whole file (200), and the stream skips to where it stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connection_resumes_without_range_support() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    server.configure(|c| {
        c.ranges = false;
        c.faults.push_back(Fault::DropAfter(700_000));
    });
    let reader = open_remote(&streamer(), request(server.url("t1"))).await;

    let (_, data) = read_to_end(reader).await;
    assert_same(&data.unwrap(), server.body());
    assert_eq!(server.request_count(), 2);
}

/// 3c. Seeking without Range support still returns the right bytes (the whole file is fetched
/// again and the bytes before the target discarded).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seek_without_range_support_reads_the_right_bytes() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    server.configure(|c| {
        c.ranges = false;
        c.faults.push_back(Fault::StallAfter(256 * KIB as u64));
    });
    let reader = open_remote(&streamer(), request(server.url("t1"))).await;

    let (reader, data) = read_exact_at(reader, 1_500_000, 100_000).await;
    assert_same(&data, &server.body()[1_500_000..1_600_000]);
    let (_, all) = read_to_end_from(reader, 0).await;
    assert_same(&all.unwrap(), server.body());
}

/// 3d. A server that stops sending (connection open, no data) is detected after the stall
/// timeout and resumed with a Range request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_connection_is_resumed() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    server.configure(|c| c.faults.push_back(Fault::StallAfter(500_000)));
    let streamer = Streamer::new(client(), None).with_options(StreamOptions {
        stall_timeout: Duration::from_secs(1),
        ..options()
    });
    let reader = open_remote(&streamer, request(server.url("t1"))).await;

    let (_, data) = read_to_end(reader).await;
    assert_same(&data.unwrap(), server.body());
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.range.as_deref() == Some("bytes=500000-")),
        "{:?}",
        server.requests()
    );
}

/// 4. The URL expires (403 on the reconnect): `refresh` is called once, and the stream goes on
/// from the new URL, at the same offset, with the new location's headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_url_is_refreshed_and_resumed() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    server.configure(|c| {
        c.revoke_on_drop = true;
        c.faults.push_back(Fault::DropAfter(600_000));
    });
    let refresh = TestRefresh::new(Ok(Location {
        url: server.url("tok2"),
        headers: vec![("X-Token".into(), "second".into())],
        certificate_pin: None,
    }));
    let reader = open_remote(
        &streamer(),
        StreamRequest {
            location: Location {
                url: server.url("tok1"),
                headers: vec![("X-Token".into(), "first".into())],
                certificate_pin: None,
            },
            cache_key: None,
            refresh: Some(refresh.clone()),
        },
    )
    .await;

    let (_, data) = read_to_end(reader).await;
    assert_same(&data.unwrap(), server.body());
    assert_eq!(refresh.calls(), 1);
    let requests = server.requests();
    let seen: Vec<_> = requests
        .iter()
        .map(|r| (r.path.as_str(), r.range.as_deref(), r.header("x-token")))
        .collect();
    assert_eq!(
        seen,
        [
            ("/track/tok1", None, Some("first")),
            ("/track/tok1", Some("bytes=600000-"), Some("first")),
            ("/track/tok2", Some("bytes=600000-"), Some("second")),
        ]
    );
}

/// 4b. If the refresh fails, reads end with that error (no hang).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_refresh_ends_reads_with_an_error() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    server.configure(|c| {
        c.revoke_on_drop = true;
        c.faults.push_back(Fault::DropAfter(600_000));
    });
    let refresh = TestRefresh::new(Err("account disabled".into()));
    let reader = open_remote(
        &streamer(),
        StreamRequest {
            refresh: Some(refresh.clone()),
            ..request(server.url("tok1"))
        },
    )
    .await;

    let started = Instant::now();
    let (_, result) = read_to_end(reader).await;
    let error = result.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        matches!(stream_error(&error), StreamError::RefreshFailed(reason) if reason == "account disabled"),
        "{error}"
    );
    assert_eq!(refresh.calls(), 1);
}

/// 4c. A refresh that yields another expired URL ends the stream; no refresh loop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_to_an_expired_url_fails_without_looping() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    server.configure(|c| {
        c.revoke_on_drop = true;
        c.faults.push_back(Fault::DropAfter(600_000));
    });
    let refresh = TestRefresh::new(Ok(location(server.url("expired"))));
    let reader = open_remote(
        &streamer(),
        StreamRequest {
            refresh: Some(refresh.clone()),
            ..request(server.url("tok1"))
        },
    )
    .await;

    let (_, result) = read_to_end(reader).await;
    let error = result.unwrap_err();
    assert!(
        matches!(stream_error(&error), StreamError::Status { status: 403 }),
        "{error}"
    );
    assert_eq!(refresh.calls(), 1);
}

/// 5. A server that keeps failing after a drop: reads fail once the retry budget (2 s here) is
/// spent, with the last error, instead of hanging.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_server_errors_fail_reads_in_bounded_time() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    server.configure(|c| {
        c.faults.push_back(Fault::DropAfter(300_000));
        c.default_fault = Fault::Status(500);
    });
    let reader = open_remote(&streamer(), request(server.url("t1"))).await;

    let started = Instant::now();
    let (_, result) = read_to_end(reader).await;
    let error = result.unwrap_err();
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}");
    match stream_error(&error) {
        StreamError::GaveUp { last, .. } => {
            assert!(
                matches!(**last, StreamError::Status { status: 500 }),
                "{error}"
            );
        }
        other => panic!("expected GaveUp, got {other}"),
    }
    assert!(server.request_count() > 2, "it retried");
}

/// 5a. A server that drops every connection after a byte (a hostile one, or one on a dying
/// link) gets reconnects with growing pauses, not at network speed; a byte a connection is not
/// progress, so the retry budget runs out and reads fail with the last error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_byte_per_connection_gets_paced_reconnects_then_fails() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    server.configure(|c| {
        c.faults.push_back(Fault::DropAfter(300_000));
        c.default_fault = Fault::DropAfter(1);
    });
    let reader = open_remote(&streamer(), request(server.url("t1"))).await;

    let started = Instant::now();
    let (_, result) = read_to_end(reader).await;
    let error = result.unwrap_err();
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}");
    assert!(
        matches!(stream_error(&error), StreamError::GaveUp { .. }),
        "{error}"
    );
    // Within the 2 s budget the pauses (0.2, 0.4, 0.8 s, ...) leave room for a handful of
    // reconnects; without them there were thousands.
    let requests = server.request_count();
    assert!((2..=8).contains(&requests), "{requests} requests");
}

/// 5b. The server disappears entirely (connections closed, port refused): reads fail in
/// bounded time with "connection refused".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vanished_server_fails_reads_in_bounded_time() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    server.configure(|c| c.faults.push_back(Fault::StallAfter(300_000)));
    let reader = open_remote(&streamer(), request(server.url("t1"))).await;
    let (reader, _) = read_exact_at(reader, 0, 100_000).await;

    server.shutdown().await;
    let started = Instant::now();
    let (_, result) = read_to_end(reader).await;
    let error = result.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused, "{error}");
    assert!(error.to_string().contains("connection refused"), "{error}");
}

/// 5c. Cancelling the token stops the download: the server sees its connection closed, and
/// reads end with an error rather than waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_closes_the_connection() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    server.configure(|c| c.faults.push_back(Fault::StallAfter(300_000)));
    let cancel = CancellationToken::new();
    let Opened::Remote(reader) = streamer()
        .open(request(server.url("t1")), cancel.clone())
        .await
        .unwrap()
    else {
        panic!("cache hit without a cache")
    };
    assert_eq!(server.open_connections(), 1);

    cancel.cancel();
    assert!(
        wait_until(PATIENCE, || server.open_connections() == 0).await,
        "connection still open after cancel"
    );
    let (_, result) = read_to_end(reader).await;
    let error = result.unwrap_err();
    assert!(
        matches!(stream_error(&error), StreamError::Cancelled),
        "{error}"
    );
    assert_ne!(error.kind(), io::ErrorKind::Interrupted);
}

/// 5d. Dropping the reader stops the download too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_reader_closes_the_connection() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    server.configure(|c| c.faults.push_back(Fault::StallAfter(300_000)));
    let reader = open_remote(&streamer(), request(server.url("t1"))).await;
    assert_eq!(server.open_connections(), 1);

    drop(reader);
    assert!(
        wait_until(PATIENCE, || server.open_connections() == 0).await,
        "connection still open after the reader was dropped"
    );
}

/// 6. A complete download goes into the cache; opening the same key again makes no request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complete_download_is_cached_and_reopened_offline() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"), 10 * MIB as u64).unwrap();
    let streamer = Streamer::new(client(), Some(cache.clone())).with_options(options());
    let server = TestServer::start(test_body(400 * KIB)).await;
    let key = "subsonic:server1:track42:original";
    let cached_request = || StreamRequest {
        cache_key: Some(key.into()),
        ..request(server.url("t1"))
    };

    let Opened::Remote(reader) = streamer
        .open(cached_request(), CancellationToken::new())
        .await
        .unwrap()
    else {
        panic!("empty cache had a hit")
    };
    let (reader, data) = read_to_end(reader).await;
    assert_same(&data.unwrap(), server.body());
    assert!(
        wait_until(PATIENCE, || cache.total_bytes() == 400 * KIB as u64).await,
        "not cached"
    );
    drop(reader);

    let requests = server.request_count();
    let Opened::Cached(path) = streamer
        .open(cached_request(), CancellationToken::new())
        .await
        .unwrap()
    else {
        panic!("second open went to the network")
    };
    assert_same(&std::fs::read(&path).unwrap(), server.body());
    assert_eq!(
        server.request_count(),
        requests,
        "no request for a cached track"
    );

    // The stream's buffer file is gone once its reader is.
    let cache_dir = dir.path().join("cache");
    assert!(
        wait_until(PATIENCE, || temp_files(&cache_dir) == 0).await,
        "buffer left behind"
    );
}

/// 6a'. A body without Content-Length (not chunked) ends when the connection closes, so a cut
/// one looks complete: it is played, but never cached as complete (it would be cut for good).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_without_length_is_never_cached_as_complete() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"), 10 * MIB as u64).unwrap();
    let streamer = Streamer::new(client(), Some(cache.clone())).with_options(options());
    let server = TestServer::start(test_body(400 * KIB)).await;
    server.configure(|c| {
        c.length = false;
        c.ranges = false;
        c.faults.push_back(Fault::DropAfter(100 * KIB as u64));
    });
    let cached_request = || StreamRequest {
        cache_key: Some("no-length".into()),
        ..request(server.url("t1"))
    };
    for _ in 0..2 {
        let Opened::Remote(reader) = streamer
            .open(cached_request(), CancellationToken::new())
            .await
            .unwrap()
        else {
            panic!("a body of unknown length was cached")
        };
        let (reader, _) = read_to_end(reader).await;
        drop(reader);
    }
    // The first was cut at 100 KiB, the second was whole: neither is cached.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(cache.total_bytes(), 0);
    assert_eq!(server.request_count(), 2);
}

/// 6b. A partial download is never cached, and its buffer is deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_download_is_not_cached() {
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join("cache");
    let cache = Cache::new(cache_dir.clone(), 10 * MIB as u64).unwrap();
    let streamer = Streamer::new(client(), Some(cache.clone())).with_options(options());
    let server = TestServer::start(test_body(2 * MIB)).await;
    server.configure(|c| c.faults.push_back(Fault::StallAfter(300_000)));
    let request = || StreamRequest {
        cache_key: Some("k".into()),
        ..request(server.url("t1"))
    };

    let reader = open_remote(&streamer, request()).await;
    let (reader, _) = read_exact_at(reader, 0, 100_000).await;
    assert_eq!(
        temp_files(&cache_dir),
        1,
        "the buffer lives in the cache dir"
    );
    drop(reader);
    assert!(wait_until(PATIENCE, || temp_files(&cache_dir) == 0).await);
    assert_eq!(cache.total_bytes(), 0);

    // Still not cached: this goes to the network.
    open_remote(&streamer, request()).await;
    assert_eq!(server.request_count(), 2);
}

/// A server that never stops sending: a chunked body, or one without length that ends only
/// when the connection closes. Returns its address and a counter of the connections that
/// ended (the client hung up).
async fn endless_server(chunked: bool) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let ended = Arc::new(AtomicUsize::new(0));
    let ended_ = Arc::clone(&ended);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let ended = Arc::clone(&ended_);
            tokio::spawn(async move {
                let mut head = vec![0; 4096];
                let _ = socket.read(&mut head).await;
                let framing = if chunked {
                    "Transfer-Encoding: chunked\r\n"
                } else {
                    "Connection: close\r\n"
                };
                let head = format!("HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\n{framing}\r\n");
                let data = vec![0x55_u8; 64 * KIB];
                let mut chunk = Vec::new();
                if chunked {
                    chunk.extend_from_slice(format!("{:x}\r\n", data.len()).as_bytes());
                    chunk.extend_from_slice(&data);
                    chunk.extend_from_slice(b"\r\n");
                } else {
                    chunk = data;
                }
                if socket.write_all(head.as_bytes()).await.is_ok() {
                    while socket.write_all(&chunk).await.is_ok() {}
                }
                ended.fetch_add(1, Ordering::SeqCst);
            });
        }
    });
    (addr, ended)
}

/// 6c. A server that never ends its body (chunked, or close-delimited) is cut at
/// `max_bytes`: reads end with `TooLarge`, the connection is closed, the buffer file is
/// deleted and nothing is cached. A Content-Length above the cap is refused at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_body_is_cut_at_the_cap_and_leaves_nothing() {
    const CAP: u64 = 2 * MIB as u64;
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join("cache");
    let cache = Cache::new(cache_dir.clone(), 100 * MIB as u64).unwrap();
    let streamer = Streamer::new(client(), Some(cache.clone())).with_options(StreamOptions {
        max_bytes: CAP,
        ..options()
    });
    for chunked in [true, false] {
        let (addr, ended) = endless_server(chunked).await;
        let request = StreamRequest {
            cache_key: Some(format!("endless-{chunked}")),
            ..request(format!("http://{addr}/endless"))
        };
        let reader = open_remote(&streamer, request).await;
        let (reader, result) = read_to_end(reader).await;
        let error = result.expect_err("an endless body must fail");
        assert!(
            matches!(stream_error(&error), StreamError::TooLarge { limit } if *limit == CAP),
            "chunked {chunked}: {error}"
        );
        assert!(error.to_string().contains("2 MiB"), "{error}");
        assert!(
            wait_until(PATIENCE, || ended.load(Ordering::SeqCst) == 1).await,
            "chunked {chunked}: the connection was not closed"
        );
        drop(reader);
        assert!(
            wait_until(PATIENCE, || temp_files(&cache_dir) == 0).await,
            "chunked {chunked}: buffer left behind"
        );
        assert_eq!(cache.total_bytes(), 0);
    }

    // A length above the cap: refused before a byte is buffered.
    let server = TestServer::start(test_body(3 * MIB)).await;
    let error = streamer
        .open(request(server.url("t1")), CancellationToken::new())
        .await
        .expect_err("a file above the cap must be refused");
    assert!(
        matches!(error, StreamError::TooLarge { limit } if limit == CAP),
        "{error}"
    );
    assert_eq!(temp_files(&cache_dir), 0);
}

fn temp_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".tmp-")
        })
        .count()
}

/// 7. A non-2xx first response is an error with the status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_status_on_first_request() {
    let server = TestServer::start(test_body(KIB)).await;
    for status in [500, 404] {
        server.configure(|c| c.faults.push_back(Fault::Status(status)));
        let error = streamer()
            .open(request(server.url("t1")), CancellationToken::new())
            .await
            .unwrap_err();
        assert!(
            matches!(error, StreamError::Status { status: s } if s == status),
            "{error}"
        );
    }
    let error = streamer()
        .open(request(server.url("expired")), CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "the server answered HTTP 403 Forbidden");
}

/// 7b. A web page where audio was expected is a clear error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_instead_of_audio_is_rejected() {
    let server = TestServer::start(test_body(KIB)).await;
    server.configure(|c| c.content_type = "text/html; charset=utf-8".into());
    let error = streamer()
        .open(request(server.url("t1")), CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, StreamError::NotAudio { content_type, said: None } if content_type == "text/html"),
        "{error}"
    );
    assert!(error.to_string().contains("instead of audio"));
}

/// 7b'. An API's error where audio was expected: the error the server gave is read from the
/// body (supysonic answers a stream of a deleted song with 200 and a JSON error).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_body_is_read_not_guessed_at() {
    let body = br#"{"error": {"code": 70, "message": "Track not found"}}"#.to_vec();
    let server = TestServer::start(body).await;
    server.configure(|c| c.content_type = "application/json".into());
    let error = streamer()
        .open(request(server.url("t1")), CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, StreamError::NotAudio { said: Some(said), .. } if said == "Track not found (error 70)"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the server answered with an error instead of audio: Track not found (error 70)"
    );
}

/// 7c. Nothing listening: "connection refused", at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_refused_on_first_request() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let error = streamer()
        .open(
            request(format!("http://{addr}/track/t1?token=secret")),
            CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&error, StreamError::ConnectionRefused { host } if *host == addr.to_string()),
        "{error}"
    );
    assert!(!error.to_string().contains("secret"), "leaks the query");
}

/// 7d. A server that does not answer in time: a timeout error, not a hang.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_first_response_times_out() {
    let server = TestServer::start(test_body(KIB)).await;
    server.configure(|c| c.faults.push_back(Fault::Delay(Duration::from_secs(30))));
    let streamer = Streamer::new(client(), None).with_options(StreamOptions {
        first_response_timeout: Duration::from_millis(500),
        ..options()
    });
    let started = Instant::now();
    let error = streamer
        .open(request(server.url("t1")), CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(error, StreamError::Timeout), "{error}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// 7e. Certificates are verified: a self-signed certificate is a TLS error — unless the
/// location is pinned to exactly that certificate (the user trusted it for that server); a pin
/// to another certificate is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_certificate_is_a_tls_error() {
    const CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUNRxO4s+9bEQPcHtiF3vhrwoFsREwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyODIxMzgyMloYDzIxMjYxMTA0
MjEzODIyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQL0pYUHAa6+MOGLC/KTqiKx1uohNVdcfJTVI6z81HR6EJcPFBqTZp0
VMpeOoUizlf2J5xgok6wvenpyi+DotzIo28wbTAdBgNVHQ4EFgQUhszygEidO4bJ
xWU4laiZ2KcR1IIwHwYDVR0jBBgwFoAUhszygEidO4bJxWU4laiZ2KcR1IIwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSAAwRQIgXFoYL7JAlDuzQEbYvsqWiJGXgx8ShQeopjxjwTp5rywCIQDF
xOeRH2R/4aUULlUEDBq1polHmQ6/GQHZVW0N7zR+xQ==
-----END CERTIFICATE-----
";
    const KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg2uRP7pIKYUU9b9+q
dxt77cGoJlWoPURpS4OQPCJUoYShRANCAAQL0pYUHAa6+MOGLC/KTqiKx1uohNVd
cfJTVI6z81HR6EJcPFBqTZp0VMpeOoUizlf2J5xgok6wvenpyi+DotzI
-----END PRIVATE KEY-----
";
    let identity = native_tls::Identity::from_pkcs8(CERT.as_bytes(), KEY.as_bytes()).unwrap();
    let acceptor =
        tokio_native_tls::TlsAcceptor::from(native_tls::TlsAcceptor::new(identity).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let body = test_body(96 * 1024);
    let file = body.clone();
    let server = tokio::spawn(async move {
        // Handshakes until the test ends; a distrusting client aborts them, a lenient one gets
        // the file.
        while let Ok((socket, _)) = listener.accept().await {
            let Ok(mut tls) = acceptor.accept(socket).await else {
                continue;
            };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && tls.read(&mut byte).await.is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: audio/flac\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                file.len()
            );
            let _ = tls.write_all(reply.as_bytes()).await;
            let _ = tls.write_all(&file).await;
            let _ = tls.shutdown().await;
        }
    });
    let url = format!("https://127.0.0.1:{}/track/t1", addr.port());
    // `openssl x509 -noout -fingerprint -sha256` of CERT.
    let pin: CertificatePin =
        "06:C3:57:36:81:CD:65:41:C3:0B:77:15:65:99:A1:8F:7A:4E:DB:D6:C8:A4:02:F0:C2:E1:53:1E:3B:B1:D2:7B"
            .parse()
            .unwrap();

    let error = streamer()
        .open(request(url.clone()), CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(error, StreamError::Tls(_)), "{error:?}");
    // OpenSSL's wording; other platforms' TLS libraries word it differently.
    #[cfg(target_os = "linux")]
    assert!(
        error.to_string().contains("certificate verify failed"),
        "{error}"
    );

    // A location pinned to another certificate (renewed, or a machine in the middle) is
    // refused and names the certificate it met.
    let mut other = request(url.clone());
    other.location.certificate_pin = Some(CertificatePin::of_certificate(b"another one"));
    let error = streamer()
        .open(other, CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(error, StreamError::Tls(_)), "{error:?}");
    assert!(
        error.to_string().contains("not the one you trusted")
            && error.to_string().contains(&pin.fingerprint()),
        "{error}"
    );

    // The location pinned to the server's certificate plays.
    let mut trusted = request(url);
    trusted.location.certificate_pin = Some(pin);
    let reader = open_remote(&streamer(), trusted).await;
    let (_reader, bytes) = read_to_end(reader).await;
    server.abort();
    assert!(bytes.unwrap() == body, "the file arrived whole");
}

/// 8. The location's headers go with every request: the first, Range reconnects and seeks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn location_headers_are_sent_on_every_request() {
    let server = TestServer::start(test_body(2 * MIB)).await;
    // Dropped at 200 kB, then the reconnect stalls at 300 kB, so the seek needs a request.
    server.configure(|c| {
        c.faults.push_back(Fault::DropAfter(200_000));
        c.faults.push_back(Fault::StallAfter(100_000));
    });
    let headers = vec![
        ("Authorization".to_owned(), "Bearer s3cret".to_owned()),
        ("X-Lyrebird-Client".to_owned(), "tests".to_owned()),
    ];
    let reader = open_remote(
        &streamer(),
        StreamRequest {
            location: Location {
                url: server.url("t1"),
                headers,
                certificate_pin: None,
            },
            cache_key: None,
            refresh: None,
        },
    )
    .await;
    // Seek only once the reconnect is under way, so that it is the one that stalls.
    assert!(wait_until(PATIENCE, || server.request_count() >= 2).await);
    let (reader, _) = read_exact_at(reader, 1_800_000, 1000).await;
    let (_, all) = read_to_end_from(reader, 0).await;
    assert_same(&all.unwrap(), server.body());

    let requests = server.requests();
    assert!(
        requests.len() >= 4,
        "first, reconnect, seek, gap: {requests:?}"
    );
    assert!(requests.iter().skip(1).all(|r| r.range.is_some()));
    for r in &requests {
        assert_eq!(r.header("authorization"), Some("Bearer s3cret"), "{r:?}");
        assert_eq!(r.header("x-lyrebird-client"), Some("tests"), "{r:?}");
    }
}

/// A file smaller than the prefetch (a short clip, a low-rate MP3): it is whole by the time
/// `open` returns; reading it, seeking to its end and back (as a decoder looking for `ID3v1`
/// tags does) and reading it again give its bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_smaller_than_the_prefetch_reads_whole_with_seeks() {
    let server = TestServer::start(test_body(40 * KIB)).await;
    let reader = open_remote(&streamer(), request(server.url("small"))).await;
    assert_eq!(reader.content_length(), Some(40 * KIB as u64));
    let body = server.body().to_vec();
    let (reader, tail) = blocking(move || {
        let mut reader = reader;
        let end = reader.seek(SeekFrom::End(-128)).unwrap();
        let mut tail = vec![0; 128];
        reader.read_exact(&mut tail).unwrap();
        assert_eq!(end, 40 * KIB as u64 - 128);
        (reader, tail)
    })
    .await;
    assert_same(&tail, &body[body.len() - 128..]);
    let (_, all) = read_to_end_from(reader, 0).await;
    assert_same(&all.unwrap(), &body);
}
