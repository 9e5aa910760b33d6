//! The player actor: the only owner of queue, current track, play state, volume and settings.
//!
//! Tauri commands reach it through a [`PlayerHandle`] (a sender and nothing else); the audio
//! thread reaches it through [`AudioEvent`]s. It publishes [`PlayerEvent`]s, coalesced so that
//! one turn of its loop emits at most one event of each kind.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::audio::{AudioCommand, AudioEvent, AudioOutput, PlayId};
use crate::events::{
    DeviceState, LibraryView, Notice, PlaybackStatus, PlayerEvent, PlayerState, Published, Snapshot,
};
use crate::model::{Track, TrackId};
use crate::provider::{self, Playable};
use crate::queue::{EntryId, PlayMode, Queue, QueuePosition};
use crate::session::{SavedTrack, Session};
use crate::settings::{self, LocalePreference, ReplayGainMode, Settings};

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

/// How the actor is set up.
#[derive(Clone, Debug, Default)]
pub struct PlayerConfig {
    /// Where settings persist; `None` keeps them in memory only (tests).
    pub settings_path: Option<PathBuf>,
    /// Where the queue, position and play mode persist across restarts; `None`: nowhere.
    pub session_path: Option<PathBuf>,
    /// The OS locale, passed to the UI for `LocalePreference::System`.
    pub system_locale: String,
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
    /// The library scanner's result (or its progress).
    SetLibrary(LibraryView),
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
    /// Silence the output without forgetting the volume.
    SetMuted(bool),
    /// Pause after this many minutes; `None` cancels the timer.
    SetSleepTimer {
        minutes: Option<u32>,
    },
    RetryAudioDevice,
    SetLocale(LocalePreference),
    SetReplayGain(ReplayGainMode),
    /// Tell the user something (from components that are not the actor, e.g. the launcher).
    Notify(Notice),
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
}

type Reply<T> = oneshot::Sender<T>;

enum Command {
    Act(Action, Reply<Result<(), PlayerError>>),
    Snapshot(Reply<Snapshot>),
    TrackPath(TrackId, Reply<Option<PathBuf>>),
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

    /// The file behind a track, for serving its cover.
    pub async fn track_path(&self, id: TrackId) -> Result<Option<PathBuf>, PlayerError> {
        self.ask(|reply| Command::TrackPath(id, reply)).await
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
        let actor = Actor::new(config, audio, events_tx);
        (
            PlayerHandle { inbox: inbox_tx },
            events,
            actor.run(inbox, audio_events),
        )
    }
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
    queue: Queue,
    status: PlaybackStatus,
    play_id: PlayId,
    position_ms: u64,
    duration_ms: Option<u64>,
    device: DeviceState,
    /// Tracks that failed in a row; reset by any track that starts.
    consecutive_failures: usize,
    stop_after_current: bool,
    muted: bool,
    /// When the sleep timer pauses playback (on the runtime's clock, and the wall clock for the UI).
    sleep_at: Option<(Instant, std::time::SystemTime)>,
    /// The play id issued to the track preloaded to follow the current one, and its entry.
    preload: Option<(PlayId, EntryId)>,
    /// The last play id issued (to loads, preloads and stops).
    issued_play_id: PlayId,
    dirty: Dirty,
    notices: Vec<Notice>,
    save_due: Option<Instant>,
    session_due: Option<Instant>,
    stats: ActorStats,
}

impl<A: AudioOutput> Actor<A> {
    fn new(config: PlayerConfig, audio: A, events: mpsc::UnboundedSender<Published>) -> Self {
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
        let session = config
            .session_path
            .as_deref()
            .map(settings::load_json::<Session>);
        let mut actor = Self {
            audio,
            events,
            config,
            settings,
            library: LibraryView::default(),
            library_index: HashMap::new(),
            queue: Queue::default(),
            status: PlaybackStatus::Stopped,
            play_id: 0,
            position_ms: 0,
            duration_ms: None,
            device: DeviceState::Unknown,
            consecutive_failures: 0,
            stop_after_current: false,
            muted: false,
            sleep_at: None,
            preload: None,
            issued_play_id: 0,
            dirty: Dirty::default(),
            notices,
            save_due: None,
            session_due: None,
            stats: ActorStats::default(),
        };
        if let Some(loaded) = session {
            if let Some((reason, kept_as)) = loaded.reset {
                let kept_as = kept_as.display().to_string();
                actor.notices.push(Notice::SessionReset { reason, kept_as });
            }
            actor.restore(loaded.value);
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
        self.queue.set_mode(session.mode);
        self.dirty.queue = true;
        if session.current.is_some() {
            self.load_current(session.position_ms, true);
        }
    }

    async fn run(
        mut self,
        mut inbox: mpsc::UnboundedReceiver<Command>,
        mut audio_events: mpsc::UnboundedReceiver<AudioEvent>,
    ) {
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
                () = sleep_until_opt(save_due), if save_due.is_some() => self.save_settings(),
                () = sleep_until_opt(self.session_due), if self.session_due.is_some() => {
                    self.save_session();
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
        if self.save_due.is_some() {
            self.save_settings();
        }
        if self.session_due.is_some() {
            self.save_session();
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
            Command::TrackPath(id, reply) => {
                let path = self.find_track(&id).and_then(|t| t.path.clone());
                let _ = reply.send(path);
            }
            Command::Stats(reply) => {
                let _ = reply.send(self.stats);
            }
            Command::Shutdown(reply) => {
                self.audio.send(AudioCommand::Stop);
                self.save_settings();
                // Saved before stopping: the position is where the user left.
                self.save_session();
                let _ = reply.send(());
                return false;
            }
        }
        true
    }

    fn handle_action(&mut self, action: Action) -> Result<(), PlayerError> {
        match action {
            Action::PlayLibraryTrack(id) => {
                let index = *self
                    .library_index
                    .get(&id)
                    .ok_or(PlayerError::UnknownTrack(id))?;
                self.queue.replace(self.library.tracks.clone(), index);
                self.dirty.queue = true;
                self.consecutive_failures = 0;
                self.load_current(0, false);
            }
            Action::PlayQueueIndex(index) => {
                let i = usize::try_from(index).unwrap_or(usize::MAX);
                if !self.queue.select(i) {
                    return Err(PlayerError::NoSuchQueueIndex(index));
                }
                self.dirty.queue = true;
                self.consecutive_failures = 0;
                self.load_current(0, false);
            }
            Action::PlayQueueEntry(entry) => {
                let index = self
                    .queue
                    .index_of_entry(entry)
                    .ok_or(PlayerError::NoSuchQueueEntry(entry))?;
                self.queue.select(index);
                self.dirty.queue = true;
                self.consecutive_failures = 0;
                self.load_current(0, false);
            }
            Action::PlayTracks(tracks) => {
                if tracks.is_empty() {
                    return Err(PlayerError::NothingToPlay);
                }
                let first = self.queue.insert(tracks, QueuePosition::End);
                self.queue.select(first);
                self.dirty.queue = true;
                self.consecutive_failures = 0;
                self.load_current(0, false);
            }
            Action::Enqueue { .. }
            | Action::RemoveFromQueue(_)
            | Action::MoveInQueue { .. }
            | Action::ClearQueue
            | Action::SetPlayMode(_)
            | Action::SetStopAfterCurrent(_) => self.edit_queue(action)?,
            Action::SetLibrary(view) => self.set_library(view),
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
            | Action::SetMuted(_)
            | Action::SetSleepTimer { .. }
            | Action::SetLocale(_)
            | Action::SetReplayGain(_) => self.adjust(&action),
            Action::RetryAudioDevice => self.audio.send(AudioCommand::RetryDevice),
            Action::Notify(notice) => self.notices.push(notice),
        }
        Ok(())
    }

    fn handle_audio(&mut self, event: AudioEvent) {
        if event.play_id().is_some_and(|id| id != self.play_id) {
            // From a load we already replaced: applying it would show one song and play another.
            self.stats.stale_audio_events += 1;
            tracing::trace!(?event, current = self.play_id, "stale audio event dropped");
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
            }
            AudioEvent::Position { position_ms, .. } => {
                if self.position_ms != position_ms {
                    self.position_ms = position_ms;
                    self.dirty.position = true;
                }
            }
            AudioEvent::Continued {
                started,
                duration_ms,
                ..
            } => {
                if self.take_over_preload(started) {
                    self.duration_ms = duration_ms.or(self.duration_ms);
                } else {
                    // It moved on to a follower the queue no longer wants next: correct it.
                    self.track_ended();
                }
            }
            AudioEvent::Ended { .. } => self.track_ended(),
            AudioEvent::Failed { reason, .. } => {
                let name = self
                    .queue
                    .current()
                    .map(Track::display_name)
                    .unwrap_or_default();
                tracing::warn!(%name, %reason, "cannot play");
                self.notices.push(Notice::CannotPlay { name, reason });
                self.track_failed();
            }
            AudioEvent::DeviceUnavailable { reason, .. } => {
                self.set_device(DeviceState::Unavailable { reason });
            }
            AudioEvent::DeviceReady => self.set_device(DeviceState::Ready),
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

    /// Start the queue's current track on the audio thread under a fresh play id.
    fn load_current(&mut self, start_ms: u64, paused: bool) {
        let Some(track) = self.queue.current().cloned() else {
            self.stop();
            return;
        };
        self.play_id = self.fresh_play_id();
        self.preload = None;
        self.position_ms = start_ms;
        self.duration_ms = track.duration_ms;
        self.dirty.state = true;
        match provider::resolve_local(&track) {
            Ok(Playable::File(path)) => {
                self.status = if paused {
                    PlaybackStatus::Paused
                } else {
                    PlaybackStatus::Loading
                };
                self.audio.send(AudioCommand::Load {
                    play_id: self.play_id,
                    path,
                    start_ms,
                    paused,
                    gain: self.track_gain(&track),
                });
            }
            Err(e) => {
                self.notices.push(Notice::CannotPlay {
                    name: track.display_name(),
                    reason: e.to_string(),
                });
                self.track_failed();
            }
        }
    }

    /// The current track failed: move on, unless every track in the queue failed in a row.
    fn track_failed(&mut self) {
        self.consecutive_failures += 1;
        if self.consecutive_failures >= self.queue.len() {
            self.notices.push(Notice::AllTracksFailed);
            self.consecutive_failures = 0;
            self.stop();
        } else {
            // Never "repeat one" a track that failed.
            self.advance(false);
        }
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
        self.issued_play_id += 1;
        self.stats.play_id = self.issued_play_id;
        self.issued_play_id
    }

    /// The audio thread moved on to preload `started` without a gap: follow it if that is the
    /// preload the actor issued last and it is still what comes next. False otherwise.
    fn take_over_preload(&mut self, started: PlayId) -> bool {
        let Some((play_id, entry)) = self.preload.take() else {
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
        self.position_ms = 0;
        self.duration_ms = track.and_then(|t| t.duration_ms);
        self.status = PlaybackStatus::Loading;
        self.dirty.queue = true;
        self.dirty.state = true;
        true
    }

    /// Keep the audio thread's preload in line with what will play next: decoded ahead while a
    /// track plays, withdrawn when the queue, the mode or "stop after current" change.
    fn sync_preload(&mut self) {
        let playing = matches!(
            self.status,
            PlaybackStatus::Playing | PlaybackStatus::Paused
        );
        let wanted = self
            .queue
            .peek_next(true)
            .filter(|_| playing && !self.stop_after_current)
            .and_then(|entry| {
                let track = self.queue.entry(entry)?;
                match provider::resolve_local(track) {
                    Ok(Playable::File(path)) => Some((entry, path)),
                    Err(_) => None,
                }
            });
        match (self.preload, wanted) {
            (Some((_, have)), Some((want, _))) if have == want => {}
            (None, None) => {}
            (Some(_), None) => {
                self.preload = None;
                self.audio.send(AudioCommand::CancelPreload);
            }
            (_, Some((entry, path))) => {
                let play_id = self.fresh_play_id();
                self.preload = Some((play_id, entry));
                let gain = self.queue.entry(entry).map_or(1.0, |t| self.track_gain(t));
                self.audio.send(AudioCommand::Preload {
                    play_id,
                    path,
                    gain,
                });
            }
        }
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
                    if self.preload.take().is_some() {
                        self.audio.send(AudioCommand::CancelPreload);
                    }
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
            self.preload = None;
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
        self.library = view;
        self.dirty.library = true;
    }

    fn find_track(&self, id: &TrackId) -> Option<&Track> {
        self.library_index
            .get(id)
            .and_then(|&i| self.library.tracks.get(i))
            .or_else(|| self.queue.find(id))
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
        let view = self.queue.view();
        let session = Session {
            queue: view
                .entries
                .iter()
                .filter_map(|e| SavedTrack::new(&e.track))
                .collect(),
            current: self.queue.current_index(),
            position_ms: self.position_ms,
            mode: self.queue.mode(),
        };
        if let Err(e) = settings::save_json(path, &session) {
            tracing::warn!(error = %e, "session not saved");
        }
    }

    fn save_settings(&mut self) {
        self.save_due = None;
        let Some(path) = &self.config.settings_path else {
            return;
        };
        if let Err(e) = settings::save(path, &self.settings) {
            tracing::warn!(error = %e, "settings not saved");
            self.notices.push(Notice::SettingsNotSaved {
                reason: e.to_string(),
            });
        }
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
        }
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            seq: self.stats.events_published,
            state: self.state(),
            queue: self.queue.view(),
            library: self.library.clone(),
            settings: self.settings.clone(),
            system_locale: self.config.system_locale.clone(),
        }
    }

    /// Publish what changed this turn: at most one event of each kind.
    fn flush(&mut self) {
        self.sync_preload();
        let dirty = std::mem::take(&mut self.dirty);
        self.session_changed(&dirty);
        let mut out = Vec::new();
        if dirty.library {
            out.push(PlayerEvent::Library(self.library.clone()));
        }
        if dirty.queue {
            out.push(PlayerEvent::Queue(self.queue.view()));
        }
        if dirty.settings {
            out.push(PlayerEvent::Settings(self.settings.clone()));
        }
        if dirty.state {
            out.push(PlayerEvent::State(Box::new(self.state())));
        } else if dirty.position {
            out.push(PlayerEvent::Position {
                play_id: self.play_id,
                position_ms: self.position_ms,
            });
        }
        out.extend(self.notices.drain(..).map(PlayerEvent::Notice));
        for event in out {
            self.stats.events_published += 1;
            let seq = self.stats.events_published;
            // Nobody listening (a test that dropped the receiver) is not an error.
            let _ = self.events.send(Published { seq, event });
        }
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
