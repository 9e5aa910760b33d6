//! The real command layer and capabilities under Tauri's mock runtime: what the webview can
//! invoke, what it gets back, and that windows without the capability are refused.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tauri::test::MockRuntime;
use tauri::{App, WebviewWindow};

mod support;
use support::{DEMO_FILES, demo_dir, invoke, started_app, window};

struct Fixture {
    app: App<MockRuntime>,
    main: WebviewWindow<MockRuntime>,
    intruder: WebviewWindow<MockRuntime>,
    dirs: (tempfile::TempDir, tempfile::TempDir),
}

fn fixture() -> Fixture {
    let music = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    for name in DEMO_FILES {
        std::fs::copy(demo_dir().join(name), music.path().join(name)).unwrap();
    }
    let app = started_app(support::options(
        config.path(),
        Some(vec![music.path().to_owned()]),
    ));
    let main = window(&app, "main");
    let intruder = window(&app, "intruder");
    Fixture {
        app,
        main,
        intruder,
        dirs: (music, config),
    }
}

fn snapshot_when(window: &WebviewWindow<MockRuntime>, ready: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let snapshot = invoke(window, "get_snapshot", json!({})).unwrap();
        if ready(&snapshot) {
            return snapshot;
        }
        assert!(Instant::now() < deadline, "never ready: {snapshot:#}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_main_window_drives_the_player_and_others_are_refused() {
    let f = fixture();
    let snapshot = snapshot_when(&f.main, |s| {
        s["library"]["scanning"] == false && s["library"]["count"] == 2
    });
    // The snapshot carries the library's first rows (all of this one's two).
    let tracks = snapshot["library"]["first"].as_array().unwrap();
    assert_eq!(tracks[0]["title"], "Demo tone A4 (440 Hz)");
    assert_eq!(tracks[0]["hasCover"], true);
    assert!(
        tracks[0].get("path").is_none(),
        "no file paths reach the webview"
    );
    assert_eq!(snapshot["state"]["status"], "stopped");

    let id = tracks[1]["id"].clone();
    invoke(&f.main, "play_library_track", json!({ "id": id })).unwrap();
    let snapshot = invoke(&f.main, "get_snapshot", json!({})).unwrap();
    assert_eq!(snapshot["state"]["current"]["id"], id);
    assert_eq!(snapshot["queue"]["current"], 1);
    assert!(snapshot["state"]["playId"].as_u64().unwrap() >= 1);

    // Lyrics come from the .lrc beside the file, offset applied; none for a track without.
    std::fs::write(
        f.dirs.0.path().join("01-a4.lrc"),
        "[offset:+500]\n[00:01.00]第一行 <b>\n[00:01.00]first line\n[00:03.50]second",
    )
    .unwrap();
    let lyrics = invoke(&f.main, "get_lyrics", json!({ "id": tracks[0]["id"] })).unwrap();
    assert_eq!(lyrics["synced"], true);
    assert_eq!(lyrics["lines"][0]["atMs"], 500);
    assert_eq!(lyrics["lines"][0]["text"], "第一行 <b>");
    assert_eq!(lyrics["lines"][0]["translation"], "first line");
    assert_eq!(lyrics["lines"][1]["atMs"], 3000);
    let none = invoke(&f.main, "get_lyrics", json!({ "id": tracks[1]["id"] })).unwrap();
    assert_eq!(none, Value::Null);

    // The cover's colours (Now Playing and the mini player take them on): the demo A4's
    // picture is mostly purple; a track nobody knows has none.
    let colors = invoke(
        &f.main,
        "cover_colors",
        json!({ "id": tracks[0]["id"], "art": null }),
    )
    .unwrap();
    let rgb = |hex: &Value| -> [u8; 3] {
        let hex = hex.as_str().unwrap();
        assert!(hex.len() == 7 && hex.starts_with('#'), "{hex}");
        [1, 3, 5].map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
    };
    let [r, g, b] = rgb(&colors["main"]);
    assert!(r > g + 30 && b > g + 30, "purple, not {colors}");
    rgb(&colors["accent"]);
    let none = invoke(&f.main, "cover_colors", json!({ "id": "local:nope" })).unwrap();
    assert_eq!(none, Value::Null);

    // Search goes to the library index: the demo's A4 tone by a word of its title, nothing
    // for nonsense.
    let found = invoke(&f.main, "search_library", json!({ "query": "a4" })).unwrap();
    assert_eq!(found, json!([tracks[0]["id"]]));
    let found = invoke(&f.main, "search_library", json!({ "query": "zzqx" })).unwrap();
    assert_eq!(found, json!([]));

    invoke(&f.main, "set_volume", json!({ "volume": 0.5 })).unwrap();
    invoke(&f.main, "set_locale", json!({ "locale": "zh-CN" })).unwrap();
    invoke(&f.main, "set_replay_gain", json!({ "mode": "album" })).unwrap();
    invoke(&f.main, "set_muted", json!({ "muted": true })).unwrap();
    invoke(&f.main, "set_sleep_timer", json!({ "minutes": 30 })).unwrap();
    let snapshot = invoke(&f.main, "get_snapshot", json!({})).unwrap();
    assert_eq!(snapshot["settings"]["locale"], "zh-CN");
    assert_eq!(snapshot["settings"]["replayGain"], "album");
    assert_eq!(snapshot["state"]["muted"], true);
    assert!(snapshot["state"]["sleepTimerEndsAtMs"].as_u64().unwrap() > 1_700_000_000_000);
    invoke(&f.main, "set_sleep_timer", json!({ "minutes": null })).unwrap();
    let snapshot = invoke(&f.main, "get_snapshot", json!({})).unwrap();
    assert_eq!(snapshot["state"]["sleepTimerEndsAtMs"], Value::Null);
    assert_eq!(snapshot["state"]["volume"], 0.5);

    queue_edits(&f.main, tracks, &id);

    // Errors come back as clear messages, and change nothing.
    let err = invoke(&f.main, "play_library_track", json!({ "id": "local:nope" })).unwrap_err();
    assert_eq!(err, json!("no track with id local:nope"));
    let err = invoke(&f.main, "set_locale", json!({ "locale": "klingon" })).unwrap_err();
    assert!(err.as_str().unwrap().contains("unknown variant"), "{err}");

    // Capabilities are per window: a window not named in them can call nothing.
    let denied = invoke(&f.intruder, "get_snapshot", json!({})).unwrap_err();
    assert!(denied.as_str().unwrap().contains("not allowed"), "{denied}");
    let denied = invoke(&f.intruder, "next", json!({})).unwrap_err();
    assert!(denied.as_str().unwrap().contains("not allowed"), "{denied}");
}

/// The windows that show NetEase's own pages (verification, login) are named by no
/// capability: whatever their pages run, no command answers them.
/// Queue edits and play modes, while track `id` plays: what the queue publishes follows them.
fn queue_edits(main: &WebviewWindow<MockRuntime>, tracks: &[Value], id: &Value) {
    let first = tracks[0]["id"].clone();
    invoke(
        main,
        "enqueue",
        json!({ "ids": [first], "position": "next" }),
    )
    .unwrap();
    invoke(main, "set_play_mode", json!({ "mode": "repeatAll" })).unwrap();
    invoke(main, "set_stop_after_current", json!({ "on": true })).unwrap();
    let snapshot = invoke(main, "get_snapshot", json!({})).unwrap();
    let entries = snapshot["queue"]["window"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(snapshot["queue"]["count"], 3);
    queue_rows_are_the_published_entries(main, entries);
    assert_eq!(
        entries[2]["track"]["id"], first,
        "queued after the current entry"
    );
    assert_eq!(snapshot["state"]["mode"], "repeatAll");
    assert_eq!(snapshot["state"]["stopAfterCurrent"], true);
    let entry = entries[2]["entryId"].clone();
    invoke(main, "play_queue_entry", json!({ "entry": entry })).unwrap();
    let snapshot = invoke(main, "get_snapshot", json!({})).unwrap();
    assert_eq!(snapshot["queue"]["current"], 2);
    invoke(
        main,
        "play_queue_entry",
        json!({ "entry": entries[1]["entryId"] }),
    )
    .unwrap();
    invoke(main, "move_in_queue", json!({ "entry": entry, "to": 0 })).unwrap();
    invoke(main, "remove_from_queue", json!({ "entries": [entry] })).unwrap();
    let snapshot = invoke(main, "get_snapshot", json!({})).unwrap();
    assert_eq!(snapshot["queue"]["count"], 2);
    assert_eq!(
        snapshot["state"]["current"]["id"], *id,
        "still playing the same track"
    );
    let err = invoke(main, "play_queue_entry", json!({ "entry": 999 })).unwrap_err();
    assert_eq!(err, json!("queue entry 999 does not exist"));
    invoke(main, "clear_queue", json!({})).unwrap();
    let snapshot = invoke(main, "get_snapshot", json!({})).unwrap();
    assert_eq!(snapshot["queue"]["window"], json!([]));
    assert_eq!(snapshot["queue"]["entryRuns"], json!([]));
}

/// The rows the queue view fetches are the entries the queue published.
fn queue_rows_are_the_published_entries(main: &WebviewWindow<MockRuntime>, entries: &[Value]) {
    let rows = invoke(main, "queue_rows", json!({ "start": 1, "end": 10 })).unwrap();
    assert_eq!(rows["start"], 1);
    assert_eq!(rows["count"], entries.len());
    assert_eq!(rows["entries"].as_array().unwrap()[..], entries[1..]);
}

#[test]
fn the_netease_page_windows_reach_no_command() {
    let f = fixture();
    for label in ["netease-verify", "netease-login"] {
        let window = window(&f.app, label);
        for (cmd, args) in [
            ("get_snapshot", json!({})),
            ("netease_status", json!({})),
            ("netease_login_cookie", json!({ "musicU": "x" })),
            ("netease_verify", json!({ "url": null })),
        ] {
            let denied = invoke(&window, cmd, args).unwrap_err();
            assert!(
                denied.to_string().contains("not allowed"),
                "{label} {cmd}: {denied}"
            );
        }
    }
}
