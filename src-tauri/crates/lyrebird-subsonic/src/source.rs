//! The server as one of the player's sources: resolving tracks to streams, and finding
//! candidates for the fallback race.

use lyrebird_core::provider::{
    FindFuture, LikeFuture, Playable, ResolveError, ResolveFuture, ScrobbleFuture, ScrobbleKind,
    Source, StreamSpec,
};
use lyrebird_core::{SourceKind, Track};
use tokio_util::sync::CancellationToken;

use crate::client::{Scrobble, SearchCounts, StarItem, SubsonicClient};
use crate::error::{SubsonicError, code};
use crate::track::song_id;

/// How many songs the fallback race gets to score per search.
const FIND_LIMIT: u32 = 20;

impl SubsonicClient {
    /// Where to stream a song from and how to cache it: `subsonic:<server>:<id>:<quality>`,
    /// so another quality or another server is another file.
    pub async fn stream_spec(&self, song_id: &str) -> Result<StreamSpec, SubsonicError> {
        let url = self.stream_url(song_id, None).await?;
        Ok(StreamSpec {
            url,
            // Subsonic authenticates in the query; there is nothing to add per request.
            headers: Vec::new(),
            certificate_pin: self.config().certificate_pin,
            cache_key: Some(format!(
                "subsonic:{}:{song_id}:{}",
                self.server_key(),
                self.config().transcoding.cache_label()
            )),
            quality: None,
        })
    }

    /// Songs matching `query` (`search3`, songs only), as tracks of this source.
    pub async fn search_tracks(
        &self,
        query: &str,
        limit: u32,
    ) -> Result<Vec<Track>, SubsonicError> {
        let counts = SearchCounts {
            artists: 0,
            albums: 0,
            songs: limit,
        };
        let found = self.search(query, counts).await?;
        Ok(found
            .song
            .iter()
            .map(crate::model::Song::to_track)
            .collect())
    }
}

impl Source for SubsonicClient {
    fn resolve(&self, track: Track, cancel: CancellationToken) -> ResolveFuture {
        let client = self.clone();
        Box::pin(async move {
            let id = match (track.source, song_id(&track.id)) {
                (SourceKind::Subsonic, Some(id)) => id.to_owned(),
                _ => {
                    return Err(ResolveError::Failed(format!(
                        "{} is not a Subsonic track",
                        track.id
                    )));
                }
            };
            let spec = cancel.run_until_cancelled(client.stream_spec(&id)).await;
            spec.ok_or_else(|| ResolveError::Failed("lookup cancelled".to_owned()))?
                .map(Playable::Stream)
                .map_err(resolve_error)
        })
    }

    /// Candidates for the fallback race: songs whose title matches. The title alone, because
    /// servers search differently (supysonic matches the query against titles only); the race
    /// scores artists and durations itself.
    fn find(&self, wanted: Track, cancel: CancellationToken) -> FindFuture {
        let client = self.clone();
        Box::pin(async move {
            let query = wanted.title.trim().to_owned();
            if query.is_empty() {
                return Ok(Vec::new());
            }
            let found = cancel
                .run_until_cancelled(client.search_tracks(&query, FIND_LIMIT))
                .await;
            found
                .ok_or_else(|| ResolveError::Failed("search cancelled".to_owned()))?
                .map_err(resolve_error)
        })
    }

    /// `scrobble`: "now playing" (`submission=false`) or a play (`submission=true` with the
    /// time it started), for this server's own tracks.
    fn scrobble(
        &self,
        track: Track,
        kind: ScrobbleKind,
        cancel: CancellationToken,
    ) -> ScrobbleFuture {
        let client = self.clone();
        Box::pin(async move {
            let id = match (track.source, song_id(&track.id)) {
                (SourceKind::Subsonic, Some(id)) => id.to_owned(),
                _ => return Err(format!("{} is not a Subsonic track", track.id)),
            };
            let what = match kind {
                ScrobbleKind::NowPlaying => Scrobble::NowPlaying,
                ScrobbleKind::Played { at } => Scrobble::Played { at },
            };
            let sent = cancel.run_until_cancelled(client.scrobble(&id, what)).await;
            sent.ok_or_else(|| "scrobble cancelled".to_owned())?
                .map_err(|e| e.to_string())
        })
    }

    fn can_like(&self) -> bool {
        true
    }

    /// `star` (liked) or `unstar` the song.
    fn like(&self, track: Track, liked: bool, cancel: CancellationToken) -> LikeFuture {
        let client = self.clone();
        Box::pin(async move {
            let id = match (track.source, song_id(&track.id)) {
                (SourceKind::Subsonic, Some(id)) => id.to_owned(),
                _ => return Err(format!("{} is not a Subsonic track", track.id)),
            };
            let item = StarItem::Song(id);
            let sent = async {
                if liked {
                    client.star(&item).await
                } else {
                    client.unstar(&item).await
                }
            };
            let sent = cancel.run_until_cancelled(sent).await;
            sent.ok_or_else(|| "like cancelled".to_owned())?
                .map_err(|e| e.to_string())
        })
    }
}

fn resolve_error(error: SubsonicError) -> ResolveError {
    match error {
        SubsonicError::Api {
            code: code::NOT_FOUND,
            ..
        }
        | SubsonicError::ServerDown { .. } => ResolveError::Unavailable(error.to_string()),
        other => ResolveError::Failed(other.to_string()),
    }
}
