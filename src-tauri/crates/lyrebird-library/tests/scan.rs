//! Scanning real files made by ffmpeg, plus the bad input a real music folder holds.

use std::path::{Path, PathBuf};
use std::process::Command;

use lyrebird_core::model::SourceKind;
use lyrebird_library::{read_cover, scan};

fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-y", "-v", "error"])
        .args(args)
        .output()
        .expect("ffmpeg is installed (the test suite's set-up installs it)");
    assert!(
        out.status.success(),
        "ffmpeg: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn tone(path: &Path, meta: &[(&str, &str)]) {
    let mut args = vec!["-f", "lavfi", "-i", "sine=frequency=440:duration=2"];
    let pairs: Vec<String> = meta.iter().map(|(k, v)| format!("{k}={v}")).collect();
    for pair in &pairs {
        args.extend(["-metadata", pair.as_str()]);
    }
    let path = path.to_str().unwrap();
    args.push(path);
    ffmpeg(&args);
}

#[test]
fn tags_are_read_and_bad_files_do_not_stop_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("Album/CD1")).unwrap();
    tone(
        &root.join("Album/CD1/01.flac"),
        &[
            ("title", "晴天"),
            ("artist", "周杰伦"),
            ("album", "叶惠美"),
            ("track", "3"),
        ],
    );
    tone(
        &root.join("Album/02.mp3"),
        &[("title", "<img src=x onerror=alert(1)>"), ("artist", "A")],
    );
    tone(&root.join("untagged.ogg"), &[]);
    std::fs::write(root.join("zero.mp3"), b"").unwrap();
    std::fs::write(root.join("garbage.flac"), b"fLaC this is not a flac file").unwrap();
    std::fs::write(root.join("notes.txt"), b"not audio").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root, root.join("Album/loop")).unwrap();

    let found = scan(&[root.to_path_buf()], SourceKind::Local);
    let titles: Vec<&str> = found.tracks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "<img src=x onerror=alert(1)>",
            "晴天",
            "garbage",
            "untagged",
            "zero"
        ],
        "path order, loop visited once"
    );
    let qingtian = &found.tracks[1];
    assert_eq!(qingtian.artists, ["周杰伦"]);
    assert_eq!(qingtian.album.as_deref(), Some("叶惠美"));
    assert_eq!(qingtian.track_number, Some(3));
    let ms = qingtian.duration_ms.unwrap();
    assert!((1_950..=2_050).contains(&ms), "{ms}");
    assert!(
        found.tracks[2].duration_ms.is_none(),
        "garbage has no duration"
    );
    // Listed by name, and reported: the empty file, the garbage, and the link loop.
    let mut problems: Vec<(String, &str)> = found
        .problems
        .iter()
        .map(|p| {
            let name = p.path.file_name().unwrap().to_string_lossy().into_owned();
            (name, p.reason.as_str())
        })
        .collect();
    problems.sort();
    let names: Vec<&str> = problems.iter().map(|(n, _)| n.as_str()).collect();
    // The link loop is made on Unix only.
    let expected: &[&str] = if cfg!(unix) {
        &["garbage.flac", "loop", "zero.mp3"]
    } else {
        &["garbage.flac", "zero.mp3"]
    };
    assert_eq!(names, expected, "{problems:?}");
    assert!(problems[0].1.starts_with("unreadable"), "{problems:?}");
    assert!(
        problems.last().unwrap().1.contains("0 bytes"),
        "{problems:?}"
    );

    // The same through the index (the walk on a thread of its own, reading as it goes): the
    // same tracks in the same order, the walk's problem in the report, the tags' in the index.
    let mut index = lyrebird_library::index::Index::in_memory().unwrap();
    let report = index
        .sync(&[root.to_path_buf()], SourceKind::Local)
        .unwrap();
    let indexed: Vec<String> = index
        .tracks()
        .unwrap()
        .into_iter()
        .map(|t| t.title)
        .collect();
    assert_eq!(indexed, titles);
    let walk: Vec<_> = report
        .problems
        .iter()
        .map(|p| p.path.file_name().unwrap())
        .collect();
    let expected: &[&str] = if cfg!(unix) { &["loop"] } else { &[] };
    assert_eq!(walk, expected, "{:?}", report.problems);
    assert_eq!(index.problems().unwrap().len(), 2);
}

#[test]
fn missing_roots_are_problems_and_files_can_be_roots() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.wav");
    tone(&file, &[("title", "One")]);
    let missing = PathBuf::from("/nonexistent/lyrebird");
    let found = scan(&[missing.clone(), file], SourceKind::Local);
    assert_eq!(found.tracks.len(), 1);
    assert_eq!(found.problems.len(), 1);
    assert_eq!(found.problems[0].path, missing);
}

#[test]
fn embedded_cover_is_found_and_served() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("cover.png");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=red:s=64x64",
        "-frames:v",
        "1",
        png.to_str().unwrap(),
    ]);
    let plain = dir.path().join("plain.flac");
    tone(&plain, &[("title", "Plain")]);
    let with_cover = dir.path().join("covered.flac");
    ffmpeg(&[
        "-i",
        plain.to_str().unwrap(),
        "-i",
        png.to_str().unwrap(),
        "-map",
        "0:a",
        "-map",
        "1:v",
        "-c:a",
        "copy",
        "-c:v",
        "png",
        "-disposition:v",
        "attached_pic",
        with_cover.to_str().unwrap(),
    ]);
    let found = scan(&[with_cover.clone(), plain.clone()], SourceKind::Local);
    assert!(found.tracks[0].has_cover);
    assert!(!found.tracks[1].has_cover);
    let cover = read_cover(&with_cover).expect("a cover");
    assert_eq!(cover.mime_type, "image/png");
    assert_eq!(&cover.data[1..4], b"PNG");
    assert!(read_cover(&plain).is_none());
}

#[test]
fn replay_gain_tags_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let tagged = dir.path().join("rg.flac");
    tone(
        &tagged,
        &[
            ("REPLAYGAIN_TRACK_GAIN", "-6.50 dB"),
            ("REPLAYGAIN_TRACK_PEAK", "0.988553"),
            ("REPLAYGAIN_ALBUM_GAIN", "+1.25 dB"),
        ],
    );
    let plain = dir.path().join("plain.flac");
    tone(&plain, &[("title", "x")]);
    let bad = dir.path().join("bad.flac");
    tone(&bad, &[("REPLAYGAIN_TRACK_GAIN", "loud")]);
    let found = scan(&[tagged, plain, bad], SourceKind::Local);
    let rg = found.tracks[0].replay_gain.expect("tags read");
    assert_eq!(rg.track_gain_db, Some(-6.5));
    assert_eq!(rg.track_peak, Some(0.988_553));
    assert_eq!(rg.album_gain_db, Some(1.25));
    assert_eq!(rg.album_peak, None);
    assert_eq!(found.tracks[1].replay_gain, None);
    assert_eq!(
        found.tracks[2].replay_gain, None,
        "unparseable values are ignored"
    );
}
