//! `kill -9` while saving: a child process (this test binary re-executed with
//! `LYREBIRD_CRASH_CHILD` naming its config folder) writes settings and session through the
//! actor's persistence writer and a password through the secrets store, as fast as it can,
//! numbering every round and saying on stdout which round is on disk. The parent kills it
//! with SIGKILL at a random moment, again and again, and after each kill checks that every
//! file parses as it is, holds the last round the child confirmed or the one after it (the
//! write in flight), and that the next start leaves no temporary or moved-aside file.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lyrebird_core::actor::persistence::Writer;
use lyrebird_core::servers::SecretStorage;
use lyrebird_core::session::Session;
use lyrebird_core::settings::{self, Settings};
use lyrebird_sources::secrets::{SECRETS_FILE, SecretStore};

const CHILD: &str = "LYREBIRD_CRASH_CHILD";
const KILLS: usize = 24;
const SERVER: &str = "home";

struct Files {
    settings: PathBuf,
    session: PathBuf,
    secrets: PathBuf,
}

impl Files {
    fn in_dir(dir: &Path) -> Self {
        Self {
            settings: dir.join("settings.json"),
            session: dir.join("session.json"),
            secrets: dir.join(SECRETS_FILE),
        }
    }
}

/// The round each file holds, read as the files are (no repair): `None` for a missing file,
/// a panic for one that does not parse.
fn rounds_on_disk(files: &Files) -> [Option<u64>; 3] {
    let read = |path: &Path| match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("{}: {e}", path.display()),
    };
    let settings = read(&files.settings).map(|bytes| {
        let settings: Settings = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("settings.json does not parse after a kill: {e}"));
        let device = settings.output_device.expect("a round's settings");
        device.strip_prefix("round-").unwrap().parse().unwrap()
    });
    let session = read(&files.session).map(|bytes| {
        let session: Session = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("session.json does not parse after a kill: {e}"));
        session.position_ms
    });
    let secret = read(&files.secrets).map(|bytes| {
        let secrets: BTreeMap<String, String> = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{SECRETS_FILE} does not parse after a kill: {e}"));
        secrets[SERVER]
            .strip_prefix("pw-")
            .unwrap()
            .parse()
            .unwrap()
    });
    [settings, session, secret]
}

/// The child: write rounds until killed (or 30 s, should the parent be gone).
async fn child(dir: &Path) {
    let files = Files::in_dir(dir);
    // The start: what a real start does first, then the round after the newest on disk.
    let start = rounds_on_disk(&files)
        .into_iter()
        .flatten()
        .max()
        .map_or(0, |round| round + 1);
    let _ = settings::load(&files.settings);
    let _ = settings::load_json::<Session>(&files.session);
    let (failures, _failed) = tokio::sync::mpsc::unbounded_channel();
    let writer = Writer::start(failures);
    let secrets = SecretStore::new(dir, None);
    println!("start {start}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut round = start;
    while Instant::now() < deadline {
        let settings = Settings {
            output_device: Some(format!("round-{round}")),
            ..Settings::default()
        };
        let session = Session {
            position_ms: round,
            ..Session::default()
        };
        writer.write(
            files.settings.clone(),
            serde_json::to_vec_pretty(&settings).unwrap(),
            true,
        );
        writer.write(
            files.session.clone(),
            serde_json::to_vec_pretty(&session).unwrap(),
            false,
        );
        writer.flush().await;
        assert_eq!(
            secrets.store(SERVER, &format!("pw-{round}")).await,
            Ok(SecretStorage::File)
        );
        println!("saved {round}");
        round += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_saving_loses_nothing_saved_and_leaves_nothing_behind() {
    if let Some(dir) = std::env::var_os(CHILD) {
        child(Path::new(&dir)).await;
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let files = Files::in_dir(dir.path());
    let mut rng = fastrand::Rng::with_seed(0x6b69_6c6c);
    // The newest round the child said is on disk, over all runs.
    let mut confirmed: Option<u64> = None;
    let mut leftovers_seen = 0;
    let mut in_flight_seen = 0;
    for kill in 0..KILLS {
        let (start, saved_now) = run_and_kill(dir.path(), &mut rng);
        if let Some(previous) = confirmed {
            assert!(
                start > previous,
                "a start after round {previous} at {start}"
            );
        }
        confirmed = saved_now.or(confirmed);
        // At most the round after the last one confirmed was in flight.
        let newest_possible = saved_now.map_or(start, |n| n + 1);

        for (name, round) in ["settings", "session", "secret"]
            .into_iter()
            .zip(rounds_on_disk(&files))
        {
            match (round, confirmed) {
                (Some(round), Some(confirmed)) => {
                    assert!(
                        (confirmed..=newest_possible).contains(&round),
                        "kill {kill}: {name} holds round {round}, confirmed {confirmed}, \
                         at most {newest_possible} was in flight"
                    );
                    if round > confirmed {
                        in_flight_seen += 1;
                    }
                }
                (Some(round), None) => assert!(round <= newest_possible, "{name}: {round}"),
                (None, Some(confirmed)) => panic!("kill {kill}: {name} lost round {confirmed}"),
                (None, None) => {}
            }
        }
        if temp_or_aside(dir.path()).next().is_some() {
            leftovers_seen += 1;
        }

        // The next start cleans up after the killed run, and loses nothing.
        let _ = settings::load(&files.settings);
        let _ = settings::load_json::<Session>(&files.session);
        let store = SecretStore::new(dir.path(), None);
        if let Some(confirmed) = confirmed {
            let secret = store.load(SERVER, SecretStorage::File).await.unwrap();
            let round: u64 = secret.strip_prefix("pw-").unwrap().parse().unwrap();
            assert!(round >= confirmed, "{round} < {confirmed}");
        }
        let left: Vec<_> = temp_or_aside(dir.path()).collect();
        assert!(
            left.is_empty(),
            "kill {kill}: left behind after the next start: {left:?}"
        );
    }
    let confirmed = confirmed.expect("the child saved some rounds");
    eprintln!(
        "{KILLS} kills, {confirmed} rounds confirmed; temporary files left by {leftovers_seen} \
         kills (removed by the next start); {in_flight_seen} files held the round in flight"
    );
}

/// One child: started, killed after a random while. Its first round, and the last it said
/// is on disk.
fn run_and_kill(dir: &Path, rng: &mut fastrand::Rng) -> (u64, Option<u64>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "kill_9_while_saving_loses_nothing_saved_and_leaves_nothing_behind",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    // Wait until it writes, then let it write for a random while.
    let mut started = None;
    while started.is_none() {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("the child starts");
        // libtest's "test … ... " may share the line.
        started = line
            .split_once("start ")
            .map(|(_, n)| n.parse::<u64>().unwrap());
    }
    std::thread::sleep(Duration::from_micros(rng.u64(0..40_000)));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    reader.join().unwrap();
    let mut saved_now = None;
    for line in lines.try_iter() {
        if let Some(n) = line.strip_prefix("saved ") {
            saved_now = Some(n.parse::<u64>().unwrap());
        }
    }
    (started.unwrap(), saved_now)
}

/// Temporary and moved-aside files in `dir`.
fn temp_or_aside(dir: &Path) -> impl Iterator<Item = String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".tmp") || name.contains(".corrupt"))
}
