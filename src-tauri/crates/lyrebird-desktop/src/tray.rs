//! The tray menu as a plain model: what it shows for a player state, in the UI's language.
//! The shell turns it into a native menu and rebuilds that only when the model changes, and
//! maps the ids of clicked items back through [`TrayAction::from_id`].

use lyrebird_core::PlaybackStatus;
use lyrebird_core::PlayerState;
use lyrebird_core::queue::PlayMode;

use crate::Language;

/// What a tray menu item does when clicked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrayAction {
    TogglePause,
    Previous,
    Next,
    Like,
    SetMode(PlayMode),
    ShowWindow,
    HideWindow,
    Quit,
}

const MODES: [PlayMode; 4] = [
    PlayMode::InOrder,
    PlayMode::RepeatAll,
    PlayMode::RepeatOne,
    PlayMode::Shuffle,
];

impl TrayAction {
    /// The menu item id for this action (stable, ASCII).
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::TogglePause => "toggle-pause",
            Self::Previous => "previous",
            Self::Next => "next",
            Self::Like => "like",
            Self::SetMode(PlayMode::InOrder) => "mode-in-order",
            Self::SetMode(PlayMode::RepeatAll) => "mode-repeat-all",
            Self::SetMode(PlayMode::RepeatOne) => "mode-repeat-one",
            Self::SetMode(PlayMode::Shuffle) => "mode-shuffle",
            Self::ShowWindow => "show-window",
            Self::HideWindow => "hide-window",
            Self::Quit => "quit",
        }
    }

    /// The action behind a clicked item's id; `None` for items that do nothing (the title).
    #[must_use]
    pub fn from_id(id: &str) -> Option<Self> {
        [
            Self::TogglePause,
            Self::Previous,
            Self::Next,
            Self::Like,
            Self::ShowWindow,
            Self::HideWindow,
            Self::Quit,
        ]
        .into_iter()
        .chain(MODES.map(Self::SetMode))
        .find(|action| action.id() == id)
    }
}

/// One entry of the menu.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrayItem {
    /// Text that cannot be clicked (the current track).
    Label(String),
    /// A clickable item.
    Action {
        action: TrayAction,
        text: String,
        enabled: bool,
    },
    /// A radio-like item that shows a check mark when `checked`.
    Check {
        action: TrayAction,
        text: String,
        checked: bool,
    },
    Submenu {
        text: String,
        items: Vec<TrayItem>,
    },
    Separator,
}

/// The whole menu, and the tooltip of the tray icon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrayMenu {
    pub tooltip: String,
    pub items: Vec<TrayItem>,
}

/// What the tray needs to know besides the player state.
#[derive(Clone, Copy, Debug)]
pub struct TrayContext {
    pub language: Language,
    /// Whether a window is on screen (the item then offers to hide it).
    pub window_shown: bool,
}

/// Menu labels longer than this are cut with an ellipsis: a tray menu is no place for a
/// 300-character title (titles are untrusted text; the native menu shows them as text).
const MAX_LABEL_CHARS: usize = 60;

/// The menu for `state`.
#[must_use]
pub fn menu(state: &PlayerState, context: TrayContext) -> TrayMenu {
    let words = Words::of(context.language);
    let now = state.current.as_ref().map_or_else(
        || words.nothing_playing.to_owned(),
        lyrebird_core::Track::display_name,
    );
    let now = shorten(&now);
    let playing = matches!(
        state.status,
        PlaybackStatus::Playing | PlaybackStatus::Loading
    );
    let has_track = state.current.is_some() || state.queue_length > 0;

    let mut items = vec![
        TrayItem::Label(now.clone()),
        TrayItem::Separator,
        TrayItem::Action {
            action: TrayAction::TogglePause,
            text: (if playing { words.pause } else { words.play }).to_owned(),
            enabled: has_track,
        },
        TrayItem::Action {
            action: TrayAction::Previous,
            text: words.previous.to_owned(),
            enabled: has_track,
        },
        TrayItem::Action {
            action: TrayAction::Next,
            text: words.next.to_owned(),
            enabled: has_track,
        },
    ];
    // Only where the current track's source has likes (`liked` is absent otherwise).
    if let (Some(liked), Some(_)) = (state.liked, &state.current) {
        items.push(TrayItem::Check {
            action: TrayAction::Like,
            text: words.like.to_owned(),
            checked: liked,
        });
    }
    items.push(TrayItem::Submenu {
        text: words.play_mode.to_owned(),
        items: MODES
            .iter()
            .map(|&mode| TrayItem::Check {
                action: TrayAction::SetMode(mode),
                text: words.mode(mode).to_owned(),
                checked: state.mode == mode,
            })
            .collect(),
    });
    items.push(TrayItem::Separator);
    items.push(if context.window_shown {
        TrayItem::Action {
            action: TrayAction::HideWindow,
            text: words.hide_window.to_owned(),
            enabled: true,
        }
    } else {
        TrayItem::Action {
            action: TrayAction::ShowWindow,
            text: words.show_window.to_owned(),
            enabled: true,
        }
    });
    items.push(TrayItem::Action {
        action: TrayAction::Quit,
        text: words.quit.to_owned(),
        enabled: true,
    });

    let tooltip = if state.current.is_some() {
        format!("Lyrebird — {now}")
    } else {
        "Lyrebird".to_owned()
    };
    TrayMenu { tooltip, items }
}

fn shorten(text: &str) -> String {
    // Control characters (newlines in a hostile title) would break the menu's layout.
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= MAX_LABEL_CHARS {
        clean
    } else {
        let mut cut: String = clean.chars().take(MAX_LABEL_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

/// The menu's words in one language (the same words the UI uses).
struct Words {
    nothing_playing: &'static str,
    play: &'static str,
    pause: &'static str,
    previous: &'static str,
    next: &'static str,
    like: &'static str,
    play_mode: &'static str,
    in_order: &'static str,
    repeat_all: &'static str,
    repeat_one: &'static str,
    shuffle: &'static str,
    show_window: &'static str,
    hide_window: &'static str,
    quit: &'static str,
}

impl Words {
    fn of(language: Language) -> &'static Self {
        match language {
            Language::English => &ENGLISH,
            Language::SimplifiedChinese => &SIMPLIFIED_CHINESE,
        }
    }

    fn mode(&self, mode: PlayMode) -> &'static str {
        match mode {
            PlayMode::InOrder => self.in_order,
            PlayMode::RepeatAll => self.repeat_all,
            PlayMode::RepeatOne => self.repeat_one,
            PlayMode::Shuffle => self.shuffle,
        }
    }
}

const ENGLISH: Words = Words {
    nothing_playing: "Nothing playing",
    play: "Play",
    pause: "Pause",
    previous: "Previous",
    next: "Next",
    like: "Like",
    play_mode: "Play mode",
    in_order: "In order",
    repeat_all: "Repeat all",
    repeat_one: "Repeat one",
    shuffle: "Shuffle",
    show_window: "Show Lyrebird",
    hide_window: "Hide Lyrebird",
    quit: "Quit",
};

const SIMPLIFIED_CHINESE: Words = Words {
    nothing_playing: "未在播放",
    play: "播放",
    pause: "暂停",
    previous: "上一首",
    next: "下一首",
    like: "喜欢",
    play_mode: "播放模式",
    in_order: "顺序播放",
    repeat_all: "列表循环",
    repeat_one: "单曲循环",
    shuffle: "随机播放",
    show_window: "显示 Lyrebird",
    hide_window: "隐藏 Lyrebird",
    quit: "退出",
};

#[cfg(test)]
mod tests {
    use super::*;
    use lyrebird_core::events::DeviceState;
    use lyrebird_core::{SourceKind, Track};

    fn state(status: PlaybackStatus, title: Option<&str>) -> PlayerState {
        PlayerState {
            status,
            play_id: lyrebird_core::PlayId(1),
            current: title.map(|t| Track {
                artists: vec!["Artist A".into(), "B".into()],
                ..Track::from_path(format!("/m/{t}.flac").into(), SourceKind::Local)
            }),
            queue_index: title.map(|_| 0),
            queue_length: u32::from(title.is_some()),
            position_ms: 0,
            duration_ms: None,
            volume: 0.5,
            device: DeviceState::Ready,
            mode: PlayMode::RepeatAll,
            ..PlayerState::default()
        }
    }

    fn context(language: Language) -> TrayContext {
        TrayContext {
            language,
            window_shown: true,
        }
    }

    fn action_text(menu: &TrayMenu, wanted: TrayAction) -> Option<(String, bool)> {
        menu.items.iter().find_map(|item| match item {
            TrayItem::Action {
                action,
                text,
                enabled,
            } if *action == wanted => Some((text.clone(), *enabled)),
            _ => None,
        })
    }

    #[test]
    fn shows_the_track_and_offers_pause_while_playing() {
        let menu = menu(
            &state(PlaybackStatus::Playing, Some("Song")),
            context(Language::English),
        );
        assert_eq!(menu.items[0], TrayItem::Label("Song — Artist A, B".into()));
        assert_eq!(menu.tooltip, "Lyrebird — Song — Artist A, B");
        assert_eq!(
            action_text(&menu, TrayAction::TogglePause),
            Some(("Pause".into(), true))
        );
        assert_eq!(
            action_text(&menu, TrayAction::HideWindow),
            Some(("Hide Lyrebird".into(), true))
        );
        assert_eq!(action_text(&menu, TrayAction::ShowWindow), None);
        assert_eq!(
            action_text(&menu, TrayAction::Quit),
            Some(("Quit".into(), true))
        );
    }

    #[test]
    fn follows_the_state_and_language() {
        let paused = menu(
            &state(PlaybackStatus::Paused, Some("晴天")),
            TrayContext {
                window_shown: false,
                ..context(Language::SimplifiedChinese)
            },
        );
        assert_eq!(
            action_text(&paused, TrayAction::TogglePause),
            Some(("播放".into(), true))
        );
        assert_eq!(
            action_text(&paused, TrayAction::ShowWindow),
            Some(("显示 Lyrebird".into(), true))
        );
        let Some(TrayItem::Submenu { text, items }) = paused
            .items
            .iter()
            .find(|i| matches!(i, TrayItem::Submenu { .. }))
        else {
            panic!("no play mode submenu");
        };
        assert_eq!(text, "播放模式");
        let checked: Vec<_> = items
            .iter()
            .filter_map(|i| match i {
                TrayItem::Check {
                    action,
                    checked: true,
                    ..
                } => Some(*action),
                _ => None,
            })
            .collect();
        assert_eq!(checked, vec![TrayAction::SetMode(PlayMode::RepeatAll)]);
    }

    #[test]
    fn with_nothing_to_play_the_transport_is_disabled() {
        let menu = menu(
            &state(PlaybackStatus::Stopped, None),
            context(Language::English),
        );
        assert_eq!(menu.items[0], TrayItem::Label("Nothing playing".into()));
        assert_eq!(menu.tooltip, "Lyrebird");
        for action in [
            TrayAction::TogglePause,
            TrayAction::Previous,
            TrayAction::Next,
        ] {
            assert_eq!(action_text(&menu, action).map(|(_, e)| e), Some(false));
        }
    }

    #[test]
    fn like_appears_only_where_the_source_supports_it() {
        let like_item = |menu: &TrayMenu| {
            menu.items.iter().find_map(|item| match item {
                TrayItem::Check {
                    action: TrayAction::Like,
                    text,
                    checked,
                } => Some((text.clone(), *checked)),
                _ => None,
            })
        };
        let mut playing = state(PlaybackStatus::Playing, Some("Song"));
        let without = menu(&playing, context(Language::English));
        assert_eq!(like_item(&without), None);
        playing.liked = Some(false);
        let with = menu(&playing, context(Language::English));
        assert_eq!(like_item(&with), Some(("Like".into(), false)));
        playing.liked = Some(true);
        let liked = menu(&playing, context(Language::SimplifiedChinese));
        assert_eq!(like_item(&liked), Some(("喜欢".into(), true)));
    }

    #[test]
    fn hostile_titles_are_one_short_line() {
        let mut playing = state(PlaybackStatus::Playing, Some("x"));
        if let Some(track) = playing.current.as_mut() {
            track.title = format!("<b>x</b>\n{}", "长".repeat(200));
        }
        let menu = menu(&playing, context(Language::English));
        let TrayItem::Label(label) = &menu.items[0] else {
            panic!("no label")
        };
        assert_eq!(label.chars().count(), MAX_LABEL_CHARS);
        assert!(label.ends_with('…'));
        assert!(!label.contains('\n'));
        assert!(label.starts_with("<b>x</b> "), "shown as text: {label}");
    }

    #[test]
    fn every_action_id_maps_back() {
        let all = [
            TrayAction::TogglePause,
            TrayAction::Previous,
            TrayAction::Next,
            TrayAction::Like,
            TrayAction::ShowWindow,
            TrayAction::HideWindow,
            TrayAction::Quit,
        ]
        .into_iter()
        .chain(MODES.map(TrayAction::SetMode));
        for action in all {
            assert_eq!(TrayAction::from_id(action.id()), Some(action));
        }
        assert_eq!(TrayAction::from_id("now-playing"), None);
    }
}
