//! [`StreamReader`]: the blocking `Read + Seek` end of a remote stream.

use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

use stream_download::StreamDownload;
use tokio_util::sync::DropGuard;

use crate::StreamError;
use crate::buffer::BufferProvider;
use crate::source::Shared;

/// A remote track being downloaded: blocking [`Read`] + [`Seek`], `Send + Sync + 'static`.
///
/// Reads return buffered bytes at once and block (the calling thread, not a runtime) until
/// missing bytes arrive. A seek past the downloaded part makes the download continue from there
/// with a Range request. When the download fails for good, reads return an `io::Error` whose
/// inner error is the [`StreamError`] (never `ErrorKind::Interrupted`), within the retry budget
/// of [`StreamOptions`](crate::StreamOptions): they never block forever.
///
/// Dropping the reader stops the download and closes its connection; its buffer file is deleted.
pub struct StreamReader {
    /// Boxed: keeps [`Opened`](crate::Opened) small.
    download: Box<StreamDownload<BufferProvider>>,
    shared: Arc<Shared>,
    content_type: Option<String>,
    content_length: Option<u64>,
    /// Cancels the stream's token when the reader goes away (stream-download also cancels its own
    /// task on drop; this one reaches a reconnect or refresh in progress).
    _stop: DropGuard,
}

impl StreamReader {
    pub(crate) fn new(
        download: StreamDownload<BufferProvider>,
        shared: Arc<Shared>,
        content_type: Option<String>,
        content_length: Option<u64>,
        stop: DropGuard,
    ) -> Self {
        Self {
            download: Box::new(download),
            shared,
            content_type,
            content_length,
            _stop: stop,
        }
    }

    /// The file's length, when the server sent it.
    #[must_use]
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// The server's Content-Type (a hint for the decoder; the bytes are probed anyway).
    #[must_use]
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// stream-download only says "stream failed to download"; say why.
    fn explain(&self, error: io::Error) -> io::Error {
        match self.shared.failure() {
            Some(failure) => failure.to_io(),
            None if self.shared.stop.is_cancelled() => StreamError::Cancelled.to_io(),
            None if error.kind() == io::ErrorKind::Interrupted => {
                io::Error::other(error.to_string())
            }
            None => error,
        }
    }
}

impl Read for StreamReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.download.read(buf) {
            // The driver records a failure before it ends the byte stream, but the reader can
            // see that end (all the bytes there are, read) before stream-download's task has
            // failed: a failed download must not read as a clean end of the file.
            Ok(0) if !buf.is_empty() => match self.shared.failure() {
                Some(failure) => Err(failure.to_io()),
                None => Ok(0),
            },
            other => other.map_err(|error| self.explain(error)),
        }
    }
}

impl Seek for StreamReader {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.download.seek(pos).map_err(|error| self.explain(error))
    }
}

impl fmt::Debug for StreamReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamReader")
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}
