//! Remote tracks on the audio thread: open an HTTP stream (or its cached copy) off the thread,
//! build its decoder there too, and post the result back into the engine's inbox.
//!
//! Opening waits for the network and probing reads the first bytes, so neither runs on the
//! audio thread: a skip must never wait for a slow server. The engine keeps a [`StreamTask`]
//! per load; dropping it cancels the download, which also wakes a read blocked on the
//! network (and with it the device callback that made the read).

use std::sync::Arc;
use std::sync::mpsc::Sender;

use lyrebird_core::PlayerHandle;
use lyrebird_core::audio::PlayId;
use lyrebird_core::provider::StreamSpec;
use lyrebird_stream::{Location, Opened, Refresh, StreamRequest, Streamer};
use tokio_util::sync::CancellationToken;

use crate::decode::{self, BoxSource};
use crate::{Inbox, OpenFailed, OpenedSource};
use lyrebird_core::FailureCause;

/// What the audio thread needs to fetch streams: the streamer and a runtime to run it on.
#[derive(Clone)]
pub struct StreamSupport {
    pub streamer: Arc<Streamer>,
    pub runtime: tokio::runtime::Handle,
}

impl std::fmt::Debug for StreamSupport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamSupport").finish_non_exhaustive()
    }
}

/// One stream's download, for as long as the load it belongs to lives.
#[derive(Debug)]
pub struct StreamTask {
    cancel: CancellationToken,
}

impl Drop for StreamTask {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Asks the actor for a fresh URL for load `play_id` (the old one expired).
struct AskActor {
    player: PlayerHandle,
    play_id: PlayId,
}

impl Refresh for AskActor {
    fn refresh(
        &self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Location, String>> + Send>> {
        let player = self.player.clone();
        let play_id = self.play_id;
        Box::pin(async move {
            let spec = player
                .refresh_stream(play_id)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Location {
                url: spec.url,
                headers: spec.headers,
                certificate_pin: spec.certificate_pin,
            })
        })
    }
}

impl StreamSupport {
    /// Start opening `spec` for load `play_id`; the decoder (or the reason it failed) arrives
    /// as `Inbox::Opened`.
    pub(crate) fn open(
        &self,
        play_id: PlayId,
        spec: &StreamSpec,
        player: Option<PlayerHandle>,
        inbox: Sender<Inbox>,
    ) -> StreamTask {
        let cancel = CancellationToken::new();
        let request = StreamRequest {
            location: Location {
                url: spec.url.clone(),
                headers: spec.headers.clone(),
                certificate_pin: spec.certificate_pin,
            },
            cache_key: spec.cache_key.clone(),
            refresh: player
                .map(|player| Arc::new(AskActor { player, play_id }) as Arc<dyn Refresh>),
        };
        let streamer = Arc::clone(&self.streamer);
        let url = spec.url.clone();
        let token = cancel.clone();
        self.runtime.spawn(async move {
            let result = match streamer.open(request, token.clone()).await {
                Ok(opened) => {
                    // Probing reads from the stream: blocking work, off the async threads.
                    tokio::task::spawn_blocking(move || decode_opened(opened, &url))
                        .await
                        .unwrap_or_else(|e| Err(format!("the decoder crashed ({e})")))
                        .map_err(|reason| OpenFailed {
                            reason,
                            cause: FailureCause::Track,
                        })
                }
                Err(e) => Err(OpenFailed {
                    reason: e.to_string(),
                    cause: cause_of(&e),
                }),
            };
            if !token.is_cancelled() {
                let _ = inbox.send(Inbox::Opened {
                    play_id,
                    result: OpenedSource(result),
                });
            }
        });
        StreamTask { cancel }
    }
}

/// Whether a stream error means the server could not be reached at all (the actor then
/// treats the source as down for a while) or concerns this track only.
fn cause_of(error: &lyrebird_stream::StreamError) -> FailureCause {
    use lyrebird_stream::StreamError as E;
    match error {
        E::ConnectionRefused { .. } | E::Timeout | E::Network(_) | E::Tls(_) => {
            FailureCause::Unreachable
        }
        E::GaveUp { last, .. } => cause_of(last),
        _ => FailureCause::Track,
    }
}

fn decode_opened(opened: Opened, url: &str) -> Result<BoxSource, String> {
    match opened {
        Opened::Cached(path) => decode::open_file(&path),
        Opened::Remote(reader) => {
            let hint = decode::hint_for_content_type(reader.content_type(), url);
            let len = reader.content_length();
            decode::open_reader(reader, len, &hint)
        }
    }
}
