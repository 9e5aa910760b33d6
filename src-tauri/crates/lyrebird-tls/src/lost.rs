//! A connection lost before a reply's head came, told apart in reqwest's errors: the classic
//! keep-alive race (a server closes an idle pooled connection just as the client reuses it)
//! fails one request, and one more try on a fresh connection gets the reply. Shared by the
//! NetEase client (`lyrebird-netease`'s `send`) and the audio stream's first request
//! (`lyrebird-stream`), which each decide whether to try again.

use std::error::Error as _;
use std::io::ErrorKind;

/// How a connection broke before a reply's head came, when it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lost {
    /// No connection was made (refused, unresolved, the TLS handshake failed): nothing of the
    /// request reached the server, and most likely nobody is there to answer it.
    NotConnected,
    /// The connection was reset, aborted or closed before the reply's head; `how` says which
    /// ("reset", "aborted", "closed"). `sent`: once the connection was made (the request may
    /// have reached the server); false for one lost while it was being made (a server that
    /// accepts and resets at once: nothing of the request was sent).
    Broke { how: &'static str, sent: bool },
}

impl Lost {
    /// What `error` (from sending, before any reply) says about the connection. reqwest's
    /// error is `Request` around hyper-util's, around hyper's, around the socket's
    /// `io::Error`; a failure to connect is hyper-util's `Connect` (`is_connect`). An io
    /// error of kind `ConnectionReset`, `ConnectionAborted`, `BrokenPipe` or `UnexpectedEof`
    /// among the causes, or hyper's "connection closed before message completed" or
    /// "canceled" (closed before the request could be written), is a connection that broke.
    /// Timeouts are never losses, nor is anything that came after a reply's head (a status
    /// is a reply; a body that fails is not a request error).
    #[must_use]
    pub fn of(error: &reqwest::Error) -> Option<Self> {
        if error.is_timeout() {
            return None;
        }
        let connecting = error.is_connect();
        if !connecting && !error.is_request() {
            return None;
        }
        let broke = |how| {
            Some(Self::Broke {
                how,
                sent: !connecting,
            })
        };
        let mut source = error.source();
        while let Some(cause) = source {
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                match io.kind() {
                    ErrorKind::ConnectionReset => return broke("reset"),
                    ErrorKind::ConnectionAborted => return broke("aborted"),
                    ErrorKind::BrokenPipe | ErrorKind::UnexpectedEof => return broke("closed"),
                    ErrorKind::TimedOut => return None,
                    _ => {}
                }
            }
            if let Some(hyper) = cause.downcast_ref::<hyper::Error>()
                && (hyper.is_incomplete_message() || hyper.is_canceled())
            {
                return broke("closed");
            }
            source = cause.source();
        }
        connecting.then_some(Self::NotConnected)
    }

    /// Whether the request may have reached the server (a connection broke once it was made).
    #[must_use]
    pub fn maybe_sent(self) -> bool {
        matches!(self, Self::Broke { sent: true, .. })
    }

    /// The words for a second try that broke too (`again`: how), after this first loss:
    /// "the connection was reset before a reply, and again on a fresh one".
    #[must_use]
    pub fn twice(self, again: &str) -> String {
        match self {
            Self::Broke { how, .. } if how == again => {
                format!("the connection was {how} before a reply, and again on a fresh one")
            }
            Self::Broke { how, .. } => {
                format!("the connection was {how} before a reply, then {again} on a fresh one")
            }
            Self::NotConnected => format!("no connection, then one {again} before a reply"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_for_two_losses() {
        let reset = Lost::Broke {
            how: "reset",
            sent: true,
        };
        assert_eq!(
            reset.twice("reset"),
            "the connection was reset before a reply, and again on a fresh one"
        );
        assert_eq!(
            reset.twice("closed"),
            "the connection was reset before a reply, then closed on a fresh one"
        );
        assert_eq!(
            Lost::NotConnected.twice("reset"),
            "no connection, then one reset before a reply"
        );
    }

    #[tokio::test]
    async fn a_refused_connection_is_not_connected_and_a_reset_one_broke() {
        use tokio::io::AsyncReadExt as _;
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let refused = http
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(Lost::of(&refused), Some(Lost::NotConnected));
        assert!(!Lost::NotConnected.maybe_sent());

        // A server that reads the request and resets the connection (SO_LINGER 0).
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = [0; 1024];
            let _ = sock.read(&mut buf).await;
            #[allow(deprecated)] // SO_LINGER 0 does not block: the socket is reset at once
            sock.set_linger(Some(std::time::Duration::ZERO)).unwrap();
        });
        let reset = http
            .get(format!("http://{addr}/"))
            .send()
            .await
            .unwrap_err();
        let lost = Lost::of(&reset);
        assert!(
            matches!(lost, Some(Lost::Broke { how: "reset", .. })),
            "{reset:?}"
        );
    }
}
