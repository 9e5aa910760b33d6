//! NetEase Cloud Music on the shell's side: the session's one owner, the account and browsing
//! behind the `netease_*` commands, and NetEase's entry in the registry.
//!
//! - [`NeteaseSession`] is a handle to **the one owner of the stored session** (device
//!   identity, cookies, xeapi key and session): a task that keeps it in memory, loads it from
//!   the secret store (one entry, `netease`) when first needed, applies the
//!   [`SessionUpdate`]s the registered source and browsing send it, writes every change back
//!   through the secret store, and asks for a rebuild of the registry when the credentials
//!   (or a first xeapi key or session) change, so the source's client has them. Everyone else
//!   sends it messages; nothing else holds the session.
//! - Each login (and logout) starts a new *epoch*: updates sent by clients of the previous
//!   one go to a channel nobody reads any more, so a late reply of a signed-out account can
//!   never write its cookies over the next one's.
//! - [`NeteaseAccount`] is what the commands call: QR and cookie login, logout, quality (the
//!   settings change through the actor, [`SourceChange`]), and the lists (daily songs, FM,
//!   playlists, liked songs, search, albums and artists), whose tracks it hands to the actor
//!   ([`Action::RememberListed`]) so the webview can play them by id.
//! - `login.rs`: phone (password or SMS code) and email login; `discover.rs`: recently played,
//!   the cloud disk, the charts, heartbeat mode and search suggestions.

use std::collections::HashSet;
use std::sync::Arc;

use lyrebird_core::actor::Action;
use lyrebird_core::events::{LyricsView, Notice};
use lyrebird_core::netease::{
    NETEASE_LIBRARY_LIMIT, NETEASE_SOURCE_ID, NeteaseAlbum, NeteaseAlbumPage, NeteaseAlbums,
    NeteaseArtist, NeteaseArtistPage, NeteaseArtistRef, NeteaseCopy, NeteaseError, NeteaseLibrary,
    NeteaseLibraryPart, NeteasePage, NeteasePlaylist, NeteaseQuality, NeteaseRef, NeteaseStatus,
    NeteaseUser, QrLogin, QrState,
};
use lyrebird_core::provider::SourceEntry;
use lyrebird_core::servers::SourceChange;
use lyrebird_core::{PlayerError, PlayerHandle, SourceKind, Track, TrackId};
use lyrebird_library::lyrics::{parse_lrc, parse_yrc};
use lyrebird_netease::client::{Answer, NeteaseClient, SessionUpdate};
use lyrebird_netease::crypto::OsEntropy;
use lyrebird_netease::crypto::xeapi::{ServerKey, Session};
use lyrebird_netease::model::{
    AlbumInfo, Artist, ArtistInfo, LoginStatus, Lyrics as NeteaseLyrics, QrStatus, Quality, Song,
};
use lyrebird_netease::source::{NeteaseSource, UpdateSender, song_id, song_to_track};
use lyrebird_netease::{ApiError, ApiHosts, ClientOs, Credentials, DeviceIdentity, Host};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot, watch};

use crate::copies::CopyFinder;
use crate::secrets::SecretStore;

mod discover;
mod edit;
mod login;
pub mod offline;

use offline::{List, Shelf};

/// The secret store's entry for the NetEase session.
pub const SECRET_ENTRY: &str = NETEASE_SOURCE_ID;
/// What the registry calls NetEase.
pub const LABEL: &str = "NetEase";
/// The most tracks one playlist page lists.
pub const MAX_PAGE: u32 = 500;
/// How many songs a search lists.
const SEARCH_LIMIT: u32 = 100;
/// The longest search query sent.
const MAX_QUERY_CHARS: usize = 200;
/// How many playlists are listed.
const PLAYLISTS_LIMIT: u32 = 1000;
/// How many of an artist's albums their page lists (the first page).
pub const ARTIST_ALBUMS_LIMIT: u32 = 100;

/// The session as the secret store keeps it (JSON). `Debug` hides the tokens.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StoredSession {
    device: DeviceIdentity,
    credentials: Credentials,
    #[serde(default)]
    xeapi_key: Option<ServerKey>,
    #[serde(default)]
    xeapi_session: Option<Session>,
}

impl std::fmt::Debug for StoredSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSession")
            .field("device_id", &self.device.device_id)
            .field("credentials", &self.credentials)
            .field("xeapi_key", &self.xeapi_key.is_some())
            .field("xeapi_session", &self.xeapi_session.is_some())
            .finish()
    }
}

/// What the owner is asked.
enum Request {
    /// The signed-in session's client and where its updates go; `None` when nothing is
    /// stored.
    Signed(oneshot::Sender<Option<(NeteaseClient, UpdateSender)>>),
    /// A client of this device without an account (for the QR login and checking a cookie).
    Guest(oneshot::Sender<NeteaseClient>),
    /// Keep these credentials as the session (a login): stored before the answer.
    SignIn(Credentials, oneshot::Sender<Result<(), String>>),
    /// Forget the session, in memory and in the secret store.
    SignOut(oneshot::Sender<()>),
}

/// A handle to the owner of the NetEase session: cheap to clone, messages only.
#[derive(Clone)]
pub struct NeteaseSession {
    requests: mpsc::UnboundedSender<Request>,
    rebuilds: watch::Receiver<u64>,
    /// Where requests go (configuration, never changed): what a verification page may be.
    hosts: Arc<ApiHosts>,
    /// The shared client, for cover pictures (no cookies go with them).
    http: reqwest::Client,
}

impl NeteaseSession {
    /// The handle and the owner's task (spawn it; it ends when every handle is gone).
    pub fn new(
        secrets: SecretStore,
        http: reqwest::Client,
        hosts: ApiHosts,
    ) -> (Self, impl std::future::Future<Output = ()> + Send + 'static) {
        let (requests, inbox) = mpsc::unbounded_channel();
        let (rebuild, rebuilds) = watch::channel(0);
        let shared_hosts = Arc::new(hosts.clone());
        let owner = Owner {
            secrets,
            http: http.clone(),
            hosts,
            session: None,
            loaded: false,
            guest_device: None,
            rebuild,
        };
        (
            Self {
                requests,
                rebuilds,
                hosts: shared_hosts,
                http,
            },
            owner.run(inbox),
        )
    }

    async fn ask<T>(&self, request: impl FnOnce(oneshot::Sender<T>) -> Request) -> Option<T> {
        let (reply, answer) = oneshot::channel();
        self.requests.send(request(reply)).ok()?;
        answer.await.ok()
    }

    /// The signed-in session's client and where to send what its replies change.
    pub async fn signed_client(&self) -> Option<(NeteaseClient, UpdateSender)> {
        self.ask(Request::Signed).await.flatten()
    }

    /// A client of this device with no account.
    pub async fn guest_client(&self) -> Result<NeteaseClient, NeteaseError> {
        self.ask(Request::Guest).await.ok_or_else(closed)
    }

    /// Keep `credentials` as the session (stored in the secret store before this returns).
    pub async fn sign_in(&self, credentials: Credentials) -> Result<(), NeteaseError> {
        self.ask(|reply| Request::SignIn(credentials, reply))
            .await
            .ok_or_else(closed)?
            .map_err(|message| NeteaseError::Other { message })
    }

    /// Forget the session, in memory and in the secret store.
    pub async fn sign_out(&self) {
        self.ask(Request::SignOut).await;
    }

    /// Bumped whenever the registry should be built again for the session's sake.
    #[must_use]
    pub fn rebuilds(&self) -> watch::Receiver<u64> {
        self.rebuilds.clone()
    }
}

fn closed() -> NeteaseError {
    NeteaseError::Other {
        message: "the NetEase session is closed".into(),
    }
}

/// The owner's state: only its task touches it.
struct Owner {
    secrets: SecretStore,
    http: reqwest::Client,
    hosts: ApiHosts,
    session: Option<StoredSession>,
    /// Whether the secret store was read.
    loaded: bool,
    /// The device a login will be stored with, until one is.
    guest_device: Option<DeviceIdentity>,
    rebuild: watch::Sender<u64>,
}

enum Event {
    Request(Option<Request>),
    Update(SessionUpdate),
}

impl Owner {
    async fn run(mut self, mut inbox: mpsc::UnboundedReceiver<Request>) {
        let (mut updates, mut incoming) = mpsc::unbounded_channel::<SessionUpdate>();
        loop {
            let event = tokio::select! {
                request = inbox.recv() => Event::Request(request),
                Some(update) = incoming.recv() => Event::Update(update),
            };
            match event {
                Event::Request(None) => return,
                Event::Update(update) => self.apply(update).await,
                Event::Request(Some(request)) => {
                    if self.handle(request, &updates).await {
                        // A new epoch: what clients of the old session report is not read.
                        (updates, incoming) = mpsc::unbounded_channel();
                    }
                }
            }
        }
    }

    /// Handles `request`; true when a new epoch starts.
    async fn handle(&mut self, request: Request, updates: &UpdateSender) -> bool {
        self.load().await;
        match request {
            Request::Signed(reply) => {
                let client = self.session.as_ref().map(|s| {
                    let client = NeteaseClient::new(
                        self.http.clone(),
                        self.hosts.clone(),
                        s.device.clone(),
                        s.credentials.clone(),
                    )
                    .with_xeapi(s.xeapi_key.clone(), s.xeapi_session.clone());
                    (client, updates.clone())
                });
                let _ = reply.send(client);
                false
            }
            Request::Guest(reply) => {
                let device = self.device();
                let _ = reply.send(NeteaseClient::new(
                    self.http.clone(),
                    self.hosts.clone(),
                    device,
                    Credentials::default(),
                ));
                false
            }
            Request::SignIn(credentials, reply) => {
                let device = self.device();
                let session = StoredSession {
                    device,
                    credentials,
                    xeapi_key: None,
                    xeapi_session: None,
                };
                let stored = self.store(&session).await;
                if stored.is_ok() {
                    self.session = Some(session);
                    self.guest_device = None;
                }
                let _ = reply.send(stored);
                true
            }
            Request::SignOut(reply) => {
                self.session = None;
                self.guest_device = None;
                self.secrets.delete(SECRET_ENTRY).await;
                tracing::info!("signed out of NetEase; the stored session is deleted");
                let _ = reply.send(());
                true
            }
        }
    }

    /// Reads the stored session once.
    async fn load(&mut self) {
        if self.loaded {
            return;
        }
        self.loaded = true;
        let Some(text) = self.secrets.load_any(SECRET_ENTRY).await else {
            return;
        };
        match serde_json::from_str::<StoredSession>(&text) {
            Ok(session) => self.session = Some(session),
            Err(e) => tracing::warn!(error = %e, "the stored NetEase session is unreadable"),
        }
    }

    /// The device of the session, or the one a login will be stored with.
    fn device(&mut self) -> DeviceIdentity {
        if let Some(session) = &self.session {
            return session.device.clone();
        }
        self.guest_device
            .get_or_insert_with(|| {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
                DeviceIdentity::generate(ClientOs::Pc, &mut OsEntropy, now)
                    .expect("the operating system's random source works")
            })
            .clone()
    }

    async fn store(&self, session: &StoredSession) -> Result<(), String> {
        let text = serde_json::to_string(session).map_err(|e| e.to_string())?;
        self.secrets.store(SECRET_ENTRY, &text).await.map(|_| ())
    }

    /// Takes in what a reply changed, stores it, and asks for a rebuild when the registry's
    /// client should have it.
    async fn apply(&mut self, update: SessionUpdate) {
        let Some(session) = &mut self.session else {
            return;
        };
        let before = session.clone();
        if let Some(credentials) = update.credentials {
            session.credentials = credentials;
        }
        if let Some(key) = update.xeapi_key {
            session.xeapi_key = Some(key);
        }
        if let Some(xeapi_session) = update.xeapi_session {
            session.xeapi_session = Some(xeapi_session);
        }
        if *session == before {
            return;
        }
        let rebuild = session.credentials != before.credentials
            || before.xeapi_key.is_none()
            || before.xeapi_session.is_none();
        let session = session.clone();
        if let Err(e) = self.store(&session).await {
            tracing::warn!(error = %e, "the NetEase session was not stored");
        }
        if rebuild {
            self.rebuild.send_modify(|n| *n += 1);
        }
    }
}

/// NetEase's entry's handle: what browsing needs (the registered client, where its updates
/// go, whose account it is).
pub struct NeteaseBrowser {
    pub client: Arc<NeteaseClient>,
    pub updates: UpdateSender,
    pub user_id: u64,
}

impl NeteaseBrowser {
    /// An answer's value; what it changed goes to the session's owner.
    pub(crate) fn take<T>(&self, answer: Answer<T>) -> T {
        if !answer.update.is_empty() {
            let _ = self.updates.send(answer.update);
        }
        answer.value
    }
}

/// The player's quality level for the client's.
#[must_use]
pub fn quality_of(quality: NeteaseQuality) -> Quality {
    match quality {
        NeteaseQuality::Standard => Quality::Standard,
        NeteaseQuality::Higher => Quality::Higher,
        NeteaseQuality::Exhigh => Quality::Exhigh,
        NeteaseQuality::Lossless => Quality::Lossless,
        NeteaseQuality::Hires => Quality::Hires,
        NeteaseQuality::Master => Quality::Master,
    }
}

/// NetEase's registry entry for the signed-in `user`, or `None` (with a warning) when no
/// session is stored.
pub async fn registry_entry(
    session: &NeteaseSession,
    user: &NeteaseUser,
    quality: NeteaseQuality,
) -> Option<SourceEntry> {
    let Some((client, updates)) = session.signed_client().await else {
        tracing::warn!("no NetEase session is stored; NetEase is not registered");
        return None;
    };
    let client = Arc::new(client);
    let source =
        NeteaseSource::new(client.clone(), quality_of(quality)).reporting_to(updates.clone());
    let browser = NeteaseBrowser {
        client,
        updates,
        user_id: user.id,
    };
    Some(
        SourceEntry::new(
            NETEASE_SOURCE_ID,
            SourceKind::NetEase,
            LABEL,
            Arc::new(source),
        )
        .owning_ids_starting_with(lyrebird_netease::source::TRACK_ID_PREFIX)
        .with_handle(Arc::new(browser)),
    )
}

/// The NetEase error the UI words, for what the client said.
#[must_use]
pub fn error_of(error: ApiError) -> NeteaseError {
    match error {
        ApiError::Verify { url } => NeteaseError::Verify {
            url: url.unwrap_or_default(),
        },
        ApiError::Captcha => NeteaseError::Captcha,
        ApiError::NetworkEnvironment => NeteaseError::NetworkEnvironment,
        ApiError::SecondFactor => NeteaseError::SecondFactor,
        ApiError::NotLoggedIn => NeteaseError::NotLoggedIn,
        ApiError::Login(refusal) => login::error_of_refusal(refusal),
        ApiError::Protocol(e @ lyrebird_netease::NeteaseError::Network { .. }) => {
            NeteaseError::Unreachable {
                message: e.to_string(),
            }
        }
        other => NeteaseError::Other {
            message: other.to_string(),
        },
    }
}

#[allow(clippy::needless_pass_by_value)] // the shape `map_err` takes
fn player_error(error: PlayerError) -> NeteaseError {
    NeteaseError::Other {
        message: error.to_string(),
    }
}

/// What the `netease_*` commands do. No state of its own: cheap to clone, nothing to lock.
#[derive(Clone)]
pub struct NeteaseAccount {
    player: PlayerHandle,
    session: NeteaseSession,
    /// Looks up copies of the listed tracks NetEase will not play, when the app has one.
    copies: Option<CopyFinder>,
    /// Where lists are kept for an offline start, when the app keeps them.
    shelf: Option<Shelf>,
}

/// What an answer kept for an offline start lists, to hand to the actor again when it is
/// shown from the shelf.
trait Listing {
    fn tracks(&self) -> &[Track];
}

impl Listing for Vec<Track> {
    fn tracks(&self) -> &[Track] {
        self
    }
}

impl Listing for NeteasePage {
    fn tracks(&self) -> &[Track] {
        &self.tracks
    }
}

impl Listing for Vec<NeteasePlaylist> {
    fn tracks(&self) -> &[Track] {
        &[]
    }
}

impl NeteaseAccount {
    #[must_use]
    pub fn new(player: PlayerHandle, session: NeteaseSession) -> Self {
        Self {
            player,
            session,
            copies: None,
            shelf: None,
        }
    }

    /// Keeping lists under `dir` for an offline start (the app's data directory).
    #[must_use]
    pub fn with_offline(mut self, dir: std::path::PathBuf) -> Self {
        self.shelf = Some(Shelf::new(dir));
        self
    }

    /// `answer`, kept (in the background) for an offline start; or, when NetEase cannot be
    /// reached, `list` as last kept for this user — its tracks handed to the actor again, and
    /// a notice saying from when.
    async fn shelved<T>(
        &self,
        user: u64,
        list: List,
        answer: Result<T, NeteaseError>,
    ) -> Result<T, NeteaseError>
    where
        T: Listing + Clone + Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    {
        let Some(store) = &self.shelf else {
            return answer;
        };
        match answer {
            Ok(value) => {
                let (store, kept) = (store.clone(), value.clone());
                tokio::spawn(async move { store.keep(user, list, &kept).await });
                Ok(value)
            }
            Err(e @ NeteaseError::Unreachable { .. }) => {
                let Some((value, saved_ms)) = store.take::<T>(user, list).await else {
                    return Err(e);
                };
                tracing::info!(?list, "NetEase cannot be reached: a kept list is shown");
                let tracks = value.tracks().to_vec();
                if let Some(copies) = &self.copies {
                    copies.remember(&tracks);
                }
                if !tracks.is_empty() {
                    let _ = self.player.act(Action::RememberListed(tracks)).await;
                }
                let _ = self
                    .player
                    .act(Action::Notify(Notice::NeteaseOffline { saved_ms }))
                    .await;
                Ok(value)
            }
            Err(e) => Err(e),
        }
    }

    /// With a finder of copies: listed tracks NetEase will not play are handed to it, and
    /// [`NeteaseAccount::copies`] asks it.
    #[must_use]
    pub fn with_copies(mut self, copies: CopyFinder) -> Self {
        self.copies = Some(copies);
        self
    }

    /// Whether the listed tracks `ids` that NetEase will not play (greyed, VIP only) have a copy
    /// in the user's other sources, and where. A newer call cancels this one: it then answers
    /// what was found so far. Ids not listed as unplayable are left out.
    pub async fn copies(&self, ids: Vec<String>) -> Result<Vec<NeteaseCopy>, NeteaseError> {
        let Some(copies) = &self.copies else {
            return Ok(Vec::new());
        };
        Ok(copies.find(ids.into_iter().map(TrackId).collect()).await)
    }

    /// Who is signed in, and the quality.
    pub async fn status(&self) -> Result<NeteaseStatus, NeteaseError> {
        let settings = self.player.source_settings().await.map_err(player_error)?;
        Ok(settings.netease_settings().status())
    }

    /// A QR code to scan with the NetEase app.
    pub async fn qr_start(&self) -> Result<QrLogin, NeteaseError> {
        let client = self.session.guest_client().await?;
        let key = client.qr_key().await.map_err(error_of)?.value;
        let url = client.qr_login_url(&key);
        let (size, modules) = qr_modules(&url)?;
        Ok(QrLogin {
            key,
            url,
            size,
            modules,
        })
    }

    /// Where the QR login `key` stands; once confirmed, the session is stored and NetEase is
    /// a source.
    pub async fn qr_check(&self, key: String) -> Result<QrState, NeteaseError> {
        let client = self.session.guest_client().await?;
        let status = client.qr_check(&key).await.map_err(error_of)?.value;
        Ok(match status {
            QrStatus::Waiting => QrState::Waiting,
            QrStatus::Expired => QrState::Expired,
            QrStatus::Scanned { nickname, .. } => QrState::Scanned { nickname },
            QrStatus::Confirmed { credentials } => QrState::Confirmed {
                status: self.sign_in(client, credentials).await?,
            },
        })
    }

    /// Sign in with a `MUSIC_U` cookie the user pasted (checked with NetEase first).
    pub async fn login_cookie(&self, music_u: String) -> Result<NeteaseStatus, NeteaseError> {
        let music_u = music_u.trim();
        let music_u = music_u.strip_prefix("MUSIC_U=").unwrap_or(music_u).trim();
        if music_u.is_empty()
            || music_u.len() > 4096
            || music_u
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == ';' || c == ',')
        {
            return Err(NeteaseError::Other {
                message: "that is not a MUSIC_U cookie".into(),
            });
        }
        let credentials = Credentials {
            music_u: Some(music_u.to_owned()),
            ..Credentials::default()
        };
        let client = self.session.guest_client().await?;
        self.sign_in(client, credentials).await
    }

    /// Checks `credentials` with NetEase, stores them, and registers NetEase.
    pub(crate) async fn sign_in(
        &self,
        guest: NeteaseClient,
        credentials: Credentials,
    ) -> Result<NeteaseStatus, NeteaseError> {
        let client = guest.with_credentials(credentials);
        let status = client.login_status().await.map_err(error_of)?;
        let LoginStatus::LoggedIn(account) = status.value else {
            return Err(NeteaseError::NotLoggedIn);
        };
        let mut credentials = client.credentials().clone();
        if let Some(newer) = status.update.credentials {
            credentials = newer;
        }
        let user = NeteaseUser {
            id: account.user_id,
            nickname: account.nickname.unwrap_or_default(),
            avatar_url: account.avatar_url,
            vip: account.vip_type > 0,
        };
        self.session.sign_in(credentials).await?;
        self.player
            .change_sources(SourceChange::NeteaseSignedIn { user })
            .await
            .map_err(player_error)?;
        tracing::info!("signed in to NetEase");
        self.status().await
    }

    /// Sign out: NetEase stops being a source (the queue is kept) and the stored session is
    /// deleted.
    pub async fn logout(&self) -> Result<(), NeteaseError> {
        self.player
            .change_sources(SourceChange::NeteaseSignedOut)
            .await
            .map_err(player_error)?;
        self.session.sign_out().await;
        if let Some(shelf) = &self.shelf {
            shelf.clear().await;
        }
        Ok(())
    }

    pub async fn set_quality(&self, quality: NeteaseQuality) -> Result<(), NeteaseError> {
        self.player
            .change_sources(SourceChange::NeteaseQuality(quality))
            .await
            .map(|_| ())
            .map_err(player_error)
    }

    /// The quality on a metered connection (`None`: the same as on any other).
    pub async fn set_metered_quality(
        &self,
        quality: Option<NeteaseQuality>,
    ) -> Result<(), NeteaseError> {
        self.player
            .change_sources(SourceChange::NeteaseQualityOnMetered(quality))
            .await
            .map(|_| ())
            .map_err(player_error)
    }

    /// The verification page NetEase named (risk control, -462) as an address the app may open
    /// in a window of its own: `https` on NetEase's domain (`163.com`), or on one of the hosts
    /// requests go to (an emulator in tests). Anything else is refused.
    pub fn verify_page(&self, url: &str) -> Result<reqwest::Url, NeteaseError> {
        verify_page(url, &self.session.hosts)
    }

    /// The cover a NetEase track names (`cover_art`, the album's `picUrl`), at most `px`
    /// pixels a side: only from NetEase's image hosts ([`ApiHosts::cover_url`]), bounded in
    /// time and size, images only; `None` for anything else.
    pub async fn cover(&self, pic_url: &str, px: u32) -> Option<(String, Vec<u8>)> {
        let url = self.session.hosts.cover_url(pic_url, px)?;
        crate::fetch_cover(&self.session.http, &url).await
    }

    /// The page the login window opens: NetEase's web login, or the configured host's
    /// `/__login` (the emulator's form) when requests go elsewhere (tests).
    #[must_use]
    pub fn login_page(&self) -> reqwest::Url {
        login_page(&self.session.hosts)
    }

    /// The registered NetEase source's browser: signed in, or [`NeteaseError::NotLoggedIn`].
    pub(crate) async fn browser(&self) -> Result<Arc<NeteaseBrowser>, NeteaseError> {
        let sources = self.player.sources().await.map_err(player_error)?;
        let entry = sources
            .by_id(NETEASE_SOURCE_ID)
            .ok_or(NeteaseError::NotLoggedIn)?;
        let handle = entry.handle.clone().ok_or(NeteaseError::NotLoggedIn)?;
        handle
            .downcast::<NeteaseBrowser>()
            .map_err(|_| NeteaseError::NotLoggedIn)
    }

    /// The tracks of `songs`, handed to the actor so the webview can play them by id; each
    /// says whether the user liked it (`Track::liked`) when `liked` (the liked ids) is known.
    pub(crate) async fn listed(
        &self,
        songs: &[Song],
        liked: Option<&HashSet<u64>>,
    ) -> Result<Vec<Track>, NeteaseError> {
        let tracks: Vec<Track> = songs
            .iter()
            .filter_map(|song| {
                let mut track = song_to_track(song)?;
                track.liked = liked.map(|ids| ids.contains(&song.id));
                Some(track)
            })
            .collect();
        if let Some(copies) = &self.copies {
            copies.remember(&tracks);
        }
        if !tracks.is_empty() {
            self.player
                .act(Action::RememberListed(tracks.clone()))
                .await
                .map_err(player_error)?;
        }
        Ok(tracks)
    }

    /// The ids of the songs the user liked, asked alongside a list so its tracks show their
    /// heart; `None` (logged) when NetEase would not say.
    pub(crate) async fn liked_ids(b: &NeteaseBrowser) -> Option<HashSet<u64>> {
        match b.client.liked_ids(b.user_id).await {
            Ok(answer) => Some(b.take(answer).into_iter().collect()),
            Err(e) => {
                tracing::warn!(error = %e, "NetEase did not list the liked songs");
                None
            }
        }
    }

    /// Today's recommended songs (as last kept when NetEase cannot be reached).
    pub async fn daily(&self) -> Result<Vec<Track>, NeteaseError> {
        let user = self.browser().await?.user_id;
        let answer = self.fetch_daily().await;
        self.shelved(user, List::Daily, answer).await
    }

    async fn fetch_daily(&self) -> Result<Vec<Track>, NeteaseError> {
        let b = self.browser().await?;
        let (songs, liked) = tokio::join!(b.client.daily_songs(), Self::liked_ids(&b));
        let songs = b.take(songs.map_err(error_of)?);
        self.listed(&songs, liked.as_ref()).await
    }

    /// The personal FM's next few songs.
    pub async fn fm(&self) -> Result<Vec<Track>, NeteaseError> {
        let b = self.browser().await?;
        let (songs, liked) = tokio::join!(b.client.personal_fm(), Self::liked_ids(&b));
        let songs = b.take(songs.map_err(error_of)?);
        self.listed(&songs, liked.as_ref()).await
    }

    /// Throw a song out of the personal FM.
    pub async fn fm_trash(&self, track_id: String) -> Result<(), NeteaseError> {
        let id = song_id(&TrackId(track_id)).ok_or_else(|| NeteaseError::Other {
            message: "not a NetEase track".into(),
        })?;
        let b = self.browser().await?;
        b.take(b.client.fm_trash(id).await.map_err(error_of)?);
        Ok(())
    }

    /// The user's playlists, created and subscribed (as last kept when offline).
    pub async fn playlists(&self) -> Result<Vec<NeteasePlaylist>, NeteaseError> {
        let user = self.browser().await?.user_id;
        let answer = self.fetch_playlists().await;
        self.shelved(user, List::Playlists, answer).await
    }

    async fn fetch_playlists(&self) -> Result<Vec<NeteasePlaylist>, NeteaseError> {
        let b = self.browser().await?;
        let page = b.take(
            b.client
                .user_playlists(b.user_id, PLAYLISTS_LIMIT, 0)
                .await
                .map_err(error_of)?,
        );
        Ok(page
            .playlists
            .into_iter()
            .filter(|p| p.id != 0)
            .map(|p| NeteasePlaylist {
                id: p.id,
                name: p.name.unwrap_or_default(),
                track_count: p
                    .track_count
                    .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX)),
                cover_url: p.cover_url,
                subscribed: p.subscribed,
            })
            .collect())
    }

    /// `limit` (at most [`MAX_PAGE`]) tracks of playlist `id` from `offset` (the first page
    /// as last kept when offline).
    pub async fn playlist(
        &self,
        id: u64,
        offset: u32,
        limit: u32,
    ) -> Result<NeteasePage, NeteaseError> {
        let user = self.browser().await?.user_id;
        let answer = self.fetch_playlist(id, offset, limit).await;
        if offset == 0 {
            self.shelved(user, List::Playlist(id), answer).await
        } else {
            answer
        }
    }

    async fn fetch_playlist(
        &self,
        id: u64,
        offset: u32,
        limit: u32,
    ) -> Result<NeteasePage, NeteaseError> {
        let b = self.browser().await?;
        let (detail, liked) = tokio::join!(b.client.playlist_detail(id), Self::liked_ids(&b));
        let detail = b.take(detail.map_err(error_of)?);
        let total = detail.track_ids.len();
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(total);
        let end = start
            .saturating_add(usize::try_from(limit.min(MAX_PAGE)).unwrap_or(0))
            .min(total);
        let wanted = &detail.track_ids[start..end];
        let mut known: std::collections::HashMap<u64, Song> =
            detail.songs.into_iter().map(|s| (s.id, s)).collect();
        let missing: Vec<u64> = wanted
            .iter()
            .copied()
            .filter(|id| !known.contains_key(id))
            .collect();
        if !missing.is_empty() {
            let more = b.take(b.client.song_details(&missing).await.map_err(error_of)?);
            known.extend(more.into_iter().map(|s| (s.id, s)));
        }
        let songs: Vec<Song> = wanted.iter().filter_map(|id| known.remove(id)).collect();
        Ok(NeteasePage {
            title: detail.name,
            total: u32::try_from(total).unwrap_or(u32::MAX),
            offset: u32::try_from(start).unwrap_or(u32::MAX),
            tracks: self.listed(&songs, liked.as_ref()).await?,
        })
    }

    /// The songs the user liked, most recent first (as NetEase lists them; as last kept when
    /// offline).
    pub async fn liked(&self) -> Result<Vec<Track>, NeteaseError> {
        let user = self.browser().await?.user_id;
        let answer = self.fetch_liked().await;
        self.shelved(user, List::Liked, answer).await
    }

    async fn fetch_liked(&self) -> Result<Vec<Track>, NeteaseError> {
        let b = self.browser().await?;
        let ids = b.take(b.client.liked_ids(b.user_id).await.map_err(error_of)?);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let songs = b.take(b.client.song_details(&ids).await.map_err(error_of)?);
        let mut by_id: std::collections::HashMap<u64, Song> =
            songs.into_iter().map(|s| (s.id, s)).collect();
        let songs: Vec<Song> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
        let liked: HashSet<u64> = ids.into_iter().collect();
        self.listed(&songs, Some(&liked)).await
    }

    /// The lyrics of `track_id` from NetEase: `None` when it is not a NetEase track, else its
    /// lyrics (`None` inside when it has none, or NetEase could not be asked: that is logged).
    /// Asked with the signed-in client, or a guest one (lyrics need no login).
    pub async fn lyrics(&self, track_id: &str) -> Option<Option<LyricsView>> {
        let id = song_id(&TrackId(track_id.to_owned()))?;
        let answer = match self.browser().await {
            Ok(b) => b.client.lyrics(id).await.map(|a| b.take(a)),
            Err(_) => match self.session.guest_client().await {
                Ok(client) => client.lyrics(id).await.map(|a| a.value),
                Err(e) => {
                    tracing::warn!(error = ?e, "no NetEase client to ask for lyrics");
                    return Some(None);
                }
            },
        };
        match answer {
            Ok(lyrics) => Some(lyrics_view(&lyrics)),
            Err(e) => {
                tracing::warn!(error = %e, song = id, "NetEase lyrics were not read");
                Some(None)
            }
        }
    }

    /// Songs matching `query`.
    pub async fn search(&self, query: String) -> Result<Vec<Track>, NeteaseError> {
        let query: String = query.trim().chars().take(MAX_QUERY_CHARS).collect();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let b = self.browser().await?;
        let (page, liked) = tokio::join!(
            b.client.search_songs(&query, SEARCH_LIMIT, 0),
            Self::liked_ids(&b)
        );
        let page = b.take(page.map_err(error_of)?);
        self.listed(&page.songs, liked.as_ref()).await
    }
}

impl NeteaseAccount {
    /// The NetEase song id of `track_id`, or an error the UI words.
    fn song_of(track_id: &str) -> Result<u64, NeteaseError> {
        song_id(&TrackId(track_id.to_owned())).ok_or_else(|| NeteaseError::Other {
            message: "not a NetEase track".into(),
        })
    }

    /// The song `track_id` names, asked of NetEase (for its album's and artists' ids).
    async fn song(b: &NeteaseBrowser, track_id: &str) -> Result<Song, NeteaseError> {
        let id = Self::song_of(track_id)?;
        let songs = b.take(b.client.song_details(&[id]).await.map_err(error_of)?);
        songs
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| NeteaseError::Other {
                message: "NetEase does not know this song".into(),
            })
    }

    /// An album's page: the album and its songs, handed to the actor like a playlist's.
    pub async fn album(&self, of: NeteaseRef) -> Result<NeteaseAlbumPage, NeteaseError> {
        let b = self.browser().await?;
        let id = match of {
            NeteaseRef::Id { id } => id,
            NeteaseRef::Track { track_id } => Self::song(&b, &track_id)
                .await?
                .album
                .map(|a| a.id)
                .filter(|id| *id != 0)
                .ok_or_else(|| NeteaseError::Other {
                    message: "NetEase names no album for this song".into(),
                })?,
        };
        let (detail, liked) = tokio::join!(b.client.album(id), Self::liked_ids(&b));
        let detail = b.take(detail.map_err(error_of)?);
        Ok(NeteaseAlbumPage {
            description: detail.album.description.clone(),
            company: detail.album.company.clone(),
            album: album_of(&detail.album),
            tracks: self.listed(&detail.songs, liked.as_ref()).await?,
        })
    }

    /// An artist's page: their top songs (handed to the actor like a playlist's) and the first
    /// [`ARTIST_ALBUMS_LIMIT`] of their albums.
    pub async fn artist(&self, of: NeteaseRef) -> Result<NeteaseArtistPage, NeteaseError> {
        let b = self.browser().await?;
        let id = match of {
            NeteaseRef::Id { id } => id,
            NeteaseRef::Track { track_id } => Self::song(&b, &track_id)
                .await?
                .artists
                .iter()
                .map(|a| a.id)
                .find(|id| *id != 0)
                .ok_or_else(|| NeteaseError::Other {
                    message: "NetEase names no artist for this song".into(),
                })?,
        };
        let (detail, albums, liked) = tokio::join!(
            b.client.artist(id),
            b.client.artist_albums(id, ARTIST_ALBUMS_LIMIT, 0),
            Self::liked_ids(&b)
        );
        let detail = b.take(detail.map_err(error_of)?);
        let albums = b.take(albums.map_err(error_of)?);
        Ok(NeteaseArtistPage {
            id: detail.artist.id,
            name: detail.artist.name.clone().unwrap_or_default(),
            cover_url: detail.artist.pic_url.clone(),
            description: detail.artist.brief.clone().filter(|d| !d.trim().is_empty()),
            top_tracks: self.listed(&detail.top_songs, liked.as_ref()).await?,
            albums: albums.albums.iter().map(album_of).collect(),
            more_albums: albums.more,
        })
    }

    /// Artist `id`'s albums from `offset` (a further page after their page's first), newest
    /// first, [`ARTIST_ALBUMS_LIMIT`] at most.
    pub async fn artist_albums(&self, id: u64, offset: u32) -> Result<NeteaseAlbums, NeteaseError> {
        let b = self.browser().await?;
        let albums = b.take(
            b.client
                .artist_albums(id, ARTIST_ALBUMS_LIMIT, offset)
                .await
                .map_err(error_of)?,
        );
        Ok(NeteaseAlbums {
            albums: albums.albums.iter().map(album_of).collect(),
            more: albums.more,
        })
    }
}

impl NeteaseAccount {
    /// The albums the user saved and the artists they follow, the first
    /// [`NETEASE_LIBRARY_LIMIT`] of each.
    pub async fn library(&self) -> Result<NeteaseLibrary, NeteaseError> {
        let b = self.browser().await?;
        let (albums, artists) = tokio::join!(
            b.client.subscribed_albums(NETEASE_LIBRARY_LIMIT, 0),
            b.client.followed_artists(NETEASE_LIBRARY_LIMIT, 0)
        );
        let albums = b.take(albums.map_err(error_of)?);
        let artists = b.take(artists.map_err(error_of)?);
        Ok(NeteaseLibrary {
            albums: albums.albums.iter().map(album_of).collect(),
            artists: artists.artists.iter().map(followed_artist).collect(),
            more_albums: albums.more,
            more_artists: artists.more,
        })
    }

    /// The next [`NETEASE_LIBRARY_LIMIT`] saved albums or followed artists from `offset`: only
    /// that list (and its "more") is filled in.
    pub async fn library_more(
        &self,
        part: NeteaseLibraryPart,
        offset: u32,
    ) -> Result<NeteaseLibrary, NeteaseError> {
        let b = self.browser().await?;
        let mut page = NeteaseLibrary {
            albums: Vec::new(),
            artists: Vec::new(),
            more_albums: false,
            more_artists: false,
        };
        match part {
            NeteaseLibraryPart::Albums => {
                let albums = b.take(
                    b.client
                        .subscribed_albums(NETEASE_LIBRARY_LIMIT, offset)
                        .await
                        .map_err(error_of)?,
                );
                page.albums = albums.albums.iter().map(album_of).collect();
                page.more_albums = albums.more;
            }
            NeteaseLibraryPart::Artists => {
                let artists = b.take(
                    b.client
                        .followed_artists(NETEASE_LIBRARY_LIMIT, offset)
                        .await
                        .map_err(error_of)?,
                );
                page.artists = artists.artists.iter().map(followed_artist).collect();
                page.more_artists = artists.more;
            }
        }
        Ok(page)
    }
}

/// A followed artist as the UI lists them.
fn followed_artist(a: &ArtistInfo) -> NeteaseArtist {
    NeteaseArtist {
        id: a.id,
        name: a.name.clone().unwrap_or_default(),
        cover_url: a.pic_url.clone(),
        album_count: a.album_count.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
    }
}

/// What the UI shows of an album's head.
fn album_of(album: &AlbumInfo) -> NeteaseAlbum {
    NeteaseAlbum {
        id: album.id,
        name: album.name.clone().unwrap_or_default(),
        cover_url: album.pic_url.clone(),
        published_ms: album.publish_time_ms.filter(|t| *t > 0),
        track_count: album.size.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
        artists: album.all_artists().iter().map(artist_ref).collect(),
    }
}

fn artist_ref(artist: &Artist) -> NeteaseArtistRef {
    NeteaseArtistRef {
        id: artist.id,
        name: artist.name.clone().unwrap_or_default(),
    }
}

/// See [`NeteaseAccount::login_page`].
fn login_page(hosts: &ApiHosts) -> reqwest::Url {
    const NETEASE_LOGIN: &str = "https://music.163.com/#/login";
    let netease = || reqwest::Url::parse(NETEASE_LOGIN).expect("a valid URL");
    if hosts.web == ApiHosts::default().web {
        return netease();
    }
    reqwest::Url::parse(&hosts.web)
        .and_then(|base| base.join("/__login"))
        .unwrap_or_else(|_| netease())
}

/// See [`NeteaseAccount::verify_page`].
fn verify_page(url: &str, hosts: &ApiHosts) -> Result<reqwest::Url, NeteaseError> {
    let refused = || NeteaseError::Other {
        message: "not a NetEase verification page".into(),
    };
    let page = reqwest::Url::parse(url.trim()).map_err(|_| refused())?;
    let host = page.host_str().ok_or_else(refused)?.to_ascii_lowercase();
    let netease = page.scheme() == "https"
        && page.port().is_none()
        && (host == "163.com" || host.ends_with(".163.com"));
    let configured = [
        Host::Web,
        Host::Api,
        Host::Eapi,
        Host::Xeapi,
        Host::Clientlog,
    ]
    .into_iter()
    .filter_map(|h| reqwest::Url::parse(hosts.base(h)).ok())
    .any(|base| base.origin() == page.origin());
    if (netease || configured) && page.username().is_empty() && page.password().is_none() {
        Ok(page)
    } else {
        Err(refused())
    }
}

/// What the UI shows of NetEase's lyrics: the word-timed `yrc` when it has timed lines, else
/// the LRC; the translation and romanisation put under the lines they belong to.
fn lyrics_view(lyrics: &NeteaseLyrics) -> Option<LyricsView> {
    let words = lyrics
        .word_timed
        .as_deref()
        .map(parse_yrc)
        .filter(|l| l.lines.iter().any(|line| !line.words.is_empty()));
    let mut base = words
        .or_else(|| lyrics.lrc.as_deref().map(parse_lrc))
        .filter(|l| !l.lines.is_empty())?;
    if let Some(text) = &lyrics.translation {
        base.attach_translation(&parse_lrc(text));
    }
    if let Some(text) = &lyrics.romanization {
        base.attach_romanization(&parse_lrc(text));
    }
    Some(base.into_view())
}

/// The QR code of `text`: modules per side and the dark ones, row by row.
fn qr_modules(text: &str) -> Result<(u32, Vec<bool>), NeteaseError> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|e| NeteaseError::Other {
        message: format!("cannot make a QR code: {e}"),
    })?;
    let size = u32::try_from(code.width()).unwrap_or(0);
    let modules = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok((size, modules))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qr_code_is_square_and_has_its_finder_patterns() {
        let (size, modules) = qr_modules("https://music.163.com/login?codekey=abc-123").unwrap();
        assert!(size >= 21, "{size}");
        assert_eq!(modules.len(), (size * size) as usize);
        // The top-left finder pattern: a dark 7×7 ring.
        for i in 0..7 {
            assert!(modules[i], "top row {i}");
            assert!(modules[i * size as usize], "left column {i}");
        }
        assert!(!modules[size as usize + 1], "inside the ring");
    }

    #[test]
    fn errors_become_what_the_ui_words() {
        assert_eq!(error_of(ApiError::NotLoggedIn), NeteaseError::NotLoggedIn);
        assert_eq!(
            error_of(ApiError::Verify {
                url: Some("https://x/v".into())
            }),
            NeteaseError::Verify {
                url: "https://x/v".into()
            }
        );
        assert_eq!(error_of(ApiError::Captcha), NeteaseError::Captcha);
        assert!(matches!(
            error_of(ApiError::Protocol(
                lyrebird_netease::NeteaseError::Network {
                    host: "h".into(),
                    detail: "refused".into()
                }
            )),
            NeteaseError::Unreachable { .. }
        ));
        assert!(matches!(
            error_of(ApiError::Refused {
                code: 400,
                message: None
            }),
            NeteaseError::Other { .. }
        ));
    }

    #[test]
    fn netease_lyrics_are_word_timed_with_translation_and_romanization() {
        let view = lyrics_view(&NeteaseLyrics {
            lrc: Some("[00:01.00]line one\n[00:03.00]line two\n".into()),
            translation: Some("[00:01.00]译一\n[00:03.00]译二\n[09:00.00]stray\n".into()),
            romanization: Some("[00:03.05]roma two\n".into()),
            word_timed: Some(
                "{\"t\":0,\"c\":[]}\n[1020,1500](1020,700,0)line (1720,800,0)one\n\
                 [3000,1000](3000,1000,0)line two\n"
                    .into(),
            ),
            instrumental: false,
        })
        .unwrap();
        assert!(view.synced);
        let [one, two] = &view.lines[..] else {
            panic!("{view:?}")
        };
        assert_eq!((one.at_ms, one.text.as_str()), (1020, "line one"));
        assert_eq!(
            one.words
                .iter()
                .map(|w| (w.at_ms, w.dur_ms, w.text.as_str()))
                .collect::<Vec<_>>(),
            [(1020, 700, "line "), (1720, 800, "one")]
        );
        assert_eq!(one.translation.as_deref(), Some("译一"));
        assert_eq!(one.romanization, None);
        assert_eq!(two.translation.as_deref(), Some("译二"));
        assert_eq!(two.romanization.as_deref(), Some("roma two"));
    }

    #[test]
    fn netease_lyrics_without_yrc_are_the_lrc_and_none_is_none() {
        let view = lyrics_view(&NeteaseLyrics {
            lrc: Some("[00:01.00]only lrc\n".into()),
            word_timed: Some("{\"t\":0}\n".into()),
            ..NeteaseLyrics::default()
        })
        .unwrap();
        assert_eq!(view.lines.len(), 1);
        assert!(view.lines[0].words.is_empty());
        assert_eq!(lyrics_view(&NeteaseLyrics::default()), None);
        assert_eq!(
            lyrics_view(&NeteaseLyrics {
                lrc: Some(String::new()),
                instrumental: true,
                ..NeteaseLyrics::default()
            }),
            None
        );
    }

    #[test]
    fn the_login_page_is_neteases_or_the_configured_hosts_form() {
        assert_eq!(
            login_page(&ApiHosts::default()).as_str(),
            "https://music.163.com/#/login"
        );
        let emulator = ApiHosts::all("http://127.0.0.1:9999").unwrap();
        assert_eq!(
            login_page(&emulator).as_str(),
            "http://127.0.0.1:9999/__login"
        );
    }

    #[test]
    fn only_netease_or_the_configured_hosts_verify() {
        let netease = ApiHosts::default();
        let ok = |url: &str, hosts: &ApiHosts| verify_page(url, hosts).is_ok();
        assert!(ok("https://st.music.163.com/encrypt-pages/x?a=1", &netease));
        assert!(ok("https://music.163.com/#/verify", &netease));
        for bad in [
            "http://st.music.163.com/x",
            "https://st.music.163.com:8443/x",
            "https://music.163.com.evil.example/x",
            "https://evil163.com/x",
            "https://user:pw@music.163.com/x",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "http://127.0.0.1:9999/__verify?id=1",
            "not a url",
        ] {
            assert!(!ok(bad, &netease), "{bad}");
        }
        let emulator = ApiHosts::all("http://127.0.0.1:9999").unwrap();
        assert!(ok("http://127.0.0.1:9999/__verify?id=1", &emulator));
        assert!(!ok("http://127.0.0.1:9998/__verify?id=1", &emulator));
    }

    #[test]
    fn the_stored_session_hides_its_tokens() {
        let session = StoredSession {
            device: DeviceIdentity::generate(ClientOs::Pc, &mut OsEntropy, 0).unwrap(),
            credentials: Credentials {
                music_u: Some("SECRET-U".into()),
                csrf: None,
                music_a: None,
            },
            xeapi_key: None,
            xeapi_session: None,
        };
        let shown = format!("{session:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        let json = serde_json::to_string(&session).unwrap();
        assert_eq!(
            serde_json::from_str::<StoredSession>(&json).unwrap(),
            session
        );
    }
}
