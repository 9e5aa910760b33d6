//! LRC parsing: the formats real players meet (NetEase, QQ, foobar2000), and garbage.

use std::path::Path;

use lyrebird_library::lyrics::{Line, Lyrics, Word, lyrics_beside, parse_lrc};

fn line(at_ms: u64, text: &str) -> Line {
    Line {
        at_ms,
        text: text.to_owned(),
        translation: None,
        romanization: None,
        words: Vec::new(),
    }
}

fn times(lyrics: &Lyrics) -> Vec<u64> {
    lyrics.lines.iter().map(|l| l.at_ms).collect()
}

fn texts(lyrics: &Lyrics) -> Vec<&str> {
    lyrics.lines.iter().map(|l| l.text.as_str()).collect()
}

#[test]
fn every_timestamp_form_is_read() {
    let lyrics = parse_lrc(
        "[00:01]whole seconds\n\
         [00:02.5]tenths\n\
         [00:03.25]hundredths\n\
         [00:04.125]thousandths\n\
         [00:05:50]colon variant\n\
         [0:06.00]one minute digit\n\
         [75:07.00]past an hour\n\
         [123:08.00]three minute digits\n",
    );
    assert_eq!(
        times(&lyrics),
        [
            1_000,
            2_500,
            3_250,
            4_125,
            5_500,
            6_000,
            75 * 60_000 + 7_000,
            123 * 60_000 + 8_000
        ]
    );
    assert_eq!(texts(&lyrics)[4], "colon variant");
    assert!(!lyrics.unsynced);
    assert!(lyrics.lines.iter().all(|l| l.words.is_empty()));
}

#[test]
fn repeated_timestamps_give_one_line_each_in_time_order() {
    let lyrics = parse_lrc(
        "[00:12.00][01:30.50]Chorus, la la la\n\
         [00:20.00]Verse two\n\
         [01:40.00][00:25.00] Bridge \n",
    );
    assert_eq!(
        lyrics.lines,
        [
            line(12_000, "Chorus, la la la"),
            line(20_000, "Verse two"),
            line(25_000, "Bridge"),
            line(90_500, "Chorus, la la la"),
            line(100_000, "Bridge"),
        ]
    );
}

#[test]
fn metadata_tags_are_read_case_insensitively_and_others_ignored() {
    let lyrics = parse_lrc(
        "[ti:Yesterday]\n\
         [AR: The Beatles ]\n\
         [Al:Help! [Remastered]]\n\
         [by:somebody]\n\
         [length: 02:05]\n\
         [re:LRC Editor]\n\
         [ve:1.0]\n\
         [x-custom:whatever]\n\
         [00:01.00]Yesterday\n",
    );
    assert_eq!(lyrics.title.as_deref(), Some("Yesterday"));
    assert_eq!(lyrics.artist.as_deref(), Some("The Beatles"));
    assert_eq!(lyrics.album.as_deref(), Some("Help! [Remastered]"));
    assert_eq!(lyrics.offset_ms, 0);
    assert_eq!(lyrics.lines, [line(1_000, "Yesterday")]);
}

#[test]
fn offset_shifts_the_lines_earlier_or_later() {
    let lrc = "[ti:Shifted]\n[offset:+500]\n[00:10.00]first\n[00:20.00]second\n";
    let lyrics = parse_lrc(lrc);
    assert_eq!(lyrics.offset_ms, 500);
    // Lines are stored as written; the offset applies when looking them up.
    assert_eq!(times(&lyrics), [10_000, 20_000]);
    assert_eq!(lyrics.line_at(9_499), None);
    assert_eq!(lyrics.line_at(9_500), Some(0));
    assert_eq!(lyrics.line_at(19_499), Some(0));
    assert_eq!(lyrics.line_at(19_500), Some(1));

    let later = parse_lrc("[OFFSET: -250]\n[00:10.00]first\n");
    assert_eq!(later.offset_ms, -250);
    assert_eq!(later.line_at(10_249), None);
    assert_eq!(later.line_at(10_250), Some(0));

    assert_eq!(parse_lrc("[offset:abc]\n[00:01]x").offset_ms, 0);
    assert_eq!(
        parse_lrc("[offset:-99999999999999999999999]").offset_ms,
        -i64::MAX
    );
    // A huge offset saturates instead of overflowing.
    let huge = parse_lrc("[offset:+99999999999999999999999]\n[00:01]x");
    assert_eq!(huge.offset_ms, i64::MAX);
    assert_eq!(huge.line_at(u64::MAX), Some(0));
    assert_eq!(huge.line_at(0), Some(0));
}

#[test]
fn netease_file_with_merged_translations() {
    let lrc = "\u{feff}[ti:晴天]\r\n\
               [ar:周杰伦]\r\n\
               [al:叶惠美]\r\n\
               [by:]\r\n\
               [00:00.00] 作词 : 周杰伦\r\n\
               [00:01.00] 作曲 : 周杰伦\r\n\
               [00:29.34]故事的小黄花\r\n\
               [00:32.56]从出生那年就飘着\r\n\
               [00:35.87]童年的荡秋千\r\n\
               [00:39.20]\r\n\
               [00:29.34]The little yellow flower of the story\r\n\
               [00:32.56]Has been floating since the year I was born\r\n\
               [00:35.87]The swing of childhood\r\n\
               [00:35.87]a third line at the same time is ignored\r\n";
    let lyrics = parse_lrc(lrc);
    assert_eq!(lyrics.title.as_deref(), Some("晴天"));
    assert_eq!(lyrics.artist.as_deref(), Some("周杰伦"));
    assert_eq!(lyrics.album.as_deref(), Some("叶惠美"));
    assert_eq!(times(&lyrics), [0, 1_000, 29_340, 32_560, 35_870, 39_200]);
    assert_eq!(lyrics.lines[0].text, "作词 : 周杰伦");
    assert_eq!(lyrics.lines[0].translation, None);
    assert_eq!(lyrics.lines[2].text, "故事的小黄花");
    assert_eq!(
        lyrics.lines[2].translation.as_deref(),
        Some("The little yellow flower of the story")
    );
    assert_eq!(
        lyrics.lines[3].translation.as_deref(),
        Some("Has been floating since the year I was born")
    );
    assert_eq!(lyrics.lines[4].text, "童年的荡秋千");
    assert_eq!(
        lyrics.lines[4].translation.as_deref(),
        Some("The swing of childhood")
    );
    // The pause stays, trimmed to nothing.
    assert_eq!(lyrics.lines[5], line(39_200, ""));
}

#[test]
fn interleaved_translations_and_pauses_keep_file_order() {
    let lyrics = parse_lrc(
        "[00:05.00]原文\n[00:05.00]translation\n[00:03.00]\n[00:03.00]\n[00:09.00]same\n[00:09.00]same\n",
    );
    assert_eq!(times(&lyrics), [3_000, 5_000, 9_000]);
    assert_eq!(lyrics.lines[0].translation, None, "an empty second line");
    assert_eq!(lyrics.lines[1].text, "原文");
    assert_eq!(lyrics.lines[1].translation.as_deref(), Some("translation"));
    assert_eq!(lyrics.lines[2].translation, None, "a duplicate line");
}

#[test]
fn enhanced_word_timing() {
    let lyrics = parse_lrc(
        "[00:12.00]<00:12.00>Never <00:12.50>gonna <00:13.10>give <00:13.60>you <00:14.00>up<00:15.00>\n\
         [00:16.00]<00:16.00>我<00:16.40>爱<00:16.80>你\n\
         [00:18.00]I <3 you <not a tag> <99:x>\n",
    );
    let first = &lyrics.lines[0];
    assert_eq!(first.text, "Never gonna give you up");
    assert_eq!(
        first.words,
        [
            Word {
                at_ms: 12_000,
                dur_ms: None,
                text: "Never ".into()
            },
            Word {
                at_ms: 12_500,
                dur_ms: None,
                text: "gonna ".into()
            },
            Word {
                at_ms: 13_100,
                dur_ms: None,
                text: "give ".into()
            },
            Word {
                at_ms: 13_600,
                dur_ms: None,
                text: "you ".into()
            },
            Word {
                at_ms: 14_000,
                dur_ms: None,
                text: "up".into()
            },
        ]
    );
    let chinese = &lyrics.lines[1];
    assert_eq!(chinese.text, "我爱你");
    let words: Vec<(u64, &str)> = chinese
        .words
        .iter()
        .map(|w| (w.at_ms, w.text.as_str()))
        .collect();
    assert_eq!(words, [(16_000, "我"), (16_400, "爱"), (16_800, "你")]);
    // Angle brackets that are not timestamps are text.
    assert_eq!(lyrics.lines[2].text, "I <3 you <not a tag> <99:x>");
    assert!(lyrics.lines[2].words.is_empty());
}

#[test]
fn plain_text_without_timestamps_is_unsynced() {
    let lyrics = parse_lrc(
        "[ti:Plain]\n\n\nFirst verse line\n  second line  \n\n\n\nSecond verse\n[Chorus]\n\n",
    );
    assert!(lyrics.unsynced);
    assert_eq!(lyrics.title.as_deref(), Some("Plain"));
    assert_eq!(
        lyrics.lines,
        [
            line(0, "First verse line"),
            line(0, "second line"),
            line(0, ""),
            line(0, "Second verse"),
            line(0, "[Chorus]"),
        ]
    );
    assert_eq!(lyrics.line_at(0), None);
    assert_eq!(lyrics.line_at(60_000), None);

    // Nothing at all: no lines, not "unsynced".
    assert_eq!(parse_lrc(""), Lyrics::default());
    assert_eq!(parse_lrc("\u{feff}\r\n[ti:]\n").lines, []);
}

#[test]
fn untimed_lines_in_synced_lyrics_are_dropped() {
    let lyrics = parse_lrc(
        "some credits\n[00:01.00]one\n{\"t\":0,\"c\":[{\"tx\":\"json\"}]}\n[00:02.00]two\n",
    );
    assert!(!lyrics.unsynced);
    assert_eq!(texts(&lyrics), ["one", "two"]);
}

#[test]
fn line_endings_and_bom() {
    for lrc in [
        "\u{feff}[00:01.00]a\n[00:02.00]b\n",
        "[00:01.00]a\r\n[00:02.00]b\r\n",
        "[00:01.00]a\r[00:02.00]b\r",
        "[00:01.00]a\r\n\r\n[00:02.00]b",
    ] {
        let lyrics = parse_lrc(lrc);
        assert_eq!(
            lyrics.lines,
            [line(1_000, "a"), line(2_000, "b")],
            "{lrc:?}"
        );
    }
}

#[test]
fn garbage_does_not_panic_and_stays_sane() {
    let long_line = format!("[00:01.00]{}", "字".repeat(200_000));
    let many_brackets = "[".repeat(100_000) + &"<".repeat(100_000);
    let many_stamps = "[00:01.00]".repeat(10_000) + "x";
    let many_tags = "[ti:".repeat(50_000) + &"]".repeat(100);
    let many_words = "[00:01.00]".to_owned() + &"<0:01>x".repeat(50_000);
    let cases = [
        "[",
        "]",
        "[]",
        "[:]",
        "[00:]",
        "[:00]",
        "[00:00",
        "00:00]",
        "[00:00.00",
        "[00:00.00]]]]",
        "[[00:00.00]]",
        "[00:0a]",
        "[０１:０２.００]full-width digits",
        "[٠١:٠٢]arabic-indic digits",
        "[99999999999999999999999999:99.999999]huge",
        "[00:00.00]<99999999999999999999:00.00>huge word",
        "[-00:01.00]negative",
        "[ti:unterminated",
        "[ti:[[[[",
        "<<<<>>>>",
        "\u{feff}\u{feff}",
        "\r\r\n\n\r",
        "[00:01.00]\u{fffd}\u{fffd} replacement chars",
        &long_line,
        &many_brackets,
        &many_stamps,
        &many_tags,
        &many_words,
    ];
    for case in cases {
        let lyrics = parse_lrc(case);
        assert!(lyrics.lines.windows(2).all(|w| w[0].at_ms < w[1].at_ms));
        let _ = lyrics.line_at(0);
        let _ = lyrics.line_at(u64::MAX);
    }
    assert_eq!(
        parse_lrc("[99999999999999999999999999:99.999999]huge").lines[0].at_ms,
        u64::MAX
    );
    assert_eq!(parse_lrc("[-00:01.00]negative").lines[0].at_ms, 0);
    assert_eq!(
        parse_lrc("[００:０２]x").lines,
        [line(0, "[００:０２]x")],
        "non-ASCII digits are not a timestamp"
    );
    assert_eq!(parse_lrc(&long_line).lines[0].text.chars().count(), 200_000);
    assert_eq!(parse_lrc(&many_words).lines[0].words.len(), 50_000);
    // A hostile line cannot multiply itself without bound.
    assert!(parse_lrc(&many_stamps).lines.len() == 1);
}

#[test]
fn line_at_boundaries() {
    let lyrics = parse_lrc("[00:01.00]a\n[00:02.00]b\n[00:02.00]b translated\n[00:03.00]c\n");
    assert_eq!(lyrics.line_at(0), None);
    assert_eq!(lyrics.line_at(999), None);
    assert_eq!(lyrics.line_at(1_000), Some(0));
    assert_eq!(lyrics.line_at(1_999), Some(0));
    assert_eq!(lyrics.line_at(2_000), Some(1));
    assert_eq!(lyrics.line_at(2_999), Some(1));
    assert_eq!(lyrics.line_at(3_000), Some(2));
    assert_eq!(lyrics.line_at(u64::MAX), Some(2));

    let at_zero = parse_lrc("[00:00.00]start\n[00:05.00]next");
    assert_eq!(at_zero.line_at(0), Some(0));
    assert_eq!(Lyrics::default().line_at(0), None);
    assert_eq!(Lyrics::default().line_at(u64::MAX), None);
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn lyrics_beside_reads_utf8_bom_and_utf16_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let sample = "[ti:晴天]\r\n[00:01.00]故事的小黄花\r\n[00:02.00]second\r\n";

    let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
    utf8_bom.extend_from_slice(sample.as_bytes());
    write(root, "bom.lrc", &utf8_bom);

    let mut little_endian = vec![0xFF, 0xFE];
    little_endian.extend(sample.encode_utf16().flat_map(u16::to_le_bytes));
    write(root, "le.lrc", &little_endian);

    let mut big_endian = vec![0xFE, 0xFF];
    big_endian.extend(sample.encode_utf16().flat_map(u16::to_be_bytes));
    write(root, "be.lrc", &big_endian);

    write(root, "plain.lrc", sample.as_bytes());
    // Not UTF-8 (GBK): read lossily, the timestamps still work.
    write(root, "gbk.lrc", b"[00:01.00]\xc7\xe7\xcc\xec\n");

    for stem in ["bom", "le", "be", "plain"] {
        let lyrics = lyrics_beside(&root.join(format!("{stem}.flac"))).unwrap();
        assert_eq!(lyrics.title.as_deref(), Some("晴天"), "{stem}");
        assert_eq!(
            lyrics.lines,
            [line(1_000, "故事的小黄花"), line(2_000, "second")],
            "{stem}"
        );
    }
    let gbk = lyrics_beside(&root.join("gbk.mp3")).unwrap();
    assert_eq!(gbk.lines.len(), 1);
    assert_eq!(gbk.lines[0].at_ms, 1_000);
}

#[test]
fn lyrics_beside_missing_oversized_or_not_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    assert_eq!(lyrics_beside(&root.join("missing.flac")), None);
    assert_eq!(lyrics_beside(Path::new("")), None);
    assert_eq!(lyrics_beside(Path::new("/")), None);

    let mut big = b"[00:01.00]big\n".to_vec();
    big.resize(1024 * 1024 + 1, b' ');
    write(root, "big.lrc", &big);
    assert_eq!(lyrics_beside(&root.join("big.flac")), None);

    let mut limit = b"[00:01.00]just fits\n".to_vec();
    limit.resize(1024 * 1024, b' ');
    write(root, "limit.lrc", &limit);
    assert_eq!(
        lyrics_beside(&root.join("limit.flac")).unwrap().lines,
        [line(1_000, "just fits")]
    );

    std::fs::create_dir(root.join("folder.lrc")).unwrap();
    assert_eq!(lyrics_beside(&root.join("folder.flac")), None);

    // Same stem only: `song.live.flac` looks for `song.live.lrc`.
    write(root, "song.lrc", b"[00:01.00]studio\n");
    write(root, "song.live.lrc", b"[00:01.00]live\n");
    let live = lyrics_beside(&root.join("song.live.flac")).unwrap();
    assert_eq!(live.lines[0].text, "live");
}

const FRAGMENTS: &[&str] = &[
    "[",
    "]",
    ":",
    ".",
    "<",
    ">",
    "0",
    "1",
    "5",
    "9",
    "00",
    "59",
    "99",
    "[00:",
    "01.",
    "23]",
    "[01:02.03]",
    "<00:01.50>",
    "[ti:",
    "[ar:",
    "[al:",
    "[offset:",
    "offset",
    "+",
    "-",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\u{feff}",
    "字",
    "é",
    "\u{3000}",
    "la ",
];

fn random_input(rng: &mut fastrand::Rng) -> String {
    let len = rng.usize(0..60);
    let mut text = String::new();
    for _ in 0..len {
        if rng.u8(..) < 70 {
            // Any char, mostly ASCII.
            let c = if rng.bool() {
                char::from(rng.u8(0..128))
            } else {
                rng.char(..)
            };
            text.push(c);
        } else {
            text.push_str(FRAGMENTS[rng.usize(..FRAGMENTS.len())]);
        }
    }
    text
}

#[test]
fn random_input_never_panics_and_stays_ordered() {
    let mut rng = fastrand::Rng::with_seed(0x1f2e_3d4c);
    let positions: Vec<u64> = (0..=130)
        .map(|s| s * 1_000)
        .chain([u64::MAX / 2, u64::MAX])
        .collect();
    let mut synced = 0;
    for _ in 0..20_000 {
        let input = random_input(&mut rng);
        let lyrics = parse_lrc(&input);
        synced += usize::from(!lyrics.lines.is_empty() && !lyrics.unsynced);
        assert!(
            lyrics.lines.windows(2).all(|w| w[0].at_ms <= w[1].at_ms),
            "unsorted for {input:?}"
        );
        let mut previous = None;
        for &position in &positions {
            let index = lyrics.line_at(position);
            assert!(index >= previous, "line_at went back for {input:?}");
            assert!(index.is_none_or(|i| i < lyrics.lines.len()));
            previous = index;
        }
    }
    // The fragments do make real lyrics now and then, so parsing is exercised, not just
    // rejection.
    assert!(synced > 100, "only {synced} synced inputs");
}

#[test]
fn the_view_gives_every_word_a_duration_and_applies_the_offset() {
    let view = parse_lrc(
        "[offset:500]\n[00:10.00]<00:10.00>one <00:10.40>two\n[00:12.00]<00:12.00>last\n",
    )
    .into_view();
    assert!(view.synced);
    let words: Vec<(u64, u64, &str)> = view
        .lines
        .iter()
        .flat_map(|l| l.words.iter().map(|w| (w.at_ms, w.dur_ms, w.text.as_str())))
        .collect();
    // Until the next word, the next line, or a second for the very last one; 500 ms earlier.
    assert_eq!(
        words,
        [
            (9_500, 400, "one "),
            (9_900, 1_600, "two"),
            (11_500, 1_000, "last")
        ]
    );
    assert_eq!(view.lines[0].at_ms, 9_500);
}

#[test]
fn a_translation_goes_under_the_nearest_line_within_a_second() {
    let mut lyrics = parse_lrc("[00:01.00]one\n[00:05.00]two\n[00:09.00]three\n");
    lyrics.attach_translation(&parse_lrc(
        "[00:01.30]一\n[00:04.20]二\n[00:04.90]二 again\n[00:07.00]nowhere\n",
    ));
    lyrics.attach_romanization(&parse_lrc("[00:08.99]san\n"));
    let translations: Vec<Option<&str>> = lyrics
        .lines
        .iter()
        .map(|l| l.translation.as_deref())
        .collect();
    assert_eq!(translations, [Some("一"), Some("二"), None]);
    assert_eq!(lyrics.lines[2].romanization.as_deref(), Some("san"));
    assert_eq!(lyrics.lines[0].romanization, None);
}
