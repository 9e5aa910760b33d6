//! What the actor keeps for the windows, which come and go (the tray sheds the webview):
//! the view and scroll position to bring back, whether any window watches, and the notices
//! raised while none did.

use crate::events::{Notice, ViewMemory};

/// How many notices wait for a window at most (a backlog of toasts helps nobody).
const MAX_UNSEEN_NOTICES: usize = 8;

#[derive(Default)]
pub(super) struct WindowLink {
    /// The window's view and scroll position (not persisted: a restart starts fresh).
    pub(super) view: ViewMemory,
    /// Whether a window has taken a snapshot since the last one closed.
    open: bool,
    /// Notices raised while no window was open, for the next one.
    unseen: Vec<Notice>,
}

impl WindowLink {
    /// A window starts: it takes the notices no window has seen. True if none was open.
    pub(super) fn opened(&mut self) -> (bool, Vec<Notice>) {
        let first = !self.open;
        self.open = true;
        (first, std::mem::take(&mut self.unseen))
    }

    /// The last window closed. True if one was open.
    pub(super) fn closed(&mut self) -> bool {
        std::mem::replace(&mut self.open, false)
    }

    /// Notices published this turn: with no window open, the newest few wait for the next.
    pub(super) fn published(&mut self, notices: &[Notice]) {
        if self.open {
            return;
        }
        self.unseen.extend(notices.iter().cloned());
        let excess = self.unseen.len().saturating_sub(MAX_UNSEEN_NOTICES);
        self.unseen.drain(..excess);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_wait_only_while_no_window_is_open_and_only_the_newest() {
        let mut link = WindowLink::default();
        let notices: Vec<Notice> = (0..12)
            .map(|i| Notice::Stalled {
                name: format!("n{i}"),
            })
            .collect();
        link.published(&notices);
        let (first, unseen) = link.opened();
        assert!(first);
        assert_eq!(unseen, notices[4..].to_vec());
        // Open: the window shows them itself.
        link.published(&notices[..1]);
        assert!(!link.opened().0, "a second snapshot is not a first window");
        assert!(link.opened().1.is_empty());
        assert!(link.closed());
        assert!(!link.closed());
    }
}
