//! The NetworkManager reader against a fake NetworkManager served with zbus on a private
//! D-Bus bus (a `dbus-daemon` of the test's own), driving the real actor: NetEase's quality in
//! the registry the actor wants follows `Metered` as it flips, and NetworkManager stopping or
//! never being there counts as unmetered. Skipped without `dbus-daemon`, unless `CI` is set.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use lyrebird_core::actor::{Player, PlayerConfig, PlayerHandle, RegistryConfig};
use lyrebird_core::netease::{NeteaseQuality, NeteaseUser};
use lyrebird_core::provider::Sources;
use lyrebird_core::servers::{SourceChange, WantedSources};
use lyrebird_desktop::network::linux::{INTERFACE, PATH, SERVICE, follow_network_manager};
use tokio::sync::{mpsc, watch};

/// A `dbus-daemon` on a socket in a temporary folder, stopped on drop.
struct Bus {
    daemon: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Bus {
    fn start() -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let address = format!("unix:path={}", dir.path().join("bus").display());
        let spawned = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .arg(format!("--address={address}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let mut daemon = match spawned {
            Ok(daemon) => daemon,
            Err(e) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "dbus-daemon is needed in CI: {e}"
                );
                eprintln!("skipped: no dbus-daemon ({e})");
                return None;
            }
        };
        // It prints its address once it listens.
        let mut line = String::new();
        BufReader::new(daemon.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("unix:"), "dbus-daemon said {line:?}");
        Some(Self {
            daemon,
            address,
            _dir: dir,
        })
    }

    async fn connect(&self) -> zbus::Connection {
        zbus::connection::Builder::address(self.address.as_str())
            .unwrap()
            .build()
            .await
            .unwrap()
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// NetworkManager's `Metered`, and nothing else of it.
struct FakeNetworkManager {
    metered: u32,
}

#[zbus::interface(name = "org.freedesktop.NetworkManager")]
impl FakeNetworkManager {
    #[zbus(property)]
    fn metered(&self) -> u32 {
        self.metered
    }
}

/// Serve a fake NetworkManager on the bus, owning its name.
async fn network_manager(bus: &Bus, metered: u32) -> zbus::Connection {
    assert_eq!(INTERFACE, "org.freedesktop.NetworkManager");
    zbus::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .name(SERVICE)
        .unwrap()
        .serve_at(PATH, FakeNetworkManager { metered })
        .unwrap()
        .build()
        .await
        .unwrap()
}

/// Change `Metered` as NetworkManager does: the value, then `PropertiesChanged`.
async fn set_metered(nm: &zbus::Connection, metered: u32) {
    let iface = nm
        .object_server()
        .interface::<_, FakeNetworkManager>(PATH)
        .await
        .unwrap();
    iface.get_mut().await.metered = metered;
    iface
        .get()
        .await
        .metered_changed(iface.signal_emitter())
        .await
        .unwrap();
}

/// The actor with a registry builder that builds empty registries for every generation (as
/// the shell's does), signed in to NetEase with lossless always and standard when metered.
async fn player() -> (PlayerHandle, watch::Receiver<WantedSources>) {
    let (wanted_tx, wanted) = watch::channel(WantedSources::default());
    let (audio, _audio_commands) = mpsc::unbounded_channel();
    let (_audio_events, audio_events) = mpsc::unbounded_channel();
    let (player, _events, actor) = Player::new(
        PlayerConfig {
            registry: RegistryConfig {
                wanted: Some(wanted_tx),
            },
            ..PlayerConfig::default()
        },
        audio,
        audio_events,
    );
    tokio::spawn(actor);
    let (builder, mut told) = (player.clone(), wanted.clone());
    tokio::spawn(async move {
        loop {
            let generation = told.borrow_and_update().generation;
            if builder
                .registry_built(generation, Sources::default())
                .await
                .is_err()
                || told.changed().await.is_err()
            {
                return;
            }
        }
    });
    for change in [
        SourceChange::NeteaseSignedIn {
            user: NeteaseUser {
                id: 10001,
                nickname: "Ann".into(),
                avatar_url: None,
                vip: true,
            },
        },
        SourceChange::NeteaseQuality(NeteaseQuality::Lossless),
        SourceChange::NeteaseQualityOnMetered(Some(NeteaseQuality::Standard)),
    ] {
        player.change_sources(change).await.unwrap();
    }
    (player, wanted)
}

/// Wait (5 s at most) until the registry the actor wants is built with `quality`.
async fn wanted_quality(wanted: &mut watch::Receiver<WantedSources>, quality: NeteaseQuality) {
    let found = tokio::time::timeout(
        Duration::from_secs(5),
        wanted.wait_for(|w| w.settings.netease_settings().quality == quality),
    )
    .await
    .is_ok();
    assert!(
        found,
        "the wanted registry never had {quality:?}: {:?}",
        wanted.borrow().settings.netease
    );
}

/// The actor's flag once the reader has told it what NetworkManager says (5 s at most).
async fn metered_flag(player: &PlayerHandle, metered: bool) {
    for _ in 0..500 {
        if player.registry_view().await.unwrap().metered == metered {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the actor never heard metered = {metered}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quality_follows_network_managers_metered_property() {
    let Some(bus) = Bus::start() else { return };
    let (player, mut wanted) = player().await;
    let nm = network_manager(&bus, 1).await;
    let reader = {
        let (connection, player) = (bus.connect().await, player.clone());
        tokio::spawn(async move { follow_network_manager(&connection, &player).await })
    };

    // 1 (yes): metered from the first read.
    wanted_quality(&mut wanted, NeteaseQuality::Standard).await;
    // 2 (no), 3 (guessed yes), 4 (guessed no), 0 (unknown): each seen through the signal.
    set_metered(&nm, 2).await;
    wanted_quality(&mut wanted, NeteaseQuality::Lossless).await;
    set_metered(&nm, 3).await;
    wanted_quality(&mut wanted, NeteaseQuality::Standard).await;
    set_metered(&nm, 4).await;
    wanted_quality(&mut wanted, NeteaseQuality::Lossless).await;
    set_metered(&nm, 1).await;
    wanted_quality(&mut wanted, NeteaseQuality::Standard).await;
    set_metered(&nm, 0).await;
    wanted_quality(&mut wanted, NeteaseQuality::Lossless).await;
    set_metered(&nm, 1).await;
    wanted_quality(&mut wanted, NeteaseQuality::Standard).await;

    // NetworkManager stops: unmetered. It starts again, metered: followed again.
    drop(nm);
    wanted_quality(&mut wanted, NeteaseQuality::Lossless).await;
    let nm = network_manager(&bus, 3).await;
    wanted_quality(&mut wanted, NeteaseQuality::Standard).await;
    set_metered(&nm, 2).await;
    wanted_quality(&mut wanted, NeteaseQuality::Lossless).await;
    assert!(!reader.is_finished(), "still following");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_network_manager_is_unmetered_until_one_appears() {
    let Some(bus) = Bus::start() else { return };
    let (player, mut wanted) = player().await;
    // Metered before the reader starts, so that "unmetered" below is the reader's word.
    player
        .act(lyrebird_core::actor::Action::SetMetered(true))
        .await
        .unwrap();
    wanted_quality(&mut wanted, NeteaseQuality::Standard).await;

    let reader = {
        let (connection, player) = (bus.connect().await, player.clone());
        tokio::spawn(async move { follow_network_manager(&connection, &player).await })
    };
    metered_flag(&player, false).await;
    wanted_quality(&mut wanted, NeteaseQuality::Lossless).await;
    assert!(!reader.is_finished(), "no NetworkManager is not an error");

    let _nm = network_manager(&bus, 1).await;
    metered_flag(&player, true).await;
    wanted_quality(&mut wanted, NeteaseQuality::Standard).await;
}
