//! The NetEase endpoints Lyrebird uses, each with the scheme the npm package 4.40.1 uses (see
//! `docs/netease.md`), on top of [`build`] and [`send`].
//!
//! A [`NeteaseClient`] is a value: the shared `reqwest::Client`, the hosts, the device
//! identity, the credentials and the xeapi key and session. Its methods take `&self`, build
//! every request's headers afresh, and never change the client. What a reply changes — cookies
//! from `Set-Cookie` (a login), a new xeapi session, a freshly fetched xeapi key — comes back
//! in the [`Answer`] as a [`SessionUpdate`]; the one owner of the client (the registry, the
//! actor) decides whether to [`NeteaseClient::apply`] it. Two requests in flight share nothing
//! they could both write — the shared header map go-musicfox crashed on does not exist here.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use crate::api_error::{ApiError, check, error_for, reply_code};
use crate::crypto::xeapi::{self, ServerKey, Session};
use crate::crypto::{Entropy, OsEntropy};
use crate::lenient::{MAX_LIST_ITEMS, list, uint};
use crate::model::{
    AlbumDetail, ArtistAlbums, ArtistDetail, CloudPage, FollowedArtists, LoginStatus, Lyrics,
    PlaylistDetail, PlaylistPage, Privilege, QrStatus, Quality, SavedAlbums, Song, SongUrl,
    SongsReply,
};
use crate::request::{ApiCall, RequestContext, Scheme, build, build_xeapi_key_request};
use crate::{ApiHosts, ClientOs, Credentials, DeviceIdentity, Host, Params, Reply, send};

/// Where each request's random bytes come from: a fresh [`Entropy`] per request (the
/// operating system's by default; fixed bytes in tests, so a fake server can decrypt weapi).
pub type EntropySource = Arc<dyn Fn() -> Box<dyn Entropy> + Send + Sync>;

/// The most song ids one song-details request asks for (the npm package's limit).
pub const SONG_DETAIL_BATCH: usize = 1000;

/// What replies changed about the session; empty fields changed nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionUpdate {
    /// The credentials after the reply's `Set-Cookie` lines (a login, a refresh, a logout).
    pub credentials: Option<Credentials>,
    /// An xeapi key fetched because the client had none.
    pub xeapi_key: Option<ServerKey>,
    /// A new xeapi session from the reply headers.
    pub xeapi_session: Option<Session>,
}

impl SessionUpdate {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.credentials.is_none() && self.xeapi_key.is_none() && self.xeapi_session.is_none()
    }

    /// Adds what a later reply changed (later values win).
    pub fn merge(&mut self, later: SessionUpdate) {
        if later.credentials.is_some() {
            self.credentials = later.credentials;
        }
        if later.xeapi_key.is_some() {
            self.xeapi_key = later.xeapi_key;
        }
        if later.xeapi_session.is_some() {
            self.xeapi_session = later.xeapi_session;
        }
    }
}

/// An endpoint's answer and what it changed about the session.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer<T> {
    pub value: T,
    pub update: SessionUpdate,
}

impl<T> Answer<T> {
    pub(crate) fn new(value: T, update: SessionUpdate) -> Self {
        Self { value, update }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Answer<U> {
        Answer::new(f(self.value), self.update)
    }
}

/// A page of search results.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchPage {
    pub songs: Vec<Song>,
    /// How many songs match in all.
    pub total: Option<u64>,
}

/// A play to report (`/api/feedback/weblog`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scrobble {
    /// The song started (`startplay`: it goes into "recently played").
    Started,
    /// The song was listened to for this many seconds (`play`: it counts in the charts).
    Played { seconds: u64 },
}

/// A client of NetEase's API. Cheap to clone; see the module's documentation for how its
/// state changes.
#[derive(Clone)]
pub struct NeteaseClient {
    http: reqwest::Client,
    hosts: ApiHosts,
    device: DeviceIdentity,
    credentials: Credentials,
    xeapi_key: Option<ServerKey>,
    xeapi_session: Option<Session>,
    entropy: EntropySource,
}

impl std::fmt::Debug for NeteaseClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeteaseClient")
            .field("hosts", &self.hosts)
            .field("device_id", &self.device.device_id)
            .field("credentials", &self.credentials)
            .field("xeapi_key", &self.xeapi_key)
            .field("xeapi_session", &self.xeapi_session)
            .finish_non_exhaustive()
    }
}

impl NeteaseClient {
    /// A client for `device` with `credentials` (empty when nobody has logged in), sending
    /// through `http` to `hosts`.
    #[must_use]
    pub fn new(
        http: reqwest::Client,
        hosts: ApiHosts,
        device: DeviceIdentity,
        credentials: Credentials,
    ) -> Self {
        Self {
            http,
            hosts,
            device,
            credentials,
            xeapi_key: None,
            xeapi_session: None,
            entropy: Arc::new(|| Box::new(OsEntropy)),
        }
    }

    /// With a stored xeapi key and session (without a key, the first xeapi call fetches one
    /// and hands it back in its [`SessionUpdate`]).
    #[must_use]
    pub fn with_xeapi(mut self, key: Option<ServerKey>, session: Option<Session>) -> Self {
        self.xeapi_key = key;
        self.xeapi_session = session;
        self
    }

    /// With another source of random bytes (tests).
    #[must_use]
    pub fn with_entropy(mut self, entropy: EntropySource) -> Self {
        self.entropy = entropy;
        self
    }

    /// The same client with other credentials.
    #[must_use]
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Takes in what a reply changed. Only the client's owner calls this.
    pub fn apply(&mut self, update: &SessionUpdate) {
        if let Some(c) = &update.credentials {
            self.credentials = c.clone();
        }
        if let Some(k) = &update.xeapi_key {
            self.xeapi_key = Some(k.clone());
        }
        if let Some(s) = &update.xeapi_session {
            self.xeapi_session = Some(s.clone());
        }
    }

    #[must_use]
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    #[must_use]
    pub fn device(&self) -> &DeviceIdentity {
        &self.device
    }

    #[must_use]
    pub fn hosts(&self) -> &ApiHosts {
        &self.hosts
    }

    #[must_use]
    pub fn xeapi_key(&self) -> Option<&ServerKey> {
        self.xeapi_key.as_ref()
    }

    #[must_use]
    pub fn xeapi_session(&self) -> Option<&Session> {
        self.xeapi_session.as_ref()
    }

    /// Whether the credentials hold an account login (`MUSIC_U`), not just a guest token.
    #[must_use]
    pub fn is_logged_in(&self) -> bool {
        self.credentials.music_u.is_some()
    }

    // --- Login -------------------------------------------------------------------------

    /// A QR login key (eapi `/api/login/qrcode/unikey`).
    pub async fn qr_key(&self) -> Result<Answer<String>, ApiError> {
        let call = ApiCall::new(
            Scheme::Eapi,
            "/api/login/qrcode/unikey",
            Params::new().with("type", 3),
        );
        let (json, update) = self.request(call).await?;
        let key = json
            .get("unikey")
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty() && k.len() <= 256)
            .ok_or_else(|| ApiError::unexpected("no unikey"))?;
        Ok(Answer::new(key.to_owned(), update))
    }

    /// What the QR code must encode for `key` (the npm package's `login_qr_create`).
    #[must_use]
    pub fn qr_login_url(&self, key: &str) -> String {
        let key: String = url::form_urlencoded::byte_serialize(key.as_bytes()).collect();
        format!("{}/login?codekey={key}", self.hosts.web)
    }

    /// Where a QR login stands (eapi `/api/login/qrcode/client/login`). Once confirmed, the
    /// credentials are in the [`QrStatus::Confirmed`] and in the update.
    pub async fn qr_check(&self, key: &str) -> Result<Answer<QrStatus>, ApiError> {
        let call = ApiCall::new(
            Scheme::Eapi,
            "/api/login/qrcode/client/login",
            Params::new().with("key", key).with("type", 3),
        );
        let (reply, update) = self.exchange(&call, None).await?;
        let status = match reply_code(&reply.json) {
            Some(800) => QrStatus::Expired,
            Some(801) => QrStatus::Waiting,
            Some(802) => {
                let who = Who::deserialize(&reply.json).unwrap_or_default();
                QrStatus::Scanned {
                    nickname: who.nickname,
                    avatar_url: who.avatar_url,
                }
            }
            Some(803) => {
                let credentials = update
                    .credentials
                    .clone()
                    .filter(|c| c.music_u.is_some())
                    .ok_or_else(|| ApiError::unexpected("a confirmed login without MUSIC_U"))?;
                QrStatus::Confirmed { credentials }
            }
            Some(other) => return Err(error_for(other, &reply.json)),
            None => return Err(ApiError::unexpected("no code in the QR login reply")),
        };
        Ok(Answer::new(status, update))
    }

    /// The account behind the credentials (weapi `/api/w/nuser/account/get`). "Not logged
    /// in" is an answer here, not an error.
    pub async fn login_status(&self) -> Result<Answer<LoginStatus>, ApiError> {
        let call = ApiCall::new(Scheme::Weapi, "/api/w/nuser/account/get", Params::new());
        match self.request(call).await {
            Ok((json, update)) => Ok(Answer::new(LoginStatus::from_json(&json), update)),
            Err(ApiError::NotLoggedIn) => Ok(Answer::new(
                LoginStatus::LoggedOut,
                SessionUpdate::default(),
            )),
            Err(e) => Err(e),
        }
    }

    /// A guest account for this device (xeapi `/api/register/anonimous`): its `MUSIC_A`
    /// token, in the returned credentials and the update.
    pub async fn register_anonymous(&self) -> Result<Answer<Credentials>, ApiError> {
        let username = anonymous_username(&self.device.device_id);
        let call = ApiCall::new(
            Scheme::Xeapi,
            "/api/register/anonimous",
            Params::new().with("username", username),
        )
        // A second arrival would register a second guest.
        .not_repeatable();
        let (_, update) = self.request(call).await?;
        let credentials = update
            .credentials
            .clone()
            .filter(|c| c.music_a.is_some())
            .ok_or_else(|| ApiError::unexpected("no MUSIC_A cookie"))?;
        Ok(Answer::new(credentials, update))
    }

    // --- Songs -------------------------------------------------------------------------

    /// Today's recommended songs (weapi `/api/v3/discovery/recommend/songs`); needs a login.
    pub async fn daily_songs(&self) -> Result<Answer<Vec<Song>>, ApiError> {
        let call = ApiCall::new(
            Scheme::Weapi,
            "/api/v3/discovery/recommend/songs",
            Params::new(),
        );
        let (json, update) = self.request(call).await?;
        let daily = json
            .get("data")
            .map(|d| Daily::deserialize(d).unwrap_or_default())
            .unwrap_or_default();
        let songs = SongsReply {
            songs: daily.songs,
            privileges: daily.privileges,
        }
        .into_songs();
        Ok(Answer::new(songs, update))
    }

    /// The next few songs of the personal FM (weapi `/api/v1/radio/get`).
    pub async fn personal_fm(&self) -> Result<Answer<Vec<Song>>, ApiError> {
        let call = ApiCall::new(Scheme::Weapi, "/api/v1/radio/get", Params::new());
        let (json, update) = self.request(call).await?;
        Ok(Answer::new(songs_at(&json, "data"), update))
    }

    /// Throws a song out of the personal FM (weapi `/api/radio/trash/add`).
    pub async fn fm_trash(&self, song_id: u64) -> Result<Answer<()>, ApiError> {
        let call = ApiCall::new(
            Scheme::Weapi,
            "/api/radio/trash/add",
            Params::new()
                .with("songId", song_id.to_string())
                .with("alg", "RT")
                .with("time", 25),
        );
        Ok(self.request(call).await?.into())
    }

    /// Details of songs (weapi `/api/v3/song/detail`), [`SONG_DETAIL_BATCH`] ids per request,
    /// at most [`MAX_LIST_ITEMS`] in all; each song carries its privilege.
    pub async fn song_details(&self, ids: &[u64]) -> Result<Answer<Vec<Song>>, ApiError> {
        let mut songs = Vec::new();
        let mut update = SessionUpdate::default();
        for batch in ids[..ids.len().min(MAX_LIST_ITEMS)].chunks(SONG_DETAIL_BATCH) {
            let c = batch
                .iter()
                .map(|id| format!("{{\"id\":{id}}}"))
                .collect::<Vec<_>>()
                .join(",");
            let call = ApiCall::new(
                Scheme::Weapi,
                "/api/v3/song/detail",
                Params::new().with("c", format!("[{c}]")),
            );
            let (json, more) = self.request(call).await?;
            update.merge(more);
            songs.extend(
                SongsReply::deserialize(&json)
                    .unwrap_or_default()
                    .into_songs(),
            );
        }
        Ok(Answer::new(songs, update))
    }

    /// A song's stream URL at `level` (xeapi `/api/song/enhance/player/url/v1`). The reply
    /// may offer a lower level than asked ([`SongUrl::quality`] says which); with no URL for
    /// this account its `url` is `None` (see [`crate::playability::classify`]).
    pub async fn song_url(
        &self,
        song_id: u64,
        level: Quality,
    ) -> Result<Answer<SongUrl>, ApiError> {
        let params = Params::new()
            .with("ids", format!("[{song_id}]"))
            .with("level", level.as_str())
            .with("encodeType", "flac");
        let call = ApiCall::new(Scheme::Xeapi, "/api/song/enhance/player/url/v1", params);
        let (json, update) = self.request(call).await?;
        let urls = Urls::deserialize(&json).unwrap_or_default().data;
        let url = urls
            .iter()
            .position(|u| u.id == song_id)
            .map(|i| urls[i].clone())
            .unwrap_or(SongUrl {
                id: song_id,
                ..SongUrl::default()
            });
        Ok(Answer::new(url, update))
    }

    /// A song's lyrics (eapi `/api/song/lyric/v1`): LRC, translation, romanisation and the
    /// word-timed `yrc`.
    pub async fn lyrics(&self, song_id: u64) -> Result<Answer<Lyrics>, ApiError> {
        let mut params = Params::new()
            .with("id", song_id.to_string())
            .with("cp", false);
        for k in ["tv", "lv", "rv", "kv", "yv", "ytv", "yrv"] {
            params.set(k, 0);
        }
        let call = ApiCall::new(Scheme::Eapi, "/api/song/lyric/v1", params);
        let (json, update) = self.request(call).await?;
        Ok(Answer::new(Lyrics::from_json(&json), update))
    }

    /// Songs matching `query` (eapi `/api/cloudsearch/pc`, type 1), with their privileges.
    pub async fn search_songs(
        &self,
        query: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Answer<SearchPage>, ApiError> {
        let params = Params::new()
            .with("s", query)
            .with("type", 1)
            .with("limit", limit)
            .with("offset", offset)
            .with("total", true);
        let call = ApiCall::new(Scheme::Eapi, "/api/cloudsearch/pc", params);
        let (json, update) = self.request(call).await?;
        let found = json
            .get("result")
            .map(|r| Found::deserialize(r).unwrap_or_default())
            .unwrap_or_default();
        let page = SearchPage {
            songs: found.songs.into_iter().filter(|s| s.id != 0).collect(),
            total: found.total,
        };
        Ok(Answer::new(page, update))
    }

    // --- Albums and artists -------------------------------------------------------------

    /// An album and its songs (weapi `/api/v1/album/{id}`, as the npm package's `album`);
    /// each song carries its privilege, so VIP-only and greyed songs classify as a playlist's.
    pub async fn album(&self, id: u64) -> Result<Answer<AlbumDetail>, ApiError> {
        let call = ApiCall::new(Scheme::Weapi, format!("/api/v1/album/{id}"), Params::new());
        let (json, update) = self.request(call).await?;
        let detail =
            AlbumDetail::from_json(&json).ok_or_else(|| ApiError::unexpected("no album"))?;
        Ok(Answer::new(detail, update))
    }

    /// An artist and their most played songs (weapi `/api/v1/artist/{id}`, as the npm
    /// package's `artists`), with privileges.
    pub async fn artist(&self, id: u64) -> Result<Answer<ArtistDetail>, ApiError> {
        let call = ApiCall::new(Scheme::Weapi, format!("/api/v1/artist/{id}"), Params::new());
        let (json, update) = self.request(call).await?;
        let detail =
            ArtistDetail::from_json(&json).ok_or_else(|| ApiError::unexpected("no artist"))?;
        Ok(Answer::new(detail, update))
    }

    /// A page of an artist's albums, newest first (weapi `/api/artist/albums/{id}`, as the npm
    /// package's `artist_album`).
    pub async fn artist_albums(
        &self,
        id: u64,
        limit: u32,
        offset: u32,
    ) -> Result<Answer<ArtistAlbums>, ApiError> {
        let params = Params::new()
            .with("limit", limit)
            .with("offset", offset)
            .with("total", true);
        let call = ApiCall::new(Scheme::Weapi, format!("/api/artist/albums/{id}"), params);
        let (json, update) = self.request(call).await?;
        Ok(Answer::new(ArtistAlbums::from_json(&json), update))
    }

    // --- The user's music ----------------------------------------------------------------

    /// A page of the albums the logged-in user saved (weapi `/api/album/sublist`, as the npm
    /// package's `album_sublist`), most recently saved first.
    pub async fn subscribed_albums(
        &self,
        limit: u32,
        offset: u32,
    ) -> Result<Answer<SavedAlbums>, ApiError> {
        let params = Params::new()
            .with("limit", limit)
            .with("offset", offset)
            .with("total", true);
        let call = ApiCall::new(Scheme::Weapi, "/api/album/sublist", params);
        let (json, update) = self.request(call).await?;
        Ok(Answer::new(SavedAlbums::from_json(&json), update))
    }

    /// A page of the artists the logged-in user follows (weapi `/api/artist/sublist`, as the
    /// npm package's `artist_sublist`).
    pub async fn followed_artists(
        &self,
        limit: u32,
        offset: u32,
    ) -> Result<Answer<FollowedArtists>, ApiError> {
        let params = Params::new()
            .with("limit", limit)
            .with("offset", offset)
            .with("total", true);
        let call = ApiCall::new(Scheme::Weapi, "/api/artist/sublist", params);
        let (json, update) = self.request(call).await?;
        Ok(Answer::new(FollowedArtists::from_json(&json), update))
    }

    /// A page of a user's playlists (weapi `/api/user/playlist`).
    pub async fn user_playlists(
        &self,
        user_id: u64,
        limit: u32,
        offset: u32,
    ) -> Result<Answer<PlaylistPage>, ApiError> {
        let params = Params::new()
            .with("uid", user_id.to_string())
            .with("limit", limit)
            .with("offset", offset)
            .with("includeVideo", true);
        let call = ApiCall::new(Scheme::Weapi, "/api/user/playlist", params);
        let (json, update) = self.request(call).await?;
        let page = PlaylistPage::deserialize(&json).unwrap_or_default();
        Ok(Answer::new(page, update))
    }

    /// A playlist with its song ids and the songs the reply details (eapi
    /// `/api/v6/playlist/detail`).
    pub async fn playlist_detail(&self, id: u64) -> Result<Answer<PlaylistDetail>, ApiError> {
        let params = Params::new()
            .with("id", id.to_string())
            .with("n", 100_000)
            .with("s", 8);
        let call = ApiCall::new(Scheme::Eapi, "/api/v6/playlist/detail", params);
        let (json, update) = self.request(call).await?;
        let detail =
            PlaylistDetail::from_json(&json).ok_or_else(|| ApiError::unexpected("no playlist"))?;
        Ok(Answer::new(detail, update))
    }

    /// Every song of a playlist, in its order: the detail, then the songs it left out through
    /// [`NeteaseClient::song_details`].
    pub async fn playlist_songs(&self, id: u64) -> Result<Answer<Vec<Song>>, ApiError> {
        let Answer {
            value: detail,
            mut update,
        } = self.playlist_detail(id).await?;
        let mut known: std::collections::HashMap<u64, Song> =
            detail.songs.into_iter().map(|s| (s.id, s)).collect();
        let missing: Vec<u64> = detail
            .track_ids
            .iter()
            .copied()
            .filter(|id| !known.contains_key(id))
            .collect();
        if !missing.is_empty() {
            let more = self.song_details(&missing).await?;
            update.merge(more.update);
            known.extend(more.value.into_iter().map(|s| (s.id, s)));
        }
        let songs = detail
            .track_ids
            .iter()
            .filter_map(|id| known.remove(id))
            .collect();
        Ok(Answer::new(songs, update))
    }

    /// The ids of the songs a user likes (eapi `/api/song/like/get`).
    pub async fn liked_ids(&self, user_id: u64) -> Result<Answer<Vec<u64>>, ApiError> {
        let call = ApiCall::new(
            Scheme::Eapi,
            "/api/song/like/get",
            Params::new().with("uid", user_id.to_string()),
        );
        let (json, update) = self.request(call).await?;
        let ids = Ids::deserialize(&json).unwrap_or_default().ids;
        Ok(Answer::new(ids, update))
    }

    /// Likes or unlikes a song (weapi `/api/radio/like`).
    pub async fn like(&self, song_id: u64, liked: bool) -> Result<Answer<()>, ApiError> {
        let params = Params::new()
            .with("alg", "itembased")
            .with("trackId", song_id.to_string())
            .with("like", liked)
            .with("time", "3");
        let call = ApiCall::new(Scheme::Weapi, "/api/radio/like", params);
        Ok(self.request(call).await?.into())
    }

    /// A page of the user's cloud disk (weapi `/api/v1/cloud/get`).
    pub async fn cloud_songs(
        &self,
        limit: u32,
        offset: u32,
    ) -> Result<Answer<CloudPage>, ApiError> {
        let params = Params::new().with("limit", limit).with("offset", offset);
        let call = ApiCall::new(Scheme::Weapi, "/api/v1/cloud/get", params);
        let (json, update) = self.request(call).await?;
        Ok(Answer::new(CloudPage::from_json(&json), update))
    }

    /// Reports a play (eapi `/api/feedback/weblog` on the client-log host, claiming macOS as
    /// the npm package does). `source_id` is the playlist or album it was played from, if any.
    pub async fn scrobble(
        &self,
        song_id: u64,
        source_id: Option<u64>,
        what: Scrobble,
    ) -> Result<Answer<()>, ApiError> {
        let source = source_id.map(|s| s.to_string()).unwrap_or_default();
        let content = Value::String(format!("id={source}"));
        let logs = match what {
            Scrobble::Started => format!(
                r#"[{{"action":"startplay","json":{{"id":"{song_id}","type":"song","mainsite":"1","mainsiteWeb":"1","content":{content}}}}}]"#
            ),
            Scrobble::Played { seconds } => format!(
                r#"[{{"action":"play","json":{{"download":0,"end":"playend","id":"{song_id}","sourceId":{source},"time":{seconds},"type":"song","wifi":0,"source":"list","mainsite":"1","mainsiteWeb":"1","content":{content}}}}}]"#,
                source = Value::String(source.clone()),
            ),
        };
        let call = ApiCall::new(
            Scheme::Eapi,
            "/api/feedback/weblog",
            Params::new().with("logs", logs),
        )
        .on_host(Host::Clientlog)
        .as_os(ClientOs::Osx)
        // A second arrival would count the play twice in the user's record; one lost is
        // only a play not counted.
        .not_repeatable();
        Ok(self.request(call).await?.into())
    }

    // --- Sending -------------------------------------------------------------------------

    /// Sends `call` and checks the reply's code.
    pub(crate) async fn request(&self, call: ApiCall) -> Result<(Value, SessionUpdate), ApiError> {
        let mut update = SessionUpdate::default();
        let key = if call.scheme == Scheme::Xeapi {
            if let Some(k) = &self.xeapi_key {
                Some(k.clone())
            } else {
                let key = self.fetch_xeapi_key().await?;
                update.xeapi_key = Some(key.clone());
                Some(key)
            }
        } else {
            None
        };
        let (reply, more) = self.exchange(&call, key.as_ref()).await?;
        update.merge(more);
        check(reply.status, &reply.json)?;
        Ok((reply.json, update))
    }

    /// Builds (with its own headers, from this client's values) and sends one request; reads
    /// what the reply changed, without checking its code.
    pub(crate) async fn exchange(
        &self,
        call: &ApiCall,
        fetched_key: Option<&ServerKey>,
    ) -> Result<(Reply, SessionUpdate), ApiError> {
        let prepared = {
            // A key fetched just now belongs with no earlier session.
            let (xeapi_key, xeapi_session) = match fetched_key {
                Some(k) if self.xeapi_key.as_ref() != Some(k) => (Some(k), None),
                _ => (self.xeapi_key.as_ref(), self.xeapi_session.as_ref()),
            };
            let ctx = RequestContext {
                hosts: &self.hosts,
                device: &self.device,
                credentials: &self.credentials,
                xeapi_key,
                xeapi_session,
            };
            let mut entropy = (self.entropy)();
            build(call, &ctx, entropy.as_mut(), now_ms())?
        };
        let reply = send(&self.http, &prepared).await?;
        let update = SessionUpdate {
            credentials: credentials_after(&self.credentials, &reply.set_cookies),
            xeapi_key: None,
            xeapi_session: reply.session.clone(),
        };
        Ok((reply, update))
    }

    /// The server's xeapi key (a plain request to the key endpoint).
    async fn fetch_xeapi_key(&self) -> Result<ServerKey, ApiError> {
        let (prepared, nonce) = {
            let ctx = RequestContext {
                hosts: &self.hosts,
                device: &self.device,
                credentials: &self.credentials,
                xeapi_key: None,
                xeapi_session: None,
            };
            let mut entropy = (self.entropy)();
            build_xeapi_key_request(&ctx, entropy.as_mut(), now_ms())?
        };
        let reply = send(&self.http, &prepared).await?;
        check(reply.status, &reply.json)?;
        Ok(xeapi::read_key_reply(&reply.json, &nonce, None)?)
    }
}

impl From<(Value, SessionUpdate)> for Answer<()> {
    fn from((_, update): (Value, SessionUpdate)) -> Self {
        Answer::new((), update)
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Who {
    #[serde(deserialize_with = "crate::lenient::name")]
    nickname: Option<String>,
    #[serde(rename = "avatarUrl", deserialize_with = "crate::lenient::url")]
    avatar_url: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Daily {
    #[serde(rename = "dailySongs", deserialize_with = "list")]
    songs: Vec<Song>,
    #[serde(deserialize_with = "list")]
    privileges: Vec<Privilege>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Urls {
    #[serde(deserialize_with = "list")]
    data: Vec<SongUrl>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Found {
    #[serde(deserialize_with = "list")]
    songs: Vec<Song>,
    #[serde(rename = "songCount", deserialize_with = "uint")]
    total: Option<u64>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Ids {
    #[serde(deserialize_with = "list")]
    ids: Vec<u64>,
}

fn songs_at(json: &Value, field: &str) -> Vec<Song> {
    #[derive(Default, Deserialize)]
    #[serde(default)]
    struct Songs(#[serde(deserialize_with = "list")] Vec<Song>);
    json.get(field)
        .map(|v| Songs::deserialize(v).unwrap_or_default().0)
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s.id != 0)
        .collect()
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The credentials after `Set-Cookie` lines, when they change any of `MUSIC_U`, `__csrf` or
/// `MUSIC_A`: a cookie with a value sets it; an empty value or `Max-Age=0` removes it.
#[must_use]
pub fn credentials_after(current: &Credentials, set_cookies: &[String]) -> Option<Credentials> {
    let mut next = current.clone();
    for line in set_cookies {
        let mut parts = line.split(';');
        let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
            continue;
        };
        let removed = value.trim().is_empty()
            || parts.any(|attr| {
                attr.split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("max-age") && v.trim().starts_with('0')
                        || k.trim().eq_ignore_ascii_case("max-age") && v.trim().starts_with('-')
                })
            });
        let value = (!removed && value.len() <= 4096).then(|| value.trim().to_owned());
        match name.trim() {
            "MUSIC_U" => next.music_u = value,
            "__csrf" => next.csrf = value,
            "MUSIC_A" => next.music_a = value,
            _ => {}
        }
    }
    (next != *current).then_some(next)
}

/// The `username` of the anonymous registration: base64 of `"<deviceId> <digest>"`, where the
/// digest is base64 MD5 of the device id `XOR`ed with a fixed key (the npm package's
/// `cloudmusic_dll_encode_id`).
#[must_use]
pub fn anonymous_username(device_id: &str) -> String {
    use base64::Engine as _;
    use md5::{Digest, Md5};
    const KEY: &[u8] = b"3go8&$8*3*3h0k(2)2";
    // The npm package XORs UTF-16 code units and encodes the result as UTF-8; for an ASCII id
    // (ours is hex) that is the bytes XORed.
    let xored: String = device_id
        .chars()
        .zip(KEY.iter().cycle())
        .map(|(c, k)| char::from_u32(u32::from(c) ^ u32::from(*k)).unwrap_or(c))
        .collect();
    let b64 = base64::engine::general_purpose::STANDARD;
    let digest = b64.encode(Md5::digest(xored.as_bytes()));
    b64.encode(format!("{device_id} {digest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_cookie_lines_become_credentials() {
        let none = Credentials::default();
        let lines = [
            "MUSIC_U=abc123; Max-Age=1296000; Expires=Tue, 1 Jan 2030 00:00:00 GMT; Path=/; HTTPOnly"
                .to_owned(),
            "__csrf=c5; Max-Age=1296010; Path=/".to_owned(),
            "NMTID=x; Path=/".to_owned(),
        ];
        let c = credentials_after(&none, &lines).unwrap();
        assert_eq!(c.music_u.as_deref(), Some("abc123"));
        assert_eq!(c.csrf.as_deref(), Some("c5"));
        assert_eq!(c.music_a, None);
        assert_eq!(credentials_after(&c, &lines), None, "nothing changed");
        let gone = credentials_after(&c, &["MUSIC_U=; Max-Age=0; Path=/".to_owned()]).unwrap();
        assert_eq!((gone.music_u, gone.csrf.as_deref()), (None, Some("c5")));
        let gone = credentials_after(&c, &["MUSIC_U=old; max-age=0".to_owned()]).unwrap();
        assert_eq!(gone.music_u, None);
        assert_eq!(credentials_after(&none, &["garbage".to_owned()]), None);
    }

    #[test]
    fn anonymous_username_matches_the_npm_package() {
        use base64::Engine as _;
        // node: the package's cloudmusic_dll_encode_id and Base64 for this id.
        let name = anonymous_username("0123ABCD");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(&name)
            .unwrap();
        let decoded = String::from_utf8(decoded).unwrap();
        let (id, digest) = decoded.split_once(' ').unwrap();
        assert_eq!(id, "0123ABCD");
        assert_eq!(digest.len(), 24, "base64 of 16 bytes");
        assert_eq!(name, ANONYMOUS_0123ABCD);
    }

    const ANONYMOUS_0123ABCD: &str = "MDEyM0FCQ0QgYWVEckVrOERiQ0tGaGZjc2piNG4rdz09";
}
