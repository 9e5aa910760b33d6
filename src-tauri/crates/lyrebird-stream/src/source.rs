//! The HTTP side: requests with the [`Location`]'s headers, Range requests, reconnects, URL
//! refresh, and [`HttpSource`], the `stream_download::source::SourceStream` that feeds
//! stream-download's buffer.
//!
//! stream-download owns the download loop, the blocking reader, seek bookkeeping (which ranges
//! are downloaded) and gap filling; the buffer file is ours (`buffer.rs`). It has no notion of request headers, of expiring URLs, or of
//! retrying a failed Range request: a failed `seek_range` ends its download task. So all recovery
//! lives here, in [`Driver`], an async loop that yields the body's bytes and quietly reconnects
//! (Range from where it stopped) when the body fails, ends early or stalls. Only when recovery is
//! hopeless does it record a terminal [`StreamError`] in [`Shared`] and end the byte stream;
//! [`HttpSource`] then makes stream-download's task fail, which wakes blocked readers, and the
//! reader reports the recorded error.

use std::convert::Infallible;
use std::fs::File;
use std::future::{self, Future};
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream::{self, BoxStream};
use futures_util::{Stream, StreamExt};
use lyrebird_tls::Lost;
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use stream_download::source::{SourceStream, StreamOutcome};
use sync_wrapper::SyncWrapper;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info};

use crate::buffer::Buffer;
use crate::cache::Cache;
use crate::{Location, Refresh, StreamError, StreamOptions};

/// First pause between reconnect attempts; doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// A connection that ends having delivered less than this is not progress: the failure episode
/// goes on (so its retry budget runs out) and the next connection waits a backoff first. A
/// server that drops every connection after a byte or two must not get reconnects at network
/// speed forever. 32 KiB is under a second of a 320 kbit/s MP3.
const MIN_PROGRESS: u64 = 32 * 1024;

/// State shared by the source, its drivers and the reader.
///
/// The mutexes guard this one stream's own bookkeeping and are never held across an await.
pub(crate) struct Shared {
    client: reqwest::Client,
    location: Mutex<Location>,
    refresh: Option<Arc<dyn Refresh>>,
    options: StreamOptions,
    /// Cancelled by the caller's token or by dropping the reader (or by a failed `open`).
    pub(crate) stop: CancellationToken,
    episode: Mutex<Episode>,
    /// Total length, from the first response (to detect a changed file on reconnect).
    length: OnceLock<Option<u64>>,
    /// The first terminal error; the download is over once it is set.
    failure: OnceLock<StreamError>,
    /// What the buffer file holds.
    pub(crate) buffer: Arc<Buffer>,
}

/// A run of failures with no byte received in between.
#[derive(Default)]
struct Episode {
    since: Option<Instant>,
    /// The URL was refreshed during this run: a second expiry is final, not a refresh loop.
    refreshed: bool,
    last: Option<StreamError>,
}

/// An HTTP response body positioned in the file.
struct Body {
    bytes: BoxStream<'static, reqwest::Result<Bytes>>,
    /// Bytes to drop first: the server sent from an earlier offset than asked (a 200 to a Range
    /// request, from a server without Range support).
    skip: u64,
}

impl Shared {
    pub(crate) fn new(
        client: reqwest::Client,
        location: Location,
        refresh: Option<Arc<dyn Refresh>>,
        options: StreamOptions,
        stop: CancellationToken,
    ) -> Self {
        Self {
            client,
            location: Mutex::new(location),
            refresh,
            options,
            stop,
            episode: Mutex::default(),
            length: OnceLock::new(),
            failure: OnceLock::new(),
            buffer: Arc::default(),
        }
    }

    /// The file's total length, once the first response told it.
    pub(crate) fn length(&self) -> Option<u64> {
        self.length.get().copied().flatten()
    }

    /// The terminal error, if the stream has failed.
    pub(crate) fn failure(&self) -> Option<StreamError> {
        self.failure.get().cloned()
    }

    /// Records a terminal error (the first one wins) and returns the one recorded.
    pub(crate) fn fail(&self, error: StreamError) -> StreamError {
        if !matches!(error, StreamError::Cancelled) {
            lyrebird_core::warn_limited!(%error, "stream failed");
        }
        self.failure.get_or_init(|| error).clone()
    }

    /// Sends the first request (a plain GET) and checks that it is a successful audio response.
    /// A failure here is reported to the caller as it is — except a connection lost before
    /// any reply, which is asked once more (see [`Self::first_request`]).
    pub(crate) async fn first_response(&self) -> Result<reqwest::Response, StreamError> {
        let response = self.first_request().await?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            return Err(StreamError::Status { status });
        }
        if let Err(StreamError::NotAudio { content_type, .. }) = check_content_type(&response) {
            // Read what the server said instead of guessing (bounded in size and time).
            let said =
                read_said(response, &content_type, self.options.first_response_timeout).await;
            return Err(StreamError::NotAudio { content_type, said });
        }
        let length = if status == 206 {
            // Some servers answer 206 even without a Range header; take the total from it.
            let range = content_range(&response)?;
            if range.start != 0 {
                return Err(StreamError::InvalidResponse(format!(
                    "the first response starts at byte {}",
                    range.start
                )));
            }
            range.total
        } else {
            response.content_length()
        };
        let limit = self.options.max_bytes;
        if length.is_some_and(|length| length > limit) {
            return Err(StreamError::TooLarge { limit });
        }
        let _ = self.length.set(length);
        Ok(response)
    }

    /// The first request, asked once more, at once, when its connection broke before the
    /// reply's head: most often a pooled keep-alive connection the server (a CDN) closed just
    /// as it was reused, which would otherwise fail the track and send it to the fallback race.
    /// The classification is the NetEase client's ([`lyrebird_tls::Lost`]): reset, aborted,
    /// broken pipe, closed early (hyper's "connection closed before message completed", or
    /// canceled before the request was written), also while the connection was being made (a
    /// server that accepts and resets at once). Never after a timeout, never on an HTTP
    /// status (that is an answer), never when no connection was made (refused, unresolved,
    /// TLS refused: nobody is there, and the player leaves that server alone), never more
    /// than once, and both tries share [`StreamOptions::first_response_timeout`]. The pool
    /// has dropped the broken connection, so the second try goes on a live one or a new one.
    /// Once the first response has come, failures are the [`Driver`]'s: it reconnects with
    /// Range, with backoff, within the retry budget.
    async fn first_request(&self) -> Result<reqwest::Response, StreamError> {
        let limit = self.options.first_response_timeout;
        let deadline = tokio::time::Instant::now() + limit;
        let (error, first) = match self.send_once(None, limit).await {
            Ok(response) => return Ok(response),
            Err((error, Some(lost @ Lost::Broke { .. }))) => (error, lost),
            Err((error, _)) => return Err(error),
        };
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            return Err(error);
        }
        info!(%error, "the connection broke before a reply; asking again on a fresh one");
        match self.send_once(None, left).await {
            Ok(response) => Ok(response),
            Err((_, Some(Lost::Broke { how: again, .. }))) => {
                Err(StreamError::Network(first.twice(again)))
            }
            Err((error, _)) => Err(error),
        }
    }

    /// Opens `[start, end)` with a Range request, retrying transient failures with backoff until
    /// the episode's retry budget is spent, and refreshing the URL (once per episode) when the
    /// server says it expired.
    async fn connect(&self, start: u64, end: Option<u64>) -> Result<Body, StreamError> {
        let mut backoff = FIRST_BACKOFF;
        loop {
            if let Some(error) = self.budget_spent() {
                return Err(error);
            }
            let error = match self
                .send(Some((start, end)), self.options.stall_timeout)
                .await
            {
                Ok(response) => match self.accept_range(response, start) {
                    Ok(body) => return Ok(body),
                    Err(error) => error,
                },
                Err(error) => error,
            };
            if matches!(error, StreamError::Cancelled) {
                return Err(error);
            }
            if error.is_expired_url() {
                if self.take_refresh() {
                    self.refresh_location().await?;
                    continue;
                }
                return Err(error);
            }
            if !error.is_transient() {
                return Err(error);
            }
            let since = self.note_failure(&error);
            let remaining = self.options.retry_budget.saturating_sub(since.elapsed());
            if remaining.is_zero() {
                return Err(gave_up(error, since));
            }
            lyrebird_core::warn_limited!(%error, start, retry_in_ms = backoff.as_millis(), "reconnect failed, retrying");
            tokio::select! {
                () = self.stop.cancelled() => return Err(StreamError::Cancelled),
                () = tokio::time::sleep(backoff.min(remaining)) => {}
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// Checks a response to a Range request for `start..` and positions its body.
    fn accept_range(&self, response: reqwest::Response, start: u64) -> Result<Body, StreamError> {
        let status = response.status().as_u16();
        if !response.status().is_success() {
            return Err(StreamError::Status { status });
        }
        check_content_type(&response)?;
        let known = self.length.get().copied().flatten();
        let (from, total) = match status {
            206 => {
                let range = content_range(&response)?;
                (range.start, range.total)
            }
            200 => {
                lyrebird_core::warn_limited!(
                    start,
                    "server ignored the Range request; skipping to the offset"
                );
                (0, response.content_length())
            }
            _ => {
                return Err(StreamError::InvalidResponse(format!(
                    "HTTP {status} to a Range request"
                )));
            }
        };
        if known
            .zip(total)
            .is_some_and(|(known, total)| known != total)
        {
            return Err(StreamError::ResourceChanged);
        }
        if from > start {
            return Err(StreamError::InvalidResponse(format!(
                "asked for bytes from {start}, got bytes from {from}"
            )));
        }
        Ok(Body {
            bytes: response.bytes_stream().boxed(),
            skip: start - from,
        })
    }

    /// One request with the current location's headers (and a Range header when `range` is
    /// given), waiting at most `timeout` for the response head.
    async fn send(
        &self,
        range: Option<(u64, Option<u64>)>,
        timeout: Duration,
    ) -> Result<reqwest::Response, StreamError> {
        self.send_once(range, timeout)
            .await
            .map_err(|(error, _)| error)
    }

    /// [`Self::send`], and on failure whether the connection was lost before a reply.
    async fn send_once(
        &self,
        range: Option<(u64, Option<u64>)>,
        timeout: Duration,
    ) -> Result<reqwest::Response, (StreamError, Option<Lost>)> {
        let location = lock(&self.location).clone();
        let url = reqwest::Url::parse(&location.url)
            .map_err(|error| (StreamError::InvalidUrl(error.to_string()), None))?;
        let host = host_of(&url);
        let mut headers = HeaderMap::with_capacity(location.headers.len() + 1);
        for (name, value) in &location.headers {
            let invalid = || (StreamError::InvalidHeader { name: name.clone() }, None);
            let name_ = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
            let mut value = HeaderValue::from_str(value).map_err(|_| invalid())?;
            // Keeps the value out of hyper's and reqwest's debug output.
            value.set_sensitive(true);
            headers.append(name_, value);
        }
        if let Some((start, end)) = range {
            // `end` is exclusive here and inclusive in HTTP. Open-ended when it is the end of
            // the file anyway: the shortest request any Range-capable server understands.
            let value = match end {
                Some(end) if Some(end) != self.length.get().copied().flatten() => {
                    format!("bytes={start}-{}", end - 1)
                }
                _ => format!("bytes={start}-"),
            };
            headers.insert(
                header::RANGE,
                HeaderValue::from_str(&value).expect("digits are a valid header value"),
            );
        }
        debug!(
            host,
            range = ?range,
            headers = ?location.headers.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>(),
            "sending request"
        );
        let request = self.client.get(url).headers(headers).send();
        tokio::select! {
            () = self.stop.cancelled() => Err((StreamError::Cancelled, None)),
            result = tokio::time::timeout(timeout, request) => match result {
                Err(_) => Err((StreamError::Timeout, None)),
                Ok(result) => result.map_err(|error| {
                    let lost = Lost::of(&error);
                    (StreamError::from_reqwest(error, &host), lost)
                }),
            },
        }
    }

    /// Asks the owner for a fresh location, bounded by the first-response timeout.
    async fn refresh_location(&self) -> Result<(), StreamError> {
        let Some(refresh) = &self.refresh else {
            return Err(StreamError::RefreshFailed("no way to refresh".into()));
        };
        info!("stream URL expired; asking for a fresh one");
        let fresh = tokio::select! {
            () = self.stop.cancelled() => return Err(StreamError::Cancelled),
            result = tokio::time::timeout(self.options.first_response_timeout, refresh.refresh()) => {
                match result {
                    Err(_) => Err(StreamError::RefreshFailed("timed out".into())),
                    Ok(result) => result.map_err(StreamError::RefreshFailed),
                }
            }
        }?;
        *lock(&self.location) = fresh;
        Ok(())
    }

    /// True (and remembered) if a refresh is possible and not yet used in this failure episode.
    fn take_refresh(&self) -> bool {
        if self.refresh.is_none() {
            return false;
        }
        let mut episode = lock(&self.episode);
        episode.since.get_or_insert_with(Instant::now);
        !std::mem::replace(&mut episode.refreshed, true)
    }

    /// Bytes arrived: the failure episode, if any, is over.
    fn progressed(&self) {
        let mut episode = lock(&self.episode);
        if episode.since.is_some() {
            info!("stream recovered");
            *episode = Episode::default();
        }
    }

    /// Records a failure; returns when the current episode began.
    fn note_failure(&self, error: &StreamError) -> Instant {
        let mut episode = lock(&self.episode);
        episode.last = Some(error.clone());
        *episode.since.get_or_insert_with(Instant::now)
    }

    /// The give-up error if the current episode has outlasted the retry budget.
    fn budget_spent(&self) -> Option<StreamError> {
        let episode = lock(&self.episode);
        let since = episode.since?;
        (since.elapsed() >= self.options.retry_budget).then(|| StreamError::GaveUp {
            seconds: since.elapsed().as_secs(),
            last: Box::new(
                episode
                    .last
                    .clone()
                    .unwrap_or_else(|| StreamError::Network("unknown".into())),
            ),
        })
    }
}

fn gave_up(last: StreamError, since: Instant) -> StreamError {
    StreamError::GaveUp {
        seconds: since.elapsed().as_secs(),
        last: Box::new(last),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// host[:port] for messages and logs: never the path or query, which may carry tokens.
fn host_of(url: &reqwest::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => "the server".to_owned(),
    }
}

/// Rejects documents served where audio was expected. Anything else passes: servers label audio
/// loosely (application/octet-stream, even text/plain), and symphonia probes the bytes anyway.
fn check_content_type(response: &reqwest::Response) -> Result<(), StreamError> {
    let Some(value) = response.headers().get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let value = value.to_str().unwrap_or_default();
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    // text/xml and JSON: Subsonic-style APIs report errors as a 200 with a document.
    if matches!(
        essence.as_str(),
        "text/html" | "application/xhtml+xml" | "text/xml" | "application/xml" | "application/json"
    ) {
        return Err(StreamError::NotAudio {
            content_type: essence,
            said: None,
        });
    }
    Ok(())
}

/// The server's message in a document it sent instead of audio: at most
/// [`crate::said::MAX_BODY`] bytes of it are read, within `timeout`.
async fn read_said(
    mut response: reqwest::Response,
    content_type: &str,
    timeout: std::time::Duration,
) -> Option<String> {
    let mut body = Vec::new();
    let read = async {
        while body.len() < crate::said::MAX_BODY {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                _ => break,
            }
        }
    };
    let _ = tokio::time::timeout(timeout, read).await;
    crate::said::server_message(content_type, &body)
}

struct ContentRange {
    start: u64,
    total: Option<u64>,
}

/// Parses `Content-Range: bytes START-END/TOTAL` (TOTAL may be `*`).
fn content_range(response: &reqwest::Response) -> Result<ContentRange, StreamError> {
    let invalid = || StreamError::InvalidResponse("206 without a valid Content-Range".into());
    let value = response
        .headers()
        .get(header::CONTENT_RANGE)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(invalid)?;
    let spec = value.trim().strip_prefix("bytes ").ok_or_else(invalid)?;
    let (range, total) = spec.split_once('/').ok_or_else(invalid)?;
    let (start, _) = range.split_once('-').ok_or_else(invalid)?;
    Ok(ContentRange {
        start: start.trim().parse().map_err(|_| invalid())?,
        total: total.trim().parse().ok(),
    })
}

/// Reads one range of the file, `[pos, end)`, reconnecting as needed.
struct Driver {
    shared: Arc<Shared>,
    pos: u64,
    /// Exclusive; `None` when the length is unknown (then the body's clean end is the end).
    end: Option<u64>,
    body: Option<Body>,
    /// Bytes the current connection has delivered.
    delivered: u64,
    /// Wait before the next connection: zero after a connection that made progress.
    pause: Duration,
}

impl Driver {
    fn new(shared: Arc<Shared>, pos: u64, end: Option<u64>, body: Option<Body>) -> Self {
        Self {
            shared,
            pos,
            end,
            body,
            delivered: 0,
            pause: Duration::ZERO,
        }
    }

    fn at_end(&self) -> bool {
        self.end.is_some_and(|end| self.pos >= end)
    }

    /// Connects now, so a failure is reported by whoever asked (a seek).
    async fn connect(&mut self) -> Result<(), StreamError> {
        if self.body.is_none() && !self.at_end() {
            if !self.pause.is_zero() {
                if let Some(error) = self.shared.budget_spent() {
                    return Err(error);
                }
                tokio::select! {
                    () = self.shared.stop.cancelled() => return Err(StreamError::Cancelled),
                    () = tokio::time::sleep(self.pause) => {}
                }
            }
            self.body = Some(self.shared.connect(self.pos, self.end).await?);
            self.delivered = 0;
        }
        Ok(())
    }

    /// The connection failed, ended early or stalled: it goes, and if it brought little, the
    /// next one waits longer than the last did.
    fn lose_connection(&mut self, error: &StreamError) {
        self.shared.note_failure(error);
        self.body = None;
        self.pause = if self.delivered >= MIN_PROGRESS {
            Duration::ZERO
        } else {
            (self.pause * 2).clamp(FIRST_BACKOFF, MAX_BACKOFF)
        };
    }

    /// The next bytes of the range, or `None` at its end or on a terminal failure (recorded in
    /// `Shared::failure`) or stop.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        loop {
            if self.at_end() || self.shared.stop.is_cancelled() {
                return None;
            }
            if let Err(error) = self.connect().await {
                self.shared.fail(error);
                return None;
            }
            let body = self.body.as_mut()?;
            let stall = self.shared.options.stall_timeout;
            let next = tokio::select! {
                () = self.shared.stop.cancelled() => return None,
                next = tokio::time::timeout(stall, body.bytes.next()) => next,
            };
            match next {
                Ok(Some(Ok(bytes))) => {
                    if let Some(bytes) = self.take(bytes) {
                        // Whatever the server says about the length (nothing, for a chunked
                        // or close-delimited body), the buffer never grows past the cap.
                        let limit = self.shared.options.max_bytes;
                        if self.pos > limit {
                            self.shared.fail(StreamError::TooLarge { limit });
                            return None;
                        }
                        return Some(bytes);
                    }
                }
                Ok(Some(Err(error))) => {
                    let error = StreamError::from_reqwest(error, "the server");
                    lyrebird_core::warn_limited!(%error, pos = self.pos, "connection failed mid-body, reconnecting");
                    self.lose_connection(&error);
                }
                Ok(None) if self.end.is_none() || self.at_end() => return None,
                Ok(None) => {
                    lyrebird_core::warn_limited!(pos = self.pos, end = ?self.end, "body ended early, reconnecting");
                    self.lose_connection(&StreamError::Network(
                        "the connection closed before the end of the file".into(),
                    ));
                }
                Err(_) => {
                    lyrebird_core::warn_limited!(
                        pos = self.pos,
                        "no data for {stall:?}, reconnecting"
                    );
                    self.lose_connection(&StreamError::Timeout);
                }
            }
        }
    }

    /// Applies skip and end to a chunk; `None` if nothing of it is ours.
    fn take(&mut self, mut bytes: Bytes) -> Option<Bytes> {
        let body = self.body.as_mut()?;
        if body.skip > 0 {
            let skipped = body.skip.min(bytes.len() as u64);
            body.skip -= skipped;
            bytes = bytes.slice(usize::try_from(skipped).expect("at most bytes.len()")..);
        }
        if let Some(end) = self.end {
            let room = end.saturating_sub(self.pos);
            if (bytes.len() as u64) > room {
                bytes.truncate(usize::try_from(room).expect("less than bytes.len()"));
            }
        }
        if bytes.is_empty() {
            return None;
        }
        self.pos += bytes.len() as u64;
        self.delivered += bytes.len() as u64;
        if self.delivered >= MIN_PROGRESS || self.at_end() {
            self.shared.progressed();
            self.pause = Duration::ZERO;
        }
        Some(bytes)
    }

    fn into_stream(self) -> ChunkStream {
        // `unfold` keeps the in-flight future inside the stream, so stream-download dropping a
        // timed-out `next()` does not cancel a reconnect in progress: it resumes on the next poll.
        SyncWrapper::new(
            stream::unfold(self, |mut driver| async move {
                let chunk = driver.next_chunk().await?;
                Some((Ok(chunk), driver))
            })
            .boxed(),
        )
    }
}

/// The byte stream handed to stream-download. It must be `Sync`; the driver's future is only
/// `Send` (it holds reqwest and refresh futures), and `SyncWrapper` makes it `Sync` soundly by
/// allowing access only through `&mut`.
type ChunkStream = SyncWrapper<BoxStream<'static, Result<Bytes, Infallible>>>;

/// Where a complete download goes.
pub(crate) struct CacheTarget {
    pub(crate) cache: Cache,
    pub(crate) key: String,
    /// The stream's buffer file.
    pub(crate) buffer: PathBuf,
}

/// The `SourceStream` given to stream-download.
pub(crate) struct HttpSource {
    shared: Arc<Shared>,
    chunks: ChunkStream,
    length: Option<u64>,
    /// Whether a clean end of the body means the whole file arrived: it has a length, or it
    /// is chunked (whose last chunk says "the end"). A body that just stops when the
    /// connection closes may have been cut short, and is never cached as complete.
    end_is_verified: bool,
    cache: Option<CacheTarget>,
}

impl HttpSource {
    /// A source that starts with the first response's body.
    pub(crate) fn new(
        shared: Arc<Shared>,
        first: reqwest::Response,
        cache: Option<CacheTarget>,
    ) -> Self {
        let length = shared.length.get().copied().flatten();
        let chunked = first
            .headers()
            .get(header::TRANSFER_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        let end_is_verified = length.is_some() || chunked;
        let body = Body {
            bytes: first.bytes_stream().boxed(),
            skip: 0,
        };
        let chunks = Driver::new(Arc::clone(&shared), 0, length, Some(body)).into_stream();
        Self {
            shared,
            chunks,
            length,
            end_is_verified,
            cache,
        }
    }

    fn io_failure(&self) -> Option<io::Error> {
        self.shared.failure().map(|error| error.to_io())
    }

    /// Copies the complete buffer into the cache. Failures only cost the cache entry.
    async fn store(&self, target: &CacheTarget) {
        // Exactly the bytes 0..length must be in the buffer (for an unknown length: one run
        // from 0, since then only the body's clean end said "complete").
        if !self.end_is_verified {
            debug!("not caching: no length, and the body may have been cut short");
            return;
        }
        let Some(written) = self.shared.buffer.complete_prefix() else {
            debug!("not caching: the buffer has gaps");
            return;
        };
        if self.length.is_some_and(|length| length != written) {
            debug!(written, "not caching: the buffer is incomplete");
            return;
        }
        let path = target.buffer.clone();
        let expected = written;
        let cache = target.cache.clone();
        let key = target.key.clone();
        let stored = tokio::task::spawn_blocking(move || {
            let file = File::open(&path)?;
            let len = file.metadata()?.len();
            if len != expected {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("buffer file holds {len} bytes, expected {expected}"),
                ));
            }
            cache.insert_from(&key, file)
        })
        .await;
        match stored {
            Ok(Ok(_)) => info!("complete download stored in the cache"),
            Ok(Err(error)) => {
                lyrebird_core::warn_limited!(%error, "could not store the download in the cache");
            }
            Err(error) => lyrebird_core::warn_limited!(%error, "cache store task failed"),
        }
    }
}

impl Drop for HttpSource {
    /// The source lives exactly as long as the download task (even one dropped by a runtime
    /// shutting down): once it is gone, reads waiting for bytes must stop waiting.
    fn drop(&mut self) {
        self.shared.buffer.end();
    }
}

impl Stream for HttpSource {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().chunks.get_mut().poll_next_unpin(cx)
    }
}

impl SourceStream for HttpSource {
    /// Unused: sources are built by [`HttpSource::new`] and passed to `from_stream`.
    type Params = Self;
    type StreamCreationError = Infallible;

    fn create(params: Self) -> impl Future<Output = Result<Self, Infallible>> + Send {
        future::ready(Ok(params))
    }

    fn content_length(&self) -> Option<u64> {
        self.length
    }

    /// A seek past the downloaded part, or stream-download filling a gap: read `[start, end)`.
    /// Connects before returning, so that a failure (after retries) fails the download at once.
    async fn seek_range(&mut self, start: u64, end: Option<u64>) -> io::Result<()> {
        if let Some(error) = self.io_failure() {
            return Err(error);
        }
        debug!(start, end, "seek: new range");
        let mut driver = Driver::new(Arc::clone(&self.shared), start, end.or(self.length), None);
        if let Err(error) = driver.connect().await {
            return Err(self.shared.fail(error).to_io());
        }
        self.chunks = driver.into_stream();
        Ok(())
    }

    /// Called by stream-download when `next()` took longer than its `retry_timeout`. The driver
    /// already handles stalls and reconnects (and may be in the middle of one), so there is
    /// nothing to restart here.
    async fn reconnect(&mut self, current_position: u64) -> io::Result<()> {
        debug!(
            current_position,
            "stream-download reconnect request (handled by the driver)"
        );
        match self.io_failure() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    fn supports_seek(&self) -> bool {
        // Also without Range support: the driver then skips to the offset (slow but correct).
        true
    }

    async fn on_finish(
        &mut self,
        result: io::Result<()>,
        outcome: StreamOutcome,
    ) -> io::Result<()> {
        if let Some(error) = self.io_failure() {
            return Err(error);
        }
        if self.shared.stop.is_cancelled() || outcome == StreamOutcome::CancelledByUser {
            return Err(StreamError::Cancelled.to_io());
        }
        result?;
        if let Some(target) = self.cache.take() {
            self.store(&target).await;
        }
        Ok(())
    }
}
