//! The session survives a restart in two files: `session.json` (cursor, position, mode: small,
//! saved at every track change) and `queue.json` (the tracks: saved only when the queue
//! changed). With one file, a 100 000-track queue was serialized again on the actor at every
//! track change, and the actor stopped for over a second each time (issue #19).

#[macro_use]
mod support;

use std::path::{Path, PathBuf};

use lyrebird_core::actor::{Action, PlayerConfig};
use lyrebird_core::events::PlaybackStatus;
use lyrebird_core::model::{Track, TrackId};
use lyrebird_core::queue::QueuePosition;
use lyrebird_core::session::{SavedQueue, SavedTrack, Session};

fn library(dir: &Path, count: usize) -> Vec<Track> {
    let file = dir.join("tone.flac");
    std::fs::write(&file, b"not decoded here").unwrap();
    support::local_tracks(count, Some(&file))
}

fn start(session: &Path) -> support::Rig {
    support::Rig::start(PlayerConfig {
        session_path: Some(session.to_path_buf()),
        ..PlayerConfig::default()
    })
}

fn read<T: serde::de::DeserializeOwned>(path: &Path) -> T {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

struct Files {
    _dir: tempfile::TempDir,
    session: PathBuf,
    queue: PathBuf,
    tracks: Vec<Track>,
}

fn files(count: usize) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let tracks = library(dir.path(), count);
    Files {
        session: dir.path().join("session.json"),
        queue: dir.path().join("queue.json"),
        tracks,
        _dir: dir,
    }
}

#[tokio::test]
async fn the_queue_file_is_written_only_when_the_queue_changes() {
    let f = files(1_000);
    let rig = start(&f.session);
    rig.play_in_library(f.tracks.clone(), "local:10").await;
    rig.player.shutdown().await.unwrap();
    let queue: SavedQueue = read(&f.queue);
    assert_eq!(queue.tracks.len(), 1_000);
    let session: Session = read(&f.session);
    assert_eq!(session.queue_token, Some(queue.token));
    assert!(
        session.queue.is_empty(),
        "the tracks are not in the session file"
    );
    assert_eq!(session.current, Some(10));
    let session_bytes = std::fs::read(&f.session).unwrap().len();
    assert!(session_bytes < 512, "session.json is {session_bytes} bytes");

    // Restored, then a track change: the cursor is saved, the queue file is left alone.
    let written = std::fs::metadata(&f.queue).unwrap().modified().unwrap();
    let rig = start(&f.session);
    let snapshot = rig.wait(10).await;
    assert_eq!(snapshot.queue.count, 1_000);
    assert_eq!(snapshot.queue.current, Some(10));
    rig.player.act(Action::Next).await.unwrap();
    rig.player.shutdown().await.unwrap();
    assert_eq!(read::<Session>(&f.session).current, Some(11));
    assert_eq!(read::<SavedQueue>(&f.queue).token, queue.token);
    assert_eq!(
        std::fs::metadata(&f.queue).unwrap().modified().unwrap(),
        written,
        "queue.json was not written again"
    );

    // The queue changed: written again, with a new token the session names.
    let rig = start(&f.session);
    rig.player
        .act(Action::Enqueue {
            ids: vec![TrackId("local:3".into())],
            position: QueuePosition::End,
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    rig.player.shutdown().await.unwrap();
    let changed: SavedQueue = read(&f.queue);
    assert_ne!(changed.token, queue.token);
    assert_eq!(changed.tracks.len(), 1_001);
    assert_eq!(read::<Session>(&f.session).queue_token, Some(changed.token));
}

#[tokio::test]
async fn a_queue_file_of_another_session_restores_uncued_and_an_old_inline_session_still_loads() {
    let f = files(3);
    let saved: Vec<SavedTrack> = f.tracks.iter().filter_map(SavedTrack::new).collect();
    // The app stopped after writing the queue, before the session that goes with it.
    std::fs::write(
        &f.queue,
        serde_json::to_vec(&SavedQueue {
            token: 7,
            tracks: saved.clone(),
        })
        .unwrap(),
    )
    .unwrap();
    let older = Session {
        queue_token: Some(6),
        current: Some(2),
        position_ms: 30_000,
        ..Session::default()
    };
    std::fs::write(&f.session, serde_json::to_vec(&older).unwrap()).unwrap();
    let mut rig = start(&f.session);
    let snapshot = rig.wait(10).await;
    assert_eq!(snapshot.queue.count, 3, "the queue is kept");
    assert_eq!(snapshot.state.position_ms, 0, "the cursor is not trusted");
    assert_eq!(snapshot.state.status, PlaybackStatus::Stopped);
    assert!(rig.loads().is_empty(), "nothing cued");
    rig.player.shutdown().await.unwrap();

    // A session saved by an older version, its queue inline: restored, cued, and moved to
    // queue.json at the next save.
    std::fs::remove_file(&f.queue).unwrap();
    let inline = Session {
        queue: saved,
        current: Some(1),
        position_ms: 5_000,
        ..Session::default()
    };
    std::fs::write(&f.session, serde_json::to_vec(&inline).unwrap()).unwrap();
    let mut rig = start(&f.session);
    let snapshot = rig.wait(10).await;
    assert_eq!(snapshot.queue.count, 3);
    assert_eq!(snapshot.queue.current, Some(1));
    assert_eq!(snapshot.state.position_ms, 5_000);
    assert_eq!(rig.loads().len(), 1, "cued where it was");
    rig.player.shutdown().await.unwrap();
    let moved: SavedQueue = read(&f.queue);
    assert_eq!(moved.tracks.len(), 3);
    let session: Session = read(&f.session);
    assert!(session.queue.is_empty());
    assert_eq!(session.queue_token, Some(moved.token));
}
