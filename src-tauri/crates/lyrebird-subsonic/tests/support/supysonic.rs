//! A real Subsonic server for tests: Debian's supysonic, started on 127.0.0.1 in a temporary
//! directory with a generated library (tagged FLAC sine tones made by ffmpeg).
//!
//! Without supysonic (or ffmpeg) installed, [`Supysonic::start`] returns `None` after a loud
//! message, so a developer's machine can skip it — unless `LYREBIRD_REQUIRE_SUPYSONIC=1`
//! (CI), where a missing server is a failure.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

pub const SERVER: &str = "/usr/bin/supysonic-server";
pub const CLI: &str = "/usr/bin/supysonic-cli";
/// The WSGI server supysonic-server runs on (a Recommends that `--no-install-recommends` skips).
const WAITRESS: &str = "/usr/lib/python3/dist-packages/waitress";
pub const USER: &str = "admin";
pub const PASSWORD: &str = "adminpass";

/// One file of the generated library.
#[derive(Clone, Debug)]
pub struct TestTrack {
    pub title: &'static str,
    pub artist: &'static str,
    pub album: &'static str,
    pub track: u32,
    pub seconds: u32,
    pub frequency: u32,
}

/// A running supysonic. Dropping it kills the server and deletes its directory.
pub struct Supysonic {
    pub base_url: String,
    pub music: PathBuf,
    dir: tempfile::TempDir,
    child: Child,
}

impl Supysonic {
    /// Starts a server holding `tracks` (each album folder also gets a `cover.jpg`).
    /// `None` when supysonic is not installed and not required.
    pub async fn start(tracks: &[TestTrack]) -> Option<Self> {
        let missing: Vec<&str> = [SERVER, CLI, WAITRESS, "/usr/bin/ffmpeg"]
            .into_iter()
            .filter(|tool| !Path::new(tool).exists())
            .collect();
        if !missing.is_empty() {
            let message = format!(
                "supysonic tests need {} (Debian: apt-get install supysonic python3-waitress ffmpeg)",
                missing.join(", ")
            );
            assert!(
                std::env::var("LYREBIRD_REQUIRE_SUPYSONIC").as_deref() != Ok("1"),
                "LYREBIRD_REQUIRE_SUPYSONIC=1 but {message}"
            );
            eprintln!("\n*** SKIPPED: {message} ***\n");
            return None;
        }
        Some(Self::start_installed(tracks).await)
    }

    async fn start_installed(tracks: &[TestTrack]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let music = root.join("music");
        std::fs::create_dir_all(root.join("cache")).unwrap();
        // supysonic reads ./supysonic.conf last, so it wins over any system or user config.
        std::fs::write(
            root.join("supysonic.conf"),
            format!(
                "[base]\ndatabase_uri = sqlite:///{db}\n\
                 [webapp]\ncache_dir = {cache}\nmount_api = on\n\
                 [daemon]\nsocket = {sock}\nrun_watcher = no\n\
                 [transcoding]\ntranscoder = ffmpeg -i %srcpath -ab %outratek -v 0 -f %outfmt -\n\
                 default_transcode_target = mp3\n",
                db = root.join("supysonic.db").display(),
                cache = root.join("cache").display(),
                sock = root.join("supysonic.sock").display(),
            ),
        )
        .unwrap();
        make_library(&music, tracks).await;

        cli(root, &["user", "add", USER, "-p", PASSWORD]).await;
        cli(root, &["folder", "add", "Music", music.to_str().unwrap()]).await;
        cli(root, &["folder", "scan", "-f", "--foreground", "Music"]).await;

        let port = free_port();
        let log = std::fs::File::create(root.join("server.log")).unwrap();
        let child = command(root, SERVER)
            .args(["-S", "waitress", "--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("start supysonic-server");
        let server = Self {
            base_url: format!("http://127.0.0.1:{port}"),
            music,
            dir,
            child,
        };
        server.wait_ready().await;
        server
    }

    /// Polls `ping` until the server answers (it takes a second or two to start).
    async fn wait_ready(&self) {
        let url = format!(
            "{}/rest/ping.view?u={USER}&p={PASSWORD}&c=tests&v=1.12.0&f=json",
            self.base_url
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let response = reqwest::get(&url).await;
            if response.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "supysonic did not start within 20 s; its log:\n{}",
            self.log()
        );
    }

    /// What the server wrote so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }
}

/// `supysonic-cli` run in the server's directory (where its config is).
async fn cli(root: &Path, args: &[&str]) {
    let output = command(root, CLI).args(args).output().await.unwrap();
    assert!(
        output.status.success(),
        "supysonic-cli {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A command that sees only the test's configuration: working directory and `HOME` are the
/// temporary directory.
fn command(root: &Path, program: &str) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(root)
        .env("HOME", root)
        .stdin(Stdio::null());
    command
}

/// `<music>/<artist>/<album>/<NN> <title>.flac`, tagged, plus a `cover.jpg` per album; all
/// ffmpeg runs at once.
async fn make_library(music: &Path, tracks: &[TestTrack]) {
    let mut children = Vec::new();
    let mut albums = std::collections::BTreeSet::new();
    for track in tracks {
        let folder = music.join(track.artist).join(track.album);
        std::fs::create_dir_all(&folder).unwrap();
        let file = folder.join(format!("{:02} {}.flac", track.track, track.title));
        let mut ffmpeg = Command::new("ffmpeg");
        ffmpeg
            .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
            .arg(format!(
                "sine=frequency={}:duration={}:sample_rate=44100",
                track.frequency, track.seconds
            ))
            .args(["-ac", "2", "-c:a", "flac"])
            .args(["-metadata", &format!("title={}", track.title)])
            .args(["-metadata", &format!("artist={}", track.artist)])
            .args(["-metadata", &format!("album={}", track.album)])
            .args(["-metadata", &format!("track={}", track.track)])
            .arg(&file);
        children.push(spawn_quiet(&mut ffmpeg));
        albums.insert(folder);
    }
    for folder in albums {
        let mut image = Command::new("ffmpeg");
        image
            .args([
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "color=c=red:s=32x32",
            ])
            .args(["-frames:v", "1"])
            .arg(folder.join("cover.jpg"));
        children.push(spawn_quiet(&mut image));
    }
    for child in children {
        let output = child.wait_with_output().await.unwrap();
        assert!(
            output.status.success(),
            "ffmpeg: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

fn spawn_quiet(command: &mut Command) -> Child {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run ffmpeg")
}

/// A port nobody listens on right now (the OS picks it; we release it for the server).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
