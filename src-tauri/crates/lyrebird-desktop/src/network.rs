//! Whether the computer's connection is metered (mobile data, a hotspot: as the OS marks it),
//! so that NetEase can stream at the quality the user chose for such a connection. The shell
//! starts [`follow`]; it tells the actor ([`Action::SetMetered`]) at start and at every change,
//! and the actor, which owns the flag, decides what that changes.
//!
//! - Linux: NetworkManager's `Metered` property on the system bus ([`linux`]), followed
//!   through its `PropertiesChanged` signal (no polling).
//! - Windows: the Internet connection profile's cost ([`windows`]), again at every
//!   `NetworkStatusChanged`.
//! - macOS: not known; every connection counts as unmetered.
//!
//! Not knowing is never an error to the user: no NetworkManager, no system bus, no profile all
//! count as unmetered (logged at debug level).

#[cfg(any(target_os = "linux", target_os = "windows"))]
use lyrebird_core::actor::Action;
use lyrebird_core::actor::PlayerHandle;

#[cfg(target_os = "linux")]
pub mod linux;
#[cfg(target_os = "windows")]
pub mod windows;

/// Follow whether the connection is metered for as long as the app runs, telling `player`.
/// Returns when there is nothing (more) to follow (at once on Windows, whose callback follows
/// changes, and on macOS).
// Async for NetworkManager; the same signature elsewhere.
#[cfg_attr(not(target_os = "linux"), allow(clippy::unused_async))]
pub async fn follow(player: PlayerHandle) {
    #[cfg(target_os = "linux")]
    match zbus::Connection::system().await {
        Ok(connection) => {
            if let Err(e) = linux::follow_network_manager(&connection, &player).await {
                tracing::debug!(error = %e, "NetworkManager not followed; the connection counts as unmetered");
            }
        }
        Err(e) => {
            tracing::debug!(error = %e, "no system bus; the connection counts as unmetered");
        }
    }
    #[cfg(target_os = "windows")]
    windows::follow(player);
    #[cfg(not(any(target_os = "linux", target_os = "windows")))]
    {
        drop(player);
        tracing::debug!(
            "whether the connection is metered is not known here; it counts as unmetered"
        );
    }
}

/// Tell the actor (it ignores what it already knows).
#[cfg(any(target_os = "linux", target_os = "windows"))]
fn tell(player: &PlayerHandle, metered: bool) {
    player.send(Action::SetMetered(metered));
}
