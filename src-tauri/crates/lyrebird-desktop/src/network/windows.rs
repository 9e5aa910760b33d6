//! Windows' idea of the connection's cost: the Internet connection profile's
//! `NetworkCostType` (`Fixed` or `Variable`: metered; `Unrestricted`, `Unknown` or no profile:
//! not), read now and again at every `NetworkStatusChanged`.

use lyrebird_core::actor::PlayerHandle;
use windows::Networking::Connectivity::{
    NetworkCostType, NetworkInformation, NetworkStatusChangedEventHandler,
};

/// Whether the Internet connection is metered now.
#[must_use]
pub fn metered() -> bool {
    let cost = NetworkInformation::GetInternetConnectionProfile()
        .and_then(|profile| profile.GetConnectionCost())
        .and_then(|cost| cost.NetworkCostType());
    matches!(cost, Ok(NetworkCostType::Fixed | NetworkCostType::Variable))
}

/// Tell `player` now, and at every network status change for as long as the app runs.
pub fn follow(player: PlayerHandle) {
    super::tell(&player, metered());
    let handler = NetworkStatusChangedEventHandler::new(move |_| {
        super::tell(&player, metered());
        Ok(())
    });
    if let Err(e) = NetworkInformation::NetworkStatusChanged(&handler) {
        tracing::debug!(error = %e, "network changes not followed");
    }
}
