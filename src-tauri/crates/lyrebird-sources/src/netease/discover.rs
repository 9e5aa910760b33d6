//! The lists beyond playlists: recently played, the cloud disk, NetEase's charts, heartbeat
//! mode and search suggestions. Tracks go to the actor as every list's do
//! ([`NeteaseAccount::listed`]), so they play by id and a VIP-only or greyed one goes to the
//! fallback race when played.

use std::collections::HashSet;

use lyrebird_core::Track;
use lyrebird_core::events::LyricsView;
use lyrebird_core::netease::{
    NETEASE_SEARCH_ELSE_LIMIT, NeteaseArtist, NeteaseArtistRef, NeteaseChart, NeteaseError,
    NeteaseFound, NeteasePlaylist, NeteaseSuggestedAlbum, NeteaseSuggestedPlaylist,
    NeteaseSuggestedSong, NeteaseSuggestions,
};
use lyrebird_netease::discover::{RECENT_LIMIT, Suggestions};
use lyrebird_netease::model::Song;
use lyrebird_netease::source::song_to_track;

use super::{MAX_QUERY_CHARS, NeteaseAccount, error_of, lyrics_view};

/// Songs a lyrics search looks through.
const LYRICS_CANDIDATES: u32 = 10;

/// How many cloud-disk songs are listed.
pub const CLOUD_LIMIT: u32 = 1000;
/// How many of the user's playlists are looked through for the liked-songs one.
const LIKED_PLAYLIST_SEARCH: u32 = 30;

fn count(n: Option<u64>) -> u32 {
    n.map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
}

fn artists_of(song: &Song) -> Option<String> {
    let names: Vec<&str> = song
        .artists
        .iter()
        .filter_map(|a| a.name.as_deref())
        .collect();
    (!names.is_empty()).then(|| names.join(" / "))
}

fn suggestions_of(found: Suggestions) -> NeteaseSuggestions {
    NeteaseSuggestions {
        songs: found
            .songs
            .iter()
            .map(|s| NeteaseSuggestedSong {
                id: s.id,
                name: s.name.clone().unwrap_or_default(),
                artist: artists_of(s),
            })
            .collect(),
        artists: found
            .artists
            .into_iter()
            .map(|a| NeteaseArtistRef {
                id: a.id,
                name: a.name.unwrap_or_default(),
            })
            .collect(),
        albums: found
            .albums
            .into_iter()
            .map(|a| NeteaseSuggestedAlbum {
                id: a.id,
                name: a.name.unwrap_or_default(),
                artist: a.artist.and_then(|a| a.name),
            })
            .collect(),
        playlists: found
            .playlists
            .into_iter()
            .map(|p| NeteaseSuggestedPlaylist {
                id: p.id,
                name: p.name.unwrap_or_default(),
            })
            .collect(),
    }
}

impl NeteaseAccount {
    /// The songs the user played lately (NetEase's record, newest first; as last kept when
    /// NetEase cannot be reached).
    pub async fn recent(&self) -> Result<Vec<Track>, NeteaseError> {
        let user = self.browser().await?.user_id;
        let answer = self.fetch_recent().await;
        self.shelved(user, super::List::Recent, answer).await
    }

    async fn fetch_recent(&self) -> Result<Vec<Track>, NeteaseError> {
        let b = self.browser().await?;
        let (songs, liked) = tokio::join!(b.client.recent_songs(RECENT_LIMIT), Self::liked_ids(&b));
        let songs = b.take(songs.map_err(error_of)?);
        self.listed(&songs, liked.as_ref()).await
    }

    /// The songs in the user's cloud disk (the first [`CLOUD_LIMIT`]).
    pub async fn cloud(&self) -> Result<Vec<Track>, NeteaseError> {
        let b = self.browser().await?;
        let (page, liked) = tokio::join!(b.client.cloud_songs(CLOUD_LIMIT, 0), Self::liked_ids(&b));
        let page = b.take(page.map_err(error_of)?);
        let songs: Vec<Song> = page.songs.into_iter().map(|c| c.song).collect();
        self.listed(&songs, liked.as_ref()).await
    }

    /// NetEase's charts; each opens as a playlist.
    pub async fn charts(&self) -> Result<Vec<NeteaseChart>, NeteaseError> {
        let b = self.browser().await?;
        let charts = b.take(b.client.charts().await.map_err(error_of)?);
        Ok(charts
            .into_iter()
            .map(|c| NeteaseChart {
                id: c.id,
                name: c.name.unwrap_or_default(),
                track_count: count(c.track_count),
                cover_url: c.cover_url,
                updated: c.update_frequency,
            })
            .collect())
    }

    /// Heartbeat mode: songs like `from` (a NetEase track; by default the most recently liked
    /// song), picked by NetEase from the liked-songs playlist, `from` first.
    pub async fn heartbeat(&self, from: Option<String>) -> Result<Vec<Track>, NeteaseError> {
        let b = self.browser().await?;
        let (playlists, liked) = tokio::join!(
            b.client.user_playlists(b.user_id, LIKED_PLAYLIST_SEARCH, 0),
            b.client.liked_ids(b.user_id)
        );
        let playlists = b.take(playlists.map_err(error_of)?).playlists;
        let liked = b.take(liked.map_err(error_of)?);
        let liked_playlist = playlists
            .iter()
            .find(|p| p.special_type == Some(5))
            .or_else(|| playlists.first())
            .map(|p| p.id)
            .ok_or_else(|| NeteaseError::Other {
                message: "NetEase did not name the liked-songs playlist".into(),
            })?;
        let start = match from {
            Some(track) => Self::song_of(&track)?,
            None => *liked.first().ok_or_else(|| NeteaseError::Other {
                message: "heartbeat mode starts from a liked song: like one first".into(),
            })?,
        };
        let songs = b.take(
            b.client
                .heartbeat(start, liked_playlist, 1)
                .await
                .map_err(error_of)?,
        );
        let liked: HashSet<u64> = liked.into_iter().collect();
        self.listed(&songs, Some(&liked)).await
    }

    /// The albums, artists and playlists matching `query` (songs are [`NeteaseAccount::search`]).
    pub async fn search_else(&self, query: String) -> Result<NeteaseFound, NeteaseError> {
        let query: String = query.trim().chars().take(MAX_QUERY_CHARS).collect();
        if query.is_empty() {
            return Ok(NeteaseFound::default());
        }
        let b = self.browser().await?;
        let found = b.take(
            b.client
                .search_else(&query, NETEASE_SEARCH_ELSE_LIMIT)
                .await
                .map_err(error_of)?,
        );
        Ok(NeteaseFound {
            albums: found.albums.iter().map(super::album_of).collect(),
            artists: found
                .artists
                .into_iter()
                .map(|a| NeteaseArtist {
                    id: a.id,
                    name: a.name.unwrap_or_default(),
                    cover_url: a.pic_url,
                    album_count: a.album_count.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
                })
                .collect(),
            playlists: found
                .playlists
                .into_iter()
                .map(|p| NeteasePlaylist {
                    id: p.id,
                    name: p.name.unwrap_or_default(),
                    track_count: count(p.track_count),
                    cover_url: p.cover_url,
                    subscribed: true,
                })
                .collect(),
        })
    }

    /// NetEase's lyrics for `track` — a local or server track with none of its own — when the
    /// user opted in (`LyricsSettings::from_netease`) and a search finds the same recording
    /// (scored as the fallback race scores copies, at its threshold). Asked with the signed-in
    /// client, or a guest one (search and lyrics need no login). `None` otherwise; failures
    /// are logged.
    pub async fn lyrics_matching(&self, track: &Track) -> Option<LyricsView> {
        let settings = self.player.settings().await.ok()?;
        if !settings.lyrics.from_netease || track.source == lyrebird_core::SourceKind::NetEase {
            return None;
        }
        let title = track.title.trim();
        if title.is_empty() {
            return None;
        }
        let query: String = match track.artists.first() {
            Some(artist) => format!("{title} {artist}"),
            None => title.to_owned(),
        }
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
        let client = match self.browser().await {
            Ok(b) => (*b.client).clone(),
            Err(_) => self.session.guest_client().await.ok()?,
        };
        let found = match client.search_songs(&query, LYRICS_CANDIDATES, 0).await {
            Ok(answer) => answer.value.songs,
            Err(e) => {
                tracing::warn!(error = %e, "NetEase was not searched for lyrics");
                return None;
            }
        };
        let best = found
            .iter()
            .filter_map(|song| {
                let candidate = song_to_track(song)?;
                let fit = lyrebird_core::matching::score(track, &candidate)?;
                (fit.score >= crate::copies::min_score()).then_some((song.id, fit.score))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))?;
        match client.lyrics(best.0).await {
            Ok(answer) => lyrics_view(&answer.value),
            Err(e) => {
                tracing::warn!(error = %e, song = best.0, "NetEase lyrics were not read");
                None
            }
        }
    }

    /// What to suggest for `query` while the user types. Needs no login (a guest client asks
    /// when nobody is signed in); nothing is handed to the actor (suggestions are not played).
    pub async fn suggest(&self, query: String) -> Result<NeteaseSuggestions, NeteaseError> {
        let query: String = query.trim().chars().take(MAX_QUERY_CHARS).collect();
        if query.is_empty() {
            return Ok(NeteaseSuggestions::default());
        }
        let found = if let Ok(b) = self.browser().await {
            b.take(
                b.client
                    .search_suggestions(&query)
                    .await
                    .map_err(error_of)?,
            )
        } else {
            let guest = self.session.guest_client().await?;
            guest
                .search_suggestions(&query)
                .await
                .map_err(error_of)?
                .value
        };
        Ok(suggestions_of(found))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lyrebird_netease::discover::{SuggestedAlbum, SuggestedPlaylist};
    use lyrebird_netease::model::Artist;

    #[test]
    fn suggestions_become_what_the_ui_shows() {
        let artist = |id, name: &str| Artist {
            id,
            name: Some(name.into()),
        };
        let found = Suggestions {
            songs: vec![Song {
                id: 1,
                name: Some("Song".into()),
                artists: vec![artist(2, "A"), artist(3, "B")],
                ..Song::default()
            }],
            artists: vec![artist(2, "A")],
            albums: vec![SuggestedAlbum {
                id: 4,
                name: Some("Album".into()),
                artist: Some(artist(2, "A")),
            }],
            playlists: vec![SuggestedPlaylist {
                id: 5,
                name: Some("List".into()),
                cover_url: None,
            }],
        };
        let shown = suggestions_of(found);
        assert_eq!(shown.songs[0].artist.as_deref(), Some("A / B"));
        assert_eq!(shown.albums[0].artist.as_deref(), Some("A"));
        assert_eq!((shown.artists[0].id, shown.playlists[0].id), (2, 5));
    }
}
