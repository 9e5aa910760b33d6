//! Music servers as the user set them up (without their secrets), and what the UI sees of a
//! server it browses. The shell turns these into registered [`crate::provider::Sources`].

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::Track;

/// The source id of the local library in [`SourceSettings::order`].
pub const LIBRARY_SOURCE_ID: &str = "library";

/// Where a server's password or API key is kept. Never the secret itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SecretStorage {
    /// Nothing stored yet.
    #[default]
    None,
    /// The OS keyring (Secret Service, Keychain, Credential Manager).
    Keyring,
    /// No keyring was available: a file in the config dir readable only by the user (0600).
    File,
}

/// How the user signs in to a server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ServerAuth {
    #[default]
    Password,
    /// An OpenSubsonic API key.
    ApiKey,
}

/// One Subsonic/OpenSubsonic server, as saved in the settings. The password or API key is not
/// here: it lives in the OS keyring (or the fallback file) under [`ServerSettings::id`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ServerSettings {
    /// Stable and unique; the source id is `subsonic:<id>`.
    pub id: String,
    /// What the user calls it ("Home server"); shown in "Playing from …".
    pub name: String,
    pub base_url: String,
    pub user: String,
    pub auth: ServerAuth,
    /// Accept a self-signed certificate for this server only.
    pub allow_self_signed: bool,
    /// Stream at most this many kbit/s (the server transcodes to MP3, usually without Range
    /// support, so a seek ahead waits for the stream to get there); absent: the original
    /// file, seeked by Range. Another quality is another file in the audio cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max_bit_rate_kbps: Option<u32>,
    /// Whether it is registered as a source (and takes part in the fallback race).
    pub enabled: bool,
    pub secret_storage: SecretStorage,
}

impl ServerSettings {
    /// Its id among the sources: `subsonic:<id>`.
    #[must_use]
    pub fn source_id(&self) -> String {
        format!("subsonic:{}", self.id)
    }
}

/// The user's sources: the servers, and the order in which sources are preferred.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct SourceSettings {
    pub servers: Vec<ServerSettings>,
    /// Source ids (`library`, `subsonic:<id>`), most preferred first. Sources missing here
    /// come after those listed, the library first, then servers in the order they were added.
    pub order: Vec<String>,
}

impl SourceSettings {
    /// Every source id, most preferred first: the listed order, then the rest.
    #[must_use]
    pub fn ordered_ids(&self) -> Vec<String> {
        let mut known = vec![LIBRARY_SOURCE_ID.to_owned()];
        known.extend(self.servers.iter().map(ServerSettings::source_id));
        let mut ids: Vec<String> = self
            .order
            .iter()
            .filter(|id| known.contains(id))
            .cloned()
            .collect();
        ids.dedup();
        let mut seen: std::collections::HashSet<String> = ids.iter().cloned().collect();
        for id in known {
            if seen.insert(id.clone()) {
                ids.push(id);
            }
        }
        ids
    }
}

/// What the user typed to add or change a server. `secret` is sent once, from the UI to the
/// backend, and never back; `None` when editing keeps the stored one.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ServerInput {
    /// Empty: a new server.
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub user: String,
    pub auth: ServerAuth,
    pub secret: Option<String>,
    pub allow_self_signed: bool,
    /// See [`ServerSettings::max_bit_rate_kbps`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max_bit_rate_kbps: Option<u32>,
    pub enabled: bool,
}

/// The secret shows as `<redacted>`: a logged input leaks nothing.
impl std::fmt::Debug for ServerInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerInput")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("user", &self.user)
            .field("auth", &self.auth)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("allow_self_signed", &self.allow_self_signed)
            .field("max_bit_rate_kbps", &self.max_bit_rate_kbps)
            .field("enabled", &self.enabled)
            .finish()
    }
}

/// What "Test connection" found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "result")]
pub enum ServerTest {
    /// Signed in; how (`apiKey`, `token`, `legacyPassword`).
    Ok { auth: String },
    /// What went wrong, worded for the user by the client.
    Failed { reason: String },
}

/// What to show of a server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum BrowseRequest {
    Search {
        query: String,
    },
    /// Albums, newest first.
    Albums,
    Album {
        id: String,
    },
    Artists,
    Artist {
        id: String,
    },
    Playlists,
    Playlist {
        id: String,
    },
    Starred,
}

/// An album on a server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoteAlbum {
    pub id: String,
    pub name: String,
    pub artist: Option<String>,
    pub year: Option<u32>,
    pub song_count: Option<u32>,
}

/// An artist on a server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoteArtist {
    pub id: String,
    pub name: String,
    pub album_count: Option<u32>,
}

/// A playlist on a server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemotePlaylist {
    pub id: String,
    pub name: String,
    pub song_count: Option<u32>,
}

/// One page of a server: whatever the request lists. Text is untrusted (it comes from the
/// server).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BrowsePage {
    /// The album's, artist's or playlist's name, for a page about one.
    pub title: Option<String>,
    pub tracks: Vec<Track>,
    pub albums: Vec<RemoteAlbum>,
    pub artists: Vec<RemoteArtist>,
    pub playlists: Vec<RemotePlaylist>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(id: &str) -> ServerSettings {
        ServerSettings {
            id: id.into(),
            ..ServerSettings::default()
        }
    }

    #[test]
    fn order_lists_every_source_once_preferred_first() {
        let mut sources = SourceSettings {
            servers: vec![server("a"), server("b")],
            order: vec![],
        };
        assert_eq!(
            sources.ordered_ids(),
            ["library", "subsonic:a", "subsonic:b"]
        );
        sources.order = vec![
            "subsonic:b".into(),
            "gone".into(),
            "subsonic:b".into(),
            "library".into(),
        ];
        assert_eq!(
            sources.ordered_ids(),
            ["subsonic:b", "library", "subsonic:a"]
        );
    }

    #[test]
    fn secrets_do_not_reach_debug_output() {
        let input = ServerInput {
            secret: Some("hunter2".into()),
            ..ServerInput::default()
        };
        let text = format!("{input:?}");
        assert!(
            !text.contains("hunter2") && text.contains("<redacted>"),
            "{text}"
        );
    }
}
