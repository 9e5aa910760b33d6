//! Text as search compares it: case-, width- and diacritic-insensitive.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Fold `text` for searching: compatibility decomposition (full-width Ｂｅａｔｌｅｓ → Beatles,
/// ﬁ → fi), combining marks dropped (é → e), lower case, runs of whitespace and punctuation
/// turned into single spaces.
#[must_use]
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// Whether `c` is written without spaces between words (CJK), so that search must match
/// inside words rather than at their starts.
#[must_use]
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0x20000..=0x2FA1F) // Extensions B–F, compatibility supplement
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn folds_case_width_diacritics_and_punctuation() {
        assert_eq!(normalize("Beyoncé"), "beyonce");
        assert_eq!(normalize("ＢＥＡＴＬＥＳ"), "beatles");
        assert_eq!(
            normalize("  Sigur  Rós — Hoppípolla!"),
            "sigur ros hoppipolla"
        );
        assert_eq!(normalize("周杰伦"), "周杰伦");
        assert_eq!(normalize("AC/DC"), "ac dc");
        assert_eq!(normalize(""), "");
    }
}
