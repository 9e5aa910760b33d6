//! The source registry, owned by the actor like every setting.
//!
//! The user's servers and source order live in `Settings::sources`. A change
//! ([`SourceChange`]) is applied here, by the actor alone, and bumps the sources'
//! [`Generation`]; the actor then publishes what it wants registered on a watch channel
//! ([`RegistryConfig::wanted`]). The shell builds the clients for it (secrets, HTTP) and hands
//! the registry back with the generation it was built for ([`super::PlayerHandle::registry_built`]);
//! one built for an older generation is dropped. A change's reply waits until the registry of
//! its generation (or a later one) is in use, so that whoever changed the servers sees them
//! registered, and nobody sees a registry that disagrees with the settings it was built from.
//!
//! What is built also depends on whether the connection is metered (NetEase's quality on one,
//! [`crate::netease::NeteaseSettings::quality_for`]): the shell's watcher tells the actor
//! ([`super::Action::SetMetered`]), and the registry is rebuilt, the same way, only when that
//! changes what it is built from ([`crate::servers::SourceSettings::for_registry`]).

use tokio::sync::watch;

use super::{Actor, PlayerError, Reply};
use crate::audio::AudioOutput;
use crate::provider::{self, Sources};
use crate::servers::{Generation, ServerSettings, SourceChange, WantedSources};

/// Who builds registries for the actor.
#[derive(Clone, Debug, Default)]
pub struct RegistryConfig {
    /// Told the sources wanted at start and after every change. `None`: nobody builds
    /// registries; `PlayerConfig::sources` is the registry of generation 0 (tests, tools).
    pub wanted: Option<watch::Sender<WantedSources>>,
}

/// The registry as the actor has it, in one answer (tests and diagnostics).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryView {
    /// The generation of the settings' sources.
    pub wanted: Generation,
    /// The generation the registry in use was built for.
    pub in_use: Option<Generation>,
    /// Whether the connection is metered, as the actor was last told.
    pub metered: bool,
    /// The user's sources as set (what is built from them: [`WantedSources::settings`]).
    pub settings: crate::servers::SourceSettings,
    /// The ids of the registry's entries, by priority.
    pub sources: Vec<String>,
}

/// What a source change answers: the server as saved, for a save.
pub type SourceChangeReply = Reply<Result<Option<ServerSettings>, PlayerError>>;

/// The actor's part that tracks which generation is wanted and which is in use.
#[derive(Default)]
pub(super) struct Registry {
    /// The generation of the settings' sources.
    wanted: Generation,
    /// The generation `config.sources` was built for; `None` before the first one arrives.
    in_use: Option<Generation>,
    /// Changes whose reply waits for their generation's registry.
    waiting: Vec<(Generation, SourceChangeReply, Option<ServerSettings>)>,
    /// The restored session's position, cued once the first registry is in use (its tracks
    /// may be remote).
    pub(super) pending_cue: Option<u64>,
    /// Registries dropped because a newer generation was wanted by the time they arrived.
    pub(super) stale: u64,
    /// Whether the connection is metered, as the OS last said (false until it says).
    metered: bool,
}

impl Registry {
    /// Whether the registry in use was built for the settings as they are.
    pub(super) fn is_current(&self) -> bool {
        self.in_use == Some(self.wanted)
    }
}

impl<A: AudioOutput> Actor<A> {
    /// At start: without a builder the configured registry is generation 0's; with one, the
    /// builder is told what to build first.
    pub(super) fn init_registry(&mut self) {
        if self.config.registry.wanted.is_none() {
            self.registry.in_use = Some(Generation(0));
        }
        self.publish_wanted_sources();
    }

    fn publish_wanted_sources(&self) {
        if let Some(wanted) = &self.config.registry.wanted {
            wanted.send_replace(WantedSources {
                generation: self.registry.wanted,
                settings: self.settings.sources.for_registry(self.registry.metered),
            });
        }
    }

    /// Apply a change to the user's sources; the reply waits for the registry built for it.
    pub(super) fn change_sources(&mut self, change: SourceChange, reply: SourceChangeReply) {
        let (sources, saved) = match self.settings.sources.apply(change) {
            Ok(applied) => applied,
            Err(e) => {
                let _ = reply.send(Err(PlayerError::Sources(e)));
                return;
            }
        };
        if sources != self.settings.sources {
            let metered = self.registry.metered;
            let rebuild =
                sources.for_registry(metered) != self.settings.sources.for_registry(metered);
            self.settings.sources = sources;
            self.settings_changed();
            if rebuild {
                self.want_new_generation();
            }
        }
        if self.config.registry.wanted.is_none() {
            // Nobody builds registries: the change is in the settings, and that is all.
            self.registry.in_use = Some(self.registry.wanted);
            let _ = reply.send(Ok(saved));
        } else if self.registry.is_current() {
            let _ = reply.send(Ok(saved));
        } else {
            self.registry
                .waiting
                .push((self.registry.wanted, reply, saved));
        }
    }

    fn want_new_generation(&mut self) {
        self.registry.wanted.0 += 1;
        self.publish_wanted_sources();
        if self.config.registry.wanted.is_none() {
            // Nobody builds registries: the one configured stays in use.
            self.registry.in_use = Some(self.registry.wanted);
        }
    }

    /// The OS says whether the connection is metered. The registry is rebuilt when that
    /// changes what it is built from (NetEase's quality in effect); nothing waits for it.
    pub(super) fn set_metered(&mut self, metered: bool) {
        if self.registry.metered == metered {
            return;
        }
        tracing::info!(metered, "the connection's cost changed");
        let sources = &self.settings.sources;
        let rebuild = sources.for_registry(metered) != sources.for_registry(!metered);
        self.registry.metered = metered;
        if rebuild {
            self.want_new_generation();
        }
    }

    pub(super) fn registry_view(&self) -> RegistryView {
        RegistryView {
            wanted: self.registry.wanted,
            in_use: self.registry.in_use,
            metered: self.registry.metered,
            settings: self.settings.sources.clone(),
            sources: self
                .config
                .sources
                .entries()
                .iter()
                .map(|e| e.id.0.clone())
                .collect(),
        }
    }

    /// A registry built for `generation`: used if that is still the wanted one. Returns
    /// whether it was.
    pub(super) fn registry_built(&mut self, generation: Generation, sources: Sources) -> bool {
        if generation != self.registry.wanted {
            self.registry.stale += 1;
            tracing::debug!(
                ?generation,
                wanted = ?self.registry.wanted,
                "stale source registry dropped"
            );
            return false;
        }
        self.registry.in_use = Some(generation);
        self.replace_sources(sources);
        let (done, waiting) = std::mem::take(&mut self.registry.waiting)
            .into_iter()
            .partition(|(g, ..)| *g <= generation);
        self.registry.waiting = waiting;
        for (_, reply, saved) in done {
            let _ = reply.send(Ok(saved));
        }
        if let Some(position_ms) = self.registry.pending_cue.take() {
            self.load_current(position_ms, true);
        }
        true
    }

    /// Cue the current entry at `position_ms`, paused: now if it can be looked up, else once
    /// the first registry is in use (a restored remote track would otherwise fail to resolve
    /// and be skipped).
    pub(super) fn cue_current(&mut self, position_ms: u64) {
        let remote = self
            .queue
            .current()
            .is_some_and(|track| !provider::is_local(track));
        if remote && self.registry.in_use.is_none() {
            self.registry.pending_cue = Some(position_ms);
            self.position_ms = position_ms;
        } else {
            self.load_current(position_ms, true);
        }
    }
}
