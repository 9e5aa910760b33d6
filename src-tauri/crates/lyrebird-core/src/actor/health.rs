//! Which sources are down. A source whose server could not be reached (refused, timed out, a
//! network or TLS failure) is left alone for a while: its tracks go straight to the fallback
//! race and races leave it out, instead of every track waiting for the same timeout. The wait
//! doubles while it stays down; once it has passed, the next track of that source is the
//! probe, and the first sound from it brings the source back. A track the user picks to play
//! is a probe at once: they may just have brought the server back, and asked for that very
//! track (a next track reached by Next or by the end of the last one waits, as before).

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use super::Actor;
use crate::audio::AudioOutput;
use crate::events::Notice;
use crate::model::Track;
use crate::provider::{self, SourceId};

/// How long a source is left alone after its first failure, and at most.
pub(super) const FIRST_WAIT: Duration = Duration::from_secs(15);
pub(super) const LONGEST_WAIT: Duration = Duration::from_mins(5);

#[derive(Clone, Debug)]
struct Down {
    until: Instant,
    wait: Duration,
    reason: String,
}

/// The sources that could not be reached lately, by id (ids survive a new registry).
#[derive(Default)]
pub(super) struct Health {
    down: HashMap<SourceId, Down>,
}

impl Health {
    /// Why `source` is being left alone now, if it is.
    pub(super) fn down_because(&self, source: &SourceId, now: Instant) -> Option<&str> {
        self.down
            .get(source)
            .filter(|down| now < down.until)
            .map(|down| down.reason.as_str())
    }

    /// `source` could not be reached. True if it was up until now (worth telling the user).
    pub(super) fn unreachable(&mut self, source: &SourceId, reason: &str, now: Instant) -> bool {
        if let Some(down) = self.down.get_mut(source) {
            // The probe failed too: wait twice as long.
            down.wait = (down.wait * 2).min(LONGEST_WAIT);
            down.until = now + down.wait;
            reason.clone_into(&mut down.reason);
            return false;
        }
        let down = Down {
            until: now + FIRST_WAIT,
            wait: FIRST_WAIT,
            reason: reason.to_owned(),
        };
        self.down.insert(source.clone(), down);
        true
    }

    /// Ask `source` at its next track even if its wait has not passed; a failure then counts
    /// as a failed probe (a longer wait, nothing said again).
    pub(super) fn probe_now(&mut self, source: &SourceId, now: Instant) {
        if let Some(down) = self.down.get_mut(source) {
            down.until = down.until.min(now);
        }
    }

    /// `source` delivered: it is up. True if it had been down.
    pub(super) fn reachable(&mut self, source: &SourceId) -> bool {
        self.down.remove(source).is_some()
    }
}

impl<A: AudioOutput> Actor<A> {
    /// The registry position of the source the current load plays from: the track's own, or
    /// the chosen copy's. `None` for a local file (a file system is not "down").
    pub(super) fn playing_source(&self) -> Option<usize> {
        let track = self.queue.current()?;
        let entry = match self.playing_origin {
            super::fallback::Origin::Own => {
                if provider::is_local(track) {
                    return None;
                }
                self.config.sources.home_for(track)?
            }
            super::fallback::Origin::Copy => self.chosen_copy_entry(track)?,
        };
        let kind = self.config.sources.entry(entry)?.kind;
        (kind != crate::model::SourceKind::Local).then_some(entry)
    }

    /// Source `entry` could not be reached: leave it alone for a while, and say so once.
    pub(super) fn source_unreachable(&mut self, entry: usize, reason: &str) {
        let Some(source) = self.config.sources.entry(entry) else {
            return;
        };
        let (id, label) = (source.id.clone(), source.label.clone());
        tracing::warn!(source = %label, %reason, "source unreachable; left alone for a while");
        if self.health.unreachable(&id, reason, Instant::now()) {
            self.notices.push(Notice::SourceUnreachable {
                source: label,
                reason: reason.to_owned(),
            });
        }
    }

    /// The current load's source delivered sound.
    pub(super) fn source_reachable(&mut self) {
        if let Some(source) = self
            .playing_source()
            .and_then(|e| self.config.sources.entry(e))
        {
            let id = source.id.clone();
            if self.health.reachable(&id) {
                tracing::info!(source = %source.label, "source reachable again");
            }
        }
    }

    /// Why source `entry` is being left alone now, if it is.
    pub(super) fn source_down(&self, entry: usize) -> Option<String> {
        let source = self.config.sources.entry(entry)?;
        self.health
            .down_because(&source.id, Instant::now())
            .map(|reason| format!("{} cannot be reached ({reason})", source.label))
    }

    /// The user picked the current track to play: its own source is asked now, left alone
    /// or not.
    pub(super) fn probe_home_of_current(&mut self) {
        let Some(track) = self.queue.current() else {
            return;
        };
        if provider::is_local(track) {
            return;
        }
        if let Some(source) = self
            .config
            .sources
            .home_for(track)
            .and_then(|e| self.config.sources.entry(e))
        {
            self.health.probe_now(&source.id, Instant::now());
        }
    }

    /// Whether `track`'s own source is being left alone now.
    pub(super) fn home_down(&self, track: &Track) -> Option<String> {
        if provider::is_local(track) {
            return None;
        }
        self.source_down(self.config.sources.home_for(track)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_source_is_left_alone_longer_each_time_its_probe_fails_and_back_once_it_plays() {
        let mut health = Health::default();
        let home = SourceId("subsonic:home".into());
        let t0 = Instant::now();
        assert!(health.unreachable(&home, "refused", t0), "newly down");
        assert_eq!(health.down_because(&home, t0), Some("refused"));
        assert!(
            health.down_because(&home, t0 + FIRST_WAIT).is_none(),
            "probe"
        );
        assert!(
            !health.unreachable(&home, "timed out", t0 + FIRST_WAIT),
            "still down"
        );
        let doubled = t0 + FIRST_WAIT + FIRST_WAIT * 2;
        assert_eq!(
            health.down_because(&home, doubled - Duration::from_millis(1)),
            Some("timed out")
        );
        assert!(health.down_because(&home, doubled).is_none());
        for _ in 0..20 {
            health.unreachable(&home, "x", doubled);
        }
        assert!(
            health.down_because(&home, doubled + LONGEST_WAIT).is_none(),
            "capped"
        );
        assert!(health.reachable(&home));
        assert!(!health.reachable(&home));
        assert!(health.down_because(&home, doubled).is_none());
    }
}
