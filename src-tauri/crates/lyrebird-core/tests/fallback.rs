//! The fallback race: a track its own source cannot play (a `NetEase` VIP track) is searched for
//! in every other source at once; the actor plays the best copy, cancels the rest, and says
//! where it plays from. Fake sources under tokio's paused clock.

#[macro_use]
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lyrebird_core::AudioCommand;
use lyrebird_core::PlayId;
use lyrebird_core::actor::{Action, FallbackConfig, Player, PlayerConfig, PlayerError};
use lyrebird_core::events::{Notice, PlaybackStatus};
use lyrebird_core::model::{SourceKind, Track, TrackId};
use lyrebird_core::provider::{
    FindFuture, Playable, ResolveError, ResolveFuture, Source, SourceEntry, Sources, StreamSpec,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const LENGTH_MS: u64 = 240_000;

fn track(id: &str, source: SourceKind, title: &str, duration_ms: Option<u64>) -> Track {
    let mut track = Track::from_path(format!("/nowhere/{id}").into(), source);
    track.id = TrackId(id.into());
    track.title = title.into();
    track.artists = vec!["周杰倫".into()];
    track.duration_ms = duration_ms;
    track.path = None;
    track
}

/// The track wanted: on `NetEase`, VIP only.
fn vip() -> Track {
    track("netease:vip", SourceKind::NetEase, "晴天", Some(LENGTH_MS))
}

/// A copy that is certainly the same recording.
fn perfect(id: &str) -> Track {
    track(id, SourceKind::Subsonic, "晴天", Some(LENGTH_MS + 300))
}

/// A copy that probably is (its length is unknown).
fn good(id: &str) -> Track {
    track(id, SourceKind::Subsonic, "晴天 (Remastered)", None)
}

/// A source whose `find` answers `copies` after `delay` (or never) and whose `resolve` gives
/// `https://<name>/<track id>`; the primary `NetEase` source refuses "netease:vip".
#[derive(Clone)]
struct Fake {
    name: &'static str,
    delay: Option<Duration>,
    copies: Vec<Track>,
    /// Track ids whose resolve fails.
    refuse: Vec<&'static str>,
    finds: Arc<Mutex<Vec<CancellationToken>>>,
    finds_ended: Arc<AtomicUsize>,
    resolves: Arc<Mutex<Vec<String>>>,
}

impl Fake {
    fn new(name: &'static str, delay_ms: Option<u64>, copies: Vec<Track>) -> Self {
        Self {
            name,
            delay: delay_ms.map(Duration::from_millis),
            copies,
            refuse: Vec::new(),
            finds: Arc::default(),
            finds_ended: Arc::default(),
            resolves: Arc::default(),
        }
    }

    fn finds(&self) -> usize {
        self.finds.lock().unwrap().len()
    }

    fn all_finds_cancelled(&self) -> bool {
        self.finds
            .lock()
            .unwrap()
            .iter()
            .all(CancellationToken::is_cancelled)
    }
}

struct CountOnDrop(Arc<AtomicUsize>);
impl Drop for CountOnDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Source for Fake {
    fn resolve(&self, track: Track, _cancel: CancellationToken) -> ResolveFuture {
        self.resolves.lock().unwrap().push(track.id.0.clone());
        let refused = self.refuse.contains(&track.id.0.as_str());
        let url = format!("https://{}/{}", self.name, track.id);
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            if refused {
                return Err(ResolveError::Unavailable("VIP only".into()));
            }
            Ok(Playable::Stream(StreamSpec {
                url,
                headers: Vec::new(),
                certificate_pin: None,
                cache_key: None,
                quality: None,
            }))
        })
    }

    fn find(&self, _wanted: Track, cancel: CancellationToken) -> FindFuture {
        self.finds.lock().unwrap().push(cancel);
        let ended = CountOnDrop(self.finds_ended.clone());
        let delay = self.delay;
        let copies = self.copies.clone();
        Box::pin(async move {
            let _ended = ended;
            match delay {
                Some(delay) => tokio::time::sleep(delay).await,
                None => std::future::pending().await,
            }
            Ok(copies)
        })
    }
}

struct Rig {
    base: support::Rig,
    netease: Fake,
    fallbacks: Vec<Fake>,
}

rig_derefs_to_base!(Rig);

impl Rig {
    /// `NetEase` first (it refuses the VIP track), then the fallbacks in this order of priority.
    fn new(fallbacks: Vec<Fake>) -> Self {
        Self::with_library(fallbacks, None)
    }

    /// The same, with `library` registered as the local library (kind `Local`) after them.
    fn with_library(fallbacks: Vec<Fake>, library: Option<Fake>) -> Self {
        let mut netease = Fake::new("netease", Some(10), Vec::new());
        netease.refuse.push("netease:vip");
        let mut entries = vec![SourceEntry::new(
            "netease",
            SourceKind::NetEase,
            "NetEase",
            Arc::new(netease.clone()),
        )];
        for fake in &fallbacks {
            entries.push(SourceEntry::new(
                fake.name,
                SourceKind::Subsonic,
                format!("Server {}", fake.name),
                Arc::new(fake.clone()),
            ));
        }
        if let Some(library) = library {
            entries.push(SourceEntry::new(
                "library",
                SourceKind::Local,
                "library",
                Arc::new(library),
            ));
        }
        let config = PlayerConfig {
            sources: Sources::from_entries(entries),
            fallback: FallbackConfig::default(),
            ..PlayerConfig::default()
        };
        Self {
            base: support::Rig::start(config),
            netease,
            fallbacks,
        }
    }

    async fn play(&self, tracks: Vec<Track>) {
        self.player.act(Action::ClearQueue).await.unwrap();
        self.player.act(Action::PlayTracks(tracks)).await.unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn a_perfect_match_from_the_top_source_wins_at_once_and_the_others_are_cancelled() {
    let mut rig = Rig::new(vec![
        Fake::new("a", Some(50), vec![perfect("a:1")]),
        Fake::new("b", Some(1_000), vec![perfect("b:1")]),
        Fake::new("c", None, vec![]),
    ]);
    rig.play(vec![vip()]).await;
    let snap = rig.wait(30).await;
    assert_eq!(snap.state.status, PlaybackStatus::Loading);
    assert!(rig.loads().is_empty(), "nothing plays while the race runs");
    assert!(
        rig.fallbacks.iter().all(|f| f.finds() == 1),
        "all asked at once"
    );

    let snap = rig.wait(50).await;
    let loads = rig.loads();
    assert_eq!(loads, [(snap.state.play_id, "https://a/a:1".to_owned())]);
    for loser in &rig.fallbacks[1..] {
        assert!(loser.all_finds_cancelled(), "{} not cancelled", loser.name);
        assert_eq!(
            loser.finds_ended.load(Ordering::SeqCst),
            1,
            "{} still runs",
            loser.name
        );
    }
    let stats = rig.player.stats().await.unwrap();
    assert_eq!((stats.races_started, stats.races_won), (1, 1));
    assert_eq!(stats.lookups_running, 0);
    let from = snap.state.playing_from.expect("playing from a copy");
    assert_eq!(from.source_label, "Server a");
    assert!(from.reason.contains("VIP only"), "{}", from.reason);
    assert_eq!(from.candidate_id, "a/a:1");
    assert!(from.candidates[0].perfect);
    assert_eq!(from.candidates[0].title, "晴天");

    // Long after: the losers' answers never arrive, nothing else loads.
    rig.wait(5_000).await;
    assert!(rig.loads().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_perfect_match_from_a_lower_source_waits_for_the_preferred_one() {
    let mut rig = Rig::new(vec![
        Fake::new("a", Some(200), vec![good("a:1")]),
        Fake::new("b", Some(50), vec![perfect("b:1")]),
    ]);
    rig.play(vec![vip()]).await;
    rig.wait(100).await;
    assert!(
        rig.loads().is_empty(),
        "a may still answer with a perfect copy"
    );
    let snap = rig.wait(150).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://b/b:1".to_owned())],
        "a's copy is worse: the perfect one wins"
    );
    let from = snap.state.playing_from.unwrap();
    assert_eq!(from.candidates.len(), 2, "both copies are offered");
}

#[tokio::test(start_paused = true)]
async fn without_a_perfect_match_the_best_score_wins_at_the_deadline() {
    let mut rig = Rig::new(vec![
        Fake::new("a", Some(100), vec![good("a:1")]),
        Fake::new("b", None, vec![]),
        Fake::new(
            "c",
            Some(200),
            vec![track("c:1", SourceKind::Subsonic, "晴天 (Live)", None)],
        ),
    ]);
    rig.play(vec![vip()]).await;
    rig.wait(2_900).await;
    assert!(rig.loads().is_empty(), "b is still searching");
    let snap = rig.wait(200).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://a/a:1".to_owned())]
    );
    assert!(rig.fallbacks[1].all_finds_cancelled());
    assert_eq!(rig.fallbacks[1].finds_ended.load(Ordering::SeqCst), 1);
    let from = snap.state.playing_from.unwrap();
    assert_eq!(from.candidates.len(), 1, "the live version is not a copy");
}

#[tokio::test(start_paused = true)]
async fn the_deadline_is_configurable() {
    let (audio_tx, mut audio) = mpsc::unbounded_channel();
    let (_events_tx, events_rx) = mpsc::unbounded_channel();
    let mut netease = Fake::new("netease", Some(10), Vec::new());
    netease.refuse.push("netease:vip");
    let config = PlayerConfig {
        sources: Sources::from_entries([
            SourceEntry::new("netease", SourceKind::NetEase, "NetEase", Arc::new(netease)),
            SourceEntry::new(
                "a",
                SourceKind::Subsonic,
                "A",
                Arc::new(Fake::new("a", Some(100), vec![good("a:1")])),
            ),
            SourceEntry::new(
                "b",
                SourceKind::Subsonic,
                "B",
                Arc::new(Fake::new("b", None, vec![])),
            ),
        ]),
        fallback: FallbackConfig {
            deadline: Duration::from_millis(500),
            ..FallbackConfig::default()
        },
        ..PlayerConfig::default()
    };
    let (player, _events, actor) = Player::new(config, audio_tx, events_rx);
    tokio::spawn(actor);
    player.act(Action::PlayTracks(vec![vip()])).await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    player.snapshot().await.unwrap();
    let loaded = std::iter::from_fn(|| audio.try_recv().ok())
        .any(|c| matches!(c, AudioCommand::Load { .. }));
    assert!(loaded, "decided at 0.5 s");
}

#[tokio::test(start_paused = true)]
async fn skipping_during_a_race_cancels_every_task_of_it_and_no_late_answer_is_applied() {
    let mut rig = Rig::new(vec![
        Fake::new("a", Some(500), vec![perfect("a:1")]),
        Fake::new("b", Some(700), vec![perfect("b:1")]),
        Fake::new("c", None, vec![]),
    ]);
    let plain = track(
        "netease:plain",
        SourceKind::NetEase,
        "七里香",
        Some(LENGTH_MS),
    );
    rig.play(vec![vip(), plain]).await;
    rig.wait(100).await;
    assert!(rig.fallbacks.iter().all(|f| f.finds() == 1));
    rig.player.act(Action::Next).await.unwrap();
    for fake in &rig.fallbacks {
        assert!(fake.all_finds_cancelled(), "{} not cancelled", fake.name);
    }
    let snap = rig.wait(20).await;
    for fake in &rig.fallbacks {
        assert_eq!(
            fake.finds_ended.load(Ordering::SeqCst),
            1,
            "{} still runs",
            fake.name
        );
    }
    assert_eq!(
        rig.loads(),
        [(
            snap.state.play_id,
            "https://netease/netease:plain".to_owned()
        )]
    );
    assert_eq!(snap.state.playing_from, None);

    // When the race's answers would have come: nothing of it reaches the audio side.
    let later = rig.wait(5_000).await;
    assert!(rig.loads().is_empty());
    assert_eq!(later.state.play_id, snap.state.play_id);
    let stats = rig.player.stats().await.unwrap();
    assert_eq!(
        (stats.races_won, stats.races_lost),
        (0, 0),
        "the race was abandoned"
    );
    assert_eq!(stats.lookups_running, 0);
}

#[tokio::test(start_paused = true)]
async fn stopping_during_a_race_cancels_it_too() {
    let mut rig = Rig::new(vec![Fake::new("a", Some(500), vec![perfect("a:1")])]);
    rig.play(vec![vip()]).await;
    rig.wait(100).await;
    rig.player.act(Action::Stop).await.unwrap();
    assert!(rig.fallbacks[0].all_finds_cancelled());
    let snap = rig.wait(1_000).await;
    assert!(rig.loads().is_empty());
    assert_eq!(snap.state.status, PlaybackStatus::Stopped);
}

#[tokio::test(start_paused = true)]
async fn the_decision_is_remembered_for_the_session() {
    let mut rig = Rig::new(vec![
        Fake::new("a", Some(50), vec![perfect("a:1")]),
        Fake::new("b", Some(50), vec![perfect("b:1")]),
    ]);
    let plain = track(
        "netease:plain",
        SourceKind::NetEase,
        "七里香",
        Some(LENGTH_MS),
    );
    rig.play(vec![vip()]).await;
    rig.wait(200).await;
    assert_eq!(rig.loads().len(), 1);
    rig.play(vec![plain]).await;
    rig.wait(200).await;
    rig.loads();
    let asked_netease = rig.netease.resolves.lock().unwrap().len();

    rig.play(vec![vip()]).await;
    let snap = rig.wait(30).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://a/a:1".to_owned())],
        "straight to the copy"
    );
    assert!(snap.state.playing_from.is_some());
    let stats = rig.player.stats().await.unwrap();
    assert_eq!(stats.races_started, 1, "no second race");
    assert!(rig.fallbacks.iter().all(|f| f.finds() == 1));
    assert_eq!(
        rig.netease.resolves.lock().unwrap().len(),
        asked_netease,
        "NetEase is not asked again"
    );
}

#[tokio::test(start_paused = true)]
async fn when_no_source_has_a_copy_the_track_cannot_play() {
    let mut rig = Rig::new(vec![
        Fake::new(
            "a",
            Some(50),
            vec![track("a:1", SourceKind::Subsonic, "晴天 (伴奏)", None)],
        ),
        Fake::new(
            "b",
            Some(80),
            vec![track("b:1", SourceKind::Subsonic, "稻香", Some(LENGTH_MS))],
        ),
        Fake::new("c", Some(60), vec![]),
    ]);
    rig.play(vec![vip()]).await;
    let snap = rig.wait(200).await;
    let notices = rig.notices();
    assert!(
        notices
            .iter()
            .any(|n| matches!(n, Notice::CannotPlay { name, reason }
            if name == "晴天 — 周杰倫"
                && reason == "not available on NetEase (not available: VIP only); \
                              no copy found in your other sources")),
        "{notices:?}"
    );
    assert!(rig.loads().is_empty());
    assert_eq!(
        snap.state.status,
        PlaybackStatus::Stopped,
        "the only track failed"
    );
    let stats = rig.player.stats().await.unwrap();
    assert_eq!((stats.races_started, stats.races_lost), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn the_user_can_switch_to_another_copy() {
    let mut rig = Rig::new(vec![
        Fake::new("a", Some(50), vec![good("a:1")]),
        Fake::new("b", Some(80), vec![good("b:1")]),
    ]);
    rig.play(vec![vip()]).await;
    let snap = rig.wait(200).await;
    assert_eq!(rig.loads()[0].1, "https://a/a:1");
    let from = snap.state.playing_from.unwrap();
    let ids: Vec<_> = from.candidates.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, ["a/a:1", "b/b:1"]);

    let stale = rig
        .player
        .act(Action::UseCandidate {
            track: TrackId("netease:other".into()),
            candidate: "b/b:1".into(),
        })
        .await;
    assert_eq!(stale, Err(PlayerError::NoSuchCandidate("b/b:1".into())));
    let unknown = rig
        .player
        .act(Action::UseCandidate {
            track: vip().id,
            candidate: "z/z:1".into(),
        })
        .await;
    assert!(unknown.is_err());
    assert!(rig.loads().is_empty(), "refusals change nothing");

    rig.player
        .act(Action::UseCandidate {
            track: vip().id,
            candidate: "b/b:1".into(),
        })
        .await
        .unwrap();
    let snap = rig.wait(50).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://b/b:1".to_owned())]
    );
    let from = snap.state.playing_from.unwrap();
    assert_eq!(
        (from.candidate_id.as_str(), from.source_label.as_str()),
        ("b/b:1", "Server b")
    );
}

#[tokio::test(start_paused = true)]
async fn a_copy_that_will_not_resolve_gives_way_to_the_next() {
    // b answers first with a good copy; a's perfect one wins, but will not resolve.
    let mut a = Fake::new("a", Some(50), vec![perfect("a:1")]);
    a.refuse.push("a:1");
    let mut rig = Rig::new(vec![a, Fake::new("b", Some(30), vec![good("b:1")])]);
    rig.play(vec![vip()]).await;
    let snap = rig.wait(300).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://b/b:1".to_owned())]
    );
    assert_eq!(snap.state.playing_from.unwrap().candidates.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_local_file_is_a_candidate_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("晴天.flac");
    std::fs::write(&path, b"flac").unwrap();
    let mut local = Track::from_path(path.clone(), SourceKind::Local);
    local.title = "晴天".into();
    local.artists = vec!["周杰伦".into()];
    local.duration_ms = Some(LENGTH_MS - 400);
    let mut rig = Rig::new(vec![Fake::new("disk", Some(20), vec![local])]);
    rig.play(vec![vip()]).await;
    let snap = rig.wait(100).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, path.display().to_string())],
        "played as a file, not resolved through the source"
    );
    assert!(rig.fallbacks[0].resolves.lock().unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_missing_local_file_is_searched_for_elsewhere() {
    let mut rig = Rig::new(vec![Fake::new("a", Some(20), vec![perfect("a:1")])]);
    let mut gone = Track::from_path("/nowhere/晴天.flac".into(), SourceKind::Local);
    gone.title = "晴天".into();
    gone.artists = vec!["周杰倫".into()];
    gone.duration_ms = Some(LENGTH_MS);
    rig.play(vec![gone]).await;
    let snap = rig.wait(100).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://a/a:1".to_owned())]
    );
    assert!(snap.state.playing_from.unwrap().reason.contains("missing"));
}

/// What the audio side was asked to load since the last call: play id, what, from where.
fn loads_from(rig: &mut Rig) -> Vec<(PlayId, String, u64)> {
    std::iter::from_fn(|| rig.audio.try_recv().ok())
        .filter_map(|c| match c {
            AudioCommand::Load {
                play_id,
                media,
                start_ms,
                ..
            } => Some((
                play_id,
                match media {
                    Playable::Stream(spec) => spec.url,
                    Playable::File(path) => path.display().to_string(),
                },
                start_ms,
            )),
            _ => None,
        })
        .collect()
}

/// A track that plays from its own source until the server goes away (the stream fails
/// mid-track): the copy in another source takes over from the same position, under a new
/// play id, and says why.
#[tokio::test(start_paused = true)]
async fn a_stream_that_fails_mid_track_resumes_from_a_copy_at_the_same_position() {
    use lyrebird_core::AudioEvent;
    let mut rig = Rig::new(vec![Fake::new("a", Some(20), vec![perfect("a:1")])]);
    let own = track("netease:ok", SourceKind::NetEase, "晴天", Some(LENGTH_MS));
    rig.play(vec![own]).await;
    rig.wait(50).await;
    let loads = loads_from(&mut rig);
    assert_eq!(loads.len(), 1);
    let (first, url, _) = loads[0].clone();
    assert_eq!(url, "https://netease/netease:ok");
    for event in [
        AudioEvent::Started {
            play_id: first,
            duration_ms: Some(LENGTH_MS),
        },
        AudioEvent::Position {
            play_id: first,
            position_ms: 90_000,
        },
        AudioEvent::Failed {
            play_id: first,
            reason: "connection refused (is the server running?)".into(),
            cause: lyrebird_core::FailureCause::Unreachable,
        },
    ] {
        rig.audio_events.send(event).unwrap();
    }
    let snap = rig.wait(100).await;
    let loads = loads_from(&mut rig);
    assert_eq!(
        loads,
        [(snap.state.play_id, "https://a/a:1".to_owned(), 90_000)],
        "the copy, from where the failure left off"
    );
    assert_ne!(snap.state.play_id, first, "a new load");
    let from = snap.state.playing_from.expect("playing from a copy");
    assert!(
        from.reason.contains("connection refused"),
        "{}",
        from.reason
    );
    assert!(
        !rig.notices()
            .iter()
            .any(|n| matches!(n, Notice::CannotPlay { .. })),
        "not given up"
    );
    // A late event of the failed load is stale now.
    rig.audio_events
        .send(AudioEvent::Ended { play_id: first })
        .unwrap();
    let after = rig.wait(10).await;
    assert_eq!(after.state.play_id, snap.state.play_id);
    assert_eq!(after.queue.current, snap.queue.current);
}

/// A copy that fails too gives way to the next one; when none is left the track is given up
/// with both reasons, and the queue moves on.
#[tokio::test(start_paused = true)]
async fn a_copy_that_fails_to_play_gives_way_to_the_next() {
    use lyrebird_core::AudioEvent;
    // b answers first, but a is preferred: the race waits for a, so both copies are known.
    let mut rig = Rig::new(vec![
        Fake::new("a", Some(40), vec![perfect("a:1")]),
        Fake::new("b", Some(20), vec![perfect("b:1")]),
    ]);
    rig.play(vec![vip()]).await;
    rig.wait(100).await;
    let (copy, url, _) = loads_from(&mut rig).pop().unwrap();
    assert_eq!(url, "https://a/a:1");
    rig.audio_events
        .send(AudioEvent::Failed {
            play_id: copy,
            reason: "decoder error".into(),
            cause: lyrebird_core::FailureCause::Track,
        })
        .unwrap();
    let snap = rig.wait(100).await;
    let (next, url, _) = loads_from(&mut rig).pop().unwrap();
    assert_eq!(url, "https://b/b:1");
    assert_eq!(next, snap.state.play_id);
    rig.audio_events
        .send(AudioEvent::Failed {
            play_id: next,
            reason: "decoder error".into(),
            cause: lyrebird_core::FailureCause::Track,
        })
        .unwrap();
    rig.wait(100).await;
    assert!(rig.notices().iter().any(|n| matches!(n,
        Notice::CannotPlay { reason, .. } if reason.contains("could not play either"))));
}

/// A local file moved to another folder of the library: the library itself is searched (its
/// own source), and the file where it is now plays.
#[tokio::test(start_paused = true)]
async fn a_local_file_moved_within_the_library_is_found_there() {
    let dir = tempfile::tempdir().unwrap();
    let moved_to = dir.path().join("New folder").join("晴天.flac");
    std::fs::create_dir_all(moved_to.parent().unwrap()).unwrap();
    std::fs::write(&moved_to, b"flac").unwrap();
    let mut moved = Track::from_path(moved_to.clone(), SourceKind::Local);
    moved.title = "晴天".into();
    moved.artists = vec!["周杰倫".into()];
    moved.duration_ms = Some(LENGTH_MS);
    let library = Fake::new("library", Some(20), vec![moved]);
    let mut rig = Rig::with_library(vec![], Some(library.clone()));

    let mut gone = Track::from_path(dir.path().join("Old folder/晴天.flac"), SourceKind::Local);
    gone.title = "晴天".into();
    gone.artists = vec!["周杰倫".into()];
    gone.duration_ms = Some(LENGTH_MS);
    rig.play(vec![gone]).await;
    let snap = rig.wait(100).await;
    assert_eq!(library.finds(), 1, "the library searched itself");
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, moved_to.display().to_string())]
    );
}

/// A track the user picks to play asks its server even while the server is left alone (they
/// may just have brought it back), where otherwise nothing would play; the track the player
/// moves on to by itself does not. A failure of that probe is not said again.
#[tokio::test(start_paused = true)]
async fn a_track_the_user_picks_asks_its_server_even_while_it_is_left_alone() {
    use lyrebird_core::AudioEvent;
    // No other source has a copy.
    let mut rig = Rig::new(vec![Fake::new("a", Some(20), vec![])]);
    let song = |id: &str| track(id, SourceKind::NetEase, "晴天", Some(LENGTH_MS));
    rig.play(vec![song("netease:1"), song("netease:2")]).await;
    rig.wait(50).await;
    let (first, _) = rig.loads().pop().unwrap();
    rig.report(AudioEvent::Failed {
        play_id: first,
        reason: "connection refused by netease (is the server running?)".into(),
        cause: lyrebird_core::FailureCause::Unreachable,
    })
    .await;
    rig.wait(200).await;
    let resolves = rig.netease.resolves.clone();
    let asked = || resolves.lock().unwrap().len();
    // Nothing to play netease:1 from; the player moved on to netease:2 by itself, and did not
    // ask the server known to be away for it.
    assert_eq!(asked(), 1, "only the first track asked the server");
    assert!(rig.loads().is_empty(), "nothing could play");

    // The user picks the first track again, well within the wait: the server is asked.
    rig.player.act(Action::PlayQueueIndex(0)).await.unwrap();
    rig.wait(50).await;
    assert_eq!(asked(), 2, "the pick asked the server");
    let (probe, url) = rig.loads().pop().unwrap();
    assert_eq!(url, "https://netease/netease:1");
    // Still away: nothing more is said about it.
    rig.report(AudioEvent::Failed {
        play_id: probe,
        reason: "connection refused by netease (is the server running?)".into(),
        cause: lyrebird_core::FailureCause::Unreachable,
    })
    .await;
    rig.wait(200).await;
    let said = rig
        .notices()
        .into_iter()
        .filter(|n| matches!(n, Notice::SourceUnreachable { .. }))
        .count();
    assert_eq!(said, 1, "said once");
}

/// A server that cannot be reached is left alone for a while: the notice says so once, the
/// next tracks of that server go straight to the race (no resolve, no waiting for the same
/// failure), races leave it out, and once the wait has passed the next track tries it again
/// — and sound from it brings it back.
#[tokio::test(start_paused = true)]
async fn an_unreachable_server_is_left_alone_for_a_while_then_tried_again() {
    use lyrebird_core::AudioEvent;
    let mut a = Fake::new("a", Some(20), vec![perfect("a:1")]);
    a.refuse.clear();
    let mut rig = Rig::new(vec![a.clone()]);
    let song = |id: &str| track(id, SourceKind::NetEase, "晴天", Some(LENGTH_MS));
    rig.play(vec![
        song("netease:1"),
        song("netease:2"),
        song("netease:3"),
    ])
    .await;
    rig.wait(50).await;
    let (first, url) = rig.loads().pop().unwrap();
    assert_eq!(url, "https://netease/netease:1");
    rig.report(AudioEvent::Failed {
        play_id: first,
        reason: "connection refused by netease (is the server running?)".into(),
        cause: lyrebird_core::FailureCause::Unreachable,
    })
    .await;
    let snap = rig.wait(100).await;
    assert_eq!(
        rig.loads().pop().unwrap().1,
        "https://a/a:1",
        "a copy plays"
    );
    let down: Vec<_> = rig
        .notices()
        .into_iter()
        .filter(|n| matches!(n, Notice::SourceUnreachable { .. }))
        .collect();
    assert_eq!(down.len(), 1, "said once: {down:?}");
    assert!(
        matches!(&down[0], Notice::SourceUnreachable { source, reason }
        if source == "NetEase" && reason.contains("connection refused"))
    );

    // The next track of that server: straight to the race, its source not asked.
    let resolves_before = rig.netease.resolves.lock().unwrap().len();
    rig.player.act(Action::Next).await.unwrap();
    let next = rig.wait(100).await;
    assert_eq!(next.queue.current, Some(1));
    assert_eq!(
        rig.netease.resolves.lock().unwrap().len(),
        resolves_before,
        "the server known to be away was not asked"
    );
    assert_eq!(rig.loads().pop().unwrap().1, "https://a/a:1");
    let from = next.state.playing_from.expect("a copy");
    assert!(from.reason.contains("cannot be reached"), "{}", from.reason);
    assert!(snap.state.play_id < next.state.play_id);

    // After the wait, the next track tries the server again, and its sound brings it back.
    tokio::time::sleep(Duration::from_secs(16)).await;
    rig.player.act(Action::Next).await.unwrap();
    rig.wait(50).await;
    let (probe, url) = rig.loads().pop().unwrap();
    assert_eq!(url, "https://netease/netease:3", "tried again");
    rig.report(AudioEvent::Started {
        play_id: probe,
        duration_ms: Some(LENGTH_MS),
    })
    .await;
    rig.player.act(Action::Previous).await.unwrap();
    rig.wait(50).await;
    assert!(
        rig.notices()
            .iter()
            .all(|n| !matches!(n, Notice::SourceUnreachable { .. })),
        "not said again"
    );
}
