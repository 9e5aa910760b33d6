//! The queue reaches the UI by rows (issue #19): playing a row of a 100 000-track library makes
//! the whole library the queue, and each queue event used to carry all of it (19 MB; the web
//! view grew past 18 GB). Now an event carries every entry's id as runs and the tracks of a
//! window around the current entry; the queue view fetches the rest (`queue_rows`).

#[macro_use]
mod support;

use lyrebird_core::actor::MAX_FAILURE_NOTICES;
use lyrebird_core::actor::{Action, PlayerConfig};
use lyrebird_core::events::{LibraryView, Notice, PlaybackStatus, PlayerEvent, QueueView};
use lyrebird_core::model::{Track, TrackId};
use lyrebird_core::queue::{EntryId, MAX_ROWS, PlayMode, WINDOW};

/// `count` tracks that load (the audio side is the rig's: nothing is decoded).
fn library(count: usize) -> Vec<Track> {
    static FILE: std::sync::OnceLock<tempfile::NamedTempFile> = std::sync::OnceLock::new();
    let file = FILE.get_or_init(|| tempfile::NamedTempFile::new().unwrap());
    support::local_tracks(count, Some(file.path()))
}

fn queue_events(events: &[PlayerEvent]) -> Vec<&QueueView> {
    events
        .iter()
        .filter_map(|e| match e {
            PlayerEvent::Queue(queue) => Some(queue),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn playing_from_a_huge_library_publishes_ids_and_a_window_not_every_track() {
    let mut rig = support::Rig::start(PlayerConfig::default());
    rig.player
        .act(Action::SetLibrary(LibraryView {
            tracks: library(100_000),
            scanning: false,
        }))
        .await
        .unwrap();
    rig.published();
    rig.player
        .act(Action::PlayLibraryTrack(TrackId("local:70000".into())))
        .await
        .unwrap();
    let snapshot = rig.player.snapshot().await.unwrap();
    let queue = &snapshot.queue;
    assert_eq!(queue.count, 100_000, "the library is the queue");
    assert_eq!(queue.current, Some(70_000));
    assert_eq!(snapshot.state.queue_length, 100_000);
    assert_eq!(queue.entry_ids().count(), 100_000);
    let current = queue
        .window_entry(70_000)
        .expect("the current entry is in the window");
    assert_eq!(current.track.id.0, "local:70000");
    assert!(
        queue.window_entry(70_000 + 63).is_some(),
        "at least a page of what comes next"
    );
    assert!(queue.window.len() <= WINDOW);
    for bytes in [
        serde_json::to_vec(&snapshot).unwrap().len(),
        serde_json::to_vec(queue).unwrap().len(),
    ] {
        assert!(bytes < 64 * 1024, "{bytes} bytes");
    }
    let events = rig.published();
    let published = queue_events(&events);
    assert!(!published.is_empty(), "a queue event");
    for queue in published {
        let bytes = serde_json::to_vec(queue).unwrap().len();
        assert!(bytes < 64 * 1024, "a queue event of {bytes} bytes");
    }

    // Moving on a track moves the window with it.
    rig.player
        .act(Action::PlayQueueIndex(99_990))
        .await
        .unwrap();
    let queue = rig.player.snapshot().await.unwrap().queue;
    assert_eq!(
        queue.window_entry(99_999).unwrap().track.id.0,
        "local:99999"
    );
    assert!(queue.window_entry(70_000).is_none());
}

#[tokio::test]
async fn rows_are_fetched_by_range_and_follow_edits() {
    let rig = support::Rig::start(PlayerConfig::default());
    rig.play_in_library(library(5_000), "local:0").await;
    let rows = rig.player.queue_rows(4_000, 4_064).await.unwrap();
    assert_eq!(
        (rows.start, rows.count, rows.entries.len()),
        (4_000, 5_000, 64)
    );
    assert_eq!(rows.entries[0].track.id.0, "local:4000");
    assert_eq!(rows.entries[0].entry_id, EntryId(4_001));
    let capped = rig.player.queue_rows(0, u32::MAX).await.unwrap();
    assert_eq!(capped.entries.len(), MAX_ROWS);
    assert!(
        rig.player
            .queue_rows(9_000, 9_100)
            .await
            .unwrap()
            .entries
            .is_empty()
    );

    // An edit far from the window: the ids say it at once, the rows when asked.
    rig.player
        .act(Action::MoveInQueue {
            entry: EntryId(4_001),
            to: 1,
        })
        .await
        .unwrap();
    rig.player
        .act(Action::RemoveFromQueue(vec![EntryId(4_500), EntryId(10)]))
        .await
        .unwrap();
    let queue = rig.player.snapshot().await.unwrap().queue;
    assert_eq!(queue.count, 4_998);
    let ids: Vec<EntryId> = queue.entry_ids().collect();
    assert_eq!(ids[..3], [EntryId(1), EntryId(4_001), EntryId(2)]);
    assert!(!ids.contains(&EntryId(4_500)) && !ids.contains(&EntryId(10)));
    assert!(queue.entry_runs.len() <= 6, "{:?}", queue.entry_runs);
    let rows = rig.player.queue_rows(1, 2).await.unwrap();
    assert_eq!(rows.entries[0].track.id.0, "local:4000");
}

/// A library on a disk that was unplugged: every track fails at once, inside its own load.
/// Skipping from there recursed once per track and overflowed the actor's stack at about
/// 30 000 tracks; now the player skips in a loop, stops with "every track failed", and tells
/// of a few tracks rather than publishing 100 000 notices.
#[tokio::test]
async fn a_huge_queue_of_missing_files_fails_through_without_overflowing_the_stack() {
    let mut rig = support::Rig::start(PlayerConfig::default());
    rig.player
        .act(Action::SetLibrary(LibraryView {
            tracks: support::local_tracks(100_000, None),
            scanning: false,
        }))
        .await
        .unwrap();
    // Repeat all: it goes round to the start, and stops only once every track has failed.
    rig.player
        .act(Action::SetPlayMode(PlayMode::RepeatAll))
        .await
        .unwrap();
    rig.published();
    rig.player
        .act(Action::PlayLibraryTrack(TrackId("local:5".into())))
        .await
        .unwrap();
    let snapshot = rig.player.snapshot().await.unwrap();
    assert_eq!(snapshot.state.status, PlaybackStatus::Stopped);
    assert_eq!(snapshot.queue.count, 100_000, "the queue is kept");
    let events = rig.published();
    let notices: Vec<&Notice> = events
        .iter()
        .filter_map(|e| match e {
            PlayerEvent::Notice(notice) => Some(notice),
            _ => None,
        })
        .collect();
    assert!(
        notices.iter().any(|n| matches!(n, Notice::AllTracksFailed)),
        "{notices:?}"
    );
    let cannot_play = notices
        .iter()
        .filter(|n| matches!(n, Notice::CannotPlay { .. }))
        .count();
    assert!(
        (1..=MAX_FAILURE_NOTICES).contains(&cannot_play),
        "{cannot_play} cannot-play notices"
    );
    // Still answering, and a track that is there plays.
    rig.play_in_library(library(3), "local:1").await;
    assert_eq!(rig.loads().len(), 1, "the file that is there is loaded");
}
