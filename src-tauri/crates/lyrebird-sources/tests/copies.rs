//! The copy finder behind "greyed tracks shown as playable in lists": on the real actor's
//! registry, with sources that answer at once, never, or only when cancelled. A copy is found
//! as the fallback race would find it; answers are kept; a newer lookup cancels the one before
//! (its caller gets what was found, the slow source sees its token fire) and late answers are
//! not given to the newer caller.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use lyrebird_core::actor::{Player, PlayerConfig};
use lyrebird_core::netease::NeteaseCopy;
use lyrebird_core::provider::{
    FindFuture, ResolveError, ResolveFuture, Source, SourceEntry, Sources,
};
use lyrebird_core::{AudioCommand, SourceKind, Track, TrackId, Unplayable};
use lyrebird_sources::copies::CopyFinder;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn song(id: &str, title: &str, unplayable: Option<Unplayable>) -> Track {
    let mut t = Track::new(TrackId(format!("netease:{id}")), SourceKind::NetEase, title);
    t.artists = vec!["Catalogue Quartet".into()];
    t.duration_ms = Some(200_000);
    t.unplayable = unplayable;
    t
}

/// A library holding copies of the titles it was given; counts its searches.
struct Shelf {
    titles: Vec<&'static str>,
    searches: Arc<AtomicUsize>,
}

impl Source for Shelf {
    fn resolve(&self, _: Track, _: CancellationToken) -> ResolveFuture {
        Box::pin(async { Err(ResolveError::Failed("not in this test".into())) })
    }

    fn find(&self, wanted: Track, _: CancellationToken) -> FindFuture {
        self.searches.fetch_add(1, Ordering::SeqCst);
        let found: Vec<Track> = self
            .titles
            .iter()
            .filter(|t| **t == wanted.title)
            .map(|t| {
                let mut copy = Track::new(TrackId(format!("local:{t}")), SourceKind::Local, *t);
                copy.artists.clone_from(&wanted.artists);
                copy.duration_ms = wanted.duration_ms;
                copy
            })
            .collect();
        Box::pin(async move { Ok(found) })
    }
}

/// A server that never answers a search; counts searches and the cancellations it saw.
struct Silent {
    searches: Arc<AtomicUsize>,
    cancelled: Arc<AtomicUsize>,
}

impl Source for Silent {
    fn resolve(&self, _: Track, _: CancellationToken) -> ResolveFuture {
        Box::pin(async { Err(ResolveError::Failed("not in this test".into())) })
    }

    fn find(&self, _: Track, cancel: CancellationToken) -> FindFuture {
        self.searches.fetch_add(1, Ordering::SeqCst);
        let cancelled = self.cancelled.clone();
        Box::pin(async move {
            cancel.cancelled().await;
            cancelled.fetch_add(1, Ordering::SeqCst);
            Ok(Vec::new())
        })
    }
}

struct Fixture {
    finder: CopyFinder,
    shelf_searches: Arc<AtomicUsize>,
    silent_searches: Arc<AtomicUsize>,
    silent_cancelled: Arc<AtomicUsize>,
}

fn start(with_silent_server: bool) -> Fixture {
    let shelf_searches = Arc::new(AtomicUsize::new(0));
    let silent_searches = Arc::new(AtomicUsize::new(0));
    let silent_cancelled = Arc::new(AtomicUsize::new(0));
    let mut entries = vec![
        SourceEntry::new(
            "netease",
            SourceKind::NetEase,
            "NetEase",
            Arc::new(Shelf {
                titles: vec!["Withdrawn", "Subscribers Only"],
                searches: Arc::new(AtomicUsize::new(0)),
            }),
        )
        .owning_ids_starting_with("netease:"),
        SourceEntry::new(
            "local",
            SourceKind::Local,
            "Local",
            Arc::new(Shelf {
                titles: vec!["Withdrawn", "Also Here"],
                searches: shelf_searches.clone(),
            }),
        ),
    ];
    if with_silent_server {
        entries.push(SourceEntry::new(
            "subsonic:slow",
            SourceKind::Subsonic,
            "Slow server",
            Arc::new(Silent {
                searches: silent_searches.clone(),
                cancelled: silent_cancelled.clone(),
            }),
        ));
    }
    let config = PlayerConfig {
        sources: Sources::from_entries(entries),
        ..PlayerConfig::default()
    };
    let (audio_tx, _audio) = mpsc::unbounded_channel::<AudioCommand>();
    let (_events_tx, events_rx) = mpsc::unbounded_channel();
    let (player, _published, actor) = Player::new(config, audio_tx, events_rx);
    tokio::spawn(actor);
    let (finder, owner) = CopyFinder::new(player);
    tokio::spawn(owner);
    Fixture {
        finder,
        shelf_searches,
        silent_searches,
        silent_cancelled,
    }
}

fn sorted(mut copies: Vec<NeteaseCopy>) -> Vec<(String, Option<String>)> {
    copies.sort_by(|a, b| a.track_id.0.cmp(&b.track_id.0));
    copies
        .into_iter()
        .map(|c| (c.track_id.0, c.source))
        .collect()
}

#[tokio::test]
async fn a_copy_in_another_source_is_found_as_the_race_would_and_remembered() {
    let f = start(false);
    let greyed = song("1013", "Withdrawn", Some(Unplayable::Greyed));
    let vip = song("1012", "Subscribers Only", Some(Unplayable::NeedsVip));
    let playable = song("1011", "Also Here", None);
    f.finder
        .remember(&[greyed.clone(), vip.clone(), playable.clone()]);
    let ids = vec![
        greyed.id.clone(),
        vip.id.clone(),
        playable.id.clone(),
        TrackId("netease:404".into()),
    ];
    let found = sorted(f.finder.find(ids.clone()).await);
    // The greyed song's copy is in the library; the VIP song's only "copy" is at its own home,
    // which is not asked; a playable track and an unknown id are not looked up.
    assert_eq!(
        found,
        [
            ("netease:1012".into(), None),
            ("netease:1013".into(), Some("Local".into()))
        ]
    );
    assert_eq!(f.shelf_searches.load(Ordering::SeqCst), 2);
    // Asked again: answered from memory.
    assert_eq!(sorted(f.finder.find(ids).await), found);
    assert_eq!(f.shelf_searches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_newer_lookup_cancels_the_one_before() {
    let f = start(true);
    let found_at_once = song("1", "Withdrawn", Some(Unplayable::Greyed));
    let waits = song("2", "Nowhere", Some(Unplayable::NeedsVip));
    let later = song("3", "Also Here", Some(Unplayable::Greyed));
    f.finder
        .remember(&[found_at_once.clone(), waits.clone(), later.clone()]);

    let first = {
        let finder = f.finder.clone();
        let ids = vec![found_at_once.id.clone(), waits.id.clone()];
        tokio::spawn(async move { finder.find(ids).await })
    };
    // The library (preferred) has a perfect copy of the first at once; the second waits for
    // the silent server.
    tokio::time::timeout(Duration::from_secs(5), async {
        while f.silent_searches.load(Ordering::SeqCst) < 2 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("both tracks were searched for");
    assert!(
        !first.is_finished(),
        "the second track waits for the silent server"
    );

    let second = f.finder.find(vec![later.id.clone()]).await;
    let first = tokio::time::timeout(Duration::from_secs(2), first)
        .await
        .expect("the cancelled caller is answered at once")
        .unwrap();
    assert_eq!(
        sorted(first),
        [("netease:1".into(), Some("Local".into()))],
        "what was found before the cancel"
    );
    // The newer caller gets its own answer only. Every search of the silent server was
    // cancelled: the first track's once the library's perfect copy decided, the second's by
    // the newer lookup, the third's once decided.
    assert_eq!(sorted(second), [("netease:3".into(), Some("Local".into()))]);
    tokio::time::timeout(Duration::from_secs(2), async {
        while f.silent_cancelled.load(Ordering::SeqCst) < 3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the silent server's searches were cancelled");
    assert_eq!(f.silent_searches.load(Ordering::SeqCst), 3);
}
