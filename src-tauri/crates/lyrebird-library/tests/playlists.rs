//! Playlists in the library index on real files: they survive rescans, a deleted file stays
//! listed as missing (and comes back), edits keep the order, M3U8 import and export, and the
//! migration from the schema before playlists keeps the indexed tracks.

use std::path::{Path, PathBuf};
use std::process::Command;

use lyrebird_core::model::{SourceKind, TrackId};
use lyrebird_core::playlists::PlaylistView;
use lyrebird_library::index::{Index, IndexError};
use lyrebird_library::m3u::PathStyle;
use lyrebird_library::service::LibraryHandle;

fn tone(path: &Path, title: &str, artist: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let out = Command::new("ffmpeg")
        .args(["-y", "-v", "error", "-f", "lavfi", "-i"])
        .arg("sine=frequency=440:duration=1")
        .args(["-metadata", &format!("title={title}")])
        .args(["-metadata", &format!("artist={artist}")])
        .arg(path)
        .output()
        .expect("ffmpeg is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let fixture = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        tone(&fixture.music().join("a.flac"), "Alpha", "Ann");
        tone(&fixture.music().join("晴天.flac"), "晴天", "周杰伦");
        tone(&fixture.music().join("c.mp3"), "Gamma", "Cat");
        fixture
    }
    fn music(&self) -> PathBuf {
        self.dir.path().join("music")
    }
    fn roots(&self) -> Vec<PathBuf> {
        vec![self.music()]
    }
    fn db(&self) -> PathBuf {
        self.dir.path().join("library.sqlite")
    }
    fn id(&self, name: &str) -> TrackId {
        TrackId::for_local_path(&self.music().join(name))
    }
}

fn titles(view: &PlaylistView) -> Vec<String> {
    view.items
        .iter()
        .map(|i| match &i.track {
            Some(t) => t.title.clone(),
            None => format!("missing:{}", i.title),
        })
        .collect()
}

#[test]
fn playlists_keep_order_survive_rescans_and_list_missing_files() {
    let f = Fixture::new();
    let mut index = Index::open(&f.db()).unwrap();
    index.sync(&f.roots(), SourceKind::Local).unwrap();

    let mix = index.create_playlist("  Mix ").unwrap();
    assert_eq!(mix.name, "Mix");
    assert!(matches!(
        index.create_playlist(" \n "),
        Err(IndexError::EmptyName)
    ));
    index
        .add_tracks_to_playlist(mix.id, &[f.id("c.mp3"), f.id("a.flac")], None)
        .unwrap();
    // At a position: first.
    index
        .add_tracks_to_playlist(mix.id, &[f.id("晴天.flac")], Some(0))
        .unwrap();
    // The same file twice is two items.
    index
        .add_tracks_to_playlist(mix.id, &[f.id("a.flac")], Some(99))
        .unwrap();
    let unknown = index.add_tracks_to_playlist(mix.id, &[TrackId("local:nope".into())], None);
    assert!(matches!(unknown, Err(IndexError::UnknownTrack(_))));
    let view = index.playlist(mix.id).unwrap();
    assert_eq!(titles(&view), ["晴天", "Gamma", "Alpha", "Alpha"]);
    assert_eq!(view.items[0].title, "周杰伦 - 晴天");
    assert_eq!(index.playlists().unwrap()[0].item_count, 4);

    // Move the last to the second place; remove the first.
    let ids: Vec<i64> = view.items.iter().map(|i| i.item_id).collect();
    index.move_in_playlist(mix.id, ids[3], 1).unwrap();
    assert_eq!(
        titles(&index.playlist(mix.id).unwrap()),
        ["晴天", "Alpha", "Gamma", "Alpha"]
    );
    index.move_in_playlist(mix.id, ids[0], 100).unwrap();
    assert_eq!(
        titles(&index.playlist(mix.id).unwrap()),
        ["Alpha", "Gamma", "Alpha", "晴天"]
    );
    index
        .remove_from_playlist(mix.id, &[ids[3], 12345])
        .unwrap();
    assert_eq!(
        titles(&index.playlist(mix.id).unwrap()),
        ["Gamma", "Alpha", "晴天"]
    );
    assert!(matches!(
        index.move_in_playlist(mix.id, 12345, 0),
        Err(IndexError::NoSuchPlaylistItem { .. })
    ));

    // A rescan with nothing changed, and a new process: all still there.
    drop(index);
    let mut index = Index::open(&f.db()).unwrap();
    index.sync(&f.roots(), SourceKind::Local).unwrap();
    assert_eq!(
        titles(&index.playlist(mix.id).unwrap()),
        ["Gamma", "Alpha", "晴天"]
    );

    // The file goes: listed as missing, by the name it was added with.
    std::fs::remove_file(f.music().join("a.flac")).unwrap();
    let report = index.sync(&f.roots(), SourceKind::Local).unwrap();
    assert_eq!(report.removed, 1);
    let view = index.playlist(mix.id).unwrap();
    assert_eq!(titles(&view), ["Gamma", "missing:Ann - Alpha", "晴天"]);
    assert!(view.items[1].path.ends_with("a.flac"));
    // It comes back (retagged): the playlist shows it again, with its new tags.
    tone(&f.music().join("a.flac"), "Alpha 2", "Ann");
    index.sync(&f.roots(), SourceKind::Local).unwrap();
    assert_eq!(
        titles(&index.playlist(mix.id).unwrap()),
        ["Gamma", "Alpha 2", "晴天"]
    );

    // Rename, a second playlist, listing by name, delete.
    index.rename_playlist(mix.id, "Zed").unwrap();
    let other = index.create_playlist("alpha list").unwrap();
    let names: Vec<String> = index
        .playlists()
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["alpha list", "Zed"]);
    index.delete_playlist(mix.id).unwrap();
    assert!(matches!(
        index.playlist(mix.id),
        Err(IndexError::NoSuchPlaylist(_))
    ));
    assert!(matches!(
        index.delete_playlist(mix.id),
        Err(IndexError::NoSuchPlaylist(_))
    ));
    assert!(matches!(
        index.rename_playlist(mix.id, "x"),
        Err(IndexError::NoSuchPlaylist(_))
    ));
    assert_eq!(index.playlists().unwrap().len(), 1);
    assert_eq!(index.playlist(other.id).unwrap().items.len(), 0);
}

#[test]
fn a_file_outside_the_library_is_read_from_disk() {
    let f = Fixture::new();
    let outside = f.dir.path().join("elsewhere/x.ogg");
    tone(&outside, "Outside", "Olga");
    let mut index = Index::open(&f.db()).unwrap();
    index.sync(&f.roots(), SourceKind::Local).unwrap();
    let p = index.create_playlist("p").unwrap();
    index
        .add_paths_to_playlist(p.id, &[(outside.clone(), None)], None)
        .unwrap();
    let view = index.playlist(p.id).unwrap();
    let track = view.items[0].track.as_ref().unwrap();
    assert_eq!(track.title, "Outside");
    assert_eq!(track.path.as_deref(), Some(outside.as_path()));
    assert_eq!(
        view.items[0].title, "x.ogg",
        "a file added by path is named by its file"
    );
}

#[test]
fn m3u8_import_reports_unmatched_lines_and_export_round_trips() {
    let f = Fixture::new();
    let outside = f.dir.path().join("other/نسم علينا.ogg");
    tone(&outside, "نسم علينا الهوى", "فيروز");
    let mut index = Index::open(&f.db()).unwrap();
    index.sync(&f.roots(), SourceKind::Local).unwrap();

    let lists = f.dir.path().join("lists");
    std::fs::create_dir_all(&lists).unwrap();
    let file = lists.join("Road trip.m3u8");
    let text = format!(
        "\u{FEFF}#EXTM3U\r\n#EXTINF:1,Ann - Alpha\r\n..\\music\\a.flac\r\n{}\r\nfile://{}\r\nnot/here.flac\r\nhttp://radio.example/live\r\n../music/晴天.flac\r\n",
        f.music().join("c.mp3").display(),
        outside.display().to_string().replace(' ', "%20"),
    );
    std::fs::write(&file, text).unwrap();
    let imported = index.import_m3u(&file).unwrap();
    assert_eq!(imported.playlist.name, "Road trip");
    assert_eq!(imported.playlist.item_count, 4);
    let unmatched: Vec<(u32, &str)> = imported
        .unmatched
        .iter()
        .map(|u| (u.line, u.text.as_str()))
        .collect();
    assert_eq!(
        unmatched,
        [(6, "not/here.flac"), (7, "http://radio.example/live")]
    );
    let view = index.playlist(imported.playlist.id).unwrap();
    assert_eq!(titles(&view), ["Alpha", "Gamma", "نسم علينا الهوى", "晴天"]);
    assert_eq!(view.items[0].track.as_ref().unwrap().id, f.id("a.flac"));

    // Export relative to another folder, and absolute; both read back to the same files.
    let out = f.dir.path().join("export/out.m3u8");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    index
        .export_m3u(imported.playlist.id, &out, PathStyle::Relative)
        .unwrap();
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        written,
        "#EXTM3U\n#EXTINF:1,Ann - Alpha\n../music/a.flac\n#EXTINF:1,Cat - Gamma\n../music/c.mp3\n#EXTINF:1,فيروز - نسم علينا الهوى\n../other/نسم علينا.ogg\n#EXTINF:1,周杰伦 - 晴天\n../music/晴天.flac\n"
    );
    let again = index.import_m3u(&out).unwrap();
    assert!(again.unmatched.is_empty());
    assert_eq!(
        titles(&index.playlist(again.playlist.id).unwrap()),
        titles(&view)
    );

    index
        .export_m3u(imported.playlist.id, &out, PathStyle::Absolute)
        .unwrap();
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains(&format!("\n{}\n", f.music().join("a.flac").display())));
    assert!(written.contains(&format!("\n{}\n", outside.display())));
    assert!(!out.with_extension("m3u8.partial").exists());

    // A missing file is exported under the name it had.
    std::fs::remove_file(f.music().join("c.mp3")).unwrap();
    index.sync(&f.roots(), SourceKind::Local).unwrap();
    index
        .export_m3u(imported.playlist.id, &out, PathStyle::Relative)
        .unwrap();
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.contains("\n#EXTINF:-1,Cat - Gamma\n../music/c.mp3\n"),
        "{written}"
    );

    // A file that is not there is an error, not a playlist.
    assert!(matches!(
        index.import_m3u(&lists.join("nope.m3u8")),
        Err(IndexError::File { .. })
    ));
}

#[test]
fn the_schema_before_playlists_is_migrated_keeping_the_tracks() {
    let f = Fixture::new();
    {
        let mut index = Index::open(&f.db()).unwrap();
        index.sync(&f.roots(), SourceKind::Local).unwrap();
    }
    // Make it an index of schema 3, as the last release wrote it (no playlists, nor the
    // columns of schema 5).
    {
        let conn = rusqlite::Connection::open(f.db()).unwrap();
        conn.execute_batch(
            "DROP TABLE playlist_items; DROP TABLE playlists; \
             ALTER TABLE tracks DROP COLUMN year; ALTER TABLE tracks DROP COLUMN genre; \
             ALTER TABLE tracks DROP COLUMN codec; ALTER TABLE tracks DROP COLUMN sample_rate; \
             ALTER TABLE tracks DROP COLUMN bit_depth; ALTER TABLE tracks DROP COLUMN bitrate; \
             ALTER TABLE tracks DROP COLUMN channels; PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let mut index = Index::open(&f.db()).unwrap();
    let report = index.sync(&f.roots(), SourceKind::Local).unwrap();
    // Kept (schema 5 reads every file again, to fill its columns: updated, not added).
    assert_eq!((report.updated, report.added), (3, 0), "{report:?}");
    let p = index.create_playlist("after").unwrap();
    index
        .add_tracks_to_playlist(p.id, &[f.id("a.flac")], None)
        .unwrap();
    assert_eq!(titles(&index.playlist(p.id).unwrap()), ["Alpha"]);
    drop(index);
    let conn = rusqlite::Connection::open(f.db()).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert!(version >= 4);
}

#[test]
fn the_library_thread_serves_playlists() {
    let f = Fixture::new();
    let (library, problem) = LibraryHandle::spawn(Some(f.db()));
    assert!(problem.is_none());
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async {
            library
                .sync(f.roots(), SourceKind::Local, |_| {})
                .await
                .unwrap();
            let p = library
                .with_index(|index| index.create_playlist("thread"))
                .await
                .unwrap();
            let ids = vec![f.id("c.mp3")];
            library
                .with_index(move |index| index.add_tracks_to_playlist(p.id, &ids, None))
                .await
                .unwrap();
            let view = library
                .with_index(move |index| index.playlist(p.id))
                .await
                .unwrap();
            assert_eq!(titles(&view), ["Gamma"]);
            let error = library
                .with_index(|index| index.playlist(-5))
                .await
                .unwrap_err();
            assert_eq!(error.to_string(), "there is no playlist -5");
        });
}

/// Hostile "playlists": a device that never ends, a FIFO nobody writes to, a folder, a file
/// over the cap. Each is refused at once with a clear error; nothing is imported.
#[test]
fn non_files_and_huge_files_are_not_imported() {
    let f = Fixture::new();
    let mut index = Index::open(&f.db()).unwrap();
    let huge = f.dir.path().join("huge.m3u8");
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(lyrebird_library::index::MAX_PLAYLIST_FILE + 1)
        .unwrap();
    #[cfg_attr(not(unix), allow(unused_mut))] // only Unix adds its special files
    let mut hostile = vec![f.dir.path().to_path_buf(), huge];
    #[cfg(unix)]
    {
        hostile.push(PathBuf::from("/dev/zero"));
        let fifo = f.dir.path().join("fifo.m3u8");
        let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        hostile.push(fifo);
    }
    for path in hostile {
        let started = std::time::Instant::now();
        let refused = index.import_m3u(&path).unwrap_err();
        assert!(
            matches!(refused, IndexError::File { .. }),
            "{path:?}: {refused}"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{path:?} hung the import"
        );
    }
    assert!(index.playlists().unwrap().is_empty());
}
