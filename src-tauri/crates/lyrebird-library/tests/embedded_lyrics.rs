//! Lyrics in the audio file's own tags, as real taggers write them (ffmpeg for Vorbis comments,
//! MP4 and `TXXX`; lofty itself for `USLT` and `SYLT`, which ffmpeg cannot write), and which
//! source wins when a track has several.

use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use lofty::TextEncoding;
use lofty::config::WriteOptions;
use lofty::id3::v2::{
    BinaryFrame, Frame, FrameId, Id3v2Tag, SyncTextContentType, SynchronizedTextFrame,
    TimestampFormat, UnsynchronizedTextFrame,
};
use lofty::tag::TagExt;
use lyrebird_library::lyrics::{Lyrics, lyrics_for};

/// A 0.3 s sine in `dir/name`, with these `-metadata` pairs.
fn make(dir: &Path, name: &str, metadata: &[(&str, &str)]) -> PathBuf {
    let path = dir.join(name);
    let mut cmd = Command::new("ffmpeg");
    cmd.args([
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=0.3",
    ]);
    if path.extension().is_some_and(|ext| ext == "ogg") {
        cmd.args(["-c:a", "libvorbis"]);
    }
    for (key, value) in metadata {
        cmd.arg("-metadata").arg(format!("{key}={value}"));
    }
    let out = cmd.arg(&path).output().expect("ffmpeg is installed");
    assert!(
        out.status.success(),
        "ffmpeg: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

fn texts(lyrics: &Lyrics) -> Vec<&str> {
    lyrics.lines.iter().map(|l| l.text.as_str()).collect()
}

fn times(lyrics: &Lyrics) -> Vec<u64> {
    lyrics.lines.iter().map(|l| l.at_ms).collect()
}

const LRC: &str = "[ar:Someone]\n[00:01.00]first line\n[00:03.50]second line\n";
const PLAIN: &str = "just words\nno times\n\nsecond stanza";

fn uslt(text: &str) -> Frame<'static> {
    Frame::UnsynchronizedText(UnsynchronizedTextFrame::new(
        TextEncoding::UTF8,
        *b"eng",
        String::new(),
        text.to_owned(),
    ))
}

fn sylt(format: TimestampFormat, content: Vec<(u32, String)>) -> Frame<'static> {
    let frame = SynchronizedTextFrame::new(
        TextEncoding::UTF8,
        *b"eng",
        format,
        SyncTextContentType::Lyrics,
        None,
        content,
    );
    let bytes = frame.as_bytes(WriteOptions::default()).unwrap();
    Frame::Binary(BinaryFrame::new(
        FrameId::Valid(Cow::Borrowed("SYLT")),
        bytes,
    ))
}

fn write_id3v2(path: &Path, frames: Vec<Frame<'static>>) {
    let mut tag = Id3v2Tag::new();
    for frame in frames {
        tag.insert(frame);
    }
    tag.save_to_path(path, WriteOptions::default()).unwrap();
}

#[test]
fn vorbis_comment_lyrics_in_flac_ogg_and_opus() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.flac", "a.ogg", "a.opus"] {
        let path = make(dir.path(), name, &[("LYRICS", PLAIN)]);
        let lyrics = lyrics_for(&path).unwrap_or_else(|| panic!("{name} has lyrics"));
        assert!(lyrics.unsynced, "{name}");
        assert_eq!(
            texts(&lyrics),
            ["just words", "no times", "", "second stanza"],
            "{name}"
        );
    }
}

#[test]
fn unsyncedlyrics_comment_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = make(dir.path(), "u.flac", &[("UNSYNCEDLYRICS", "only plain")]);
    let lyrics = lyrics_for(&path).unwrap();
    assert!(lyrics.unsynced);
    assert_eq!(texts(&lyrics), ["only plain"]);
}

#[test]
fn lrc_text_in_a_tag_is_synced() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["s.flac", "s.m4a", "s.opus"] {
        let path = make(dir.path(), name, &[("lyrics", LRC)]);
        let lyrics = lyrics_for(&path).unwrap_or_else(|| panic!("{name} has lyrics"));
        assert!(!lyrics.unsynced, "{name}");
        assert_eq!(times(&lyrics), [1_000, 3_500], "{name}");
        assert_eq!(texts(&lyrics), ["first line", "second line"], "{name}");
        assert_eq!(lyrics.artist.as_deref(), Some("Someone"), "{name}");
    }
}

#[test]
fn mp4_lyr_atom_plain() {
    let dir = tempfile::tempdir().unwrap();
    let path = make(dir.path(), "p.m4a", &[("lyrics", "words in mp4")]);
    let lyrics = lyrics_for(&path).unwrap();
    assert!(lyrics.unsynced);
    assert_eq!(texts(&lyrics), ["words in mp4"]);
}

#[test]
fn ffmpeg_txxx_lyrics_in_mp3() {
    let dir = tempfile::tempdir().unwrap();
    // ffmpeg cannot write USLT: it writes `TXXX:USLT` for `lyrics`, `TXXX:lyrics-eng` as named.
    let a = make(dir.path(), "a.mp3", &[("lyrics", LRC)]);
    assert_eq!(times(&lyrics_for(&a).unwrap()), [1_000, 3_500]);
    let b = make(dir.path(), "b.mp3", &[("lyrics-eng", "plain mp3")]);
    assert_eq!(texts(&lyrics_for(&b).unwrap()), ["plain mp3"]);
}

#[test]
fn id3v2_uslt_plain_and_lrc() {
    let dir = tempfile::tempdir().unwrap();
    let plain = make(dir.path(), "plain.mp3", &[]);
    write_id3v2(&plain, vec![uslt("line one\r\nline two")]);
    let lyrics = lyrics_for(&plain).unwrap();
    assert!(lyrics.unsynced);
    assert_eq!(texts(&lyrics), ["line one", "line two"]);

    let synced = make(dir.path(), "synced.mp3", &[]);
    write_id3v2(&synced, vec![uslt(LRC)]);
    let lyrics = lyrics_for(&synced).unwrap();
    assert!(!lyrics.unsynced);
    assert_eq!(times(&lyrics), [1_000, 3_500]);
}

#[test]
fn id3v2_sylt_in_milliseconds_becomes_timed_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = make(dir.path(), "sylt.mp3", &[]);
    write_id3v2(
        &path,
        vec![sylt(
            TimestampFormat::MS,
            vec![
                (2_000, "second".into()),
                (500, "\nfirst".into()),
                (2_000, "translation of second".into()),
                (4_250, "third\n".into()),
            ],
        )],
    );
    let lyrics = lyrics_for(&path).unwrap();
    assert!(!lyrics.unsynced);
    assert_eq!(times(&lyrics), [500, 2_000, 4_250]);
    assert_eq!(texts(&lyrics), ["first", "second", "third"]);
    assert_eq!(
        lyrics.lines[1].translation.as_deref(),
        Some("translation of second")
    );
}

#[test]
fn id3v2_sylt_in_mpeg_frames_uses_the_frame_length() {
    let dir = tempfile::tempdir().unwrap();
    // ffmpeg's default sine is 44.1 kHz; MPEG-1 layer III: 1152 samples a frame.
    let path = make(dir.path(), "frames.mp3", &[]);
    write_id3v2(
        &path,
        vec![sylt(
            TimestampFormat::MPEG,
            vec![(0, "a".into()), (100, "b".into())],
        )],
    );
    let lyrics = lyrics_for(&path).unwrap();
    assert_eq!(times(&lyrics), [0, 2_612]);
}

#[test]
fn synced_embedded_lyrics_win_over_plain_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = make(dir.path(), "both.mp3", &[]);
    write_id3v2(
        &path,
        vec![
            uslt(PLAIN),
            sylt(TimestampFormat::MS, vec![(1_000, "from sylt".into())]),
        ],
    );
    let lyrics = lyrics_for(&path).unwrap();
    assert_eq!(texts(&lyrics), ["from sylt"]);

    // Vorbis: an LRC text in UNSYNCEDLYRICS still beats plain LYRICS.
    let flac = make(
        dir.path(),
        "both.flac",
        &[("LYRICS", PLAIN), ("UNSYNCEDLYRICS", LRC)],
    );
    assert_eq!(
        texts(&lyrics_for(&flac).unwrap()),
        ["first line", "second line"]
    );
}

#[test]
fn lrc_file_beside_wins_over_embedded_lyrics() {
    let dir = tempfile::tempdir().unwrap();
    let path = make(dir.path(), "song.mp3", &[]);
    write_id3v2(
        &path,
        vec![sylt(TimestampFormat::MS, vec![(1_000, "embedded".into())])],
    );
    fs::write(dir.path().join("song.lrc"), "[00:02.00]from the file\n").unwrap();
    assert_eq!(texts(&lyrics_for(&path).unwrap()), ["from the file"]);

    // An empty .lrc does not hide the embedded lyrics.
    fs::write(dir.path().join("song.lrc"), "").unwrap();
    assert_eq!(texts(&lyrics_for(&path).unwrap()), ["embedded"]);

    // A plain .lrc is still the user's choice.
    fs::write(dir.path().join("song.lrc"), "plain beside").unwrap();
    assert_eq!(texts(&lyrics_for(&path).unwrap()), ["plain beside"]);
}

#[test]
fn no_lyrics_anywhere_and_bad_files_give_none() {
    let dir = tempfile::tempdir().unwrap();
    let bare = make(dir.path(), "bare.flac", &[("title", "no lyrics")]);
    assert_eq!(lyrics_for(&bare), None);
    let junk = dir.path().join("junk.mp3");
    fs::write(
        &junk,
        b"ID3\x04\x00\x00\x7f\x7f\x7f\x7fSYLT\x00\x00\x00\x10garbage",
    )
    .unwrap();
    assert_eq!(lyrics_for(&junk), None);
    let empty = dir.path().join("empty.opus");
    fs::write(&empty, b"").unwrap();
    assert_eq!(lyrics_for(&empty), None);
    assert_eq!(lyrics_for(&dir.path().join("missing.ogg")), None);
    // Blank lyrics tags are no lyrics.
    let blank = make(dir.path(), "blank.flac", &[("LYRICS", " \n \n")]);
    assert_eq!(lyrics_for(&blank), None);
}
