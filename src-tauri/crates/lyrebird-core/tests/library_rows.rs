//! The library reaches the UI by rows (issue #19): the snapshot and the library events carry
//! its size, revision and first rows only; lists ask the actor for the rows they show, a
//! search's answer for the tracks it names, a column sort for that column's values.

#[macro_use]
mod support;

use lyrebird_core::actor::{Action, PlayerConfig};
use lyrebird_core::events::{LibraryView, PlayerEvent};
use lyrebird_core::library_rows::{FIRST_ROWS, MAX_ROWS, RowsRequest, SortColumn};
use lyrebird_core::model::{SourceKind, Track, TrackId};

fn library(count: usize) -> Vec<Track> {
    (0..count)
        .map(|i| {
            let mut t = Track::new(
                TrackId(format!("local:{i}")),
                SourceKind::Local,
                format!("Song {i}"),
            );
            t.duration_ms = Some(1_000 * (count - i) as u64);
            t
        })
        .collect()
}

async fn set(rig: &support::Rig, tracks: Vec<Track>, scanning: bool) {
    rig.player
        .act(Action::SetLibrary(LibraryView { tracks, scanning }))
        .await
        .unwrap();
}

fn ids(tracks: &[Track]) -> Vec<&str> {
    tracks.iter().map(|t| t.id.0.as_str()).collect()
}

#[tokio::test]
async fn the_snapshot_and_events_carry_the_size_and_first_rows_not_every_track() {
    let mut rig = support::Rig::start(PlayerConfig::default());
    set(&rig, library(100_000), false).await;
    let snapshot = rig.player.snapshot().await.unwrap();
    assert_eq!(snapshot.library.count, 100_000);
    assert_eq!(snapshot.library.first.len(), FIRST_ROWS);
    assert_eq!(snapshot.library.first[0].id.0, "local:0");
    let revision = snapshot.library.revision;
    assert!(revision > 0);
    // What a window gets at start stays small whatever the library's size.
    let bytes = serde_json::to_vec(&snapshot).unwrap().len();
    assert!(bytes < 64 * 1024, "a snapshot of {bytes} bytes");

    let events = rig.published();
    let Some(PlayerEvent::Library(info)) =
        events.iter().find(|e| matches!(e, PlayerEvent::Library(_)))
    else {
        panic!("no library event in {events:?}");
    };
    assert_eq!(info.count, 100_000);
    assert_eq!(info.first.len(), FIRST_ROWS);
}

#[tokio::test]
async fn a_new_list_is_a_new_revision_and_the_same_list_is_not() {
    let rig = support::Rig::start(PlayerConfig::default());
    set(&rig, library(10), true).await;
    let first = rig.player.snapshot().await.unwrap().library;
    // The scan ends with the same tracks: the rows the UI holds are still good.
    set(&rig, library(10), false).await;
    let same = rig.player.snapshot().await.unwrap().library;
    assert_eq!(same.revision, first.revision);
    assert!(!same.scanning);
    set(&rig, library(11), false).await;
    let next = rig.player.snapshot().await.unwrap().library;
    assert_eq!(next.revision, first.revision + 1);
    assert_eq!(next.count, 11);
}

#[tokio::test]
async fn rows_come_by_range_by_place_and_by_id_with_the_revision() {
    let rig = support::Rig::start(PlayerConfig::default());
    set(&rig, library(5_000), false).await;
    let revision = rig.player.snapshot().await.unwrap().library.revision;

    let range = rig
        .player
        .library_rows(RowsRequest::Range {
            start: 4_990,
            end: 5_100,
        })
        .await
        .unwrap();
    assert_eq!(range.revision, revision);
    assert_eq!(range.count, 5_000);
    assert_eq!(range.tracks.len(), 10);
    assert_eq!(range.tracks[9].id.0, "local:4999");

    let all = rig
        .player
        .library_rows(RowsRequest::Range {
            start: 0,
            end: u32::MAX,
        })
        .await
        .unwrap();
    assert_eq!(all.tracks.len(), MAX_ROWS);

    let at = rig
        .player
        .library_rows(RowsRequest::At {
            indices: vec![42, 7, 9_999],
        })
        .await
        .unwrap();
    assert_eq!(ids(&at.tracks), ["local:42", "local:7"]);

    let found = rig
        .player
        .library_tracks(vec![
            TrackId("local:3".into()),
            TrackId("netease:1".into()),
            TrackId("local:4000".into()),
        ])
        .await
        .unwrap();
    assert_eq!(found.revision, revision);
    assert_eq!(ids(&found.tracks), ["local:3", "local:4000"]);
}

#[tokio::test]
async fn sort_keys_are_every_rows_value_of_the_column() {
    let rig = support::Rig::start(PlayerConfig::default());
    set(&rig, library(3), false).await;
    let revision = rig.player.snapshot().await.unwrap().library.revision;
    let durations = rig
        .player
        .library_sort_keys(SortColumn::Duration)
        .await
        .unwrap();
    assert_eq!(durations.revision, revision);
    assert_eq!(
        durations.numbers,
        [Some(3_000.0), Some(2_000.0), Some(1_000.0)]
    );
    let titles = rig
        .player
        .library_sort_keys(SortColumn::Title)
        .await
        .unwrap();
    assert_eq!(titles.texts, ["Song 0", "Song 1", "Song 2"]);
}

#[tokio::test]
async fn a_scan_that_changed_nothing_only_ends_the_scanning() {
    let mut rig = support::Rig::start(PlayerConfig::default());
    set(&rig, library(20), true).await;
    let before = rig.player.snapshot().await.unwrap().library;
    rig.published();
    rig.player
        .act(Action::SetLibraryScanning(false))
        .await
        .unwrap();
    let after = rig.player.snapshot().await.unwrap().library;
    assert!(!after.scanning);
    assert_eq!(after.revision, before.revision);
    assert_eq!(after.count, 20);
    let events = rig.published();
    assert!(
        matches!(events.as_slice(), [PlayerEvent::Library(info)] if !info.scanning),
        "{events:?}"
    );
    // Told again: nothing to publish.
    rig.player
        .act(Action::SetLibraryScanning(false))
        .await
        .unwrap();
    assert!(rig.published().is_empty());
}
