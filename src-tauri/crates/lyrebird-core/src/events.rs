//! What the actor publishes. The UI renders these and nothing else.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{EntryId, PlayId};
use crate::model::Track;
use crate::queue::{PlayMode, QueueEntry};
use crate::settings::Settings;

/// Whether audio is flowing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PlaybackStatus {
    Stopped,
    /// A load was sent to the audio thread; no samples yet.
    Loading,
    Playing,
    Paused,
}

/// The output device as far as the player knows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum DeviceState {
    Unknown,
    Ready,
    Unavailable { reason: String },
}

/// The now-playing state: small, sent whole whenever any part of it changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlayerState {
    pub status: PlaybackStatus,
    /// The id of the current load; position events with another id are stale.
    #[ts(type = "number")]
    pub play_id: PlayId,
    pub current: Option<Track>,
    /// Index of `current` in the queue.
    pub queue_index: Option<u32>,
    pub queue_length: u32,
    #[ts(type = "number")]
    pub position_ms: u64,
    #[ts(type = "number | null")]
    pub duration_ms: Option<u64>,
    /// 0.0 ..= 1.0 as the user set it (before the volume curve).
    pub volume: f32,
    pub device: DeviceState,
    pub mode: PlayMode,
    /// Stop when the current track ends (once).
    pub stop_after_current: bool,
    pub muted: bool,
    /// When the sleep timer will pause playback, in Unix milliseconds; `None` when not set.
    #[ts(type = "number | null")]
    pub sleep_timer_ends_at_ms: Option<u64>,
    /// The output devices the audio backend listed last (asked for with `RefreshDevices`).
    pub output_devices: Vec<OutputDevice>,
    /// How far the running library scan is; `None` when no scan runs.
    pub scan: Option<ScanProgress>,
    /// The folders of the local library now (shown as text: they may not be UTF-8).
    pub library_folders: Vec<String>,
    /// The folders come from `LYREBIRD_LIBRARY_DIRS`: changes last until the app quits.
    pub library_folders_from_env: bool,
    /// Where the current track plays from when its own source could not play it and a copy
    /// from another source plays instead; `None` when it plays from its own source.
    pub playing_from: Option<PlayingFrom>,
    /// How much earlier (positive) or later (negative) the user wants the current track's
    /// lyrics, in milliseconds: the lyrics views show the line at `position + this`.
    #[ts(type = "number")]
    pub lyrics_offset_ms: i64,
    /// Whether the current track is liked at its own source; absent when that source has no
    /// likes (the like button and the tray's Like item are hidden then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub liked: Option<bool>,
    /// The quality the current stream plays at, when its source has levels (NetEase:
    /// `standard` … `master`; maybe lower than asked, when that was not offered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub quality: Option<String>,
}

/// A copy of the current track playing in its place, and the other copies found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlayingFrom {
    /// The label of the source the copy comes from ("Home server").
    pub source_label: String,
    /// Why the track's own source could not play it (untrusted text from the source).
    pub reason: String,
    /// The candidate that plays (one of `candidates`).
    pub candidate_id: String,
    /// Every copy found that may be the same recording, the playing one first, then by score.
    pub candidates: Vec<CandidateView>,
}

/// One copy of a track found in another source. Text fields are untrusted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CandidateView {
    /// What `Action::UseCandidate` takes to play this copy.
    pub id: String,
    pub title: String,
    pub artists: Vec<String>,
    pub album: Option<String>,
    #[ts(type = "number | null")]
    pub duration_ms: Option<u64>,
    pub source_label: String,
    /// How surely it is the same recording, 0..=1.
    pub score: f32,
    /// Title and artists equal and the same length within a second.
    pub perfect: bool,
}

impl Default for PlayerState {
    /// Nothing loaded, nothing known yet (the state a test or a mirror starts from).
    fn default() -> Self {
        Self {
            status: PlaybackStatus::Stopped,
            play_id: PlayId(0),
            current: None,
            queue_index: None,
            queue_length: 0,
            position_ms: 0,
            duration_ms: None,
            volume: 0.0,
            device: DeviceState::Unknown,
            mode: PlayMode::default(),
            stop_after_current: false,
            muted: false,
            sleep_timer_ends_at_ms: None,
            output_devices: Vec::new(),
            scan: None,
            library_folders: Vec::new(),
            library_folders_from_env: false,
            playing_from: None,
            lyrics_offset_ms: 0,
            liked: None,
            quality: None,
        }
    }
}

/// The colours of a track's cover (`#rrggbb`), for Now Playing and the mini player to take on:
/// what most of the picture is, and its most vivid colour that is not a speck.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CoverColors {
    pub main: String,
    pub accent: String,
}

/// A track's lyrics as the UI shows them. The text is untrusted (it comes from files).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LyricsView {
    /// Whether the lines carry times (synced) or are plain text.
    pub synced: bool,
    pub lines: Vec<LyricLine>,
}

/// One line of lyrics at a position in the track (offset already applied).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LyricLine {
    #[ts(type = "number")]
    pub at_ms: u64,
    pub text: String,
    pub translation: Option<String>,
    /// The line in Latin letters (NetEase's romanisation), when the lyrics have one.
    pub romanization: Option<String>,
    /// The line's words with their timing (NetEase's `yrc`, enhanced LRC); empty when the
    /// lyrics are timed by line only. Side by side, their texts give the line's timed part.
    pub words: Vec<LyricWord>,
}

/// One sung word: when it starts (offset applied) and how long it lasts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LyricWord {
    #[ts(type = "number")]
    pub at_ms: u64,
    #[ts(type = "number")]
    pub dur_ms: u64,
    pub text: String,
}

/// Progress of a library scan: files whose tags were read so far, of how many to read, and
/// the folder being read (as text). Reading starts while the folders are still being listed:
/// until `counting` is false, `total` is what was found so far and grows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScanProgress {
    pub done: u32,
    pub total: u32,
    pub counting: bool,
    pub folder: String,
}

/// A file or folder the last library scan skipped, or listed by its file name only, and why.
/// Both are untrusted text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScanProblem {
    pub path: String,
    pub reason: String,
}

/// An album of the local library (tracks sharing an album title and album artist).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AlbumView {
    pub title: String,
    pub artist: Option<String>,
    /// Ids of its tracks in disc and track order.
    pub track_ids: Vec<String>,
    /// The track whose embedded picture is its cover (`lyrebird-cover://` serves it).
    pub cover_track_id: Option<String>,
    /// When its newest track was added (Unix seconds).
    #[ts(type = "number")]
    pub added_at: i64,
}

/// An artist of the library, as the Artists view lists them (grouped by the library's index:
/// the view is not sent every track to group).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ArtistView {
    /// Empty for the tracks that name no artist.
    pub name: String,
    /// Ids of their tracks, by album.
    pub track_ids: Vec<String>,
}

/// An audio output the user can choose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutputDevice {
    /// Stable id, stored in the settings.
    pub id: String,
    /// What to show the user.
    pub name: String,
}

/// Something the user should be told once (a toast), in a language-neutral form: the UI
/// picks the words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum Notice {
    /// "cannot play <name>: <reason>"; playback moved on.
    CannotPlay {
        name: String,
        reason: String,
    },
    /// Every track in the queue failed in a row; playback stopped instead of spinning.
    AllTracksFailed,
    /// No output device; playback waits until the user retries.
    NoAudioDevice {
        reason: String,
    },
    AudioDeviceRestored,
    /// Audio stopped flowing (a stream stalled); the track was reloaded from where it was.
    Stalled {
        name: String,
    },
    /// The settings file could not be read; defaults are in use, the old file was kept.
    SettingsReset {
        reason: String,
        kept_as: String,
    },
    /// The saved queue could not be read; the queue starts empty, the old file was kept.
    SessionReset {
        reason: String,
        kept_as: String,
    },
    /// Settings could not be saved; they stay in effect for this session.
    SettingsNotSaved {
        reason: String,
    },
    /// A path given on the command line or dropped in holds nothing playable.
    NothingToPlay {
        path: String,
    },
    /// A global shortcut could not be set up (taken by another app, or not a valid key).
    ShortcutUnavailable {
        keys: String,
        reason: String,
    },
    /// The track's source refused to (un)like it, or did not answer; the like shows what the
    /// source has.
    CannotLike {
        name: String,
        reason: String,
    },
    /// A source's server could not be reached: its tracks play from other copies (or are
    /// skipped) for a while, without waiting for it each time.
    SourceUnreachable {
        source: String,
        reason: String,
    },
    /// NetEase cannot be reached: its lists are shown as they were kept at `saved_ms` (ms
    /// since 1970), and their songs play from the user's other copies.
    NeteaseOffline {
        #[ts(type = "number")]
        saved_ms: u64,
    },
}

/// The library as the actor holds it: every track, and whether a scan is running. The launcher
/// hands it over whole (`Action::SetLibrary`); the UI is told only its [`LibraryInfo`] and
/// fetches the rows it shows (`crate::library_rows`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LibraryView {
    pub tracks: Vec<Track>,
    pub scanning: bool,
}

/// The library as the UI is told of it: how many tracks, which revision of the list (every
/// new list from a scan is a new revision; rows fetched for an older one are dropped), and
/// whether a scan is running, with the first rows (at most
/// [`FIRST_ROWS`](crate::library_rows::FIRST_ROWS)) so that a window draws its first screen
/// without asking. The other tracks are fetched by rows (`library_rows`), so a window never
/// receives 100 000 of them at start (issue #19).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LibraryInfo {
    #[ts(type = "number")]
    pub revision: u64,
    pub count: u32,
    pub scanning: bool,
    pub first: Vec<Track>,
}

/// The queue as the UI is told of it: never whole (issue #19: playing from a 100 000-track
/// library made the library the queue, and every queue event carried 19 MB of tracks).
///
/// Every entry's *id* is here, for the whole queue: selection, moves and removal name entries
/// by id, and a list needs to know what each row is. They travel as runs of consecutive ids
/// (`[first, count]`): queueing n tracks at once gives one run, so 100 000 entries are a few
/// bytes until the user has reordered thousands of them. The tracks come with only a window
/// of entries around the current one (what "up next" shows and where the queue view opens);
/// the others are fetched by rows (`queue_rows`). An entry's track never changes while it is
/// queued, so the UI keeps the tracks it fetched by entry id across queue changes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueView {
    /// The entries' ids in queue order, as runs `[first id, how many]` of consecutive ids.
    #[ts(type = "Array<[number, number]>")]
    pub entry_runs: Vec<(EntryId, u32)>,
    /// How many entries the queue holds.
    pub count: u32,
    /// Index of the current entry.
    pub current: Option<u32>,
    /// Where `window` starts in the queue.
    pub window_start: u32,
    /// Entries with their tracks: the whole queue when it is short, otherwise at least the
    /// page of the current entry and the page after it.
    pub window: Vec<QueueEntry>,
}

impl QueueView {
    /// Every entry's id, in queue order.
    pub fn entry_ids(&self) -> impl Iterator<Item = EntryId> + '_ {
        self.entry_runs
            .iter()
            .flat_map(|&(first, n)| (0..u64::from(n)).map(move |i| EntryId(first.0 + i)))
    }

    /// The window's entry at queue index `index`, if the window holds it.
    #[must_use]
    pub fn window_entry(&self, index: u32) -> Option<&QueueEntry> {
        let offset = index.checked_sub(self.window_start)?;
        self.window.get(offset as usize)
    }
}

/// Entries of the queue from `start`, as `queue_rows` answers them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueRows {
    pub start: u32,
    /// How many entries the queue holds now.
    pub count: u32,
    pub entries: Vec<QueueEntry>,
}

/// Everything the UI needs to draw itself from nothing (a new or rebuilt window).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// The sequence number of the last event published before this snapshot was taken: a UI
    /// that subscribed first drops every event with `seq <= snapshot.seq`.
    #[ts(type = "number")]
    pub seq: u64,
    pub state: PlayerState,
    pub queue: QueueView,
    pub library: LibraryInfo,
    pub settings: Settings,
    /// The OS's preferred locale (BCP 47), for `LocalePreference::System`.
    pub system_locale: String,
    /// What the last window showed, for a window rebuilt from the tray.
    pub view: ViewMemory,
    /// Notices raised while no window was open (only in a window's snapshot): show them.
    pub notices: Vec<Notice>,
}

/// Where the user was in the window: which view, and how far each list was scrolled. The
/// window can be destroyed (to free the web view's memory in the tray) and rebuilt; it
/// restores this, so nothing visible is lost.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ViewMemory {
    /// The view's name as the UI calls it (`library`, `queue`, ...); empty: the default view.
    pub view: String,
    /// Scroll offsets in CSS pixels, by list name.
    pub scroll: Vec<(String, f64)>,
}

/// One change published by the actor. Changes that arrive together are coalesced: at most one
/// event of each kind per turn of the actor's loop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "type", content = "payload")]
pub enum PlayerEvent {
    /// Boxed: by far the largest variant, and rarer than positions.
    State(Box<PlayerState>),
    /// Only the position moved (the frequent case while playing).
    Position {
        #[ts(type = "number")]
        #[serde(rename = "playId")]
        play_id: PlayId,
        #[ts(type = "number")]
        #[serde(rename = "positionMs")]
        position_ms: u64,
    },
    Queue(QueueView),
    Library(LibraryInfo),
    /// Boxed: large, and rare.
    Settings(Box<Settings>),
    Notice(Notice),
}

/// An event as it leaves the actor: numbered, so that a UI which loads a snapshot while events
/// are arriving can tell which ones the snapshot already contains.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Published {
    /// Strictly increasing, starting at 1.
    #[ts(type = "number")]
    pub seq: u64,
    #[serde(flatten)]
    pub event: PlayerEvent,
}
