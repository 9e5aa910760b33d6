//! The actor's lookups: source calls (resolve a stream, search for copies, send a like) that
//! run in tasks of their own and answer with a message carrying their [`LookupId`].
//!
//! Only the actor holds a [`Lookups`]; the tasks hold nothing of the actor's but a sender.
//! Each task runs under a child of one shutdown token and a deadline. Cancelling a lookup
//! forgets it *and* ends its task at once, so a superseded answer is never sent — and if one
//! was already on its way, [`Lookups::take`] no longer knows its id and the actor drops it.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{PlayerError, Reply};
use crate::audio::PlayId;
use crate::model::Track;
use crate::provider::{LookupId, Playable, ResolveError, StreamSpec};

/// A source that has not answered a lookup by then has failed it.
pub(super) const LOOKUP_DEADLINE: Duration = Duration::from_secs(10);
/// At most this many lookups run at once. What plays needs a handful (the load, the preload,
/// one per source in a race); the rest are likes. Beyond this a lookup fails at once instead
/// of piling up tasks and connections.
pub(super) const MAX_LOOKUPS_IN_FLIGHT: usize = 64;

/// A source's answer to one lookup.
pub(super) struct LookupReply {
    pub(super) id: LookupId,
    pub(super) result: Result<Answer, ResolveError>,
}

/// What a lookup found.
pub(super) enum Answer {
    /// A stream for the track (`Source::resolve`).
    Stream(Playable),
    /// Copies of the track (`Source::find`).
    Found(Vec<Track>),
    /// The source took the like (`Source::like`).
    Liked,
}

pub(super) type LookupFuture = Pin<Box<dyn Future<Output = Result<Answer, ResolveError>> + Send>>;

/// What the actor will do with a lookup's answer.
pub(super) enum Purpose {
    /// Start load `play_id` (the current track) with it.
    Play { play_id: PlayId },
    /// Preload it as load `play_id` to follow the current track.
    Preload { play_id: PlayId },
    /// Hand a fresh URL to the audio thread, whose stream for `play_id` expired.
    Refresh {
        reply: Reply<Result<StreamSpec, PlayerError>>,
    },
    /// Copies of load `play_id`'s track found by source `entry` (a registry position), for
    /// the fallback race.
    Fallback { play_id: PlayId, entry: usize },
    /// The source's answer to a like of `track` (see `actor/likes.rs`).
    Like { track: Box<Track> },
}

impl Purpose {
    /// Whether this lookup serves what plays (superseded when something else plays), rather
    /// than a track the user acted on.
    pub(super) fn about_what_plays(&self) -> bool {
        !matches!(self, Self::Like { .. })
    }
}

struct Lookup {
    purpose: Purpose,
    cancel: CancellationToken,
}

/// The lookups in flight and the tasks that run them.
pub(super) struct Lookups {
    /// By id, ordered so that cancelling "all of them" happens in the same order every run
    /// (the simulation replays a seed exactly).
    in_flight: BTreeMap<LookupId, Lookup>,
    last: LookupId,
    replies: mpsc::UnboundedSender<LookupReply>,
    /// Every task (lookups and fire-and-forget calls), so shutdown can wait for them and
    /// tests can count them.
    tasks: TaskTracker,
    /// Parent of every task's token: shutdown cancels them all at once.
    shutdown: CancellationToken,
    pub(super) started: u64,
    pub(super) cancelled: u64,
    /// Lookups refused because [`MAX_LOOKUPS_IN_FLIGHT`] were running.
    pub(super) refused: u64,
}

impl Lookups {
    pub(super) fn new(replies: mpsc::UnboundedSender<LookupReply>) -> Self {
        Self {
            in_flight: BTreeMap::new(),
            last: LookupId(0),
            replies,
            tasks: TaskTracker::new(),
            shutdown: CancellationToken::new(),
            started: 0,
            cancelled: 0,
            refused: 0,
        }
    }

    /// Run `work` in its own task under a child token and [`LOOKUP_DEADLINE`]; its answer
    /// comes back as a [`LookupReply`] with the returned id. Over the limit, the answer is an
    /// error, sent at once through the same channel (callers have one path for failures).
    pub(super) fn spawn(
        &mut self,
        purpose: Purpose,
        work: impl FnOnce(CancellationToken) -> LookupFuture,
    ) -> LookupId {
        self.last = self.last.next();
        let id = self.last;
        let cancel = self.shutdown.child_token();
        if self.in_flight.len() >= MAX_LOOKUPS_IN_FLIGHT {
            self.refused += 1;
            let result = Err(ResolveError::Failed("too many requests at once".into()));
            let _ = self.replies.send(LookupReply { id, result });
            self.in_flight.insert(id, Lookup { purpose, cancel });
            return id;
        }
        let token = cancel.clone();
        let reply = self.replies.clone();
        self.started += 1;
        let work = work(token.clone());
        self.tasks.spawn(async move {
            let work = tokio::time::timeout(LOOKUP_DEADLINE, work);
            let result = tokio::select! {
                biased;
                // Cancelled: the actor has forgotten this lookup; end now, reply nothing.
                () = token.cancelled() => return,
                result = work => result.unwrap_or(Err(ResolveError::Timeout)),
            };
            let _ = reply.send(LookupReply { id, result });
        });
        self.in_flight.insert(id, Lookup { purpose, cancel });
        id
    }

    /// Run `work` in a task the actor does not wait for an answer from (a scrobble); it is
    /// still cancelled and waited for at shutdown.
    pub(super) fn spawn_detached<F>(&self, work: impl FnOnce(CancellationToken) -> F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let work = work(self.shutdown.child_token());
        self.tasks.spawn(work);
    }

    /// The purpose of lookup `id`, forgotten from now on; `None` if it was cancelled (its
    /// answer is stale).
    pub(super) fn take(&mut self, id: LookupId) -> Option<Purpose> {
        self.in_flight.remove(&id).map(|lookup| lookup.purpose)
    }

    /// Whether lookup `id` is in flight (not answered, not cancelled).
    pub(super) fn is_in_flight(&self, id: LookupId) -> bool {
        self.in_flight.contains_key(&id)
    }

    /// How many lookups with a matching purpose are in flight.
    pub(super) fn count(&self, matching: impl Fn(&Purpose) -> bool) -> usize {
        self.in_flight
            .values()
            .filter(|l| matching(&l.purpose))
            .count()
    }

    /// Cancel and forget every lookup whose purpose matches. A refresh waiting for one is
    /// told it was superseded.
    pub(super) fn cancel(&mut self, superseded: impl Fn(&Purpose) -> bool) {
        let ids: Vec<LookupId> = self
            .in_flight
            .iter()
            .filter(|(_, lookup)| superseded(&lookup.purpose))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if let Some(lookup) = self.in_flight.remove(&id) {
                lookup.cancel.cancel();
                self.cancelled += 1;
                if let Purpose::Refresh { reply, .. } = lookup.purpose {
                    let _ = reply.send(Err(PlayerError::Superseded));
                }
            }
        }
    }

    /// Tasks still running (lookups and detached calls).
    pub(super) fn running(&self) -> usize {
        self.tasks.len()
    }

    /// Cancel everything and wait until every task has ended.
    pub(super) async fn shut_down(&self) {
        self.shutdown.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(id: &str) -> Track {
        Track::new(
            crate::model::TrackId(id.into()),
            crate::model::SourceKind::Subsonic,
            id,
        )
    }

    fn play(n: u64) -> Purpose {
        Purpose::Play { play_id: PlayId(n) }
    }

    fn answers_found(tracks: usize) -> impl FnOnce(CancellationToken) -> LookupFuture {
        move |_| {
            Box::pin(async move {
                Ok(Answer::Found(
                    (0..tracks).map(|i| track(&format!("t{i}"))).collect(),
                ))
            })
        }
    }

    fn never_answers(
        dropped: tokio::sync::oneshot::Sender<()>,
    ) -> impl FnOnce(CancellationToken) -> LookupFuture {
        move |_| {
            Box::pin(async move {
                // Dropped with the future when the task is cancelled.
                let _dropped = dropped;
                std::future::pending::<()>().await;
                Ok(Answer::Liked)
            })
        }
    }

    #[tokio::test]
    async fn an_answer_comes_back_with_its_id_and_its_purpose() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut lookups = Lookups::new(tx);
        let id = lookups.spawn(play(7), answers_found(2));
        let reply = rx.recv().await.unwrap();
        assert_eq!(reply.id, id);
        assert!(matches!(reply.result, Ok(Answer::Found(ref t)) if t.len() == 2));
        assert!(matches!(
            lookups.take(id),
            Some(Purpose::Play { play_id: PlayId(7) })
        ));
        assert!(lookups.take(id).is_none(), "an answer is taken once");
        assert_eq!(lookups.started, 1);
    }

    #[tokio::test]
    async fn a_cancelled_lookup_ends_its_task_and_its_id_is_forgotten() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut lookups = Lookups::new(tx);
        let (dropped_tx, dropped) = tokio::sync::oneshot::channel();
        let slow = lookups.spawn(play(1), never_answers(dropped_tx));
        let like = lookups.spawn(
            Purpose::Like {
                track: Box::new(track("x")),
            },
            answers_found(0),
        );
        lookups.cancel(Purpose::about_what_plays);
        // The task's future was dropped: the lookup is over, not merely ignored.
        assert!(dropped.await.is_err());
        assert!(lookups.take(slow).is_none());
        assert_eq!(lookups.count(Purpose::about_what_plays), 0);
        assert_eq!(lookups.cancelled, 1);
        // The like was not about what plays: it answers and is still wanted.
        assert_eq!(rx.recv().await.unwrap().id, like);
        assert!(lookups.take(like).is_some());
        lookups.shut_down().await;
        assert_eq!(lookups.running(), 0);
    }

    #[tokio::test]
    async fn a_refresh_that_is_superseded_is_told_so() {
        let (tx, _rx) = mpsc::unbounded_channel();
        let mut lookups = Lookups::new(tx);
        let (dropped_tx, _dropped) = tokio::sync::oneshot::channel();
        let (reply, answer) = tokio::sync::oneshot::channel();
        lookups.spawn(Purpose::Refresh { reply }, never_answers(dropped_tx));
        lookups.cancel(|p| matches!(p, Purpose::Refresh { .. }));
        assert!(matches!(answer.await, Ok(Err(PlayerError::Superseded))));
    }

    #[tokio::test]
    async fn beyond_the_limit_a_lookup_fails_at_once_instead_of_running() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut lookups = Lookups::new(tx);
        let mut keep = Vec::new();
        for i in 0..MAX_LOOKUPS_IN_FLIGHT {
            let (dropped_tx, dropped) = tokio::sync::oneshot::channel();
            keep.push(dropped);
            lookups.spawn(play(i as u64), never_answers(dropped_tx));
        }
        let over = lookups.spawn(play(999), answers_found(1));
        let reply = rx.recv().await.unwrap();
        assert_eq!(reply.id, over);
        assert!(matches!(reply.result, Err(ResolveError::Failed(_))));
        assert_eq!(lookups.refused, 1);
        assert_eq!(lookups.running(), MAX_LOOKUPS_IN_FLIGHT);
        assert!(
            lookups.take(over).is_some(),
            "its purpose is still handed back"
        );
        assert_eq!(
            lookups.count(|p| matches!(p, Purpose::Play { .. })),
            MAX_LOOKUPS_IN_FLIGHT
        );
        lookups.shut_down().await;
        assert_eq!(lookups.running(), 0);
    }
}
