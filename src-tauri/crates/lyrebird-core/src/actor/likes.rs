//! Likes: the user likes or unlikes the current track at its own source (a Subsonic star).
//! The state shows the change at once; the source's call runs as a lookup task that replies
//! with a message. A refusal puts the old state back and says why. A like in flight is not
//! cancelled by skipping: it is about a track, not about what plays.

use std::collections::HashMap;

use super::{Actor, Answer, Purpose};
use crate::audio::AudioOutput;
use crate::events::Notice;
use crate::model::{Track, TrackId};
use crate::provider::ResolveError;

/// Tracks whose like this session changed, remembered at most (past this it starts over, and
/// tracks show what their source said when listed).
const MAX_REMEMBERED: usize = 10_000;

/// What the user changed this session, over what the sources said when the tracks were listed.
#[derive(Debug, Default)]
pub(super) struct Likes(HashMap<TrackId, bool>);

impl Likes {
    fn of(&self, track: &Track) -> bool {
        self.0
            .get(&track.id)
            .copied()
            .or(track.liked)
            .unwrap_or(false)
    }

    fn set(&mut self, track: &TrackId, liked: bool) {
        if self.0.len() >= MAX_REMEMBERED && !self.0.contains_key(track) {
            self.0.clear();
        }
        self.0.insert(track.clone(), liked);
    }
}

impl<A: AudioOutput> Actor<A> {
    /// Whether the current track is liked; `None` when its source has no likes.
    pub(super) fn current_liked(&self) -> Option<bool> {
        let track = self.queue.current()?;
        self.like_source(track)?;
        Some(self.likes.of(track))
    }

    /// The registry position of `track`'s own source, if that source can like it.
    fn like_source(&self, track: &Track) -> Option<usize> {
        let home = self.config.sources.home_for(track)?;
        self.config.sources.entries()[home]
            .source
            .can_like()
            .then_some(home)
    }

    /// Like (or unlike) the current track, if it is still `track` (the UI's view may be a
    /// moment old); `None` turns the like over.
    pub(super) fn set_liked(&mut self, track: Option<&TrackId>, liked: Option<bool>) {
        let Some(current) = self.queue.current().cloned() else {
            return;
        };
        if track.is_some_and(|t| *t != current.id) {
            return;
        }
        let Some(home) = self.like_source(&current) else {
            self.notices.push(Notice::CannotLike {
                name: current.display_name(),
                reason: format!("{} has no likes", self.config.sources.label_for(&current)),
            });
            return;
        };
        let was = self.likes.of(&current);
        let liked = liked.unwrap_or(!was);
        if liked == was {
            return;
        }
        self.likes.set(&current.id, liked);
        self.dirty.state = true;
        let source = self.config.sources.entries()[home].source.clone();
        let purpose = Purpose::Like {
            track: current.clone(),
            was,
        };
        self.spawn_lookup(purpose, move |token| {
            Box::pin(async move {
                source
                    .like(current, liked, token)
                    .await
                    .map(|()| Answer::Liked)
                    .map_err(ResolveError::Failed)
            })
        });
    }

    /// The source answered a like: on failure, show the old state again and say why.
    pub(super) fn like_answered(
        &mut self,
        track: &Track,
        was: bool,
        result: Result<Answer, ResolveError>,
    ) {
        let Err(error) = result else {
            return;
        };
        tracing::warn!(id = %track.id, %error, "like not saved");
        self.likes.set(&track.id, was);
        self.dirty.state = true;
        self.notices.push(Notice::CannotLike {
            name: track.display_name(),
            reason: error.to_string(),
        });
    }
}
