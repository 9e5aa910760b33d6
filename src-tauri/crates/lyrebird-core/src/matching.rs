//! Is a candidate from another source the same recording as the track we want?
//!
//! Pure functions. Titles and artists are folded (case, full-width, diacritics, common
//! traditional Chinese characters, punctuation), descriptive suffixes such as "(Remastered
//! 2011)" or "- 伴奏" are set aside, and the candidate is scored 0..=1 on title, artists and
//! duration. A different *version* (karaoke, live, remix, cover, acoustic, …) is a different
//! recording and never matches, unless the wanted title is that version too.

mod simplified;

use std::collections::BTreeSet;

use unicode_normalization::UnicodeNormalization;

use crate::model::Track;

/// Durations this close count as the same for a perfect match.
pub const PERFECT_DURATION_MS: u64 = 1_000;
/// Durations further apart than this (or 3 % of the wanted length, if more) never match.
pub const DURATION_TOLERANCE_MS: u64 = 3_000;
/// Titles less similar than this (edit distance over length) never match.
const MIN_TITLE_SIMILARITY: f32 = 0.8;
/// Titles longer than this are compared on their first this-many characters (untrusted text:
/// the edit distance is quadratic).
const MAX_COMPARED_CHARS: usize = 200;

const TITLE_WEIGHT: f32 = 0.55;
const ARTIST_WEIGHT: f32 = 0.30;
const DURATION_WEIGHT: f32 = 0.15;

/// How well a candidate matches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Match {
    /// 0..=1; 1 is the same title, the same artists and the same length.
    pub score: f32,
    /// Title and artists equal after folding and durations within [`PERFECT_DURATION_MS`].
    pub perfect: bool,
}

/// Score `candidate` as a copy of `wanted`; `None` when it is certainly another recording.
#[must_use]
pub fn score(wanted: &Track, candidate: &Track) -> Option<Match> {
    let want = Described::of(wanted);
    let have = Described::of(candidate);
    if want.title.versions != have.title.versions {
        return None;
    }
    let title = title_similarity(&want.title.key, &have.title.key)?;
    let duration = duration_score(wanted.duration_ms, candidate.duration_ms)?;
    let artists = artist_score(&want.artists, &have.artists);
    let perfect =
        title >= 1.0 && !want.artists.is_empty() && want.artists == have.artists && duration >= 1.0;
    let score = TITLE_WEIGHT * title + ARTIST_WEIGHT * artists + DURATION_WEIGHT * duration;
    Some(Match {
        score: score.clamp(0.0, 1.0),
        perfect,
    })
}

/// A track's title and artists as matching compares them.
struct Described {
    title: Title,
    artists: BTreeSet<String>,
}

impl Described {
    fn of(track: &Track) -> Self {
        let title = Title::parse(&track.title);
        let mut artists: BTreeSet<String> = track
            .artists
            .iter()
            .flat_map(|a| split_artists(a))
            .collect();
        artists.extend(title.featured.iter().cloned());
        Self { title, artists }
    }
}

/// A title split into what names the song and what describes the version.
#[derive(Debug, Default, PartialEq)]
struct Title {
    /// The folded words that name the song, with spaces removed (CJK titles are spaced
    /// inconsistently between sources).
    key: String,
    /// Which versions the descriptive parts name ("live", "instrumental", …).
    versions: BTreeSet<String>,
    /// Artists named in the title ("Song (feat. X)").
    featured: Vec<String>,
}

impl Title {
    fn parse(raw: &str) -> Self {
        let mut title = Self::default();
        let mut core = Vec::new();
        let text: String = raw.nfkc().collect();
        for (segment, descriptive) in segments(&text) {
            let folded = fold(segment);
            if folded.is_empty() {
                continue;
            }
            if let Some(rest) = strip_feature(&folded) {
                title.featured.extend(split_artists(rest));
                continue;
            }
            let versions = versions_named(&folded);
            if descriptive && (!versions.is_empty() || is_neutral_descriptor(&folded)) {
                title.versions.extend(versions);
                continue;
            }
            // "Song feat. X" without brackets.
            match split_feature_inside(&folded) {
                Some((name, artists)) => {
                    core.push(name.to_owned());
                    title.featured.extend(split_artists(artists));
                }
                None => core.push(folded),
            }
        }
        title.key = core.concat().replace(' ', "");
        title
    }
}

/// The title in pieces, each marked descriptive (a bracketed part or a " - " suffix) or not.
fn segments(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if is_open_bracket(c) {
            if depth == 0 {
                out.push((&text[start..i], false));
                start = i + c.len_utf8();
            }
            depth += 1;
        } else if is_close_bracket(c) && depth > 0 {
            depth -= 1;
            if depth == 0 {
                out.push((&text[start..i], true));
                start = i + c.len_utf8();
            }
        }
    }
    out.push((&text[start..], depth > 0));
    // " - Remastered 2011", " – Live": a dash suffix of the plain text describes the version.
    out.into_iter()
        .flat_map(|(piece, descriptive)| {
            if descriptive {
                return vec![(piece, true)];
            }
            let mut pieces = Vec::new();
            let mut rest = piece;
            let mut first = true;
            while let Some((head, tail)) = split_dash(rest) {
                pieces.push((head, !first));
                first = false;
                rest = tail;
            }
            pieces.push((rest, !first));
            pieces
        })
        .collect()
}

/// Split at the first " - " (or en/em dash with spaces), the way sources append versions.
fn split_dash(text: &str) -> Option<(&str, &str)> {
    [" - ", " – ", " — ", " ー "]
        .iter()
        .filter_map(|dash| text.find(dash).map(|at| (at, dash.len())))
        .min()
        .map(|(at, len)| (&text[..at], &text[at + len..]))
}

fn is_open_bracket(c: char) -> bool {
    matches!(c, '(' | '[' | '{' | '【' | '〔' | '〖' | '（')
}

fn is_close_bracket(c: char) -> bool {
    matches!(c, ')' | ']' | '}' | '】' | '〕' | '〗' | '）')
}

/// Version markers, by the version they name. Latin ones match whole words, CJK ones anywhere.
const VERSIONS: &[(&str, &[&str])] = &[
    (
        "instrumental",
        &[
            "instrumental",
            "inst",
            "karaoke",
            "off vocal",
            "backing track",
            "伴奏",
            "纯音乐",
            "卡拉ok",
            "ktv",
        ],
    ),
    (
        "live",
        &[
            "live",
            "现场",
            "演唱会",
            "concert",
            "unplugged",
            "livehouse",
        ],
    ),
    (
        "remix",
        &[
            "remix",
            "rmx",
            "dj",
            "club mix",
            "extended mix",
            "nightcore",
            "sped up",
            "slowed",
            "reverb",
            "8d",
            "电音",
            "混音",
            "串烧",
        ],
    ),
    ("cover", &["cover", "翻唱", "翻自", "原唱"]),
    ("acoustic", &["acoustic", "不插电"]),
    ("demo", &["demo", "小样"]),
];

/// Words in a bracket or suffix that describe an edition of the same recording.
const NEUTRAL: &[&str] = &[
    "remaster",
    "remastered",
    "version",
    "ver",
    "edit",
    "mono",
    "stereo",
    "single",
    "album",
    "radio",
    "explicit",
    "clean",
    "deluxe",
    "bonus",
    "original",
    "mix",
    "from",
    "ost",
    "theme",
    "soundtrack",
    "版",
    "电影",
    "电视剧",
    "主题曲",
    "插曲",
    "片尾曲",
    "片头曲",
    "原声",
];

fn contains_marker(folded: &str, marker: &str) -> bool {
    if marker.is_ascii() {
        let padded = format!(" {folded} ");
        padded.contains(&format!(" {marker} "))
    } else {
        folded.contains(marker)
    }
}

fn versions_named(folded: &str) -> BTreeSet<String> {
    VERSIONS
        .iter()
        .filter(|(_, markers)| markers.iter().any(|m| contains_marker(folded, m)))
        .map(|(version, _)| (*version).to_owned())
        .collect()
}

/// A descriptive part that names no other version: "(Remastered 2011)", "(2009)", "(电影《X》插曲)".
fn is_neutral_descriptor(folded: &str) -> bool {
    folded.chars().all(|c| c.is_ascii_digit() || c == ' ')
        || NEUTRAL.iter().any(|m| contains_marker(folded, m))
}

const FEATURE_WORDS: &[&str] = &["feat", "ft", "featuring", "with"];

/// "feat. X" / "with X" as a whole bracket: the artists after the word.
fn strip_feature(folded: &str) -> Option<&str> {
    let (first, rest) = folded.split_once(' ')?;
    FEATURE_WORDS.contains(&first).then_some(rest)
}

/// "Song feat. X" inside the plain title: the song and the artists.
fn split_feature_inside(folded: &str) -> Option<(&str, &str)> {
    ["feat", "ft", "featuring"].iter().find_map(|word| {
        let at = folded.find(&format!(" {word} "))?;
        Some((&folded[..at], &folded[at + word.len() + 2..]))
    })
}

/// One artist field into folded names: "A feat. B & C、D / E" → {a, b, c, d, e}.
fn split_artists(raw: &str) -> Vec<String> {
    const BREAK: char = '\u{1}';
    let mut text = format!(" {} ", raw.nfkc().collect::<String>().to_lowercase());
    for word in [
        " feat. ",
        " feat ",
        " ft. ",
        " ft ",
        " featuring ",
        " x ",
        " × ",
        " vs. ",
        " vs ",
    ] {
        text = text.replace(word, &BREAK.to_string());
    }
    text.split(|c| matches!(c, ',' | '、' | '/' | '&' | ';' | '|' | '・' | BREAK))
        .map(|name| {
            let folded = fold(name);
            let name = folded.strip_prefix("the ").unwrap_or(&folded);
            name.replace(' ', "")
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// Fold text for comparison: full-width and compatibility forms (NFKC), lower case, Latin
/// diacritics dropped, common traditional characters simplified, apostrophes removed,
/// everything else that is not a letter or digit a space, and a space between a Latin and a
/// CJK run ("DJ版" → "dj 版").
#[must_use]
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut last_ascii: Option<bool> = None;
    // NFD then NFC: diacritics come apart from their letters, only Latin-style ones (U+0300
    // block) are dropped, so Japanese voiced marks (U+3099) recompose.
    let decomposed: String = text.nfkc().collect::<String>().nfd().collect();
    let stripped: String = decomposed
        .chars()
        .filter(|c| !matches!(*c as u32, 0x0300..=0x036F))
        .nfc()
        .collect();
    for c in stripped.chars().flat_map(char::to_lowercase) {
        if matches!(c, '\'' | '’' | '‘' | '`' | '´') {
            continue;
        }
        if !c.is_alphanumeric() {
            pending_space = true;
            continue;
        }
        let c = simplified::simplify(c);
        let ascii = c.is_ascii();
        if !out.is_empty() && (pending_space || last_ascii.is_some_and(|a| a != ascii)) {
            out.push(' ');
        }
        pending_space = false;
        last_ascii = Some(ascii);
        out.push(c);
    }
    out
}

/// 1 for equal titles, the edit similarity when close enough, `None` when another song
/// (including when their numbers differ: "Symphony No. 5" is not "No. 6").
fn title_similarity(want: &str, have: &str) -> Option<f32> {
    if want == have {
        return Some(1.0);
    }
    if digit_groups(want) != digit_groups(have) {
        return None;
    }
    let a: Vec<char> = want.chars().take(MAX_COMPARED_CHARS).collect();
    let b: Vec<char> = have.chars().take(MAX_COMPARED_CHARS).collect();
    let longest = a.len().max(b.len());
    if longest == 0 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)] // lengths of at most 200
    let similarity = 1.0 - edit_distance(&a, &b) as f32 / longest as f32;
    (similarity >= MIN_TITLE_SIMILARITY).then_some(similarity)
}

fn digit_groups(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect()
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// 1 for the same set, partial for an overlap ("A" vs "A feat. B"), 0 for none; 0.5 when
/// either side names no artist at all (nothing to compare).
fn artist_score(want: &BTreeSet<String>, have: &BTreeSet<String>) -> f32 {
    if want.is_empty() || have.is_empty() {
        return 0.5;
    }
    if want == have {
        return 1.0;
    }
    let shared = want.intersection(have).count();
    if shared == 0 {
        return 0.0;
    }
    let all = want.union(have).count();
    #[allow(clippy::cast_precision_loss)] // a handful of artists
    let jaccard = shared as f32 / all as f32;
    0.5 + 0.5 * jaccard
}

/// 1 within a second, falling to 0.5 at the tolerance; `None` beyond it; 0 when either
/// length is unknown (allowed, but never perfect and never preferred).
fn duration_score(want: Option<u64>, have: Option<u64>) -> Option<f32> {
    let (Some(want), Some(have)) = (want, have) else {
        return Some(0.0);
    };
    let tolerance = DURATION_TOLERANCE_MS.max(want * 3 / 100);
    let diff = want.abs_diff(have);
    if diff > tolerance {
        return None;
    }
    if diff <= PERFECT_DURATION_MS {
        return Some(1.0);
    }
    #[allow(clippy::cast_precision_loss)] // milliseconds of a song
    let over = (diff - PERFECT_DURATION_MS) as f32 / (tolerance - PERFECT_DURATION_MS) as f32;
    Some(1.0 - 0.5 * over)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SourceKind, TrackId};

    fn track(title: &str, artists: &[&str], duration_ms: Option<u64>) -> Track {
        Track {
            artists: artists.iter().map(|a| (*a).to_owned()).collect(),
            duration_ms,
            ..Track::new(TrackId(format!("t:{title}")), SourceKind::Subsonic, title)
        }
    }

    fn matches(want: &Track, have: &Track) -> Option<Match> {
        score(want, have)
    }

    #[test]
    fn folding_handles_case_width_diacritics_punctuation_and_scripts() {
        assert_eq!(fold("Ｈｅｌｌｏ，Ｗｏｒｌｄ！"), "hello world");
        assert_eq!(fold("Beyoncé — Déjà Vu"), "beyonce deja vu");
        assert_eq!(fold("Don't Stop Me Now"), "dont stop me now");
        assert_eq!(fold("後來的我們"), "后来的我们");
        assert_eq!(fold("DJ版"), "dj 版");
        // Japanese voiced marks are letters here, not diacritics.
        assert_eq!(fold("ガラガラ"), "ガラガラ");
        assert_eq!(fold("  "), "");
    }

    #[test]
    fn the_same_song_written_differently_is_a_perfect_match() {
        let want = track("晴天", &["周杰倫"], Some(269_000));
        let have = track("晴天", &["周杰伦"], Some(269_400));
        let m = matches(&want, &have).unwrap();
        assert!(m.perfect, "{m:?}");
        assert!((m.score - 1.0).abs() < 1e-6);

        let want = track("ＹＥＳＴＥＲＤＡＹ", &["The Beatles"], Some(125_000));
        let have = track("Yesterday (Remastered 2009)", &["Beatles"], Some(125_500));
        assert!(matches(&want, &have).unwrap().perfect);

        let want = track("Déjà Vu", &["Beyoncé", "Jay-Z"], Some(240_000));
        let have = track("Deja Vu", &["Beyonce feat. Jay-Z"], Some(240_000));
        assert!(matches(&want, &have).unwrap().perfect);
    }

    #[test]
    fn artist_lists_split_on_every_usual_separator() {
        let names = |s: &str| split_artists(s).into_iter().collect::<BTreeSet<_>>();
        let expected: BTreeSet<String> = ["a", "b", "c", "d", "e"].map(String::from).into();
        assert_eq!(names("A feat. B & C、D / E"), expected);
        assert_eq!(names("A ft. B, C；D x E"), expected);
        assert_eq!(names("A Featuring B・C&D;E"), expected);
        assert_eq!(
            names("五月天、陳綺貞"),
            ["五月天", "陈绮贞"].map(String::from).into()
        );
    }

    #[test]
    fn featured_artists_in_the_title_count_as_artists() {
        let want = track(
            "Stay (feat. Justin Bieber)",
            &["The Kid LAROI"],
            Some(141_000),
        );
        let have = track("Stay", &["The Kid LAROI", "Justin Bieber"], Some(141_800));
        assert!(matches(&want, &have).unwrap().perfect);
        let plain = track("Stay ft. Justin Bieber", &["The Kid LAROI"], Some(141_000));
        assert!(matches(&plain, &have).unwrap().perfect);
    }

    #[test]
    fn a_missing_featured_artist_scores_below_perfect_but_matches() {
        let want = track("Stay", &["The Kid LAROI", "Justin Bieber"], Some(141_000));
        let have = track("Stay", &["The Kid LAROI"], Some(141_000));
        let m = matches(&want, &have).unwrap();
        assert!(!m.perfect);
        assert!(m.score > 0.85 && m.score < 1.0, "{m:?}");
    }

    #[test]
    fn karaoke_live_remix_cover_and_acoustic_versions_are_other_recordings() {
        let want = track("晴天", &["周杰伦"], Some(269_000));
        for other in [
            "晴天 (伴奏)",
            "晴天 - 伴奏",
            "晴天 (Live)",
            "晴天【DJ版】",
            "晴天 (翻唱)",
            "晴天 (Instrumental)",
            "晴天 (Karaoke Version)",
            "晴天 - Remix",
            "晴天 (Acoustic)",
            "晴天（现场）",
            "晴天 (Cover)",
        ] {
            let have = track(other, &["周杰伦"], Some(269_000));
            assert_eq!(matches(&want, &have), None, "{other} matched");
        }
    }

    #[test]
    fn a_version_matches_the_same_version() {
        let want = track("晴天 (Live)", &["周杰伦"], Some(290_000));
        let have = track("晴天 - Live", &["周杰倫"], Some(290_000));
        assert!(matches(&want, &have).unwrap().perfect);
        let studio = track("晴天", &["周杰伦"], Some(290_000));
        assert_eq!(matches(&want, &studio), None, "live wanted, studio offered");
        let karaoke = track("晴天 (伴奏)", &["周杰伦"], Some(269_000));
        let backing = track("晴天 (Instrumental)", &["周杰伦"], Some(269_000));
        assert!(matches(&karaoke, &backing).unwrap().perfect);
    }

    #[test]
    fn words_like_live_inside_the_title_are_part_of_the_name() {
        let want = track("Live Forever", &["Oasis"], Some(276_000));
        let have = track("Live Forever (Remastered)", &["Oasis"], Some(276_000));
        assert!(matches(&want, &have).unwrap().perfect);
        let dj = track("DJ Got Us Fallin' in Love", &["Usher"], Some(221_000));
        assert!(matches(&dj, &dj.clone()).unwrap().perfect);
    }

    #[test]
    fn durations_must_be_within_three_seconds_or_three_percent() {
        let want = track("Song", &["A"], Some(60_000));
        let at = |ms| matches(&want, &track("Song", &["A"], Some(ms)));
        assert!(at(61_000).unwrap().perfect);
        let near = at(62_000).unwrap();
        assert!(!near.perfect && near.score > 0.9, "{near:?}");
        assert!(at(63_000).is_some());
        assert_eq!(at(63_001), None);
        assert_eq!(at(56_000), None);
        // Longer tracks: 3 % (of 10 minutes: 18 s).
        let long = track("Suite", &["A"], Some(600_000));
        assert!(matches(&long, &track("Suite", &["A"], Some(618_000))).is_some());
        assert_eq!(matches(&long, &track("Suite", &["A"], Some(618_001))), None);
    }

    #[test]
    fn unknown_durations_match_with_a_penalty_and_never_perfectly() {
        let want = track("Song", &["A"], Some(200_000));
        let m = matches(&want, &track("Song", &["A"], None)).unwrap();
        assert!(!m.perfect);
        assert!(m.score >= 0.75 && m.score < 0.9, "{m:?}");
        assert!(matches(&track("Song", &["A"], None), &want).is_some());
    }

    #[test]
    fn other_songs_do_not_match() {
        let want = track("Symphony No. 5", &["Beethoven"], Some(1_800_000));
        let sixth = track("Symphony No. 6", &["Beethoven"], Some(1_800_000));
        assert_eq!(matches(&want, &sixth), None);
        let want = track("Hello", &["Adele"], Some(295_000));
        let other = track("Someone Like You", &["Adele"], Some(295_000));
        assert_eq!(matches(&want, &other), None);
        // Same title by someone else: scored too low to be chosen.
        let cover = track("Hello", &["Lionel Richie"], Some(295_000));
        assert!(matches(&want, &cover).unwrap().score < 0.75);
    }

    #[test]
    fn near_identical_titles_score_below_identical_ones() {
        let want = track("Colour", &["A"], Some(200_000));
        let near = matches(&want, &track("Color", &["A"], Some(200_000))).unwrap();
        assert!(
            !near.perfect && near.score > 0.75 && near.score < 1.0,
            "{near:?}"
        );
    }

    #[test]
    fn hostile_text_is_handled() {
        let long = "a".repeat(100_000);
        let want = track(&long, &["A"], Some(1));
        let have = track(&format!("{long}b"), &["A"], Some(1));
        assert!(matches(&want, &have).is_some());
        let brackets = track("((((((", &["(("], None);
        let _ = matches(&brackets, &want);
        let empty = track("", &[], None);
        assert_eq!(matches(&empty, &want), None);
        let _ = matches(&empty, &empty);
    }
}
