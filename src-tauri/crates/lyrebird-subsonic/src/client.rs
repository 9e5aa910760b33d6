//! One server: building requests, settling authentication once, and the API calls.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::Url;
use tokio::sync::OnceCell;

use crate::auth::{Auth, AuthKind};
use crate::config::{ServerConfig, Transcoding};
use crate::error::{SubsonicError, code};
use crate::model::{
    Album, AlbumListPayload, Artist, ArtistIndex, ArtistsPayload, Extension, Found, Playlist,
    PlaylistsPayload,
};
use crate::response::{self, ListOf};
use serde::de::{DeserializeOwned, IgnoredAny};

/// Sent as `c=`: servers show it in their "now playing" and player lists.
pub const CLIENT_NAME: &str = "lyrebird";
/// Sent as `v=`: the last Subsonic API version (OpenSubsonic builds on it).
pub const API_VERSION: &str = "1.16.1";
/// The OpenSubsonic extension that makes `apiKey=` usable.
pub const API_KEY_EXTENSION: &str = "apiKeyAuthentication";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest answer read to one API call: a huge library's artist index or a 10 000-track
/// playlist is a few MiB; more is a hostile or broken server, not music.
pub const MAX_REPLY_BYTES: usize = 16 << 20;

/// A Subsonic/OpenSubsonic server. Cheap to clone (shared inside); holds only its
/// configuration, an HTTP client and the authentication it settled on, which is decided by the
/// first request and never changes afterwards.
#[derive(Clone)]
pub struct SubsonicClient(Arc<Inner>);

struct Inner {
    config: ServerConfig,
    /// The server's base, without `/rest`, query or trailing slash.
    base: Url,
    /// `host:port`, to name the server in messages.
    host: String,
    http: reqwest::Client,
    timeout: Duration,
    auth: OnceCell<Auth>,
}

impl std::fmt::Debug for SubsonicClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubsonicClient")
            .field("base", &self.0.base.as_str())
            .field("user", &self.0.config.user)
            .field("auth", &self.0.auth.get().map(Auth::kind))
            .finish_non_exhaustive()
    }
}

/// Which albums `getAlbumList2` lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlbumListType {
    Random,
    Newest,
    Highest,
    Frequent,
    Recent,
    AlphabeticalByName,
    AlphabeticalByArtist,
    Starred,
    ByYear { from: u32, to: u32 },
    ByGenre(String),
}

/// How many of each kind `search3` returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchCounts {
    pub artists: u32,
    pub albums: u32,
    pub songs: u32,
}

/// What a scrobble says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scrobble {
    /// The song started playing (`submission=false`).
    NowPlaying,
    /// The song was played (`submission=true`), at this time.
    Played { at: SystemTime },
}

/// What to star or unstar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StarItem {
    Song(String),
    Album(String),
    Artist(String),
}

/// Builds a [`SubsonicClient`].
#[derive(Debug)]
pub struct SubsonicClientBuilder {
    config: ServerConfig,
    http: Option<reqwest::Client>,
    timeout: Duration,
}

/// Follow redirects only to the same scheme, host and port (at most 10): a redirect must not
/// carry a Subsonic URL's credentials to another host, or to the same one in clear text.
pub use lyrebird_tls::same_server_redirects;

impl SubsonicClientBuilder {
    /// Use the app's shared HTTP client. Ignored for a server with a trusted certificate of its
    /// own: that trust belongs to this server alone, so it gets a client of its own.
    #[must_use]
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// How long one API request may take (default 15 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn build(self) -> Result<SubsonicClient, SubsonicError> {
        let base = normalize_base(&self.config.base_url)?;
        let host = match (base.host_str(), base.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => String::new(),
        };
        let http = match (self.config.certificate_pin, self.http) {
            (None, Some(shared)) => shared,
            (pin, _) => {
                let builder = match pin {
                    Some(pin) => lyrebird_tls::pinned_client_builder(pin).map_err(|e| {
                        SubsonicError::Tls {
                            detail: e.to_string(),
                        }
                    })?,
                    None => lyrebird_tls::client_builder().redirect(same_server_redirects()),
                };
                builder
                    .connect_timeout(CONNECT_TIMEOUT)
                    .build()
                    .map_err(|error| SubsonicError::from_reqwest(error, &host))?
            }
        };
        Ok(SubsonicClient(Arc::new(Inner {
            config: self.config,
            base,
            host,
            http,
            timeout: self.timeout,
            auth: OnceCell::new(),
        })))
    }
}

/// `https://h/x/`, `https://h/x/rest` and `https://h/x?y` all mean `https://h/x`.
fn normalize_base(address: &str) -> Result<Url, SubsonicError> {
    let invalid = |reason: &str| SubsonicError::InvalidAddress {
        address: without_user_info(address),
        reason: reason.to_owned(),
    };
    let mut url = Url::parse(address.trim()).map_err(|error| invalid(&error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("it must start with http:// or https://"));
    }
    if url.host_str().is_none() {
        return Err(invalid("it has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "put the user name and password in their own fields",
        ));
    }
    url.set_query(None);
    url.set_fragment(None);
    let path = url.path().trim_end_matches('/');
    let path = path.strip_suffix("/rest").unwrap_or(path).to_owned();
    url.set_path(&path);
    Ok(url)
}

/// `https://ann:pw@h` → `https://…@h`: an address typed with credentials must not show them.
fn without_user_info(address: &str) -> String {
    match (address.find("://"), address.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}…{}", &address[..scheme_end + 3], &address[at..])
        }
        _ => address.to_owned(),
    }
}

impl SubsonicClient {
    #[must_use]
    pub fn builder(config: ServerConfig) -> SubsonicClientBuilder {
        SubsonicClientBuilder {
            config,
            http: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// A client with its own HTTP client and the default timeout.
    pub fn new(config: ServerConfig) -> Result<Self, SubsonicError> {
        Self::builder(config).build()
    }

    #[must_use]
    pub fn config(&self) -> &ServerConfig {
        &self.0.config
    }

    /// The HTTP client this server's requests go through: the app's shared one, or this
    /// server's own when its user trusted a certificate of its own. For other requests to the
    /// same server (covers), so that they are checked the same way.
    #[must_use]
    pub fn http_client(&self) -> &reqwest::Client {
        &self.0.http
    }

    /// Names this server in cache keys: host, port and path (no user, no secret).
    #[must_use]
    pub fn server_key(&self) -> String {
        let path = self.0.base.path().trim_end_matches('/');
        format!("{}{path}", self.0.host)
    }

    /// The authentication this client uses, settling it first if no request has yet.
    pub async fn auth_kind(&self) -> Result<AuthKind, SubsonicError> {
        Ok(self.auth().await?.kind())
    }

    pub async fn ping(&self) -> Result<(), SubsonicError> {
        self.call_unit("ping", &[]).await
    }

    /// The OpenSubsonic extensions the server advertises (none for plain Subsonic servers,
    /// which do not know the method).
    pub async fn open_subsonic_extensions(&self) -> Result<Vec<Extension>, SubsonicError> {
        match self
            .call_list("getOpenSubsonicExtensions", &[], "openSubsonicExtensions")
            .await
        {
            Ok(extensions) => Ok(extensions),
            Err(SubsonicError::Api { .. } | SubsonicError::NotSubsonic { .. }) => Ok(Vec::new()),
            Err(error) => Err(error),
        }
    }

    pub async fn artists(&self) -> Result<Vec<ArtistIndex>, SubsonicError> {
        Ok(self
            .call::<ArtistsPayload>("getArtists", &[], "artists")
            .await?
            .index)
    }

    pub async fn artist(&self, id: &str) -> Result<Artist, SubsonicError> {
        self.call("getArtist", &[("id", id.to_owned())], "artist")
            .await
    }

    pub async fn album(&self, id: &str) -> Result<Album, SubsonicError> {
        self.call("getAlbum", &[("id", id.to_owned())], "album")
            .await
    }

    pub async fn album_list(
        &self,
        list: &AlbumListType,
        size: u32,
        offset: u32,
    ) -> Result<Vec<Album>, SubsonicError> {
        let kind = match list {
            AlbumListType::Random => "random",
            AlbumListType::Newest => "newest",
            AlbumListType::Highest => "highest",
            AlbumListType::Frequent => "frequent",
            AlbumListType::Recent => "recent",
            AlbumListType::AlphabeticalByName => "alphabeticalByName",
            AlbumListType::AlphabeticalByArtist => "alphabeticalByArtist",
            AlbumListType::Starred => "starred",
            AlbumListType::ByYear { .. } => "byYear",
            AlbumListType::ByGenre(_) => "byGenre",
        };
        let mut params = vec![
            ("type", kind.to_owned()),
            ("size", size.to_string()),
            ("offset", offset.to_string()),
        ];
        match list {
            AlbumListType::ByYear { from, to } => {
                params.push(("fromYear", from.to_string()));
                params.push(("toYear", to.to_string()));
            }
            AlbumListType::ByGenre(genre) => params.push(("genre", genre.clone())),
            _ => {}
        }
        Ok(self
            .call::<AlbumListPayload>("getAlbumList2", &params, "albumList2")
            .await?
            .album)
    }

    pub async fn playlists(&self) -> Result<Vec<Playlist>, SubsonicError> {
        Ok(self
            .call::<PlaylistsPayload>("getPlaylists", &[], "playlists")
            .await?
            .playlist)
    }

    pub async fn playlist(&self, id: &str) -> Result<Playlist, SubsonicError> {
        self.call("getPlaylist", &[("id", id.to_owned())], "playlist")
            .await
    }

    /// Everything the user starred (`getStarred2`).
    pub async fn starred(&self) -> Result<Found, SubsonicError> {
        self.call("getStarred2", &[], "starred2").await
    }

    pub async fn search(&self, query: &str, counts: SearchCounts) -> Result<Found, SubsonicError> {
        let params = [
            ("query", query.to_owned()),
            ("artistCount", counts.artists.to_string()),
            ("albumCount", counts.albums.to_string()),
            ("songCount", counts.songs.to_string()),
        ];
        self.call("search3", &params, "searchResult3").await
    }

    pub async fn scrobble(&self, song_id: &str, what: Scrobble) -> Result<(), SubsonicError> {
        let mut params = vec![("id", song_id.to_owned())];
        match what {
            Scrobble::NowPlaying => params.push(("submission", "false".to_owned())),
            Scrobble::Played { at } => {
                let millis = at
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_millis();
                params.push(("submission", "true".to_owned()));
                params.push(("time", millis.to_string()));
            }
        }
        self.call_unit("scrobble", &params).await
    }

    pub async fn star(&self, item: &StarItem) -> Result<(), SubsonicError> {
        self.call_unit("star", &[star_param(item)]).await
    }

    pub async fn unstar(&self, item: &StarItem) -> Result<(), SubsonicError> {
        self.call_unit("unstar", &[star_param(item)]).await
    }

    /// The address of a cover image (`getCoverArt`). It carries credentials: hand it to the
    /// code that fetches it, never to a log or the webview.
    pub async fn cover_art_url(
        &self,
        cover_id: &str,
        size: Option<u32>,
    ) -> Result<String, SubsonicError> {
        let mut params = vec![("id", cover_id.to_owned())];
        if let Some(size) = size {
            params.push(("size", size.to_string()));
        }
        let auth = self.auth().await?;
        Ok(self.url("getCoverArt", Some(auth), &params).into())
    }

    /// The address to stream a song from, at the configured quality. `time_offset_secs` is
    /// sent only when transcoding: servers can start a transcode anywhere, but an original file
    /// is seeked with HTTP ranges (and some servers reject `timeOffset` for music).
    /// Carries credentials, like [`Self::cover_art_url`].
    pub async fn stream_url(
        &self,
        song_id: &str,
        time_offset_secs: Option<u32>,
    ) -> Result<String, SubsonicError> {
        let mut params = vec![("id", song_id.to_owned())];
        match &self.0.config.transcoding {
            // `raw`: never let a per-player default on the server transcode behind our back.
            Transcoding::Original => params.push(("format", "raw".to_owned())),
            Transcoding::Transcode {
                max_bit_rate_kbps,
                format,
            } => {
                params.push(("maxBitRate", max_bit_rate_kbps.to_string()));
                params.push(("format", format.clone()));
                if let Some(offset) = time_offset_secs {
                    params.push(("timeOffset", offset.to_string()));
                }
            }
        }
        let auth = self.auth().await?;
        Ok(self.url("stream", Some(auth), &params).into())
    }

    /// The authentication, settled by the first caller; concurrent callers wait for that one
    /// attempt. A failed attempt is not remembered, so the next request tries again.
    async fn auth(&self) -> Result<&Auth, SubsonicError> {
        self.0.auth.get_or_try_init(|| self.negotiate()).await
    }

    /// API key if the server advertises them, else token; the hex password only when the
    /// server refuses tokens, the user allowed it for this server, and the connection is
    /// https:// or stays on this computer.
    async fn negotiate(&self) -> Result<Auth, SubsonicError> {
        let config = &self.0.config;
        if let Some(key) = &config.api_key {
            let api_key = Auth::ApiKey(key.clone());
            if self.advertises_api_keys(&api_key).await? {
                self.ping_with(&api_key).await?;
                return Ok(self.settled(api_key));
            }
            if config.password.is_none() {
                // A wrong address or a dead server says more than "no API keys".
                return match self.ping_with(&api_key).await {
                    Err(error) if error.api_code().is_none() => Err(error),
                    _ => Err(SubsonicError::ApiKeyNotSupported),
                };
            }
        }
        let Some(password) = &config.password else {
            return Err(SubsonicError::NoCredentials);
        };
        let token = Auth::Token {
            user: config.user.clone(),
            password: password.clone(),
        };
        match self.ping_with(&token).await {
            Ok(()) => Ok(self.settled(token)),
            Err(error) if refuses_tokens(&error) => {
                if !config.legacy_password_auth {
                    tracing::info!(server = %self.0.host, "subsonic: the server refuses token authentication ({error}) and the legacy password method is off for it");
                    return Err(SubsonicError::LegacyAuthNotEnabled);
                }
                if !private_enough_for_a_password(&self.0.base) {
                    tracing::warn!(server = %self.0.host, "subsonic: the legacy password method is refused over plain http:// off this computer");
                    return Err(SubsonicError::LegacyAuthOverPlainHttp {
                        host: self.0.host.clone(),
                    });
                }
                tracing::info!(server = %self.0.host, "subsonic: the server refuses token authentication ({error}); sending the password hex-encoded, as allowed for this server");
                let legacy = Auth::LegacyPassword {
                    user: config.user.clone(),
                    password: password.clone(),
                };
                self.ping_with(&legacy).await?;
                Ok(self.settled(legacy))
            }
            Err(error) => Err(error),
        }
    }

    fn settled(&self, auth: Auth) -> Auth {
        tracing::debug!(server = %self.0.host, auth = ?auth.kind(), "subsonic: authentication settled");
        auth
    }

    /// Whether `getOpenSubsonicExtensions` lists API keys. OpenSubsonic servers answer it
    /// without credentials; if one wants them, ask again with the key.
    async fn advertises_api_keys(&self, api_key: &Auth) -> Result<bool, SubsonicError> {
        let method = "getOpenSubsonicExtensions";
        let key = Some("openSubsonicExtensions");
        let reply = match self
            .fetch::<ListOf<Extension>>(self.url(method, None, &[]), key)
            .await
        {
            Err(error) if error.api_code().is_some() => {
                self.fetch(self.url(method, Some(api_key), &[]), key).await
            }
            other => other,
        };
        let extensions = match reply {
            Ok(list) => list.map(|list| list.0).unwrap_or_default(),
            Err(SubsonicError::WrongCredentials) => return Err(SubsonicError::WrongCredentials),
            // A plain Subsonic server: no such method, or no such credential (an error element,
            // or an HTML 404 page).
            Err(error)
                if error.api_code().is_some()
                    || matches!(error, SubsonicError::NotSubsonic { .. }) =>
            {
                Vec::new()
            }
            Err(error) => return Err(error),
        };
        Ok(extensions.iter().any(|e| e.name == API_KEY_EXTENSION))
    }

    /// A call whose reply must hold the element `key`, read as `T`.
    async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        params: &[(&'static str, String)],
        key: &str,
    ) -> Result<T, SubsonicError> {
        let auth = self.auth().await?;
        self.fetch(self.url(method, Some(auth), params), Some(key))
            .await?
            .ok_or_else(|| SubsonicError::NotSubsonic {
                what: format!("a reply without `{key}`"),
            })
    }

    /// A call whose list element `key` may be absent (servers omit empty lists).
    async fn call_list<T: DeserializeOwned>(
        &self,
        method: &str,
        params: &[(&'static str, String)],
        key: &str,
    ) -> Result<Vec<T>, SubsonicError> {
        let auth = self.auth().await?;
        let list = self
            .fetch::<ListOf<T>>(self.url(method, Some(auth), params), Some(key))
            .await?;
        Ok(list.map(|list| list.0).unwrap_or_default())
    }

    /// A call that answers only its status.
    async fn call_unit(
        &self,
        method: &str,
        params: &[(&'static str, String)],
    ) -> Result<(), SubsonicError> {
        let auth = self.auth().await?;
        self.fetch::<IgnoredAny>(self.url(method, Some(auth), params), None)
            .await
            .map(drop)
    }

    async fn ping_with(&self, auth: &Auth) -> Result<(), SubsonicError> {
        self.fetch::<IgnoredAny>(self.url("ping", Some(auth), &[]), None)
            .await
            .map(drop)
    }

    /// One request; its reply read (bounded) and parsed for the element `key`.
    async fn fetch<T: DeserializeOwned>(
        &self,
        url: Url,
        key: Option<&str>,
    ) -> Result<Option<T>, SubsonicError> {
        let host = &self.0.host;
        // Each request builds its own headers; nothing is shared between requests.
        let response = self
            .0
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .timeout(self.0.timeout)
            .send()
            .await
            .map_err(|error| SubsonicError::from_reqwest(error, host))?;
        let status = response.status().as_u16();
        // Bounded: a hostile or broken server could send gigabytes (the whole request, body
        // included, is also bounded in time by the timeout above).
        let too_large = || SubsonicError::ReplyTooLarge {
            host: host.clone(),
            limit_mib: MAX_REPLY_BYTES >> 20,
        };
        if response
            .content_length()
            .is_some_and(|n| n > MAX_REPLY_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut response = response;
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| SubsonicError::from_reqwest(error, host))?
        {
            if body.len() + chunk.len() > MAX_REPLY_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        response::parse(status, &body, host, key)
    }

    /// `<base>/rest/<method>.view?<auth>&c&v&f&<params>`: fresh authentication parameters
    /// (a new salt) on every call.
    fn url(&self, method: &str, auth: Option<&Auth>, params: &[(&'static str, String)]) -> Url {
        let mut url = self.0.base.clone();
        url.path_segments_mut()
            .expect("an http(s) URL has a path")
            .pop_if_empty()
            .push("rest")
            .push(&format!("{method}.view"));
        {
            let mut query = url.query_pairs_mut();
            for (name, value) in auth.map(Auth::params).unwrap_or_default() {
                query.append_pair(name, &value);
            }
            query
                .append_pair("c", CLIENT_NAME)
                .append_pair("v", API_VERSION)
                .append_pair("f", "json");
            for (name, value) in params {
                query.append_pair(name, value);
            }
        }
        url
    }
}

fn star_param(item: &StarItem) -> (&'static str, String) {
    match item {
        StarItem::Song(id) => ("id", id.clone()),
        StarItem::Album(id) => ("albumId", id.clone()),
        StarItem::Artist(id) => ("artistId", id.clone()),
    }
}

/// Whether a password may travel to `base` readable (hex): over TLS, or to this computer
/// (127.0.0.0/8, `::1`, `localhost`), where no network lies in between.
fn private_enough_for_a_password(base: &Url) -> bool {
    use std::net::IpAddr;
    if base.scheme() == "https" {
        return true;
    }
    let Some(host) = base.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => host.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
    }
}

/// The server will not take a token. 41 is the API's code for it; supysonic 0.7 instead
/// answers 10 ("a required parameter is missing": it looks for `p` only), and a `ping` needs
/// no parameter other than credentials, so on a ping that can only mean the same.
fn refuses_tokens(error: &SubsonicError) -> bool {
    matches!(
        error.api_code(),
        Some(code::TOKEN_AUTH_NOT_SUPPORTED | code::MISSING_PARAMETER)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_readable_password_goes_only_over_tls_or_to_this_computer() {
        for (address, private) in [
            ("https://music.example.org", true),
            ("https://192.0.2.7:4040", true),
            ("http://127.0.0.1:4040", true),
            ("http://127.8.9.10", true),
            ("http://[::1]:4040", true),
            ("http://localhost:4040", true),
            ("http://LOCALHOST.", true),
            ("http://music.example.org", false),
            ("http://192.168.1.2:4040", false),
            ("http://[::2]", false),
            ("http://localhost.example.org", false),
            ("http://128.0.0.1", false),
        ] {
            let base = normalize_base(address).unwrap();
            assert_eq!(private_enough_for_a_password(&base), private, "{address}");
        }
    }

    #[test]
    fn base_addresses_are_normalized() {
        for (given, expected) in [
            ("https://h.example/music/", "https://h.example/music"),
            ("https://h.example/music/rest", "https://h.example/music"),
            (
                "http://127.0.0.1:4533/rest/?x=1#y",
                "http://127.0.0.1:4533/",
            ),
            (" https://h.example ", "https://h.example/"),
        ] {
            assert_eq!(normalize_base(given).unwrap().as_str(), expected, "{given}");
        }
        for bad in ["h.example", "ftp://h.example", "https://ann:pw@h.example"] {
            let error = normalize_base(bad).unwrap_err();
            assert!(
                matches!(error, SubsonicError::InvalidAddress { .. }),
                "{bad}: {error:?}"
            );
        }
        let error = normalize_base("https://ann:pw@h.example").unwrap_err();
        assert!(!error.to_string().contains("pw@"), "{error}");
    }

    #[test]
    fn urls_carry_the_protocol_parameters() {
        let client =
            SubsonicClient::new(ServerConfig::with_password("http://h:1/m/", "ann", "pw")).unwrap();
        assert_eq!(client.server_key(), "h:1/m");
        let url = client.url("ping", None, &[("id", "a b&c".to_owned())]);
        assert_eq!(
            url.as_str(),
            "http://h:1/m/rest/ping.view?c=lyrebird&v=1.16.1&f=json&id=a+b%26c"
        );
    }

    /// A server on loopback that answers every request with `reply(path)` and records paths.
    fn loopback(
        reply: impl Fn(&str) -> String + Send + 'static,
    ) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                log.lock().unwrap().push(path.clone());
                let _ = stream.write_all(reply(&path).as_bytes());
            }
        });
        (port, seen)
    }

    #[tokio::test]
    async fn redirects_are_followed_to_the_same_server_only() {
        let (other, other_seen) = loopback(|_| {
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nother".into()
        });
        let (port, seen) = loopback(move |path| {
            let to = match path {
                "/away" => format!("http://127.0.0.1:{other}/stolen"),
                "/here" => "/there".to_owned(),
                _ => {
                    return "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nhome"
                        .into();
                }
            };
            format!(
                "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
        });
        let client = reqwest::Client::builder()
            .redirect(same_server_redirects())
            .build()
            .unwrap();
        let here = client
            .get(format!("http://127.0.0.1:{port}/here"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            here.text().await.unwrap(),
            "home",
            "followed on the same server"
        );
        let away = client
            .get(format!("http://127.0.0.1:{port}/away"))
            .send()
            .await
            .unwrap();
        assert_eq!(away.status(), 302, "not followed to another port");
        assert!(other_seen.lock().unwrap().is_empty());
        assert_eq!(*seen.lock().unwrap(), ["/here", "/there", "/away"]);
    }
}
