//! Likes: the user likes or unlikes the current track at its own source (a Subsonic star).
//! The state shows the wish at once; the source's call runs as a lookup task that replies with
//! a message. One call per track is on its way at a time, so the source sees the wishes in
//! order: a wish made meanwhile is sent when the answer comes, if it still differs from what
//! the source now has. A refusal (or no answer within the lookup deadline) puts back what the
//! source has and says why. Skipping does not cancel a like (it is about a track, not about
//! what plays); quitting abandons one still on its way.

use std::collections::HashMap;

use super::{Actor, Answer, Purpose};
use crate::audio::AudioOutput;
use crate::events::Notice;
use crate::model::{Track, TrackId};
use crate::provider::ResolveError;

/// Tracks whose like this session changed, remembered at most (past this it starts over, and
/// tracks show what their source said when listed).
const MAX_REMEMBERED: usize = 10_000;

/// The likes this session, over what the sources said when the tracks were listed.
#[derive(Debug, Default)]
pub(super) struct Likes {
    /// What the UI shows: the user's latest wish, or what the source has.
    shown: HashMap<TrackId, bool>,
    /// Tracks with a call on its way: what it asks for, and what the source had before.
    in_flight: HashMap<TrackId, Sent>,
}

#[derive(Debug, Clone, Copy)]
struct Sent {
    liked: bool,
    before: bool,
}

impl Likes {
    fn of(&self, track: &Track) -> bool {
        self.shown
            .get(&track.id)
            .copied()
            .or(track.liked)
            .unwrap_or(false)
    }

    fn show(&mut self, track: &TrackId, liked: bool) {
        if self.shown.len() >= MAX_REMEMBERED && !self.shown.contains_key(track) {
            self.shown.clear();
        }
        self.shown.insert(track.clone(), liked);
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
    /// moment old); `None` turns the like over. Nothing happens where the source has no likes
    /// (the UI and the tray offer none there).
    pub(super) fn set_liked(&mut self, track: Option<&TrackId>, liked: Option<bool>) {
        let Some(current) = self.queue.current().cloned() else {
            return;
        };
        if track.is_some_and(|t| *t != current.id) {
            return;
        }
        let Some(home) = self.like_source(&current) else {
            tracing::debug!(id = %current.id, "its source has no likes");
            return;
        };
        let was = self.likes.of(&current);
        let liked = liked.unwrap_or(!was);
        if liked == was {
            return;
        }
        self.likes.show(&current.id, liked);
        self.dirty.state = true;
        if !self.likes.in_flight.contains_key(&current.id) {
            self.send_like(current, home, liked, was);
        }
    }

    fn send_like(&mut self, track: Track, home: usize, liked: bool, before: bool) {
        self.likes
            .in_flight
            .insert(track.id.clone(), Sent { liked, before });
        let source = self.config.sources.entries()[home].source.clone();
        let purpose = Purpose::Like {
            track: Box::new(track.clone()),
        };
        self.spawn_lookup(purpose, move |token| {
            Box::pin(async move {
                source
                    .like(track, liked, token)
                    .await
                    .map(|()| Answer::Liked)
                    .map_err(ResolveError::Failed)
            })
        });
    }

    /// The source answered a like: send the user's newer wish if there is one; on a refusal,
    /// show what the source has and say why.
    pub(super) fn like_answered(&mut self, track: &Track, result: Result<Answer, ResolveError>) {
        let Some(sent) = self.likes.in_flight.remove(&track.id) else {
            return;
        };
        let wanted = self.likes.of(track);
        match result {
            Ok(_) if wanted == sent.liked => {}
            Ok(_) => {
                if let Some(home) = self.like_source(track) {
                    self.send_like(track.clone(), home, wanted, sent.liked);
                } else {
                    self.likes.show(&track.id, sent.liked);
                    self.dirty.state = true;
                }
            }
            Err(error) => {
                tracing::warn!(id = %track.id, %error, "like not saved");
                self.likes.show(&track.id, sent.before);
                self.dirty.state = true;
                self.notices.push(Notice::CannotLike {
                    name: track.display_name(),
                    reason: error.to_string(),
                });
            }
        }
    }
}
