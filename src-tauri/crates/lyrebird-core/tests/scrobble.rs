//! Scrobbling: the actor tells a remote track's own source "now playing" when it starts and
//! submits the play once, after half its length (or 4 minutes) of listening. A fake source
//! records the calls; the test plays the audio thread's part, under tokio's paused clock.

#[macro_use]
mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lyrebird_core::actor::Action;
use lyrebird_core::model::{SourceKind, Track, TrackId};
use lyrebird_core::provider::{ResolveFuture, ScrobbleFuture, ScrobbleKind, Source, Sources};
use lyrebird_core::{AudioCommand, AudioEvent, PlayId};
use tokio_util::sync::CancellationToken;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Call {
    NowPlaying(String),
    Played(String),
}

#[derive(Clone, Default)]
struct Recording {
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Source for Recording {
    fn resolve(&self, track: Track, _cancel: CancellationToken) -> ResolveFuture {
        support::stream_to(format!("https://music.test/{}", track.id))
    }

    fn scrobble(
        &self,
        track: Track,
        kind: ScrobbleKind,
        _cancel: CancellationToken,
    ) -> ScrobbleFuture {
        let calls = self.calls.clone();
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            calls.lock().unwrap().push(match kind {
                ScrobbleKind::NowPlaying => Call::NowPlaying(track.id.0),
                ScrobbleKind::Played { .. } => Call::Played(track.id.0),
            });
            Ok(())
        })
    }
}

fn remote(id: &str, duration_ms: u64) -> Track {
    let mut track = Track::from_path(format!("/nowhere/{id}").into(), SourceKind::Subsonic);
    track.id = TrackId(id.into());
    track.title = id.into();
    track.path = None;
    track.duration_ms = Some(duration_ms);
    track
}

struct Rig {
    base: support::Rig,
    source: Recording,
}

rig_derefs_to_base!(Rig);

impl Rig {
    fn new() -> Self {
        let source = Recording::default();
        let sources = Sources::new([(
            SourceKind::Subsonic,
            Arc::new(source.clone()) as Arc<dyn Source>,
        )]);
        Self {
            base: support::Rig::with_sources(sources),
            source,
        }
    }

    async fn settle(&self) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
        self.player.snapshot().await.unwrap();
    }

    /// The play id of the last load since the last call.
    async fn loaded(&mut self) -> PlayId {
        self.settle().await;
        std::iter::from_fn(|| self.audio.try_recv().ok())
            .filter_map(|c| match c {
                AudioCommand::Load { play_id, .. } => Some(play_id),
                _ => None,
            })
            .last()
            .expect("a load")
    }

    /// The audio thread started `play_id`.
    async fn started(&self, play_id: PlayId, duration_ms: u64) {
        self.audio_events
            .send(AudioEvent::Started {
                play_id,
                duration_ms: Some(duration_ms),
            })
            .unwrap();
        self.settle().await;
    }

    /// Positions from `from` to `to` (inclusive) a second apart, as the audio thread reports
    /// them while playing.
    async fn play_through(&self, play_id: PlayId, from: u64, to: u64) {
        let mut at = from;
        while at <= to {
            self.audio_events
                .send(AudioEvent::Position {
                    play_id,
                    position_ms: at,
                })
                .unwrap();
            at += 1_000;
        }
        self.settle().await;
    }

    fn calls(&self) -> Vec<Call> {
        self.source.calls.lock().unwrap().clone()
    }
}

fn now_playing(id: &str) -> Call {
    Call::NowPlaying(id.into())
}

fn played(id: &str) -> Call {
    Call::Played(id.into())
}

#[tokio::test(start_paused = true)]
async fn now_playing_once_at_the_start_and_the_play_once_after_half() {
    let mut rig = Rig::new();
    let song = "subsonic:1";
    rig.player
        .act(Action::PlayTracks(vec![remote(song, 200_000)]))
        .await
        .unwrap();
    let play_id = rig.loaded().await;
    assert!(rig.calls().is_empty(), "nothing before the audio starts");
    rig.started(play_id, 200_000).await;
    rig.started(play_id, 200_000).await; // a repeated event is no new start
    assert_eq!(rig.calls(), [now_playing(song)]);

    rig.play_through(play_id, 0, 99_000).await;
    assert_eq!(rig.calls(), [now_playing(song)], "not yet half");
    rig.play_through(play_id, 100_000, 180_000).await;
    assert_eq!(rig.calls(), [now_playing(song), played(song)]);
}

#[tokio::test(start_paused = true)]
async fn a_long_track_counts_after_four_minutes() {
    let mut rig = Rig::new();
    let song = "subsonic:long";
    rig.player
        .act(Action::PlayTracks(vec![remote(song, 3_600_000)]))
        .await
        .unwrap();
    let play_id = rig.loaded().await;
    rig.started(play_id, 3_600_000).await;
    rig.play_through(play_id, 0, 239_000).await;
    assert_eq!(rig.calls(), [now_playing(song)]);
    rig.play_through(play_id, 240_000, 241_000).await;
    assert_eq!(rig.calls(), [now_playing(song), played(song)]);
}

#[tokio::test(start_paused = true)]
async fn a_track_skipped_early_is_not_submitted() {
    let mut rig = Rig::new();
    rig.player
        .act(Action::PlayTracks(vec![
            remote("subsonic:a", 200_000),
            remote("subsonic:b", 200_000),
        ]))
        .await
        .unwrap();
    let first = rig.loaded().await;
    rig.started(first, 200_000).await;
    rig.play_through(first, 0, 30_000).await;
    rig.player.act(Action::Next).await.unwrap();
    let second = rig.loaded().await;
    // Late positions of the skipped load change nothing.
    rig.play_through(first, 31_000, 150_000).await;
    rig.started(second, 200_000).await;
    assert_eq!(
        rig.calls(),
        [now_playing("subsonic:a"), now_playing("subsonic:b")]
    );
}

#[tokio::test(start_paused = true)]
async fn seeking_back_does_not_submit_twice_and_jumping_ahead_is_not_listening() {
    let mut rig = Rig::new();
    let song = "subsonic:1";
    rig.player
        .act(Action::PlayTracks(vec![remote(song, 200_000)]))
        .await
        .unwrap();
    let play_id = rig.loaded().await;
    rig.started(play_id, 200_000).await;
    // A jump from 10 s to 150 s is a seek: 150 s of position, 10 s of listening.
    rig.play_through(play_id, 0, 10_000).await;
    rig.play_through(play_id, 150_000, 150_000).await;
    assert_eq!(rig.calls(), [now_playing(song)]);
    rig.play_through(play_id, 0, 95_000).await;
    assert_eq!(rig.calls(), [now_playing(song), played(song)]);
    // Back to the start and through again: no second submission.
    rig.play_through(play_id, 0, 199_000).await;
    assert_eq!(rig.calls(), [now_playing(song), played(song)]);
}

#[tokio::test(start_paused = true)]
async fn local_files_are_not_scrobbled() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.flac");
    std::fs::write(&path, b"x").unwrap();
    let mut rig = Rig::new();
    rig.player
        .act(Action::PlayTracks(vec![Track::from_path(
            path,
            SourceKind::Local,
        )]))
        .await
        .unwrap();
    let play_id = rig.loaded().await;
    rig.started(play_id, 200_000).await;
    rig.play_through(play_id, 0, 199_000).await;
    assert!(rig.calls().is_empty());
}
