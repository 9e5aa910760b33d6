//! Remote tracks: the actor looks them up in cancellable tasks that reply with messages, and
//! never lets a superseded answer reach the audio thread. The fake source below decides each
//! track's latency and outcome by its title, under tokio's paused clock.

#[macro_use]
mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lyrebird_core::PlayId;
use lyrebird_core::actor::{Action, PlayerError};
use lyrebird_core::events::{Notice, PlaybackStatus};
use lyrebird_core::model::{SourceKind, Track, TrackId};
use lyrebird_core::provider::{Playable, ResolveError, ResolveFuture, Source, Sources, StreamSpec};
use lyrebird_core::{AudioCommand, AudioEvent};
use tokio_util::sync::CancellationToken;

/// Title "slow" answers after 5 s, "never" never, "vip" fails, anything else after 10 ms.
/// Every answer carries a generation number, so a refreshed URL differs from the first.
#[derive(Clone, Default)]
struct ScriptedSource {
    tokens: Arc<Mutex<Vec<(String, CancellationToken)>>>,
    generation: Arc<Mutex<u32>>,
}

impl Source for ScriptedSource {
    fn resolve(&self, track: Track, cancel: CancellationToken) -> ResolveFuture {
        self.tokens
            .lock()
            .unwrap()
            .push((track.title.clone(), cancel));
        let generation = {
            let mut g = self.generation.lock().unwrap();
            *g += 1;
            *g
        };
        Box::pin(async move {
            let wait = match track.title.as_str() {
                "slow" => Duration::from_secs(5),
                "never" => Duration::from_hours(1),
                _ => Duration::from_millis(10),
            };
            tokio::time::sleep(wait).await;
            if track.title == "vip" {
                return Err(ResolveError::Unavailable("VIP only".into()));
            }
            Ok(Playable::Stream(StreamSpec {
                url: format!("https://music.test/{}?v={generation}", track.title),
                headers: vec![("Authorization".into(), "Bearer t".into())],
                certificate_pin: None,
                cache_key: Some(format!("test:{}", track.title)),
                quality: None,
            }))
        })
    }
}

impl ScriptedSource {
    fn cancelled(&self, title: &str) -> bool {
        self.tokens
            .lock()
            .unwrap()
            .iter()
            .filter(|(t, _)| t == title)
            .all(|(_, token)| token.is_cancelled())
    }
}

fn remote(title: &str) -> Track {
    let mut track = Track::from_path(format!("/nowhere/{title}").into(), SourceKind::Subsonic);
    track.id = TrackId(format!("test:{title}"));
    track.title = title.into();
    track.path = None;
    track
}

struct Rig {
    base: support::Rig,
    source: ScriptedSource,
}

rig_derefs_to_base!(Rig);

impl Rig {
    fn new() -> Self {
        let source = ScriptedSource::default();
        let shared: Arc<dyn Source> = Arc::new(source.clone());
        Self {
            base: support::Rig::with_sources(Sources::new([(SourceKind::Subsonic, shared)])),
            source,
        }
    }

    /// Queue these remote tracks and play the first.
    async fn play(&self, titles: &[&str]) {
        let tracks = titles.iter().map(|t| remote(t)).collect();
        self.player.act(Action::PlayTracks(tracks)).await.unwrap();
    }

    /// Let `ms` pass and the actor handle what arrived meanwhile.
    async fn wait(&self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        self.player.snapshot().await.unwrap();
    }

    fn loads(&mut self) -> Vec<(PlayId, String)> {
        std::iter::from_fn(|| self.audio.try_recv().ok())
            .filter_map(|c| match c {
                AudioCommand::Load {
                    play_id,
                    media: Playable::Stream(spec),
                    ..
                } => Some((play_id, spec.url)),
                _ => None,
            })
            .collect()
    }

    /// The next `Load` sent to the audio side: its play id, start and whether paused.
    fn next_load(&mut self) -> (PlayId, u64, bool) {
        std::iter::from_fn(|| self.audio.try_recv().ok())
            .find_map(|c| match c {
                AudioCommand::Load {
                    play_id,
                    start_ms,
                    paused,
                    ..
                } => Some((play_id, start_ms, paused)),
                _ => None,
            })
            .expect("a load")
    }

    /// Report that load `play_id` stalled at `position_ms`, as the watchdog would.
    async fn stall(&self, play_id: PlayId, position_ms: u64) {
        self.audio_events
            .send(AudioEvent::Stalled {
                play_id,
                position_ms,
            })
            .unwrap();
        self.wait(20).await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_remote_track_plays_once_looked_up_and_silence_comes_first() {
    let mut rig = Rig::new();
    rig.play(&["a"]).await;
    let first: Vec<_> = std::iter::from_fn(|| rig.audio.try_recv().ok())
        .filter(|c| !matches!(c, AudioCommand::SetGain(_) | AudioCommand::SetWatched(_)))
        .collect();
    assert_eq!(
        first,
        [AudioCommand::Stop],
        "the old track stops while the new one is looked up"
    );
    let snap = rig.player.snapshot().await.unwrap();
    assert_eq!(snap.state.status, PlaybackStatus::Loading);

    rig.wait(20).await;
    let loads = rig.loads();
    assert_eq!(loads.len(), 1);
    assert_eq!(loads[0].0, snap.state.play_id);
    assert!(loads[0].1.starts_with("https://music.test/a"));
    let stats = rig.player.stats().await.unwrap();
    assert_eq!((stats.lookups_started, stats.lookups_running), (1, 0));
}

#[tokio::test(start_paused = true)]
async fn skipping_cancels_a_slow_lookup_and_its_answer_never_plays() {
    let mut rig = Rig::new();
    rig.play(&["slow", "b"]).await;
    rig.wait(100).await;
    rig.player.act(Action::Next).await.unwrap();
    assert!(
        rig.source.cancelled("slow"),
        "the superseded lookup is cancelled"
    );
    rig.wait(20).await;
    let snap = rig.player.snapshot().await.unwrap();
    let loads = rig.loads();
    assert_eq!(loads.len(), 1, "{loads:?}");
    assert_eq!(loads[0].0, snap.state.play_id);
    assert!(loads[0].1.contains("/b?"), "{loads:?}");

    // Long after the slow lookup would have answered: nothing else was loaded.
    rig.wait(6_000).await;
    assert!(rig.loads().is_empty());
    let stats = rig.player.stats().await.unwrap();
    assert_eq!(stats.lookups_running, 0, "the cancelled task ended");
    assert!(stats.lookups_cancelled >= 1);
}

#[tokio::test(start_paused = true)]
async fn a_track_the_source_refuses_is_reported_and_skipped() {
    let mut rig = Rig::new();
    rig.play(&["vip", "c"]).await;
    rig.wait(20).await;
    rig.wait(20).await;
    let notices = rig.notices();
    assert!(
        notices
            .iter()
            .any(|n| matches!(n, Notice::CannotPlay { name, reason }
            if name == "vip" && reason.contains("VIP only"))),
        "{notices:?}"
    );
    let loads = rig.loads();
    assert_eq!(loads.len(), 1);
    assert!(loads[0].1.contains("/c?"));
}

#[tokio::test(start_paused = true)]
async fn a_source_that_never_answers_times_out() {
    let mut rig = Rig::new();
    rig.play(&["never"]).await;
    rig.wait(11_000).await;
    let notices = rig.notices();
    assert!(
        notices
            .iter()
            .any(|n| matches!(n, Notice::CannotPlay { reason, .. }
            if reason.contains("in time"))),
        "{notices:?}"
    );
    let snap = rig.player.snapshot().await.unwrap();
    assert_eq!(
        snap.state.status,
        PlaybackStatus::Stopped,
        "the only track failed"
    );
    assert_eq!(rig.player.stats().await.unwrap().lookups_running, 0);
}

#[tokio::test(start_paused = true)]
async fn pausing_while_looking_up_loads_paused_and_seeks_are_kept() {
    let mut rig = Rig::new();
    rig.play(&["slow"]).await;
    rig.player.act(Action::Pause).await.unwrap();
    rig.player
        .act(Action::Seek { position_ms: 1_234 })
        .await
        .unwrap();
    rig.wait(5_100).await;
    let (_, start_ms, paused) = rig.next_load();
    assert_eq!((start_ms, paused), (1_234, true));
}

#[tokio::test(start_paused = true)]
async fn an_expired_stream_is_refreshed_for_the_current_load_only() {
    let mut rig = Rig::new();
    rig.play(&["a"]).await;
    rig.wait(20).await;
    let (play_id, first_url) = rig.loads().pop().unwrap();
    let fresh = rig.player.refresh_stream(play_id).await.unwrap();
    assert_ne!(fresh.url, first_url, "a new URL");
    assert!(fresh.url.starts_with("https://music.test/a"));
    assert_eq!(
        rig.player.refresh_stream(PlayId(play_id.0 - 1)).await,
        Err(PlayerError::Superseded)
    );
}

#[tokio::test(start_paused = true)]
async fn a_stalled_track_is_reloaded_where_it_stopped_then_given_up() {
    let mut rig = Rig::new();
    rig.play(&["a"]).await;
    rig.wait(20).await;
    let (mut play_id, _) = rig.loads().pop().unwrap();
    for attempt in 1..=2 {
        rig.stall(play_id, 42_000).await;
        let notices = rig.notices();
        assert!(
            notices.iter().any(|n| matches!(n, Notice::Stalled { .. })),
            "attempt {attempt}: {notices:?}"
        );
        let (id, start_ms, _) = rig.next_load();
        assert_eq!(start_ms, 42_000, "from where it stalled");
        assert!(id > play_id);
        play_id = id;
    }
    rig.stall(play_id, 42_000).await;
    let notices = rig.notices();
    assert!(
        notices
            .iter()
            .any(|n| matches!(n, Notice::CannotPlay { reason, .. } if reason.contains("stalling"))),
        "{notices:?}"
    );
}
