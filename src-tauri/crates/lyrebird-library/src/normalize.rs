//! Text as search compares it: case-, width- and diacritic-insensitive.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Fold `text` for searching: compatibility decomposition (full-width Ｂｅａｔｌｅｓ → Beatles,
/// ﬁ → fi), combining marks dropped (é → e), lower case, runs of whitespace and punctuation
/// turned into single spaces.
#[must_use]
pub fn normalize(text: &str) -> String {
    if text.is_ascii() {
        return normalize_ascii(text);
    }
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

/// [`normalize`] for ASCII text, which decomposition leaves as it is and which has no marks to
/// drop: most tags in most libraries, and a scan folds three strings a file (a fifth of its
/// reading threads' time went to the general path's per-character decomposition).
fn normalize_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(char::from(b.to_ascii_lowercase()));
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

    #[test]
    fn ascii_takes_a_shortcut_to_the_same_result() {
        use unicode_normalization::UnicodeNormalization;
        // The general path, forced: an ASCII string with one non-ASCII letter after it folds
        // to the ASCII string's fold plus that letter.
        let every_ascii: String = (0u8..128).map(char::from).collect();
        for text in [
            every_ascii.as_str(),
            "  AC/DC -- Back In Black (Live, 1991)  ",
            "Track 01\tof\n02",
            "!!!",
            "x",
        ] {
            let fast = normalize(text);
            let general = normalize(&format!("{text} é"));
            assert_eq!(
                general,
                format!("{fast}{}e", if fast.is_empty() { "" } else { " " })
            );
            assert!(
                text.nfkd().eq(text.chars()),
                "ASCII is its own decomposition"
            );
        }
        assert_eq!(normalize("Hello,World  42"), "hello world 42");
    }
}
