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

    // What the fallback race asks for: the matches of a search, fetched by id, in its order,
    // the same as the whole list holds them; an unknown id is left out.
    let mut ids = index.search("杰伦", 10).unwrap();
    ids.insert(1, lyrebird_core::model::TrackId("local:gone".into()));
    let fetched = index.tracks_by_ids(&ids).unwrap();
    let all = index.tracks().unwrap();
    let expected: Vec<_> = [&ids[0], &ids[2]]
        .iter()
        .map(|id| all.iter().find(|t| t.id == **id).unwrap().clone())
        .collect();
    assert_eq!(fetched, expected);
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
    // The total grows while the walk lists folders (reading starts at once).
    assert_eq!(seen.first().map(|s| s.0), Some(0));
    assert!((1..=7).contains(&seen[0].1), "{seen:?}");
    assert_eq!(seen.last(), Some(&(7, 7)));
    assert!(
        seen.windows(2)
            .all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1),
        "{seen:?}"
    );

    let mut again = Vec::new();
    index
        .sync_with_progress(&library.roots(), SourceKind::Local, |done, total| {
            again.push((done, total));
        })
        .unwrap();
    assert_eq!(again, [(0, 0)], "nothing to read");
}

fn tone_with(path: &Path, meta: &[(&str, &str)]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut args = vec![
        "-y".to_owned(),
        "-v".into(),
        "error".into(),
        "-f".into(),
        "lavfi".into(),
        "-i".into(),
        "sine=frequency=440:duration=0.2".into(),
    ];
    for (k, v) in meta {
        args.push("-metadata".into());
        args.push(format!("{k}={v}"));
    }
    args.push(path.to_string_lossy().into_owned());
    let out = Command::new("ffmpeg").args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every track row has its two search rows and nothing else: what a cancelled or partial
/// rescan must leave behind.
fn assert_consistent(index_path: &Path) {
    let conn = rusqlite::Connection::open(index_path).unwrap();
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    let tracks = count("SELECT count(*) FROM tracks");
    assert_eq!(count("SELECT count(*) FROM search_substrings"), tracks);
    assert_eq!(count("SELECT count(*) FROM search_words"), tracks);
    assert_eq!(
        count("SELECT count(*) FROM search_words WHERE rowid NOT IN (SELECT rowid FROM tracks)"),
        0
    );
}

#[test]
fn a_cancelled_rescan_keeps_what_it_read_and_the_next_one_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("music");
    let one = root.join("one.flac");
    tone_with(&one, &[("title", "One")]);
    // 600 copies: three batches of tags to read.
    for i in 0..600 {
        let folder = root.join(format!("f{}", i / 100));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::copy(&one, folder.join(format!("{i:03}.flac"))).unwrap();
    }
    let db = dir.path().join("library.sqlite");
    let mut index = Index::open(&db).unwrap();
    let mut reports = Vec::new();
    let batches = std::sync::atomic::AtomicUsize::new(0);
    let report = index
        .sync_with(
            std::slice::from_ref(&root),
            SourceKind::Local,
            |p| {
                reports.push((p.done, p.total, p.counting, p.folder.map(Path::to_owned)));
                batches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            },
            || batches.load(std::sync::atomic::Ordering::SeqCst) >= 2,
        )
        .unwrap();
    assert!(report.cancelled);
    let kept = index.len().unwrap();
    assert_eq!(kept, report.added);
    assert!(kept > 0 && kept < 601, "{kept}");
    assert_eq!(reports[0].0, 0);
    // The first report comes as soon as the first files are read, the walk may still go on.
    assert!((1..=601).contains(&reports[0].1), "{reports:?}");
    assert!(
        reports
            .iter()
            .all(|r| r.0 < r.1 && r.1 <= 601 && r.3.is_some()),
        "no final report: {reports:?}"
    );
    assert!(reports.iter().all(|r| r.2 || r.1 == 601), "{reports:?}");
    assert_eq!(reports[0].3.as_deref(), Some(root.join("f0").as_path()));
    drop(index);
    assert_consistent(&db);

    let mut index = Index::open(&db).unwrap();
    let report = index.sync(&[root], SourceKind::Local).unwrap();
    assert!(!report.cancelled);
    assert_eq!(report.added, 601 - kept, "only the rest is read");
    assert_eq!(report.unchanged, kept);
    assert_eq!(index.len().unwrap(), 601);
    drop(index);
    assert_consistent(&db);
}

#[test]
fn cancelling_during_the_walk_removes_nothing() {
    let library = Library::new();
    let mut index = Index::in_memory().unwrap();
    index.sync(&library.roots(), SourceKind::Local).unwrap();
    let report = index
        .sync_with(&library.roots(), SourceKind::Local, |_| {}, || true)
        .unwrap();
    assert!(report.cancelled);
    assert_eq!(report.removed, 0);
    assert_eq!(index.len().unwrap(), 7);
}

#[test]
fn removing_a_folder_drops_its_tracks_and_keeps_the_others() {
    let library = Library::new();
    let root = library.root();
    let mut index = Index::in_memory().unwrap();
    let folders = vec![root.join("a"), root.join("b"), root.join("c")];
    index.sync(&folders, SourceKind::Local).unwrap();
    assert_eq!(index.len().unwrap(), 7);
    let report = index
        .sync(&[root.join("a"), root.join("c")], SourceKind::Local)
        .unwrap();
    assert_eq!(report.removed, 3);
    assert_eq!(report.added, 0);
    assert!(titles(&index, "jude").is_empty(), "b's tracks are gone");
    assert_eq!(titles(&index, "晴天"), ["晴天"]);
    let report = index.sync(&[], SourceKind::Local).unwrap();
    assert_eq!(report.removed, 4);
    assert!(index.is_empty().unwrap());
}

#[test]
fn albums_in_disc_and_track_order_problems_and_recently_added() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Paths sort against the disc order on purpose.
    for (file, title, disc, track) in [
        ("x/a.flac", "Disc two, first", "2", "1"),
        ("x/b.flac", "Disc one, second", "1", "2"),
        ("x/c.flac", "Disc one, first", "1", "1"),
    ] {
        tone_with(
            &root.join(file),
            &[
                ("title", title),
                ("artist", "Guest"),
                ("album_artist", "The Band"),
                ("album", "Double"),
                ("disc", disc),
                ("track", track),
            ],
        );
    }
    tone_with(
        &root.join("y/solo.flac"),
        &[("title", "Solo"), ("artist", "Someone"), ("album", "Alone")],
    );
    tone_with(&root.join("y/loose.flac"), &[("title", "No album")]);
    std::fs::write(root.join("y/broken.flac"), b"fLaC not really").unwrap();
    std::fs::write(root.join("y/empty.mp3"), b"").unwrap();

    let mut index = Index::in_memory().unwrap();
    let report = index.sync(&[root.to_owned()], SourceKind::Local).unwrap();
    assert_eq!(report.added, 7);
    let tracks = index.tracks().unwrap();
    let title = |id: &lyrebird_core::model::TrackId| {
        tracks.iter().find(|t| &t.id == id).unwrap().title.clone()
    };
    let albums = index.albums().unwrap();
    let summary: Vec<(String, Option<String>, Vec<String>)> = albums
        .iter()
        .map(|a| {
            (
                a.title.clone(),
                a.artist.clone(),
                a.tracks.iter().map(&title).collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("Alone".into(), Some("Someone".into()), vec!["Solo".into()]),
            (
                "Double".into(),
                Some("The Band".into()),
                vec![
                    "Disc one, first".into(),
                    "Disc one, second".into(),
                    "Disc two, first".into()
                ]
            ),
        ]
    );

    let problems = index.problems().unwrap();
    let names: Vec<String> = problems
        .iter()
        .map(|p| p.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["broken.flac", "empty.mp3"]);

    // A file added later comes first among the recently added.
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    tone_with(&root.join("z/new.flac"), &[("title", "Newest")]);
    index.sync(&[root.to_owned()], SourceKind::Local).unwrap();
    let recent = index.recently_added(3).unwrap();
    assert_eq!(recent.len(), 3);
    let tracks = index.tracks().unwrap();
    let newest = tracks.iter().find(|t| t.id == recent[0]).unwrap();
    assert_eq!(newest.title, "Newest");
}

#[test]
fn the_library_thread_cancels_a_running_rescan_and_serves_problems() {
    use lyrebird_library::service::LibraryHandle;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("music");
    let one = root.join("one.flac");
    tone_with(&one, &[("title", "One")]);
    for i in 0..1_000 {
        std::fs::copy(&one, root.join(format!("{i:04}.flac"))).unwrap();
    }
    std::fs::write(root.join("zz-empty.flac"), b"").unwrap();
    let (library, problem) = LibraryHandle::spawn(None);
    assert!(problem.is_none());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        // Cancel from the first progress report, as the Cancel button would mid-scan.
        let canceller = library.clone();
        let report = library
            .sync(vec![root.clone()], SourceKind::Local, move |p| {
                if p.done == 0 && p.total > 0 {
                    canceller.cancel_scan();
                }
            })
            .await
            .unwrap();
        assert!(report.cancelled);
        assert!(report.added < 1_002, "{}", report.added);
        // A cancel does not reach rescans asked for later.
        let report = library
            .sync(vec![root.clone()], SourceKind::Local, |_| {})
            .await
            .unwrap();
        assert!(!report.cancelled);
        assert_eq!(library.tracks().await.unwrap().len(), 1_002);
        let problems = library.problems().await.unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].path.ends_with("zz-empty.flac"));
    });
}

#[test]
fn tracks_by_folder_under_each_root() {
    let library = Library::new();
    let root = library.root().to_owned();
    let nested = root.join("b");
    std::fs::create_dir_all(root.join("c/deep/er")).unwrap();
    std::fs::copy(root.join("c/01.ogg"), root.join("c/deep/er/03.ogg")).unwrap();
    let mut index = Index::in_memory().unwrap();
    index.sync(&library.roots(), SourceKind::Local).unwrap();
    let tracks = index.tracks().unwrap();
    let title = |id: &lyrebird_core::model::TrackId| {
        tracks.iter().find(|t| &t.id == id).unwrap().title.clone()
    };

    let roots = [
        (SourceKind::Local, root.clone()),
        (SourceKind::Local, PathBuf::from("/not/a/root")),
    ];
    let tree = index.folders(&roots).unwrap();
    assert_eq!(tree.len(), 2);
    assert_eq!(tree[0].name, root.display().to_string());
    assert_eq!(tree[0].track_count, 8);
    assert!(tree[0].tracks.is_empty());
    let names: Vec<&str> = tree[0].folders.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    let a = &tree[0].folders[0];
    assert_eq!(
        a.tracks.iter().map(title).collect::<Vec<_>>(),
        ["晴天", "七里香"]
    );
    let c = &tree[0].folders[2];
    assert_eq!((c.track_count, c.tracks.len()), (3, 2));
    assert_eq!(c.folders[0].name, "deep");
    assert_eq!(c.folders[0].folders[0].name, "er");
    assert_eq!(c.folders[0].folders[0].tracks.len(), 1);
    assert_eq!((tree[1].track_count, tree[1].folders.len()), (0, 0));

    // A root inside another: its tracks go to the inner one; another source's root is empty.
    let roots = [
        (SourceKind::Local, root.clone()),
        (SourceKind::Local, nested.clone()),
        (SourceKind::Demo, root.clone()),
    ];
    let tree = index.folders(&roots).unwrap();
    assert_eq!(tree[0].track_count, 5);
    assert_eq!(tree[1].name, nested.display().to_string());
    assert_eq!((tree[1].track_count, tree[1].tracks.len()), (3, 3));
    assert_eq!((tree[2].source, tree[2].track_count), (SourceKind::Demo, 0));
}

/// Year, genre and the audio format are read, stored and listed; an index from before they
/// were kept (version 4) gets the columns and reads every file again to fill them.
#[test]
fn year_genre_and_audio_format_are_kept_and_an_old_index_fills_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("music");
    tone_with(
        &root.join("a.flac"),
        &[("title", "Flac"), ("date", "1999-05-01"), ("genre", "Jazz")],
    );
    tone_with(&root.join("b.mp3"), &[("title", "Mp3"), ("date", "2021")]);
    let db = dir.path().join("index.sqlite");
    let check = |index: &Index| {
        let tracks = index.tracks().unwrap();
        let flac = tracks.iter().find(|t| t.title == "Flac").unwrap();
        assert_eq!(flac.year, Some(1999));
        assert_eq!(flac.genre.as_deref(), Some("Jazz"));
        assert_eq!(flac.codec.as_deref(), Some("FLAC"));
        assert_eq!(flac.sample_rate, Some(44_100));
        assert_eq!(flac.bit_depth, Some(16));
        assert_eq!(flac.channels, Some(1));
        assert!(flac.bitrate.is_some_and(|b| b > 0), "{flac:?}");
        let mp3 = tracks.iter().find(|t| t.title == "Mp3").unwrap();
        assert_eq!((mp3.year, mp3.genre.as_deref()), (Some(2021), None));
        assert_eq!(mp3.codec.as_deref(), Some("MP3"));
        assert_eq!(mp3.bit_depth, None);
        assert!(mp3.bitrate.is_some_and(|b| b > 0), "{mp3:?}");
        // The JSON the UI gets has them; a track without them has no such keys.
        let json = serde_json::to_value(flac).unwrap();
        assert_eq!(json["sampleRate"], 44_100);
        let bare = lyrebird_core::model::Track::from_path("/x.mp3".into(), SourceKind::Local);
        let json = serde_json::to_value(&bare).unwrap();
        assert!(json.get("year").is_none() && json.get("codec").is_none());
    };
    {
        let mut index = Index::open(&db).unwrap();
        assert_eq!(
            index
                .sync(std::slice::from_ref(&root), SourceKind::Local)
                .unwrap()
                .added,
            2
        );
        check(&index);
    }
    // Back to version 4: the columns gone, as an index written before them.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        for column in [
            "year",
            "genre",
            "codec",
            "sample_rate",
            "bit_depth",
            "bitrate",
            "channels",
        ] {
            conn.execute_batch(&format!("ALTER TABLE tracks DROP COLUMN {column}"))
                .unwrap();
        }
        conn.pragma_update(None, "user_version", 4).unwrap();
    }
    let mut index = Index::open(&db).unwrap();
    assert_eq!(index.len().unwrap(), 2, "kept through the migration");
    let report = index.sync(&[root], SourceKind::Local).unwrap();
    assert_eq!(
        (report.updated, report.unchanged),
        (2, 0),
        "every file read again"
    );
    check(&index);
}

/// Version 6 made the two search tables contentless. An index written before it keeps its
/// search rows (moved over, no file read again), and what a rescan changes is searchable.
#[test]
fn search_tables_written_before_version_6_are_moved_over() {
    let library = Library::new();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("index.sqlite");
    Index::open(&db)
        .unwrap()
        .sync(&library.roots(), SourceKind::Local)
        .unwrap();
    let table_sql = |conn: &rusqlite::Connection, name: &str| -> String {
        conn.query_row(
            "SELECT sql FROM sqlite_master WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap()
    };
    // Back to version 5: search tables that keep their text, refilled from the tracks (a
    // contentless table cannot give its text back).
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        assert!(table_sql(&conn, "search_substrings").contains("content = ''"));
        let texts: Vec<(i64, String, String, Option<String>)> = conn
            .prepare("SELECT rowid, title, artists, album FROM tracks")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        conn.execute_batch(
            "DROP TABLE search_substrings; DROP TABLE search_words;
             CREATE VIRTUAL TABLE search_substrings USING fts5(text, tokenize = 'trigram');
             CREATE VIRTUAL TABLE search_words USING fts5(text, tokenize = 'unicode61');",
        )
        .unwrap();
        for (rowid, title, artists, album) in texts {
            let artists: Vec<String> = serde_json::from_str(&artists).unwrap();
            let text = format!(
                "{title} {} {}",
                artists.join(" "),
                album.unwrap_or_default()
            )
            .to_lowercase();
            for table in ["search_substrings", "search_words"] {
                conn.execute(
                    &format!("INSERT INTO {table} (rowid, text) VALUES (?1, ?2)"),
                    rusqlite::params![rowid, text],
                )
                .unwrap();
            }
        }
        conn.pragma_update(None, "user_version", 5).unwrap();
    }
    let mut index = Index::open(&db).unwrap();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        for table in ["search_substrings", "search_words"] {
            assert!(
                table_sql(&conn, table).contains("contentless_delete = 1"),
                "{table}"
            );
        }
    }
    assert_eq!(titles(&index, "beatles"), ["Hey Jude"], "rows moved over");
    assert_eq!(titles(&index, "lament"), ["Jude's Lament"]);
    // A file retagged: its old words are gone from the contentless tables, its new ones found.
    tone(
        &library.root().join("b/01.mp3"),
        "Let It Be",
        "The Beatles",
        "Let It Be",
    );
    let report = index.sync(&library.roots(), SourceKind::Local).unwrap();
    assert_eq!((report.updated, report.unchanged), (1, 6), "{report:?}");
    assert!(
        titles(&index, "hey jude").is_empty(),
        "{:?}",
        titles(&index, "hey jude")
    );
    assert_eq!(titles(&index, "let it"), ["Let It Be"]);
    assert_eq!(titles(&index, "jude"), ["Jude's Lament"]);
}

/// A rescan leaves its rows in the write-ahead log, readable at once; the library thread
/// folds the log into the index file once no request has come for a moment.
#[test]
fn the_library_thread_folds_a_rescan_into_the_index_file_once_idle() {
    use lyrebird_library::service::LibraryHandle;
    let library_dir = Library::new();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("library.sqlite");
    let wal = dir.path().join("library.sqlite-wal");
    let wal_size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    let (library, problem) = LibraryHandle::spawn(Some(db.clone()));
    assert!(problem.is_none());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let report = library
            .sync(library_dir.roots(), SourceKind::Local, |_| {})
            .await
            .unwrap();
        assert_eq!(report.added, 7);
        assert!(wal_size() > 0, "the rows are in the log");
        // Read from the log meanwhile, by the library thread and by another connection.
        assert_eq!(library.tracks().await.unwrap().len(), 7);
        let other = rusqlite::Connection::open(&db).unwrap();
        let rows: i64 = other
            .query_row("SELECT count(*) FROM tracks", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 7);
        drop(other);
        let folded = async {
            while wal_size() > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(20), folded)
            .await
            .expect("the log is folded in and emptied");
        assert_eq!(library.tracks().await.unwrap().len(), 7);
    });
}

#[test]
fn artists_are_grouped_by_the_index_each_with_their_tracks_by_album() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (file, title, artist, album) in [
        ("a/1.flac", "Second album song", "Alpha", Some("b side")),
        ("a/2.flac", "First album song", "alpha", Some("A side")),
        ("a/3.flac", "Duet", "Alpha; Beta", Some("Z")),
        ("a/4.flac", "Loose", "Beta", None),
        ("a/5.flac", "Nobody's", "", Some("Anon")),
    ] {
        let mut tags = vec![("title", title)];
        if !artist.is_empty() {
            tags.push(("artist", artist));
        }
        if let Some(album) = album {
            tags.push(("album", album));
        }
        tone_with(&root.join(file), &tags);
    }
    let mut index = Index::in_memory().unwrap();
    index.sync(&[root.to_owned()], SourceKind::Local).unwrap();
    let tracks = index.tracks().unwrap();
    let title = |id: &lyrebird_core::model::TrackId| {
        tracks.iter().find(|t| &t.id == id).unwrap().title.clone()
    };
    let artists: Vec<(String, Vec<String>)> = index
        .artists()
        .unwrap()
        .iter()
        .map(|a| (a.name.clone(), a.tracks.iter().map(&title).collect()))
        .collect();
    // Names that differ in case are one artist, spelled as their first track (by album) spells
    // it; a tag of two names the reader does not split stays one name.
    let expected: Vec<(String, Vec<String>)> = vec![
        (String::new(), vec!["Nobody's".into()]),
        (
            "alpha".into(),
            vec!["First album song".into(), "Second album song".into()],
        ),
        ("Alpha; Beta".into(), vec!["Duet".into()]),
        ("Beta".into(), vec!["Loose".into()]),
    ];
    let duet_artists = &tracks.iter().find(|t| t.title == "Duet").unwrap().artists;
    assert_eq!(artists, expected, "tags read: {duet_artists:?}");
}
