//! A compromised webview (a `WebKit` bug, a script that got in) can call every command its
//! window's capability allows, with any arguments. This calls every command of the main window
//! with hostile ones — paths outside anything the user chose, `..`, `/dev/zero`, `file:` URLs,
//! a megabyte of text, unknown ids, numbers at and past their type's ends, wrong types, deep
//! nesting — through the real command layer (Tauri's mock runtime, the real actor, library and
//! sources). Asserted: every call answers (a panic or a hang fails the run, naming the call),
//! nothing outside the app's own folders is written, no hostile folder or server is kept, the
//! settings stay sane and small, and the player still answers. Then the mini player and the
//! desktop lyrics windows call every command they were not granted: each is refused.
//!
//! The table must name every command the main window may call (checked against
//! `capabilities/main.json`), so a new command cannot skip this.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tauri::test::MockRuntime;
use tauri::{App, Manager, WebviewWindow};

mod support;
use support::{DEMO_FILES, demo_dir, invoke, started_app, window};

/// How one argument is typed, and a plausible value for it while another one is attacked.
#[derive(Clone, Copy)]
enum Kind {
    Str(&'static str),
    OptStr,
    StrList,
    UInt,
    Int,
    OptUInt,
    OptInt,
    IntList,
    Float,
    Bool,
    /// An enum sent as a string; the value is a valid variant.
    Enum(&'static str),
    /// An id that names no playlist (`export_playlist` would open the OS dialog for a real
    /// one, which a test cannot answer).
    MissingPlaylist,
    /// A structured argument; the value is a valid one, as JSON.
    Object(&'static str),
}

use Kind::{
    Bool, Enum, Float, Int, IntList, MissingPlaylist, Object, OptInt, OptStr, OptUInt, Str,
    StrList, UInt,
};

const SERVER: &str = r#"{"id":"","name":"n","baseUrl":"http://127.0.0.1:9","user":"u","auth":"password","secret":"s","certificatePin":null,"legacyPasswordAuth":false,"enabled":true}"#;
const DESKTOP: &str = r#"{"closeToTray":true,"startInTray":false,"notifyTrackChange":false,"miniAlwaysOnTop":false,"lyricsClickThrough":false,"shortcuts":{"enabled":false,"playPause":"","next":"","previous":"","volumeUp":"","volumeDown":"","showWindow":""}}"#;

/// Every command of the main window and its arguments (camelCase, as the webview sends them).
const COMMANDS: &[(&str, &[(&str, Kind)])] = &[
    // Library. `add_library_folder` without a path opens the OS dialog: only paths are sent.
    ("add_library_folder", &[("path", Str("/"))]),
    ("remove_library_folder", &[("path", Str("/"))]),
    ("play_library_tracks", &[("ids", StrList)]),
    ("cancel_scan", &[]),
    ("get_scan_problems", &[]),
    ("list_albums", &[]),
    ("list_artists", &[]),
    ("list_folders", &[]),
    ("search_library", &[("query", Str("a"))]),
    // The library's rows by range or place, tracks by id, a column's sort keys.
    (
        "library_rows",
        &[("request", Object(r#"{"kind":"range","start":0,"end":10}"#))],
    ),
    ("library_tracks", &[("ids", StrList)]),
    ("library_sort_keys", &[("column", Enum("title"))]),
    ("recently_added", &[]),
    // NetEase (its API is a closed port on this computer, set below).
    ("netease_status", &[]),
    ("netease_qr_start", &[]),
    ("netease_qr_check", &[("key", Str("k"))]),
    ("netease_login_cookie", &[("musicU", Str("x"))]),
    ("netease_logout", &[]),
    ("netease_set_quality", &[("quality", Enum("exhigh"))]),
    (
        "netease_set_metered_quality",
        &[("quality", Enum("standard"))],
    ),
    ("netease_daily", &[]),
    ("netease_fm", &[]),
    ("netease_fm_trash", &[("trackId", Str("netease:1"))]),
    ("netease_playlists", &[]),
    (
        "netease_playlist",
        &[("id", UInt), ("offset", UInt), ("limit", UInt)],
    ),
    ("netease_album", &[("of", Object(r#"{"id":1}"#))]),
    (
        "netease_artist",
        &[("of", Object(r#"{"trackId":"netease:1"}"#))],
    ),
    ("netease_library", &[]),
    (
        "netease_sms_send",
        &[("countryCode", Str("86")), ("phone", Str("1"))],
    ),
    (
        "netease_login",
        &[(
            "login",
            Object(r#"{"kind":"email","email":"a@b.c","password":"x"}"#),
        )],
    ),
    ("netease_recent", &[]),
    ("netease_cloud", &[]),
    ("netease_charts", &[]),
    ("netease_heartbeat", &[("from", OptStr)]),
    ("netease_suggest", &[("query", Str("a"))]),
    ("netease_playlist_create", &[("name", Str("x"))]),
    (
        "netease_playlist_edit",
        &[
            ("playlistId", UInt),
            ("trackIds", StrList),
            ("edit", Enum("add")),
        ],
    ),
    ("netease_search_else", &[("query", Str("a"))]),
    ("netease_artist_albums", &[("id", UInt), ("offset", UInt)]),
    (
        "netease_library_more",
        &[("part", Enum("albums")), ("offset", UInt)],
    ),
    ("netease_copies", &[("trackIds", StrList)]),
    ("netease_liked", &[]),
    ("netease_search", &[("query", Str("a"))]),
    // Only NetEase's own https pages open; null closes the window.
    ("netease_verify", &[("url", OptStr)]),
    // The player.
    ("get_snapshot", &[]),
    ("play_library_track", &[("id", Str("local:nope"))]),
    ("play_queue_index", &[("index", UInt)]),
    ("toggle_pause", &[]),
    ("play", &[]),
    ("pause", &[]),
    ("stop", &[]),
    ("next", &[]),
    ("previous", &[]),
    ("retry_audio_device", &[]),
    ("refresh_output_devices", &[]),
    ("clear_queue", &[]),
    ("queue_rows", &[("start", UInt), ("end", UInt)]),
    ("seek", &[("positionMs", UInt)]),
    ("set_volume", &[("volume", Float)]),
    ("set_muted", &[("muted", Bool)]),
    ("set_sleep_timer", &[("minutes", OptUInt)]),
    ("set_locale", &[("locale", Enum("en"))]),
    ("set_replay_gain", &[("mode", Enum("album"))]),
    ("enqueue", &[("ids", StrList), ("position", Enum("end"))]),
    ("play_queue_entry", &[("entry", UInt)]),
    ("remove_from_queue", &[("entries", IntList)]),
    ("move_in_queue", &[("entry", UInt), ("to", UInt)]),
    ("set_play_mode", &[("mode", Enum("repeatAll"))]),
    ("set_stop_after_current", &[("on", Bool)]),
    ("set_crossfade", &[("ms", UInt)]),
    ("get_lyrics", &[("id", Str("local:nope"))]),
    (
        "cover_colors",
        &[("id", Str("local:nope")), ("art", OptStr)],
    ),
    (
        "set_lyrics_offset",
        &[("id", Str("local:nope")), ("offsetMs", Int)],
    ),
    ("set_liked", &[("id", Str("local:nope")), ("liked", Bool)]),
    ("set_output_device", &[("id", OptStr)]),
    ("set_desktop_settings", &[("desktop", Object(DESKTOP))]),
    (
        "set_lyrics_settings",
        &[(
            "lyrics",
            Object(r#"{"translation":true,"romanization":false}"#),
        )],
    ),
    (
        "remember_view",
        &[(
            "view",
            Object(r#"{"view":"queue","scroll":[["queue",10]]}"#),
        )],
    ),
    // Playlists. `import_playlist` takes no argument (it opens the OS dialog): not called.
    ("list_playlists", &[]),
    (
        "create_playlist",
        &[("name", Str("p")), ("trackIds", StrList)],
    ),
    ("rename_playlist", &[("id", Int), ("name", Str("p"))]),
    ("delete_playlist", &[("id", Int)]),
    (
        "add_to_playlist",
        &[("id", Int), ("trackIds", StrList), ("position", OptUInt)],
    ),
    ("remove_from_playlist", &[("id", Int), ("items", IntList)]),
    (
        "move_in_playlist",
        &[("id", Int), ("item", Int), ("to", UInt)],
    ),
    ("get_playlist", &[("id", Int)]),
    ("play_playlist", &[("id", Int), ("item", OptInt)]),
    (
        "enqueue_playlist_items",
        &[("id", Int), ("items", IntList), ("position", Enum("end"))],
    ),
    (
        "export_playlist",
        &[("id", MissingPlaylist), ("relative", Bool)],
    ),
    // Servers.
    ("save_server", &[("server", Object(SERVER))]),
    ("remove_server", &[("id", Str("nope"))]),
    ("test_server", &[("server", Object(SERVER))]),
    ("set_source_order", &[("order", StrList)]),
    (
        "browse_server",
        &[
            ("server", Str("nope")),
            ("request", Object(r#"{"kind":"albums"}"#)),
        ],
    ),
    ("play_tracks", &[("ids", StrList)]),
    (
        "enqueue_tracks",
        &[("ids", StrList), ("position", Enum("next"))],
    ),
    (
        "use_candidate",
        &[("track", Str("local:nope")), ("candidate", Str("nope"))],
    ),
    // Windows.
    ("open_mini_player", &[]),
    ("set_desktop_lyrics", &[("on", Bool)]),
];

/// Commands of the main window deliberately not called, and why.
const NOT_CALLED: &[(&str, &str)] = &[
    (
        "import_playlist",
        "takes no argument: it opens the OS dialog, which nothing here can answer",
    ),
    (
        "netease_login_window",
        "takes no argument: it waits (up to 15 minutes) for a login on NetEase's page, in a \
         window of its own that nothing here can fill in (tests/e2e/netease.test.mjs does)",
    ),
];

/// Strings a hostile webview would try: other files, devices, URLs, markup, control
/// characters, and a megabyte.
fn hostile_strings(canary: &Path) -> Vec<Value> {
    let victim = canary.join("victim.txt").display().to_string();
    vec![
        json!(""),
        json!("/"),
        json!("/etc"),
        json!("/etc/passwd"),
        json!("../../../../../../etc/passwd"),
        json!("/dev/zero"),
        json!("/proc/self/environ"),
        json!(victim),
        json!(format!("{}/../canary/victim.txt", canary.display())),
        json!(format!("file://{victim}")),
        json!("file:///etc/passwd"),
        json!("http://169.254.169.254/latest/meta-data/"),
        json!("local:/etc/passwd"),
        json!("local:../../../etc/passwd"),
        json!("subsonic:nope:1"),
        json!("netease:-1"),
        json!("<img src=x onerror=alert(1)>"),
        json!("\u{0}\u{1b}[2J\u{202e}"),
        json!("x".repeat(1 << 20)),
    ]
}

fn hostile_numbers() -> Vec<Value> {
    vec![
        json!(-1),
        json!(i64::MIN),
        json!(i64::MAX),
        json!(u64::MAX),
        json!(1e308),
        json!(-1e308),
        json!(0.5),
        json!("1"),
        json!(null),
    ]
}

fn wrong_types() -> Vec<Value> {
    let mut deep = json!(0);
    for _ in 0..200 {
        deep = json!([deep]);
    }
    vec![
        json!(null),
        json!(true),
        json!(1),
        json!("x"),
        json!([]),
        json!({}),
        deep,
    ]
}

fn plausible(kind: Kind) -> Value {
    match kind {
        Str(value) | Enum(value) => json!(value),
        OptStr | OptUInt | OptInt => Value::Null,
        StrList | IntList => json!([]),
        UInt | Float => json!(0),
        Int | MissingPlaylist => json!(-1),
        Bool => json!(false),
        Object(value) => serde_json::from_str(value).unwrap(),
    }
}

fn hostile(kind: Kind, canary: &Path) -> Vec<Value> {
    let strings = hostile_strings(canary);
    let mut values = match kind {
        Str(_) | OptStr | Enum(_) => strings,
        StrList => vec![
            Value::Array(strings),
            Value::Array(vec![json!("local:nope"); 100_000]),
        ],
        UInt | Int | OptUInt | OptInt | Float => hostile_numbers(),
        IntList => vec![
            json!([-1, i64::MAX, 0]),
            Value::Array(vec![json!(7); 100_000]),
        ],
        Bool => vec![json!("true"), json!(1)],
        MissingPlaylist => vec![json!(0), json!(i64::MAX), json!(i64::MIN)],
        Object(valid) => objects(valid, &strings),
    };
    if !matches!(kind, MissingPlaylist) {
        values.extend(wrong_types());
    }
    values
}

/// The valid object with each string field replaced by each hostile string in turn, and with
/// a list of 100 000 entries where it has a list; plus empty and foreign objects.
fn objects(valid: &str, strings: &[Value]) -> Vec<Value> {
    let valid: Value = serde_json::from_str(valid).unwrap();
    let mut out = vec![json!({}), json!({"__proto__": {"admin": true}})];
    let Value::Object(fields) = &valid else {
        unreachable!()
    };
    for (name, value) in fields {
        let mut variants: Vec<Value> = match value {
            Value::String(_) => strings.to_vec(),
            Value::Array(items) => vec![Value::Array(vec![
                items
                    .first()
                    .cloned()
                    .unwrap_or(json!("x"));
                100_000
            ])],
            Value::Object(_) => vec![json!({"x": "x".repeat(1 << 20)})],
            _ => Vec::new(),
        };
        if name == "scroll" {
            variants.push(Value::Array(vec![json!(["x".repeat(1000), 1e308]); 10_000]));
        }
        for variant in variants {
            let mut object = valid.clone();
            object[name] = variant;
            out.push(object);
        }
    }
    out
}

/// A call that does not answer within this long fails the run (`get_ipc_response` would wait
/// forever for a command that panicked or hangs).
const ANSWER_WITHIN: Duration = Duration::from_secs(30);

/// Exits the test process, naming the call, if the current call outlasts [`ANSWER_WITHIN`].
struct Watchdog {
    current: Arc<Mutex<(String, Instant)>>,
    done: Arc<AtomicBool>,
}

impl Watchdog {
    fn start() -> Self {
        let current = Arc::new(Mutex::new((String::new(), Instant::now())));
        let done = Arc::new(AtomicBool::new(false));
        let (watched, finished) = (Arc::clone(&current), Arc::clone(&done));
        std::thread::spawn(move || {
            while !finished.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(200));
                let (call, since) = watched.lock().unwrap().clone();
                if !call.is_empty() && since.elapsed() > ANSWER_WITHIN {
                    eprintln!("no answer in {ANSWER_WITHIN:?} to {call}");
                    std::process::exit(1);
                }
            }
        });
        Self { current, done }
    }

    fn call(&self, description: String) {
        *self.current.lock().unwrap() = (description, Instant::now());
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 120 {
        format!(
            "{}… ({} bytes)",
            &text[..text.floor_char_boundary(120)],
            text.len()
        )
    } else {
        text
    }
}

/// Every file under `dir` with its contents.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            let contents = std::fs::read(&path).unwrap();
            out.push((path, contents));
        }
    }
    out.sort();
    out
}

fn permissions(capability: &str) -> BTreeSet<String> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("capabilities/{capability}.json"));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|name| name.replace('-', "_"))
        .collect()
}

struct Fixture {
    app: App<MockRuntime>,
    main: WebviewWindow<MockRuntime>,
    music: tempfile::TempDir,
    config: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let music = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    for name in DEMO_FILES {
        std::fs::copy(demo_dir().join(name), music.path().join(name)).unwrap();
    }
    // No library folders given: they come from the settings, which the attack tries to change.
    let app = started_app(support::options(config.path(), None));
    let main = window(&app, "main");
    Fixture {
        app,
        main,
        music,
        config,
    }
}

/// Set in the child process the test runs the attack in (see the test).
const CHILD: &str = "LYREBIRD_HOSTILE_IPC_CHILD";

/// Runs in a child process of its own, so that NetEase's API can be pointed at a closed port on
/// this computer (`LYREBIRD_NETEASE_API`, read at start) without changing this process's
/// environment: nothing leaves this computer.
#[test]
fn a_compromised_webview_gets_refusals_not_files_or_crashes() {
    if std::env::var_os(CHILD).is_none() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let api = format!("http://{}", closed.local_addr().unwrap());
        drop(closed);
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "a_compromised_webview_gets_refusals_not_files_or_crashes",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .env("LYREBIRD_NETEASE_API", api)
            .status()
            .unwrap();
        assert!(status.success(), "the attack failed: {status}");
        return;
    }
    let f = fixture();
    every_command_gets_hostile_arguments(&f);
    the_small_windows_are_refused_every_other_command(&f);
}

fn every_command_gets_hostile_arguments(f: &Fixture) {
    let granted = permissions("main");
    let listed: BTreeSet<String> = COMMANDS
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .chain(NOT_CALLED.iter().map(|(name, _)| (*name).to_owned()))
        .collect();
    assert_eq!(
        granted, listed,
        "every command of the main window must be attacked here (or say why not)"
    );
    let canary = tempfile::tempdir().unwrap();
    let canary = canary.path().join("canary");
    std::fs::create_dir(&canary).unwrap();
    std::fs::write(canary.join("victim.txt"), "keep me").unwrap();
    let canary_before = files(&canary);

    // The user's own folder, added as the user would (a typed path in Settings).
    invoke(
        &f.main,
        "add_library_folder",
        json!({ "path": f.music.path() }),
    )
    .unwrap();
    let snapshot = invoke(&f.main, "get_snapshot", json!({})).unwrap();
    let folders_before = snapshot["settings"]["libraryFolders"].clone();
    assert!(
        folders_before
            .as_array()
            .unwrap()
            .contains(&json!(f.music.path())),
        "{folders_before}"
    );

    let watchdog = Watchdog::start();
    attack(&f.main, &canary, &watchdog);

    // Still answering, and nothing of the attack kept.
    let snapshot = invoke(&f.main, "get_snapshot", json!({})).unwrap();
    let volume = snapshot["state"]["volume"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&volume), "volume {volume}");
    let crossfade = snapshot["settings"]["crossfadeMs"].as_u64().unwrap();
    assert!(crossfade <= 12_000, "crossfade {crossfade} ms");
    assert_eq!(
        snapshot["settings"]["libraryFolders"], folders_before,
        "the library folders are the user's"
    );
    for server in snapshot["settings"]["sources"]["servers"]
        .as_array()
        .unwrap()
    {
        let url = server["baseUrl"].as_str().unwrap();
        assert!(
            url.starts_with("http://") || url.starts_with("https://"),
            "kept {url}"
        );
    }
    assert_eq!(
        files(&canary),
        canary_before,
        "files outside the app's folders changed"
    );

    // What the app keeps stays small: no megabyte names or 100 000-entry lists in its files.
    drop(watchdog);
    let kept: Vec<(String, usize)> = files(f.config.path())
        .into_iter()
        .filter(|(path, _)| {
            !path.starts_with(f.config.path().join("cache"))
                && path.extension().is_some_and(|e| e == "json")
        })
        .map(|(path, contents)| {
            let start = String::from_utf8_lossy(&contents[..contents.len().min(300)]).into_owned();
            (format!("{}: {start}", path.display()), contents.len())
        })
        .collect();
    let total: usize = kept.iter().map(|(_, len)| len).sum();
    assert!(
        total < 64 << 10,
        "the settings files hold {total} bytes: {kept:?}"
    );
}

/// Calls every command with each hostile value in each argument in turn (the others
/// plausible), and with no arguments at all.
fn attack(main: &WebviewWindow<MockRuntime>, canary: &Path, watchdog: &Watchdog) {
    let mut calls = 0usize;
    let mut slowest = (Duration::ZERO, String::new());
    for (cmd, args) in COMMANDS {
        let mut cases = vec![json!({})];
        for (attacked, kind) in *args {
            for value in hostile(*kind, canary) {
                let mut case = serde_json::Map::new();
                for (name, other) in *args {
                    let value = if name == attacked {
                        value.clone()
                    } else {
                        plausible(*other)
                    };
                    case.insert((*name).to_owned(), value);
                }
                cases.push(Value::Object(case));
            }
        }
        for case in cases {
            let description = format!("{cmd}({})", short(&case));
            watchdog.call(description.clone());
            let started = Instant::now();
            let _answer = invoke(main, cmd, case);
            let took = started.elapsed();
            if took > slowest.0 {
                slowest = (took, description);
            }
            calls += 1;
        }
    }
    watchdog.call(String::new());
    eprintln!(
        "{calls} hostile calls; the slowest took {:?}: {}",
        slowest.0, slowest.1
    );
}

/// The mini player and the desktop lyrics may call a few commands; every other command of the
/// main window is refused to them.
fn the_small_windows_are_refused_every_other_command(f: &Fixture) {
    let main = permissions("main");
    for (label, capability) in [("mini", "mini"), ("lyrics", "lyrics")] {
        // `open_mini_player` above may have made the mini player already.
        let window = f
            .app
            .get_webview_window(label)
            .unwrap_or_else(|| window(&f.app, label));
        let granted = permissions(capability);
        assert!(invoke(&window, "get_snapshot", json!({})).is_ok());
        let mut refused = 0;
        for cmd in main.difference(&granted) {
            let denied = invoke(&window, cmd, json!({})).unwrap_err();
            assert!(
                denied.as_str().unwrap_or_default().contains("not allowed"),
                "{label} called {cmd}: {denied}"
            );
            refused += 1;
        }
        assert!(refused > 50, "{label}: only {refused} commands refused");
    }
}
