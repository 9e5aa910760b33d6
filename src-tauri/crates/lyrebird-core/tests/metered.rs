//! NetEase's quality on a metered connection: the actor owns the flag the OS watcher sends
//! (`Action::SetMetered`), and the registry it asks for is built with the quality in effect —
//! rebuilt when, and only when, that quality changes.

mod support;

use lyrebird_core::actor::{Action, PlayerConfig, RegistryConfig};
use lyrebird_core::netease::{NeteaseQuality, NeteaseUser};
use lyrebird_core::provider::Sources;
use lyrebird_core::servers::{Generation, SourceChange, WantedSources};
use tokio::sync::watch;

/// An actor whose registries the test builds, as the shell's builder task does.
struct Rig {
    base: support::Rig,
    wanted: watch::Receiver<WantedSources>,
}

impl Rig {
    fn start(settings_path: Option<std::path::PathBuf>) -> Self {
        let (wanted_tx, wanted) = watch::channel(WantedSources::default());
        let base = support::Rig::start(PlayerConfig {
            settings_path,
            registry: RegistryConfig {
                wanted: Some(wanted_tx),
            },
            ..PlayerConfig::default()
        });
        Self { base, wanted }
    }

    /// The generation wanted now, marked seen.
    fn generation(&mut self) -> Generation {
        self.wanted.borrow_and_update().generation
    }

    /// The quality the registry wanted now is to be built with, and whether it is a new
    /// generation since the last look.
    fn wanted_quality(&mut self) -> (NeteaseQuality, bool) {
        let changed = self.wanted.has_changed().unwrap();
        let quality = self
            .wanted
            .borrow_and_update()
            .settings
            .netease_settings()
            .quality;
        (quality, changed)
    }

    /// Build (an empty registry) for the generation wanted now, as the builder task would.
    async fn build(&mut self) {
        let generation = self.generation();
        assert!(
            self.base
                .player
                .registry_built(generation, Sources::default())
                .await
                .unwrap()
        );
    }

    /// Apply a change, building the registry it waits for (if it waits for one: then the
    /// new generation is marked seen).
    async fn change(&mut self, change: SourceChange) {
        let player = self.base.player.clone();
        let applied = tokio::spawn(async move { player.change_sources(change).await });
        self.base.wait(10).await;
        if !applied.is_finished() {
            self.build().await;
        }
        applied.await.unwrap().unwrap();
    }

    async fn metered(&mut self, metered: bool) {
        self.base
            .player
            .act(Action::SetMetered(metered))
            .await
            .unwrap();
    }
}

fn user() -> NeteaseUser {
    NeteaseUser {
        id: 10001,
        nickname: "Ann".into(),
        avatar_url: None,
        vip: true,
    }
}

#[tokio::test(start_paused = true)]
async fn the_registry_follows_the_connection_with_the_quality_set_for_it() {
    let mut rig = Rig::start(None);
    rig.build().await;
    rig.change(SourceChange::NeteaseSignedIn { user: user() })
        .await;
    rig.change(SourceChange::NeteaseQuality(NeteaseQuality::Lossless))
        .await;
    assert_eq!(rig.wanted_quality(), (NeteaseQuality::Lossless, false));

    // No second level: a metered connection builds nothing new.
    rig.metered(true).await;
    assert_eq!(rig.wanted_quality(), (NeteaseQuality::Lossless, false));
    assert!(rig.base.player.registry_view().await.unwrap().metered);
    rig.metered(false).await;

    // A second level chosen while not metered changes the settings, not what is built.
    let before = rig.generation();
    rig.change(SourceChange::NeteaseQualityOnMetered(Some(
        NeteaseQuality::Standard,
    )))
    .await;
    assert_eq!(rig.generation(), before, "no rebuild");
    let view = rig.base.player.registry_view().await.unwrap();
    assert_eq!(
        view.settings.netease_settings().quality_on_metered,
        Some(NeteaseQuality::Standard)
    );
    assert_eq!(view.in_use, Some(before));

    // The OS says the connection is metered: a registry with the second level is wanted.
    rig.metered(true).await;
    assert_eq!(rig.wanted_quality(), (NeteaseQuality::Standard, true));
    assert_eq!(rig.generation(), Generation(before.0 + 1));
    rig.build().await;
    // Said again: nothing new.
    rig.metered(true).await;
    assert!(!rig.wanted.has_changed().unwrap());

    // Changing the second level while metered is a rebuild; the first level is not.
    let before = rig.generation();
    rig.change(SourceChange::NeteaseQualityOnMetered(Some(
        NeteaseQuality::Higher,
    )))
    .await;
    assert_eq!(rig.wanted_quality().0, NeteaseQuality::Higher);
    assert_eq!(rig.generation(), Generation(before.0 + 1), "rebuilt");
    let before = rig.generation();
    rig.change(SourceChange::NeteaseQuality(NeteaseQuality::Hires))
        .await;
    assert_eq!(rig.generation(), before, "the first level is not in effect");
    assert_eq!(rig.wanted_quality(), (NeteaseQuality::Higher, false));

    // Back on an unmetered connection: the first level.
    rig.metered(false).await;
    assert_eq!(rig.wanted_quality(), (NeteaseQuality::Hires, true));
    rig.build().await;

    // "The same as always" while metered: the first level there too.
    rig.metered(true).await;
    assert_eq!(rig.wanted_quality(), (NeteaseQuality::Higher, true));
    rig.build().await;
    let before = rig.generation();
    rig.change(SourceChange::NeteaseQualityOnMetered(None))
        .await;
    assert_eq!(rig.wanted_quality().0, NeteaseQuality::Hires);
    assert_eq!(rig.generation(), Generation(before.0 + 1), "rebuilt");
    let view = rig.base.player.registry_view().await.unwrap();
    assert_eq!(view.in_use, Some(view.wanted), "its registry is in use");
}

#[tokio::test(start_paused = true)]
async fn signed_out_the_connection_builds_nothing_new() {
    let mut rig = Rig::start(None);
    rig.build().await;
    rig.change(SourceChange::NeteaseQualityOnMetered(Some(
        NeteaseQuality::Standard,
    )))
    .await;
    let before = rig.generation();
    rig.metered(true).await;
    rig.metered(false).await;
    rig.metered(true).await;
    assert_eq!(rig.generation(), before);
    assert!(!rig.wanted.has_changed().unwrap());

    // Signing in while metered: the registry that registers NetEase has the second level.
    rig.change(SourceChange::NeteaseSignedIn { user: user() })
        .await;
    assert_eq!(
        rig.wanted.borrow().settings.netease_settings().quality,
        NeteaseQuality::Standard
    );
    assert_eq!(
        rig.wanted.borrow().settings.netease_user().map(|u| u.id),
        Some(10001)
    );
}

/// The second level is a setting; the flag is not: after a restart the registry has the first
/// level until the OS says the connection is metered.
#[tokio::test(start_paused = true)]
async fn the_second_level_is_saved_and_the_flag_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let mut rig = Rig::start(Some(path.clone()));
    rig.build().await;
    rig.change(SourceChange::NeteaseSignedIn { user: user() })
        .await;
    rig.change(SourceChange::NeteaseQualityOnMetered(Some(
        NeteaseQuality::Standard,
    )))
    .await;
    rig.metered(true).await;
    assert_eq!(rig.wanted_quality(), (NeteaseQuality::Standard, true));
    rig.base.player.shutdown().await.unwrap();

    let mut again = Rig::start(Some(path));
    again.base.wait(10).await;
    assert_eq!(again.wanted_quality().0, NeteaseQuality::Exhigh);
    let view = again.base.player.registry_view().await.unwrap();
    assert!(!view.metered);
    assert_eq!(
        view.settings.netease_settings().quality_on_metered,
        Some(NeteaseQuality::Standard)
    );
    again.metered(true).await;
    assert_eq!(again.wanted_quality(), (NeteaseQuality::Standard, true));
}
