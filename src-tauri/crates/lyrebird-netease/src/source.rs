//! NetEase as one of the player's sources: resolving its tracks to streams (never to a trial
//! clip), finding copies of other sources' tracks for the fallback race, scrobbling and likes.
//!
//! The source holds an immutable [`NeteaseClient`]. What a reply changes about the session (a
//! fetched xeapi key, a new xeapi session, refreshed cookies) goes, when the source was given
//! one, down an [`UpdateSender`] to the client's single owner, which applies it and builds the
//! next source; otherwise it is dropped (and an xeapi key is fetched again next time).

use std::sync::Arc;

use lyrebird_core::provider::{
    FindFuture, LikeFuture, Playable, ResolveError, ResolveFuture, ScrobbleFuture, ScrobbleKind,
    Source, StreamSpec,
};
use lyrebird_core::{SourceKind, Track, TrackId};
use tokio_util::sync::CancellationToken;

use crate::api_error::ApiError;
use crate::client::{Answer, NeteaseClient, Scrobble, SessionUpdate};
use crate::model::{Quality, Song, SongUrl};
use crate::playability::{Playability, classify};

/// The prefix of NetEase track ids: `netease:<songId>`.
pub const TRACK_ID_PREFIX: &str = "netease:";
/// How many search results the fallback race gets to score.
pub const FIND_LIMIT: u32 = 20;
/// How many cloud-disk songs one search for copies looks through (two pages).
pub const CLOUD_SCAN_LIMIT: u32 = 1000;
const CLOUD_PAGE: u32 = 500;

/// Where session changes go: to the one owner of the client.
pub type UpdateSender = tokio::sync::mpsc::UnboundedSender<SessionUpdate>;

/// The track id of a NetEase song.
#[must_use]
pub fn track_id(song_id: u64) -> TrackId {
    TrackId(format!("{TRACK_ID_PREFIX}{song_id}"))
}

/// The song id in a NetEase track id.
#[must_use]
pub fn song_id(id: &TrackId) -> Option<u64> {
    id.0.strip_prefix(TRACK_ID_PREFIX)?
        .parse()
        .ok()
        .filter(|id| *id != 0)
}

/// A NetEase song as a player track; `None` for a song without an id.
#[must_use]
pub fn song_to_track(song: &Song) -> Option<Track> {
    if song.id == 0 {
        return None;
    }
    let title = song
        .name
        .clone()
        .unwrap_or_else(|| format!("NetEase song {}", song.id));
    let mut track = Track::new(track_id(song.id), SourceKind::NetEase, title);
    track.artists = song.artists.iter().filter_map(|a| a.name.clone()).collect();
    track.album = song.album.as_ref().and_then(|a| a.name.clone());
    track.duration_ms = song.duration_ms;
    track.track_number = song.track_number;
    track.cover_art = song.cover_url().map(str::to_owned);
    track.has_cover = track.cover_art.is_some();
    track.unplayable = crate::playability::listed(song, None);
    Some(track)
}

/// A stream for a song, at the level the server offered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stream {
    pub url: String,
    /// The level that plays (may be lower than the one asked for).
    pub quality: Quality,
    pub format: Option<String>,
    /// Bit/s.
    pub bitrate: Option<u64>,
    pub size: Option<u64>,
}

/// Why a song does not play for this account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unplayable(pub Playability);

impl NeteaseClient {
    /// The whole song's stream at `quality` (or the lower level the server offers), or why
    /// there is none: the URL and the song's details (for its privilege) are asked for at
    /// once and classified; a trial clip is [`Playability::TrialOnly`], never a stream.
    pub async fn stream(
        &self,
        song_id: u64,
        quality: Quality,
    ) -> Result<Answer<Result<Stream, Unplayable>>, ApiError> {
        let ids = [song_id];
        let (url, details) = tokio::join!(self.song_url(song_id, quality), self.song_details(&ids));
        let Answer {
            value: url,
            mut update,
        } = url?;
        // The details only tell greyed and VIP songs apart; without them the URL reply decides.
        let song = match details {
            Ok(details) => {
                update.merge(details.update);
                details.value.into_iter().find(|s| s.id == song_id)
            }
            Err(e) => {
                tracing::debug!(song_id, error = %e, "no details for a NetEase song");
                None
            }
        };
        let verdict = match classify(song.as_ref(), None, Some(&url)) {
            Playability::Playable => Ok(stream_of(url, quality)),
            other => Err(Unplayable(other)),
        };
        Ok(Answer {
            value: verdict,
            update,
        })
    }
}

fn stream_of(url: SongUrl, asked: Quality) -> Stream {
    Stream {
        quality: url.quality().unwrap_or(asked),
        url: url.url.unwrap_or_default(),
        format: url.format,
        bitrate: url.br,
        size: url.size,
    }
}

/// NetEase as a [`Source`].
#[derive(Clone, Debug)]
pub struct NeteaseSource {
    client: Arc<NeteaseClient>,
    quality: Quality,
    updates: Option<UpdateSender>,
}

impl NeteaseSource {
    /// A source streaming at `quality` (or the lower level a song is offered at).
    #[must_use]
    pub fn new(client: Arc<NeteaseClient>, quality: Quality) -> Self {
        Self {
            client,
            quality,
            updates: None,
        }
    }

    /// Sends what replies change about the session to `updates` (the client's owner).
    #[must_use]
    pub fn reporting_to(mut self, updates: UpdateSender) -> Self {
        self.updates = Some(updates);
        self
    }

    #[must_use]
    pub fn client(&self) -> &Arc<NeteaseClient> {
        &self.client
    }

    #[must_use]
    pub fn quality(&self) -> Quality {
        self.quality
    }

    fn report(&self, update: SessionUpdate) {
        if update.is_empty() {
            return;
        }
        if let Some(tx) = &self.updates {
            // The owner may be gone (shutting down): nothing to keep then.
            let _ = tx.send(update);
        }
    }

    /// The playable stream of a NetEase track, or why not.
    async fn resolve_own(&self, track: &Track) -> Result<Playable, ResolveError> {
        let id = own_song_id(track).map_err(ResolveError::Failed)?;
        let answer = self
            .client
            .stream(id, self.quality)
            .await
            .map_err(resolve_error)?;
        self.report(answer.update);
        let stream = answer.value.map_err(|Unplayable(why)| {
            ResolveError::Unavailable(why.reason().unwrap_or("not playable").to_owned())
        })?;
        Ok(Playable::Stream(StreamSpec {
            cache_key: Some(format!("netease:{id}:{}", stream.quality)),
            url: stream.url,
            // NetEase's CDN URLs are signed; nothing to add per request.
            headers: Vec::new(),
            certificate_pin: None,
            quality: Some(stream.quality.name().to_owned()),
        }))
    }

    /// Songs that may be `wanted`: a search for its title and first artist, and the user's
    /// cloud disk when logged in; songs that cannot play for this account are left out.
    async fn find_copies(&self, wanted: &Track) -> Result<Vec<Track>, ResolveError> {
        let title = wanted.title.trim();
        if title.is_empty() {
            return Ok(Vec::new());
        }
        let query = match wanted.artists.first() {
            Some(artist) if !artist.trim().is_empty() => format!("{title} {}", artist.trim()),
            _ => title.to_owned(),
        };
        let search = self.client.search_songs(&query, FIND_LIMIT, 0);
        let cloud = async {
            if self.client.is_logged_in() {
                Some(self.cloud_matches(title).await)
            } else {
                None
            }
        };
        let (found, cloud) = tokio::join!(search, cloud);
        let mut songs = Vec::new();
        let mut failure = None;
        match cloud {
            Some(Ok(mut own)) => songs.append(&mut own),
            Some(Err(e)) => {
                tracing::debug!(error = %e, "NetEase cloud disk not searched");
            }
            None => {}
        }
        match found {
            Ok(answer) => {
                self.report(answer.update);
                songs.extend(answer.value.songs);
            }
            Err(e) => failure = Some(e),
        }
        if songs.is_empty()
            && let Some(e) = failure
        {
            return Err(resolve_error(e));
        }
        let mut seen = std::collections::HashSet::new();
        Ok(songs
            .iter()
            .filter(|s| seen.insert(s.id))
            .filter(|s| {
                !matches!(
                    classify(Some(s), None, None),
                    Playability::Greyed | Playability::NeedsVip
                )
            })
            .filter_map(song_to_track)
            .collect())
    }

    /// Songs of the user's cloud disk whose title contains `title` (case-insensitively).
    async fn cloud_matches(&self, title: &str) -> Result<Vec<Song>, ApiError> {
        let wanted = title.to_lowercase();
        let mut out = Vec::new();
        let mut offset = 0;
        while offset < CLOUD_SCAN_LIMIT {
            let page = self.client.cloud_songs(CLOUD_PAGE, offset).await?;
            self.report(page.update);
            let page = page.value;
            let n = page.songs.len();
            out.extend(page.songs.into_iter().map(|c| c.song).filter(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase().contains(&wanted))
            }));
            if !page.has_more || n == 0 {
                break;
            }
            offset += CLOUD_PAGE;
        }
        Ok(out)
    }
}

fn own_song_id(track: &Track) -> Result<u64, String> {
    match (track.source, song_id(&track.id)) {
        (SourceKind::NetEase, Some(id)) => Ok(id),
        _ => Err(format!("{} is not a NetEase track", track.id)),
    }
}

/// NetEase's answers as the actor understands them: anything that another source might do
/// better — risk control, a lost login, a network failure — is `Unavailable`, so the fallback
/// race runs; an unreadable reply is `Failed`.
fn resolve_error(error: ApiError) -> ResolveError {
    match error {
        ApiError::Protocol(crate::NeteaseError::Network { .. })
        | ApiError::NotLoggedIn
        | ApiError::Verify { .. }
        | ApiError::Captcha
        | ApiError::NetworkEnvironment
        | ApiError::SecondFactor
        | ApiError::Refused { .. } => ResolveError::Unavailable(error.to_string()),
        other => ResolveError::Failed(other.to_string()),
    }
}

/// How long a play counted: from when it started to now, at most the track's length.
fn seconds_played(track: &Track, at: std::time::SystemTime) -> u64 {
    let elapsed = at.elapsed().map_or(0, |d| d.as_secs());
    track
        .duration_ms
        .map_or(elapsed, |ms| elapsed.min(ms.div_ceil(1000)))
}

impl Source for NeteaseSource {
    fn resolve(&self, track: Track, cancel: CancellationToken) -> ResolveFuture {
        let source = self.clone();
        Box::pin(async move {
            cancel
                .run_until_cancelled(source.resolve_own(&track))
                .await
                .unwrap_or_else(|| Err(ResolveError::Failed("lookup cancelled".to_owned())))
        })
    }

    fn find(&self, wanted: Track, cancel: CancellationToken) -> FindFuture {
        let source = self.clone();
        Box::pin(async move {
            cancel
                .run_until_cancelled(source.find_copies(&wanted))
                .await
                .unwrap_or_else(|| Err(ResolveError::Failed("search cancelled".to_owned())))
        })
    }

    /// `startplay` when a track starts, `play` with the seconds listened once it counts.
    fn scrobble(
        &self,
        track: Track,
        kind: ScrobbleKind,
        cancel: CancellationToken,
    ) -> ScrobbleFuture {
        let source = self.clone();
        Box::pin(async move {
            let id = own_song_id(&track)?;
            let what = match kind {
                ScrobbleKind::NowPlaying => Scrobble::Started,
                ScrobbleKind::Played { at } => Scrobble::Played {
                    seconds: seconds_played(&track, at),
                },
            };
            let sent = cancel
                .run_until_cancelled(source.client.scrobble(id, None, what))
                .await
                .ok_or_else(|| "scrobble cancelled".to_owned())?
                .map_err(|e| e.to_string())?;
            source.report(sent.update);
            Ok(())
        })
    }

    fn can_like(&self) -> bool {
        true
    }

    fn like(&self, track: Track, liked: bool, cancel: CancellationToken) -> LikeFuture {
        let source = self.clone();
        Box::pin(async move {
            let id = own_song_id(&track)?;
            let sent = cancel
                .run_until_cancelled(source.client.like(id, liked))
                .await
                .ok_or_else(|| "like cancelled".to_owned())?
                .map_err(|e| e.to_string())?;
            source.report(sent.update);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Album, Artist};

    #[test]
    fn ids_round_trip_and_reject_others() {
        assert_eq!(track_id(186_016).0, "netease:186016");
        assert_eq!(song_id(&track_id(186_016)), Some(186_016));
        for bad in ["netease:", "netease:x", "netease:0", "subsonic:1", "186016"] {
            assert_eq!(song_id(&TrackId(bad.into())), None, "{bad}");
        }
    }

    #[test]
    fn songs_become_tracks() {
        let song = Song {
            id: 5,
            name: Some("晴天".into()),
            artists: vec![
                Artist {
                    id: 1,
                    name: Some("周杰伦".into()),
                },
                Artist { id: 2, name: None },
            ],
            album: Some(Album {
                id: 3,
                name: Some("叶惠美".into()),
                pic_url: Some("https://p1.music.126.net/a.jpg".into()),
            }),
            duration_ms: Some(269_000),
            ..Song::default()
        };
        let t = song_to_track(&song).unwrap();
        assert_eq!(
            (t.id.0.as_str(), t.source),
            ("netease:5", SourceKind::NetEase)
        );
        assert_eq!(
            (t.title.as_str(), t.artists.as_slice()),
            ("晴天", ["周杰伦".to_owned()].as_slice())
        );
        assert_eq!(
            (t.album.as_deref(), t.duration_ms),
            (Some("叶惠美"), Some(269_000))
        );
        assert_eq!(
            t.cover_art.as_deref(),
            Some("https://p1.music.126.net/a.jpg")
        );
        assert!(t.has_cover);
        assert!(song_to_track(&Song::default()).is_none());
        let bare = song_to_track(&Song {
            id: 9,
            ..Song::default()
        })
        .unwrap();
        assert_eq!(bare.title, "NetEase song 9");
        assert!(!bare.has_cover);
    }

    #[test]
    fn errors_that_another_source_may_fix_run_the_race() {
        assert!(matches!(
            resolve_error(ApiError::NotLoggedIn),
            ResolveError::Unavailable(_)
        ));
        assert!(matches!(
            resolve_error(ApiError::Verify { url: None }),
            ResolveError::Unavailable(_)
        ));
        assert!(matches!(
            resolve_error(ApiError::Unexpected { what: "x".into() }),
            ResolveError::Failed(_)
        ));
    }

    #[test]
    fn a_play_counts_at_most_the_track() {
        let mut t = Track::new(track_id(1), SourceKind::NetEase, "x");
        let at = std::time::SystemTime::now() - std::time::Duration::from_mins(10);
        assert!(seconds_played(&t, at) >= 600);
        t.duration_ms = Some(200_500);
        assert_eq!(seconds_played(&t, at), 201);
    }
}
