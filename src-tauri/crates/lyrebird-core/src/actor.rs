//! The player actor: the only owner of queue, current track, play state, volume and settings.
//!
//! Tauri commands reach it through a [`PlayerHandle`] (a sender and nothing else); the audio
//! thread reaches it through [`AudioEvent`]s. It publishes [`PlayerEvent`]s, coalesced so that
//! one turn of its loop emits at most one event of each kind.

mod bounds;
mod fallback;
mod health;
mod library_folders;
mod likes;
mod listed;
mod load;
mod lookups;
mod lyrics_offsets;
pub mod persistence;
mod registry;
mod scrobble;
mod window_link;

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::audio::{AudioCommand, AudioEvent, AudioOutput, PlayId};
use crate::events::{
    DeviceState, LibraryInfo, LibraryView, Notice, PlaybackStatus, PlayerEvent, PlayerState,
    Published, QueueRows, Snapshot,
};
use crate::library_rows::{self, LibraryRows, RowsRequest, SortColumn, SortKeys};
use crate::model::{Track, TrackId};
use crate::provider::{self, LookupId, Playable, ResolveError, Source, Sources, StreamSpec};
use crate::queue::{EntryId, PlayMode, Queue, QueuePosition};
use crate::session::{self, SavedQueue, SavedTrack, Session};
use crate::settings::{self, LocalePreference, ReplayGainMode, Settings};
pub use fallback::FallbackConfig;
use fallback::{Origin, Route, Substitution};
pub use library_folders::LibraryFolderConfig;
pub use listed::MAX_TRACKS_PER_ACTION;

/// At most this many "cannot play" notices are published per turn: skipping through a queue
/// of files on an unplugged disk names the first few, then says every track failed (or
/// plays the one that could), rather than raising a toast per track.
pub const MAX_FAILURE_NOTICES: usize = 3;
use load::{Load, Preload};
use lookups::{Answer, LookupFuture, LookupReply, Lookups, Purpose};
pub use lyrics_offsets::MAX_LYRICS_OFFSET_MS;
use registry::SourceChangeReply;
pub use registry::{RegistryConfig, RegistryView};

/// "Previous" restarts the current track instead when it has played longer than this.
const RESTART_THRESHOLD_MS: u64 = 3_000;
/// Settings changes (a volume drag) are written at most this often.
const SAVE_DEBOUNCE: Duration = Duration::from_millis(500);
/// Queue and mode changes reach the session file within this.
const SESSION_DEBOUNCE: Duration = Duration::from_secs(1);
/// While playing, the position alone is saved this often (and always on pause, stop, exit).
const POSITION_SAVE_EVERY: Duration = Duration::from_secs(30);
/// How many queued messages one turn handles before publishing.
const MAX_BATCH: usize = 256;
/// A track that stalls this many times in a row is treated as failed (no endless reloads).
const MAX_STALLS: u32 = 3;

/// How the actor is set up.
#[derive(Clone, Debug, Default)]
pub struct PlayerConfig {
    /// Where settings persist; `None` keeps them in memory only (tests).
    pub settings_path: Option<PathBuf>,
    /// Where the queue, position and play mode persist across restarts; `None`: nowhere.
    pub session_path: Option<PathBuf>,
    /// The OS locale, passed to the UI for `LocalePreference::System`.
    pub system_locale: String,
    /// Where remote tracks are resolved to streams, and searched for copies of a track its
    /// own source cannot play.
    pub sources: Sources,
    /// How the search for copies (the fallback race) is run.
    pub fallback: FallbackConfig,
    /// Where the local library's folders come from, and who follows their changes.
    pub library_folders: LibraryFolderConfig,
    /// Who builds the registry of sources the settings describe (see `actor/registry.rs`).
    pub registry: RegistryConfig,
}

/// Something the user (or the OS) asks the player to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Replace the queue with the library and play from this track.
    PlayLibraryTrack(TrackId),
    /// Play the queue entry at this index.
    PlayQueueIndex(u32),
    /// Play this queue entry (by id: right even if the queue changed since the UI drew it).
    PlayQueueEntry(EntryId),
    /// Append these tracks and play the first of them (command line, drag and drop).
    PlayTracks(Vec<Track>),
    /// Queue library tracks next or at the end, without interrupting what plays.
    Enqueue {
        ids: Vec<TrackId>,
        position: QueuePosition,
    },
    /// Take entries out of the queue (when the current one goes, its successor takes over).
    RemoveFromQueue(Vec<EntryId>),
    /// Move one entry to a new index (drag and drop in the queue view).
    MoveInQueue {
        entry: EntryId,
        to: u32,
    },
    ClearQueue,
    SetPlayMode(PlayMode),
    SetStopAfterCurrent(bool),
    /// The library scanner's result.
    SetLibrary(LibraryView),
    /// A scan starts or ends without changing the tracks (a rescan that found nothing new:
    /// the launcher does not read and send the same 100 000 tracks again).
    SetLibraryScanning(bool),
    /// How far the library scan is (`None`: done).
    SetScanProgress(Option<crate::events::ScanProgress>),
    /// Add a folder to the local library (saved in the settings; the library rescans).
    AddLibraryFolder(PathBuf),
    /// Take a folder out of the local library; its tracks leave the library.
    RemoveLibraryFolder(PathBuf),
    /// Replace the queue with these library tracks (an album, in order) and play the first.
    PlayLibraryTracks(Vec<TrackId>),
    /// Replace the queue with these tracks (a playlist, in order) and play the one at `start`.
    PlayTrackList {
        tracks: Vec<Track>,
        start: usize,
    },
    TogglePause,
    Play,
    Pause,
    Stop,
    Next,
    Previous,
    Seek {
        position_ms: u64,
    },
    SetVolume(f32),
    /// Raise (positive) or lower the volume by this much (volume keys, global shortcuts).
    ChangeVolume(f32),
    /// Silence the output without forgetting the volume.
    SetMuted(bool),
    /// Pause after this many minutes; `None` cancels the timer.
    SetSleepTimer {
        minutes: Option<u32>,
    },
    RetryAudioDevice,
    /// Play through this output device (by id); `None`: the system default.
    SetOutputDevice(Option<String>),
    /// Ask the audio backend which output devices there are.
    RefreshDevices,
    SetLocale(LocalePreference),
    SetReplayGain(ReplayGainMode),
    /// Fade tracks into each other over this many milliseconds (0: gapless); at most 12 s.
    SetCrossfade {
        ms: u32,
    },
    SetDesktop(crate::settings::DesktopSettings),
    /// Show translations / romanisations under lyric lines.
    SetLyricsSettings(crate::settings::LyricsSettings),
    /// What the window showed (view and scroll), so that a rebuilt window shows the same.
    RememberView(crate::events::ViewMemory),
    /// The last window closed: notices from now on wait for the next window's snapshot.
    WindowsClosed,
    /// Tell the user something (from components that are not the actor, e.g. the launcher).
    Notify(Notice),
    /// Play the current track from another of the copies found for it
    /// (`PlayerState::playing_from`). `track` names the current track as the UI knew it, so a
    /// choice made a moment too late changes nothing.
    UseCandidate {
        track: TrackId,
        candidate: String,
    },
    /// A source listed these tracks to the user (a server's page): remember them, so that
    /// they can be played and queued by id.
    RememberListed(Vec<Track>),
    /// Append these listed tracks (by id, see [`Action::RememberListed`]) and play the first.
    PlayListed(Vec<TrackId>),
    /// Queue these listed tracks (by id) next or at the end.
    EnqueueListed {
        ids: Vec<TrackId>,
        position: QueuePosition,
    },
    /// Queue these tracks (e.g. a server's, which are not in the library) next or at the end,
    /// without interrupting what plays.
    EnqueueTracks {
        tracks: Vec<Track>,
        position: QueuePosition,
    },
    /// Show this track's lyrics `offset_ms` earlier (negative: later) than their times say;
    /// 0 forgets it. Clamped to ±[`MAX_LYRICS_OFFSET_MS`]; remembered across restarts.
    SetLyricsOffset {
        track: TrackId,
        offset_ms: i64,
    },
    /// Like (or unlike) the current track at its own source (`PlayerState::liked`), if it
    /// is still `track` (a choice made a moment too late changes nothing).
    SetLiked {
        track: TrackId,
        liked: bool,
    },
    /// Turn the current track's like over (the tray and shortcuts, which know no track).
    ToggleLiked,
    /// Whether the connection is metered, as the OS says (the shell's watcher,
    /// `lyrebird_desktop::network`): NetEase streams at its quality for such a connection.
    SetMetered(bool),
}

/// Why an action was refused. Refusals change nothing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlayerError {
    #[error("no track with id {0}")]
    UnknownTrack(TrackId),
    #[error("queue position {0} does not exist")]
    NoSuchQueueIndex(u32),
    #[error("queue entry {0} does not exist")]
    NoSuchQueueEntry(EntryId),
    #[error("nothing to play")]
    NothingToPlay,
    #[error("the player has shut down")]
    Gone,
    #[error("that load was replaced by another")]
    Superseded,
    #[error("cannot resolve the stream: {0}")]
    Unresolvable(String),
    #[error("no copy {0} of the current track")]
    NoSuchCandidate(String),
    #[error("{0}")]
    Sources(#[from] crate::servers::SourceChangeError),
    #[error("{path} cannot be a library folder: {why}")]
    NotALibraryFolder { path: String, why: String },
    #[error("the {what} is too long (at most {max} bytes)")]
    TooLong { what: &'static str, max: usize },
}

impl serde::Serialize for PlayerError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

/// Counters the tests and benchmarks read; not shown to users.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ActorStats {
    pub play_id: PlayId,
    /// Audio events that arrived for a load the actor had already replaced.
    pub stale_audio_events: u64,
    pub events_published: u64,
    /// Source lookups started, and how many of them were cancelled because something else
    /// superseded them.
    pub lookups_started: u64,
    pub lookups_cancelled: u64,
    /// Replies from lookups that had been cancelled (dropped unread).
    pub stale_lookup_replies: u64,
    /// Registries built for a generation of the sources that was no longer wanted (dropped).
    pub stale_registries: u64,
    /// Lookups refused because too many were in flight.
    pub lookups_refused: u64,
    /// Lookup tasks still running.
    pub lookups_running: usize,
    /// Fallback races started, won (a copy plays) and lost (none found). A race run beside a
    /// track's own source (listed as unplayable) that the source's stream called off is
    /// neither.
    pub races_started: u64,
    pub races_won: u64,
    pub races_lost: u64,
}

type Reply<T> = oneshot::Sender<T>;

enum Command {
    Act(Action, Reply<Result<(), PlayerError>>),
    Snapshot(Reply<Snapshot>),
    Settings(Reply<Settings>),
    /// A snapshot for a window that is starting: it also takes the notices no window has seen.
    WindowSnapshot(Reply<Snapshot>),
    TrackPath(TrackId, Reply<Option<PathBuf>>),
    /// A track the player knows (the library's, the queue's, or one a source listed).
    Track(TrackId, Reply<Option<Track>>),
    /// Rows of the library, as a list shows them.
    LibraryRows(RowsRequest, Reply<LibraryRows>),
    /// The library's tracks with these ids (a search's answer, an album, a folder).
    LibraryTracks(Vec<TrackId>, Reply<LibraryRows>),
    /// One column's values for every row, for the UI's sort.
    LibrarySortKeys(SortColumn, Reply<SortKeys>),
    /// Entries of the queue from `start` to `end` (exclusive), as the queue view shows them.
    QueueRows(u32, u32, Reply<QueueRows>),
    RefreshStream(PlayId, Reply<Result<StreamSpec, PlayerError>>),
    ChangeSources(crate::servers::SourceChange, SourceChangeReply),
    /// A registry the shell built for a generation of the sources; the reply says whether it
    /// is in use (false: a newer generation is wanted).
    RegistryBuilt(crate::servers::Generation, Sources, Reply<bool>),
    /// The registry in use (browsing and covers take their clients from it).
    Sources(Reply<Sources>),
    /// The user's sources as the settings hold them.
    SourceSettings(Reply<crate::servers::SourceSettings>),
    RegistryView(Reply<RegistryView>),
    Stats(Reply<ActorStats>),
    Shutdown(Reply<()>),
}

/// The only way to reach the actor: a sender. Cheap to clone; every method is a message.
#[derive(Clone, Debug)]
pub struct PlayerHandle {
    inbox: mpsc::UnboundedSender<Command>,
}

impl PlayerHandle {
    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Result<T, PlayerError> {
        let (reply, answer) = oneshot::channel();
        self.inbox
            .send(make(reply))
            .map_err(|_| PlayerError::Gone)?;
        answer.await.map_err(|_| PlayerError::Gone)
    }

    /// Do `action` and wait until the actor has applied it.
    pub async fn act(&self, action: Action) -> Result<(), PlayerError> {
        self.ask(|reply| Command::Act(action, reply)).await?
    }

    /// Send `action` without waiting (for callers that cannot await, such as OS callbacks).
    pub fn send(&self, action: Action) {
        let (reply, _) = oneshot::channel();
        let _ = self.inbox.send(Command::Act(action, reply));
    }

    /// Everything the UI needs to draw itself from scratch.
    pub async fn snapshot(&self) -> Result<Snapshot, PlayerError> {
        self.ask(Command::Snapshot).await
    }

    /// The settings alone (a command that needs one setting asks for this, not a snapshot
    /// that clones the whole library).
    pub async fn settings(&self) -> Result<Settings, PlayerError> {
        self.ask(Command::Settings).await
    }

    /// The snapshot a window starts from: like [`Self::snapshot`], plus the notices raised
    /// while no window was there to show them (at start-up, or while in the tray).
    pub async fn window_snapshot(&self) -> Result<Snapshot, PlayerError> {
        self.ask(Command::WindowSnapshot).await
    }

    /// The file behind a track, for serving its cover.
    pub async fn track_path(&self, id: TrackId) -> Result<Option<PathBuf>, PlayerError> {
        self.ask(|reply| Command::TrackPath(id, reply)).await
    }

    /// A track the player knows by `id`: the library's, the queue's, or one a source listed.
    pub async fn track(&self, id: TrackId) -> Result<Option<Track>, PlayerError> {
        self.ask(|reply| Command::Track(id, reply)).await
    }

    /// Rows of the library (a window of a list), with its revision and size.
    pub async fn library_rows(&self, request: RowsRequest) -> Result<LibraryRows, PlayerError> {
        self.ask(|reply| Command::LibraryRows(request, reply)).await
    }

    /// The library's tracks with these ids, in that order (unknown ids are left out).
    pub async fn library_tracks(&self, ids: Vec<TrackId>) -> Result<LibraryRows, PlayerError> {
        self.ask(|reply| Command::LibraryTracks(ids, reply)).await
    }

    /// Every row's value of `column`, in the library's order, for the UI's sort.
    pub async fn library_sort_keys(&self, column: SortColumn) -> Result<SortKeys, PlayerError> {
        self.ask(|reply| Command::LibrarySortKeys(column, reply))
            .await
    }

    /// Entries `start` to `end` (exclusive) of the queue, with their tracks (the published
    /// queue holds only a window of them).
    pub async fn queue_rows(&self, start: u32, end: u32) -> Result<QueueRows, PlayerError> {
        self.ask(|reply| Command::QueueRows(start, end, reply))
            .await
    }

    /// A fresh URL for the stream of load `play_id`, whose old URL expired mid-track (the
    /// audio thread asks; `NetEase` URLs expire within about 25 minutes).
    pub async fn refresh_stream(&self, play_id: PlayId) -> Result<StreamSpec, PlayerError> {
        self.ask(|reply| Command::RefreshStream(play_id, reply))
            .await?
    }

    /// Change the user's servers or source order. Answers once the registry built for the
    /// change is in use: the server as saved for a save, or why the change was refused.
    pub async fn change_sources(
        &self,
        change: crate::servers::SourceChange,
    ) -> Result<Option<crate::servers::ServerSettings>, PlayerError> {
        self.ask(|reply| Command::ChangeSources(change, reply))
            .await?
    }

    /// Hand the actor the registry built for `generation` of the sources (from the watch
    /// channel of [`RegistryConfig::wanted`]). False: it was stale, and dropped.
    pub async fn registry_built(
        &self,
        generation: crate::servers::Generation,
        sources: Sources,
    ) -> Result<bool, PlayerError> {
        self.ask(|reply| Command::RegistryBuilt(generation, sources, reply))
            .await
    }

    /// The registry in use: resolve, browse and fetch covers through its clients.
    pub async fn sources(&self) -> Result<Sources, PlayerError> {
        self.ask(Command::Sources).await
    }

    /// The user's servers and source order, as the settings hold them.
    pub async fn source_settings(&self) -> Result<crate::servers::SourceSettings, PlayerError> {
        self.ask(Command::SourceSettings).await
    }

    /// The settings' sources and the registry in use, with their generations, in one answer.
    pub async fn registry_view(&self) -> Result<RegistryView, PlayerError> {
        self.ask(Command::RegistryView).await
    }

    pub async fn stats(&self) -> Result<ActorStats, PlayerError> {
        self.ask(Command::Stats).await
    }

    /// Stop audio, save settings and end the actor's loop.
    pub async fn shutdown(&self) -> Result<(), PlayerError> {
        self.ask(Command::Shutdown).await
    }
}

/// Constructor namespace for the actor.
pub struct Player;

impl Player {
    /// Create the actor. Returns the handle to talk to it, the stream of events it publishes,
    /// and the future that runs it (spawn it on any runtime).
    #[allow(clippy::new_ret_no_self)] // librespot's shape: (handle, events, future)
    pub fn new<A: AudioOutput>(
        config: PlayerConfig,
        audio: A,
        audio_events: mpsc::UnboundedReceiver<AudioEvent>,
    ) -> (
        PlayerHandle,
        mpsc::UnboundedReceiver<Published>,
        impl Future<Output = ()> + Send,
    ) {
        let (inbox_tx, inbox) = mpsc::unbounded_channel();
        let (events_tx, events) = mpsc::unbounded_channel();
        let (lookup_tx, lookup_replies) = mpsc::unbounded_channel();
        let (failures_tx, write_failures) = mpsc::unbounded_channel();
        let writer = if config.settings_path.is_some() || config.session_path.is_some() {
            persistence::Writer::start(failures_tx)
        } else {
            persistence::Writer::inline()
        };
        let actor = Actor::new(config, audio, events_tx, lookup_tx, writer);
        (
            PlayerHandle { inbox: inbox_tx },
            events,
            actor.run(inbox, audio_events, lookup_replies, write_failures),
        )
    }
}

/// Where `track_failed` stands in skipping past tracks that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Skipping {
    No,
    /// Skipping once, from the loop in `track_failed`.
    Once,
    /// The track skipped to failed as well: skip again.
    Again,
}

/// What changed during one turn and must be published.
#[derive(Default)]
#[allow(clippy::struct_excessive_bools)] // one flag per event kind
struct Dirty {
    state: bool,
    position: bool,
    queue: bool,
    library: bool,
    settings: bool,
}

struct Actor<A> {
    audio: A,
    events: mpsc::UnboundedSender<Published>,
    config: PlayerConfig,
    settings: Settings,
    library: LibraryView,
    library_index: HashMap<TrackId, usize>,
    /// Bumped with every new library list: rows fetched for an older one are stale.
    library_revision: u64,
    queue: Queue,
    status: PlaybackStatus,
    play_id: PlayId,
    position_ms: u64,
    duration_ms: Option<u64>,
    device: DeviceState,
    /// Tracks that failed in a row; reset by any track that starts.
    consecutive_failures: usize,
    /// Skipping past failed tracks (see `track_failed`): a failure met meanwhile asks for one
    /// more skip instead of skipping from inside the failed load.
    skipping: Skipping,
    stop_after_current: bool,
    muted: bool,
    /// When the sleep timer pauses playback (on the runtime's clock, and the wall clock for the UI).
    sleep_at: Option<(Instant, std::time::SystemTime)>,
    /// Where the current track is on its way to being heard (see `actor/load.rs`).
    load: Load,
    /// The last play id issued (to loads, preloads and stops).
    issued_play_id: PlayId,
    dirty: Dirty,
    notices: Vec<Notice>,
    save_due: Option<Instant>,
    session_due: Option<Instant>,
    /// The queue as last saved to `queue.json`: its revision and the file's token. The queue
    /// is written again only when its revision moved.
    saved_queue: Option<(u64, u64)>,
    stats: ActorStats,
    /// The session to bring back once the loop runs (restoring may start lookup tasks).
    restore: Option<Session>,
    /// Source calls in flight (see `actor/lookups.rs`).
    lookups: Lookups,
    /// Stalls of the current track in a row (the watchdog's reports).
    stalls: u32,
    output_devices: Vec<crate::events::OutputDevice>,
    scan: Option<crate::events::ScanProgress>,
    /// The local library's folders in effect (see [`LibraryFolderConfig`]).
    library_folders: Vec<PathBuf>,
    /// The windows' view memory and the notices waiting for one.
    window: window_link::WindowLink,
    /// Which copy plays each track its own source could not, decided this session.
    substitutes: HashMap<TrackId, Substitution>,
    /// Whether the current load is such a copy.
    playing_origin: Origin,
    /// The quality the current stream plays at (`StreamSpec::quality`), and the preload's,
    /// which becomes it when the audio thread moves on to the preload.
    stream_quality: Option<String>,
    preload_quality: Option<(PlayId, String)>,
    /// The user's per-track lyrics offsets.
    lyrics_offsets: lyrics_offsets::LyricsOffsets,
    /// Scrobbling of the current load (a remote track playing from its own source).
    scrobbling: Option<scrobble::Scrobbling>,
    /// Sources that could not be reached lately (see `actor/health.rs`).
    health: health::Health,
    /// Likes changed this session.
    likes: likes::Likes,
    /// Remote tracks sources listed to the user, to be played by id.
    listed: listed::Listed,
    /// Which generation of the sources is wanted and which registry is in use.
    registry: registry::Registry,
    /// Writes the files (settings, session, lyrics offsets) off the actor's task.
    writer: persistence::Writer,
    /// Who asked the actor to shut down: answered once everything is saved.
    shutdown_reply: Option<Reply<()>>,
}

impl<A: AudioOutput> Actor<A> {
    fn new(
        config: PlayerConfig,
        audio: A,
        events: mpsc::UnboundedSender<Published>,
        lookup_replies: mpsc::UnboundedSender<LookupReply>,
        writer: persistence::Writer,
    ) -> Self {
        let mut notices = Vec::new();
        let settings = match &config.settings_path {
            Some(path) => {
                let loaded = settings::load(path);
                if let Some((reason, kept_as)) = loaded.reset {
                    notices.push(Notice::SettingsReset {
                        reason,
                        kept_as: kept_as.display().to_string(),
                    });
                }
                loaded.value
            }
            None => Settings::default(),
        };
        audio.send(AudioCommand::SetGain(volume_curve(settings.volume)));
        // No window yet (the app may start in the tray); the first one says it watches.
        audio.send(AudioCommand::SetWatched(false));
        if settings.crossfade_ms > 0 {
            let ms = settings.crossfade_ms;
            audio.send(AudioCommand::SetCrossfade { ms });
        }
        if settings.output_device.is_some() {
            audio.send(AudioCommand::SetDevice(settings.output_device.clone()));
        }
        let session = config.session_path.as_deref().map(load_session);
        let lyrics_offsets = lyrics_offsets::LyricsOffsets::load(config.settings_path.as_deref());
        let mut actor = Self {
            audio,
            events,
            config,
            settings,
            library: LibraryView::default(),
            library_index: HashMap::new(),
            library_revision: 0,
            queue: Queue::default(),
            status: PlaybackStatus::Stopped,
            play_id: PlayId(0),
            position_ms: 0,
            duration_ms: None,
            device: DeviceState::Unknown,
            consecutive_failures: 0,
            skipping: Skipping::No,
            stop_after_current: false,
            muted: false,
            sleep_at: None,
            load: Load::Idle,
            issued_play_id: PlayId(0),
            dirty: Dirty::default(),
            notices,
            save_due: None,
            session_due: None,
            saved_queue: None,
            stats: ActorStats::default(),
            restore: None,
            lookups: Lookups::new(lookup_replies),
            stalls: 0,
            output_devices: Vec::new(),
            scan: None,
            library_folders: Vec::new(),
            window: window_link::WindowLink::default(),
            substitutes: HashMap::new(),
            playing_origin: Origin::Own,
            stream_quality: None,
            preload_quality: None,
            lyrics_offsets,
            scrobbling: None,
            health: health::Health::default(),
            likes: likes::Likes::default(),
            listed: listed::Listed::default(),
            registry: registry::Registry::default(),
            writer,
            shutdown_reply: None,
        };
        actor.init_library_folders();
        actor.init_registry();
        if let Some((loaded, resets)) = session {
            for (reason, kept_as) in resets {
                let kept_as = kept_as.display().to_string();
                actor.notices.push(Notice::SessionReset { reason, kept_as });
            }
            actor.restore = Some(loaded);
        }
        actor
    }

    /// Bring back the last session's queue, mode and position, cued paused where it was.
    fn restore(&mut self, session: Session) {
        let tracks: Vec<Track> = session
            .queue
            .into_iter()
            .map(SavedTrack::into_track)
            .collect();
        if tracks.is_empty() {
            return;
        }
        let current = session.current.unwrap_or(0);
        self.queue.replace(tracks, current);
        // What `queue.json` holds already: not written again until the queue changes.
        self.saved_queue = session
            .queue_token
            .map(|token| (self.queue.revision(), token));
        self.queue.set_mode(session.mode);
        self.dirty.queue = true;
        if session.current.is_some() {
            self.cue_current(session.position_ms);
        }
    }

    async fn run(
        mut self,
        mut inbox: mpsc::UnboundedReceiver<Command>,
        mut audio_events: mpsc::UnboundedReceiver<AudioEvent>,
        mut lookup_replies: mpsc::UnboundedReceiver<LookupReply>,
        mut write_failures: mpsc::UnboundedReceiver<persistence::WriteFailed>,
    ) {
        if let Some(session) = self.restore.take() {
            self.restore(session);
        }
        self.flush();
        loop {
            let save_due = self.save_due;
            tokio::select! {
                biased;
                command = inbox.recv() => {
                    let Some(command) = command else { break };
                    if !self.handle_command(command) { break; }
                }
                Some(event) = audio_events.recv() => self.handle_audio(event),
                Some(reply) = lookup_replies.recv() => self.handle_lookup(reply),
                Some(failed) = write_failures.recv() => self.write_failed(&failed),
                () = sleep_until_opt(save_due), if save_due.is_some() => self.save_settings(),
                () = sleep_until_opt(self.session_due), if self.session_due.is_some() => {
                    self.save_session();
                }
                () = sleep_until_opt(self.load.race_deadline()), if self.load.race_deadline().is_some() => {
                    self.race_deadline_passed();
                }
                () = sleep_until_opt(self.sleep_at.map(|(at, _)| at)), if self.sleep_at.is_some() => {
                    // Sleep timer: pause (resumable), then forget the timer.
                    self.sleep_at = None;
                    self.pause();
                    self.dirty.state = true;
                }
            }
            // Take whatever else is already waiting, then publish once for the whole batch.
            let mut running = true;
            for _ in 0..MAX_BATCH {
                if let Ok(event) = audio_events.try_recv() {
                    self.handle_audio(event);
                } else if let Ok(reply) = lookup_replies.try_recv() {
                    self.handle_lookup(reply);
                } else if let Ok(command) = inbox.try_recv() {
                    if !self.handle_command(command) {
                        running = false;
                        break;
                    }
                } else {
                    break;
                }
            }
            self.flush();
            if !running {
                break;
            }
        }
        self.audio.send(AudioCommand::Shutdown);
        self.lookups.shut_down().await;
        if self.save_due.is_some() {
            self.save_settings();
        }
        if self.session_due.is_some() {
            self.save_session();
        }
        // Answered once what was handed to the writer is on disk.
        self.writer.flush().await;
        if let Some(reply) = self.shutdown_reply.take() {
            let _ = reply.send(());
        }
    }

    /// Returns false when the actor should stop.
    fn handle_command(&mut self, command: Command) -> bool {
        match command {
            Command::Act(action, reply) => {
                let result = self.handle_action(action);
                let _ = reply.send(result);
            }
            Command::Snapshot(reply) => {
                let _ = reply.send(self.snapshot());
            }
            Command::Settings(reply) => {
                let _ = reply.send(self.settings.clone());
            }
            Command::WindowSnapshot(reply) => {
                let (first, unseen) = self.window.opened();
                if first {
                    self.audio.send(AudioCommand::SetWatched(true));
                }
                let mut snapshot = self.snapshot();
                snapshot.notices = unseen;
                let _ = reply.send(snapshot);
            }
            Command::TrackPath(id, reply) => {
                let path = self.find_track(&id).and_then(|t| t.path.clone());
                let _ = reply.send(path);
            }
            Command::Track(id, reply) => {
                let _ = reply.send(self.find_track(&id).cloned());
            }
            Command::LibraryRows(request, reply) => {
                let tracks = library_rows::rows(&self.library.tracks, &request);
                let _ = reply.send(self.library_rows_answer(tracks));
            }
            Command::LibraryTracks(ids, reply) => {
                let tracks = library_rows::by_id(&self.library.tracks, &self.library_index, &ids);
                let _ = reply.send(self.library_rows_answer(tracks));
            }
            Command::LibrarySortKeys(column, reply) => {
                let keys =
                    library_rows::sort_keys(&self.library.tracks, column, self.library_revision);
                let _ = reply.send(keys);
            }
            Command::QueueRows(start, end, reply) => {
                let _ = reply.send(self.queue.rows(start, end));
            }
            Command::RefreshStream(play_id, reply) => self.refresh_stream(play_id, reply),
            Command::ChangeSources(change, reply) => self.change_sources(change, reply),
            Command::RegistryBuilt(generation, sources, reply) => {
                let _ = reply.send(self.registry_built(generation, sources));
            }
            Command::Sources(reply) => {
                let _ = reply.send(self.config.sources.clone());
            }
            Command::SourceSettings(reply) => {
                let _ = reply.send(self.settings.sources.clone());
            }
            Command::RegistryView(reply) => {
                let _ = reply.send(self.registry_view());
            }
            Command::Stats(reply) => {
                self.stats.lookups_running = self.lookups.running();
                self.stats.lookups_started = self.lookups.started;
                self.stats.lookups_cancelled = self.lookups.cancelled;
                self.stats.lookups_refused = self.lookups.refused;
                self.stats.stale_registries = self.registry.stale;
                let _ = reply.send(self.stats);
            }
            Command::Shutdown(reply) => {
                self.audio.send(AudioCommand::Stop);
                self.save_settings();
                // Saved before stopping: the position is where the user left.
                self.save_session();
                self.shutdown_reply = Some(reply);
                return false;
            }
        }
        true
    }

    /// The user picked the queue's current track: a fresh start (no failures counted), and its
    /// source is asked even if it has been left alone as unreachable.
    fn chosen_by_user(&mut self) {
        self.consecutive_failures = 0;
        self.probe_home_of_current();
        self.load_current(0, false);
    }

    /// Start playing somewhere new: a library track, a queue entry, tracks from outside.
    fn play_from(&mut self, action: Action) -> Result<(), PlayerError> {
        match action {
            Action::PlayLibraryTrack(id) => {
                let index = *self
                    .library_index
                    .get(&id)
                    .ok_or(PlayerError::UnknownTrack(id))?;
                self.queue.replace(self.library.tracks.clone(), index);
                self.dirty.queue = true;
                self.chosen_by_user();
            }
            Action::PlayQueueIndex(index) => {
                let i = usize::try_from(index).unwrap_or(usize::MAX);
                if !self.queue.select(i) {
                    return Err(PlayerError::NoSuchQueueIndex(index));
                }
                self.dirty.queue = true;
                self.chosen_by_user();
            }
            Action::PlayQueueEntry(entry) => {
                let index = self
                    .queue
                    .index_of_entry(entry)
                    .ok_or(PlayerError::NoSuchQueueEntry(entry))?;
                self.queue.select(index);
                self.dirty.queue = true;
                self.chosen_by_user();
            }
            Action::PlayTracks(tracks) => {
                if tracks.is_empty() {
                    return Err(PlayerError::NothingToPlay);
                }
                let first = self.queue.insert(tracks, QueuePosition::End);
                self.queue.select(first);
                self.dirty.queue = true;
                self.chosen_by_user();
            }
            Action::PlayTrackList { tracks, start } => {
                if tracks.is_empty() {
                    return Err(PlayerError::NothingToPlay);
                }
                let start = start.min(tracks.len() - 1);
                self.queue.replace(tracks, start);
                self.dirty.queue = true;
                self.chosen_by_user();
            }
            _ => unreachable!("not a play action: {action:?}"),
        }
        Ok(())
    }

    fn handle_action(&mut self, action: Action) -> Result<(), PlayerError> {
        let action = bounds::checked(action)?;
        match action {
            Action::PlayLibraryTrack(_)
            | Action::PlayQueueIndex(_)
            | Action::PlayQueueEntry(_)
            | Action::PlayTracks(_)
            | Action::PlayTrackList { .. } => self.play_from(action)?,
            Action::Enqueue { .. }
            | Action::RemoveFromQueue(_)
            | Action::MoveInQueue { .. }
            | Action::ClearQueue
            | Action::SetPlayMode(_)
            | Action::SetStopAfterCurrent(_) => self.edit_queue(action)?,
            Action::SetLibrary(view) => self.set_library(view),
            Action::SetLibraryScanning(scanning) => {
                if self.library.scanning != scanning {
                    self.library.scanning = scanning;
                    self.dirty.library = true;
                }
            }
            Action::SetScanProgress(progress) => {
                if self.scan != progress {
                    self.scan = progress;
                    self.dirty.state = true;
                }
            }
            Action::AddLibraryFolder(_) | Action::RemoveLibraryFolder(_) => {
                self.change_library_folders(action);
            }
            Action::PlayLibraryTracks(ids) => self.play_library_tracks(&ids)?,
            Action::TogglePause => match self.status {
                PlaybackStatus::Playing | PlaybackStatus::Loading => self.pause(),
                PlaybackStatus::Paused | PlaybackStatus::Stopped => self.play()?,
            },
            Action::Play => self.play()?,
            Action::Pause => self.pause(),
            Action::Stop => self.stop(),
            Action::Next => {
                if self.queue.is_empty() {
                    return Err(PlayerError::NothingToPlay);
                }
                self.consecutive_failures = 0;
                self.advance(false);
            }
            Action::Previous => self.previous()?,
            Action::Seek { position_ms } => self.seek(position_ms)?,
            Action::SetVolume(_)
            | Action::ChangeVolume(_)
            | Action::SetMuted(_)
            | Action::SetSleepTimer { .. }
            | Action::SetLocale(_)
            | Action::SetReplayGain(_)
            | Action::SetCrossfade { .. }
            | Action::SetDesktop(_)
            | Action::SetLyricsSettings(_) => self.adjust(&action),
            Action::RememberView(view) => self.window.view = view,
            Action::RetryAudioDevice => self.audio.send(AudioCommand::RetryDevice),
            Action::RefreshDevices => self.audio.send(AudioCommand::ListDevices),
            Action::SetOutputDevice(device) => {
                if self.settings.output_device != device {
                    self.settings.output_device.clone_from(&device);
                    self.settings_changed();
                    self.audio.send(AudioCommand::SetDevice(device));
                }
            }
            Action::Notify(notice) => self.notices.push(notice),
            Action::WindowsClosed => {
                if self.window.closed() {
                    self.audio.send(AudioCommand::SetWatched(false));
                }
            }
            Action::UseCandidate { track, candidate } => self.use_candidate(&track, &candidate)?,
            Action::RememberListed(tracks) => self.remember_listed(tracks),
            Action::PlayListed(ids) => self.play_listed(&ids)?,
            Action::EnqueueListed { ids, position } => self.enqueue_listed(&ids, position)?,
            Action::EnqueueTracks { tracks, position } => self.enqueue_tracks(tracks, position)?,
            Action::SetLyricsOffset { track, offset_ms } => {
                // Offsets are kept for tracks the player knows, so that calls naming made-up
                // ids cannot fill the offsets file.
                if self.find_track(&track).is_none() {
                    return Err(PlayerError::UnknownTrack(track));
                }
                self.set_lyrics_offset(&track, offset_ms);
            }
            Action::SetLiked { track, liked } => self.set_liked(Some(&track), Some(liked)),
            Action::ToggleLiked => self.set_liked(None, None),
            Action::SetMetered(metered) => self.set_metered(metered),
        }
        Ok(())
    }

    fn handle_audio(&mut self, event: AudioEvent) {
        if event.play_id().is_some_and(|id| id != self.play_id) {
            // From a load we already replaced: applying it would show one song and play another.
            self.stats.stale_audio_events += 1;
            tracing::trace!(?event, current = %self.play_id, "stale audio event dropped");
            return;
        }
        match event {
            AudioEvent::Started { duration_ms, .. } => {
                if self.status == PlaybackStatus::Loading {
                    self.status = PlaybackStatus::Playing;
                }
                if duration_ms.is_some() {
                    self.duration_ms = duration_ms;
                }
                self.consecutive_failures = 0;
                self.set_device(DeviceState::Ready);
                self.dirty.state = true;
                self.source_reachable();
                self.scrobble_started();
            }
            AudioEvent::Stalled { position_ms, .. } => self.track_stalled(position_ms),
            AudioEvent::Audible { .. } => {}
            AudioEvent::Position { position_ms, .. } => {
                if self.position_ms != position_ms {
                    self.position_ms = position_ms;
                    self.dirty.position = true;
                }
                self.scrobble_position(position_ms);
            }
            AudioEvent::Continued {
                started,
                duration_ms,
                ..
            } => {
                if self.take_over_preload(started) {
                    self.duration_ms = duration_ms.or(self.duration_ms);
                    self.scrobble_started();
                } else {
                    // It moved on to a follower the queue no longer wants next: correct it.
                    self.track_ended();
                }
            }
            AudioEvent::Ended { .. } => {
                self.stalls = 0;
                self.track_ended();
            }
            AudioEvent::Failed { reason, cause, .. } => {
                if cause == crate::audio::FailureCause::Unreachable
                    && let Some(entry) = self.playing_source()
                {
                    self.source_unreachable(entry, &reason);
                }
                self.playback_failed(reason);
            }
            AudioEvent::DeviceUnavailable { reason, .. } => {
                self.set_device(DeviceState::Unavailable { reason });
            }
            AudioEvent::DeviceReady => self.set_device(DeviceState::Ready),
            AudioEvent::Devices(devices) => {
                if self.output_devices != devices {
                    self.output_devices = devices;
                    self.dirty.state = true;
                }
            }
        }
    }

    fn set_device(&mut self, device: DeviceState) {
        if self.device == device {
            return;
        }
        match (&self.device, &device) {
            (_, DeviceState::Unavailable { reason }) => {
                self.notices.push(Notice::NoAudioDevice {
                    reason: reason.clone(),
                });
            }
            (DeviceState::Unavailable { .. }, DeviceState::Ready) => {
                self.notices.push(Notice::AudioDeviceRestored);
            }
            _ => {}
        }
        self.device = device;
        self.dirty.state = true;
    }

    /// Start the queue's current track on the audio thread under a fresh play id. A local
    /// file loads at once; a remote track is looked up first, in its own task, while the
    /// audio thread stays silent (never the old song under the new title).
    fn load_current(&mut self, start_ms: u64, paused: bool) {
        let Some(track) = self.queue.current().cloned() else {
            self.stop();
            return;
        };
        // Whatever was being looked up for the previous load is no longer wanted, and so is
        // a restored position still waiting for the registry.
        self.registry.pending_cue = None;
        self.cancel_lookups(Purpose::about_what_plays);
        self.load = Load::Idle;
        self.stalls = 0;
        self.play_id = self.fresh_play_id();
        self.position_ms = start_ms;
        self.duration_ms = track.duration_ms;
        self.status = if paused {
            PlaybackStatus::Paused
        } else {
            PlaybackStatus::Loading
        };
        self.dirty.state = true;
        let (route, origin) = self.route(&track);
        self.playing_origin = origin;
        self.start_route(route);
    }

    /// Get the current load to the audio thread along `route`: at once for a file, after a
    /// lookup for a remote track. A failure goes to the fallback race (or the next copy).
    fn start_route(&mut self, route: Route) {
        self.stream_quality = None;
        match route {
            Route::Local(track) => match provider::resolve_local(&track) {
                Ok(media) => self.send_load(media),
                Err(e) => self.resolve_failed(e),
            },
            Route::Remote(source, track) => {
                self.audio.send(AudioCommand::Stop);
                let play_id = self.play_id;
                // Its own source's list said it will not play it: race the others meanwhile.
                let listed = track
                    .unplayable
                    .filter(|_| self.playing_origin == Origin::Own);
                let lookup = self.resolve_remote(source, track, Purpose::Play { play_id });
                self.load = Load::Resolving { lookup };
                if let Some(listed) = listed {
                    self.race_beside_own(lookup, listed);
                }
            }
            Route::Unplayable(e) => {
                self.audio.send(AudioCommand::Stop);
                self.resolve_failed(e);
            }
        }
    }

    /// Hand the current load to the audio thread, from where the player stands now (a seek
    /// or pause while a lookup ran is honoured).
    fn send_load(&mut self, media: Playable) {
        let gain = self.queue.current().map_or(1.0, |t| self.track_gain(t));
        self.stream_quality = quality_of(&media);
        self.dirty.state = true;
        self.load = Load::Loaded { preload: None };
        self.audio.send(AudioCommand::Load {
            play_id: self.play_id,
            media,
            start_ms: self.position_ms,
            paused: self.status == PlaybackStatus::Paused,
            gain,
        });
    }

    fn cannot_play_because(&mut self, track: &Track, reason: String) {
        self.notices.push(Notice::CannotPlay {
            name: track.display_name(),
            reason,
        });
        self.track_failed();
    }

    /// The current load started: send "now playing" for a remote track playing from its own
    /// source (once per load).
    fn scrobble_started(&mut self) {
        if self
            .scrobbling
            .as_ref()
            .is_some_and(|s| s.play_id() == self.play_id)
        {
            return;
        }
        self.scrobbling = None;
        let Some(track) = self.queue.current().cloned() else {
            return;
        };
        if provider::is_local(&track) || self.playing_origin != Origin::Own {
            return;
        }
        let (scrobbling, kind) =
            scrobble::Scrobbling::start(self.play_id, track.clone(), self.position_ms);
        self.scrobbling = Some(scrobbling);
        self.send_scrobble(track, kind);
    }

    /// The current load moved: submit the play once enough of it has been listened to.
    fn scrobble_position(&mut self, position_ms: u64) {
        let duration_ms = self.duration_ms;
        let Some(scrobbling) = self
            .scrobbling
            .as_mut()
            .filter(|s| s.play_id() == self.play_id)
        else {
            return;
        };
        if let Some(kind) = scrobbling.position(position_ms, duration_ms) {
            let track = scrobbling.track().clone();
            self.send_scrobble(track, kind);
        }
    }

    /// Tell the track's own source, in a task of its own; failures are only logged.
    fn send_scrobble(&mut self, track: Track, kind: provider::ScrobbleKind) {
        let Some(home) = self.config.sources.home_for(&track) else {
            return;
        };
        let source = self.config.sources.entries()[home].source.clone();
        self.lookups.spawn_detached(|cancel| async move {
            let id = track.id.clone();
            if let Err(error) = source.scrobble(track, kind, cancel).await {
                tracing::warn!(%id, ?kind, %error, "scrobble failed");
            }
        });
    }

    /// Look `track` up with `source.resolve` in a task of its own.
    fn resolve_remote(
        &mut self,
        source: Arc<dyn Source>,
        track: Track,
        purpose: Purpose,
    ) -> LookupId {
        self.spawn_lookup(purpose, move |token| {
            Box::pin(async move { source.resolve(track, token).await.map(Answer::Stream) })
        })
    }

    /// Run `work` as a lookup (see [`Lookups::spawn`]).
    fn spawn_lookup(
        &mut self,
        purpose: Purpose,
        work: impl FnOnce(CancellationToken) -> LookupFuture,
    ) -> LookupId {
        self.lookups.spawn(purpose, work)
    }

    /// Cancel and forget every lookup whose purpose matches.
    fn cancel_lookups(&mut self, superseded: impl Fn(&Purpose) -> bool) {
        self.lookups.cancel(superseded);
    }

    fn handle_lookup(&mut self, reply: LookupReply) {
        let Some(purpose) = self.lookups.take(reply.id) else {
            // Cancelled after it had already answered: nobody wants it.
            self.stats.stale_lookup_replies += 1;
            return;
        };
        match purpose {
            Purpose::Play { play_id } => {
                debug_assert_eq!(play_id, self.play_id, "superseded lookups are cancelled");
                if self.load.race().is_some() {
                    // Its own source, asked beside a race (a track listed as unplayable).
                    self.own_answered_beside_race(reply.id, reply.result);
                    return;
                }
                self.load = Load::Idle;
                match stream(reply.result) {
                    Ok(media) => self.send_load(media),
                    Err(e) => {
                        if e == ResolveError::Timeout
                            && let Some(entry) = self.playing_source()
                        {
                            self.source_unreachable(entry, &e.to_string());
                        }
                        self.resolve_failed(e);
                    }
                }
            }
            Purpose::Fallback { play_id, entry } => {
                if let Err(e @ ResolveError::Timeout) = &reply.result {
                    self.source_unreachable(entry, &e.to_string());
                }
                let found = match reply.result {
                    Ok(Answer::Found(tracks)) => Ok(tracks),
                    Ok(Answer::Stream(_) | Answer::Liked) => Ok(Vec::new()),
                    Err(e) => Err(e),
                };
                self.race_reply(play_id, entry, found);
            }
            Purpose::Preload { play_id } => {
                // A preload that cannot be resolved is simply not preloaded: when its turn
                // comes, the normal load reports the problem (or races for a copy).
                if let Ok(media) = stream(reply.result)
                    && let Some(preload) = self.load.preload()
                    && preload.play_id == play_id
                {
                    let gain =
                        (self.queue.entry(preload.entry)).map_or(1.0, |t| self.track_gain(t));
                    self.preload_quality = quality_of(&media).map(|q| (play_id, q));
                    self.audio.send(AudioCommand::Preload {
                        play_id,
                        media,
                        gain,
                    });
                }
            }
            Purpose::Refresh { reply: answer, .. } => {
                let result = match stream(reply.result) {
                    Ok(Playable::Stream(spec)) => Ok(spec),
                    Ok(Playable::File(_)) => Err(PlayerError::Unresolvable(
                        "the source now gives a file, not a stream".into(),
                    )),
                    Err(e) => Err(PlayerError::Unresolvable(e.to_string())),
                };
                let _ = answer.send(result);
            }
            Purpose::Like { track } => self.like_answered(&track, reply.result),
        }
    }

    /// The audio thread's stream for `play_id` expired: resolve its track again.
    fn refresh_stream(&mut self, play_id: PlayId, reply: Reply<Result<StreamSpec, PlayerError>>) {
        let track = if play_id == self.play_id {
            self.queue.current().cloned()
        } else {
            (self.load.preload())
                .filter(|preload| preload.play_id == play_id)
                .and_then(|preload| self.queue.entry(preload.entry).cloned())
        };
        let Some(track) = track else {
            let _ = reply.send(Err(PlayerError::Superseded));
            return;
        };
        // Through the copy that plays, if it is one.
        match self.route(&track).0 {
            Route::Remote(source, track) => {
                self.resolve_remote(source, track, Purpose::Refresh { reply });
            }
            Route::Local(_) => {
                let _ = reply.send(Err(PlayerError::Unresolvable("a local file".into())));
            }
            Route::Unplayable(e) => {
                let _ = reply.send(Err(PlayerError::Unresolvable(e.to_string())));
            }
        }
    }

    /// The watchdog saw no audio for a while: reload from where it stopped, a few times.
    fn track_stalled(&mut self, position_ms: u64) {
        self.stalls += 1;
        let Some(track) = self.queue.current().cloned() else {
            return;
        };
        tracing::warn!(name = %track.display_name(), position_ms, stalls = self.stalls, "playback stalled");
        if self.stalls >= MAX_STALLS {
            self.stalls = 0;
            self.playback_failed("playback kept stalling".into());
        } else {
            self.notices.push(Notice::Stalled {
                name: track.display_name(),
            });
            let paused = self.status == PlaybackStatus::Paused;
            let stalls = self.stalls;
            self.load_current(position_ms, paused);
            self.stalls = stalls;
        }
    }

    /// The current track failed: move on, unless every track in the queue failed in a row.
    fn track_failed(&mut self) {
        self.consecutive_failures += 1;
        if self.consecutive_failures >= self.queue.len() {
            self.notices.push(Notice::AllTracksFailed);
            self.consecutive_failures = 0;
            self.stop();
            return;
        }
        // A track can fail at once, inside its own load (a missing file with no copy
        // elsewhere, a server that is gone), and then so can the next: skipping from in here
        // would recurse once per track, and a queue of 100 000 files on an unplugged disk
        // overflowed the stack. So the first failure skips in a loop, and each failure met
        // inside that skip only asks the loop for one more.
        if self.skipping != Skipping::No {
            self.skipping = Skipping::Again;
            return;
        }
        loop {
            self.skipping = Skipping::Once;
            // Never "repeat one" a track that failed.
            self.advance(false);
            if self.skipping != Skipping::Again {
                break;
            }
        }
        self.skipping = Skipping::No;
    }

    /// The current track played to its end (and nothing followed it gaplessly).
    fn track_ended(&mut self) {
        if std::mem::take(&mut self.stop_after_current) {
            // Cue the next track, so that play continues from there.
            if self.queue.advance(false).is_some() {
                self.dirty.queue = true;
            }
            self.stop();
        } else {
            self.advance(true);
        }
    }

    /// The output gain: the volume through its curve, or silence when muted.
    fn send_output_gain(&self) {
        let gain = if self.muted {
            0.0
        } else {
            volume_curve(self.settings.volume)
        };
        self.audio.send(AudioCommand::SetGain(gain));
    }

    /// The track's own gain under the current ReplayGain setting.
    fn track_gain(&self, track: &Track) -> f32 {
        track
            .replay_gain
            .map_or(1.0, |rg| rg.factor(self.settings.replay_gain))
    }

    fn fresh_play_id(&mut self) -> PlayId {
        self.issued_play_id = self.issued_play_id.next();
        self.stats.play_id = self.issued_play_id;
        self.issued_play_id
    }

    /// The audio thread moved on to preload `started` without a gap: follow it if that is the
    /// preload the actor issued last and it is still what comes next. False otherwise.
    fn take_over_preload(&mut self, started: PlayId) -> bool {
        let Some(Preload {
            play_id,
            entry,
            origin,
        }) = self.load.take_preload()
        else {
            return false;
        };
        if play_id != started
            || self.stop_after_current
            || self.queue.peek_next(true) != Some(entry)
        {
            return false;
        }
        self.queue.advance(true);
        let track = self.queue.current().cloned();
        self.play_id = play_id;
        self.playing_origin = origin;
        self.stream_quality = (self.preload_quality.take())
            .filter(|(id, _)| *id == play_id)
            .map(|(_, quality)| quality);
        self.position_ms = 0;
        self.duration_ms = track.and_then(|t| t.duration_ms);
        self.status = PlaybackStatus::Loading;
        self.dirty.queue = true;
        self.dirty.state = true;
        true
    }

    /// Keep the audio thread's preload in line with what will play next: decoded ahead while a
    /// track plays, withdrawn when the queue, the mode or "stop after current" change. A remote
    /// follower is looked up first; the preload is sent when (and if) the answer comes.
    fn sync_preload(&mut self) {
        let playing = matches!(
            self.status,
            PlaybackStatus::Playing | PlaybackStatus::Paused
        ) && matches!(self.load, Load::Loaded { .. });
        let wanted = self
            .queue
            .peek_next(true)
            .filter(|_| playing && !self.stop_after_current)
            .and_then(|entry| {
                let track = self.queue.entry(entry)?;
                let usable = match self.route(track).0 {
                    Route::Local(file) => provider::resolve_local(&file).is_ok(),
                    Route::Remote(..) => true,
                    Route::Unplayable(_) => false,
                };
                usable.then_some(entry)
            });
        match (self.load.preload().map(|p| p.entry), wanted) {
            (Some(have), Some(want)) if have == want => {}
            (None, None) => {}
            (Some(_), None) => {
                self.withdraw_preload();
            }
            (have, Some(entry)) => {
                if have.is_some() {
                    self.withdraw_preload();
                }
                let Some(track) = self.queue.entry(entry).cloned() else {
                    return;
                };
                let play_id = self.fresh_play_id();
                let (route, origin) = self.route(&track);
                if let Load::Loaded { preload } = &mut self.load {
                    *preload = Some(Preload {
                        play_id,
                        entry,
                        origin,
                    });
                }
                match route {
                    Route::Local(file) => {
                        if let Ok(media) = provider::resolve_local(&file) {
                            let gain = self.track_gain(&track);
                            self.audio.send(AudioCommand::Preload {
                                play_id,
                                media,
                                gain,
                            });
                        }
                    }
                    Route::Remote(source, track) => {
                        self.resolve_remote(source, track, Purpose::Preload { play_id });
                    }
                    Route::Unplayable(_) => {}
                }
            }
        }
    }

    /// Forget the preload: on the audio thread, and any lookup still resolving it.
    fn withdraw_preload(&mut self) {
        self.load.take_preload();
        self.cancel_lookups(|p| matches!(p, Purpose::Preload { .. }));
        self.audio.send(AudioCommand::CancelPreload);
    }

    /// Go to the next track as the play mode says, or stop at the end of the queue.
    /// `at_end`: the track finished by itself (repeat-one repeats it).
    fn advance(&mut self, at_end: bool) {
        if self.queue.advance(at_end).is_some() {
            self.dirty.queue = true;
            self.load_current(0, false);
        } else {
            self.stop();
        }
    }

    fn remove_from_queue(&mut self, entries: &[EntryId]) {
        let was_playing = matches!(
            self.status,
            PlaybackStatus::Playing | PlaybackStatus::Loading
        );
        let current_removed = self.queue.remove(entries);
        self.dirty.queue = true;
        self.dirty.state = true;
        if current_removed {
            self.stop();
            if was_playing && !self.queue.is_empty() {
                self.load_current(0, false);
            }
        }
    }

    /// Volume, mute, sleep timer and settings: nothing here can fail or touch the queue.
    fn adjust(&mut self, action: &Action) {
        match *action {
            Action::ChangeVolume(delta) => {
                self.adjust(&Action::SetVolume(self.settings.volume + delta));
            }
            Action::SetVolume(volume) => {
                let volume = settings::sanitize_volume(volume);
                if (volume - self.settings.volume).abs() > f32::EPSILON {
                    self.settings.volume = volume;
                    self.send_output_gain();
                    self.settings_changed();
                }
            }
            Action::SetMuted(muted) => {
                if self.muted != muted {
                    self.muted = muted;
                    self.send_output_gain();
                    self.dirty.state = true;
                }
            }
            Action::SetSleepTimer { minutes } => {
                self.sleep_at = minutes.map(|m| {
                    let after = Duration::from_secs(u64::from(m.min(24 * 60)) * 60);
                    (Instant::now() + after, std::time::SystemTime::now() + after)
                });
                self.dirty.state = true;
            }
            Action::SetLocale(locale) => {
                if self.settings.locale != locale {
                    self.settings.locale = locale;
                    self.settings_changed();
                }
            }
            Action::SetReplayGain(mode) => {
                if self.settings.replay_gain != mode {
                    self.settings.replay_gain = mode;
                    self.settings_changed();
                    if let Some(track) = self.queue.current().cloned() {
                        let gain = self.track_gain(&track);
                        let play_id = self.play_id;
                        self.audio
                            .send(AudioCommand::SetTrackGain { play_id, gain });
                    }
                    // Preloaded with the old gain: issue it again.
                    if self.load.preload().is_some() {
                        self.withdraw_preload();
                    }
                }
            }
            Action::SetCrossfade { ms } => {
                let ms = ms.min(settings::MAX_CROSSFADE_MS);
                if self.settings.crossfade_ms != ms {
                    self.settings.crossfade_ms = ms;
                    self.settings_changed();
                    self.audio.send(AudioCommand::SetCrossfade { ms });
                }
            }
            Action::SetDesktop(ref desktop) => {
                if self.settings.desktop != *desktop {
                    self.settings.desktop = desktop.clone();
                    self.settings_changed();
                }
            }
            Action::SetLyricsSettings(lyrics) => {
                if self.settings.lyrics != lyrics {
                    self.settings.lyrics = lyrics;
                    self.settings_changed();
                }
            }
            _ => unreachable!("not an adjustment: {action:?}"),
        }
    }

    /// Queue edits and play-mode changes: none of them interrupts what is playing, except
    /// removing the current entry (its successor takes over) and clearing.
    fn edit_queue(&mut self, action: Action) -> Result<(), PlayerError> {
        match action {
            Action::Enqueue { ids, position } => {
                let tracks = ids
                    .into_iter()
                    .map(|id| {
                        self.find_track(&id)
                            .cloned()
                            .ok_or(PlayerError::UnknownTrack(id))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                self.queue.insert(tracks, position);
                self.dirty.queue = true;
                self.dirty.state = true;
            }
            Action::RemoveFromQueue(entries) => self.remove_from_queue(&entries),
            Action::MoveInQueue { entry, to } => {
                let to = usize::try_from(to).unwrap_or(usize::MAX);
                if !self.queue.move_entry(entry, to) {
                    return Err(PlayerError::NoSuchQueueEntry(entry));
                }
                self.dirty.queue = true;
                self.dirty.state = true;
            }
            Action::ClearQueue => {
                self.stop();
                self.queue.clear();
                self.dirty.queue = true;
                self.dirty.state = true;
            }
            Action::SetPlayMode(mode) => {
                self.queue.set_mode(mode);
                self.dirty.state = true;
            }
            Action::SetStopAfterCurrent(on) => {
                self.stop_after_current = on;
                self.dirty.state = true;
            }
            _ => unreachable!("not a queue edit: {action:?}"),
        }
        Ok(())
    }

    fn previous(&mut self) -> Result<(), PlayerError> {
        if self.queue.current().is_none() {
            return Err(PlayerError::NothingToPlay);
        }
        if self.position_ms <= RESTART_THRESHOLD_MS && self.queue.go_back().is_some() {
            self.dirty.queue = true;
            self.load_current(0, false);
        } else {
            self.seek(0)?;
        }
        Ok(())
    }

    fn play(&mut self) -> Result<(), PlayerError> {
        match self.status {
            PlaybackStatus::Paused if self.load.is_pending() => {
                // Nothing is loaded yet: the load, when it comes, starts unpaused.
                self.status = PlaybackStatus::Loading;
                self.dirty.state = true;
            }
            PlaybackStatus::Paused => {
                self.status = PlaybackStatus::Playing;
                self.audio.send(AudioCommand::Resume);
                self.dirty.state = true;
            }
            PlaybackStatus::Stopped => {
                if self.queue.current().is_none() {
                    if self.library.tracks.is_empty() {
                        return Err(PlayerError::NothingToPlay);
                    }
                    self.queue.replace(self.library.tracks.clone(), 0);
                    self.dirty.queue = true;
                }
                self.consecutive_failures = 0;
                self.load_current(self.position_ms, false);
            }
            PlaybackStatus::Playing | PlaybackStatus::Loading => {}
        }
        Ok(())
    }

    fn pause(&mut self) {
        if matches!(
            self.status,
            PlaybackStatus::Playing | PlaybackStatus::Loading
        ) {
            self.status = PlaybackStatus::Paused;
            self.audio.send(AudioCommand::Pause);
            self.dirty.state = true;
        }
    }

    fn stop(&mut self) {
        if self.status != PlaybackStatus::Stopped || self.position_ms != 0 {
            // Retire the play id: a position or "ended" already on its way from the stopped load
            // must not move a stopped player (the simulation found exactly that).
            self.play_id = self.fresh_play_id();
            self.load = Load::Idle;
            self.cancel_lookups(Purpose::about_what_plays);
            self.audio.send(AudioCommand::Stop);
            self.status = PlaybackStatus::Stopped;
            self.position_ms = 0;
            self.dirty.state = true;
        }
    }

    fn seek(&mut self, position_ms: u64) -> Result<(), PlayerError> {
        if self.queue.current().is_none() {
            return Err(PlayerError::NothingToPlay);
        }
        let position_ms = self.duration_ms.map_or(position_ms, |d| position_ms.min(d));
        if self.status == PlaybackStatus::Stopped {
            // Seeking a stopped track cues it there, paused.
            self.load_current(position_ms, true);
        } else {
            self.position_ms = position_ms;
            self.audio.send(AudioCommand::Seek {
                play_id: self.play_id,
                position_ms,
            });
            self.dirty.position = true;
        }
        Ok(())
    }

    fn set_library(&mut self, view: LibraryView) {
        self.library_index = view
            .tracks
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        if view.tracks != self.library.tracks {
            self.library_revision += 1;
        }
        self.library = view;
        self.dirty.library = true;
    }

    /// What the UI is told of the library: its size and revision, not its tracks.
    fn library_info(&self) -> LibraryInfo {
        LibraryInfo {
            revision: self.library_revision,
            count: u32::try_from(self.library.tracks.len()).unwrap_or(u32::MAX),
            scanning: self.library.scanning,
            first: self.library.tracks[..self.library.tracks.len().min(library_rows::FIRST_ROWS)]
                .to_vec(),
        }
    }

    fn library_rows_answer(&self, tracks: Vec<Track>) -> LibraryRows {
        LibraryRows {
            revision: self.library_revision,
            count: u32::try_from(self.library.tracks.len()).unwrap_or(u32::MAX),
            tracks,
        }
    }

    /// Queue `tracks` next or at the end, without interrupting what plays.
    fn enqueue_tracks(
        &mut self,
        tracks: Vec<Track>,
        position: QueuePosition,
    ) -> Result<(), PlayerError> {
        if tracks.is_empty() {
            return Err(PlayerError::NothingToPlay);
        }
        self.queue.insert(tracks, position);
        self.dirty.queue = true;
        self.dirty.state = true;
        Ok(())
    }

    fn find_track(&self, id: &TrackId) -> Option<&Track> {
        self.library_index
            .get(id)
            .and_then(|&i| self.library.tracks.get(i))
            .or_else(|| self.queue.find(id))
            .or_else(|| self.listed.get(id))
    }

    fn settings_changed(&mut self) {
        self.dirty.settings = true;
        self.dirty.state = true;
        if self.config.settings_path.is_some() && self.save_due.is_none() {
            self.save_due = Some(Instant::now() + SAVE_DEBOUNCE);
        }
    }

    /// Schedule a session save: soon after queue or state changes, rarely for position alone.
    fn session_changed(&mut self, dirty: &Dirty) {
        if self.config.session_path.is_none() {
            return;
        }
        let delay = if dirty.queue || dirty.state {
            SESSION_DEBOUNCE
        } else if dirty.position {
            POSITION_SAVE_EVERY
        } else {
            return;
        };
        let due = Instant::now() + delay;
        if self.session_due.is_none_or(|current| due < current) {
            self.session_due = Some(due);
        }
    }

    fn save_session(&mut self) {
        self.session_due = None;
        let Some(path) = &self.config.session_path else {
            return;
        };
        // The tracks only when the queue changed since they were last saved (at 100 000 tracks
        // that is tens of MB of JSON), then the small cursor file naming them.
        let revision = self.queue.revision();
        let token = match self.saved_queue {
            Some((saved, token)) if saved == revision => token,
            _ => {
                let token = fastrand::u64(..);
                // A copy of the tracks here; serialized on the writer thread (several times
                // the copy's cost at 100 000 tracks, and the actor must answer meanwhile).
                let saved = SavedQueue {
                    token,
                    tracks: self
                        .queue
                        .entries()
                        .iter()
                        .filter_map(|e| SavedTrack::new(&e.track))
                        .collect(),
                };
                self.writer
                    .write_encoded(session::queue_path(path), move || {
                        serde_json::to_vec(&saved).expect("the queue always serializes")
                    });
                self.saved_queue = Some((revision, token));
                token
            }
        };
        let session = Session {
            queue: Vec::new(),
            queue_token: Some(token),
            current: self.queue.current_index(),
            position_ms: self.position_ms,
            mode: self.queue.mode(),
        };
        let bytes = serde_json::to_vec_pretty(&session).expect("state always serializes");
        self.writer.write(path.clone(), bytes, false);
    }

    fn save_settings(&mut self) {
        self.save_due = None;
        if let Some((path, bytes)) = self.lyrics_offsets.take_changes() {
            self.writer.write(path, bytes, false);
        }
        let Some(path) = &self.config.settings_path else {
            return;
        };
        let bytes = serde_json::to_vec_pretty(&self.settings).expect("settings always serialize");
        self.writer.write(path.clone(), bytes, true);
    }

    /// The writer could not save the settings: the user is told (what they changed holds
    /// until the app quits).
    fn write_failed(&mut self, failed: &persistence::WriteFailed) {
        tracing::warn!(path = %failed.path.display(), error = %failed.reason, "settings not saved");
        self.notices.push(Notice::SettingsNotSaved {
            reason: format!("cannot write {}: {}", failed.path.display(), failed.reason),
        });
    }

    fn state(&self) -> PlayerState {
        PlayerState {
            status: self.status,
            play_id: self.play_id,
            current: self.queue.current().cloned(),
            queue_index: self
                .queue
                .current_index()
                .map(|i| u32::try_from(i).unwrap_or(u32::MAX)),
            queue_length: u32::try_from(self.queue.len()).unwrap_or(u32::MAX),
            position_ms: self.position_ms,
            duration_ms: self.duration_ms,
            volume: self.settings.volume,
            device: self.device.clone(),
            mode: self.queue.mode(),
            stop_after_current: self.stop_after_current,
            muted: self.muted,
            sleep_timer_ends_at_ms: self.sleep_at.and_then(|(_, wall)| {
                let since_epoch = wall.duration_since(std::time::UNIX_EPOCH).ok()?;
                u64::try_from(since_epoch.as_millis()).ok()
            }),
            output_devices: self.output_devices.clone(),
            scan: self.scan.clone(),
            library_folders: self
                .library_folders
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            library_folders_from_env: self.config.library_folders.forced.is_some(),
            playing_from: self.playing_from(),
            lyrics_offset_ms: self.current_lyrics_offset(),
            liked: self.current_liked(),
            quality: self.stream_quality.clone(),
        }
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            seq: self.stats.events_published,
            state: self.state(),
            queue: self.queue.view(),
            library: self.library_info(),
            settings: self.settings.clone(),
            system_locale: self.config.system_locale.clone(),
            view: self.window.view.clone(),
            notices: Vec::new(),
        }
    }

    /// Publish what changed this turn: at most one event of each kind.
    fn flush(&mut self) {
        self.sync_preload();
        if cfg!(debug_assertions)
            && let Err(broken) = self.check_load()
        {
            panic!("load state broken after a turn: {broken}");
        }
        let dirty = std::mem::take(&mut self.dirty);
        self.session_changed(&dirty);
        let mut out = Vec::new();
        if dirty.library {
            out.push(PlayerEvent::Library(self.library_info()));
        }
        if dirty.queue {
            out.push(PlayerEvent::Queue(self.queue.view()));
        }
        if dirty.settings {
            out.push(PlayerEvent::Settings(Box::new(self.settings.clone())));
        }
        if dirty.state {
            out.push(PlayerEvent::State(Box::new(self.state())));
        } else if dirty.position {
            out.push(PlayerEvent::Position {
                play_id: self.play_id,
                position_ms: self.position_ms,
            });
        }
        let mut failures = 0;
        self.notices.retain(|notice| {
            if matches!(notice, Notice::CannotPlay { .. }) {
                failures += 1;
                failures <= MAX_FAILURE_NOTICES
            } else {
                true
            }
        });
        self.window.published(&self.notices);
        out.extend(self.notices.drain(..).map(PlayerEvent::Notice));
        for event in out {
            self.stats.events_published += 1;
            let seq = self.stats.events_published;
            // Nobody listening (a test that dropped the receiver) is not an error.
            let _ = self.events.send(Published { seq, event });
        }
    }
}

/// The stream in a resolve lookup's answer.
fn stream(result: Result<Answer, ResolveError>) -> Result<Playable, ResolveError> {
    match result? {
        Answer::Stream(media) => Ok(media),
        Answer::Found(_) | Answer::Liked => Err(ResolveError::Failed(
            "the source answered something else".into(),
        )),
    }
}

/// Map the slider (0..=1) to gain. Loudness is perceived roughly logarithmically; a cubic
/// curve spreads the slider over about 60 dB, so the lower half is still usable.
#[must_use]
pub fn volume_curve(volume: f32) -> f32 {
    volume.clamp(0.0, 1.0).powi(3)
}

async fn sleep_until_opt(deadline: Option<Instant>) {
    if let Some(deadline) = deadline {
        tokio::time::sleep_until(deadline).await;
    }
}

/// The quality a stream says it plays at (a file has none).
/// The session at `path` with its queue (from `queue.json` beside it, or inline as older
/// versions saved it), and why any file of it was reset. A queue file that does not go with
/// the session (the app stopped between writing the two) restores uncued.
fn load_session(path: &std::path::Path) -> (Session, Vec<(String, PathBuf)>) {
    let loaded = settings::load_json::<Session>(path);
    let mut resets: Vec<_> = loaded.reset.into_iter().collect();
    let mut session = loaded.value;
    if session.queue.is_empty() {
        let queue = settings::load_json::<SavedQueue>(&session::queue_path(path));
        resets.extend(queue.reset);
        if session.queue_token != Some(queue.value.token) {
            session.current = None;
            session.position_ms = 0;
            session.queue_token = None;
        }
        session.queue = queue.value.tracks;
    } else {
        // An older session: its queue is written to `queue.json` at the next save.
        session.queue_token = None;
    }
    (session, resets)
}

fn quality_of(media: &Playable) -> Option<String> {
    match media {
        Playable::Stream(spec) => spec.quality.clone(),
        Playable::File(_) => None,
    }
}
