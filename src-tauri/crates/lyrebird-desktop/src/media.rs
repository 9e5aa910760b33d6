//! The OS media controls: MPRIS (`org.mpris.MediaPlayer2.lyrebird`) on Linux, the System Media
//! Transport Controls on Windows, Now Playing on macOS — all through `souvlaki`.
//!
//! One thread owns the controls. It mirrors the actor's published events (title, status,
//! position, volume) and turns what the OS asks for (play, next, seek, set position...) into
//! actor actions. It keeps a copy of the last state only to answer relative requests ("seek
//! 10 s forward"); the actor stays the one owner of the player's state.
//!
//! What differs per OS stays here:
//! - Linux: the zbus MPRIS service; it needs a session bus (checked first: zbus would panic
//!   its thread without one). Volume is reported (MPRIS has it; the others do not).
//! - Windows: SMTC is registered for a window handle and lives as long as that window. The
//!   main window is destroyed when closed to the tray, so the thread makes a hidden
//!   message-only window of its own ([`message_window`]) and pumps its messages.
//! - macOS: `MPNowPlayingInfoCenter` and `MPRemoteCommandCenter` are used from the main thread
//!   (whose run loop delivers the remote commands), through [`MediaConfig::main_thread`].

#[cfg(target_os = "windows")]
mod message_window;

use std::sync::mpsc;
#[cfg(target_os = "macos")]
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use lyrebird_core::actor::Action;
use lyrebird_core::{PlayId, PlaybackStatus, PlayerEvent, PlayerHandle, PlayerState, Track};
use souvlaki::{
    MediaControlEvent, MediaControls, MediaMetadata, MediaPlayback, MediaPosition, PlatformConfig,
    SeekDirection,
};

/// Requests from the OS that the shell handles, not the actor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShellRequest {
    /// Bring the window to the front.
    Raise,
    Quit,
    /// Play this URI (MPRIS `OpenUri`: `file://` paths).
    Open(String),
}

/// Runs a closure on the process's main thread (the shell's event loop), without waiting.
pub type MainThread = std::sync::Arc<dyn Fn(Box<dyn FnOnce() + Send>) + Send + Sync>;

/// How to register with the OS.
pub struct MediaConfig {
    /// Shown by the OS (MPRIS `Identity`).
    pub display_name: String,
    /// MPRIS bus name suffix: `org.mpris.MediaPlayer2.<dbus_name>`.
    pub dbus_name: String,
    /// Required on macOS, where the controls are driven from the main thread; unused elsewhere.
    pub main_thread: Option<MainThread>,
}

/// The URL of a track's cover art for the OS (`file://...`, percent-encoded), if it has one.
pub type CoverUrl = Box<dyn Fn(&Track) -> Option<String> + Send>;

/// Feeds the media-control thread. Dropping it ends the thread (and unregisters).
pub struct MediaControlsHandle {
    inbox: mpsc::Sender<Message>,
    /// The thread waits in its window's message loop, not on the channel: each message is
    /// followed by a wake-up there.
    #[cfg(target_os = "windows")]
    waker: message_window::Waker,
}

impl MediaControlsHandle {
    /// Mirror one of the actor's events.
    pub fn observe(&self, event: &PlayerEvent) {
        let message = match event {
            PlayerEvent::State(state) => Message::State(state.clone()),
            PlayerEvent::Position {
                play_id,
                position_ms,
            } => Message::Position {
                play_id: *play_id,
                position_ms: *position_ms,
            },
            _ => return,
        };
        let _ = self.inbox.send(message);
        #[cfg(target_os = "windows")]
        self.waker.wake();
    }
}

#[cfg(target_os = "windows")]
impl Drop for MediaControlsHandle {
    fn drop(&mut self) {
        self.waker.quit();
    }
}

enum Message {
    State(Box<PlayerState>),
    Position { play_id: PlayId, position_ms: u64 },
    Os(MediaControlEvent),
}

/// Register with the OS's media controls and start mirroring. Fails (and the app goes on
/// without media keys) when the platform refuses, e.g. no D-Bus session bus.
pub fn spawn(
    config: MediaConfig,
    player: PlayerHandle,
    cover_url: CoverUrl,
    shell: Box<dyn Fn(ShellRequest) + Send>,
) -> Result<MediaControlsHandle, String> {
    #[cfg(target_os = "linux")]
    if !session_bus_present() {
        return Err("no D-Bus session bus".into());
    }
    let (inbox, messages) = mpsc::channel();
    let os_events = inbox.clone();
    #[cfg(target_os = "macos")]
    {
        let controls = Controls::start_on_main_thread(config, os_events)?;
        std::thread::Builder::new()
            .name("media-controls".into())
            .spawn(move || Mirror::new(controls, player, cover_url, shell).run(&messages))
            .map_err(|e| e.to_string())?;
        Ok(MediaControlsHandle { inbox })
    }
    #[cfg(not(target_os = "macos"))]
    {
        let (ready_tx, ready) = mpsc::channel();
        std::thread::Builder::new()
            .name("media-controls".into())
            .spawn(move || {
                // The controls are created on their own thread: on some platforms they are
                // not `Send`, and nothing else needs them.
                #[cfg(target_os = "windows")]
                {
                    let window = match message_window::MessageWindow::new() {
                        Ok(window) => window,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let waker = window.waker();
                    let platform = PlatformConfig {
                        display_name: &config.display_name,
                        dbus_name: &config.dbus_name,
                        hwnd: Some(window.hwnd()),
                    };
                    match Controls::new(platform, os_events, Some(waker)) {
                        Ok(controls) => {
                            let _ = ready_tx.send(Ok(waker));
                            let mut mirror = Mirror::new(controls, player, cover_url, shell);
                            window.run(|| {
                                while let Ok(message) = messages.try_recv() {
                                    mirror.handle(message);
                                }
                            });
                            // The controls go before the window they are registered for.
                            drop(mirror);
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                }
                #[cfg(not(target_os = "windows"))]
                {
                    let platform = PlatformConfig {
                        display_name: &config.display_name,
                        dbus_name: &config.dbus_name,
                        hwnd: None,
                    };
                    match Controls::new(platform, os_events) {
                        Ok(controls) => {
                            let _ = ready_tx.send(Ok(()));
                            Mirror::new(controls, player, cover_url, shell).run(&messages);
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                }
            })
            .map_err(|e| e.to_string())?;
        let ready = ready
            .recv()
            .map_err(|_| "the media-control thread ended".to_owned())?;
        #[cfg(target_os = "windows")]
        return Ok(MediaControlsHandle {
            inbox,
            waker: ready?,
        });
        #[cfg(not(target_os = "windows"))]
        ready.map(|()| MediaControlsHandle { inbox })
    }
}

/// Whether a D-Bus session bus is there to register on (zbus would panic its thread
/// otherwise).
#[cfg(target_os = "linux")]
fn session_bus_present() -> bool {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|dir| std::path::Path::new(&dir).join("bus").exists())
}

/// What the mirror tells the OS: owned, so that on macOS it can travel to the main thread.
#[derive(Clone)]
enum Update {
    /// Metadata and cover URL, or nothing playing.
    Metadata(Option<(OsMetadata, Option<String>)>),
    Playback(MediaPlayback),
    /// Only MPRIS has a volume to report (souvlaki's `set_volume` exists only there).
    #[cfg(target_os = "linux")]
    Volume(f64),
}

fn apply(controls: &mut MediaControls, update: &Update) {
    let result = match update {
        Update::Metadata(Some((m, cover))) => controls.set_metadata(MediaMetadata {
            title: Some(&m.title),
            album: m.album.as_deref(),
            artist: Some(&m.artist),
            cover_url: cover.as_deref(),
            duration: m.duration,
        }),
        Update::Metadata(None) => controls.set_metadata(MediaMetadata::default()),
        Update::Playback(playback) => controls.set_playback(playback.clone()),
        #[cfg(target_os = "linux")]
        Update::Volume(volume) => controls.set_volume(*volume),
    };
    if let Err(e) = result {
        tracing::debug!(error = ?e, "media controls not updated");
    }
}

/// The registered controls, driven where the platform wants them driven.
#[cfg(not(target_os = "macos"))]
struct Controls(MediaControls);

#[cfg(not(target_os = "macos"))]
impl Controls {
    /// Register and attach; the OS's requests go to `os_events` (and, on Windows, wake the
    /// thread's message loop).
    fn new(
        platform: PlatformConfig<'_>,
        os_events: mpsc::Sender<Message>,
        #[cfg(target_os = "windows")] waker: Option<message_window::Waker>,
    ) -> Result<Self, String> {
        let mut controls = MediaControls::new(platform).map_err(|e| format!("{e:?}"))?;
        controls
            .attach(move |event| {
                let _ = os_events.send(Message::Os(event));
                #[cfg(target_os = "windows")]
                if let Some(waker) = waker {
                    waker.wake();
                }
            })
            .map_err(|e| format!("{e:?}"))?;
        Ok(Self(controls))
    }

    fn update(&mut self, update: &Update) {
        apply(&mut self.0, update);
    }
}

/// On macOS the controls live on the main thread: created there, and every update is sent
/// there (in order: the shell's event loop runs them as they were queued).
#[cfg(target_os = "macos")]
struct Controls {
    shared: Arc<Mutex<Option<MediaControls>>>,
    main_thread: MainThread,
}

#[cfg(target_os = "macos")]
impl Controls {
    /// Queue the registration on the main thread. Not waited for: the shell may call this
    /// from the main thread before its event loop runs.
    fn start_on_main_thread(
        config: MediaConfig,
        os_events: mpsc::Sender<Message>,
    ) -> Result<Self, String> {
        let MediaConfig {
            display_name,
            dbus_name,
            main_thread,
        } = config;
        let main_thread = main_thread.ok_or("Now Playing needs the main thread")?;
        let shared = Arc::new(Mutex::new(None));
        let slot = Arc::clone(&shared);
        main_thread(Box::new(move || {
            let platform = PlatformConfig {
                display_name: &display_name,
                dbus_name: &dbus_name,
                hwnd: None,
            };
            let registered = MediaControls::new(platform).and_then(|mut controls| {
                controls.attach(move |event| {
                    let _ = os_events.send(Message::Os(event));
                })?;
                Ok(controls)
            });
            match registered {
                Ok(controls) => {
                    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(controls);
                }
                Err(e) => tracing::warn!(error = ?e, "no media controls"),
            }
        }));
        Ok(Self {
            shared,
            main_thread,
        })
    }

    fn update(&mut self, update: &Update) {
        let shared = Arc::clone(&self.shared);
        let update = update.clone();
        (self.main_thread)(Box::new(move || {
            if let Some(controls) = shared
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .as_mut()
            {
                apply(controls, &update);
            }
        }));
    }
}

/// How often at most the OS is told the position while it moves normally (MPRIS clients
/// read it on demand; jumps are told at once).
const POSITION_EVERY: Duration = Duration::from_secs(1);

/// The thread's side: the controls and what it last told them.
struct Mirror {
    controls: Controls,
    player: PlayerHandle,
    cover_url: CoverUrl,
    shell: Box<dyn Fn(ShellRequest) + Send>,
    state: Option<Box<PlayerState>>,
    /// The track whose metadata the OS has (id and title, so retagging shows).
    shown: Option<(String, String)>,
    told_position: Option<(Instant, u64)>,
    #[cfg(target_os = "linux")]
    told_volume: Option<f64>,
}

impl Mirror {
    fn new(
        controls: Controls,
        player: PlayerHandle,
        cover_url: CoverUrl,
        shell: Box<dyn Fn(ShellRequest) + Send>,
    ) -> Self {
        Self {
            controls,
            player,
            cover_url,
            shell,
            state: None,
            shown: None,
            told_position: None,
            #[cfg(target_os = "linux")]
            told_volume: None,
        }
    }

    /// Follow messages until the handle is gone. (On Windows the window's message loop calls
    /// [`Mirror::handle`] instead.)
    #[cfg(not(target_os = "windows"))]
    fn run(mut self, messages: &mpsc::Receiver<Message>) {
        while let Ok(message) = messages.recv() {
            self.handle(message);
        }
    }

    fn handle(&mut self, message: Message) {
        match message {
            Message::State(state) => self.show_state(state),
            Message::Position {
                play_id,
                position_ms,
            } => self.show_position(play_id, position_ms),
            Message::Os(event) => self.handle_os(&event),
        }
    }

    fn show_state(&mut self, state: Box<PlayerState>) {
        let shown = state
            .current
            .as_ref()
            .map(|t| (t.id.0.clone(), t.title.clone()));
        if shown != self.shown {
            let metadata = state.current.as_ref().map(|track| {
                let cover = (self.cover_url)(track).and_then(|url| os_cover_url(&url));
                (metadata_of(track, state.duration_ms), cover)
            });
            self.controls.update(&Update::Metadata(metadata));
            self.shown = shown;
        }
        self.controls.update(&Update::Playback(playback_of(
            state.status,
            state.position_ms,
        )));
        self.told_position = Some((Instant::now(), state.position_ms));
        #[cfg(target_os = "linux")]
        {
            let volume = f64::from(if state.muted { 0.0 } else { state.volume });
            if self.told_volume != Some(volume) {
                self.controls.update(&Update::Volume(volume));
                self.told_volume = Some(volume);
            }
        }
        self.state = Some(state);
    }

    fn show_position(&mut self, play_id: PlayId, position_ms: u64) {
        let Some(state) = self.state.as_mut() else {
            return;
        };
        if state.play_id != play_id {
            return; // a position of a load that is no longer current
        }
        state.position_ms = position_ms;
        let due = self.told_position.is_none_or(|(at, told)| {
            let expected = told + u64::try_from(at.elapsed().as_millis()).unwrap_or(u64::MAX);
            at.elapsed() >= POSITION_EVERY || expected.abs_diff(position_ms) > 1500
        });
        if due {
            let status = state.status;
            self.controls
                .update(&Update::Playback(playback_of(status, position_ms)));
            self.told_position = Some((Instant::now(), position_ms));
        }
    }

    fn handle_os(&self, event: &MediaControlEvent) {
        match request_for(event, self.state.as_deref()) {
            Some(Request::Player(action)) => self.player.send(action),
            Some(Request::Shell(request)) => (self.shell)(request),
            None => tracing::debug!(?event, "media control request ignored"),
        }
    }
}

/// The cover URL in the form the OS backend reads. MPRIS and Now Playing take a `file://`
/// URL; souvlaki's SMTC backend strips `file://` and opens the rest as a path, so there it
/// gets the decoded Windows path (`file://C:\...`).
#[cfg(not(target_os = "windows"))]
#[allow(clippy::unnecessary_wraps)] // the same signature as Windows'
fn os_cover_url(url: &str) -> Option<String> {
    Some(url.to_owned())
}

#[cfg(target_os = "windows")]
fn os_cover_url(url: &str) -> Option<String> {
    smtc_cover_url(url)
}

/// `file:///C:/a%20b.jpg` or `file://C%3A%5Ca%20b.jpg` → `file://C:\a b.jpg`; `None` for
/// anything that is not a local file URL.
#[cfg(any(target_os = "windows", test))]
fn smtc_cover_url(url: &str) -> Option<String> {
    let encoded = url.strip_prefix("file://")?;
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut rest = encoded.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    let path = String::from_utf8(bytes).ok()?;
    // `/C:/...` (a URL path) → `C:/...`; then Windows separators.
    let path = match path.strip_prefix('/') {
        Some(p) if p.as_bytes().get(1) == Some(&b':') => p,
        _ => path.as_str(),
    };
    Some(format!("file://{}", path.replace('/', "\\")))
}

/// Track metadata as the OS shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsMetadata {
    pub title: String,
    /// Artists joined with ", " (MPRIS takes a list, but souvlaki sends one string).
    pub artist: String,
    pub album: Option<String>,
    pub duration: Option<Duration>,
}

/// What the OS is told about `track`. The length is the decoder's when known (exact), else
/// the tags'.
#[must_use]
pub fn metadata_of(track: &Track, decoded_duration_ms: Option<u64>) -> OsMetadata {
    OsMetadata {
        title: track.title.clone(),
        artist: track.artists.join(", "),
        album: track.album.clone(),
        duration: decoded_duration_ms
            .or(track.duration_ms)
            .map(Duration::from_millis),
    }
}

/// The OS's playback status for ours.
#[must_use]
pub fn playback_of(status: PlaybackStatus, position_ms: u64) -> MediaPlayback {
    let progress = Some(MediaPosition(Duration::from_millis(position_ms)));
    match status {
        PlaybackStatus::Stopped => MediaPlayback::Stopped,
        PlaybackStatus::Paused => MediaPlayback::Paused { progress },
        PlaybackStatus::Loading | PlaybackStatus::Playing => MediaPlayback::Playing { progress },
    }
}

/// Who handles an OS request.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    Player(Action),
    Shell(ShellRequest),
}

/// A step for "seek forward/backward" without an amount (media keys on some platforms).
pub const SEEK_STEP: Duration = Duration::from_secs(10);

/// What to do for an OS request, given the last state seen (for relative seeks).
#[must_use]
pub fn request_for(event: &MediaControlEvent, state: Option<&PlayerState>) -> Option<Request> {
    let position_ms = state.map_or(0, |s| s.position_ms);
    let seek_by = |direction: SeekDirection, by: Duration| {
        let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        let to = match direction {
            SeekDirection::Forward => position_ms.saturating_add(by),
            SeekDirection::Backward => position_ms.saturating_sub(by),
        };
        Request::Player(Action::Seek { position_ms: to })
    };
    let request = match event {
        MediaControlEvent::Play => Request::Player(Action::Play),
        MediaControlEvent::Pause => Request::Player(Action::Pause),
        MediaControlEvent::Toggle => Request::Player(Action::TogglePause),
        MediaControlEvent::Next => Request::Player(Action::Next),
        MediaControlEvent::Previous => Request::Player(Action::Previous),
        MediaControlEvent::Stop => Request::Player(Action::Stop),
        MediaControlEvent::Seek(direction) => seek_by(*direction, SEEK_STEP),
        MediaControlEvent::SeekBy(direction, by) => seek_by(*direction, *by),
        MediaControlEvent::SetPosition(MediaPosition(at)) => Request::Player(Action::Seek {
            position_ms: u64::try_from(at.as_millis()).unwrap_or(u64::MAX),
        }),
        MediaControlEvent::SetVolume(volume) if volume.is_finite() => {
            #[allow(clippy::cast_possible_truncation)] // clamped to 0..=1 first
            let volume = volume.clamp(0.0, 1.0) as f32;
            Request::Player(Action::SetVolume(volume))
        }
        MediaControlEvent::OpenUri(uri) => Request::Shell(ShellRequest::Open(uri.clone())),
        MediaControlEvent::Raise => Request::Shell(ShellRequest::Raise),
        MediaControlEvent::Quit => Request::Shell(ShellRequest::Quit),
        _ => return None,
    };
    // Nothing to seek in: ignore rather than start something.
    if matches!(request, Request::Player(Action::Seek { .. }))
        && state.is_none_or(|s| s.current.is_none())
    {
        return None;
    }
    Some(request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lyrebird_core::SourceKind;
    use lyrebird_core::events::DeviceState;
    use lyrebird_core::queue::PlayMode;

    fn track() -> Track {
        Track {
            artists: vec!["周杰伦".into(), "Lara".into()],
            album: Some("叶惠美".into()),
            duration_ms: Some(269_000),
            ..Track::from_path("/m/晴天.flac".into(), SourceKind::Local)
        }
    }

    fn state(position_ms: u64) -> PlayerState {
        PlayerState {
            status: PlaybackStatus::Playing,
            play_id: PlayId(3),
            current: Some(track()),
            queue_index: Some(0),
            queue_length: 1,
            position_ms,
            duration_ms: Some(269_333),
            volume: 0.5,
            device: DeviceState::Ready,
            mode: PlayMode::InOrder,
            ..PlayerState::default()
        }
    }

    #[test]
    fn metadata_prefers_the_decoded_length() {
        let m = metadata_of(&track(), Some(269_333));
        assert_eq!(m.title, "晴天");
        assert_eq!(m.artist, "周杰伦, Lara");
        assert_eq!(m.album.as_deref(), Some("叶惠美"));
        assert_eq!(m.duration, Some(Duration::from_millis(269_333)));
        assert_eq!(
            metadata_of(&track(), None).duration,
            Some(Duration::from_secs(269))
        );
    }

    #[test]
    fn status_maps_with_position() {
        let at = Some(MediaPosition(Duration::from_millis(1500)));
        assert_eq!(
            playback_of(PlaybackStatus::Playing, 1500),
            MediaPlayback::Playing { progress: at }
        );
        assert_eq!(
            playback_of(PlaybackStatus::Loading, 1500),
            MediaPlayback::Playing { progress: at }
        );
        assert_eq!(
            playback_of(PlaybackStatus::Paused, 1500),
            MediaPlayback::Paused { progress: at }
        );
        assert_eq!(
            playback_of(PlaybackStatus::Stopped, 1500),
            MediaPlayback::Stopped
        );
    }

    #[test]
    fn transport_requests_become_actions() {
        let s = state(0);
        let cases = [
            (MediaControlEvent::Play, Action::Play),
            (MediaControlEvent::Pause, Action::Pause),
            (MediaControlEvent::Toggle, Action::TogglePause),
            (MediaControlEvent::Next, Action::Next),
            (MediaControlEvent::Previous, Action::Previous),
            (MediaControlEvent::Stop, Action::Stop),
        ];
        for (event, action) in cases {
            assert_eq!(request_for(&event, Some(&s)), Some(Request::Player(action)));
        }
    }

    #[test]
    fn seeks_are_relative_to_the_last_position_and_never_negative() {
        let s = state(30_000);
        let seek = |e| request_for(&e, Some(&s));
        assert_eq!(
            seek(MediaControlEvent::SeekBy(
                SeekDirection::Forward,
                Duration::from_millis(5500)
            )),
            Some(Request::Player(Action::Seek {
                position_ms: 35_500
            }))
        );
        assert_eq!(
            seek(MediaControlEvent::SeekBy(
                SeekDirection::Backward,
                Duration::from_secs(45)
            )),
            Some(Request::Player(Action::Seek { position_ms: 0 }))
        );
        assert_eq!(
            seek(MediaControlEvent::Seek(SeekDirection::Forward)),
            Some(Request::Player(Action::Seek {
                position_ms: 40_000
            }))
        );
        assert_eq!(
            seek(MediaControlEvent::SetPosition(MediaPosition(
                Duration::from_millis(12_345)
            ))),
            Some(Request::Player(Action::Seek {
                position_ms: 12_345
            }))
        );
    }

    #[test]
    fn nothing_playing_means_no_seek() {
        let mut s = state(0);
        s.current = None;
        let event = MediaControlEvent::SetPosition(MediaPosition(Duration::from_secs(3)));
        assert_eq!(request_for(&event, Some(&s)), None);
        assert_eq!(request_for(&event, None), None);
        assert_eq!(
            request_for(&MediaControlEvent::Play, None),
            Some(Request::Player(Action::Play))
        );
    }

    #[test]
    fn volume_is_clamped_and_nonsense_ignored() {
        let s = state(0);
        assert_eq!(
            request_for(&MediaControlEvent::SetVolume(1.7), Some(&s)),
            Some(Request::Player(Action::SetVolume(1.0)))
        );
        assert_eq!(
            request_for(&MediaControlEvent::SetVolume(-2.0), Some(&s)),
            Some(Request::Player(Action::SetVolume(0.0)))
        );
        assert_eq!(
            request_for(&MediaControlEvent::SetVolume(f64::NAN), Some(&s)),
            None
        );
    }

    #[test]
    fn smtc_gets_a_decoded_windows_path() {
        // The shell's URL of a Windows path (every byte but unreserved ones escaped).
        assert_eq!(
            smtc_cover_url("file://C%3A%5CUsers%5C%E5%BC%A0%5Ccovers%5Ca%20b.jpg").as_deref(),
            Some("file://C:\\Users\\张\\covers\\a b.jpg")
        );
        assert_eq!(
            smtc_cover_url("file:///C:/m/x.png").as_deref(),
            Some("file://C:\\m\\x.png")
        );
        assert_eq!(smtc_cover_url("https://example.com/x.png"), None);
        assert_eq!(smtc_cover_url("file://C%3"), None);
        assert_eq!(smtc_cover_url("file://%FF"), None);
    }

    #[test]
    fn window_and_uri_requests_go_to_the_shell() {
        assert_eq!(
            request_for(&MediaControlEvent::Raise, None),
            Some(Request::Shell(ShellRequest::Raise))
        );
        assert_eq!(
            request_for(&MediaControlEvent::Quit, None),
            Some(Request::Shell(ShellRequest::Quit))
        );
        assert_eq!(
            request_for(&MediaControlEvent::OpenUri("file:///m/a.flac".into()), None),
            Some(Request::Shell(ShellRequest::Open(
                "file:///m/a.flac".into()
            )))
        );
    }
}
