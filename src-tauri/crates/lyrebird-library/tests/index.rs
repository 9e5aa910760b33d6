//! The library index on real files: incremental rescans and search, including CJK, accents,
//! full-width letters and hostile input; an unreadable index file is rebuilt.

use std::path::{Path, PathBuf};
use std::process::Command;

use lyrebird_core::model::SourceKind;
use lyrebird_library::index::Index;

fn tone(path: &Path, title: &str, artist: &str, album: &str) {
    let out = Command::new("ffmpeg")
        .args([
            "-y",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=1",
        ])
        .args(["-metadata", &format!("title={title}")])
        .args(["-metadata", &format!("artist={artist}")])
        .args(["-metadata", &format!("album={album}")])
        .arg(path)
        .output()
        .expect("ffmpeg is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Library {
    dir: tempfile::TempDir,
}

impl Library {
    fn new() -> Self {
        let library = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        for (file, title, artist, album) in [
            ("a/01.flac", "晴天", "周杰伦", "叶惠美"),
            ("a/02.flac", "七里香", "周杰伦", "七里香"),
            ("b/01.mp3", "Hey Jude", "The Beatles", "Hey Jude"),
            ("b/02.mp3", "Jude's Lament", "Someone Else", "Covers"),
            ("b/03.mp3", "Beyoncé Medley", "Pianist", "Tributes"),
            ("c/01.ogg", "Hoppípolla", "Sigur Rós", "Takk..."),
            ("c/02.ogg", "ＦＵＬＬ ＷＩＤＴＨ", "Band", "Album"),
        ] {
            let path = library.root().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            tone(&path, title, artist, album);
        }
        library
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn roots(&self) -> Vec<PathBuf> {
        vec![self.root().to_owned()]
    }
}

fn titles(index: &Index, query: &str) -> Vec<String> {
    let ids = index.search(query, 50).unwrap();
    let tracks = index.tracks().unwrap();
    ids.iter()
        .map(|id| tracks.iter().find(|t| &t.id == id).unwrap().title.clone())
        .collect()
}

#[test]
fn search_finds_cjk_substrings_prefixes_and_folds_case_width_and_accents() {
    let library = Library::new();
    let mut index = Index::in_memory().unwrap();
    let report = index.sync(&library.roots(), SourceKind::Local).unwrap();
    assert_eq!((report.seen, report.added), (7, 7), "{report:?}");

    assert_eq!(titles(&index, "晴天"), ["晴天"]);
    assert_eq!(
        titles(&index, "杰伦"),
        ["晴天", "七里香"],
        "inside a CJK name"
    );
    assert_eq!(
        titles(&index, "周"),
        ["晴天", "七里香"],
        "one CJK character"
    );
    assert_eq!(
        titles(&index, "周杰伦 晴"),
        ["晴天"],
        "every term must match"
    );
    assert_eq!(
        titles(&index, "beyonce"),
        ["Beyoncé Medley"],
        "accents folded"
    );
    assert_eq!(
        titles(&index, "ROS"),
        ["Hoppípolla"],
        "case and accents, in the artist"
    );
    assert_eq!(
        titles(&index, "full width"),
        ["ＦＵＬＬ ＷＩＤＴＨ"],
        "width folded"
    );
    assert_eq!(
        titles(&index, "be"),
        ["Beyoncé Medley", "Hey Jude"],
        "word prefix, title first"
    );
    // An exact title first, then a title that starts with the query, then the rest.
    assert_eq!(titles(&index, "hey jude"), ["Hey Jude"]);
    assert_eq!(titles(&index, "jude"), ["Jude's Lament", "Hey Jude"]);
    assert!(titles(&index, "zzz").is_empty());
    // Untrusted input is just text: FTS5 syntax and SQL do nothing.
    for hostile in [
        "\"",
        "*",
        "NEAR(",
        "a OR b",
        "'; DROP TABLE tracks; --",
        "",
        "   ",
    ] {
        let _ = index.search(hostile, 10).unwrap();
    }
    assert_eq!(index.len().unwrap(), 7);
}

#[test]
fn rescans_read_only_what_changed_and_forget_what_is_gone() {
    let library = Library::new();
    let path = library.root().join("index.sqlite");
    {
        let mut index = Index::open(&path).unwrap();
        index.sync(&library.roots(), SourceKind::Local).unwrap();
    }
    // A new process, the same file: nothing to read again.
    let mut index = Index::open(&path).unwrap();
    let report = index.sync(&library.roots(), SourceKind::Local).unwrap();
    assert_eq!(
        (
            report.seen,
            report.added,
            report.updated,
            report.removed,
            report.unchanged
        ),
        (7, 0, 0, 0, 7)
    );

    // Retag one file, delete another, add a third.
    tone(
        &library.root().join("b/01.mp3"),
        "Let It Be",
        "The Beatles",
        "Let It Be",
    );
    std::fs::remove_file(library.root().join("c/01.ogg")).unwrap();
    tone(
        &library.root().join("c/03.ogg"),
        "Новая песня",
        "Кино",
        "Альбом",
    );
    let report = index.sync(&library.roots(), SourceKind::Local).unwrap();
    assert_eq!(
        (
            report.seen,
            report.added,
            report.updated,
            report.removed,
            report.unchanged
        ),
        (7, 1, 1, 1, 5),
        "{report:?}"
    );
    assert_eq!(titles(&index, "let it be"), ["Let It Be"]);
    assert!(
        titles(&index, "hey jude").is_empty(),
        "the old tags are gone from search"
    );
    assert!(
        titles(&index, "hoppipolla").is_empty(),
        "the deleted file is gone"
    );
    assert_eq!(titles(&index, "песня"), ["Новая песня"]);
    assert_eq!(index.tracks().unwrap().len(), 7);
}

#[cfg(unix)]
#[test]
fn file_names_need_not_be_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.flac");
    let path = dir.path().join(name);
    tone(&path, "Latin-1 name", "A", "B");
    let mut index = Index::in_memory().unwrap();
    index
        .sync(&[dir.path().to_owned()], SourceKind::Local)
        .unwrap();
    let tracks = index.tracks().unwrap();
    assert_eq!(
        tracks[0].path.as_deref(),
        Some(path.as_path()),
        "the path survives byte for byte"
    );
}

#[test]
fn an_unreadable_index_is_moved_aside_and_rebuilt() {
    let library = Library::new();
    let path = library.root().join("index.sqlite");
    std::fs::write(
        &path,
        b"this is not a database, it is forty-odd bytes of text",
    )
    .unwrap();
    let mut index = Index::open(&path).unwrap();
    let report = index.sync(&library.roots(), SourceKind::Local).unwrap();
    assert_eq!(report.added, 7);
    let kept = std::fs::read_dir(library.root())
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("index.corrupt-")
        });
    assert!(kept, "the unreadable file is kept aside");
}

#[test]
fn a_scan_reports_its_progress_and_a_no_change_rescan_has_nothing_to_read() {
    let library = Library::new();
    let mut index = Index::in_memory().unwrap();
    let mut seen = Vec::new();
    index
        .sync_with_progress(&library.roots(), SourceKind::Local, |done, total| {
            seen.push((done, total));
        })
        .unwrap();
    assert_eq!(seen.first(), Some(&(0, 7)));
    assert_eq!(seen.last(), Some(&(7, 7)));
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");

    let mut again = Vec::new();
    index
        .sync_with_progress(&library.roots(), SourceKind::Local, |done, total| {
            again.push((done, total));
        })
        .unwrap();
    assert_eq!(again, [(0, 0)], "nothing to read");
}
