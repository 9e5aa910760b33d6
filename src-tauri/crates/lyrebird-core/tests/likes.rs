//! Liking the current track at its own source: shown at once, sent in a task, put back and
//! explained when the source refuses; not cancelled by skipping; absent for sources without
//! likes. Fake sources under tokio's paused clock.

#[macro_use]
mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lyrebird_core::actor::Action;
use lyrebird_core::events::Notice;
use lyrebird_core::model::{SourceKind, Track, TrackId};
use lyrebird_core::provider::{LikeFuture, ResolveFuture, Source, SourceEntry, Sources};
use tokio_util::sync::CancellationToken;

/// A server whose likes take `delay_ms` and are refused while `refuse` is set; it records
/// the likes it took.
#[derive(Clone, Default)]
struct Server {
    delay_ms: u64,
    refuse: Arc<Mutex<bool>>,
    taken: Arc<Mutex<Vec<(String, bool)>>>,
}

impl Source for Server {
    fn resolve(&self, track: Track, _cancel: CancellationToken) -> ResolveFuture {
        support::stream_to(format!("https://server/{}", track.id))
    }

    fn can_like(&self) -> bool {
        true
    }

    fn like(&self, track: Track, liked: bool, _cancel: CancellationToken) -> LikeFuture {
        let (delay, refuse, taken) = (self.delay_ms, self.refuse.clone(), self.taken.clone());
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            if *refuse.lock().unwrap() {
                return Err("the server said no (error 50)".into());
            }
            taken.lock().unwrap().push((track.id.0, liked));
            Ok(())
        })
    }
}

/// A source without likes (the trait's defaults).
struct Plain;

impl Source for Plain {
    fn resolve(&self, track: Track, _cancel: CancellationToken) -> ResolveFuture {
        support::stream_to(format!("https://plain/{}", track.id))
    }
}

fn track(id: &str, liked: Option<bool>) -> Track {
    let mut track = Track::from_path(format!("/nowhere/{id}").into(), SourceKind::Subsonic);
    track.id = TrackId(id.into());
    track.title = id.into();
    track.path = None;
    track.liked = liked;
    track
}

struct Rig {
    base: support::Rig,
}

rig_derefs_to_base!(Rig);

impl Rig {
    fn new(server: &Server) -> Self {
        let sources = Sources::from_entries(vec![
            SourceEntry::new(
                "subsonic:home",
                SourceKind::Subsonic,
                "Home",
                Arc::new(server.clone()),
            )
            .owning_ids_starting_with("subsonic:home:"),
            SourceEntry::new(
                "subsonic:plain",
                SourceKind::Subsonic,
                "Plain",
                Arc::new(Plain),
            )
            .owning_ids_starting_with("subsonic:plain:"),
        ]);
        Self {
            base: support::Rig::with_sources(sources),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_like_shows_at_once_and_reaches_the_source() {
    let server = Server {
        delay_ms: 200,
        ..Server::default()
    };
    let rig = Rig::new(&server);
    let song = track("subsonic:home:1", Some(false));
    rig.player
        .act(Action::PlayTracks(vec![song.clone()]))
        .await
        .unwrap();
    assert_eq!(
        rig.wait(10).await.state.liked,
        Some(false),
        "the server said"
    );

    rig.player
        .act(Action::SetLiked {
            track: song.id.clone(),
            liked: true,
        })
        .await
        .unwrap();
    assert_eq!(
        rig.player.snapshot().await.unwrap().state.liked,
        Some(true),
        "shown before the server answers"
    );
    assert!(server.taken.lock().unwrap().is_empty());
    rig.wait(300).await;
    assert_eq!(
        *server.taken.lock().unwrap(),
        [("subsonic:home:1".to_owned(), true)]
    );

    // The tray's toggle turns it over; a like for a track no longer current changes nothing.
    rig.player.act(Action::ToggleLiked).await.unwrap();
    rig.player
        .act(Action::SetLiked {
            track: TrackId("subsonic:home:other".into()),
            liked: true,
        })
        .await
        .unwrap();
    assert_eq!(rig.wait(300).await.state.liked, Some(false));
    assert_eq!(
        server.taken.lock().unwrap().last(),
        Some(&("subsonic:home:1".to_owned(), false))
    );
}

#[tokio::test(start_paused = true)]
async fn a_refused_like_is_put_back_and_explained() {
    let server = Server {
        delay_ms: 100,
        ..Server::default()
    };
    *server.refuse.lock().unwrap() = true;
    let mut rig = Rig::new(&server);
    let song = track("subsonic:home:7", None);
    rig.player
        .act(Action::PlayTracks(vec![song.clone()]))
        .await
        .unwrap();
    assert_eq!(
        rig.wait(10).await.state.liked,
        Some(false),
        "unknown: not liked"
    );
    rig.notices();
    rig.player.act(Action::ToggleLiked).await.unwrap();
    assert_eq!(rig.wait(10).await.state.liked, Some(true));
    assert_eq!(rig.wait(200).await.state.liked, Some(false), "put back");
    let notices = rig.notices();
    assert!(
        notices.iter().any(|n| matches!(n,
            Notice::CannotLike { name, reason } if name.contains("subsonic:home:7") && reason.contains("error 50"))),
        "{notices:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn skipping_does_not_cancel_a_like_in_flight() {
    let server = Server {
        delay_ms: 500,
        ..Server::default()
    };
    let rig = Rig::new(&server);
    let first = track("subsonic:home:1", Some(false));
    let second = track("subsonic:home:2", Some(true));
    rig.player
        .act(Action::PlayTracks(vec![first.clone(), second]))
        .await
        .unwrap();
    rig.wait(10).await;
    rig.player.act(Action::ToggleLiked).await.unwrap();
    rig.player.act(Action::Next).await.unwrap();
    let state = rig.wait(600).await.state;
    assert_eq!(state.current.unwrap().id.0, "subsonic:home:2");
    assert_eq!(state.liked, Some(true), "the second track's own star");
    assert_eq!(
        *server.taken.lock().unwrap(),
        [("subsonic:home:1".to_owned(), true)]
    );
    // Back on the first track, its like this session shows (the queue's copy is older).
    rig.player.act(Action::Previous).await.unwrap();
    let state = rig.wait(10).await.state;
    assert_eq!(state.current.unwrap().id, first.id);
    assert_eq!(state.liked, Some(true));
}

#[tokio::test(start_paused = true)]
async fn a_source_without_likes_offers_none() {
    let server = Server::default();
    let mut rig = Rig::new(&server);
    rig.player
        .act(Action::PlayTracks(vec![track(
            "subsonic:plain:1",
            Some(true),
        )]))
        .await
        .unwrap();
    assert_eq!(rig.wait(10).await.state.liked, None);
    rig.notices();
    rig.player.act(Action::ToggleLiked).await.unwrap();
    assert_eq!(
        rig.wait(10).await.state.liked,
        None,
        "nothing to like there"
    );
    assert!(
        rig.notices().is_empty(),
        "and nothing to say: nothing offered it"
    );
    assert!(server.taken.lock().unwrap().is_empty());
    // Nothing playing: nothing to like, no error.
    let empty = Rig::new(&server);
    assert_eq!(empty.wait(10).await.state.liked, None);
    empty.player.act(Action::ToggleLiked).await.unwrap();
}

/// Quick toggles reach the source one at a time and in order: a wish made while a call is on
/// its way goes when the answer comes, only if it still differs; a refusal shows what the
/// source has.
#[tokio::test(start_paused = true)]
async fn quick_toggles_reach_the_source_in_order() {
    let server = Server {
        delay_ms: 200,
        ..Server::default()
    };
    let mut rig = Rig::new(&server);
    rig.player
        .act(Action::PlayTracks(vec![track(
            "subsonic:home:1",
            Some(false),
        )]))
        .await
        .unwrap();
    rig.wait(10).await;
    // Like, unlike, like again before the first answer: the source sees one like.
    for _ in 0..3 {
        rig.player.act(Action::ToggleLiked).await.unwrap();
    }
    assert_eq!(rig.wait(500).await.state.liked, Some(true));
    assert_eq!(
        *server.taken.lock().unwrap(),
        [("subsonic:home:1".to_owned(), true)]
    );
    // Unlike, like, unlike: the source sees the unlike once the first call has answered.
    for _ in 0..3 {
        rig.player.act(Action::ToggleLiked).await.unwrap();
    }
    assert_eq!(rig.wait(1000).await.state.liked, Some(false));
    assert_eq!(
        server.taken.lock().unwrap().as_slice(),
        [
            ("subsonic:home:1".to_owned(), true),
            ("subsonic:home:1".to_owned(), false)
        ]
    );
    // The server refuses: like then unlike quickly — the refusal leaves what it has (unliked),
    // which is also the last wish, and says so once.
    *server.refuse.lock().unwrap() = true;
    rig.notices();
    rig.player.act(Action::ToggleLiked).await.unwrap();
    rig.player.act(Action::ToggleLiked).await.unwrap();
    assert_eq!(rig.wait(1000).await.state.liked, Some(false));
    let refused = rig
        .notices()
        .into_iter()
        .filter(|n| matches!(n, Notice::CannotLike { .. }))
        .count();
    assert_eq!(refused, 1);
    assert_eq!(server.taken.lock().unwrap().len(), 2);
}
