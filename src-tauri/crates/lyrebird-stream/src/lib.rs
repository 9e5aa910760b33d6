//! Lyrebird's HTTP streaming: play a remote track while it downloads.
//!
//! [`Streamer::open`] sends the first request, starts a download task and returns once a small
//! prefix is buffered, handing back a [`StreamReader`]: a blocking `Read + Seek` that the audio
//! thread's decoder (symphonia) reads from. A track already in the on-disk [`Cache`] is returned
//! as a path instead, without touching the network.
//!
//! # Design
//!
//! - **Buffering is stream-download's.** Its `StreamDownload` runs the download task, tracks which
//!   ranges are downloaded, blocks readers until their bytes arrive, turns a seek into the
//!   undownloaded part into a new range, and fills the gaps a seek left behind. We use none of its
//!   optional features: its HTTP client (`HttpStream`) cannot add per-request headers, refresh an
//!   expired URL, or retry a failed Range request (a failed `seek_range` ends its download), so
//!   the HTTP side is ours (`source.rs`, a custom `SourceStream`). The storage is ours too
//!   (`buffer.rs`, a temporary file that records exactly which bytes it holds): with its
//!   `TempStorageProvider`, a read waiting in a gap behind the range being downloaded is woken
//!   by the writes ahead of it and returns the gap's zeros.
//! - **The first request is asked once more when its connection was lost before any reply**
//!   (reset, closed early: the keep-alive race of a pooled connection), at once and within
//!   the same time limit, as the NetEase client does (`lyrebird_tls::Lost` tells them apart).
//!   Nothing else about the first request is retried: a refusal, a timeout or a status is
//!   the caller's to act on.
//! - **Recovery is in one place**, the source's driver (`source.rs`): when a body fails, ends
//!   early or stalls, it reconnects with `Range: bytes=N-` from the byte it stopped at; on
//!   401/403/404/410 it asks the owner's [`Refresh`] for a new [`Location`] (once per failure
//!   episode) and continues at the same offset. Transient failures are retried with backoff for
//!   at most [`StreamOptions::retry_budget`] without any byte received; then the stream fails and
//!   every read returns that [`StreamError`]. Nothing hangs: every request has a timeout, and
//!   every wait also watches the cancellation token.
//! - **Each request builds its own headers** from the current [`Location`], so Range reconnects
//!   carry the same credentials, and a refreshed location's headers replace the old ones.
//!   Header values are marked sensitive and never logged; logs name headers and the host only
//!   (paths and queries may hold tokens).
//! - **Caching happens only for complete downloads**: when the download task finishes with every
//!   byte (stream-download only reports completion once no gap is left; for files of unknown
//!   length, only when no seek happened), the buffer is copied into the cache under a temporary
//!   name and renamed. With a cache, stream buffers live in the cache directory under the same
//!   temporary prefix, so a crash leaves nothing that the next [`Cache::new`] does not delete.
//! - **A stream is bounded**: a body going past [`StreamOptions::max_bytes`] (2 GiB by default;
//!   an endless chunked or close-delimited body from a hostile server) fails the stream with
//!   [`StreamError::TooLarge`], and a Content-Length above it is refused at open. The buffer
//!   file goes with the reader, and a crash's leftovers with the next [`Cache::new`].
//! - **Servers without Range support** answer a Range request with the whole file (200); the
//!   driver then discards bytes up to the offset. Reconnects and seeks stay correct, only slower.
//!
//! `open` must be called inside a Tokio runtime; the download task runs on it.

mod buffer;
mod cache;
mod error;
mod reader;
pub mod said;
mod source;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use lyrebird_tls::CertificatePin;
use stream_download::{Settings, StreamDownload, StreamInitializationError, StreamPhase};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info};

use crate::buffer::BufferProvider;
pub use crate::cache::Cache;
pub use crate::error::StreamError;
pub use crate::reader::StreamReader;
use crate::source::{CacheTarget, HttpSource, Shared};

/// Where to fetch a track: URL plus the headers this request needs (each request builds its own
/// headers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// Absolute `http` or `https` URL.
    pub url: String,
    /// Sent with every request of the stream, including Range reconnects. Values are treated as
    /// secrets.
    pub headers: Vec<(String, String)>,
    /// The one certificate to accept, whoever issued it (the user trusted it for this
    /// server): the stream then gets a client of its own that accepts that certificate and no
    /// other. `None`: the streamer's shared client, verified by the system's authorities.
    pub certificate_pin: Option<CertificatePin>,
}

/// Asks the owner (the player actor) for a fresh [`Location`] when the old URL expired (HTTP
/// 401/403/404/410 on a reconnect or Range request).
pub trait Refresh: Send + Sync + 'static {
    /// A new location for the same file. `Err` carries a user-readable reason.
    fn refresh(&self) -> Pin<Box<dyn Future<Output = Result<Location, String>> + Send>>;
}

/// What to open.
pub struct StreamRequest {
    /// Where the file is now.
    pub location: Location,
    /// Key in the [`Cache`] (e.g. `"subsonic:server1:track42:original"`); `None` to not cache.
    pub cache_key: Option<String>,
    /// How to renew an expired URL; `None` makes an expired URL a terminal error.
    pub refresh: Option<Arc<dyn Refresh>>,
}

/// Tuning of [`Streamer`]. The defaults suit a player on a home or mobile connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamOptions {
    /// Bytes buffered before [`Streamer::open`] returns (and after a seek, before reads resume).
    /// Default 128 KiB: about 3 s of 320 kbit/s MP3, a second of FLAC.
    pub prefetch_bytes: u64,
    /// How long the first request may take to get a response head. Default 15 s: servers that
    /// transcode may think before answering.
    pub first_response_timeout: Duration,
    /// How long a reconnect may wait for a response head, and how long a body may send nothing
    /// before it is considered stalled and reconnected. Default 5 s.
    pub stall_timeout: Duration,
    /// How long failures may go on, with no byte received, before the stream gives up and reads
    /// fail. Default 12 s.
    pub retry_budget: Duration,
    /// The most bytes one stream may hold: a body that goes past this offset (a server sending
    /// an endless chunked or close-delimited body), or a Content-Length above it, fails the
    /// stream with [`StreamError::TooLarge`]. The buffer file lives on disk, so this bounds the
    /// disk a hostile server can fill. Default [`MAX_STREAM_BYTES`].
    pub max_bytes: u64,
}

/// The default [`StreamOptions::max_bytes`]: 2 GiB. Far above any one track people stream:
/// 2 GiB is 15 h of 320 kbit/s MP3, 4½ h of CD-quality FLAC (about 1 Mbit/s), 1½ h of 24-bit
/// 96 kHz FLAC (about 3 Mbit/s) and still 50 min of 24-bit 192 kHz FLAC (about 5.5 Mbit/s);
/// and twice the default audio cache, which could not keep a larger file anyway.
pub const MAX_STREAM_BYTES: u64 = 2 << 30;

impl Default for StreamOptions {
    fn default() -> Self {
        Self {
            prefetch_bytes: 128 * 1024,
            first_response_timeout: Duration::from_secs(15),
            stall_timeout: Duration::from_secs(5),
            retry_budget: Duration::from_secs(12),
            max_bytes: MAX_STREAM_BYTES,
        }
    }
}

/// A client for one stream from a server whose certificate the user trusted: that certificate
/// only, redirects to the same server only. Made per stream (a few microseconds); its
/// reconnects reuse it.
fn pinned_client(pin: CertificatePin) -> Result<reqwest::Client, StreamError> {
    lyrebird_tls::pinned_client_builder(pin)
        .map_err(|e| StreamError::Tls(e.to_string()))?
        .build()
        .map_err(|e| StreamError::Tls(e.to_string()))
}

/// Opens streams: one shared HTTP client and an optional cache.
#[derive(Clone, Debug)]
pub struct Streamer {
    client: reqwest::Client,
    cache: Option<Cache>,
    options: StreamOptions,
}

/// An opened track.
#[derive(Debug)]
pub enum Opened {
    /// Complete in the cache: read the file directly.
    Cached(PathBuf),
    /// Downloading: read while it downloads.
    Remote(StreamReader),
}

impl Streamer {
    /// A streamer with default [`StreamOptions`]. `client` should be shared by the whole app
    /// (connection pool, TLS configuration); it must not disable certificate checks.
    #[must_use]
    pub fn new(client: reqwest::Client, cache: Option<Cache>) -> Self {
        if cache.is_none() {
            remove_dead_runs_buffers(&std::env::temp_dir());
        }
        Self {
            client,
            cache,
            options: StreamOptions::default(),
        }
    }

    /// The same streamer with other options.
    #[must_use]
    pub fn with_options(mut self, options: StreamOptions) -> Self {
        self.options = options;
        self
    }

    /// The cache, if any.
    #[must_use]
    pub fn cache(&self) -> Option<&Cache> {
        self.cache.as_ref()
    }

    /// Opens a stream: returns once a small prefix is buffered (so playback can start), or at
    /// once from the cache.
    ///
    /// Errors of the first request are returned as they are (no retry): HTTP status, connection
    /// refused, timeout, TLS, a web page instead of audio. The one exception is a connection
    /// lost before any reply (reset, closed early: a pooled connection the server had given
    /// up on), which is asked once more at once within the same time limit; lost twice, it is
    /// [`StreamError::Network`] saying so. Cancelling `cancel` (now or later) stops the
    /// download and closes its connection.
    pub async fn open(
        &self,
        request: StreamRequest,
        cancel: CancellationToken,
    ) -> Result<Opened, StreamError> {
        let StreamRequest {
            location,
            cache_key,
            refresh,
        } = request;
        if cancel.is_cancelled() {
            return Err(StreamError::Cancelled);
        }
        let cache = self.cache.clone().zip(cache_key);
        if let Some((cache, key)) = cache.clone() {
            let hit = tokio::task::spawn_blocking(move || cache.get(&key))
                .await
                .ok()
                .flatten();
            if let Some(path) = hit {
                debug!("cache hit");
                return Ok(Opened::Cached(path));
            }
        }

        let stop = cancel.child_token();
        // Cancels `stop` on any early return below, and later when the reader is dropped.
        let stop_guard = stop.clone().drop_guard();
        let client = match location.certificate_pin {
            None => self.client.clone(),
            Some(pin) => pinned_client(pin)?,
        };
        let shared = Arc::new(Shared::new(
            client,
            location,
            refresh,
            self.options.clone(),
            stop.clone(),
        ));
        let first = shared.first_response().await?;
        let content_length = shared.length();
        let content_type = first
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        info!(?content_length, ?content_type, "stream opened");

        let file = self
            .buffer_file()
            .map_err(|error| StreamError::Io(Arc::new(error)))?;
        let cache_target = cache.map(|(cache, key)| CacheTarget {
            cache,
            key,
            buffer: file.path().to_owned(),
        });
        let storage = BufferProvider {
            file,
            buffer: Arc::clone(&shared.buffer),
        };
        let source = HttpSource::new(Arc::clone(&shared), first, cache_target);

        let (prefix_tx, mut prefix_rx) = watch::channel(false);
        let settings = self.settings(prefix_tx);
        let download = StreamDownload::from_stream(source, storage, settings)
            .await
            .map_err(|error| match error {
                StreamInitializationError::StorageCreationFailure(error) => {
                    StreamError::Io(Arc::new(error))
                }
                StreamInitializationError::StreamCreationFailure(never) => match never {},
            })?;

        // Our stop (caller's token, dropped reader) also stops stream-download's task.
        let task = download.cancellation_token();
        tokio::spawn({
            let stop = stop.clone();
            async move {
                tokio::select! {
                    () = stop.cancelled() => task.cancel(),
                    () = task.cancelled() => {}
                }
            }
        });

        // Biased: once the prefix is there the stream is open, even if it failed right after;
        // the reader then reports that failure on its first read.
        tokio::select! {
            biased;
            () = stop.cancelled() => return Err(StreamError::Cancelled),
            ready = prefix_rx.wait_for(|ready| *ready) => {
                // Err: the progress callback is gone, i.e. the download task ended.
                if ready.is_err()
                    && let Some(error) = shared.failure()
                {
                    return Err(error);
                }
            }
            () = download.handle().wait_for_completion() => {
                if let Some(error) = shared.failure() {
                    return Err(error);
                }
            }
        }
        Ok(Opened::Remote(StreamReader::new(
            download,
            shared,
            content_type,
            content_length,
            stop_guard,
        )))
    }

    /// stream-download's settings; `prefix` becomes true once the prefix is buffered.
    fn settings(&self, prefix: watch::Sender<bool>) -> Settings<HttpSource> {
        let prefetch_bytes = self.options.prefetch_bytes;
        Settings::default()
            .prefetch_bytes(prefetch_bytes)
            // Our driver detects stalls itself (and its `reconnect` is a no-op); this only
            // bounds how often stream-download asks, so make it rare.
            .retry_timeout(self.options.stall_timeout + self.options.retry_budget)
            .cancel_on_drop(true)
            .on_progress(move |_: &HttpSource, state, _| {
                let prefetching = matches!(state.phase, StreamPhase::Prefetching { .. });
                if !prefetching || state.current_position >= prefetch_bytes {
                    prefix.send_replace(true);
                }
            })
    }

    /// The temporary file for a stream's buffer: in the cache directory when there is a cache
    /// (so the cache's crash cleanup covers it, and the final copy stays on one file system),
    /// else in the system's temporary directory. Deleted when the reader is dropped.
    fn buffer_file(&self) -> std::io::Result<tempfile::NamedTempFile> {
        let mut builder = tempfile::Builder::new();
        match &self.cache {
            Some(cache) => builder.prefix(cache::TEMP_PREFIX).tempfile_in(cache.dir()),
            None => builder.prefix(&own_temp_prefix()).tempfile(),
        }
    }
}

/// Buffers in the system's temporary folder are `lyrebird-stream-<pid>-…`: a run killed
/// mid-stream leaves its buffer there, and the next run knows it by its dead pid.
const TEMP_PREFIX: &str = "lyrebird-stream-";

fn own_temp_prefix() -> String {
    format!("{TEMP_PREFIX}{}-", std::process::id())
}

/// Deletes the buffers runs that are no longer alive left in `dir` (Linux: a pid with no
/// `/proc` entry; elsewhere nothing is known to be dead, and the OS's own clean-up must do).
fn remove_dead_runs_buffers(dir: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(TEMP_PREFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod temp_tests {
    use super::*;

    #[test]
    fn a_dead_runs_buffers_go_and_living_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join(format!("{}x", own_temp_prefix()));
        let dead = dir.path().join(format!("{TEMP_PREFIX}{}-x", u32::MAX));
        let other = dir.path().join("lyrebird-stream-notapid");
        for file in [&ours, &dead, &other] {
            std::fs::write(file, b"buffer").unwrap();
        }
        remove_dead_runs_buffers(dir.path());
        assert!(ours.exists() && other.exists());
        assert_eq!(dead.exists(), !Path::new("/proc/self").exists());
    }
}
