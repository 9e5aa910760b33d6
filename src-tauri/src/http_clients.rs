//! The app's two HTTP clients, built on a thread of their own while the windowing runtime
//! starts. Each loads the system's certificate store (OpenSSL parses every certificate in the
//! bundle): 60–80 ms of CPU that sat on the main thread before the window could be built
//! (`docs/benchmarks.md`, "Where the warm start goes").

use std::thread::JoinHandle;

/// The clients: TLS verified, each request builds its own headers.
pub struct HttpClients {
    /// Streams and covers; servers whose user trusted a certificate of their own get clients of
    /// their own (`lyrebird-tls`).
    pub general: Option<reqwest::Client>,
    /// API calls to servers and NetEase: redirects to the same server only, so that a reply
    /// cannot send the app (and the credentials in a Subsonic URL) to another host.
    pub api: Option<reqwest::Client>,
}

impl HttpClients {
    /// Builds both here. Without one (no TLS library, say) what needs it says so and the rest
    /// of the app still runs.
    pub fn build() -> Self {
        let general = lyrebird_tls::client_builder()
            .build()
            .inspect_err(
                |e| tracing::error!(error = %e, "no HTTP client; remote tracks cannot play"),
            )
            .ok();
        let api = lyrebird_tls::client_builder()
            .redirect(lyrebird_subsonic::same_server_redirects())
            .build()
            .inspect_err(|e| tracing::error!(error = %e, "no HTTP client for servers"))
            .ok();
        Self { general, api }
    }
}

/// Clients being built on another thread; [`Self::wait`] takes them.
pub struct PendingHttpClients(Option<JoinHandle<HttpClients>>);

impl PendingHttpClients {
    /// Starts building them on a thread of their own (or here, if no thread can be started).
    pub fn spawn() -> Self {
        let thread = std::thread::Builder::new()
            .name("http-clients".into())
            .spawn(HttpClients::build)
            .inspect_err(|e| tracing::warn!(error = %e, "HTTP clients built on the main thread"))
            .ok();
        Self(thread)
    }

    /// The clients, once built.
    pub fn wait(self) -> HttpClients {
        self.0
            .and_then(|thread| thread.join().ok())
            .unwrap_or_else(HttpClients::build)
    }
}
