//! Soak: the real backend (actor, audio thread, library, sources) behind the real command
//! layer, driven through 1 000 track changes and 10 000 random UI commands, as a long evening
//! of clicking would. Asserted: the backend's resident memory grows by less than 10 MB after
//! warming up, and no tasks, threads or file descriptors are left behind.
//!
//! One test in its own binary: the figures are the whole process's.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tauri::WebviewWindow;
use tauri::test::MockRuntime;

mod support;
use support::{DEMO_FILES, demo_dir, invoke, started_app, status_field, window};

/// Copies of the demo files in the library: enough for a queue that changes.
const COPIES: usize = 20;
const TRACK_CHANGES: usize = 1_000;
const COMMANDS: usize = 10_000;
const QUERIES: [&str; 5] = ["a4", "tone", "c#", "zz", "demo"];
const MODES: [&str; 4] = ["inOrder", "repeatAll", "repeatOne", "shuffle"];
/// Allowed growth of resident memory from the end of the warm-up to the end.
const MAX_GROWTH_KIB: u64 = 10 * 1024;

/// What the process holds: resident memory, threads, open file descriptors, and the async
/// runtime's live tasks.
#[derive(Debug, Clone, Copy)]
struct Footprint {
    rss_kib: u64,
    threads: u64,
    fds: usize,
    tasks: usize,
}

fn footprint() -> Footprint {
    Footprint {
        rss_kib: status_field("VmRSS:"),
        threads: status_field("Threads:"),
        fds: std::fs::read_dir("/proc/self/fd").unwrap().count(),
        tasks: tauri::async_runtime::handle()
            .inner()
            .metrics()
            .num_alive_tasks(),
    }
}

fn snapshot(main: &WebviewWindow<MockRuntime>) -> Value {
    invoke(main, "get_snapshot", json!({})).unwrap()
}

/// One random command a user could send, with plausible arguments drawn from what is on
/// screen (the library's ids, the queue's entries, the playlists).
fn random_command(
    rng: &mut fastrand::Rng,
    library: &[Value],
    snapshot: &Value,
    playlists: &[i64],
) -> (&'static str, Value) {
    let pick = rng.usize(..library.len());
    let track = || library[pick].clone();
    // The published window (all of a short queue; enough of a long one to pick from).
    let entries = snapshot["queue"]["window"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let entry = entries
        .get(rng.usize(..entries.len().max(1)))
        .map_or(json!(0), |e| e["entryId"].clone());
    let playlist = playlists
        .get(rng.usize(..playlists.len().max(1)))
        .copied()
        .unwrap_or(1);
    match rng.u8(..22) {
        0 => ("get_snapshot", json!({})),
        1 => ("seek", json!({ "positionMs": rng.u64(0..3_000) })),
        2 => ("set_volume", json!({ "volume": rng.f32() })),
        3 => ("toggle_pause", json!({})),
        4 => (
            "enqueue",
            json!({ "ids": [track()], "position": if rng.bool() { "next" } else { "end" } }),
        ),
        5 => ("remove_from_queue", json!({ "entries": [entry] })),
        6 => (
            "move_in_queue",
            json!({ "entry": entry, "to": rng.u32(0..20) }),
        ),
        7 => (
            "search_library",
            json!({ "query": QUERIES[rng.usize(..QUERIES.len())] }),
        ),
        8 => ("get_lyrics", json!({ "id": track() })),
        9 => ("list_albums", json!({})),
        10 => ("list_folders", json!({})),
        11 => (
            "set_play_mode",
            json!({ "mode": MODES[rng.usize(..MODES.len())] }),
        ),
        12 => (
            "play_queue_index",
            json!({ "index": rng.usize(..entries.len().max(1)) }),
        ),
        13 => ("list_playlists", json!({})),
        14 => (
            "add_to_playlist",
            json!({ "id": playlist, "trackIds": [track()], "position": null }),
        ),
        15 => ("get_playlist", json!({ "id": playlist })),
        16 => (
            "remember_view",
            json!({ "view": "queue", "scroll": [["queue", rng.f64() * 500.0]] }),
        ),
        17 => ("set_crossfade", json!({ "ms": rng.u32(0..3_000) })),
        18 => (
            "set_lyrics_offset",
            json!({ "id": track(), "offsetMs": rng.i64(-2_000..2_000) }),
        ),
        19 => ("recently_added", json!({})),
        20 => ("set_muted", json!({ "muted": rng.bool() })),
        _ => ("previous", json!({})),
    }
}

#[test]
fn a_long_evening_of_clicks_leaks_nothing() {
    let music = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    for copy in 0..COPIES {
        for name in DEMO_FILES {
            std::fs::copy(
                demo_dir().join(name),
                music.path().join(format!("{copy:02}-{name}")),
            )
            .unwrap();
        }
    }
    let library_dirs: Option<Vec<PathBuf>> = Some(vec![music.path().to_owned()]);
    let app = started_app(support::options(config.path(), library_dirs));
    let main = window(&app, "main");

    let deadline = Instant::now() + Duration::from_mins(1);
    let library = loop {
        let snapshot = snapshot(&main);
        // The snapshot holds the library's size and first rows; the rows come by range.
        let rows = invoke(
            &main,
            "library_rows",
            json!({ "request": { "kind": "range", "start": 0, "end": 2000 } }),
        )
        .unwrap();
        let tracks = rows["tracks"].as_array().cloned().unwrap_or_default();
        if snapshot["library"]["scanning"] == false && tracks.len() == COPIES * DEMO_FILES.len() {
            break tracks.iter().map(|t| t["id"].clone()).collect::<Vec<_>>();
        }
        assert!(
            Instant::now() < deadline,
            "the library never finished scanning"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    invoke(&main, "play_library_tracks", json!({ "ids": library })).unwrap();
    let playlists: Vec<i64> = (0..3)
        .map(|i| {
            invoke(
                &main,
                "create_playlist",
                json!({ "name": format!("soak {i}"), "trackIds": [library[i]] }),
            )
            .unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();

    let mut rng = fastrand::Rng::with_seed(7);
    let first_play = snapshot(&main)["state"]["playId"].as_u64().unwrap();
    let mut warm = None;
    let mut slowest = Duration::ZERO;
    let mut current = snapshot(&main);
    for step in 0..COMMANDS {
        // Every tenth command is a track change: 1 000 of them.
        let (cmd, args) = if step % (COMMANDS / TRACK_CHANGES) == 0 {
            ("next", json!({}))
        } else {
            random_command(&mut rng, &library, &current, &playlists)
        };
        let started = Instant::now();
        let _ = invoke(&main, cmd, args);
        slowest = slowest.max(started.elapsed());
        if step % 50 == 0 {
            current = snapshot(&main);
        }
        if step == COMMANDS / 10 {
            std::thread::sleep(Duration::from_millis(500));
            warm = Some(footprint());
        }
    }
    let _ = invoke(&main, "stop", json!({}));
    std::thread::sleep(Duration::from_secs(2));
    let warm = warm.unwrap();
    let end = footprint();
    let plays = snapshot(&main)["state"]["playId"].as_u64().unwrap() - first_play;
    eprintln!(
        "after warm-up: {warm:?}; at the end: {end:?}; {plays} loads; slowest command {slowest:?}"
    );

    assert!(plays >= TRACK_CHANGES as u64, "only {plays} loads");
    assert!(
        end.rss_kib < warm.rss_kib + MAX_GROWTH_KIB,
        "resident memory grew by {} KiB",
        end.rss_kib.saturating_sub(warm.rss_kib)
    );
    assert!(
        end.threads <= warm.threads + 2,
        "threads: {warm:?} -> {end:?}"
    );
    assert!(
        end.fds <= warm.fds + 4,
        "file descriptors: {warm:?} -> {end:?}"
    );
    assert!(
        end.tasks <= warm.tasks + 4,
        "async tasks: {warm:?} -> {end:?}"
    );
}
