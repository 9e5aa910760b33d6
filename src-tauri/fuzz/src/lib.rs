//! The bodies of the fuzz targets (`fuzz_targets/*.rs` call them with libFuzzer's inputs;
//! `lyrebird-sources/tests/fuzz_targets.rs` runs them over `corpus/` in a plain `cargo test`).
//! Each takes any bytes, must not panic, and checks what its parser promises.

use std::path::Path;

use lyrebird_core::model::SourceKind;

/// Any bytes as an `.lrc` file or a lyrics tag: bounded output, times in order.
pub fn lrc(data: &[u8]) {
    use lyrebird_library::lyrics::{parse_lrc, parse_lrc_bytes};
    let lyrics = parse_lrc_bytes(data);
    let bounded = data.len().min(1 << 20);
    assert!(lyrics.lines.len() <= bounded + 1);
    if lyrics.unsynced {
        assert!(lyrics.lines.iter().all(|l| l.at_ms == 0));
    } else {
        assert!(lyrics.lines.windows(2).all(|w| w[0].at_ms < w[1].at_ms));
    }
    let text: usize = lyrics.lines.iter().map(|l| l.text.len()).sum();
    assert!(text <= 3 * bounded * 65 + 3);
    if let Ok(text) = std::str::from_utf8(data)
        && !text.starts_with('\u{feff}')
    {
        assert_eq!(parse_lrc(text), lyrics);
    }
}

/// Any bytes as an audio file's tags (the format named by an extension the first byte picks,
/// then guessed from the bytes): the track the scan would index stays sane.
pub fn tags(data: &[u8]) {
    let extensions = lyrebird_library::AUDIO_EXTENSIONS;
    let pick = usize::from(data.first().copied().unwrap_or(0)) % extensions.len();
    for name in [
        format!("/music/t.{}", extensions[pick]),
        "/music/t".to_owned(),
    ] {
        let read =
            lyrebird_library::read_tags_from_bytes(data, Path::new(&name), SourceKind::Local);
        let track = &read.track;
        assert!(!track.title.trim().is_empty(), "{name}: a blank title");
        assert!(
            track.artists.iter().all(|a| !a.trim().is_empty()),
            "{name}: a blank artist"
        );
        let mut artists = track.artists.clone();
        artists.sort();
        artists.dedup();
        assert_eq!(artists.len(), track.artists.len(), "{name}: artists twice");
        assert!(
            track.sample_rate != Some(0) && track.channels != Some(0),
            "{name}"
        );
        assert!(track.year != Some(0) && track.bitrate != Some(0), "{name}");
        if read.problem.is_some() {
            assert_eq!(track.codec, None, "{name}: a format for unreadable tags");
        }
    }
}

/// Any bytes as an M3U/M3U8 playlist: every entry comes from a line, each line gives at most
/// one entry or one skipped line.
pub fn m3u(data: &[u8]) {
    use lyrebird_library::m3u;
    let text = m3u::decode(data);
    let parsed = m3u::parse(&text, Path::new("/music/lists"));
    let lines = text.lines().count();
    assert!(parsed.entries.len() + parsed.skipped.len() <= lines);
    for entry in &parsed.entries {
        assert!(
            entry.line >= 1 && entry.line <= lines,
            "line {}",
            entry.line
        );
        assert!(entry.path.is_absolute(), "{}", entry.path.display());
    }
}

/// Any bytes as a Subsonic server's reply to each call, with the statuses servers answer.
pub fn subsonic(data: &[u8]) {
    for status in [200, 404, 502] {
        lyrebird_subsonic::decode_every_reply(status, data);
    }
}

/// Any bytes as a NetEase reply (plain or eapi-encrypted) to each call.
pub fn netease(data: &[u8]) {
    lyrebird_netease::decode_every_reply(data);
}
