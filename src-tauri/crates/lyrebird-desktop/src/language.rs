//! The language native parts (tray menu, notifications) speak: the same one the UI speaks.

use lyrebird_core::settings::LocalePreference;

/// The languages Lyrebird has words for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    English,
    SimplifiedChinese,
}

impl Language {
    /// The user's choice, or the OS's locale when they chose "system" (the UI's rule: `zh`
    /// and `zh-*` get Simplified Chinese, everything else English).
    #[must_use]
    pub fn resolve(preference: LocalePreference, system_locale: &str) -> Self {
        match preference {
            LocalePreference::English => Self::English,
            LocalePreference::SimplifiedChinese => Self::SimplifiedChinese,
            LocalePreference::System => {
                let tag = system_locale.trim().to_ascii_lowercase();
                let chinese = tag
                    .strip_prefix("zh")
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['-', '_', '.', '@']));
                if chinese {
                    Self::SimplifiedChinese
                } else {
                    Self::English
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_choice_then_the_system() {
        use LocalePreference::{English, SimplifiedChinese, System};
        assert_eq!(Language::resolve(English, "zh-CN"), Language::English);
        assert_eq!(
            Language::resolve(SimplifiedChinese, "en-US"),
            Language::SimplifiedChinese
        );
        assert_eq!(
            Language::resolve(System, "zh-Hans-CN"),
            Language::SimplifiedChinese
        );
        assert_eq!(
            Language::resolve(System, "ZH_tw"),
            Language::SimplifiedChinese
        );
        assert_eq!(Language::resolve(System, "de-DE"), Language::English);
        assert_eq!(Language::resolve(System, "zha"), Language::English);
        assert_eq!(Language::resolve(System, ""), Language::English);
    }
}
