//! `kill -9` while the library index is written: a child process (this test binary
//! re-executed with `LYREBIRD_INDEX_CRASH_CHILD` naming its folder) starts the library thread
//! on `library.sqlite` as the app does, then in rounds, as fast as it can, changes the music
//! folder, rescans it and edits playlists (a line added to a "log" playlist, a playlist
//! created, the previous one renamed), saying on stdout which round the library thread
//! confirmed. The parent kills it with SIGKILL at a random moment — in the first scan (which
//! drops and rebuilds the read indexes), in a rescan, in a playlist edit — again and again,
//! and after each kill, before repairing anything, checks that the index opens as it is (not
//! moved aside as corrupt), passes `PRAGMA integrity_check` and both full-text indexes' own
//! check, holds every confirmed round's edits and no other round's but those in flight at a
//! kill (a round's edits are three, each its own transaction, as the app's commands are), and that
//! once closed it leaves nothing beside `library.sqlite` (no WAL, journal or corrupt copy).
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lyrebird_core::model::SourceKind;
use lyrebird_library::index::Index;
use lyrebird_library::service::LibraryHandle;

const CHILD: &str = "LYREBIRD_INDEX_CRASH_CHILD";
const TEST: &str = "kill_9_while_scanning_and_editing_playlists_loses_nothing_confirmed";
const KILLS: usize = 40;
/// Enough files that the first scan drops the read indexes (after 256 rows) before it ends.
const BASE_FILES: usize = 300;
const LOG: &str = "log";

fn seed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/seeds/seed.mp3")
}

fn index_path(dir: &Path) -> PathBuf {
    dir.join("data/library.sqlite")
}

fn music(dir: &Path) -> PathBuf {
    dir.join("music")
}

/// The rounds the "log" playlist lists, in order (as the index holds them now).
fn logged_rounds(index: &Index) -> Vec<u64> {
    let Some(log) = index
        .playlists()
        .unwrap()
        .into_iter()
        .find(|p| p.name == LOG)
    else {
        return Vec::new();
    };
    index
        .playlist(log.id)
        .unwrap()
        .items
        .iter()
        .map(|item| {
            item.title
                .strip_prefix("round ")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("a log line {:?}", item.title))
        })
        .collect()
}

/// The child: rounds until killed (or a minute, should the parent be gone).
async fn child(dir: &Path) {
    let (library, problem) = LibraryHandle::spawn(Some(index_path(dir)));
    assert!(problem.is_none(), "{problem:?}");
    let start = library
        .with_index(|index| Ok(logged_rounds(index).last().map_or(0, |n| n + 1)))
        .await
        .unwrap();
    println!("@index start {start}");
    let deadline = Instant::now() + Duration::from_mins(1);
    let mut round = start;
    while Instant::now() < deadline {
        // A file comes, one goes: every rescan writes and deletes rows.
        let new = music(dir).join(format!("new-{round}.mp3"));
        std::fs::copy(seed(), &new).unwrap();
        if let Some(old) = round.checked_sub(2) {
            let _ = std::fs::remove_file(music(dir).join(format!("new-{old}.mp3")));
        }
        println!("@index scanning {round}");
        library
            .sync(vec![music(dir)], SourceKind::Local, |_| {})
            .await
            .unwrap();
        println!("@index editing {round}");
        library
            .with_index(move |index| {
                let log = match index.playlists()?.into_iter().find(|p| p.name == LOG) {
                    Some(log) => log.id,
                    None => index.create_playlist(LOG)?.id,
                };
                index.add_paths_to_playlist(log, &[(new, Some(format!("round {round}")))], None)?;
                index.create_playlist(&format!("round {round}"))?;
                if let Some(previous) = round.checked_sub(1)
                    && let Some(p) = index
                        .playlists()?
                        .into_iter()
                        .find(|p| p.name == format!("round {previous}"))
                {
                    index.rename_playlist(p.id, &format!("renamed {previous}"))?;
                }
                Ok(())
            })
            .await
            .unwrap();
        println!("@index confirmed {round}");
        round += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_scanning_and_editing_playlists_loses_nothing_confirmed() {
    if let Some(dir) = std::env::var_os(CHILD) {
        child(Path::new(&dir)).await;
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(music(dir.path())).unwrap();
    for i in 0..BASE_FILES {
        std::fs::copy(seed(), music(dir.path()).join(format!("{i:03}.mp3"))).unwrap();
    }
    let mut rng = fastrand::Rng::with_seed(0x6c69_6272);
    let mut confirmed = std::collections::BTreeSet::<u64>::new();
    // Rounds a kill struck before they were confirmed: their edits may be there, or not.
    let mut in_flight = std::collections::BTreeSet::<u64>::new();
    // Where the kills struck: (in the first scan, in a rescan, in the playlist edits, between).
    let mut struck = std::collections::BTreeMap::<&str, usize>::new();
    for kill in 0..KILLS {
        // The first kills come in the first scan (which starts again after each: it commits
        // only at its end), the next ones in playlist edits, the rest anywhere in a round.
        let (after, wait) = match kill {
            0..6 => ("scanning", Duration::from_millis(rng.u64(0..8))),
            6..14 => ("editing", Duration::from_micros(rng.u64(0..1500))),
            _ => ("start", Duration::from_millis(rng.u64(0..120))),
        };
        let (start, saved_now, doing) = run_and_kill(dir.path(), after, wait);
        let doing = match doing.as_deref() {
            Some("scanning") if confirmed.is_empty() && saved_now.is_none() => "the first scan",
            Some("scanning") => "a rescan",
            Some("editing") => "playlist edits",
            _ => "between rounds",
        };
        *struck.entry(doing).or_default() += 1;
        if let Some(&previous) = confirmed.last() {
            assert!(
                start > previous,
                "a start at {start} after round {previous}"
            );
        }
        in_flight.insert(saved_now.map_or(start, |n| n + 1));
        confirmed.extend(saved_now.map(|last| start..=last).into_iter().flatten());
        check_after_kill(dir.path(), kill, &confirmed, &in_flight);
    }
    assert!(!confirmed.is_empty(), "the child confirmed no round");
    eprintln!(
        "{KILLS} kills, {} rounds confirmed; kills struck in: {struck:?}",
        confirmed.len()
    );
    for phase in ["the first scan", "a rescan", "playlist edits"] {
        assert!(
            struck.contains_key(phase),
            "no kill struck in {phase}: {struck:?}"
        );
    }
}

/// Everything that must hold after a kill, the index as the kill left it.
fn check_after_kill(
    dir: &Path,
    kill: usize,
    confirmed: &std::collections::BTreeSet<u64>,
    in_flight: &std::collections::BTreeSet<u64>,
) {
    let path = index_path(dir);
    // The next start: the index opens as it is.
    let index = Index::open(&path).unwrap_or_else(|e| panic!("kill {kill}: does not open: {e}"));
    let aside: Vec<_> = files_in(path.parent().unwrap())
        .into_iter()
        .filter(|name| name.contains("corrupt"))
        .collect();
    assert!(
        aside.is_empty(),
        "kill {kill}: moved aside as corrupt: {aside:?}"
    );
    {
        let sql = rusqlite::Connection::open(&path).unwrap();
        let check: String = sql
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(check, "ok", "kill {kill}: integrity_check");
        for fts in ["search_substrings", "search_words"] {
            sql.execute(
                &format!("INSERT INTO {fts}({fts}) VALUES ('integrity-check')"),
                [],
            )
            .unwrap_or_else(|e| panic!("kill {kill}: {fts}: {e}"));
        }
    }
    // Every confirmed round is there, in order, and no round but those in flight at a kill.
    let rounds = logged_rounds(&index);
    assert!(
        rounds.windows(2).all(|w| w[0] < w[1]),
        "kill {kill}: the log holds {rounds:?}"
    );
    let lost: Vec<_> = confirmed.iter().filter(|r| !rounds.contains(r)).collect();
    assert!(lost.is_empty(), "kill {kill}: the log lost rounds {lost:?}");
    let unconfirmed: Vec<_> = rounds
        .iter()
        .filter(|r| !confirmed.contains(r) && !in_flight.contains(r))
        .collect();
    assert!(
        unconfirmed.is_empty(),
        "kill {kill}: the log holds rounds never run {unconfirmed:?}"
    );
    let names: Vec<String> = index
        .playlists()
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    for round in confirmed {
        assert!(
            names.contains(&format!("renamed {round}"))
                || names.contains(&format!("round {round}")),
            "kill {kill}: playlist of round {round} lost: {names:?}"
        );
    }
    if !confirmed.is_empty() {
        // The scan of a confirmed round is there whole: every base file, once.
        let tracks = index.tracks().unwrap();
        let base = tracks
            .iter()
            .filter(|t| {
                t.path
                    .as_deref()
                    .and_then(Path::file_name)
                    .is_some_and(|n| !n.to_string_lossy().starts_with("new-"))
            })
            .count();
        assert_eq!(base, BASE_FILES, "kill {kill}: base files indexed");
    }
    // A clean close leaves the index file alone.
    drop(index);
    let left = files_in(path.parent().unwrap());
    assert_eq!(
        left,
        ["library.sqlite"],
        "kill {kill}: left beside the index"
    );
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// One child: started, killed `wait` after it said `after` ("start", "scanning"). Its first
/// round, the last it confirmed, and what it said it was doing last ("scanning", "editing").
fn run_and_kill(dir: &Path, after: &str, wait: Duration) -> (u64, Option<u64>, Option<String>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        // Whole lines only: the kill may cut the last one short.
        while stdout.read_line(&mut line).unwrap_or(0) > 0 && line.ends_with('\n') {
            if lines_tx.send(std::mem::take(&mut line)).is_err() {
                break;
            }
        }
    });
    let mut started = None;
    let mut saved_now = None;
    let mut doing = None;
    let mut note = |line: &str| {
        // libtest's "test … ... " may share the line.
        let Some((_, said)) = line.split_once("@index ") else {
            return;
        };
        let (what, n) = said.trim().split_once(' ').unwrap();
        let n: u64 = n.parse().unwrap();
        match what {
            "start" => started = Some(n),
            "confirmed" => {
                saved_now = Some(n);
                doing = None;
            }
            _ => doing = Some(what.to_owned()),
        }
    };
    loop {
        let line = lines
            .recv_timeout(Duration::from_mins(1))
            .expect("the child starts");
        note(&line);
        if line.contains(&format!("@index {after} ")) {
            break;
        }
    }
    std::thread::sleep(wait);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    reader.join().unwrap();
    for line in lines.try_iter() {
        note(&line);
    }
    (started.unwrap(), saved_now, doing)
}
