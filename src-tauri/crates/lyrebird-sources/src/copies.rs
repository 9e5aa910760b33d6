//! Looking up, in the background, whether tracks their own source will not play (a NetEase
//! song greyed out or VIP only: [`Track::unplayable`]) have a copy in the user's other sources,
//! so a list can show them as playable "from Local".
//!
//! [`CopyFinder`] is a handle holding only a sender; the one owner task (from
//! [`CopyFinder::new`]) keeps the tracks lists handed it and what earlier lookups found (for as
//! long as the registry stays the same), and runs each lookup as a cancellable task that
//! replies with messages carrying its request id. A newer lookup cancels the one before (the
//! user moved on to another list): its caller gets what was found so far, and late replies of
//! a cancelled lookup only fill the memory. Each track is looked for as the fallback race looks
//! for a copy — every source but its home, at once, scored with [`Race`] at the race's
//! threshold — so what a list promises is what playing it does.

use std::collections::HashMap;
use std::time::Duration;

use lyrebird_core::netease::{MAX_COPY_LOOKUPS, NeteaseCopy};
use lyrebird_core::provider::Sources;
use lyrebird_core::race::{Race, Verdict};
use lyrebird_core::{PlayerHandle, Track, TrackId};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// The fallback race's threshold, as the actor runs it by default.
#[must_use]
pub fn min_score() -> f32 {
    lyrebird_core::actor::FallbackConfig::default().min_score
}
/// How long the sources have to answer for one track.
pub const DEADLINE: Duration = Duration::from_secs(8);
/// Tracks looked up at once.
const CONCURRENT_TRACKS: usize = 4;
/// Tracks remembered (and answers kept); beyond this the memory starts over.
const MAX_REMEMBERED: usize = 20_000;

/// The handle: cheap to clone, a sender only.
#[derive(Clone)]
pub struct CopyFinder {
    messages: mpsc::UnboundedSender<Message>,
}

enum Message {
    Remember(Vec<Track>),
    Find {
        ids: Vec<TrackId>,
        reply: oneshot::Sender<Vec<NeteaseCopy>>,
    },
    Found {
        request: u64,
        sources: Sources,
        id: TrackId,
        source: Option<String>,
    },
    Done {
        request: u64,
    },
}

impl CopyFinder {
    /// The handle and its owner task (spawn it).
    pub fn new(player: PlayerHandle) -> (Self, impl std::future::Future<Output = ()> + Send) {
        let (tx, rx) = mpsc::unbounded_channel();
        let owner = Owner {
            player,
            messages: tx.clone(),
            tracks: HashMap::new(),
            answers: HashMap::new(),
            answered_for: None,
            request: 0,
            current: None,
        };
        (Self { messages: tx }, owner.run(rx))
    }

    /// Remembers listed tracks that their source will not play (others are ignored), so a
    /// later [`CopyFinder::find`] can name them by id.
    pub fn remember(&self, tracks: &[Track]) {
        let unplayable: Vec<Track> = tracks
            .iter()
            .filter(|t| t.unplayable.is_some())
            .cloned()
            .collect();
        if !unplayable.is_empty() {
            let _ = self.messages.send(Message::Remember(unplayable));
        }
    }

    /// Whether the remembered tracks `ids` (at most [`MAX_COPY_LOOKUPS`]) have copies
    /// elsewhere. Ids it does not remember are left out of the answer, and so are the tracks
    /// not looked up when a newer call cancelled this one.
    pub async fn find(&self, ids: Vec<TrackId>) -> Vec<NeteaseCopy> {
        let (reply, answer) = oneshot::channel();
        let mut ids = ids;
        ids.truncate(MAX_COPY_LOOKUPS);
        if self.messages.send(Message::Find { ids, reply }).is_err() {
            return Vec::new();
        }
        answer.await.unwrap_or_default()
    }
}

/// The lookup being run: its id, its cancel token, what it found and who waits for it.
struct Lookup {
    id: u64,
    cancel: CancellationToken,
    found: Vec<NeteaseCopy>,
    reply: oneshot::Sender<Vec<NeteaseCopy>>,
}

struct Owner {
    player: PlayerHandle,
    messages: mpsc::UnboundedSender<Message>,
    tracks: HashMap<TrackId, Track>,
    /// What lookups found, valid for the registry `answered_for`.
    answers: HashMap<TrackId, Option<String>>,
    answered_for: Option<Sources>,
    request: u64,
    current: Option<Lookup>,
}

impl Owner {
    async fn run(mut self, mut messages: mpsc::UnboundedReceiver<Message>) {
        while let Some(message) = messages.recv().await {
            match message {
                Message::Remember(tracks) => self.remember(tracks),
                Message::Find { ids, reply } => self.find(ids, reply).await,
                Message::Found {
                    request,
                    sources,
                    id,
                    source,
                } => self.found(request, &sources, id, source),
                Message::Done { request } => {
                    if self.current.as_ref().is_some_and(|l| l.id == request)
                        && let Some(done) = self.current.take()
                    {
                        let _ = done.reply.send(done.found);
                    }
                }
            }
        }
        if let Some(current) = self.current.take() {
            current.cancel.cancel();
        }
    }

    fn remember(&mut self, tracks: Vec<Track>) {
        if self.tracks.len() + tracks.len() > MAX_REMEMBERED {
            self.tracks.clear();
        }
        for track in tracks.into_iter().take(MAX_REMEMBERED) {
            self.tracks.insert(track.id.clone(), track);
        }
    }

    async fn find(&mut self, ids: Vec<TrackId>, reply: oneshot::Sender<Vec<NeteaseCopy>>) {
        // The user moved on: the lookup before this one stops, and its caller gets what it has.
        if let Some(before) = self.current.take() {
            before.cancel.cancel();
            let _ = before.reply.send(before.found);
        }
        let Ok(sources) = self.player.sources().await else {
            let _ = reply.send(Vec::new());
            return;
        };
        if self.answered_for.as_ref() != Some(&sources) {
            self.answers.clear();
            self.answered_for = Some(sources.clone());
        }
        let mut found = Vec::new();
        let mut wanted = Vec::new();
        for id in ids {
            match (self.answers.get(&id), self.tracks.get(&id)) {
                (Some(source), _) => found.push(NeteaseCopy {
                    track_id: id,
                    source: source.clone(),
                }),
                (None, Some(track)) => wanted.push(track.clone()),
                (None, None) => {}
            }
        }
        if wanted.is_empty() {
            let _ = reply.send(found);
            return;
        }
        self.request += 1;
        let cancel = CancellationToken::new();
        tokio::spawn(look_up(
            self.request,
            wanted,
            sources,
            cancel.clone(),
            self.messages.clone(),
        ));
        self.current = Some(Lookup {
            id: self.request,
            cancel,
            found,
            reply,
        });
    }

    fn found(&mut self, request: u64, sources: &Sources, id: TrackId, source: Option<String>) {
        // An answer for the registry in use is worth keeping, even from a cancelled lookup.
        if self.answered_for.as_ref() == Some(sources) {
            if self.answers.len() >= MAX_REMEMBERED {
                self.answers.clear();
            }
            self.answers.insert(id.clone(), source.clone());
        }
        if let Some(current) = self.current.as_mut().filter(|l| l.id == request) {
            current.found.push(NeteaseCopy {
                track_id: id,
                source,
            });
        }
    }
}

/// Looks for copies of `wanted`, a few tracks at a time, telling the owner of each; stops at
/// `cancel`.
async fn look_up(
    request: u64,
    wanted: Vec<Track>,
    sources: Sources,
    cancel: CancellationToken,
    owner: mpsc::UnboundedSender<Message>,
) {
    let mut queue = wanted.into_iter();
    let mut running = JoinSet::new();
    loop {
        while running.len() < CONCURRENT_TRACKS {
            let Some(track) = queue.next() else { break };
            let (sources, cancel) = (sources.clone(), cancel.child_token());
            running.spawn(async move {
                let source = best_copy(&track, &sources, &cancel).await;
                (track.id, source, cancel.is_cancelled())
            });
        }
        let next = tokio::select! {
            () = cancel.cancelled() => break,
            next = running.join_next() => next,
        };
        let Some(Ok((id, source, cancelled))) = next else {
            if running.is_empty() {
                break;
            }
            continue;
        };
        if !cancelled {
            let _ = owner.send(Message::Found {
                request,
                sources: sources.clone(),
                id,
                source,
            });
        }
    }
    running.abort_all();
    let _ = owner.send(Message::Done { request });
}

/// The label of the source holding the best copy of `track` (as the fallback race would pick
/// it), or `None`.
async fn best_copy(track: &Track, sources: &Sources, cancel: &CancellationToken) -> Option<String> {
    let entrants: Vec<usize> = sources
        .entries()
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.is_home_of(track))
        .map(|(i, _)| i)
        .collect();
    let mut race = Race::new(track.clone(), entrants.iter().copied(), min_score());
    // The losers' (and everyone's, once decided or cancelled) token: sources stop on it.
    let searching = cancel.child_token();
    let mut finds = JoinSet::new();
    for &entry in &entrants {
        let source = sources.entries()[entry].source.clone();
        let find = source.find(track.clone(), searching.child_token());
        finds.spawn(async move { (entry, find.await) });
    }
    let deadline = tokio::time::sleep(DEADLINE);
    tokio::pin!(deadline);
    let verdict = loop {
        match race.verdict(false) {
            Verdict::Undecided => {}
            decided => break decided,
        }
        tokio::select! {
            () = cancel.cancelled() => break Verdict::Nothing,
            () = &mut deadline => break race.verdict(true),
            next = finds.join_next() => match next {
                Some(Ok((entry, found))) => race.record(entry, found),
                Some(Err(_)) => {}
                None => break race.verdict(true),
            },
        }
    };
    searching.cancel();
    // Cancelled searches end by themselves (a source stops on its token, as in the race).
    finds.detach_all();
    match verdict {
        Verdict::Winner(index) => race
            .candidates()
            .get(index)
            .and_then(|c| sources.entry(c.entry))
            .map(|e| e.label.clone()),
        Verdict::Undecided | Verdict::Nothing => None,
    }
}
