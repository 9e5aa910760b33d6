//! Music servers as the user set them up (without their secrets), and what the UI sees of a
//! server it browses. The shell turns these into registered [`crate::provider::Sources`].

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::certificate::CertificatePin;
use crate::model::Track;
use crate::netease::{NETEASE_SOURCE_ID, NeteaseQuality, NeteaseSettings, NeteaseUser};

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
    /// The certificate the user trusted for this server (trust on first use: "Test connection"
    /// showed its fingerprint). Connections accept that one certificate and no other; `None`:
    /// verified by the system's authorities. Earlier versions' "allow self-signed" switch is
    /// not carried over: it accepted any certificate, so the user compares the fingerprint once.
    #[ts(type = "string | null")]
    pub certificate_pin: Option<CertificatePin>,
    /// Send the password itself (hex-encoded, `p=enc:`) if the server refuses tokens, as
    /// supysonic does. Off unless the user turns it on; refused over plain `http://` except to
    /// this computer. Absent in settings of earlier versions: off.
    pub legacy_password_auth: bool,
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
    /// Source ids (`library`, `subsonic:<id>`, `netease`), most preferred first. Sources
    /// missing here come after those listed, the library first, then servers in the order
    /// they were added, then NetEase.
    pub order: Vec<String>,
    /// The NetEase account (absent until it is first signed in to). A source while signed in.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub netease: Option<NeteaseSettings>,
}

impl SourceSettings {
    /// Every source id, most preferred first: the listed order, then the rest.
    #[must_use]
    pub fn ordered_ids(&self) -> Vec<String> {
        let mut known = vec![LIBRARY_SOURCE_ID.to_owned()];
        known.extend(self.servers.iter().map(ServerSettings::source_id));
        if self.netease_user().is_some() {
            known.push(NETEASE_SOURCE_ID.to_owned());
        }
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

    /// Who is signed in to NetEase, if anyone.
    #[must_use]
    pub fn netease_user(&self) -> Option<&NeteaseUser> {
        self.netease.as_ref().and_then(|n| n.user.as_ref())
    }

    /// The NetEase account's settings (the defaults when it was never signed in to).
    #[must_use]
    pub fn netease_settings(&self) -> NeteaseSettings {
        self.netease.clone().unwrap_or_default()
    }

    /// The settings a registry is built from on a connection that is, or is not, `metered`:
    /// these, with NetEase's quality the one in effect there (and no second level). While
    /// nobody is signed in NetEase is no source, and the connection changes nothing. Two
    /// settings with the same projection build the same registry.
    #[must_use]
    pub fn for_registry(&self, metered: bool) -> Self {
        let mut built = self.clone();
        if let Some(netease) = &mut built.netease {
            if netease.user.is_some() {
                netease.quality = netease.quality_for(metered);
            }
            netease.quality_on_metered = None;
        }
        built
    }
}

/// A change to the user's sources, applied by the actor (the only writer of settings) through
/// [`SourceSettings::apply`]. The shell stores a new secret *before* it sends the change, so the
/// settings never name a secret that is not there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceChange {
    /// Add a server (its `id` new) or change one. `secret_stored` says the shell has just
    /// stored a new secret for it (kept in `server.secret_storage`); otherwise the stored one is
    /// kept, which is allowed only while the address and the user stay the same.
    Save {
        server: ServerSettings,
        secret_stored: bool,
    },
    /// Remove a server (the shell forgets its secret once the change is applied).
    Remove { id: String },
    /// Prefer sources in this order (source ids; unknown ones are dropped, missing ones follow).
    Reorder { order: Vec<String> },
    /// Signed in to NetEase as `user`: NetEase becomes a source. The shell stores the session
    /// in the secret store *before* it sends this.
    NeteaseSignedIn { user: NeteaseUser },
    /// Signed out of NetEase: it stops being a source (the queue is kept). The shell deletes
    /// the stored session once this is applied.
    NeteaseSignedOut,
    /// Stream NetEase at this quality (or the lower one a song is offered at).
    NeteaseQuality(NeteaseQuality),
    /// On a metered connection stream NetEase at this quality instead; `None`: the same as
    /// on any other.
    NeteaseQualityOnMetered(Option<NeteaseQuality>),
}

/// Why a [`SourceChange`] was refused; worded for the user. Refusals change nothing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SourceChangeError {
    #[error("no server with id {0}")]
    UnknownServer(String),
    #[error("a server id must be non-empty and must not contain ':'")]
    BadId,
    #[error("enter the server's address (http:// or https://)")]
    BadAddress,
    #[error("enter the user name")]
    NoUser,
    #[error("enter the password or API key")]
    NoSecret,
    #[error(
        "the address, user or trusted certificate changed: enter the password or API key again"
    )]
    SecretForAnotherServer,
    #[error("the server's {field} is too long (at most {max} characters)")]
    TooLong { field: &'static str, max: usize },
}

/// The longest name, address and user a server may have: far above any real one, and what
/// keeps a hostile caller from storing megabytes in the settings file.
const MAX_NAME_CHARS: usize = 200;
const MAX_URL_CHARS: usize = 2048;
const MAX_USER_CHARS: usize = 256;

impl SourceSettings {
    /// Apply `change`: the new settings, and the server as saved for a [`SourceChange::Save`].
    /// Pure: the actor calls it on its own settings, the shell on a copy to check a change
    /// before it stores a secret.
    pub fn apply(
        &self,
        change: SourceChange,
    ) -> Result<(Self, Option<ServerSettings>), SourceChangeError> {
        let mut next = self.clone();
        match change {
            SourceChange::Save {
                server,
                secret_stored,
            } => {
                let saved = next.save(server, secret_stored)?;
                Ok((next, Some(saved)))
            }
            SourceChange::Remove { id } => {
                if !next.servers.iter().any(|s| s.id == id) {
                    return Err(SourceChangeError::UnknownServer(id));
                }
                next.servers.retain(|s| s.id != id);
                let source_id = format!("subsonic:{id}");
                next.order.retain(|s| *s != source_id);
                Ok((next, None))
            }
            SourceChange::Reorder { order } => {
                next.order = order;
                next.order = next.ordered_ids();
                Ok((next, None))
            }
            SourceChange::NeteaseSignedIn { user } => {
                next.netease.get_or_insert_default().user = Some(user);
                Ok((next, None))
            }
            SourceChange::NeteaseSignedOut => {
                if let Some(netease) = &mut next.netease {
                    netease.user = None;
                }
                Ok((next, None))
            }
            SourceChange::NeteaseQuality(quality) => {
                next.netease.get_or_insert_default().quality = quality;
                Ok((next, None))
            }
            SourceChange::NeteaseQualityOnMetered(quality) => {
                next.netease.get_or_insert_default().quality_on_metered = quality;
                Ok((next, None))
            }
        }
    }

    fn save(
        &mut self,
        mut server: ServerSettings,
        secret_stored: bool,
    ) -> Result<ServerSettings, SourceChangeError> {
        if server.id.is_empty() || server.id.contains(':') {
            return Err(SourceChangeError::BadId);
        }
        server.name = server.name.trim().to_owned();
        server.base_url = server.base_url.trim().to_owned();
        server.user = server.user.trim().to_owned();
        server.max_bit_rate_kbps = server.max_bit_rate_kbps.filter(|k| *k > 0);
        for (field, value, max) in [
            ("id", &server.id, MAX_NAME_CHARS),
            ("name", &server.name, MAX_NAME_CHARS),
            ("address", &server.base_url, MAX_URL_CHARS),
            ("user name", &server.user, MAX_USER_CHARS),
        ] {
            if value.chars().count() > max {
                return Err(SourceChangeError::TooLong { field, max });
            }
        }
        let has_host = ["http://", "https://"].iter().any(|scheme| {
            server
                .base_url
                .get(..scheme.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
                && server.base_url.len() > scheme.len()
        });
        if !has_host {
            return Err(SourceChangeError::BadAddress);
        }
        if server.user.is_empty() && server.auth == ServerAuth::Password {
            return Err(SourceChangeError::NoUser);
        }
        let existing = self.servers.iter().position(|s| s.id == server.id);
        if !secret_stored {
            // The stored secret belongs to the address and user it was typed for: sending it
            // to another address would hand it to whoever answers there.
            let old = existing.map(|i| &self.servers[i]);
            match old {
                Some(old) if old.secret_storage != SecretStorage::None => {
                    // A newly trusted certificate is a new party to send the secret to.
                    if old.base_url != server.base_url
                        || old.user != server.user
                        || old.auth != server.auth
                        || old.certificate_pin != server.certificate_pin
                    {
                        return Err(SourceChangeError::SecretForAnotherServer);
                    }
                    server.secret_storage = old.secret_storage;
                }
                _ => return Err(SourceChangeError::NoSecret),
            }
        } else if server.secret_storage == SecretStorage::None {
            return Err(SourceChangeError::NoSecret);
        }
        match existing {
            Some(i) => self.servers[i] = server.clone(),
            None => self.servers.push(server.clone()),
        }
        Ok(server)
    }
}

/// A generation of the user's sources: bumped by every change the actor applies, so that a
/// registry built for an older one is recognised as stale and dropped.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Generation(pub u64);

/// What the actor wants registered: the sources of one generation. The shell builds a registry
/// for it (clients, secrets) and hands it back with the generation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WantedSources {
    pub generation: Generation,
    /// The user's sources as the registry is built from them
    /// ([`SourceSettings::for_registry`]): NetEase's quality is the one in effect on the
    /// connection the actor was last told of.
    pub settings: SourceSettings,
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
    /// The fingerprint the user trusted (see [`ServerSettings::certificate_pin`]).
    #[ts(type = "string | null")]
    pub certificate_pin: Option<CertificatePin>,
    /// See [`ServerSettings::legacy_password_auth`].
    pub legacy_password_auth: bool,
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
            .field("certificate_pin", &self.certificate_pin)
            .field("legacy_password_auth", &self.legacy_password_auth)
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
    Failed {
        reason: String,
        /// The fingerprint of the certificate the server presented, when the failure was that
        /// nobody vouches for it or that it is not the one trusted: the user may compare it
        /// with the server's and trust it.
        #[serde(
            default,
            rename = "presentedCertificate",
            skip_serializing_if = "Option::is_none"
        )]
        #[ts(optional, type = "string")]
        presented_certificate: Option<CertificatePin>,
    },
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
            netease: None,
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

    fn saved(id: &str, url: &str, storage: SecretStorage) -> ServerSettings {
        ServerSettings {
            id: id.into(),
            name: format!(" {id} "),
            base_url: url.into(),
            user: "ann".into(),
            enabled: true,
            secret_storage: storage,
            ..ServerSettings::default()
        }
    }

    fn save(server: ServerSettings, secret_stored: bool) -> SourceChange {
        SourceChange::Save {
            server,
            secret_stored,
        }
    }

    #[test]
    fn a_new_server_needs_its_secret_and_an_address() {
        let none = SourceSettings::default();
        let (next, server) = none
            .apply(save(saved("a", "http://h/", SecretStorage::File), true))
            .unwrap();
        assert_eq!(server.unwrap().name, "a", "trimmed");
        assert_eq!(next.servers.len(), 1);
        assert_eq!(
            none.apply(save(saved("a", "http://h/", SecretStorage::None), false)),
            Err(SourceChangeError::NoSecret)
        );
        assert_eq!(
            none.apply(save(saved("a", "h", SecretStorage::File), true)),
            Err(SourceChangeError::BadAddress)
        );
        assert_eq!(
            none.apply(save(saved("a:b", "http://h/", SecretStorage::File), true)),
            Err(SourceChangeError::BadId)
        );
        let mut nobody = saved("a", "https://h/", SecretStorage::File);
        nobody.user = " ".into();
        assert_eq!(
            none.apply(save(nobody, true)),
            Err(SourceChangeError::NoUser)
        );
        let mut huge = saved("a", "https://h/", SecretStorage::File);
        huge.name = "n".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(
            none.apply(save(huge, true)),
            Err(SourceChangeError::TooLong {
                field: "name",
                max: MAX_NAME_CHARS
            })
        );
        let long_url = format!("https://h/{}", "p".repeat(MAX_URL_CHARS));
        assert!(
            none.apply(save(saved("a", &long_url, SecretStorage::File), true))
                .is_err()
        );
    }

    #[test]
    fn an_edit_keeps_the_secret_only_for_the_same_address_and_user() {
        let (one, _) = SourceSettings::default()
            .apply(save(saved("a", "http://h/", SecretStorage::Keyring), true))
            .unwrap();
        let mut renamed = saved("a", "http://h/", SecretStorage::None);
        renamed.name = "Home".into();
        let (next, server) = one.apply(save(renamed, false)).unwrap();
        assert_eq!(server.unwrap().secret_storage, SecretStorage::Keyring);
        assert_eq!(next.servers[0].name, "Home");
        assert_eq!(
            one.apply(save(saved("a", "http://evil/", SecretStorage::None), false)),
            Err(SourceChangeError::SecretForAnotherServer)
        );
        let mut other_user = saved("a", "http://h/", SecretStorage::None);
        other_user.user = "bob".into();
        assert_eq!(
            one.apply(save(other_user, false)),
            Err(SourceChangeError::SecretForAnotherServer)
        );
        // With the secret typed again, the new address is taken.
        assert!(
            one.apply(save(saved("a", "http://new/", SecretStorage::File), true))
                .is_ok()
        );
    }

    #[test]
    fn a_newly_trusted_certificate_needs_the_secret_again() {
        let (one, _) = SourceSettings::default()
            .apply(save(saved("a", "https://h/", SecretStorage::Keyring), true))
            .unwrap();
        let mut pinned = saved("a", "https://h/", SecretStorage::None);
        pinned.certificate_pin = Some(CertificatePin::of_certificate(b"someone's certificate"));
        assert_eq!(
            one.apply(save(pinned.clone(), false)),
            Err(SourceChangeError::SecretForAnotherServer)
        );
        pinned.secret_storage = SecretStorage::Keyring;
        let (two, server) = one.apply(save(pinned.clone(), true)).unwrap();
        assert_eq!(server.unwrap().certificate_pin, pinned.certificate_pin);
        // Kept with the same pin; renamed without the secret.
        pinned.secret_storage = SecretStorage::None;
        pinned.name = "Home".into();
        assert!(two.apply(save(pinned, false)).is_ok());
    }

    #[test]
    fn remove_and_reorder_keep_the_order_consistent() {
        let (two, _) = SourceSettings::default()
            .apply(save(saved("a", "http://a/", SecretStorage::File), true))
            .unwrap();
        let (two, _) = two
            .apply(save(saved("b", "http://b/", SecretStorage::File), true))
            .unwrap();
        let (two, _) = two
            .apply(SourceChange::Reorder {
                order: vec!["subsonic:b".into(), "nope".into(), "library".into()],
            })
            .unwrap();
        assert_eq!(two.order, ["subsonic:b", "library", "subsonic:a"]);
        let (one, _) = two.apply(SourceChange::Remove { id: "b".into() }).unwrap();
        assert_eq!(one.order, ["library", "subsonic:a"]);
        assert_eq!(
            one.apply(SourceChange::Remove { id: "b".into() }),
            Err(SourceChangeError::UnknownServer("b".into()))
        );
    }

    #[test]
    fn netease_is_a_source_while_signed_in_and_keeps_its_quality() {
        let none = SourceSettings::default();
        assert_eq!(none.netease_user(), None);
        let user = NeteaseUser {
            id: 10001,
            nickname: "Ann".into(),
            avatar_url: None,
            vip: false,
        };
        let (quality, _) = none
            .apply(SourceChange::NeteaseQuality(NeteaseQuality::Lossless))
            .unwrap();
        assert_eq!(quality.ordered_ids(), ["library"], "not signed in yet");
        let (signed_in, _) = quality
            .apply(SourceChange::NeteaseSignedIn { user: user.clone() })
            .unwrap();
        assert_eq!(signed_in.ordered_ids(), ["library", "netease"]);
        assert_eq!(signed_in.netease_settings().status().user, Some(user));
        assert_eq!(
            signed_in.netease_settings().quality,
            NeteaseQuality::Lossless
        );
        let (first, _) = signed_in
            .apply(SourceChange::Reorder {
                order: vec!["netease".into()],
            })
            .unwrap();
        assert_eq!(first.ordered_ids(), ["netease", "library"]);
        let (out, _) = first.apply(SourceChange::NeteaseSignedOut).unwrap();
        assert_eq!(out.ordered_ids(), ["library"]);
        assert_eq!(
            out.netease_settings().quality,
            NeteaseQuality::Lossless,
            "kept"
        );
        // Settings files from before NetEase read as "never signed in".
        let old: SourceSettings = serde_json::from_str(r#"{"servers":[],"order":[]}"#).unwrap();
        assert_eq!(old.netease, None);
        assert!(!serde_json::to_string(&old).unwrap().contains("netease"));
    }

    #[test]
    fn the_registry_is_built_with_the_quality_in_effect_on_the_connection() {
        let user = NeteaseUser {
            id: 10001,
            nickname: "Ann".into(),
            avatar_url: None,
            vip: false,
        };
        let (lossless, _) = SourceSettings::default()
            .apply(SourceChange::NeteaseQuality(NeteaseQuality::Lossless))
            .unwrap();
        let (both, _) = lossless
            .apply(SourceChange::NeteaseQualityOnMetered(Some(
                NeteaseQuality::Standard,
            )))
            .unwrap();
        let quality = |s: &SourceSettings| s.netease_settings().quality;
        // Signed out, NetEase is no source: the connection changes nothing to build.
        assert_eq!(both.for_registry(true), both.for_registry(false));
        let (signed_in, _) = both.apply(SourceChange::NeteaseSignedIn { user }).unwrap();
        assert_eq!(
            quality(&signed_in.for_registry(false)),
            NeteaseQuality::Lossless
        );
        assert_eq!(
            quality(&signed_in.for_registry(true)),
            NeteaseQuality::Standard
        );
        // "The same as always" on a metered connection, or a second level equal to the first,
        // builds what one level does.
        let (same, _) = signed_in
            .apply(SourceChange::NeteaseQualityOnMetered(None))
            .unwrap();
        assert_eq!(quality(&same.for_registry(true)), NeteaseQuality::Lossless);
        assert_eq!(same.for_registry(true), same.for_registry(false));
        let (equal, _) = signed_in
            .apply(SourceChange::NeteaseQualityOnMetered(Some(
                NeteaseQuality::Lossless,
            )))
            .unwrap();
        assert_eq!(equal.for_registry(true), same.for_registry(false));
        // Settings of earlier versions have no second level.
        let old: NeteaseSettings = serde_json::from_str(r#"{"quality":"hires"}"#).unwrap();
        assert_eq!(old.quality_on_metered, None);
        assert_eq!(old.quality_for(true), NeteaseQuality::Hires);
        let saved = serde_json::to_value(signed_in.netease_settings()).unwrap();
        assert_eq!(saved["qualityOnMetered"], "standard");
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

    #[test]
    fn legacy_password_auth_is_off_in_settings_of_earlier_versions() {
        let old: ServerSettings = serde_json::from_str(
            r#"{"id":"a","name":"Home","baseUrl":"http://h","user":"ann","auth":"password",
                "allowSelfSigned":true,"enabled":true,"secretStorage":"keyring"}"#,
        )
        .unwrap();
        assert!(!old.legacy_password_auth);
        // "Allow self-signed" accepted any certificate: not carried over as trust in one.
        assert_eq!(old.certificate_pin, None);
        let json = serde_json::to_string(&ServerSettings {
            legacy_password_auth: true,
            ..old
        })
        .unwrap();
        assert!(json.contains(r#""legacyPasswordAuth":true"#), "{json}");
    }
}
