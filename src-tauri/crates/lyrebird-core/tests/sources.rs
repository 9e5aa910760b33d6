//! Registering sources while the app runs (the user adds, removes or reorders servers), and
//! several servers of one kind each resolving their own tracks. Fake sources under tokio's
//! paused clock.

#[macro_use]
mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lyrebird_core::actor::{Action, PlayerConfig, PlayerError, RegistryConfig};
use lyrebird_core::events::Notice;
use lyrebird_core::model::{SourceKind, Track, TrackId};
use lyrebird_core::provider::{FindFuture, ResolveFuture, Source, SourceEntry, Sources};
use lyrebird_core::queue::QueuePosition;
use lyrebird_core::servers::{
    Generation, SecretStorage, ServerSettings, SourceChange, SourceChangeError, WantedSources,
};
use tokio_util::sync::CancellationToken;

fn track(id: &str, source: SourceKind, title: &str) -> Track {
    let mut track = Track::from_path(format!("/nowhere/{id}").into(), source);
    track.id = TrackId(id.into());
    track.title = title.into();
    track.artists = vec!["陈绮贞".into()];
    track.duration_ms = Some(200_000);
    track.path = None;
    track
}

/// Resolves every track to `https://<name>/<id>`; `find` answers `copies` after `delay_ms`
/// (never when `None`).
#[derive(Clone)]
struct Fake {
    name: &'static str,
    copies: Vec<Track>,
    delay_ms: Option<u64>,
    finds: Arc<Mutex<Vec<CancellationToken>>>,
}

impl Fake {
    fn new(name: &'static str, delay_ms: Option<u64>, copies: Vec<Track>) -> Self {
        Self {
            name,
            copies,
            delay_ms,
            finds: Arc::default(),
        }
    }
}

impl Source for Fake {
    fn resolve(&self, track: Track, _cancel: CancellationToken) -> ResolveFuture {
        support::stream_to(format!("https://{}/{}", self.name, track.id))
    }

    fn find(&self, _wanted: Track, cancel: CancellationToken) -> FindFuture {
        self.finds.lock().unwrap().push(cancel);
        let (delay, copies) = (self.delay_ms, self.copies.clone());
        Box::pin(async move {
            match delay {
                Some(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
                None => std::future::pending().await,
            }
            Ok(copies)
        })
    }
}

fn server(fake: &Fake) -> SourceEntry {
    SourceEntry::new(
        format!("subsonic:{}", fake.name),
        SourceKind::Subsonic,
        format!("Server {}", fake.name),
        Arc::new(fake.clone()),
    )
    .owning_ids_starting_with(format!("subsonic:{}:", fake.name))
}

struct Rig {
    base: support::Rig,
}

rig_derefs_to_base!(Rig);

impl Rig {
    fn new(sources: Sources) -> Self {
        Self {
            base: support::Rig::with_sources(sources),
        }
    }

    /// Where the loads since the last call play from (URL or path).
    fn loads(&mut self) -> Vec<String> {
        self.base
            .loads()
            .into_iter()
            .map(|(_, target)| target)
            .collect()
    }
}

#[tokio::test(start_paused = true)]
async fn each_server_resolves_its_own_tracks() {
    let a = Fake::new("a", Some(10), vec![]);
    let b = Fake::new("b", Some(10), vec![]);
    let mut rig = Rig::new(Sources::from_entries([server(&a), server(&b)]));
    let from_b = track("subsonic:b:7", SourceKind::Subsonic, "旅行的意义");
    rig.player
        .act(Action::PlayTracks(vec![from_b]))
        .await
        .unwrap();
    rig.wait(20).await;
    assert_eq!(rig.loads(), ["https://b/subsonic:b:7"]);
}

#[tokio::test(start_paused = true)]
async fn sources_registered_later_are_used_and_tracks_can_be_queued_directly() {
    let mut rig = Rig::new(Sources::default());
    let song = track("subsonic:a:1", SourceKind::Subsonic, "旅行的意义");
    rig.player
        .act(Action::PlayTracks(vec![song.clone()]))
        .await
        .unwrap();
    rig.wait(20).await;
    assert!(rig.loads().is_empty());
    assert!(
        rig.notices()
            .iter()
            .any(|n| matches!(n, Notice::CannotPlay { .. })),
        "no source yet"
    );

    let a = Fake::new("a", Some(10), vec![]);
    rig.player
        .registry_built(Generation(0), Sources::from_entries([server(&a)]))
        .await
        .unwrap();
    let second = track("subsonic:a:2", SourceKind::Subsonic, "等待");
    rig.player
        .act(Action::EnqueueTracks {
            tracks: vec![second],
            position: QueuePosition::Next,
        })
        .await
        .unwrap();
    let snap = rig.wait(10).await;
    assert_eq!(snap.queue.count as usize, 2, "queued without playing");
    rig.player.act(Action::PlayQueueIndex(0)).await.unwrap();
    rig.wait(20).await;
    assert_eq!(rig.loads(), ["https://a/subsonic:a:1"]);
    assert!(
        rig.player
            .act(Action::EnqueueTracks {
                tracks: vec![],
                position: QueuePosition::End,
            })
            .await
            .is_err()
    );
}

#[tokio::test(start_paused = true)]
async fn a_race_in_flight_starts_again_among_the_new_sources() {
    // The local file is missing; the only other source never answers.
    let silent = Fake::new("silent", None, vec![]);
    let mut rig = Rig::new(Sources::from_entries([server(&silent)]));
    let mut missing = track("local:1", SourceKind::Local, "旅行的意义");
    missing.path = Some("/nowhere/旅行的意义.flac".into());
    rig.player
        .act(Action::PlayTracks(vec![missing]))
        .await
        .unwrap();
    rig.wait(100).await;
    assert_eq!(silent.finds.lock().unwrap().len(), 1, "the race runs");
    assert!(rig.loads().is_empty());

    // The user adds a server that has the song, before the race's deadline.
    let copy = track("subsonic:home:9", SourceKind::Subsonic, "旅行的意义");
    let home = Fake::new("home", Some(50), vec![copy]);
    rig.player
        .registry_built(
            Generation(0),
            Sources::from_entries([server(&home), server(&silent)]),
        )
        .await
        .unwrap();
    assert!(
        silent.finds.lock().unwrap()[0].is_cancelled(),
        "the old race's search is cancelled"
    );
    let snap = rig.wait(100).await;
    assert_eq!(rig.loads(), ["https://home/subsonic:home:9"]);
    let from = snap.state.playing_from.expect("a copy plays");
    assert_eq!(from.source_label, "Server home");
    assert!(from.reason.contains("missing"), "{}", from.reason);

    // Removing the server that plays the copy forgets it; nothing crashes, nothing reloads.
    rig.player
        .registry_built(Generation(0), Sources::from_entries([server(&silent)]))
        .await
        .unwrap();
    let snap = rig.wait(10).await;
    assert!(snap.state.playing_from.is_none());
    assert!(rig.loads().is_empty());
    // A registry equals its clone (the same source objects), not a rebuilt one.
    let registry = Sources::from_entries([server(&silent)]);
    assert!(registry == registry.clone());
    assert!(registry != Sources::from_entries([server(&silent)]));
}

/// A player whose registries are built by `builder` (as the shell's builder task does), with
/// the watch channel it is told the wanted sources on.
fn with_builder(
    session: Option<std::path::PathBuf>,
) -> (Rig, tokio::sync::watch::Receiver<WantedSources>) {
    let (wanted_tx, wanted) = tokio::sync::watch::channel(WantedSources::default());
    let config = PlayerConfig {
        session_path: session,
        registry: RegistryConfig {
            wanted: Some(wanted_tx),
        },
        ..PlayerConfig::default()
    };
    let rig = Rig {
        base: support::Rig::start(config),
    };
    (rig, wanted)
}

fn home_server(id: &str, url: &str) -> ServerSettings {
    ServerSettings {
        id: id.into(),
        name: format!("Server {id}"),
        base_url: url.into(),
        user: "ann".into(),
        enabled: true,
        secret_storage: SecretStorage::File,
        ..ServerSettings::default()
    }
}

fn save(server: ServerSettings) -> SourceChange {
    SourceChange::Save {
        server,
        secret_stored: true,
    }
}

/// A change is answered once the registry built for it is in use; a registry built for a
/// generation that is no longer wanted is dropped, and the one in use always matches the
/// settings of its generation.
#[tokio::test(start_paused = true)]
async fn a_source_change_answers_once_its_registry_is_in_use() {
    let (rig, mut wanted) = with_builder(None);
    assert_eq!(wanted.borrow_and_update().generation, Generation(0));

    let player = rig.player.clone();
    let change = tokio::spawn(async move {
        player
            .change_sources(save(home_server("a", "http://a/")))
            .await
    });
    wanted.changed().await.unwrap();
    let first = wanted.borrow_and_update().clone();
    assert_eq!(first.generation, Generation(1));
    assert_eq!(first.settings.servers.len(), 1);
    rig.wait(50).await;
    assert!(!change.is_finished(), "no registry for generation 1 yet");

    // Another change comes before the first registry is built: that registry is stale.
    let player = rig.player.clone();
    let second = tokio::spawn(async move {
        player
            .change_sources(SourceChange::Reorder {
                order: vec!["subsonic:a".into(), "library".into()],
            })
            .await
    });
    wanted.changed().await.unwrap();
    let latest = wanted.borrow_and_update().clone();
    assert_eq!(latest.generation, Generation(2));
    let a = Fake::new("a", Some(10), vec![]);
    assert!(
        !rig.player
            .registry_built(first.generation, Sources::from_entries([server(&a)]))
            .await
            .unwrap(),
        "a registry for generation 1 is stale once 2 is wanted"
    );
    assert!(!change.is_finished() && !second.is_finished());
    assert!(rig.player.sources().await.unwrap().entries().is_empty());
    assert!(
        rig.player
            .registry_built(latest.generation, Sources::from_entries([server(&a)]))
            .await
            .unwrap()
    );
    let saved = change.await.unwrap().unwrap().expect("the server as saved");
    assert_eq!(saved.id, "a");
    assert_eq!(second.await.unwrap().unwrap(), None);
    assert_eq!(rig.player.sources().await.unwrap().entries().len(), 1);
    assert_eq!(
        rig.player.source_settings().await.unwrap().order,
        ["subsonic:a", "library"]
    );
    assert_eq!(rig.player.stats().await.unwrap().stale_registries, 1);

    // A refused change changes nothing and wants no new registry.
    let refused = rig
        .player
        .change_sources(SourceChange::Remove { id: "zz".into() })
        .await;
    assert_eq!(
        refused,
        Err(PlayerError::Sources(SourceChangeError::UnknownServer(
            "zz".into()
        )))
    );
    assert!(!wanted.has_changed().unwrap());
}

/// A restored queue whose current track is remote is cued once the first registry is in use,
/// not before (it would fail to resolve and be skipped).
#[tokio::test(start_paused = true)]
async fn a_restored_remote_track_waits_for_the_first_registry() {
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session.json");
    let song = track("subsonic:a:1", SourceKind::Subsonic, "旅行的意义");
    let saved = lyrebird_core::session::Session {
        queue: vec![lyrebird_core::session::SavedTrack::new(&song).unwrap()],
        queue_token: None,
        current: Some(0),
        position_ms: 12_000,
        mode: lyrebird_core::queue::PlayMode::default(),
    };
    std::fs::write(&session, serde_json::to_vec(&saved).unwrap()).unwrap();

    let (mut rig, mut wanted) = with_builder(Some(session));
    let snap = rig.wait(100).await;
    assert_eq!(snap.queue.count as usize, 1, "the queue shows at once");
    assert!(rig.loads().is_empty(), "nothing looked up without sources");
    assert!(rig.notices().is_empty(), "{:?}", rig.notices());

    let generation = wanted.borrow_and_update().generation;
    let a = Fake::new("a", Some(10), vec![]);
    rig.player
        .registry_built(generation, Sources::from_entries([server(&a)]))
        .await
        .unwrap();
    let snap = rig.wait(50).await;
    assert_eq!(rig.loads(), ["https://a/subsonic:a:1"]);
    assert_eq!(snap.state.position_ms, 12_000);
}
