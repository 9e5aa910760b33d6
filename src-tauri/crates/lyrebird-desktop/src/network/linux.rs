//! NetworkManager's idea of the connection's cost: the `Metered` property of
//! `org.freedesktop.NetworkManager` (an `NMMetered`: 0 unknown, 1 yes, 2 no, 3 guessed yes,
//! 4 guessed no), read once and then followed through `PropertiesChanged`. NetworkManager
//! (re)starting or stopping is followed too (`NameOwnerChanged`): gone, it is unmetered.
//!
//! The connection is the caller's (the system bus in the app, a private bus in tests).

use futures_util::StreamExt;
use lyrebird_core::actor::PlayerHandle;
use zbus::fdo::{DBusProxy, PropertiesProxy};
use zbus::names::InterfaceName;
use zbus::proxy::CacheProperties;

pub const SERVICE: &str = "org.freedesktop.NetworkManager";
pub const PATH: &str = "/org/freedesktop/NetworkManager";
pub const INTERFACE: &str = "org.freedesktop.NetworkManager";
const METERED: &str = "Metered";

/// Whether an `NMMetered` value means metered: yes (1) or guessed yes (3).
#[must_use]
pub fn is_metered(value: u32) -> bool {
    matches!(value, 1 | 3)
}

/// Tell `player` whether NetworkManager says the connection is metered, now and at every
/// change, until the bus connection ends. Errors only when the bus refuses the subscriptions.
pub async fn follow_network_manager(
    connection: &zbus::Connection,
    player: &PlayerHandle,
) -> zbus::Result<()> {
    let properties = PropertiesProxy::builder(connection)
        .destination(SERVICE)?
        .path(PATH)?
        .cache_properties(CacheProperties::No)
        .build()
        .await?;
    // Subscribed before the first read, so that no change falls in between.
    let mut changes = properties.receive_properties_changed().await?;
    let mut owners = DBusProxy::new(connection)
        .await?
        .receive_name_owner_changed_with_args(&[(0, SERVICE)])
        .await?;
    super::tell(player, read(&properties).await);
    loop {
        tokio::select! {
            change = changes.next() => {
                let Some(change) = change else { break };
                let Ok(args) = change.args() else { continue };
                if args.interface_name.as_str() != INTERFACE {
                    continue;
                }
                if let Some(value) = args.changed_properties.get(METERED) {
                    super::tell(player, u32::try_from(value).is_ok_and(is_metered));
                } else if args.invalidated_properties.contains(&METERED) {
                    super::tell(player, read(&properties).await);
                }
            }
            owner = owners.next() => {
                if owner.is_none() {
                    break;
                }
                // NetworkManager started, restarted or stopped.
                super::tell(player, read(&properties).await);
            }
        }
    }
    Ok(())
}

/// Read `Metered`; anything unreadable (no NetworkManager) is unmetered.
async fn read(properties: &PropertiesProxy<'_>) -> bool {
    let interface = InterfaceName::from_static_str_unchecked(INTERFACE);
    match properties.get(interface, METERED).await {
        Ok(value) => u32::try_from(value).is_ok_and(is_metered),
        Err(e) => {
            tracing::debug!(error = %e, "NetworkManager's Metered not read; unmetered");
            false
        }
    }
}
