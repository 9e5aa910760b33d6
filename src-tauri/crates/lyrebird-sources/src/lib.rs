//! The user's music servers and the player's source registry, on the shell's side.
//!
//! The actor owns the servers (in its settings) and the registry in use; this module holds
//! neither. [`ServersHandle`] turns what the user typed into [`SourceChange`]s (a new secret is
//! stored first, in [`SecretStore`]), tests connections, and browses servers and fetches
//! remote covers through the clients of the registry the actor has in use.
//! [`build_registries`] follows the sources the actor wants (a watch channel, one generation
//! per change), builds each registry — every enabled server with its secret, and the local
//! library as a source the fallback race can search — and hands it back with its generation;
//! the actor drops one built for a generation it no longer wants.

use std::collections::HashMap;
use std::sync::Arc;

use lyrebird_core::certificate::CertificatePin;
use lyrebird_core::netease::NETEASE_SOURCE_ID;
use lyrebird_core::provider::{
    self, FindFuture, LikeFuture, ResolveError, ResolveFuture, ScrobbleFuture, ScrobbleKind,
    Source, SourceEntry, Sources,
};
use lyrebird_core::servers::{
    BrowsePage, BrowseRequest, LIBRARY_SOURCE_ID, RemoteAlbum, RemoteArtist, RemotePlaylist,
    SecretStorage, ServerAuth, ServerInput, ServerSettings, ServerTest, SourceChange,
    SourceSettings, WantedSources,
};
use lyrebird_core::{PlayerHandle, SourceKind, Track, TrackId};
use lyrebird_library::service::LibraryHandle;
use lyrebird_subsonic::{
    AlbumListType, SearchCounts, Secret, ServerConfig, Song, SubsonicClient, SubsonicError,
};
use tokio_util::sync::CancellationToken;

pub mod copies;
pub mod netease;
pub mod secrets;

use crate::netease::NeteaseSession;
use crate::secrets::SecretStore;

/// The label of the local library among the sources. The UI shows it in the user's language.
pub const LIBRARY_LABEL: &str = "library";
/// How many copies the library offers the fallback race.
const LIBRARY_FIND_LIMIT: usize = 20;
/// What servers transcode to when the user caps the bitrate.
const TRANSCODE_FORMAT: &str = "mp3";
/// How many items a browse page lists.
const PAGE_SIZE: u32 = 100;
/// The largest cover a server may send; a bigger one is refused, not read.
const MAX_COVER_BYTES: usize = 16 << 20;
/// A cover that has not arrived whole by then is given up.
const COVER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);
/// How long "Test connection" waits to read a certificate it can show.
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Why a server request failed, worded for the user.
pub type ServerError = String;

/// What the server commands need: messages to the actor and the secret store (requests go
/// through each server's client in the registry). No state of its own: cheap to clone,
/// nothing to lock.
#[derive(Clone)]
pub struct ServersHandle {
    player: PlayerHandle,
    secrets: SecretStore,
}

impl ServersHandle {
    #[must_use]
    pub fn new(player: PlayerHandle, secrets: SecretStore) -> Self {
        Self { player, secrets }
    }

    /// Add a server (empty `id`) or change one. A new server needs its secret; a changed one
    /// keeps the stored secret when `secret` is `None` or empty, as long as its address and
    /// user stay the same. Answers once the server is registered (or removed from the
    /// registry, when disabled).
    pub async fn save(&self, input: ServerInput) -> Result<ServerSettings, ServerError> {
        let current = self
            .player
            .source_settings()
            .await
            .map_err(|e| e.to_string())?;
        let is_new = input.id.is_empty();
        let id = if is_new { new_id() } else { input.id.clone() };
        let secret = input.secret.as_deref().filter(|s| !s.is_empty());
        let mut server = ServerSettings {
            id: id.clone(),
            name: input.name.clone(),
            base_url: input.base_url.trim().to_owned(),
            user: input.user.clone(),
            auth: input.auth,
            certificate_pin: input.certificate_pin,
            legacy_password_auth: input.legacy_password_auth,
            max_bit_rate_kbps: input.max_bit_rate_kbps,
            enabled: input.enabled,
            // Checked as if stored; replaced by where it really went below.
            secret_storage: if secret.is_some() {
                SecretStorage::File
            } else {
                SecretStorage::None
            },
        };
        // The address must at least be one (the client says what is wrong with it).
        SubsonicClient::new(config_of(&server, Some("-".into()))).map_err(|e| e.to_string())?;
        let change = |server: ServerSettings| SourceChange::Save {
            server,
            secret_stored: secret.is_some(),
        };
        // Checked before the secret is stored, so a refused change leaves the keyring alone.
        current
            .apply(change(server.clone()))
            .map_err(|e| e.to_string())?;
        if let Some(secret) = secret {
            server.secret_storage = self.secrets.store(&id, secret).await?;
        }
        match self.player.change_sources(change(server)).await {
            Ok(saved) => saved.ok_or_else(|| "the server was not saved".to_owned()),
            Err(e) => {
                // Refused after all (changed meanwhile): a new server's secret goes too.
                if is_new && secret.is_some() {
                    self.secrets.delete(&id).await;
                }
                Err(e.to_string())
            }
        }
    }

    /// Remove a server and forget its secret.
    pub async fn remove(&self, id: String) -> Result<(), ServerError> {
        self.player
            .change_sources(SourceChange::Remove { id: id.clone() })
            .await
            .map_err(|e| e.to_string())?;
        self.secrets.delete(&id).await;
        Ok(())
    }

    /// Prefer sources in this order (source ids: `library`, `subsonic:<id>`).
    pub async fn set_order(&self, order: Vec<String>) -> Result<(), ServerError> {
        self.player
            .change_sources(SourceChange::Reorder { order })
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Sign in to the server as typed and say how it went, in the client's words. With no
    /// secret typed, the stored one is used only for the address and user it was stored for.
    pub async fn test(&self, input: ServerInput) -> ServerTest {
        let server = ServerSettings {
            base_url: input.base_url.trim().to_owned(),
            user: input.user.trim().to_owned(),
            auth: input.auth,
            certificate_pin: input.certificate_pin,
            legacy_password_auth: input.legacy_password_auth,
            ..ServerSettings::default()
        };
        let typed = input.secret.clone().filter(|s| !s.is_empty());
        let secret = if let Some(secret) = typed {
            Some(secret)
        } else {
            let stored = self
                .player
                .source_settings()
                .await
                .ok()
                .and_then(|settings| {
                    // A newly trusted certificate is a new party: not sent the stored secret.
                    settings.servers.into_iter().find(|s| {
                        s.id == input.id
                            && s.base_url == server.base_url
                            && s.user == server.user
                            && s.auth == server.auth
                            && s.certificate_pin == server.certificate_pin
                    })
                });
            let Some(stored) = stored else {
                // A certificate nobody vouches for is worth naming before the secret is typed:
                // the handshake fails before any secret would be sent.
                return ServerTest::Failed {
                    reason: "enter the password or API key".into(),
                    presented_certificate: untrusted_certificate(&server).await,
                };
            };
            self.secrets.load(&stored.id, stored.secret_storage).await
        };
        // A client of its own: the test settles authentication afresh.
        let result = match SubsonicClient::new(config_of(&server, secret)) {
            Ok(client) => client.auth_kind().await,
            Err(e) => Err(e),
        };
        match result {
            Ok(kind) => ServerTest::Ok {
                auth: format!("{kind:?}"),
            },
            Err(e) => ServerTest::Failed {
                presented_certificate: match e {
                    SubsonicError::Tls { .. } => untrusted_certificate(&server).await,
                    SubsonicError::CertificateChanged { presented } => Some(presented),
                    _ => None,
                },
                reason: e.to_string(),
            },
        }
    }

    /// The client of server `server` in the registry the actor has in use.
    async fn client(&self, server: &str) -> Option<SubsonicClient> {
        let sources = self.player.sources().await.ok()?;
        let entry = sources.by_id(&format!("subsonic:{server}"))?;
        entry.handle::<SubsonicClient>().cloned()
    }

    /// One page of a registered server; its tracks can then be played by id.
    pub async fn browse(
        &self,
        server: String,
        request: BrowseRequest,
    ) -> Result<BrowsePage, ServerError> {
        let client = self
            .client(&server)
            .await
            .ok_or_else(|| "this server is not enabled".to_owned())?;
        let page = browse(&client, &server, request)
            .await
            .map_err(|e| e.to_string())?;
        // The actor keeps what the server listed: the webview plays and queues these by id.
        if !page.tracks.is_empty() {
            self.player
                .act(lyrebird_core::actor::Action::RememberListed(
                    page.tracks.clone(),
                ))
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(page)
    }

    /// The cover of a remote track (`subsonic:<server>:<song>`), by the cover-art id that
    /// travels with the track (`art`; the song's own id when the track has none): fetched here,
    /// so the webview never sees the credentialed URL. Bounded in time and size; images only.
    pub async fn cover(&self, track: &TrackId, art: Option<&str>) -> Option<(String, Vec<u8>)> {
        let (server, song) = split_track_id(track)?;
        let client = self.client(server).await?;
        let url = client
            .cover_art_url(art.unwrap_or(song), Some(512))
            .await
            .ok()?;
        // The server's own client: its trusted certificate, its redirect policy.
        fetch_cover(client.http_client(), url.as_str()).await
    }
}

/// A cover picture at `url`: an image type webviews show, at most [`MAX_COVER_BYTES`],
/// within [`COVER_TIMEOUT`]; `None` for anything else.
pub(crate) async fn fetch_cover(http: &reqwest::Client, url: &str) -> Option<(String, Vec<u8>)> {
    let fetch = async {
        let mut response = http.get(url).send().await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let mime = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(cover_type)?;
        if response
            .content_length()
            .is_some_and(|n| n > MAX_COVER_BYTES as u64)
        {
            return None;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.ok()? {
            if bytes.len() + chunk.len() > MAX_COVER_BYTES {
                return None;
            }
            bytes.extend_from_slice(&chunk);
        }
        Some((mime.to_owned(), bytes))
    };
    tokio::time::timeout(COVER_TIMEOUT, fetch).await.ok()?
}

/// The image types the cover protocol serves (what a server says it sent, checked against
/// the ones webviews show); anything else is not a cover.
fn cover_type(content_type: &str) -> Option<&'static str> {
    let essence = content_type.split(';').next()?.trim();
    ["image/jpeg", "image/png", "image/gif", "image/webp"]
        .into_iter()
        .find(|t| essence.eq_ignore_ascii_case(t))
}

/// Build the registry the actor wants, for every generation it publishes, and hand it back.
/// A generation replaced while its registry was being built is built again at once for the
/// newest one (the actor would drop the older one anyway). The NetEase session's owner may
/// ask for the same generation to be built again (its credentials changed). Ends when the
/// actor does.
pub async fn build_registries(
    player: PlayerHandle,
    mut wanted: tokio::sync::watch::Receiver<WantedSources>,
    builder: RegistryBuilder,
) {
    let mut rebuilds = builder.netease.as_ref().map(NeteaseSession::rebuilds);
    loop {
        let WantedSources {
            generation,
            settings,
        } = wanted.borrow_and_update().clone();
        let sources = builder.build(&settings).await;
        match player.registry_built(generation, sources).await {
            Ok(true) => tracing::debug!(?generation, "source registry in use"),
            Ok(false) => tracing::debug!(?generation, "source registry was stale"),
            Err(_) => return,
        }
        tokio::select! {
            changed = wanted.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            () = rebuild_asked(&mut rebuilds) => {}
        }
    }
}

/// Returns when the NetEase session's owner asks for a rebuild; never without one.
async fn rebuild_asked(rebuilds: &mut Option<tokio::sync::watch::Receiver<u64>>) {
    if let Some(r) = rebuilds
        && r.changed().await.is_ok()
    {
        return;
    }
    std::future::pending::<()>().await;
}

/// What a registry is built from: the library (a source for the fallback race), the secrets,
/// the shared HTTP client, and the NetEase session's owner (`None`: no NetEase).
#[derive(Clone)]
pub struct RegistryBuilder {
    pub library: LibraryHandle,
    pub secrets: SecretStore,
    pub http: Option<reqwest::Client>,
    pub netease: Option<NeteaseSession>,
}

impl RegistryBuilder {
    /// The secrets of the enabled servers, by server id. Each keyring call may take seconds and
    /// start-up waits for them, so they are asked for at once — after the first keyring one
    /// alone: a locked keyring prompts once, and the rest find it open.
    async fn load_secrets(&self, settings: &SourceSettings) -> HashMap<String, String> {
        let mut enabled: Vec<&ServerSettings> =
            settings.servers.iter().filter(|s| s.enabled).collect();
        let mut secrets = HashMap::new();
        if let Some(first) = enabled
            .iter()
            .position(|s| s.secret_storage == SecretStorage::Keyring)
        {
            let server = enabled.remove(first);
            if let Some(secret) = self.secrets.load(&server.id, server.secret_storage).await {
                secrets.insert(server.id.clone(), secret);
            }
        }
        let mut loads = tokio::task::JoinSet::new();
        for server in enabled {
            let (store, id, storage) = (
                self.secrets.clone(),
                server.id.clone(),
                server.secret_storage,
            );
            loads.spawn(async move {
                let secret = store.load(&id, storage).await;
                (id, secret)
            });
        }
        while let Some(loaded) = loads.join_next().await {
            if let Ok((id, Some(secret))) = loaded {
                secrets.insert(id, secret);
            }
        }
        secrets
    }

    /// The registry `settings` describe: the sources in the user's order, each enabled server
    /// with its secret (its client kept as the entry's handle, for browsing and covers), and
    /// the library.
    pub async fn build(&self, settings: &SourceSettings) -> Sources {
        let mut secrets = self.load_secrets(settings).await;
        let mut entries = Vec::new();
        for id in settings.ordered_ids() {
            if id == LIBRARY_SOURCE_ID {
                entries.push(SourceEntry::new(
                    LIBRARY_SOURCE_ID,
                    SourceKind::Local,
                    LIBRARY_LABEL,
                    Arc::new(LibrarySource(self.library.clone())),
                ));
                continue;
            }
            if id == NETEASE_SOURCE_ID {
                let netease = settings.netease_settings();
                if let (Some(user), Some(session)) = (&netease.user, &self.netease)
                    && let Some(entry) =
                        netease::registry_entry(session, user, netease.quality).await
                {
                    entries.push(entry);
                }
                continue;
            }
            let Some(server) = settings
                .servers
                .iter()
                .find(|s| s.source_id() == id && s.enabled)
            else {
                continue;
            };
            let secret = secrets.remove(&server.id);
            if secret.is_none() {
                tracing::warn!(server = %server.name, "no secret found for this server; it is not registered");
                continue;
            }
            let mut builder = SubsonicClient::builder(config_of(server, secret));
            if let Some(http) = &self.http {
                builder = builder.http_client(http.clone());
            }
            match builder.build() {
                Ok(client) => {
                    let label = if server.name.is_empty() {
                        client.server_key()
                    } else {
                        server.name.clone()
                    };
                    entries.push(
                        SourceEntry::new(
                            id.clone(),
                            SourceKind::Subsonic,
                            label,
                            Arc::new(ServerSource {
                                prefix: track_prefix(&server.id),
                                client: client.clone(),
                            }),
                        )
                        .owning_ids_starting_with(track_prefix(&server.id))
                        .with_handle(Arc::new(client)),
                    );
                }
                Err(e) => {
                    tracing::warn!(server = %server.name, error = %e, "server not registered");
                }
            }
        }
        tracing::info!(sources = entries.len(), "sources registered");
        Sources::from_entries(entries)
    }
}

/// `subsonic:<server id>:`: the start of every track id of that server.
fn track_prefix(server: &str) -> String {
    format!("{}{server}:", lyrebird_subsonic::TRACK_ID_PREFIX)
}

/// `subsonic:<server>:<song>` → (server, song).
fn split_track_id(track: &TrackId) -> Option<(&str, &str)> {
    let rest = track.0.strip_prefix(lyrebird_subsonic::TRACK_ID_PREFIX)?;
    let (server, song) = rest.split_once(':')?;
    (!server.is_empty() && !song.is_empty()).then_some((server, song))
}

/// A song of server `server` as the player's track.
fn song_track(song: &Song, server: &str) -> Track {
    let mut track = song.to_track();
    track.id = TrackId(format!("{}{}", track_prefix(server), song.id));
    track
}

/// The certificate `server` presents, when it is one its connections refuse (nobody
/// vouches for it, or it is not the one trusted): for "Test connection" to show its
/// fingerprint. Costs a request without credentials to the address, then a handshake that
/// sends nothing.
async fn untrusted_certificate(server: &ServerSettings) -> Option<CertificatePin> {
    // The server's client as it would be registered (its pin, if any); no secret in it.
    let client = SubsonicClient::new(config_of(server, Some("-".into()))).ok()?;
    let error = client
        .http_client()
        .get(&server.base_url)
        .timeout(PROBE_TIMEOUT)
        .send()
        .await
        .err()?;
    match lyrebird_tls::TlsFailure::in_chain(&error)? {
        lyrebird_tls::TlsFailure::Changed(changed) => Some(changed.presented),
        lyrebird_tls::TlsFailure::Refused(_) => {
            lyrebird_tls::presented_certificate(&server.base_url, PROBE_TIMEOUT)
                .await
                .inspect_err(|e| tracing::debug!(error = %e, "no certificate to show"))
                .ok()
        }
    }
}

fn config_of(server: &ServerSettings, secret: Option<String>) -> ServerConfig {
    let (password, api_key) = match server.auth {
        ServerAuth::Password => (secret.map(Secret::new), None),
        ServerAuth::ApiKey => (None, secret.map(Secret::new)),
    };
    ServerConfig {
        base_url: server.base_url.clone(),
        user: server.user.clone(),
        password,
        api_key,
        certificate_pin: server.certificate_pin,
        legacy_password_auth: server.legacy_password_auth,
        transcoding: server.max_bit_rate_kbps.map_or(
            lyrebird_subsonic::Transcoding::Original,
            |kbps| lyrebird_subsonic::Transcoding::Transcode {
                max_bit_rate_kbps: kbps,
                // The one format every Subsonic server's transcoder offers.
                format: TRANSCODE_FORMAT.into(),
            },
        ),
    }
}

/// A fresh server id: hex, no `:` (it is part of track ids).
fn new_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let count = COUNT.fetch_add(1, Ordering::Relaxed);
    #[allow(clippy::cast_possible_truncation)] // the low bits are what varies
    let value = (nanos as u64) ^ (u64::from(std::process::id()) << 32) ^ count;
    format!("{value:012x}").chars().rev().take(12).collect()
}

/// One page of `server` (each track carries its cover-art id).
async fn browse(
    client: &SubsonicClient,
    server: &str,
    request: BrowseRequest,
) -> Result<BrowsePage, lyrebird_subsonic::SubsonicError> {
    let songs = |songs: &[Song]| -> Vec<Track> {
        songs.iter().map(|song| song_track(song, server)).collect()
    };
    let mut page = BrowsePage::default();
    match request {
        BrowseRequest::Search { query } => {
            let counts = SearchCounts {
                artists: 20,
                albums: 20,
                songs: PAGE_SIZE,
            };
            let found = client.search(query.trim(), counts).await?;
            page.tracks = songs(&found.song);
            page.albums = found.album.iter().map(album).collect();
            page.artists = found.artist.iter().map(artist).collect();
        }
        BrowseRequest::Albums => {
            let albums = client
                .album_list(&AlbumListType::AlphabeticalByName, PAGE_SIZE, 0)
                .await?;
            page.albums = albums.iter().map(album).collect();
        }
        BrowseRequest::Album { id } => {
            let found = client.album(&id).await?;
            page.title = Some(found.name.clone());
            page.tracks = songs(&found.song);
        }
        BrowseRequest::Artists => {
            let index = client.artists().await?;
            page.artists = index
                .iter()
                .flat_map(|letter| letter.artist.iter().map(artist))
                .collect();
        }
        BrowseRequest::Artist { id } => {
            let found = client.artist(&id).await?;
            page.title = Some(found.name.clone());
            page.albums = found.album.iter().map(album).collect();
        }
        BrowseRequest::Playlists => {
            let lists = client.playlists().await?;
            page.playlists = lists
                .iter()
                .map(|p| RemotePlaylist {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    song_count: p.song_count,
                })
                .collect();
        }
        BrowseRequest::Playlist { id } => {
            let found = client.playlist(&id).await?;
            page.title = Some(found.name.clone());
            page.tracks = songs(&found.entry);
        }
        BrowseRequest::Starred => {
            let found = client.starred().await?;
            page.tracks = songs(&found.song);
            page.albums = found.album.iter().map(album).collect();
            page.artists = found.artist.iter().map(artist).collect();
        }
    }
    Ok(page)
}

fn album(album: &lyrebird_subsonic::Album) -> RemoteAlbum {
    RemoteAlbum {
        id: album.id.clone(),
        name: album.name.clone(),
        artist: album.artist.clone(),
        year: album.year,
        song_count: album.song_count,
    }
}

fn artist(artist: &lyrebird_subsonic::Artist) -> RemoteArtist {
    RemoteArtist {
        id: artist.id.clone(),
        name: artist.name.clone(),
        album_count: artist.album_count,
    }
}

/// One server as a source: its tracks are `subsonic:<server id>:<song id>`, so that several
/// servers can each resolve their own.
struct ServerSource {
    prefix: String,
    client: SubsonicClient,
}

impl ServerSource {
    /// `track` as the client knows it (`subsonic:<song>`), if it is one of this server's.
    fn to_client(&self, mut track: Track) -> Result<Track, String> {
        let Some(song) = track.id.0.strip_prefix(&self.prefix) else {
            return Err(format!("{} is not a track of this server", track.id));
        };
        track.id = lyrebird_subsonic::track_id(song);
        Ok(track)
    }
}

impl Source for ServerSource {
    fn resolve(&self, track: Track, cancel: CancellationToken) -> ResolveFuture {
        match self.to_client(track) {
            Ok(track) => self.client.resolve(track, cancel),
            Err(e) => Box::pin(async move { Err(ResolveError::Failed(e)) }),
        }
    }

    fn find(&self, wanted: Track, cancel: CancellationToken) -> FindFuture {
        let found = self.client.find(wanted, cancel);
        let prefix = self.prefix.clone();
        Box::pin(async move {
            let mut tracks = found.await?;
            for track in &mut tracks {
                if let Some(song) = lyrebird_subsonic::song_id(&track.id) {
                    track.id = TrackId(format!("{prefix}{song}"));
                }
            }
            Ok(tracks)
        })
    }

    fn scrobble(
        &self,
        track: Track,
        kind: ScrobbleKind,
        cancel: CancellationToken,
    ) -> ScrobbleFuture {
        match self.to_client(track) {
            Ok(track) => Source::scrobble(&self.client, track, kind, cancel),
            Err(e) => Box::pin(async move { Err(e) }),
        }
    }

    fn can_like(&self) -> bool {
        self.client.can_like()
    }

    fn like(&self, track: Track, liked: bool, cancel: CancellationToken) -> LikeFuture {
        match self.to_client(track) {
            Ok(track) => self.client.like(track, liked, cancel),
            Err(e) => Box::pin(async move { Err(e) }),
        }
    }
}

/// The local library as a source for the fallback race: `find` searches the index for the
/// wanted title; the copies it offers are files, which play as they are.
struct LibrarySource(LibraryHandle);

impl Source for LibrarySource {
    fn resolve(&self, track: Track, _cancel: CancellationToken) -> ResolveFuture {
        Box::pin(async move { provider::resolve_local(&track) })
    }

    fn find(&self, wanted: Track, cancel: CancellationToken) -> FindFuture {
        let library = self.0.clone();
        Box::pin(async move {
            let title = wanted.title.clone();
            let search = async {
                // Search and fetch the matches in one turn of the library thread.
                let found = library
                    .with_index(move |index| {
                        let ids = index.search(&title, LIBRARY_FIND_LIMIT)?;
                        index.tracks_by_ids(&ids)
                    })
                    .await
                    .map_err(|e| ResolveError::Failed(e.to_string()))?;
                Ok(found
                    .into_iter()
                    .filter(|t| t.id != wanted.id)
                    // A copy whose file is gone too is no copy.
                    .filter(|t| t.path.as_ref().is_some_and(|p| p.exists()))
                    .collect())
            };
            let found = cancel.run_until_cancelled(search).await;
            found.ok_or_else(|| ResolveError::Failed("search cancelled".into()))?
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn track_ids_name_their_server() {
        let song: Song = serde_json::from_str(r#"{"id": "42", "title": "晴天"}"#).unwrap();
        let track = song_track(&song, "a1b2");
        assert_eq!(track.id.0, "subsonic:a1b2:42");
        assert_eq!(split_track_id(&track.id), Some(("a1b2", "42")));
        assert_eq!(split_track_id(&TrackId("subsonic:42".into())), None);
        assert_eq!(split_track_id(&TrackId("local:42".into())), None);
        let id = new_id();
        assert!(!id.contains(':') && !id.is_empty(), "{id}");
        assert_ne!(id, new_id());
    }

    #[test]
    fn the_legacy_password_method_reaches_the_client_only_when_chosen() {
        let mut server = ServerSettings {
            base_url: "http://127.0.0.1:4040".into(),
            user: "ann".into(),
            ..ServerSettings::default()
        };
        assert!(!config_of(&server, Some("pw".into())).legacy_password_auth);
        server.legacy_password_auth = true;
        assert!(config_of(&server, Some("pw".into())).legacy_password_auth);
    }

    /// A Subsonic server on loopback that says "ok" to everything and records the request
    /// lines (`GET /rest/star?...`), one connection per request.
    fn recording_server() -> (String, Arc<Mutex<Vec<String>>>) {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                seen.lock().unwrap().push(line.trim().to_owned());
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let body = r#"{"subsonic-response":{"status":"ok","version":"1.16.1"}}"#;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        (base_url, requests)
    }

    /// The app's per-server wrapper hands scrobbles and likes to the server with the server's
    /// own song id (`subsonic:<server>:42` → `id=42`); tracks of another server are refused.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn scrobbles_and_likes_reach_the_server_with_its_song_id() {
        let (base_url, requests) = recording_server();
        let server = ServerSettings {
            id: "srv1".into(),
            base_url,
            user: "ann".into(),
            ..ServerSettings::default()
        };
        let source = ServerSource {
            prefix: track_prefix(&server.id),
            client: SubsonicClient::new(config_of(&server, Some("pw".into()))).unwrap(),
        };
        let mut track = Track::from_path("x".into(), SourceKind::Subsonic);
        track.id = TrackId("subsonic:srv1:42".into());
        track.path = None;
        let cancel = CancellationToken::new();

        assert!(source.can_like());
        source
            .scrobble(track.clone(), ScrobbleKind::NowPlaying, cancel.clone())
            .await
            .unwrap();
        source
            .like(track.clone(), true, cancel.clone())
            .await
            .unwrap();
        source
            .like(track.clone(), false, cancel.clone())
            .await
            .unwrap();
        let seen = requests.lock().unwrap().clone();
        let calls: Vec<&String> = seen
            .iter()
            .filter(|r| {
                ["/scrobble", "/star", "/unstar"]
                    .iter()
                    .any(|c| r.contains(c))
            })
            .collect();
        assert_eq!(calls.len(), 3, "{seen:#?}");
        for call in &calls {
            assert!(call.contains("id=42&") || call.contains("id=42 "), "{call}");
            assert!(!call.contains("srv1"), "{call}");
        }
        assert!(calls[0].contains("/scrobble") && calls[0].contains("submission=false"));
        assert!(
            calls[1].contains("/star") && !calls[1].contains("/unstar"),
            "{}",
            calls[1]
        );
        assert!(calls[2].contains("/unstar"), "{}", calls[2]);

        let mut foreign = track;
        foreign.id = TrackId("subsonic:other:42".into());
        let refused = source.like(foreign, true, cancel).await.unwrap_err();
        assert!(refused.contains("not a track of this server"), "{refused}");
        assert_eq!(requests.lock().unwrap().len(), seen.len(), "nothing sent");
    }

    #[test]
    fn a_bitrate_cap_is_an_mp3_transcode_and_none_is_the_original() {
        let mut server = ServerSettings {
            base_url: "https://music.example".into(),
            ..ServerSettings::default()
        };
        assert_eq!(
            config_of(&server, None).transcoding,
            lyrebird_subsonic::Transcoding::Original
        );
        server.max_bit_rate_kbps = Some(192);
        assert_eq!(
            config_of(&server, None).transcoding,
            lyrebird_subsonic::Transcoding::Transcode {
                max_bit_rate_kbps: 192,
                format: "mp3".into()
            }
        );
    }

    /// A tenth of a second of silence as a 16-bit mono WAV file.
    fn write_wav(path: &std::path::Path) {
        let samples = 800u32;
        let mut bytes = Vec::new();
        bytes.extend_from_slice(b"RIFF");
        bytes.extend_from_slice(&(36 + samples * 2).to_le_bytes());
        bytes.extend_from_slice(b"WAVEfmt ");
        bytes.extend_from_slice(&16u32.to_le_bytes());
        bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
        bytes.extend_from_slice(&1u16.to_le_bytes()); // mono
        bytes.extend_from_slice(&8000u32.to_le_bytes());
        bytes.extend_from_slice(&16_000u32.to_le_bytes());
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(&16u16.to_le_bytes());
        bytes.extend_from_slice(b"data");
        bytes.extend_from_slice(&(samples * 2).to_le_bytes());
        bytes.resize(bytes.len() + samples as usize * 2, 0);
        std::fs::write(path, bytes).unwrap();
    }

    /// The library as a fallback source: the copies it offers are indexed files whose title
    /// matches, not the wanted track itself and not files that are gone.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_library_offers_its_files_with_the_wanted_title() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["Sunny Day.wav", "Sunny Day (live).wav", "Other.wav"] {
            write_wav(&dir.path().join(name));
        }
        let (library, _) = LibraryHandle::spawn(None);
        library
            .sync(vec![dir.path().to_owned()], SourceKind::Local, |_| {})
            .await
            .unwrap();
        std::fs::remove_file(dir.path().join("Sunny Day (live).wav")).unwrap();
        let wanted = Track::new(
            TrackId("subsonic:srv:9".into()),
            SourceKind::Subsonic,
            "Sunny Day",
        );
        let found = LibrarySource(library)
            .find(wanted, CancellationToken::new())
            .await
            .unwrap();
        let titles: Vec<&str> = found.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(
            titles,
            ["Sunny Day"],
            "the gone file and the other title are left out"
        );
        assert!(found[0].path.as_ref().is_some_and(|p| p.exists()));
    }

    /// A keyring that refuses everything (none on the bus, or a locked one).
    struct NoKeyring;
    impl crate::secrets::Keyring for NoKeyring {
        fn set(&self, _: &str, _: &str) -> Result<(), String> {
            Err("org.freedesktop.secrets was not provided by any .service files".into())
        }
        fn get(&self, _: &str) -> Result<Option<String>, String> {
            Err("no keyring".into())
        }
        fn delete(&self, _: &str) -> Result<(), String> {
            Err("no keyring".into())
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_saved_server_keeps_its_secret_out_of_the_settings_file() {
        let dir = tempfile::tempdir().unwrap();
        let settings_path = dir.path().join("settings.json");
        let secrets = SecretStore::new(dir.path(), Some(Arc::new(NoKeyring)));
        let config = lyrebird_core::PlayerConfig {
            settings_path: Some(settings_path.clone()),
            ..lyrebird_core::PlayerConfig::default()
        };
        let (audio, _audio_rx) = tokio::sync::mpsc::unbounded_channel();
        let (_audio_events, audio_events) = tokio::sync::mpsc::unbounded_channel();
        let (player, _events, actor) = lyrebird_core::Player::new(config, audio, audio_events);
        tokio::spawn(actor);
        let servers = ServersHandle::new(player.clone(), secrets);

        let input = ServerInput {
            name: "Home".into(),
            base_url: "http://127.0.0.1:9/music".into(),
            user: "ann".into(),
            secret: Some("hunter2-secret".into()),
            enabled: true,
            ..ServerInput::default()
        };
        let saved = servers.save(input.clone()).await.unwrap();
        assert_eq!(saved.secret_storage, SecretStorage::File);
        assert!(!saved.id.is_empty());
        // A new server with no secret is refused; an edit without one keeps the stored one.
        let refused = servers
            .save(ServerInput {
                secret: None,
                ..input.clone()
            })
            .await;
        assert!(refused.is_err());
        let edited = servers
            .save(ServerInput {
                id: saved.id.clone(),
                name: "Home 2".into(),
                secret: None,
                ..input.clone()
            })
            .await
            .unwrap();
        assert_eq!(edited.secret_storage, SecretStorage::File);
        // The stored secret is not sent to another address, to save or to test.
        let moved = ServerInput {
            id: saved.id.clone(),
            base_url: "http://127.0.0.1:9/elsewhere".into(),
            secret: None,
            ..input
        };
        let refused = servers.save(moved.clone()).await.unwrap_err();
        assert!(refused.contains("enter the password"), "{refused}");
        assert!(matches!(
            servers.test(moved).await,
            ServerTest::Failed { reason, .. } if reason.contains("enter the password")
        ));

        player.shutdown().await.unwrap();
        let text = std::fs::read_to_string(&settings_path).unwrap();
        assert!(text.contains("http://127.0.0.1:9/music"), "{text}");
        assert!(text.contains("Home 2"), "{text}");
        assert!(
            !text.contains("hunter2"),
            "the secret leaked into settings.json: {text}"
        );
        let file = dir.path().join(crate::secrets::SECRETS_FILE);
        assert!(
            std::fs::read_to_string(&file)
                .unwrap()
                .contains("hunter2-secret")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{mode:o}");
        }
    }
}
