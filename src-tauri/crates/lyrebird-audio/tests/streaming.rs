//! Remote tracks end to end: the actor looks a track up through a source, the audio thread
//! streams it over real HTTP from a fault-injecting server on loopback, and the samples that
//! reach ALSA's file device are compared with the same file played from disk.
//!
//! - The connection drops mid-track: the stream resumes with a Range request from the byte it
//!   stopped at, and the audio is complete and identical.
//! - The URL expires on that reconnect (403): the audio thread asks the actor, the actor asks
//!   the source again, and playback resumes from the same byte with the new URL.
//!
//! ALSA reads its configuration once per process, so each run is a child process (this test
//! binary re-executed with `LYREBIRD_STREAM_CHILD` naming the scenario).
#![cfg(target_os = "linux")]
#![allow(clippy::cast_precision_loss)]

mod common;
use common::read_wav_left;

#[path = "../../lyrebird-stream/tests/support/mod.rs"]
#[allow(dead_code)]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use lyrebird_core::AudioCommand;
use lyrebird_core::actor::{Action, Player, PlayerConfig};
use lyrebird_core::audio::AudioOutput;
use lyrebird_core::events::{PlaybackStatus, PlayerEvent};
use lyrebird_core::model::{SourceKind, Track, TrackId};
use lyrebird_core::provider::{Playable, ResolveFuture, Source, Sources, StreamSpec};
use lyrebird_stream::{StreamOptions, Streamer};
use support::{Fault, TestServer};
use tokio_util::sync::CancellationToken;

const CHILD: &str = "LYREBIRD_STREAM_CHILD";
/// Ten seconds of a chirp (200 → 600 Hz), ~575 kB as FLAC: longer than the stream's 128 KiB
/// prefetch, so the faults below strike while it plays.
const CHIRP: &str =
    "aevalsrc=0.5*sin(2*PI*(200*t+20*t*t))|0.5*sin(2*PI*(200*t+20*t*t)):s=44100:d=10";
/// Where the server drops the first response: about 2.6 s into the track.
const DROP_AT: u64 = 150_000;

/// Resolves every track to the test server, with a new token each time it is asked.
struct LoopbackSource {
    base: String,
    issued: AtomicU32,
}

impl Source for LoopbackSource {
    fn resolve(&self, _track: Track, _cancel: CancellationToken) -> ResolveFuture {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let url = format!("{}tok{n}", self.base);
        Box::pin(async move {
            Ok(Playable::Stream(StreamSpec {
                url,
                headers: vec![("X-Lyrebird-Test".into(), "secret".into())],
                certificate_pin: None,
                cache_key: None,
                quality: None,
            }))
        })
    }
}

/// The child: play one remote track through the actor and the audio thread, log what the
/// player published and what the server saw.
fn child(scenario: &str) {
    let file = PathBuf::from(std::env::var("LYREBIRD_STREAM_FILE").unwrap());
    let out = PathBuf::from(std::env::var("LYREBIRD_STREAM_LOG").unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let log = runtime.block_on(async {
        let server = TestServer::start(std::fs::read(&file).unwrap()).await;
        server.configure(|config| {
            config.content_type = "audio/flac".into();
            if scenario == "mp3" {
                config.content_type = "audio/mpeg".into();
                return;
            }
            config.faults.push_back(Fault::DropAfter(DROP_AT));
            config.revoke_on_drop = scenario == "expire";
            if scenario == "broken" {
                // After the drop the server only answers 503: it has gone for good.
                config.default_fault = Fault::Status(503);
            }
        });
        let base = server.url("");
        let source: Arc<dyn Source> = Arc::new(LoopbackSource {
            base,
            issued: AtomicU32::new(0),
        });
        let streams = lyrebird_audio::StreamSupport {
            streamer: Arc::new(Streamer::new(reqwest::Client::new(), None).with_options(
                StreamOptions {
                    // Give up on a broken server quickly (the default waits 12 s).
                    retry_budget: Duration::from_secs(1),
                    ..StreamOptions::default()
                },
            )),
            runtime: tokio::runtime::Handle::current(),
        };
        let (audio_tx, audio_events) = tokio::sync::mpsc::unbounded_channel();
        let (audio, thread) = lyrebird_audio::spawn_with_streams(audio_tx, Some(streams));
        let config = PlayerConfig {
            sources: Sources::new([(SourceKind::Subsonic, source)]),
            ..PlayerConfig::default()
        };
        let (player, mut events, actor) = Player::new(config, audio.clone(), audio_events);
        audio.connect(player.clone());
        tokio::spawn(actor);

        let mut track = Track::from_path("/remote/tone.flac".into(), SourceKind::Subsonic);
        track.id = TrackId("loopback:1".into());
        track.path = None;
        if scenario == "mp3" {
            // As NetEase lists its songs: the length known before a byte is read.
            track.duration_ms = Some(5_000);
        }
        // Full volume, so the samples compare with the file played without the actor.
        player.act(Action::SetVolume(1.0)).await.unwrap();
        player.act(Action::PlayTracks(vec![track])).await.unwrap();

        let mut log = Vec::new();
        let mut was_playing = false;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while let Ok(Some(published)) = tokio::time::timeout_at(deadline, events.recv()).await {
            match published.event {
                PlayerEvent::State(state) => {
                    was_playing |= state.status == PlaybackStatus::Playing;
                    if was_playing && state.status == PlaybackStatus::Stopped {
                        break;
                    }
                }
                PlayerEvent::Notice(notice) => log.push(format!("notice {notice:?}")),
                _ => {}
            }
        }
        // Notices published in the same turn as the final state come right after it; the actor
        // may still be sending them (it runs on another worker thread). A snapshot is answered
        // only after that turn, so once it is back they are all in the channel.
        player.snapshot().await.unwrap();
        while let Ok(published) = events.try_recv() {
            if let PlayerEvent::Notice(notice) = published.event {
                log.push(format!("notice {notice:?}"));
            }
        }
        log.push(format!("played {was_playing}"));
        for request in server.requests() {
            log.push(format!(
                "request {} range={:?} header={:?}",
                request.path,
                request.range,
                request.header("x-lyrebird-test")
            ));
        }
        player.shutdown().await.unwrap();
        audio.send(AudioCommand::Shutdown);
        tokio::task::spawn_blocking(move || thread.join().unwrap())
            .await
            .unwrap();
        log
    });
    std::fs::write(out, log.join("\n")).unwrap();
}

struct Run {
    dir: tempfile::TempDir,
}

impl Run {
    /// The test track, as FLAC.
    fn chirp(&self) -> PathBuf {
        let file = self.dir.path().join("chirp.flac");
        let made = Command::new("ffmpeg")
            .args(["-y", "-v", "error", "-f", "lavfi", "-i"])
            .arg(CHIRP)
            .args(["-c:a", "flac"])
            .arg(&file)
            .status()
            .expect("ffmpeg is installed");
        assert!(made.success());
        file
    }

    fn alsa_config(&self, wav: &Path) -> PathBuf {
        let name = format!("{}.conf", wav.display()).replace('/', "_");
        common::file_device_config(self.dir.path().join(name), wav)
    }

    /// Stream `file` in a child under `scenario`; the captured samples and the child's log.
    fn stream(&self, scenario: &str, file: &Path) -> (Vec<f64>, Vec<String>) {
        let wav = self.dir.path().join(format!("{scenario}.wav"));
        let log = self.dir.path().join(format!("{scenario}.log"));
        let output = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "a_dropped_or_expired_stream_plays_on_seamlessly",
                "--nocapture",
            ])
            .env(CHILD, scenario)
            .env("ALSA_CONFIG_PATH", self.alsa_config(&wav))
            // The capture device is an ALSA one, even where a PulseAudio server runs.
            .env("LYREBIRD_AUDIO_OUTPUT", "alsa")
            .env("LYREBIRD_STREAM_FILE", file)
            .env("LYREBIRD_STREAM_LOG", &log)
            .env_remove("PULSE_SERVER")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "child {scenario}: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let log = std::fs::read_to_string(log).unwrap();
        (
            read_wav_left(&wav),
            log.lines().map(str::to_owned).collect(),
        )
    }

    /// The same file played from disk through the same device path.
    fn local(&self, file: &Path) -> Vec<f64> {
        let wav = self.dir.path().join("local.wav");
        let output = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "a_dropped_or_expired_stream_plays_on_seamlessly",
                "--nocapture",
            ])
            .env(CHILD, "local")
            .env("ALSA_CONFIG_PATH", self.alsa_config(&wav))
            // The capture device is an ALSA one, even where a PulseAudio server runs.
            .env("LYREBIRD_AUDIO_OUTPUT", "alsa")
            .env("LYREBIRD_STREAM_FILE", file)
            .env_remove("PULSE_SERVER")
            .output()
            .unwrap();
        assert!(output.status.success());
        read_wav_left(&wav)
    }
}

/// The child that plays the file from disk, for the reference.
fn play_local() {
    let file = PathBuf::from(std::env::var("LYREBIRD_STREAM_FILE").unwrap());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (audio, thread) = lyrebird_audio::spawn(tx);
    audio.send(AudioCommand::Load {
        play_id: lyrebird_core::PlayId(1),
        media: Playable::File(file),
        start_ms: 0,
        paused: false,
        gain: 1.0,
    });
    while let Some(event) = rx.blocking_recv() {
        use lyrebird_core::AudioEvent;
        if matches!(event, AudioEvent::Ended { .. } | AudioEvent::Failed { .. }) {
            break;
        }
    }
    audio.send(AudioCommand::Shutdown);
    thread.join().unwrap();
}

/// The worst mean difference over 10 ms windows, with `heard` shifted by `shift` samples.
fn window_error(heard: &[f64], reference: &[f64], shift: i32) -> f64 {
    let skip = usize::try_from(shift.max(0)).unwrap();
    let lead = usize::try_from((-shift).max(0)).unwrap();
    let pairs: Vec<f64> = heard[skip..]
        .iter()
        .zip(&reference[lead..])
        .map(|(a, b)| (a - b).abs())
        .collect();
    pairs
        .chunks(441)
        .map(|w| w.iter().sum::<f64>() / w.len() as f64)
        .fold(0.0, f64::max)
}

/// From the first to the last loud sample.
fn audible(samples: &[f64]) -> &[f64] {
    let start = samples.iter().position(|s| s.abs() > 0.05).expect("sound");
    let end = samples.iter().rposition(|s| s.abs() > 0.05).unwrap();
    &samples[start..=end]
}

/// From the first to the last sample that is not silence.
fn sound(samples: &[f64]) -> &[f64] {
    let start = samples.iter().position(|s| s.abs() > 1e-4).expect("sound");
    let end = samples.iter().rposition(|s| s.abs() > 1e-4).unwrap();
    &samples[start..=end]
}

#[test]
fn a_dropped_or_expired_stream_plays_on_seamlessly() {
    match std::env::var(CHILD).as_deref() {
        Ok("local") => return play_local(),
        Ok(scenario) => return child(scenario),
        Err(_) => {}
    }
    let run = Run {
        dir: tempfile::tempdir().unwrap(),
    };
    let file = run.chirp();
    let reference = run.local(&file);
    let reference = sound(&reference);

    for scenario in ["drop", "expire"] {
        let (captured, log) = run.stream(scenario, &file);
        assert!(
            log.contains(&"played true".to_owned()),
            "{scenario}: {log:?}"
        );
        assert!(
            !log.iter().any(|l| l.starts_with("notice")),
            "{scenario}: nothing to complain about: {log:?}"
        );
        let requests: Vec<&String> = log.iter().filter(|l| l.starts_with("request")).collect();
        let expected: &[&str] = if scenario == "drop" {
            &[
                "request /track/tok1 range=None header=Some(\"secret\")",
                "request /track/tok1 range=Some(\"bytes=150000-\") header=Some(\"secret\")",
            ]
        } else {
            &[
                "request /track/tok1 range=None header=Some(\"secret\")",
                // Expired: 403, then the actor resolves the track again.
                "request /track/tok1 range=Some(\"bytes=150000-\") header=Some(\"secret\")",
                "request /track/tok2 range=Some(\"bytes=150000-\") header=Some(\"secret\")",
            ]
        };
        assert_eq!(requests, expected, "{scenario}");

        // Every sample arrived, in order: what was heard is what the file sounds like from
        // disk. (The device path resamples, and where in its period a track starts differs
        // between runs, so compare closely rather than bit for bit: aligned, window by
        // window. A lost or repeated chunk would throw every later window off.)
        let heard = audible(&captured);
        let reference = audible(reference);
        assert!(
            heard.len().abs_diff(reference.len()) <= 2,
            "{scenario}: heard {} samples, the file has {}",
            heard.len(),
            reference.len()
        );
        let worst = (-3i32..=3)
            .map(|shift| window_error(heard, reference, shift))
            .fold(f64::INFINITY, f64::min);
        assert!(
            worst < 0.02,
            "{scenario}: some stretch differs from the file (mean error {worst:.3})"
        );
    }
}

#[test]
fn a_stream_whose_server_goes_away_is_reported_not_taken_for_the_end() {
    if std::env::var(CHILD).is_ok() {
        return; // the children run under the test above
    }
    let run = Run {
        dir: tempfile::tempdir().unwrap(),
    };
    let file = run.chirp();
    let (_, log) = run.stream("broken", &file);
    let notices: Vec<&String> = log.iter().filter(|l| l.starts_with("notice")).collect();
    // The stream broke off a quarter of the way in: the watchdog's report, one reload (the
    // source answers, the server does not), then a clear failure — never a silent "ended".
    assert!(notices[0].starts_with("notice Stalled"), "{log:?}");
    assert!(
        notices.iter().any(|n| n.starts_with("notice CannotPlay")),
        "{log:?}"
    );
    assert!(
        log.iter().any(|l| l.starts_with("request /track/tok2")),
        "the track was resolved again: {log:?}"
    );
}

/// A 22 050 Hz mono MP3 (MPEG-2 layer III, as the NetEase emulator serves by default) whose
/// length the source gave: streamed, it plays through, not taken for cut short at 0 ms.
#[test]
fn a_22050_hz_mp3_stream_plays_through() {
    if std::env::var(CHILD).is_ok() {
        return;
    }
    let run = Run {
        dir: tempfile::tempdir().unwrap(),
    };
    let file = run.dir.path().join("tone.mp3");
    let made = Command::new("ffmpeg")
        .args(["-y", "-v", "error", "-f", "lavfi", "-i"])
        .arg("sine=frequency=440:sample_rate=22050:duration=5")
        .args(["-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k"])
        .arg(&file)
        .status()
        .expect("ffmpeg is installed");
    assert!(made.success());
    let local = run.local(&file);
    assert!(
        audible(&local).len() > 4 * 22_050,
        "from disk: heard {} samples",
        audible(&local).len()
    );
    let (captured, log) = run.stream("mp3", &file);
    assert!(log.contains(&"played true".to_owned()), "{log:?}");
    assert!(
        !log.iter().any(|l| l.starts_with("notice")),
        "nothing to complain about: {log:?}"
    );
    let heard = audible(&captured);
    assert!(
        heard.len() > 4 * 22_050,
        "heard {} samples of a 5 s tone: {log:?}",
        heard.len()
    );
}
