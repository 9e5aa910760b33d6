//! A track its own source's list marked as one it will not play (`Track::unplayable`: a
//! NetEase song greyed out or VIP only) is raced at once, beside asking that source, instead
//! of after its "no": whichever settles it first plays — the source's own stream if it comes
//! before a copy has won (the list may be out of date), else the copy, and the source's lookup
//! is then cancelled. Fake sources under tokio's paused clock.

#[macro_use]
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lyrebird_core::actor::Action;
use lyrebird_core::events::{Notice, PlaybackStatus};
use lyrebird_core::model::{SourceKind, Track, TrackId, Unplayable};
use lyrebird_core::provider::{
    FindFuture, Playable, ResolveError, ResolveFuture, Source, SourceEntry, Sources, StreamSpec,
};
use tokio_util::sync::CancellationToken;

const LENGTH_MS: u64 = 240_000;

fn track(id: &str, source: SourceKind, title: &str) -> Track {
    Track {
        artists: vec!["周杰倫".into()],
        duration_ms: Some(LENGTH_MS),
        ..Track::new(TrackId(id.into()), source, title)
    }
}

/// A NetEase song as its lists give it: marked `unplayable` (or not).
fn listed(id: &str, title: &str, unplayable: Option<Unplayable>) -> Track {
    Track {
        unplayable,
        ..track(id, SourceKind::NetEase, title)
    }
}

fn vip() -> Track {
    listed("netease:1", "晴天", Some(Unplayable::NeedsVip))
}

fn perfect(id: &str) -> Track {
    track(id, SourceKind::Subsonic, "晴天")
}

/// What the fake's `resolve` answers, after its delay.
#[derive(Clone, Copy)]
enum Gives {
    /// "VIP only".
    No,
    /// A stream `https://<name>/<id>`.
    Stream,
}

/// Notes each call's token and when its future ends (answered, cancelled or dropped).
#[derive(Default)]
struct Calls {
    tokens: Mutex<Vec<CancellationToken>>,
    ended: AtomicUsize,
}

impl Calls {
    fn started(&self) -> usize {
        self.tokens.lock().unwrap().len()
    }
    fn ended(&self) -> usize {
        self.ended.load(Ordering::SeqCst)
    }
    fn all_cancelled(&self) -> bool {
        self.tokens
            .lock()
            .unwrap()
            .iter()
            .all(CancellationToken::is_cancelled)
    }
    fn start(self: &Arc<Self>, token: CancellationToken) -> EndOnDrop {
        self.tokens.lock().unwrap().push(token);
        EndOnDrop(Arc::clone(self))
    }
}

struct EndOnDrop(Arc<Calls>);
impl Drop for EndOnDrop {
    fn drop(&mut self) {
        self.0.ended.fetch_add(1, Ordering::SeqCst);
    }
}

/// A source whose `resolve` answers `gives` after `resolve_ms`, and whose `find` answers
/// `copies` after `find_ms` (never: `None`).
#[derive(Clone)]
struct Fake {
    name: &'static str,
    resolve_ms: u64,
    gives: Gives,
    find_ms: Option<u64>,
    copies: Vec<Track>,
    resolves: Arc<Calls>,
    finds: Arc<Calls>,
}

impl Fake {
    fn netease(resolve_ms: u64, gives: Gives) -> Self {
        Self {
            name: "netease",
            resolve_ms,
            gives,
            find_ms: Some(0),
            copies: Vec::new(),
            resolves: Arc::default(),
            finds: Arc::default(),
        }
    }

    fn server(name: &'static str, find_ms: Option<u64>, copies: Vec<Track>) -> Self {
        Self {
            name,
            resolve_ms: 10,
            gives: Gives::Stream,
            find_ms,
            copies,
            resolves: Arc::default(),
            finds: Arc::default(),
        }
    }
}

impl Source for Fake {
    fn resolve(&self, track: Track, cancel: CancellationToken) -> ResolveFuture {
        let ended = self.resolves.start(cancel);
        let (delay, gives) = (Duration::from_millis(self.resolve_ms), self.gives);
        let url = format!("https://{}/{}", self.name, track.id);
        Box::pin(async move {
            let _ended = ended;
            tokio::time::sleep(delay).await;
            match gives {
                Gives::No => Err(ResolveError::Unavailable("VIP only".into())),
                Gives::Stream => Ok(Playable::Stream(StreamSpec {
                    url,
                    headers: Vec::new(),
                    certificate_pin: None,
                    cache_key: None,
                    quality: None,
                })),
            }
        })
    }

    fn find(&self, _wanted: Track, cancel: CancellationToken) -> FindFuture {
        let ended = self.finds.start(cancel);
        let delay = self.find_ms.map(Duration::from_millis);
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
    servers: Vec<Fake>,
}

rig_derefs_to_base!(Rig);

impl Rig {
    /// NetEase first, then the servers in this order of priority.
    fn new(netease: Fake, servers: Vec<Fake>) -> Self {
        let mut entries = vec![SourceEntry::new(
            "netease",
            SourceKind::NetEase,
            "NetEase",
            Arc::new(netease.clone()),
        )];
        for server in &servers {
            entries.push(SourceEntry::new(
                server.name,
                SourceKind::Subsonic,
                format!("Server {}", server.name),
                Arc::new(server.clone()),
            ));
        }
        Self {
            base: support::Rig::with_sources(Sources::from_entries(entries)),
            netease,
            servers,
        }
    }

    async fn play(&self, tracks: Vec<Track>) {
        self.player.act(Action::PlayTracks(tracks)).await.unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn a_copy_plays_without_waiting_for_the_vip_answer_and_that_lookup_is_cancelled() {
    let mut rig = Rig::new(
        Fake::netease(500, Gives::No),
        vec![
            Fake::server("a", Some(20), vec![perfect("a:1")]),
            Fake::server("b", None, vec![]),
        ],
    );
    rig.play(vec![vip()]).await;
    let snap = rig.wait(5).await;
    assert_eq!(snap.state.status, PlaybackStatus::Loading);
    assert_eq!(rig.netease.resolves.started(), 1, "NetEase is asked");
    assert!(
        rig.servers.iter().all(|s| s.finds.started() == 1),
        "and every other source at the same time"
    );

    // a answers at 20 ms with a perfect copy: it wins (b is not preferred to it), its copy
    // resolves in 10 ms — long before NetEase's 500 ms "VIP only".
    let snap = rig.wait(40).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://a/a:1".to_owned())]
    );
    assert!(
        rig.netease.resolves.all_cancelled(),
        "NetEase's lookup ends"
    );
    assert_eq!(rig.netease.resolves.ended(), 1);
    assert!(rig.servers[1].finds.all_cancelled());
    assert_eq!(rig.servers[1].finds.ended(), 1);
    let from = snap.state.playing_from.expect("playing from a copy");
    assert_eq!(from.source_label, "Server a");
    assert!(
        from.reason.contains("listed as needing a subscription"),
        "{}",
        from.reason
    );
    let stats = rig.player.stats().await.unwrap();
    assert_eq!((stats.races_started, stats.races_won), (1, 1));
    assert_eq!(stats.lookups_running, 0);

    // NetEase's answer never arrives; nothing else loads.
    rig.wait(2_000).await;
    assert!(rig.loads().is_empty());
    assert_eq!(rig.player.stats().await.unwrap().stale_lookup_replies, 0);
}

#[tokio::test(start_paused = true)]
async fn a_greyed_track_is_raced_at_once_too() {
    let mut rig = Rig::new(
        Fake::netease(500, Gives::No),
        vec![Fake::server("a", Some(20), vec![perfect("a:1")])],
    );
    rig.play(vec![listed("netease:1", "晴天", Some(Unplayable::Greyed))])
        .await;
    let snap = rig.wait(40).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://a/a:1".to_owned())]
    );
    let reason = snap.state.playing_from.unwrap().reason;
    assert!(reason.contains("listed as greyed out"), "{reason}");
}

#[tokio::test(start_paused = true)]
async fn a_track_not_marked_still_waits_for_its_own_source_first() {
    let mut rig = Rig::new(
        Fake::netease(500, Gives::No),
        vec![Fake::server("a", Some(20), vec![perfect("a:1")])],
    );
    rig.play(vec![listed("netease:1", "晴天", None)]).await;
    rig.wait(400).await;
    assert_eq!(rig.servers[0].finds.started(), 0, "no race before its no");
    assert!(rig.loads().is_empty());
    let snap = rig.wait(200).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://a/a:1".to_owned())]
    );
    let reason = snap.state.playing_from.unwrap().reason;
    assert!(reason.contains("VIP only"), "{reason}");
}

#[tokio::test(start_paused = true)]
async fn its_own_stream_before_a_copy_wins_plays_and_the_race_is_called_off() {
    // The list is out of date: the user subscribed since, and NetEase gives the song.
    let mut rig = Rig::new(
        Fake::netease(30, Gives::Stream),
        vec![
            Fake::server("a", Some(200), vec![perfect("a:1")]),
            Fake::server("b", None, vec![]),
        ],
    );
    rig.play(vec![vip()]).await;
    let snap = rig.wait(50).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://netease/netease:1".to_owned())]
    );
    assert_eq!(snap.state.playing_from, None, "its own source plays it");
    for server in &rig.servers {
        assert!(
            server.finds.all_cancelled(),
            "{} not cancelled",
            server.name
        );
        assert_eq!(server.finds.ended(), 1, "{} still runs", server.name);
    }
    let stats = rig.player.stats().await.unwrap();
    assert_eq!(stats.races_won, 0);
    assert_eq!(stats.lookups_running, 0);

    // a's answer would have been a perfect copy: it never arrives.
    rig.wait(1_000).await;
    assert!(rig.loads().is_empty());
    assert_eq!(rig.servers[0].resolves.started(), 0);
}

#[tokio::test(start_paused = true)]
async fn its_own_no_leaves_the_race_to_decide_in_its_words() {
    let mut rig = Rig::new(
        Fake::netease(10, Gives::No),
        vec![Fake::server("a", Some(100), vec![perfect("a:1")])],
    );
    rig.play(vec![vip()]).await;
    rig.wait(50).await;
    assert!(rig.loads().is_empty(), "a is still searching");
    assert_eq!(rig.servers[0].finds.started(), 1, "asked only once");
    let snap = rig.wait(100).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://a/a:1".to_owned())]
    );
    let reason = snap.state.playing_from.unwrap().reason;
    assert!(reason.contains("VIP only"), "NetEase's own words: {reason}");
}

#[tokio::test(start_paused = true)]
async fn with_no_copy_found_its_own_answer_is_waited_for_past_the_races_deadline() {
    // a finds nothing, b never answers: the race gives up at its deadline (3 s), but NetEase,
    // still asked, answers at 5 s with the song.
    let mut rig = Rig::new(
        Fake::netease(5_000, Gives::Stream),
        vec![
            Fake::server("a", Some(10), vec![]),
            Fake::server("b", None, vec![]),
        ],
    );
    rig.play(vec![vip()]).await;
    let snap = rig.wait(3_500).await;
    assert_eq!(snap.state.status, PlaybackStatus::Loading);
    assert!(rig.loads().is_empty());
    assert!(rig.notices().is_empty(), "not given up on");
    assert!(
        rig.servers[1].finds.all_cancelled(),
        "b is no longer waited for"
    );
    assert_eq!(rig.servers[1].finds.ended(), 1);
    assert!(!rig.netease.resolves.all_cancelled());

    let snap = rig.wait(2_000).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://netease/netease:1".to_owned())]
    );
    assert_eq!(snap.state.playing_from, None);
    assert_eq!(rig.player.stats().await.unwrap().lookups_running, 0);
}

#[tokio::test(start_paused = true)]
async fn with_no_copy_and_its_own_no_the_track_cannot_play_in_its_words() {
    let mut rig = Rig::new(
        Fake::netease(100, Gives::No),
        vec![Fake::server("a", Some(10), vec![])],
    );
    let next = listed("netease:2", "七里香", None);
    rig.play(vec![vip(), next]).await;
    rig.wait(50).await;
    assert!(rig.notices().is_empty(), "NetEase is still asked");
    rig.wait(100).await;
    let notices = rig.notices();
    assert!(
        notices
            .iter()
            .any(|n| matches!(n, Notice::CannotPlay { reason, .. }
            if reason.contains("VIP only") && reason.contains("no copy found"))),
        "{notices:?}"
    );
    let snap = rig.wait(0).await;
    assert_eq!(
        snap.state.current.map(|t| t.id.0),
        Some("netease:2".to_owned())
    );
}

#[tokio::test(start_paused = true)]
async fn a_skip_cancels_its_own_lookup_and_every_find() {
    let mut rig = Rig::new(
        Fake::netease(500, Gives::No),
        vec![
            Fake::server("a", Some(300), vec![perfect("a:1")]),
            Fake::server("b", None, vec![]),
        ],
    );
    rig.play(vec![vip(), vip_two()]).await;
    rig.wait(20).await;
    rig.player.act(Action::Next).await.unwrap();
    rig.wait(1).await;
    let tokens = rig.netease.resolves.tokens.lock().unwrap().clone();
    assert_eq!(tokens.len(), 2, "the second track's own lookup");
    assert!(tokens[0].is_cancelled(), "the first one's ended");
    let first_finds: Vec<_> = rig
        .servers
        .iter()
        .map(|s| s.finds.tokens.lock().unwrap()[0].clone())
        .collect();
    assert!(first_finds.iter().all(CancellationToken::is_cancelled));
    // The second track's race: a's perfect copy at 300 ms.
    let snap = rig.wait(400).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://a/a:1".to_owned())],
        "one load, for the second track"
    );
    assert_eq!(
        snap.state.current.map(|t| t.id.0),
        Some("netease:2".to_owned()),
        "the track skipped to"
    );
    rig.wait(2_000).await;
    assert!(rig.loads().is_empty());
    let stats = rig.player.stats().await.unwrap();
    assert_eq!(stats.lookups_running, 0);
}

fn vip_two() -> Track {
    listed("netease:2", "晴天", Some(Unplayable::NeedsVip))
}

#[tokio::test(start_paused = true)]
async fn with_no_other_source_it_is_only_asked() {
    let mut rig = Rig::new(Fake::netease(50, Gives::Stream), vec![]);
    rig.play(vec![vip()]).await;
    let snap = rig.wait(60).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://netease/netease:1".to_owned())]
    );
    assert_eq!(rig.player.stats().await.unwrap().races_started, 0);
}

#[tokio::test(start_paused = true)]
async fn a_copy_chosen_is_remembered_and_its_own_source_not_asked_again() {
    let mut rig = Rig::new(
        Fake::netease(500, Gives::No),
        vec![Fake::server("a", Some(20), vec![perfect("a:1")])],
    );
    rig.play(vec![vip()]).await;
    rig.wait(40).await;
    assert_eq!(rig.loads().len(), 1);
    rig.player.act(Action::Stop).await.unwrap();
    rig.play(vec![vip()]).await;
    let snap = rig.wait(15).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://a/a:1".to_owned())]
    );
    assert_eq!(
        rig.netease.resolves.started(),
        1,
        "asked once, the first time"
    );
    assert_eq!(rig.servers[0].finds.started(), 1, "no second race");
}

#[tokio::test(start_paused = true)]
async fn new_sources_mid_race_race_again_beside_the_same_own_lookup() {
    let netease = Fake::netease(500, Gives::No);
    let mut rig = Rig::new(netease.clone(), vec![Fake::server("a", None, vec![])]);
    rig.play(vec![vip()]).await;
    rig.wait(20).await;

    // The user adds server c, which has the song.
    let c = Fake::server("c", Some(20), vec![perfect("c:1")]);
    let sources = Sources::from_entries([
        SourceEntry::new("netease", SourceKind::NetEase, "NetEase", Arc::new(netease)),
        SourceEntry::new("c", SourceKind::Subsonic, "Server c", Arc::new(c.clone())),
    ]);
    assert!(
        rig.player
            .registry_built(lyrebird_core::servers::Generation(0), sources)
            .await
            .unwrap()
    );
    assert!(rig.servers[0].finds.all_cancelled(), "a is gone");
    let snap = rig.wait(40).await;
    assert_eq!(
        rig.loads(),
        [(snap.state.play_id, "https://c/c:1".to_owned())]
    );
    assert_eq!(rig.netease.resolves.started(), 1, "NetEase was asked once");
    assert!(rig.netease.resolves.all_cancelled());
    assert_eq!(rig.player.stats().await.unwrap().lookups_running, 0);
}
