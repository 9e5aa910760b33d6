//! Warnings that hostile input can repeat are rate-limited.
//!
//! A folder of ten thousand files that crash the tag reader, a server that drops every
//! connection after one byte, a cover that never decodes: each is a warning per file or per
//! request, and without a limit the log takes thousands of lines a second (disk, CPU, and the
//! one useful line lost among them). [`warn_limited!`](crate::warn_limited) logs a warning at
//! most [`PER_INTERVAL`] times per [`INTERVAL`] from each call site; the first one logged after
//! some were dropped is preceded by a line saying how many (`… suppressed K times`).
//!
//! A small helper rather than a crate: it needs one mutex and three numbers per call site.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

#[doc(hidden)]
pub use tracing as __tracing;

/// Warnings logged per call site per [`INTERVAL`].
pub const PER_INTERVAL: u32 = 10;
/// The window of [`PER_INTERVAL`].
pub const INTERVAL: Duration = Duration::from_mins(1);

/// At most `max` events per `interval`; counts the rest.
#[derive(Debug)]
pub struct LogLimit {
    max: u32,
    interval: Duration,
    window: Mutex<Window>,
}

#[derive(Debug)]
struct Window {
    start: Option<Instant>,
    allowed: u32,
    /// Dropped since the last allowed one.
    suppressed: u64,
}

impl LogLimit {
    /// A limit of `max` events per `interval` (`const`: one `static` per call site).
    #[must_use]
    pub const fn new(max: u32, interval: Duration) -> Self {
        Self {
            max,
            interval,
            window: Mutex::new(Window {
                start: None,
                allowed: 0,
                suppressed: 0,
            }),
        }
    }

    /// `Some(k)` if an event may be logged now (`k` were suppressed since the last one logged),
    /// `None` if it must be dropped (and is counted).
    pub fn allow(&self) -> Option<u64> {
        self.allow_at(Instant::now())
    }

    /// [`LogLimit::allow`] at a given time (tests).
    pub fn allow_at(&self, now: Instant) -> Option<u64> {
        let mut window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        let current = window
            .start
            .is_some_and(|start| now.saturating_duration_since(start) < self.interval);
        if !current {
            window.start = Some(now);
            window.allowed = 0;
        }
        if window.allowed < self.max {
            window.allowed += 1;
            Some(std::mem::take(&mut window.suppressed))
        } else {
            window.suppressed += 1;
            None
        }
    }
}

/// `tracing::warn!`, at most [`PER_INTERVAL`](crate::log_limit::PER_INTERVAL) times per
/// [`INTERVAL`](crate::log_limit::INTERVAL) from this call site; the first warning after
/// dropped ones is preceded by `… suppressed K times`. Same arguments as `warn!`.
#[macro_export]
macro_rules! warn_limited {
    ($($arg:tt)+) => {{
        static LIMIT: $crate::log_limit::LogLimit = $crate::log_limit::LogLimit::new(
            $crate::log_limit::PER_INTERVAL,
            $crate::log_limit::INTERVAL,
        );
        if let Some(suppressed) = LIMIT.allow() {
            if suppressed > 0 {
                $crate::log_limit::__tracing::warn!(
                    suppressed,
                    "… the next warning was repeated and suppressed {suppressed} times"
                );
            }
            $crate::log_limit::__tracing::warn!($($arg)+);
        }
    }};
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn at_most_max_per_interval_then_a_count_of_the_rest() {
        let limit = LogLimit::new(3, Duration::from_secs(10));
        let t0 = Instant::now();
        let first: Vec<_> = (0..1000).map(|_| limit.allow_at(t0)).collect();
        assert_eq!(first.iter().filter(|a| a.is_some()).count(), 3);
        assert_eq!(first[..3], [Some(0), Some(0), Some(0)]);
        // Still within the interval: dropped.
        assert_eq!(limit.allow_at(t0 + Duration::from_secs(9)), None);
        // A new interval: allowed, with the count of what was dropped (997 + 1).
        assert_eq!(limit.allow_at(t0 + Duration::from_secs(10)), Some(998));
        assert_eq!(limit.allow_at(t0 + Duration::from_secs(10)), Some(0));
    }

    /// A `tracing` subscriber that keeps the messages of the events it sees.
    #[derive(Clone, Default)]
    struct Messages(Arc<Mutex<Vec<String>>>);

    impl tracing::Subscriber for Messages {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            struct Message<'a>(&'a mut String);
            impl tracing::field::Visit for Message<'_> {
                fn record_debug(
                    &mut self,
                    field: &tracing::field::Field,
                    value: &dyn std::fmt::Debug,
                ) {
                    if field.name() == "message" {
                        *self.0 = format!("{value:?}");
                    }
                }
            }
            let mut message = String::new();
            event.record(&mut Message(&mut message));
            self.0.lock().unwrap().push(message);
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    #[test]
    fn a_flood_of_one_warning_is_logged_a_few_times() {
        let messages = Messages::default();
        tracing::subscriber::with_default(messages.clone(), || {
            for file in 0..5000 {
                crate::warn_limited!(file, "tag reader panicked");
            }
        });
        let logged = messages.0.lock().unwrap().clone();
        assert_eq!(logged.len(), PER_INTERVAL as usize, "{logged:?}");
        assert!(logged.iter().all(|m| m == "tag reader panicked"));
    }
}
