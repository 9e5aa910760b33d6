//! Shared by the actor's integration tests: fake sources' answers and reading what the actor
//! published. Each test file uses some of it.
#![allow(dead_code)]

use std::time::Duration;

use lyrebird_core::Published;
use lyrebird_core::actor::PlayerHandle;
use lyrebird_core::events::{Notice, PlayerEvent, Snapshot};
use lyrebird_core::provider::{Playable, ResolveFuture, StreamSpec};
use tokio::sync::mpsc;

/// A lookup's answer: stream `url`, no headers, not cached.
pub fn stream_to(url: String) -> ResolveFuture {
    Box::pin(async move {
        Ok(Playable::Stream(StreamSpec {
            url,
            headers: Vec::new(),
            allow_invalid_certs: false,
            cache_key: None,
        }))
    })
}

/// The notices published since the last call (other events are dropped).
pub fn notices(events: &mut mpsc::UnboundedReceiver<Published>) -> Vec<Notice> {
    std::iter::from_fn(|| events.try_recv().ok())
        .filter_map(|p| match p.event {
            PlayerEvent::Notice(n) => Some(n),
            _ => None,
        })
        .collect()
}

/// Let `ms` pass (on tokio's clock) and every task run, then the actor's snapshot.
pub async fn settle(player: &PlayerHandle, ms: u64) -> Snapshot {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    for _ in 0..4 {
        tokio::task::yield_now().await;
    }
    player.snapshot().await.unwrap()
}
