//! The actor with a fake audio output: the test plays the audio thread's part by hand.

#[macro_use]
mod support;

use std::path::PathBuf;
use std::time::Duration;

use lyrebird_core::PlayId;
use lyrebird_core::actor::{Action, Player, PlayerConfig, PlayerError, PlayerHandle};
use lyrebird_core::events::{DeviceState, LibraryView, Notice, PlaybackStatus, PlayerEvent};
use lyrebird_core::ids::EntryId;
use lyrebird_core::model::{ReplayGain, SourceKind, Track};
use lyrebird_core::provider::Playable;
use lyrebird_core::queue::{PlayMode, QueuePosition};
use lyrebird_core::settings::{self, LocalePreference, ReplayGainMode};
use lyrebird_core::{AudioCommand, AudioEvent, Published};
use tokio::sync::mpsc;

/// The shared rig, with a library of `track_count` local files.
struct Harness {
    base: support::Rig,
    tracks: Vec<Track>,
    _dir: tempfile::TempDir,
}

rig_derefs_to_base!(Harness);

impl Harness {
    async fn new(track_count: usize) -> Self {
        Self::with_config(track_count, |_| {}).await
    }

    async fn with_config(track_count: usize, tweak: impl FnOnce(&mut PlayerConfig)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let tracks: Vec<Track> = (0..track_count)
            .map(|i| {
                let path = dir.path().join(format!("{i}.flac"));
                std::fs::write(&path, b"not really flac").unwrap();
                let mut t = Track::from_path(path, SourceKind::Local);
                t.duration_ms = Some(60_000);
                t
            })
            .collect();
        let mut config = PlayerConfig {
            system_locale: "en-US".into(),
            ..PlayerConfig::default()
        };
        tweak(&mut config);
        let mut h = Self {
            base: support::Rig::start(config),
            tracks,
            _dir: dir,
        };
        let view = LibraryView {
            tracks: h.tracks.clone(),
            scanning: false,
        };
        h.player.act(Action::SetLibrary(view)).await.unwrap();
        h.drain_audio();
        h.drain_events();
        h
    }

    /// Audio commands sent since the last call, preloads left out (see `drain_preloads`).
    fn drain_audio(&mut self) -> Vec<AudioCommand> {
        self.drain_all_audio()
            .into_iter()
            .filter(|c| {
                !matches!(
                    c,
                    AudioCommand::Preload { .. } | AudioCommand::CancelPreload
                )
            })
            .collect()
    }

    fn drain_all_audio(&mut self) -> Vec<AudioCommand> {
        self.audio_commands()
    }

    fn drain_events(&mut self) -> Vec<PlayerEvent> {
        self.published()
    }

    /// Play library track `index` and report it started, as the audio thread would.
    async fn start_playing(&mut self, index: usize) -> PlayId {
        let id = self.tracks[index].id.clone();
        self.player.act(Action::PlayLibraryTrack(id)).await.unwrap();
        let (play_id, _) = self.last_load();
        self.report(AudioEvent::Started {
            play_id,
            duration_ms: None,
        })
        .await;
        play_id
    }

    fn last_load(&mut self) -> (PlayId, PathBuf) {
        self.drain_audio()
            .into_iter()
            .rev()
            .find_map(|c| match c {
                AudioCommand::Load {
                    play_id,
                    media: Playable::File(path),
                    ..
                } => Some((play_id, path)),
                _ => None,
            })
            .expect("a load was sent")
    }
}

/// An actor started on its own (no harness), for what it does at start-up.
fn spawn_actor(
    config: PlayerConfig,
) -> (
    PlayerHandle,
    mpsc::UnboundedReceiver<Published>,
    mpsc::UnboundedReceiver<AudioCommand>,
    mpsc::UnboundedSender<AudioEvent>,
) {
    let rig = support::Rig::start(config);
    (rig.player, rig.events, rig.audio, rig.audio_events)
}

#[tokio::test]
async fn playing_a_library_track_loads_it_and_reports_playing() {
    let mut h = Harness::new(3).await;
    h.player
        .act(Action::PlayLibraryTrack(h.tracks[1].id.clone()))
        .await
        .unwrap();
    let (play_id, path) = h.last_load();
    assert_eq!(path, h.tracks[1].path.clone().unwrap());
    let snap = h.player.snapshot().await.unwrap();
    assert_eq!(snap.state.status, PlaybackStatus::Loading);
    assert_eq!(snap.state.play_id, play_id);
    assert_eq!(snap.queue.count as usize, 3);
    assert_eq!(snap.queue.current, Some(1));

    h.report(AudioEvent::Started {
        play_id,
        duration_ms: Some(59_000),
    })
    .await;
    let snap = h.player.snapshot().await.unwrap();
    assert_eq!(snap.state.status, PlaybackStatus::Playing);
    assert_eq!(snap.state.duration_ms, Some(59_000));
    assert_eq!(snap.state.device, DeviceState::Ready);
    assert_eq!(snap.state.current.unwrap().id, h.tracks[1].id);
}

#[tokio::test]
async fn unknown_track_is_refused_and_changes_nothing() {
    let mut h = Harness::new(1).await;
    let mut bogus = h.tracks[0].id.clone();
    bogus.0.push('x');
    let err = h
        .player
        .act(Action::PlayLibraryTrack(bogus.clone()))
        .await
        .unwrap_err();
    assert_eq!(err, PlayerError::UnknownTrack(bogus));
    assert!(h.drain_audio().is_empty());
    assert_eq!(
        h.player.act(Action::Next).await.unwrap_err(),
        PlayerError::NothingToPlay
    );
}

#[tokio::test]
async fn stale_audio_events_are_dropped() {
    let mut h = Harness::new(3).await;
    h.player
        .act(Action::PlayLibraryTrack(h.tracks[0].id.clone()))
        .await
        .unwrap();
    let (first, _) = h.last_load();
    h.player.act(Action::Next).await.unwrap();
    let (second, path) = h.last_load();
    assert!(second > first);
    assert_eq!(path, h.tracks[1].path.clone().unwrap());

    // The first track's decoder reports late: it must not move the player.
    h.report(AudioEvent::Started {
        play_id: first,
        duration_ms: Some(1),
    })
    .await;
    h.report(AudioEvent::Position {
        play_id: first,
        position_ms: 42_000,
    })
    .await;
    h.report(AudioEvent::Ended { play_id: first }).await;
    h.report(AudioEvent::Failed {
        play_id: first,
        reason: "late".into(),
        cause: lyrebird_core::FailureCause::Track,
    })
    .await;

    let snap = h.player.snapshot().await.unwrap();
    assert_eq!(snap.state.play_id, second);
    assert_eq!(snap.state.current.unwrap().id, h.tracks[1].id);
    assert_eq!(snap.state.position_ms, 0);
    assert_eq!(snap.state.status, PlaybackStatus::Loading);
    assert!(h.drain_audio().is_empty(), "no new load for a stale end");
    assert_eq!(h.player.stats().await.unwrap().stale_audio_events, 4);
    assert!(
        !h.drain_events()
            .iter()
            .any(|e| matches!(e, PlayerEvent::Notice(_)))
    );
}

#[tokio::test]
async fn end_of_track_plays_the_next_and_end_of_queue_stops() {
    let mut h = Harness::new(2).await;
    let first = h.start_playing(0).await;
    h.report(AudioEvent::Ended { play_id: first }).await;
    let (second, path) = h.last_load();
    assert_eq!(path, h.tracks[1].path.clone().unwrap());
    h.report(AudioEvent::Started {
        play_id: second,
        duration_ms: None,
    })
    .await;
    h.report(AudioEvent::Position {
        play_id: second,
        position_ms: 59_000,
    })
    .await;
    h.report(AudioEvent::Ended { play_id: second }).await;
    assert_eq!(h.drain_audio(), vec![AudioCommand::Stop]);
    let snap = h.player.snapshot().await.unwrap();
    assert_eq!(snap.state.status, PlaybackStatus::Stopped);
    assert_eq!(snap.state.position_ms, 0);
    assert_eq!(snap.queue.current, Some(1));
    // Play after the end starts the last track again rather than doing nothing.
    h.player.act(Action::Play).await.unwrap();
    assert_eq!(h.last_load().1, h.tracks[1].path.clone().unwrap());
}

#[tokio::test]
async fn previous_goes_back_early_and_restarts_late() {
    let mut h = Harness::new(3).await;
    let id = h.start_playing(1).await;
    h.report(AudioEvent::Position {
        play_id: id,
        position_ms: 10_000,
    })
    .await;
    h.player.act(Action::Previous).await.unwrap();
    assert_eq!(
        h.drain_audio(),
        vec![AudioCommand::Seek {
            play_id: id,
            position_ms: 0
        }]
    );

    h.report(AudioEvent::Position {
        play_id: id,
        position_ms: 2_000,
    })
    .await;
    h.player.act(Action::Previous).await.unwrap();
    assert_eq!(h.last_load().1, h.tracks[0].path.clone().unwrap());
    // At the first track, previous restarts it.
    h.player.act(Action::Previous).await.unwrap();
    assert!(matches!(
        h.drain_audio()[..],
        [AudioCommand::Seek { position_ms: 0, .. }]
    ));
}

#[tokio::test]
async fn seek_carries_the_play_id_and_is_clamped() {
    let mut h = Harness::new(1).await;
    h.player
        .act(Action::PlayLibraryTrack(h.tracks[0].id.clone()))
        .await
        .unwrap();
    let (id, _) = h.last_load();
    h.player
        .act(Action::Seek {
            position_ms: 90_000,
        })
        .await
        .unwrap();
    assert_eq!(
        h.drain_audio(),
        vec![AudioCommand::Seek {
            play_id: id,
            position_ms: 60_000
        }]
    );
    h.player.act(Action::TogglePause).await.unwrap();
    h.player.act(Action::TogglePause).await.unwrap();
    assert_eq!(
        h.drain_audio(),
        vec![AudioCommand::Pause, AudioCommand::Resume]
    );
}

#[tokio::test]
async fn a_failing_track_is_reported_and_skipped() {
    let mut h = Harness::new(3).await;
    h.player
        .act(Action::PlayLibraryTrack(h.tracks[0].id.clone()))
        .await
        .unwrap();
    let (id, _) = h.last_load();
    h.drain_events();
    h.report(AudioEvent::Failed {
        play_id: id,
        reason: "bad header".into(),
        cause: lyrebird_core::FailureCause::Track,
    })
    .await;
    assert_eq!(h.last_load().1, h.tracks[1].path.clone().unwrap());
    let notices: Vec<_> = h
        .drain_events()
        .into_iter()
        .filter_map(|e| {
            if let PlayerEvent::Notice(n) = e {
                Some(n)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(
        notices,
        vec![Notice::CannotPlay {
            name: h.tracks[0].title.clone(),
            reason: "bad header".into()
        }]
    );
}

#[tokio::test]
async fn when_every_track_fails_playback_stops_instead_of_spinning() {
    let mut h = Harness::new(3).await;
    h.player
        .act(Action::PlayLibraryTrack(h.tracks[1].id.clone()))
        .await
        .unwrap();
    // Tracks 1 and 2 fail; the queue ends. Start again from 0: all three fail in a row.
    for _ in 0..2 {
        let (id, _) = h.last_load();
        h.report(AudioEvent::Failed {
            play_id: id,
            reason: "x".into(),
            cause: lyrebird_core::FailureCause::Track,
        })
        .await;
    }
    assert_eq!(
        h.player.snapshot().await.unwrap().state.status,
        PlaybackStatus::Stopped
    );
    h.drain_events();
    h.player.act(Action::PlayQueueIndex(0)).await.unwrap();
    for _ in 0..3 {
        let (id, _) = h.last_load();
        h.report(AudioEvent::Failed {
            play_id: id,
            reason: "x".into(),
            cause: lyrebird_core::FailureCause::Track,
        })
        .await;
    }
    let snap = h.player.snapshot().await.unwrap();
    assert_eq!(snap.state.status, PlaybackStatus::Stopped);
    assert!(
        h.drain_events()
            .contains(&PlayerEvent::Notice(Notice::AllTracksFailed))
    );
    assert!(
        h.drain_audio()
            .iter()
            .all(|c| !matches!(c, AudioCommand::Load { .. }))
    );
}

#[tokio::test]
async fn a_missing_file_fails_without_reaching_the_audio_thread() {
    let mut h = Harness::new(2).await;
    std::fs::remove_file(h.tracks[0].path.as_ref().unwrap()).unwrap();
    h.player
        .act(Action::PlayLibraryTrack(h.tracks[0].id.clone()))
        .await
        .unwrap();
    let loads: Vec<_> = h
        .drain_audio()
        .into_iter()
        .filter(|c| matches!(c, AudioCommand::Load { .. }))
        .collect();
    assert_eq!(loads.len(), 1, "only the second track is loaded: {loads:?}");
    assert!(h.drain_events().iter().any(|e| matches!(
        e,
        PlayerEvent::Notice(Notice::CannotPlay { reason, .. }) if reason.contains("missing")
    )));
}

#[tokio::test]
async fn a_missing_device_is_reported_once_and_recovery_is_announced() {
    let mut h = Harness::new(1).await;
    h.player
        .act(Action::PlayLibraryTrack(h.tracks[0].id.clone()))
        .await
        .unwrap();
    let (id, _) = h.last_load();
    h.drain_events();
    for _ in 0..3 {
        h.report(AudioEvent::DeviceUnavailable {
            play_id: Some(id),
            reason: "no card".into(),
        })
        .await;
    }
    let notices = h.drain_events();
    let no_device = notices
        .iter()
        .filter(|e| matches!(e, PlayerEvent::Notice(Notice::NoAudioDevice { .. })))
        .count();
    assert_eq!(no_device, 1);
    let snap = h.player.snapshot().await.unwrap();
    assert_eq!(
        snap.state.device,
        DeviceState::Unavailable {
            reason: "no card".into()
        }
    );

    h.player.act(Action::RetryAudioDevice).await.unwrap();
    assert_eq!(h.drain_audio(), vec![AudioCommand::RetryDevice]);
    h.report(AudioEvent::Started {
        play_id: id,
        duration_ms: None,
    })
    .await;
    assert!(
        h.drain_events()
            .contains(&PlayerEvent::Notice(Notice::AudioDeviceRestored))
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_burst_of_changes_is_published_as_one_event() {
    let mut h = Harness::new(1).await;
    h.player
        .act(Action::PlayLibraryTrack(h.tracks[0].id.clone()))
        .await
        .unwrap();
    let (id, _) = h.last_load();
    h.drain_events();
    // No await between sends: the actor sees all of them in one turn.
    for ms in 1..=100 {
        h.audio_events
            .send(AudioEvent::Position {
                play_id: id,
                position_ms: ms * 10,
            })
            .unwrap();
    }
    h.player.snapshot().await.unwrap();
    assert_eq!(
        h.drain_events(),
        vec![PlayerEvent::Position {
            play_id: id,
            position_ms: 1_000
        }]
    );
}

#[tokio::test(start_paused = true)]
async fn notices_raised_with_no_window_open_wait_for_the_next_window() {
    let h = Harness::new(1).await;
    let taken = |keys: &str| Notice::ShortcutUnavailable {
        keys: keys.into(),
        reason: "taken".into(),
    };
    // At start-up no window is open yet.
    h.player.act(Action::Notify(taken("A"))).await.unwrap();
    assert!(
        h.player.snapshot().await.unwrap().notices.is_empty(),
        "plain snapshots take none"
    );
    assert_eq!(
        h.player.window_snapshot().await.unwrap().notices,
        vec![taken("A")]
    );
    // A window is open: it got the notice as an event; a rebuilt window does not show it again.
    h.player.act(Action::Notify(taken("B"))).await.unwrap();
    assert!(h.player.window_snapshot().await.unwrap().notices.is_empty());
    // Closed to the tray: kept for the next window, the newest few only.
    h.player.act(Action::WindowsClosed).await.unwrap();
    for i in 0..12 {
        h.player
            .act(Action::Notify(taken(&i.to_string())))
            .await
            .unwrap();
    }
    let waiting = h.player.window_snapshot().await.unwrap().notices;
    assert_eq!(waiting.len(), 8);
    assert_eq!(waiting.last(), Some(&taken("11")));
}

#[tokio::test(start_paused = true)]
async fn volume_keys_step_the_volume_within_range() {
    let h = Harness::new(1).await;
    h.player.act(Action::SetVolume(0.5)).await.unwrap();
    h.player.act(Action::ChangeVolume(0.05)).await.unwrap();
    let volume = h.player.snapshot().await.unwrap().settings.volume;
    assert!((volume - 0.55).abs() < 1e-6, "{volume}");
    for _ in 0..30 {
        h.player.act(Action::ChangeVolume(0.05)).await.unwrap();
    }
    assert!((h.player.snapshot().await.unwrap().settings.volume - 1.0).abs() < f32::EPSILON);
    for _ in 0..30 {
        h.player.act(Action::ChangeVolume(-0.05)).await.unwrap();
    }
    assert!(h.player.snapshot().await.unwrap().settings.volume.abs() < f32::EPSILON);
}

#[tokio::test(start_paused = true)]
async fn volume_is_shaped_applied_and_saved_once_after_a_drag() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let settings_path = path.clone();
    let mut h = Harness::with_config(1, move |c| c.settings_path = Some(settings_path)).await;
    for step in 1..=10u8 {
        h.player
            .act(Action::SetVolume(f32::from(step) / 20.0))
            .await
            .unwrap();
    }
    h.player
        .act(Action::SetLocale(LocalePreference::SimplifiedChinese))
        .await
        .unwrap();
    assert!(!path.exists(), "writes are debounced");
    let gains: Vec<f32> = h
        .drain_audio()
        .into_iter()
        .filter_map(|c| {
            if let AudioCommand::SetGain(g) = c {
                Some(g)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(gains.len(), 10);
    assert!(
        (gains[9] - 0.125).abs() < 1e-6,
        "0.5 on the slider is -18 dB: {}",
        gains[9]
    );

    tokio::time::sleep(Duration::from_secs(1)).await;
    h.player.snapshot().await.unwrap();
    // Handed to the writer thread after the debounce; it lands in real time.
    let started = std::time::Instant::now();
    while !path.exists() && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let saved = settings::load(&path).value;
    assert!((saved.volume - 0.5).abs() < f32::EPSILON);
    assert_eq!(saved.locale, LocalePreference::SimplifiedChinese);
}

#[tokio::test]
async fn a_corrupt_settings_file_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    std::fs::write(&path, b"\x00\x01garbage").unwrap();
    let config = PlayerConfig {
        settings_path: Some(path),
        session_path: None,
        system_locale: "en".into(),
        ..PlayerConfig::default()
    };
    let (_player, mut events, _audio_rx, _audio_events) = spawn_actor(config);
    let first = events.recv().await.unwrap().event;
    assert!(
        matches!(first, PlayerEvent::Notice(Notice::SettingsReset { .. })),
        "{first:?}"
    );
}

/// Settings are written off the actor's task; one that cannot be written still reaches the
/// user as a notice, and the actor goes on answering.
#[tokio::test]
async fn settings_that_cannot_be_written_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    // The settings' folder is a file: every write fails.
    let blocked = dir.path().join("not-a-folder");
    std::fs::write(&blocked, b"").unwrap();
    let config = PlayerConfig {
        settings_path: Some(blocked.join("settings.json")),
        ..PlayerConfig::default()
    };
    let (player, mut events, _audio_rx, _audio_events) = spawn_actor(config);
    player.act(Action::SetVolume(0.3)).await.unwrap();
    let reported = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let PlayerEvent::Notice(Notice::SettingsNotSaved { reason }) =
                events.recv().await.unwrap().event
            {
                return reason;
            }
        }
    })
    .await
    .expect("a notice within the debounce and the write");
    assert!(reported.contains("settings.json"), "{reported}");
    assert!(player.snapshot().await.is_ok(), "the actor still answers");
    player.shutdown().await.unwrap();
}

#[tokio::test]
async fn command_line_tracks_are_appended_and_played() {
    let mut h = Harness::new(2).await;
    h.player
        .act(Action::PlayLibraryTrack(h.tracks[0].id.clone()))
        .await
        .unwrap();
    let extra = h.tracks[1].clone();
    h.player
        .act(Action::PlayTracks(vec![extra.clone()]))
        .await
        .unwrap();
    let snap = h.player.snapshot().await.unwrap();
    assert_eq!(snap.queue.count as usize, 3);
    assert_eq!(snap.queue.current, Some(2));
    assert_eq!(h.last_load().1, extra.path.unwrap());
    assert_eq!(
        h.player.act(Action::PlayTracks(vec![])).await.unwrap_err(),
        PlayerError::NothingToPlay
    );
}

#[tokio::test]
async fn shutdown_stops_audio_and_ends_the_actor() {
    let mut h = Harness::new(1).await;
    h.player.shutdown().await.unwrap();
    assert_eq!(
        h.drain_audio(),
        vec![AudioCommand::Stop, AudioCommand::Shutdown]
    );
    assert_eq!(h.player.snapshot().await.unwrap_err(), PlayerError::Gone);
}

#[tokio::test]
async fn events_are_numbered_and_snapshots_say_where_they_stand() {
    let mut h = Harness::new(2).await;
    let before = h.player.snapshot().await.unwrap().seq;
    h.player
        .act(Action::PlayLibraryTrack(h.tracks[0].id.clone()))
        .await
        .unwrap();
    h.player.act(Action::Next).await.unwrap();
    let snap = h.player.snapshot().await.unwrap();
    let seqs: Vec<u64> = std::iter::from_fn(|| h.events.try_recv().ok())
        .map(|p| p.seq)
        .collect();
    assert!(!seqs.is_empty());
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    assert_eq!(seqs[0], before + 1);
    assert_eq!(
        *seqs.last().unwrap(),
        snap.seq,
        "the snapshot includes every event before it"
    );
}

#[tokio::test]
async fn queue_edits_name_entries_and_removing_the_current_one_plays_its_successor() {
    let mut h = Harness::new(3).await;
    h.start_playing(0).await;
    let ids = vec![h.tracks[2].id.clone()];
    h.player
        .act(Action::Enqueue {
            ids,
            position: QueuePosition::Next,
        })
        .await
        .unwrap();
    let snap = h.player.snapshot().await.unwrap();
    let titles: Vec<_> = snap
        .queue
        .window
        .iter()
        .map(|e| e.track.title.as_str())
        .collect();
    assert_eq!(titles, ["0", "2", "1", "2"]);
    assert!(h.drain_audio().is_empty(), "queueing does not interrupt");

    let current = snap.queue.window[0].entry_id;
    h.player
        .act(Action::RemoveFromQueue(vec![current]))
        .await
        .unwrap();
    let (_, path) = h.last_load();
    assert_eq!(
        path,
        h.tracks[2].path.clone().unwrap(),
        "the successor plays"
    );

    let last = snap.queue.window[3].entry_id;
    h.player
        .act(Action::MoveInQueue { entry: last, to: 0 })
        .await
        .unwrap();
    let snap = h.player.snapshot().await.unwrap();
    assert_eq!(snap.queue.window[0].entry_id, last);
    assert_eq!(snap.queue.current, Some(1), "the cursor follows its entry");
    assert_eq!(
        h.player
            .act(Action::MoveInQueue {
                entry: EntryId(999),
                to: 0
            })
            .await
            .unwrap_err(),
        PlayerError::NoSuchQueueEntry(EntryId(999))
    );
    h.player.act(Action::ClearQueue).await.unwrap();
    let snap = h.player.snapshot().await.unwrap();
    assert!(snap.queue.window.is_empty());
    assert_eq!(snap.state.status, PlaybackStatus::Stopped);
}

#[tokio::test]
async fn repeat_one_repeats_at_the_end_and_stop_after_current_stops_once() {
    let mut h = Harness::new(2).await;
    h.player
        .act(Action::SetPlayMode(PlayMode::RepeatOne))
        .await
        .unwrap();
    h.player
        .act(Action::PlayLibraryTrack(h.tracks[0].id.clone()))
        .await
        .unwrap();
    let (first, _) = h.last_load();
    h.report(AudioEvent::Ended { play_id: first }).await;
    let (second, path) = h.last_load();
    assert_eq!(path, h.tracks[0].path.clone().unwrap());
    assert!(second > first);

    h.player
        .act(Action::SetStopAfterCurrent(true))
        .await
        .unwrap();
    assert!(h.player.snapshot().await.unwrap().state.stop_after_current);
    h.report(AudioEvent::Ended { play_id: second }).await;
    let snap = h.player.snapshot().await.unwrap();
    assert_eq!(snap.state.status, PlaybackStatus::Stopped);
    assert!(!snap.state.stop_after_current, "it applies once");
    assert_eq!(snap.queue.current, Some(1), "the next track is cued");
    assert_eq!(snap.state.mode, PlayMode::RepeatOne);
}

#[tokio::test]
async fn queue_position_and_mode_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session.json");
    let session_path = session.clone();
    let mut h = Harness::with_config(3, move |c| c.session_path = Some(session_path)).await;
    let id = h.start_playing(1).await;
    h.report(AudioEvent::Position {
        play_id: id,
        position_ms: 12_345,
    })
    .await;
    h.player
        .act(Action::SetPlayMode(PlayMode::RepeatAll))
        .await
        .unwrap();
    let before = h.player.snapshot().await.unwrap();
    h.player.shutdown().await.unwrap();

    // A new actor over the same file: same queue, same track, cued paused at the same place.
    let config = PlayerConfig {
        session_path: Some(session.clone()),
        ..PlayerConfig::default()
    };
    let (player, _events, mut audio_rx, _audio_events) = spawn_actor(config);
    let after = player.snapshot().await.unwrap();
    let titles = |s: &lyrebird_core::Snapshot| -> Vec<String> {
        s.queue
            .window
            .iter()
            .map(|e| e.track.title.clone())
            .collect()
    };
    assert_eq!(titles(&after), titles(&before));
    assert_eq!(after.queue.current, Some(1));
    assert_eq!(after.state.position_ms, 12_345);
    assert_eq!(after.state.status, PlaybackStatus::Paused);
    assert_eq!(after.state.mode, PlayMode::RepeatAll);
    let load = std::iter::from_fn(|| audio_rx.try_recv().ok())
        .find(|c| matches!(c, AudioCommand::Load { .. }))
        .expect("the track is cued");
    assert_eq!(
        load,
        AudioCommand::Load {
            play_id: after.state.play_id,
            media: Playable::File(h.tracks[1].path.clone().unwrap()),
            start_ms: 12_345,
            paused: true,
            gain: 1.0,
        }
    );

    // A truncated session file: a notice, the file kept; the queue (its own file) is kept,
    // not cued.
    std::fs::write(&session, b"{\"current\": ").unwrap();
    let config = PlayerConfig {
        session_path: Some(session.clone()),
        ..PlayerConfig::default()
    };
    let (player, mut events, _audio_rx, _audio_events) = spawn_actor(config);
    let snapshot = player.snapshot().await.unwrap();
    assert_eq!(titles(&snapshot), titles(&before));
    assert_eq!(snapshot.state.status, PlaybackStatus::Stopped);
    assert!(
        support::notices(&mut events)
            .iter()
            .any(|n| matches!(n, Notice::SessionReset { .. })),
        "the user is told"
    );
    player.shutdown().await.unwrap();

    // A truncated queue file: an empty queue, a notice, the file kept.
    let queue = session.with_file_name("queue.json");
    std::fs::write(&queue, b"{\"tracks\": [").unwrap();
    let config = PlayerConfig {
        session_path: Some(session.clone()),
        ..PlayerConfig::default()
    };
    let (player, mut events, _audio_rx, _audio_events) = spawn_actor(config);
    assert!(player.snapshot().await.unwrap().queue.window.is_empty());
    assert!(
        support::notices(&mut events)
            .iter()
            .any(|n| matches!(n, Notice::SessionReset { .. })),
        "the user is told"
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("queue.json.")),
        "the broken queue file is kept aside"
    );
}

#[tokio::test]
async fn the_next_track_is_preloaded_and_followed_without_a_new_load() {
    let mut h = Harness::new(3).await;
    let first = h.start_playing(0).await;
    let preload = h.drain_all_audio();
    let [
        AudioCommand::Preload {
            play_id: next,
            media: Playable::File(path),
            ..
        },
    ] = &preload[..]
    else {
        panic!("one preload expected: {preload:?}");
    };
    assert_eq!(path, h.tracks[1].path.as_ref().unwrap());
    let next = *next;

    // The audio thread went on gaplessly: the player follows, no new load.
    h.report(AudioEvent::Continued {
        ended: first,
        started: next,
        duration_ms: Some(61_000),
    })
    .await;
    let snap = h.player.snapshot().await.unwrap();
    assert_eq!(snap.state.play_id, next);
    assert_eq!(snap.state.current.unwrap().id, h.tracks[1].id);
    assert_eq!(snap.state.duration_ms, Some(61_000));
    h.report(AudioEvent::Started {
        play_id: next,
        duration_ms: Some(61_000),
    })
    .await;
    assert_eq!(
        h.player.snapshot().await.unwrap().state.status,
        PlaybackStatus::Playing
    );
    let after = h.drain_all_audio();
    assert!(
        matches!(after[..], [AudioCommand::Preload { .. }]),
        "the one after is preloaded: {after:?}"
    );

    // Stop after current withdraws the preload.
    h.player
        .act(Action::SetStopAfterCurrent(true))
        .await
        .unwrap();
    assert_eq!(h.drain_all_audio(), vec![AudioCommand::CancelPreload]);
}

#[tokio::test]
async fn a_preload_the_queue_no_longer_wants_is_corrected_with_a_load() {
    let mut h = Harness::new(3).await;
    let first = h.start_playing(0).await;
    let Some(AudioCommand::Preload { play_id: stale, .. }) = h.drain_all_audio().pop() else {
        panic!("a preload");
    };
    // The user queues something next just as the track ends: the audio thread had already
    // handed over to the old preload.
    let ids = vec![h.tracks[2].id.clone()];
    h.player
        .act(Action::Enqueue {
            ids,
            position: QueuePosition::Next,
        })
        .await
        .unwrap();
    h.report(AudioEvent::Continued {
        ended: first,
        started: stale,
        duration_ms: None,
    })
    .await;
    let snap = h.player.snapshot().await.unwrap();
    assert_eq!(
        snap.state.current.as_ref().unwrap().id,
        h.tracks[2].id,
        "the queue wins"
    );
    assert_ne!(snap.state.play_id, stale);
    let (play_id, path) = h.last_load();
    assert_eq!(play_id, snap.state.play_id);
    assert_eq!(path, h.tracks[2].path.clone().unwrap());
}

#[tokio::test]
async fn replay_gain_reaches_the_audio_thread_and_follows_the_setting() {
    let mut h = Harness::with_config(2, |_| {}).await;
    let mut tagged = h.tracks[1].clone();
    tagged.replay_gain = Some(ReplayGain {
        track_gain_db: Some(-6.0),
        album_gain_db: Some(-12.0),
        ..ReplayGain::default()
    });
    h.player
        .act(Action::PlayTracks(vec![tagged]))
        .await
        .unwrap();
    let load = h
        .drain_audio()
        .into_iter()
        .find(|c| matches!(c, AudioCommand::Load { .. }));
    let Some(AudioCommand::Load { play_id, gain, .. }) = load else {
        panic!("a load")
    };
    assert!(
        (gain - 0.501).abs() < 0.001,
        "track gain by default: {gain}"
    );

    h.player
        .act(Action::SetReplayGain(ReplayGainMode::Album))
        .await
        .unwrap();
    let Some(AudioCommand::SetTrackGain {
        play_id: for_id,
        gain,
    }) = h.drain_audio().pop()
    else {
        panic!("the playing track's gain changes at once");
    };
    assert_eq!(for_id, play_id);
    assert!((gain - 0.251).abs() < 0.001, "{gain}");
    h.player
        .act(Action::SetReplayGain(ReplayGainMode::Off))
        .await
        .unwrap();
    assert_eq!(
        h.drain_audio(),
        vec![AudioCommand::SetTrackGain { play_id, gain: 1.0 }]
    );
}

#[tokio::test(start_paused = true)]
async fn the_sleep_timer_pauses_once_and_mute_keeps_the_volume() {
    let mut h = Harness::new(1).await;
    let id = h.start_playing(0).await;
    h.player
        .act(Action::SetSleepTimer { minutes: Some(20) })
        .await
        .unwrap();
    assert!(
        h.player
            .snapshot()
            .await
            .unwrap()
            .state
            .sleep_timer_ends_at_ms
            .is_some()
    );
    tokio::time::sleep(Duration::from_mins(19)).await;
    assert_eq!(
        h.player.snapshot().await.unwrap().state.status,
        PlaybackStatus::Playing
    );
    h.report(AudioEvent::Position {
        play_id: id,
        position_ms: 1,
    })
    .await;
    tokio::time::sleep(Duration::from_secs(61)).await;
    let snap = h.player.snapshot().await.unwrap();
    assert_eq!(snap.state.status, PlaybackStatus::Paused);
    assert_eq!(
        snap.state.sleep_timer_ends_at_ms, None,
        "the timer is spent"
    );
    assert!(h.drain_audio().contains(&AudioCommand::Pause));

    // Cancelled timers do nothing.
    h.player.act(Action::Play).await.unwrap();
    h.player
        .act(Action::SetSleepTimer { minutes: Some(1) })
        .await
        .unwrap();
    h.player
        .act(Action::SetSleepTimer { minutes: None })
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_mins(2)).await;
    assert_eq!(
        h.player.snapshot().await.unwrap().state.status,
        PlaybackStatus::Playing
    );

    h.drain_audio();
    h.player.act(Action::SetMuted(true)).await.unwrap();
    h.player.act(Action::SetMuted(false)).await.unwrap();
    let volume = h.player.snapshot().await.unwrap().state.volume;
    assert_eq!(
        h.drain_audio(),
        vec![
            AudioCommand::SetGain(0.0),
            AudioCommand::SetGain(lyrebird_core::actor::volume_curve(volume))
        ]
    );
}

#[tokio::test]
async fn scan_progress_is_part_of_the_published_state() {
    use lyrebird_core::events::ScanProgress;
    let mut h = Harness::new(1).await;
    let progress = ScanProgress {
        done: 512,
        total: 20_000,
        counting: true,
        folder: "/music/晴天".into(),
    };
    h.player
        .act(Action::SetScanProgress(Some(progress.clone())))
        .await
        .unwrap();
    let events = h.drain_events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, PlayerEvent::State(s) if s.scan.as_ref() == Some(&progress))),
        "{events:?}"
    );
    h.player.act(Action::SetScanProgress(None)).await.unwrap();
    assert_eq!(h.player.snapshot().await.unwrap().state.scan, None);
}

/// The audio thread is told whether a window shows the position: it starts unwatched (the app
/// may start in the tray), the first window's snapshot watches, the last window's close
/// stops; repeats change nothing.
#[tokio::test]
async fn the_audio_thread_knows_whether_a_window_watches() {
    let (audio_tx, mut audio) = mpsc::unbounded_channel();
    let (_audio_events, audio_events_rx) = mpsc::unbounded_channel();
    let (player, _events, actor) = Player::new(PlayerConfig::default(), audio_tx, audio_events_rx);
    tokio::spawn(actor);
    let mut watched = move || {
        std::iter::from_fn(|| audio.try_recv().ok())
            .filter_map(|c| match c {
                AudioCommand::SetWatched(w) => Some(w),
                _ => None,
            })
            .collect::<Vec<bool>>()
    };
    player.snapshot().await.unwrap(); // not a window's
    assert_eq!(watched(), [false]);
    player.window_snapshot().await.unwrap();
    player.window_snapshot().await.unwrap(); // a second window
    assert_eq!(watched(), [true]);
    player.act(Action::WindowsClosed).await.unwrap();
    player.act(Action::WindowsClosed).await.unwrap();
    assert_eq!(watched(), [false]);
}
