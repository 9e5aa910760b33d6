//! [`StreamError`]: what went wrong, in words a user can act on.

use std::error::Error as _;
use std::io;
use std::sync::Arc;

/// Why a stream could not be opened or could not go on.
///
/// Messages never contain the URL's query or any header value: both may carry credentials.
/// The enum is `Clone` (I/O errors are behind an `Arc`) because one failure of the download
/// task is reported to every later read of the [`StreamReader`](crate::StreamReader).
#[derive(thiserror::Error, Debug, Clone)]
#[non_exhaustive]
pub enum StreamError {
    /// The [`Location`](crate::Location) URL could not be parsed.
    #[error("invalid stream URL: {0}")]
    InvalidUrl(String),
    /// A [`Location`](crate::Location) header name or value is not valid HTTP.
    #[error("invalid request header {name:?}")]
    InvalidHeader {
        /// The header's name (never its value).
        name: String,
    },
    /// The server answered with a status that is not a success.
    #[error("the server answered HTTP {status}{}", reason_suffix(*.status))]
    Status {
        /// The HTTP status code.
        status: u16,
    },
    /// Nothing listens on the server's port.
    #[error("connection refused by {host} (is the server running?)")]
    ConnectionRefused {
        /// Host and port, without path or query.
        host: String,
    },
    /// The server did not answer (or stopped sending) in time.
    #[error("the server did not answer in time")]
    Timeout,
    /// The secure connection failed: untrusted or expired certificate, wrong host name, or a
    /// server that does not speak TLS.
    #[error("secure connection (TLS) failed: {0}")]
    Tls(String),
    /// Any other network failure (DNS, reset connection...).
    #[error("network error: {0}")]
    Network(String),
    /// The server sent a web page or an API document instead of audio: typically a login
    /// page, a captive portal or an API error.
    #[error("{}", not_audio(content_type, said.as_deref()))]
    NotAudio {
        /// The response's Content-Type.
        content_type: String,
        /// What the server said in it (an API's error message, a page's title), if found.
        said: Option<String>,
    },
    /// A reconnect reached a file of another length than the one being streamed.
    #[error("the file changed on the server while it was streaming")]
    ResourceChanged,
    /// The server's answer breaks HTTP in a way we cannot work around.
    #[error("unexpected answer from the server: {0}")]
    InvalidResponse(String),
    /// The stream URL expired and the owner could not supply a new one.
    #[error("could not renew the expired stream URL: {0}")]
    RefreshFailed(String),
    /// Reconnecting kept failing for longer than the retry budget.
    #[error("gave up after {seconds} s of failed reconnects; last error: {last}")]
    GaveUp {
        /// How long the failures lasted.
        seconds: u64,
        /// The last failure.
        last: Box<StreamError>,
    },
    /// The stream went past [`StreamOptions::max_bytes`](crate::StreamOptions::max_bytes)
    /// (or announced a length above it): a file no track is, or a server that never stops.
    #[error("the server sent more than {} MiB, more than any track; stopped", .limit >> 20)]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The stream was cancelled (token cancelled or reader dropped).
    #[error("the stream was cancelled")]
    Cancelled,
    /// Reading or writing the on-disk cache failed.
    #[error("cache I/O error: {0}")]
    Cache(#[source] Arc<io::Error>),
    /// Creating or writing the download buffer (a temporary file) failed.
    #[error("stream buffer I/O error: {0}")]
    Io(#[source] Arc<io::Error>),
}

fn reason_suffix(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
        .map(|reason| format!(" {reason}"))
        .unwrap_or_default()
}

impl StreamError {
    /// The error as seen by a reader (symphonia): an `io::Error` whose inner error is this one.
    ///
    /// Never `ErrorKind::Interrupted`: `Read::read_exact` and friends silently retry that kind,
    /// which would turn a cancelled stream into a busy loop on the audio thread.
    pub(crate) fn to_io(&self) -> io::Error {
        let kind = match self {
            Self::Timeout => io::ErrorKind::TimedOut,
            Self::ConnectionRefused { .. } => io::ErrorKind::ConnectionRefused,
            Self::GaveUp { last, .. } => return io::Error::new(last.to_io().kind(), self.clone()),
            _ => io::ErrorKind::Other,
        };
        io::Error::new(kind, self.clone())
    }

    /// Whether trying again later (same URL) may succeed.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            Self::Timeout
            | Self::ConnectionRefused { .. }
            | Self::Network(_)
            | Self::Tls(_)
            | Self::InvalidResponse(_) => true,
            Self::Status { status } => matches!(status, 408 | 425 | 429 | 500..=599),
            _ => false,
        }
    }

    /// Statuses that mean "this URL is no longer valid" rather than "the file is gone": signed
    /// URLs and session tokens expire, and servers answer that with any of these.
    pub(crate) fn is_expired_url(&self) -> bool {
        matches!(
            self,
            Self::Status {
                status: 401 | 403 | 404 | 410
            }
        )
    }

    /// Classifies a transport error. `host` is the host:port, for the message.
    pub(crate) fn from_reqwest(error: reqwest::Error, host: &str) -> Self {
        // `without_url`: reqwest's message would otherwise include the full URL, query and all.
        let error = error.without_url();
        if error.is_timeout() {
            return Self::Timeout;
        }
        if let Some(tls) = lyrebird_tls::TlsFailure::in_chain(&error) {
            return Self::Tls(tls.to_string());
        }
        let mut source = error.source();
        while let Some(cause) = source {
            if let Some(io) = cause.downcast_ref::<io::Error>() {
                match io.kind() {
                    io::ErrorKind::ConnectionRefused => {
                        return Self::ConnectionRefused {
                            host: host.to_owned(),
                        };
                    }
                    io::ErrorKind::TimedOut => return Self::Timeout,
                    _ => {}
                }
            }
            source = cause.source();
        }
        Self::Network(chain(&error))
    }
}

use lyrebird_core::errors::error_chain as chain;

fn not_audio(content_type: &str, said: Option<&str>) -> String {
    match said {
        Some(said) => format!("the server answered with an error instead of audio: {said}"),
        None => {
            format!("the server sent {content_type} instead of audio (a login page or an error?)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_readable() {
        assert_eq!(
            StreamError::Status { status: 403 }.to_string(),
            "the server answered HTTP 403 Forbidden"
        );
        assert_eq!(
            StreamError::Status { status: 599 }.to_string(),
            "the server answered HTTP 599"
        );
        let gave_up = StreamError::GaveUp {
            seconds: 12,
            last: Box::new(StreamError::Timeout),
        };
        assert_eq!(
            gave_up.to_string(),
            "gave up after 12 s of failed reconnects; last error: the server did not answer in time"
        );
        assert_eq!(gave_up.to_io().kind(), io::ErrorKind::TimedOut);
        assert_ne!(
            StreamError::Cancelled.to_io().kind(),
            io::ErrorKind::Interrupted
        );
    }

    #[test]
    fn classification() {
        assert!(StreamError::Status { status: 503 }.is_transient());
        assert!(!StreamError::Status { status: 403 }.is_transient());
        assert!(StreamError::Status { status: 410 }.is_expired_url());
        assert!(!StreamError::Status { status: 500 }.is_expired_url());
    }
}
