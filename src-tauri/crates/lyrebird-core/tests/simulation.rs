//! Deterministic simulation of the actor: random commands, skip storms and queue edits against
//! a fake audio thread with random latencies, late (in-flight) events and failing files, and a
//! fake remote source whose lookups take random time and sometimes fail, under tokio's paused
//! clock. Some remote tracks are never available at their source (VIP only): the actor races
//! three fallback sources (one of them local files) whose searches take random time, fail,
//! never answer, and offer true copies mixed with live versions and other songs; some remote
//! tracks are listed as unplayable, and raced at once beside asking their source (one of them
//! wrongly: its source gives it). After every step the invariants below must hold.
//!
//! `LYREBIRD_SIM_SCENARIOS=N` sets how many seeded scenarios run (default 10 000);
//! `LYREBIRD_SIM_SEED=S` replays one. A failure names its seed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use lyrebird_core::PlayId;
use lyrebird_core::actor::{Action, Player, PlayerConfig, PlayerHandle};
use lyrebird_core::events::{LibraryView, PlaybackStatus, PlayerEvent, Snapshot};
use lyrebird_core::model::{SourceKind, Track, TrackId, Unplayable};
use lyrebird_core::provider::{
    FindFuture, Playable, ResolveError, ResolveFuture, Source, SourceEntry, Sources, StreamSpec,
};
use lyrebird_core::queue::{self, PlayMode, QueueEntry, QueuePosition};
use lyrebird_core::{AudioCommand, AudioEvent, Published};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const TRACKS: usize = 12;
/// Gapless hand-overs across all scenarios, to be sure that path was exercised.
static SCENARIOS_RUN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
fn count_scenarios_run() -> u64 {
    SCENARIOS_RUN.load(std::sync::atomic::Ordering::Relaxed)
}
static HANDOVERS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static MID_TRACK_FAILURES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
/// Lookups started and cancelled across all scenarios, to be sure both paths were exercised.
static LOOKUPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static CANCELLED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
/// Fallback races started, won and lost across all scenarios.
static RACES: [std::sync::atomic::AtomicU64; 3] =
    [const { std::sync::atomic::AtomicU64::new(0) }; 3];
/// Fallback sources, after the remote tracks' own source.
const FALLBACKS: usize = 3;
/// Remote tracks their own source never gives a stream for (VIP only).
fn is_vip(index: usize) -> bool {
    is_remote(index) && index % 4 == 3
}
/// Remote tracks their source's list marked as unplayable (`Track::unplayable`), which the
/// actor races at once beside asking their source: VIP tracks 3 and 11, and 5, which the
/// source does give (a list out of date: its stream wins if it comes before a copy). VIP track
/// 7 is not marked: it is raced after its source's "no".
fn is_listed_unplayable(index: usize) -> bool {
    matches!(index, 3 | 5 | 11)
}
/// What a stream of a live version of track `i` plays: not track `i` (nor any other).
const LIVE_OFFSET: usize = 50;
const STEPS: usize = 40;
/// Tracks whose index is a multiple of this fail to decode.
const BAD_EVERY: usize = 5;
/// Media whose index leaves this remainder (by `MID_FAIL_EVERY`) fail a third of the way in,
/// as a stream does when its server goes away mid-track: half of them as "unreachable".
const MID_FAIL_EVERY: usize = 7;
/// Tracks with an odd index come from the fake remote source.
fn is_remote(index: usize) -> bool {
    index % 2 == 1
}

/// Files shared by every scenario (the actor checks that local files exist).
fn library() -> &'static (tempfile::TempDir, Vec<Track>) {
    static LIBRARY: OnceLock<(tempfile::TempDir, Vec<Track>)> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let tracks = (0..TRACKS)
            .map(|i| {
                let path = dir.path().join(format!("{i:02}.flac"));
                std::fs::write(&path, b"simulated").unwrap();
                // The local fallback source's copy of every track.
                std::fs::write(dir.path().join(format!("copy-{i:02}.flac")), b"copy").unwrap();
                let mut track = Track::from_path(path, SourceKind::Local);
                track.title = format!("Song {i:02}");
                track.artists = vec!["Band".into()];
                track.duration_ms = Some(2_000 + 700 * i as u64);
                if is_remote(i) {
                    track.source = SourceKind::Subsonic;
                    track.id = TrackId(format!("sim:{i:02}"));
                    track.path = None;
                    track.unplayable = is_listed_unplayable(i).then_some(Unplayable::NeedsVip);
                }
                track
            })
            .collect();
        (dir, tracks)
    })
}

/// Which library track a load plays: the number in the file's stem or the stream URL.
fn media_index(media: &Playable) -> usize {
    let text = match media {
        Playable::File(path) => path.file_stem().unwrap().to_str().unwrap().to_owned(),
        Playable::Stream(spec) => spec.url.clone(),
    };
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits.parse().unwrap()
}

/// How long a load plays: the library track's length (a live version: its own).
fn media_duration(index: usize) -> u64 {
    library()
        .1
        .get(index)
        .and_then(|t| t.duration_ms)
        .unwrap_or(4_000)
}

fn library_index(track: &Track) -> usize {
    library().1.iter().position(|t| t.id == track.id).unwrap()
}

/// A hand-over to a preloaded track: its play id and library index.
type Switch = (PlayId, usize);

/// One lookup the fake source was asked for: which track, its token, and whether its task
/// has ended (set when the lookup's future is dropped, by completion or cancellation).
struct LookupRecord {
    index: usize,
    token: CancellationToken,
    ended: Arc<AtomicBool>,
}

struct EndOnDrop(Arc<AtomicBool>);
impl Drop for EndOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A remote source with random latency (0–400 ms) and a one-in-six failure rate.
#[derive(Clone)]
struct FakeSource {
    rng: Arc<Mutex<fastrand::Rng>>,
    lookups: Arc<Mutex<Vec<LookupRecord>>>,
}

impl Source for FakeSource {
    fn resolve(&self, track: Track, cancel: CancellationToken) -> ResolveFuture {
        let index = library_index(&track);
        let (latency, fails) = {
            let mut rng = self.rng.lock().unwrap();
            (rng.u64(0..=400), rng.u8(..6) == 0 || is_vip(index))
        };
        let ended = Arc::new(AtomicBool::new(false));
        self.lookups.lock().unwrap().push(LookupRecord {
            index,
            token: cancel.clone(),
            ended: ended.clone(),
        });
        // Captured, not created inside: a future dropped before its first poll ends it too.
        let end = EndOnDrop(ended);
        Box::pin(async move {
            let _end = end;
            tokio::select! {
                () = cancel.cancelled() => Err(ResolveError::Failed("cancelled".into())),
                () = tokio::time::sleep(Duration::from_millis(latency)) => if fails {
                    Err(ResolveError::Unavailable("VIP only".into()))
                } else {
                    Ok(Playable::Stream(StreamSpec {
                        url: format!("sim://{index:02}"),
                        headers: vec![("Cookie".into(), format!("lookup-{index}"))],
                        certificate_pin: None,
                        cache_key: None,
                        quality: None,
                    }))
                },
            }
        })
    }
}

/// One of the fallback sources: searches answer after 0–600 ms, fail one in eight and never
/// answer one in ten; they offer the true recording (sometimes with no length), its live
/// version and another song. Resolving a copy takes 0–200 ms and fails one in eight. The
/// local one offers files.
#[derive(Clone)]
struct FallbackSource {
    name: &'static str,
    local: bool,
    rng: Arc<Mutex<fastrand::Rng>>,
    lookups: Arc<Mutex<Vec<LookupRecord>>>,
}

impl FallbackSource {
    /// Record a lookup for recording `index`; the guard marks it ended when dropped.
    fn record(&self, index: usize, cancel: &CancellationToken) -> EndOnDrop {
        let ended = Arc::new(AtomicBool::new(false));
        self.lookups.lock().unwrap().push(LookupRecord {
            index,
            token: cancel.clone(),
            ended: ended.clone(),
        });
        EndOnDrop(ended)
    }

    /// A copy of recording `recording` as this source lists it.
    fn copy(&self, recording: usize, title: String, duration_ms: Option<u64>) -> Track {
        let mut track = library().1[recording % LIVE_OFFSET].clone();
        track.id = TrackId(format!("{}:{recording}", self.name));
        track.title = title;
        track.duration_ms = duration_ms;
        if self.local {
            track.source = SourceKind::Local;
            let dir = library().0.path();
            track.path = Some(dir.join(format!("copy-{:02}.flac", recording % LIVE_OFFSET)));
            if recording >= LIVE_OFFSET {
                track.path = Some(dir.join(format!("live-{recording}.flac")));
            }
        } else {
            track.source = SourceKind::NetEase;
            track.path = None;
        }
        track
    }
}

impl Source for FallbackSource {
    fn resolve(&self, track: Track, cancel: CancellationToken) -> ResolveFuture {
        let recording: usize = track.id.0.rsplit(':').next().unwrap().parse().unwrap();
        let (latency, fails) = {
            let mut rng = self.rng.lock().unwrap();
            (rng.u64(0..=200), rng.u8(..8) == 0)
        };
        let end = self.record(recording, &cancel);
        Box::pin(async move {
            let _end = end;
            tokio::time::sleep(Duration::from_millis(latency)).await;
            if fails {
                return Err(ResolveError::Failed("503".into()));
            }
            Ok(Playable::Stream(StreamSpec {
                url: format!("sim://{recording:02}"),
                headers: vec![("Cookie".into(), format!("copy-{recording}"))],
                certificate_pin: None,
                cache_key: None,
                quality: None,
            }))
        })
    }

    fn find(&self, wanted: Track, cancel: CancellationToken) -> FindFuture {
        let index = library_index(&wanted);
        let (latency, outcome, offers) = {
            let mut rng = self.rng.lock().unwrap();
            (rng.u64(0..=600), rng.u8(..40), rng.u8(..16))
        };
        let length = wanted.duration_ms;
        let mut found = Vec::new();
        // Each kind of offer with its own chance, in a random order.
        if offers & 1 != 0 {
            found.push(self.copy(index, wanted.title.clone(), length));
        }
        if offers & 2 != 0 {
            found.push(self.copy(index, wanted.title.clone(), None));
        }
        if offers & 4 != 0 {
            let live = format!("{} (Live)", wanted.title);
            found.push(self.copy(index + LIVE_OFFSET, live, length));
        }
        if offers & 8 != 0 {
            let other = (index + 1) % TRACKS;
            found.push(self.copy(other, library().1[other].title.clone(), length));
        }
        if offers % 3 == 0 {
            found.reverse();
        }
        let end = self.record(index, &cancel);
        Box::pin(async move {
            let _end = end;
            match outcome {
                0..=3 => std::future::pending().await,
                4..=8 => {
                    tokio::time::sleep(Duration::from_millis(latency)).await;
                    Err(ResolveError::Failed("search failed".into()))
                }
                _ => {
                    tokio::time::sleep(Duration::from_millis(latency)).await;
                    Ok(found)
                }
            }
        })
    }
}

struct Load {
    play_id: PlayId,
    index: usize,
    position_ms: u64,
    duration_ms: u64,
    paused: bool,
    started: bool,
    ended: bool,
    since_report: u64,
}

/// Plays the audio thread's part: obeys commands, reports with random delays, and keeps
/// delivering events that were already in flight when the track changed.
struct FakeAudio {
    commands: mpsc::UnboundedReceiver<AudioCommand>,
    events: mpsc::UnboundedSender<AudioEvent>,
    rng: fastrand::Rng,
    now: u64,
    current: Option<Load>,
    /// The last load received, whatever happened to it since.
    latest: Option<(PlayId, usize)>,
    /// The play id whose events are still live for the actor: the last load, until a stop.
    live: Option<PlayId>,
    /// The track preloaded to follow the current one without a gap.
    follower: Option<(PlayId, usize)>,
    gapless_handovers: u64,
    /// Events on their way, with (for the end of a track the preload follows) the load that
    /// becomes current for the actor once it has handled that event.
    in_flight: Vec<(u64, AudioEvent, Option<Switch>)>,
    stale_delivered: u64,
    /// The last load whose failure the actor was told of (while it was live).
    failure_delivered: Option<PlayId>,
    mid_track_failures: u64,
}

impl FakeAudio {
    /// Deliver `event` after a random delay, but in order: the real thread's channel is FIFO.
    fn schedule(&mut self, event: AudioEvent) {
        self.schedule_switch(event, None);
    }

    fn schedule_switch(&mut self, event: AudioEvent, switch: Option<Switch>) {
        let last = self.in_flight.last().map_or(0, |(at, _, _)| *at);
        let at = (self.now + self.rng.u64(0..=60)).max(last);
        self.in_flight.push((at, event, switch));
    }

    fn take_commands(&mut self) {
        while let Ok(command) = self.commands.try_recv() {
            match command {
                AudioCommand::Preload { play_id, media, .. } => {
                    self.follower = Some((play_id, media_index(&media)));
                }
                AudioCommand::CancelPreload => self.follower = None,
                AudioCommand::Load {
                    play_id,
                    media,
                    start_ms,
                    paused,
                    ..
                } => {
                    self.follower = None;
                    let index = media_index(&media);
                    if std::env::var_os("LYREBIRD_SIM_TRACE").is_some() {
                        eprintln!("  load {play_id} #{index} at {start_ms} paused={paused}");
                    }
                    self.latest = Some((play_id, index));
                    self.live = Some(play_id);
                    if index.is_multiple_of(BAD_EVERY) {
                        self.current = None;
                        self.schedule(AudioEvent::Failed {
                            play_id,
                            reason: "bad".into(),
                            cause: lyrebird_core::FailureCause::Track,
                        });
                    } else {
                        let duration_ms = media_duration(index);
                        self.current = Some(Load {
                            play_id,
                            index,
                            position_ms: start_ms.min(duration_ms),
                            duration_ms,
                            paused,
                            started: false,
                            ended: false,
                            since_report: 0,
                        });
                        self.schedule(AudioEvent::Started {
                            play_id,
                            duration_ms: Some(duration_ms),
                        });
                    }
                }
                AudioCommand::Pause => {
                    if let Some(load) = &mut self.current {
                        load.paused = true;
                    }
                }
                AudioCommand::Resume => {
                    if let Some(load) = &mut self.current {
                        load.paused = false;
                    }
                }
                AudioCommand::Stop => {
                    self.current = None;
                    self.live = None;
                    self.follower = None;
                }
                AudioCommand::Seek {
                    play_id,
                    position_ms,
                } => {
                    if let Some(load) = self.current.as_mut().filter(|l| l.play_id == play_id) {
                        load.position_ms = position_ms.min(load.duration_ms);
                        load.ended = false;
                        let event = AudioEvent::Position {
                            play_id,
                            position_ms: load.position_ms,
                        };
                        self.schedule(event);
                    }
                }
                AudioCommand::SetGain(_)
                | AudioCommand::SetTrackGain { .. }
                | AudioCommand::RetryDevice
                | AudioCommand::SetDevice(_)
                | AudioCommand::ListDevices
                | AudioCommand::SetCrossfade { .. }
                | AudioCommand::SetWatched(_)
                | AudioCommand::Shutdown => {}
            }
        }
    }

    /// Let `ms` of audio time pass in 10 ms ticks, delivering what is due.
    async fn run_for(&mut self, player: &PlayerHandle, ms: u64) {
        for _ in 0..ms / 10 {
            self.now += 10;
            let mut due = Vec::new();
            let mut switch = None;
            let mut failed_mid_track = false;
            if let Some(load) = &mut self.current {
                load.started = true;
                let third = load.duration_ms / 3;
                if !load.paused
                    && !load.ended
                    && load.index % MID_FAIL_EVERY == 3
                    && load.position_ms < third
                    && load.position_ms + 10 >= third
                {
                    let cause = if self.rng.bool() {
                        lyrebird_core::FailureCause::Unreachable
                    } else {
                        lyrebird_core::FailureCause::Track
                    };
                    due.push(AudioEvent::Failed {
                        play_id: load.play_id,
                        reason: "the server went away".into(),
                        cause,
                    });
                    failed_mid_track = true;
                } else if !load.paused && !load.ended {
                    load.position_ms = (load.position_ms + 10).min(load.duration_ms);
                    load.since_report += 10;
                    if load.position_ms >= load.duration_ms {
                        load.ended = true;
                        // The preloaded track follows at once, as the real chain does.
                        if let Some((play_id, index)) = self.follower.take() {
                            let duration_ms = media_duration(index);
                            due.push(AudioEvent::Continued {
                                ended: load.play_id,
                                started: play_id,
                                duration_ms: Some(duration_ms),
                            });
                            if index.is_multiple_of(BAD_EVERY) {
                                load.ended = true;
                                due.push(AudioEvent::Failed {
                                    play_id,
                                    reason: "bad".into(),
                                    cause: lyrebird_core::FailureCause::Track,
                                });
                            } else {
                                due.push(AudioEvent::Started {
                                    play_id,
                                    duration_ms: Some(duration_ms),
                                });
                                *load = Load {
                                    play_id,
                                    index,
                                    position_ms: 0,
                                    duration_ms,
                                    paused: false,
                                    started: true,
                                    ended: false,
                                    since_report: 0,
                                };
                            }
                            self.gapless_handovers += 1;
                            switch = Some((play_id, index));
                        } else {
                            due.push(AudioEvent::Ended {
                                play_id: load.play_id,
                            });
                        }
                    } else if load.since_report >= 200 {
                        load.since_report = 0;
                        due.push(AudioEvent::Position {
                            play_id: load.play_id,
                            position_ms: load.position_ms,
                        });
                    }
                }
            }
            if failed_mid_track {
                self.current = None;
                self.follower = None;
                self.mid_track_failures += 1;
            }
            // The audio thread plays the follower from now on...
            if let Some(handover) = &switch {
                self.latest = Some(*handover);
            }
            for event in due {
                // The switch rides on the "ended" event: the actor follows the preload then.
                let rides = matches!(event, AudioEvent::Continued { .. });
                self.schedule_switch(event, if rides { switch.take() } else { None });
            }
            self.deliver_due(player).await;
        }
    }

    /// Deliver everything still in flight (without playing on), so the actor has heard all the
    /// audio thread said: the state in which "audio and actor agree" must hold.
    async fn settle(&mut self, player: &PlayerHandle) {
        while let Some(&(at, _, _)) = self.in_flight.first() {
            self.now = self.now.max(at);
            self.deliver_due(player).await;
        }
    }

    /// Deliver due events one at a time, letting the actor handle each (and whatever it sends
    /// back) before the next: then "stale" means stale for the actor when it handled it.
    async fn deliver_due(&mut self, player: &PlayerHandle) {
        let now = self.now;
        while self.in_flight.first().is_some_and(|(at, _, _)| *at <= now) {
            let (_, event, switch) = self.in_flight.remove(0);
            let stale = event.play_id() != self.live;
            if stale {
                self.stale_delivered += 1;
            }
            if std::env::var_os("LYREBIRD_SIM_TRACE").is_some() {
                eprintln!(
                    "  t={now} deliver {event:?} live={:?} stale={stale}",
                    self.live
                );
            }
            if let AudioEvent::Failed { play_id, .. } = &event
                && !stale
            {
                self.failure_delivered = Some(*play_id);
            }
            let _ = self.events.send(event.clone());
            // ...and the actor follows it when it handles the hand-over, unless that is stale.
            if let (Some((play_id, _)), AudioEvent::Continued { ended, .. }) = (&switch, &event)
                && Some(*ended) == self.live
            {
                self.live = Some(*play_id);
            }
            player.snapshot().await.unwrap();
            self.take_commands();
        }
    }
}

/// What the UI would show: the first snapshot with every later event applied, as
/// `ui/src/lib/reducer.ts` does.
/// The whole queue, fetched by rows as the queue view does (the published queue holds only a
/// window of it).
async fn queue_entries(player: &PlayerHandle) -> Vec<QueueEntry> {
    let rows = player.queue_rows(0, u32::MAX).await.unwrap();
    assert!(
        rows.entries.len() == rows.count as usize,
        "a queue longer than one answer"
    );
    rows.entries
}

/// The queue and the now-playing state agree, and what is published of the queue is the
/// queue: its ids, its count, its window.
fn check_queue(at: &str, snap: &Snapshot, entries: &[QueueEntry]) {
    let state = &snap.state;
    let current_entry = snap.queue.current.map(|i| &entries[i as usize].track);
    assert_eq!(
        state.current.as_ref(),
        current_entry,
        "{at}: current track vs queue"
    );
    assert_eq!(state.queue_index, snap.queue.current, "{at}");
    assert_eq!(state.queue_length as usize, entries.len(), "{at}");
    assert_eq!(snap.queue.count as usize, entries.len(), "{at}");
    assert!(
        snap.queue
            .entry_ids()
            .eq(entries.iter().map(|e| e.entry_id)),
        "{at}: published entry ids"
    );
    let start = snap.queue.window_start as usize;
    assert_eq!(
        snap.queue.window.as_slice(),
        &entries[start..(start + queue::WINDOW).min(entries.len())],
        "{at}: published window"
    );
}

fn apply(mirror: &mut Snapshot, published: Published) {
    if published.seq <= mirror.seq {
        return;
    }
    mirror.seq = published.seq;
    match published.event {
        PlayerEvent::State(state) => mirror.state = *state,
        PlayerEvent::Position {
            play_id,
            position_ms,
        } => {
            if play_id == mirror.state.play_id {
                mirror.state.position_ms = position_ms;
            }
        }
        PlayerEvent::Queue(queue) => mirror.queue = queue,
        PlayerEvent::Library(library) => mirror.library = library,
        PlayerEvent::Settings(settings) => mirror.settings = *settings,
        PlayerEvent::Notice(_) => {}
    }
}

struct Scenario {
    seed: u64,
    rng: fastrand::Rng,
    player: PlayerHandle,
    events: mpsc::UnboundedReceiver<Published>,
    audio: FakeAudio,
    mirror: Snapshot,
    source: FakeSource,
}

impl Scenario {
    async fn new(seed: u64) -> Self {
        let (audio_tx, commands) = mpsc::unbounded_channel();
        let (events_tx, audio_events) = mpsc::unbounded_channel();
        let source = FakeSource {
            rng: Arc::new(Mutex::new(fastrand::Rng::with_seed(seed ^ 0x50_4c))),
            lookups: Arc::default(),
        };
        let mut entries = vec![SourceEntry::new(
            "subsonic",
            SourceKind::Subsonic,
            "Subsonic",
            Arc::new(source.clone()),
        )];
        for (k, (name, kind)) in [
            ("netease", SourceKind::NetEase),
            ("local", SourceKind::Local),
            ("work", SourceKind::Subsonic),
        ]
        .into_iter()
        .enumerate()
        {
            let fallback = FallbackSource {
                name,
                local: kind == SourceKind::Local,
                rng: Arc::new(Mutex::new(fastrand::Rng::with_seed(
                    seed ^ (0xfa11 + k as u64),
                ))),
                lookups: source.lookups.clone(),
            };
            entries.push(SourceEntry::new(name, kind, name, Arc::new(fallback)));
        }
        assert_eq!(entries.len(), 1 + FALLBACKS);
        let config = PlayerConfig {
            settings_path: None,
            session_path: None,
            system_locale: "en".into(),
            sources: Sources::from_entries(entries),
            ..PlayerConfig::default()
        };
        let (player, events, actor) = Player::new(config, audio_tx, audio_events);
        tokio::spawn(actor);
        let view = LibraryView {
            tracks: library().1.clone(),
            scanning: false,
        };
        player.act(Action::SetLibrary(view)).await.unwrap();
        let mirror = player.snapshot().await.unwrap();
        let audio = FakeAudio {
            commands,
            events: events_tx,
            rng: fastrand::Rng::with_seed(seed ^ 0x5eed),
            now: 0,
            current: None,
            latest: None,
            live: None,
            follower: None,
            gapless_handovers: 0,
            in_flight: Vec::new(),
            stale_delivered: 0,
            failure_delivered: None,
            mid_track_failures: 0,
        };
        Self {
            seed,
            rng: fastrand::Rng::with_seed(seed),
            player,
            events,
            audio,
            mirror,
            source,
        }
    }

    fn random_track(&mut self) -> Track {
        library().1[self.rng.usize(..TRACKS)].clone()
    }

    /// One random user action (errors such as "nothing to play" are fine: they change nothing).
    async fn act(&mut self, entries: &[QueueEntry]) -> String {
        let queue_len = entries.len();
        let action = match self.rng.u8(..20) {
            0..=2 => Action::PlayLibraryTrack(self.random_track().id),
            3..=5 => Action::Next,
            6 => Action::Previous,
            7 | 8 => Action::TogglePause,
            9 => Action::Seek {
                position_ms: self.rng.u64(..15_000),
            },
            10 if queue_len > 0 && self.rng.bool() => {
                Action::PlayQueueIndex(u32::try_from(self.rng.usize(..queue_len)).unwrap())
            }
            10 if queue_len > 0 => {
                Action::PlayQueueEntry(entries[self.rng.usize(..queue_len)].entry_id)
            }
            11 => Action::Enqueue {
                ids: vec![self.random_track().id],
                position: if self.rng.bool() {
                    QueuePosition::Next
                } else {
                    QueuePosition::End
                },
            },
            12 if queue_len > 0 => {
                let entry = entries[self.rng.usize(..queue_len)].entry_id;
                Action::RemoveFromQueue(vec![entry])
            }
            13 if queue_len > 0 => Action::MoveInQueue {
                entry: entries[self.rng.usize(..queue_len)].entry_id,
                to: u32::try_from(self.rng.usize(..queue_len)).unwrap(),
            },
            14 => Action::SetPlayMode(
                [
                    PlayMode::InOrder,
                    PlayMode::RepeatAll,
                    PlayMode::RepeatOne,
                    PlayMode::Shuffle,
                ][self.rng.usize(..4)],
            ),
            15 => Action::Stop,
            16 => match self.rng.u8(..4) {
                0 => Action::SetMuted(self.rng.bool()),
                // Zero minutes: the timer fires at the next turn.
                1 => Action::SetSleepTimer {
                    minutes: self.rng.bool().then(|| self.rng.u32(0..2)),
                },
                _ => Action::SetStopAfterCurrent(self.rng.bool()),
            },
            17 if self.rng.u8(..8) == 0 => Action::ClearQueue,
            17 => Action::Play,
            _ => {
                // A skip storm: many nexts without waiting for any of them.
                let count = self.rng.usize(2..30);
                for _ in 0..count {
                    self.player.send(Action::Next);
                }
                return format!("{count} × next");
            }
        };
        let text = format!("{action:?}");
        let _ = self.player.act(action).await;
        text.chars().take(80).collect()
    }

    async fn step(&mut self, step: usize) {
        let entries = queue_entries(&self.player).await;
        let did = if self.rng.u8(..3) == 0 {
            let ms = self.rng.u64(1..300) * 10;
            format!("{ms} ms pass")
        } else {
            self.act(&entries).await
        };
        // The audio thread reacts, time passes, late events land; the actor catches up.
        let ms = if did.ends_with("pass") {
            did.split(' ').next().unwrap().parse().unwrap()
        } else {
            self.rng.u64(0..8) * 10
        };
        for _ in 0..3 {
            self.player.snapshot().await.unwrap();
            self.audio.take_commands();
            self.audio.run_for(&self.player, ms / 3 + 10).await;
            tokio::time::sleep(Duration::from_millis(ms / 3 + 10)).await;
        }
        self.player.snapshot().await.unwrap();
        self.audio.take_commands();
        self.audio.settle(&self.player).await;
        self.check(step, &did).await;
    }

    async fn check(&mut self, step: usize, did: &str) {
        let seed = self.seed;
        let at = format!("seed {seed}, step {step} ({did})");
        // Let tasks that were cancelled run to their end (no time passes: "at once").
        for _ in 0..8 {
            tokio::task::yield_now().await;
        }
        let snap = self.player.snapshot().await.unwrap();
        let entries = queue_entries(&self.player).await;
        let counters = self.player.stats().await.unwrap();
        while let Ok(published) = self.events.try_recv() {
            apply(&mut self.mirror, published);
        }
        let state = &snap.state;
        if std::env::var_os("LYREBIRD_SIM_TRACE").is_some() {
            eprintln!(
                "{at}: {:?} play_id={} pos={}",
                state.status, state.play_id, state.position_ms
            );
        }

        check_queue(&at, &snap, &entries);

        // No failure is dropped: the actor moved on from a load it was told failed (another
        // copy, the next track, or a stop), unless the user superseded it first.
        if self.audio.failure_delivered == Some(state.play_id) {
            assert_eq!(
                state.status,
                PlaybackStatus::Stopped,
                "{at}: load {} failed, yet the actor still holds it",
                state.play_id
            );
        }

        // The audio side plays the actor's current track, under the current play id.
        let current_index = state.current.as_ref().map(library_index);
        if matches!(
            state.status,
            PlaybackStatus::Loading | PlaybackStatus::Playing | PlaybackStatus::Paused
        ) {
            match self.audio.latest {
                Some((play_id, index)) if play_id == state.play_id => {
                    assert_eq!(
                        Some(index),
                        current_index,
                        "{at}: audio plays another track"
                    );
                }
                _ => {
                    // Not loaded yet: the track is still being looked up, and the audio
                    // thread is silent meanwhile, never the previous song under the new title.
                    assert_ne!(
                        state.status,
                        PlaybackStatus::Playing,
                        "{at}: playing nothing"
                    );
                    assert!(
                        self.resolving(current_index),
                        "{at}: audio plays another load ({:?}, actor {})",
                        self.audio.latest,
                        state.play_id
                    );
                    assert!(
                        self.audio.current.is_none() && self.audio.live.is_none(),
                        "{at}: audio plays while the current track is being looked up"
                    );
                }
            }
        } else {
            assert!(
                self.audio.current.is_none(),
                "{at}: audio still plays while the player is stopped"
            );
            assert_eq!(state.position_ms, 0, "{at}: a stopped player is at 0");
        }

        // What the UI was told is what the actor holds.
        assert_eq!(
            self.mirror.state, snap.state,
            "{at}: the UI shows another state"
        );
        assert_eq!(
            self.mirror.queue, snap.queue,
            "{at}: the UI shows another queue"
        );

        // Every event from a replaced load was dropped, and only those.
        assert_eq!(
            counters.stale_audio_events, self.audio.stale_delivered,
            "{at}: stale events applied or live ones dropped"
        );

        self.check_lookups(
            &at,
            &snap,
            &entries,
            current_index,
            counters.lookups_running,
        );
    }

    /// Every superseded lookup was cancelled and its task has ended; the ones still running
    /// are for the current track or one that may follow it; no other task is alive.
    fn check_lookups(
        &self,
        at: &str,
        snap: &Snapshot,
        entries: &[QueueEntry],
        current_index: Option<usize>,
        lookups_running: usize,
    ) {
        let next = self.next_indexes(snap, entries);
        let mut running = 0;
        for lookup in self.source.lookups.lock().unwrap().iter() {
            let ended = lookup.ended.load(Ordering::SeqCst);
            if lookup.token.is_cancelled() {
                assert!(
                    ended,
                    "{at}: a cancelled lookup (#{}) still runs",
                    lookup.index
                );
            } else if !ended {
                running += 1;
                assert!(
                    Some(lookup.index) == current_index || next.contains(&lookup.index),
                    "{at}: lookup for #{} runs though nothing wants it (current {current_index:?}, next {next:?})",
                    lookup.index
                );
            }
        }
        // A race for the current track (one search per source: every fallback source, and
        // for a local track whose file is missing the library too, where it may have moved)
        // or its lookup, and the follower's.
        assert!(running <= FALLBACKS + 2, "{at}: {running} lookups running");
        assert_eq!(
            lookups_running, running,
            "{at}: lookup tasks vs running lookups"
        );

        // No task leaks: the actor and its running lookups are the only ones.
        let alive = tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks();
        assert_eq!(alive, 1 + running, "{at}: {alive} tasks alive");
    }

    /// Whether a lookup for the current track (at `index`) is still running.
    fn resolving(&self, index: Option<usize>) -> bool {
        self.source.lookups.lock().unwrap().iter().any(|l| {
            Some(l.index) == index && !l.token.is_cancelled() && !l.ended.load(Ordering::SeqCst)
        })
    }

    /// The library indexes of the tracks that may play after the current one.
    fn next_indexes(&self, snap: &Snapshot, entries: &[QueueEntry]) -> Vec<usize> {
        let _ = self;
        let Some(current) = snap.queue.current.map(|i| i as usize) else {
            return Vec::new();
        };
        let index = |i: usize| library_index(&entries[i].track);
        match snap.state.mode {
            PlayMode::RepeatOne => vec![index(current)],
            // Shuffle's order is the actor's secret: any queued track may come next.
            PlayMode::Shuffle => (0..entries.len()).map(index).collect(),
            PlayMode::InOrder => (current + 1 < entries.len())
                .then(|| index(current + 1))
                .into_iter()
                .collect(),
            PlayMode::RepeatAll => vec![index((current + 1) % entries.len())],
        }
    }
}

fn run_scenario(seed: u64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut scenario = Scenario::new(seed).await;
        for step in 0..STEPS {
            scenario.step(step).await;
        }
        // Every lookup ends by itself (answered or cancelled): back to the baseline of one task.
        // An answer can start the next lookup (a cued track's follower; after a lost race or
        // copies that would not resolve, the next track in the queue, whose race can take its
        // 3 s deadline again), so allow rounds for a chain of those.
        let mut stats = scenario.player.stats().await.unwrap();
        for _ in 0..60 {
            if stats.lookups_running == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            for _ in 0..8 {
                tokio::task::yield_now().await;
            }
            stats = scenario.player.stats().await.unwrap();
        }
        assert_eq!(
            stats.lookups_running, 0,
            "seed {seed}: lookups still running at the end"
        );
        let alive = tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks();
        assert_eq!(alive, 1, "seed {seed}: {alive} tasks alive at the end");
        LOOKUPS.fetch_add(stats.lookups_started, std::sync::atomic::Ordering::Relaxed);
        CANCELLED.fetch_add(
            stats.lookups_cancelled,
            std::sync::atomic::Ordering::Relaxed,
        );
        HANDOVERS.fetch_add(
            scenario.audio.gapless_handovers,
            std::sync::atomic::Ordering::Relaxed,
        );
        MID_TRACK_FAILURES.fetch_add(
            scenario.audio.mid_track_failures,
            std::sync::atomic::Ordering::Relaxed,
        );
        for (total, count) in
            RACES
                .iter()
                .zip([stats.races_started, stats.races_won, stats.races_lost])
        {
            total.fetch_add(count, std::sync::atomic::Ordering::Relaxed);
        }
        scenario.player.shutdown().await.unwrap();
    });
}

#[test]
fn ten_thousand_seeded_scenarios_keep_the_invariants() {
    let seeds: Vec<u64> = if let Ok(seed) = std::env::var("LYREBIRD_SIM_SEED") {
        vec![seed.parse().expect("LYREBIRD_SIM_SEED is a number")]
    } else {
        let count = std::env::var("LYREBIRD_SIM_SCENARIOS").map_or(10_000, |n| n.parse().unwrap());
        (0..count).collect()
    };
    SCENARIOS_RUN.store(seeds.len() as u64, std::sync::atomic::Ordering::Relaxed);
    for seed in seeds {
        if let Err(panic) = std::panic::catch_unwind(|| run_scenario(seed)) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            panic!(
                "scenario failed: {message}\nreplay: LYREBIRD_SIM_SEED={seed} cargo test -p lyrebird-core --test simulation"
            );
        }
    }
    let handovers = HANDOVERS.load(std::sync::atomic::Ordering::Relaxed);
    let mid_track = MID_TRACK_FAILURES.load(std::sync::atomic::Ordering::Relaxed);
    let lookups = LOOKUPS.load(std::sync::atomic::Ordering::Relaxed);
    let cancelled = CANCELLED.load(std::sync::atomic::Ordering::Relaxed);
    let [races, won, lost] = RACES
        .each_ref()
        .map(|r| r.load(std::sync::atomic::Ordering::Relaxed));
    eprintln!(
        "gapless hand-overs in this run: {handovers}; lookups {lookups}, cancelled {cancelled}; \
         fallback races {races}, won {won}, lost {lost}; failures mid-track {mid_track}"
    );
    assert!(
        count_scenarios_run() < 100 || mid_track > 0,
        "no load failed mid-track"
    );
    assert!(
        count_scenarios_run() < 100 || (won > 0 && lost > 0),
        "the fallback race was not exercised both ways"
    );
    assert!(
        count_scenarios_run() < 100 || cancelled > 0,
        "no lookup was ever superseded"
    );
    assert!(
        count_scenarios_run() < 100 || handovers > 0,
        "no gapless hand-over was exercised"
    );
}
