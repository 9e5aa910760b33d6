//! The user's own NetEase playlists: creating one, adding songs to one, removing songs.

use lyrebird_core::netease::{
    MAX_PLAYLIST_EDIT, MAX_PLAYLIST_NAME_CHARS, NeteaseError, NeteasePlaylist, NeteasePlaylistEdit,
};
use lyrebird_netease::playlist_edit::TrackEdit;

use super::{NeteaseAccount, error_of};

impl NeteaseAccount {
    /// Creates a playlist named `name` (trimmed, at most 40 characters).
    pub async fn playlist_create(&self, name: String) -> Result<NeteasePlaylist, NeteaseError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_PLAYLIST_NAME_CHARS {
            return Err(NeteaseError::Other {
                message: format!("a playlist name has 1 to {MAX_PLAYLIST_NAME_CHARS} characters"),
            });
        }
        let b = self.browser().await?;
        let created = b.take(
            b.client
                .playlist_create(name, false)
                .await
                .map_err(error_of)?,
        );
        tracing::info!(playlist = created.id, "NetEase playlist created");
        Ok(NeteasePlaylist {
            id: created.id,
            name: created.name.unwrap_or_else(|| name.to_owned()),
            track_count: 0,
            cover_url: created.cover_url,
            subscribed: false,
        })
    }

    /// Adds the NetEase tracks `track_ids` to the user's playlist `playlist_id` (NetEase puts
    /// them first), or removes them from it.
    pub async fn playlist_edit(
        &self,
        playlist_id: u64,
        track_ids: Vec<String>,
        edit: NeteasePlaylistEdit,
    ) -> Result<(), NeteaseError> {
        if track_ids.is_empty() || track_ids.len() > MAX_PLAYLIST_EDIT {
            return Err(NeteaseError::Other {
                message: format!("a playlist edit names 1 to {MAX_PLAYLIST_EDIT} songs"),
            });
        }
        let songs = track_ids
            .iter()
            .map(|id| Self::song_of(id))
            .collect::<Result<Vec<u64>, _>>()?;
        let edit = match edit {
            NeteasePlaylistEdit::Add => TrackEdit::Add,
            NeteasePlaylistEdit::Remove => TrackEdit::Remove,
        };
        let b = self.browser().await?;
        b.take(
            b.client
                .playlist_tracks(edit, playlist_id, &songs)
                .await
                .map_err(error_of)?,
        );
        Ok(())
    }
}
