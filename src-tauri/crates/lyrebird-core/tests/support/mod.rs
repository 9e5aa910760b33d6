//! Shared by the actor's integration tests: the one rig that starts an actor with a fake
//! audio side, fake sources' answers, and reading what the actor published. Each test file
//! uses some of it (a file's own rig wraps [`Rig`] with its fakes and derefs to it).
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use lyrebird_core::actor::{Action, Player, PlayerConfig, PlayerHandle};
use lyrebird_core::events::{LibraryView, Notice, PlayerEvent, Snapshot};
use lyrebird_core::model::{SourceKind, Track, TrackId};
use lyrebird_core::provider::{Playable, ResolveFuture, Sources, StreamSpec};
use lyrebird_core::{AudioCommand, AudioEvent, PlayId, Published};
use tokio::sync::mpsc;

/// A file's own rig wraps [`Rig`] in a field `base` (beside its fakes) and derefs to it, so
/// `rig.player`, `rig.loads()` … read as on the shared one. (Not every test file that uses
/// the support has a rig of its own.)
#[allow(unused_macros)]
macro_rules! rig_derefs_to_base {
    ($rig:ty) => {
        impl std::ops::Deref for $rig {
            type Target = support::Rig;
            fn deref(&self) -> &support::Rig {
                &self.base
            }
        }

        impl std::ops::DerefMut for $rig {
            fn deref_mut(&mut self) -> &mut support::Rig {
                &mut self.base
            }
        }
    };
}

/// An actor running in its own task, with both ends of its audio side in the test's hands.
pub struct Rig {
    pub player: PlayerHandle,
    /// What the actor published.
    pub events: mpsc::UnboundedReceiver<Published>,
    /// What the actor told the audio thread.
    pub audio: mpsc::UnboundedReceiver<AudioCommand>,
    /// Where the test reports as the audio thread would.
    pub audio_events: mpsc::UnboundedSender<AudioEvent>,
}

impl Rig {
    /// Start an actor with `config`.
    pub fn start(config: PlayerConfig) -> Self {
        let (audio_tx, audio) = mpsc::unbounded_channel();
        let (audio_events, audio_events_rx) = mpsc::unbounded_channel();
        let (player, events, actor) = Player::new(config, audio_tx, audio_events_rx);
        tokio::spawn(actor);
        Self {
            player,
            events,
            audio,
            audio_events,
        }
    }

    /// Start an actor with these sources and everything else as default.
    pub fn with_sources(sources: Sources) -> Self {
        Self::start(PlayerConfig {
            sources,
            ..PlayerConfig::default()
        })
    }

    /// Let `ms` pass and the actor handle what arrived meanwhile; the snapshot then.
    pub async fn wait(&self, ms: u64) -> Snapshot {
        settle(&self.player, ms).await
    }

    /// Make `tracks` the library and play the one with id `id`: the library becomes the queue.
    pub async fn play_in_library(&self, tracks: Vec<Track>, id: &str) {
        self.player
            .act(Action::SetLibrary(LibraryView {
                tracks,
                scanning: false,
            }))
            .await
            .unwrap();
        self.player
            .act(Action::PlayLibraryTrack(TrackId(id.into())))
            .await
            .unwrap();
    }

    /// Report `event` as the audio thread would, and wait until the actor has handled it.
    pub async fn report(&self, event: AudioEvent) {
        self.audio_events.send(event).unwrap();
        self.player.snapshot().await.unwrap();
    }

    /// Every audio command sent since the last call.
    pub fn audio_commands(&mut self) -> Vec<AudioCommand> {
        std::iter::from_fn(|| self.audio.try_recv().ok()).collect()
    }

    /// The loads sent since the last call: play id and URL (stream) or path (file).
    pub fn loads(&mut self) -> Vec<(PlayId, String)> {
        self.audio_commands()
            .into_iter()
            .filter_map(|c| match c {
                AudioCommand::Load { play_id, media, .. } => Some((play_id, target(&media))),
                _ => None,
            })
            .collect()
    }

    /// The notices published since the last call (other events are dropped).
    pub fn notices(&mut self) -> Vec<Notice> {
        notices(&mut self.events)
    }

    /// Every event published since the last call.
    pub fn published(&mut self) -> Vec<PlayerEvent> {
        std::iter::from_fn(|| self.events.try_recv().ok())
            .map(|p| p.event)
            .collect()
    }
}

/// `count` local tracks, `local:0` … titled `Song 0` …, all of the file `file` (`None`: each
/// its own file, which is not there).
pub fn local_tracks(count: usize, file: Option<&Path>) -> Vec<Track> {
    (0..count)
        .map(|i| {
            let mut track = Track::new(
                TrackId(format!("local:{i}")),
                SourceKind::Local,
                format!("Song {i}"),
            );
            track.path = Some(file.map_or_else(
                || format!("/nonexistent/unplugged/{i}.flac").into(),
                Path::to_path_buf,
            ));
            track
        })
        .collect()
}

/// Where a load plays from: its URL or its file's path.
pub fn target(media: &Playable) -> String {
    match media {
        Playable::Stream(spec) => spec.url.clone(),
        Playable::File(path) => path.display().to_string(),
    }
}

/// A lookup's answer: stream `url`, no headers, not cached.
pub fn stream_to(url: String) -> ResolveFuture {
    Box::pin(async move {
        Ok(Playable::Stream(StreamSpec {
            url,
            headers: Vec::new(),
            certificate_pin: None,
            cache_key: None,
            quality: None,
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
