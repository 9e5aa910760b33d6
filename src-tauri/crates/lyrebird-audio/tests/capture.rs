//! Real audio through the real audio thread: each format is decoded, written to ALSA's default
//! device, and the samples that reach the device are checked.
//!
//! ALSA is pointed at a `file` plugin through `ALSA_CONFIG_PATH`. Because environment variables
//! must be set before ALSA loads, each scenario runs in a child process: this test binary
//! re-executed with `LYREBIRD_AUDIO_CHILD` naming the scenario.
#![cfg(target_os = "linux")]
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use lyrebird_core::audio::AudioOutput;
use lyrebird_core::provider::Playable;
use lyrebird_core::{AudioCommand, AudioEvent, PlayId};

mod common;
use common::read_wav_left;

const CHILD: &str = "LYREBIRD_AUDIO_CHILD";
const RATE: f64 = 44_100.0;

/// The child side: play one file to its end (or failure) and write the events to a file.
fn child(scenario: &str) {
    let file = PathBuf::from(std::env::var("LYREBIRD_AUDIO_FILE").unwrap());
    let out = PathBuf::from(std::env::var("LYREBIRD_AUDIO_EVENTS").unwrap());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (audio, thread) = lyrebird_audio::spawn(tx);
    // The track's own gain (ReplayGain), for the scenario that checks it.
    let gain = std::env::var("LYREBIRD_AUDIO_GAIN").map_or(1.0, |g| g.parse().unwrap());
    let start_ms = std::env::var("LYREBIRD_AUDIO_START_MS").map_or(0, |ms| ms.parse().unwrap());
    if let Ok(ms) = std::env::var("LYREBIRD_AUDIO_CROSSFADE_MS") {
        audio.send(AudioCommand::SetCrossfade {
            ms: ms.parse().unwrap(),
        });
    }
    let mut log = Vec::new();
    if scenario == "device" {
        // List the devices, then choose the one whose description names output B.
        audio.send(AudioCommand::ListDevices);
        let Some(AudioEvent::Devices(devices)) = rx.blocking_recv() else {
            panic!("a device list");
        };
        log.push(format!("{devices:?}"));
        let chosen = devices
            .iter()
            .find(|d| d.name == "Test output B")
            .map(|d| d.id.clone());
        audio.send(AudioCommand::SetDevice(chosen));
    }
    audio.send(AudioCommand::Load {
        play_id: PlayId(7),
        media: Playable::File(file),
        start_ms,
        paused: scenario == "paused",
        gain,
    });
    if let Some(second) = std::env::var_os("LYREBIRD_AUDIO_FILE2") {
        audio.send(AudioCommand::Preload {
            play_id: PlayId(8),
            media: Playable::File(second.into()),
            gain: 1.0,
        });
    }
    if scenario == "paused" {
        return paused_child(&audio, &mut rx, thread, &out);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut retried = false;
    while Instant::now() < deadline {
        match rx.try_recv() {
            Ok(event) => {
                let done = matches!(event, AudioEvent::Ended { .. } | AudioEvent::Failed { .. });
                let no_device = matches!(event, AudioEvent::DeviceUnavailable { .. });
                log.push(format!("{event:?}"));
                if done || (no_device && retried) {
                    break;
                }
                if no_device && scenario == "no-device" {
                    retried = true;
                    audio.send(AudioCommand::RetryDevice);
                }
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    audio.send(AudioCommand::Shutdown);
    thread.join().unwrap();
    std::fs::write(out, log.join("\n")).unwrap();
}

/// The audio thread's voluntary context switches so far: how often it went to sleep, so how
/// often it woke.
fn audio_thread_wakeups() -> u64 {
    // Threads the audio thread starts (the device's) inherit its name: the first is it.
    let mut named: Vec<(u64, std::path::PathBuf)> = std::fs::read_dir("/proc/self/task")
        .unwrap()
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|comm| comm.trim() == "lyrebird-audio")
        })
        .map(|task| {
            let tid = task.file_name().to_string_lossy().parse().unwrap();
            (tid, task.path())
        })
        .collect();
    named.sort();
    let (_, task) = named.first().expect("a lyrebird-audio thread");
    let status = std::fs::read_to_string(task.join("status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap()
}

/// The child of `a_paused_player_sleeps`: load a track paused (ALSA's file device takes
/// audio faster than real time, so a playing track would be over before it could be paused),
/// count the audio thread's wake-ups over two seconds, resume, and log both.
fn paused_child(
    audio: &lyrebird_audio::AudioHandle,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<AudioEvent>,
    thread: std::thread::JoinHandle<()>,
    out: &Path,
) {
    let mut log = Vec::new();
    std::thread::sleep(Duration::from_millis(300));
    let before = audio_thread_wakeups();
    std::thread::sleep(Duration::from_secs(2));
    log.push(format!("paused {}", audio_thread_wakeups() - before));
    audio.send(AudioCommand::Resume);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut ended = false;
    while Instant::now() < deadline && !ended {
        match rx.try_recv() {
            Ok(event) => {
                ended = matches!(event, AudioEvent::Ended { .. });
                log.push(format!("{event:?}"));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    audio.send(AudioCommand::Shutdown);
    thread.join().unwrap();
    std::fs::write(out, log.join("\n")).unwrap();
}

struct Capture {
    dir: tempfile::TempDir,
}

impl Capture {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// ALSA config whose default PCM writes 16-bit stereo 44.1 kHz into `wav`.
    fn file_device_config(&self, wav: &Path) -> PathBuf {
        common::file_device_config(self.path("asound.conf"), wav)
    }

    /// Run a scenario in a child with this ALSA config; returns the events it saw.
    fn run_child(&self, scenario: &str, alsa_config: &Path, file: &Path) -> Vec<String> {
        self.run_child_with(scenario, alsa_config, file, None, 1.0)
    }

    fn run_child_with(
        &self,
        scenario: &str,
        alsa_config: &Path,
        file: &Path,
        second: Option<&Path>,
        gain: f32,
    ) -> Vec<String> {
        self.run_child_at(scenario, alsa_config, file, second, gain, 0)
    }

    fn run_child_at(
        &self,
        scenario: &str,
        alsa_config: &Path,
        file: &Path,
        second: Option<&Path>,
        gain: f32,
        start_ms: u64,
    ) -> Vec<String> {
        let events = self.path(&format!("{scenario}.events"));
        let mut command = Command::new(std::env::current_exe().unwrap());
        command.env("LYREBIRD_AUDIO_START_MS", start_ms.to_string());
        command.env("LYREBIRD_AUDIO_GAIN", gain.to_string());
        if let Some(second) = second {
            command.env("LYREBIRD_AUDIO_FILE2", second);
        }
        let status = command
            .args([
                "--exact",
                scenario_test(scenario),
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, scenario)
            .env("ALSA_CONFIG_PATH", alsa_config)
            // The capture device is an ALSA one, even where a PulseAudio server runs.
            .env("LYREBIRD_AUDIO_OUTPUT", "alsa")
            .env("LYREBIRD_AUDIO_FILE", file)
            .env("LYREBIRD_AUDIO_EVENTS", &events)
            .env_remove("PULSE_SERVER")
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "child {scenario} failed: {}\n{}\n{}",
            status.status,
            String::from_utf8_lossy(&status.stdout),
            String::from_utf8_lossy(&status.stderr)
        );
        std::fs::read_to_string(events)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

fn scenario_test(scenario: &str) -> &'static str {
    match scenario {
        "no-device" => "a_missing_device_is_reported_not_fatal",
        "corrupt" => "a_corrupt_file_fails_cleanly",
        "gapless" => "consecutive_tracks_join_without_a_gap",
        "gain" => "a_track_gain_scales_what_reaches_the_device",
        "seek" => "starting_mid_track_lands_within_a_millisecond",
        "device" => "the_chosen_output_device_gets_the_audio",
        "crossfade" => "a_crossfade_overlaps_the_tracks_without_a_dip",
        "paused" => "a_paused_player_sleeps",
        _ => "every_supported_format_reaches_the_device_as_the_right_tone",
    }
}

/// Make a one-second stereo sine at `freq` Hz, amplitude 0.5, with ffmpeg.
fn make_tone(dir: &Path, name: &str, freq: u32, rate: u32, codec: &[&str]) -> PathBuf {
    make_tone_of(dir, name, freq, rate, 1, codec)
}

/// [`make_tone`], `seconds` long.
fn make_tone_of(
    dir: &Path,
    name: &str,
    freq: u32,
    rate: u32,
    seconds: u32,
    codec: &[&str],
) -> PathBuf {
    let path = dir.join(name);
    let source =
        format!("aevalsrc=0.5*sin(2*PI*{freq}*t)|0.5*sin(2*PI*{freq}*t):s={rate}:d={seconds}");
    let output = Command::new("ffmpeg")
        .args(["-y", "-v", "error", "-f", "lavfi", "-i", &source])
        .args(codec)
        .arg(&path)
        .output()
        .expect("ffmpeg is installed (the test suite's set-up installs it)");
    assert!(
        output.status.success(),
        "ffmpeg: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    path
}

/// Frequency by counting rising zero crossings (interpolated) over the samples.
fn frequency(samples: &[f64]) -> f64 {
    let crossings: Vec<f64> = samples
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] < 0.0 && w[1] >= 0.0)
        .map(|(i, w)| i as f64 + w[0] / (w[0] - w[1]))
        .collect();
    let periods = (crossings.len() - 1) as f64;
    RATE * periods / (crossings[crossings.len() - 1] - crossings[0])
}

fn rms(samples: &[f64]) -> f64 {
    (samples.iter().map(|s| s * s).sum::<f64>() / samples.len() as f64).sqrt()
}

#[test]
fn every_supported_format_reaches_the_device_as_the_right_tone() {
    if let Ok(scenario) = std::env::var(CHILD) {
        return child(&scenario);
    }
    let cap = Capture::new();
    let formats: &[(&str, u32, u32, &[&str])] = &[
        ("tone.flac", 440, 44_100, &["-c:a", "flac"]),
        ("tone.wav", 523, 44_100, &["-c:a", "pcm_s16le"]),
        (
            "tone.mp3",
            587,
            44_100,
            &["-c:a", "libmp3lame", "-b:a", "192k"],
        ),
        ("tone.ogg", 659, 44_100, &["-c:a", "libvorbis", "-q:a", "6"]),
        (
            "tone-aac.m4a",
            698,
            44_100,
            &["-c:a", "aac", "-b:a", "192k"],
        ),
        ("tone-alac.m4a", 784, 44_100, &["-c:a", "alac"]),
        // A different rate than the device's: resampled on the way.
        ("tone-48k.flac", 880, 48_000, &["-c:a", "flac"]),
        // Opus (libopus through our adapter), under both of its usual extensions.
        (
            "tone.opus",
            988,
            48_000,
            &["-c:a", "libopus", "-b:a", "160k"],
        ),
        (
            "tone-opus.ogg",
            1047,
            48_000,
            &["-c:a", "libopus", "-b:a", "160k"],
        ),
    ];
    for &(name, freq, rate, codec) in formats {
        let file = make_tone(cap.dir.path(), name, freq, rate, codec);
        let wav = cap.path(&format!("{name}.captured.wav"));
        let events = cap.run_child("play", &cap.file_device_config(&wav), &file);
        assert!(
            events[0].starts_with("Started { play_id: 7"),
            "{name}: {events:?}"
        );
        assert_eq!(
            events.last().unwrap(),
            "Ended { play_id: 7 }",
            "{name}: {events:?}"
        );

        // The device keeps running (with silence) until shutdown; the tone is the loud part.
        let captured = read_wav_left(&wav);
        let first = captured
            .iter()
            .position(|s| s.abs() > 0.05)
            .expect("the tone was heard");
        let last = captured.iter().rposition(|s| s.abs() > 0.05).unwrap();
        let samples = &captured[first..=last];
        let seconds = samples.len() as f64 / RATE;
        // The whole second reached the device, no more and no less.
        assert!(
            (0.99..1.01).contains(&seconds),
            "{name}: heard {seconds:.3} s of tone"
        );
        let middle = &samples[samples.len() / 4..samples.len() / 2];
        let measured = frequency(middle);
        assert!(
            (measured - f64::from(freq)).abs() < f64::from(freq) * 0.005,
            "{name}: expected {freq} Hz, heard {measured:.1} Hz"
        );
        let level = rms(middle);
        assert!(
            (level - 0.5 / 2f64.sqrt()).abs() < 0.03,
            "{name}: rms {level:.3}"
        );
    }
}

#[test]
fn a_corrupt_file_fails_cleanly() {
    if let Ok(scenario) = std::env::var(CHILD) {
        return child(&scenario);
    }
    let cap = Capture::new();
    let file = cap.path("corrupt.flac");
    // A FLAC signature followed by garbage: the probe accepts it, the decoder must not crash.
    let mut bytes = b"fLaC\x00\x00\x00\x22".to_vec();
    bytes.extend((0..40_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(&file, bytes).unwrap();
    let wav = cap.path("corrupt.wav");
    let events = cap.run_child("corrupt", &cap.file_device_config(&wav), &file);
    let last = events.last().expect("an event");
    assert!(last.starts_with("Failed { play_id: 7"), "{events:?}");

    let empty = cap.path("empty.mp3");
    std::fs::write(&empty, b"").unwrap();
    let events = cap.run_child("corrupt", &cap.file_device_config(&wav), &empty);
    assert_eq!(
        events,
        vec!["Failed { play_id: 7, reason: \"the file is empty\", cause: Track }"]
    );
}

/// Paused, the audio thread sleeps until told something (issue #19: paused, nothing should
/// run at all; it used to wake every 40 ms); resumed, the track plays to its end.
#[test]
fn a_paused_player_sleeps() {
    if let Ok(scenario) = std::env::var(CHILD) {
        return child(&scenario);
    }
    let cap = Capture::new();
    let wav = cap.path("paused.wav");
    let conf = cap.file_device_config(&wav);
    let file = make_tone(cap.dir.path(), "t.flac", 440, 44_100, &["-c:a", "flac"]);
    let log = cap.run_child("paused", &conf, &file);
    let wakeups: u64 = log
        .iter()
        .find_map(|l| l.strip_prefix("paused "))
        .unwrap_or_else(|| panic!("{log:?}"))
        .parse()
        .unwrap();
    assert!(
        wakeups <= 2,
        "woke {wakeups} times in 2 s while paused: {log:?}"
    );
    assert!(
        log.iter().any(|l| l.starts_with("Ended { play_id: 7 ")),
        "resumed, it played to the end: {log:?}"
    );
    let heard = read_wav_left(&wav);
    assert!(
        rms(&audible_part(&heard)) > 0.1,
        "the tone reached the device"
    );
}

#[test]
fn a_missing_device_is_reported_not_fatal() {
    if let Ok(scenario) = std::env::var(CHILD) {
        return child(&scenario);
    }
    let cap = Capture::new();
    let conf = cap.path("nodevice.conf");
    std::fs::write(
        &conf,
        "pcm.!default { type hw card 29 }\nctl.!default { type hw card 29 }\n",
    )
    .unwrap();
    let file = make_tone(cap.dir.path(), "t.wav", 440, 44_100, &["-c:a", "pcm_s16le"]);
    let events = cap.run_child("no-device", &conf, &file);
    // Reported on load, and again on retry; the thread shut down cleanly (the child exited 0).
    assert_eq!(events.len(), 2, "{events:?}");
    for event in &events {
        assert!(
            event.starts_with("DeviceUnavailable { play_id: Some(7)"),
            "{event}"
        );
    }
}

/// The largest difference between neighbouring samples, and where it is.
fn largest_step(samples: &[f64]) -> (usize, f64) {
    samples
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .enumerate()
        .fold(
            (0, 0.0),
            |best, (i, d)| if d > best.1 { (i, d) } else { best },
        )
}

/// The left channel of `file` as ffmpeg decodes it: an independent decoder to compare with.
fn ffmpeg_left(file: &Path) -> Vec<f64> {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-f", "f32le", "-ac", "2", "-"])
        .output()
        .expect("ffmpeg is installed");
    assert!(
        output.status.success(),
        "ffmpeg could not decode {}",
        file.display()
    );
    output
        .stdout
        .chunks_exact(8)
        .map(|frame| f64::from(f32::from_le_bytes([frame[0], frame[1], frame[2], frame[3]])))
        .collect()
}

/// The stretch from the first to the last loud sample.
fn audible_part(samples: &[f64]) -> Vec<f64> {
    let start = samples
        .iter()
        .position(|s| s.abs() > 0.05)
        .expect("something was heard");
    let end = samples.iter().rposition(|s| s.abs() > 0.05).unwrap();
    samples[start..=end].to_vec()
}

/// Cut `[from, to)` samples out of a 10 s, 440 Hz stereo sine, sample-exactly.
fn sine_part(dir: &Path, name: &str, from: u32, to: u32, codec: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let filter = format!("atrim=start_sample={from}:end_sample={to},asetpts=N/SR/TB");
    let output = Command::new("ffmpeg")
        .args(["-y", "-v", "error", "-f", "lavfi"])
        .args([
            "-i",
            "aevalsrc=0.5*sin(2*PI*440*t)|0.5*sin(2*PI*440*t):s=44100:d=10",
        ])
        .args(["-af", &filter])
        .args(codec)
        .arg(&path)
        .output()
        .expect("ffmpeg is installed");
    assert!(
        output.status.success(),
        "ffmpeg: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    path
}

#[test]
fn consecutive_tracks_join_without_a_gap() {
    if let Ok(scenario) = std::env::var(CHILD) {
        return child(&scenario);
    }
    let cap = Capture::new();
    // Splits at an odd sample, in the middle of a period. Tracks of five seconds: the file
    // device takes samples many times faster than real time, and the follower (decoded when
    // the child asks, right after the first track starts) must reach the chain before the
    // first track ends. (And a one-second Ogg file is a single page, whose priming symphonia
    // 0.5 cannot tell from its end padding; every real track has many pages.)
    for (ext, codec, split, total) in [
        ("flac", &["-c:a", "flac"][..], 218_751, 441_000),
        ("wav", &["-c:a", "pcm_s16le"][..], 218_751, 441_000),
        (
            "ogg",
            &["-c:a", "libvorbis", "-q:a", "6"][..],
            218_751,
            441_000,
        ),
    ] {
        let first = sine_part(cap.dir.path(), &format!("a.{ext}"), 0, split, codec);
        let second = sine_part(cap.dir.path(), &format!("b.{ext}"), split, total, codec);
        let wav = cap.path(&format!("gapless-{ext}.wav"));
        let conf = cap.file_device_config(&wav);
        let events = cap.run_child_with("gapless", &conf, &first, Some(&second), 1.0);
        assert!(
            events
                .iter()
                .any(|e| e.starts_with("Continued { ended: 7, started: 8")),
            "{ext}: {events:?}"
        );
        assert_eq!(
            events.last().unwrap(),
            "Ended { play_id: 8 }",
            "{ext}: {events:?}"
        );

        let tone = audible_part(&read_wav_left(&wav));
        // The same sine as one file, through the same device path (which resamples): the two
        // halves must give exactly as many samples — a gap or an overlap would show.
        let whole = sine_part(cap.dir.path(), &format!("whole.{ext}"), 0, total, codec);
        let reference_wav = cap.path(&format!("whole-{ext}.wav"));
        cap.run_child("play", &cap.file_device_config(&reference_wav), &whole);
        let reference = audible_part(&read_wav_left(&reference_wav));
        assert!(
            tone.len().abs_diff(reference.len()) <= 2,
            "{ext}: {} samples from two files, {} from one; events {events:?}",
            tone.len(),
            reference.len()
        );
        // No step anywhere: a 440 Hz sine at 0.5 moves at most 0.031 per sample; a gap or a
        // click would jump by up to 0.5. A lossy codec leaves a little error at each file's
        // edge (Vorbis: ~0.036 at the joint), so the bound is the larger of the unsplit file's
        // largest step and that of ffmpeg's own decoding of the two halves, end to end.
        let (at, jump) = largest_step(&tone);
        let (_, unsplit) = largest_step(&reference);
        let mut halves = ffmpeg_left(&first);
        halves.extend(ffmpeg_left(&second));
        let (_, joined) = largest_step(&halves);
        let allowed = unsplit.max(joined);
        assert!(
            jump < allowed + 0.003 && jump < 0.045,
            "{ext}: a jump of {jump:.4} at {:.4} s (allowed: {allowed:.4})",
            at as f64 / RATE
        );
        assert!((frequency(&tone) - 440.0).abs() < 2.2, "{ext}");
    }
}

#[test]
fn a_track_gain_scales_what_reaches_the_device() {
    if let Ok(scenario) = std::env::var(CHILD) {
        return child(&scenario);
    }
    let cap = Capture::new();
    let file = make_tone(cap.dir.path(), "rg.flac", 440, 44_100, &["-c:a", "flac"]);
    let wav = cap.path("rg.wav");
    // -6.02 dB of ReplayGain: half the amplitude.
    let events = cap.run_child_with("gain", &cap.file_device_config(&wav), &file, None, 0.5);
    assert_eq!(events.last().unwrap(), "Ended { play_id: 7 }", "{events:?}");
    let samples = read_wav_left(&wav);
    let loud = samples.iter().position(|s| s.abs() > 0.05).unwrap();
    let middle = &samples[loud + 11_025..loud + 33_075];
    let level = rms(middle);
    assert!(
        (level - 0.25 / 2f64.sqrt()).abs() < 0.015,
        "rms {level:.3}, expected 0.177"
    );
}

/// Index of the first sample that is not silence.
fn first_sound(samples: &[f64]) -> usize {
    samples
        .iter()
        .position(|s| s.abs() > 1e-4)
        .expect("something was heard")
}

#[test]
fn starting_mid_track_lands_within_a_millisecond() {
    if let Ok(scenario) = std::env::var(CHILD) {
        return child(&scenario);
    }
    let cap = Capture::new();
    // A 2 s chirp (200 → 600 Hz): unlike a plain sine, every stretch of it is unique, so
    // where playback began can be found by matching.
    let file = cap.path("chirp.flac");
    let output = Command::new("ffmpeg")
        .args(["-y", "-v", "error", "-f", "lavfi", "-i"])
        .arg("aevalsrc=0.5*sin(2*PI*(200*t+100*t*t))|0.5*sin(2*PI*(200*t+100*t*t)):s=44100:d=2")
        .args(["-c:a", "flac"])
        .arg(&file)
        .output()
        .expect("ffmpeg is installed");
    assert!(output.status.success());
    let reference_wav = cap.path("seek-reference.wav");
    cap.run_child("seek", &cap.file_device_config(&reference_wav), &file);
    let reference = read_wav_left(&reference_wav);
    let reference = &reference[first_sound(&reference)..];

    let wav = cap.path("seek-1234.wav");
    let events = cap.run_child_at(
        "seek",
        &cap.file_device_config(&wav),
        &file,
        None,
        1.0,
        1_234,
    );
    assert!(
        events
            .iter()
            .any(|e| e == "Position { play_id: 7, position_ms: 1234 }"),
        "{events:?}"
    );
    let captured = read_wav_left(&wav);
    // The device path resamples (rodio's rate to the file device's), so the two captures are
    // not sample-identical and each starts with a little filter ringing: skip that, then find
    // where in the whole track the heard stretch fits best.
    let skip = 300;
    let heard = &captured[first_sound(&captured) + skip..];
    let expected = 1.234 * RATE;
    let compare = 4_000;
    let around = expected as usize + skip;
    let (offset, error) = (around - 2_000..around + 2_000)
        .map(|offset| {
            let error = heard[..compare]
                .iter()
                .zip(&reference[offset..offset + compare])
                .map(|(a, b)| (a - b).abs())
                .sum::<f64>()
                / compare as f64;
            (offset, error)
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    // A chirp shifted by even 2 ms differs by ~0.3 on average; the right place by < 0.06.
    assert!(
        error < 0.06,
        "no stretch of the track matches what was heard (best error {error:.4} at {offset})"
    );
    let began = (offset - skip) as f64;
    assert!(
        (began - expected).abs() <= 0.001 * RATE,
        "playback began {:.2} ms from 1.234 s",
        (began - expected) / RATE * 1000.0
    );
    // And it plays on to the end: 2 s − 1.234 s of sound.
    let audible = audible_part(&captured).len() as f64 / RATE;
    assert!(
        (audible - 0.766).abs() < 0.01,
        "heard {audible:.3} s after the seek"
    );
}

#[test]
fn the_chosen_output_device_gets_the_audio() {
    if let Ok(scenario) = std::env::var(CHILD) {
        return child(&scenario);
    }
    let cap = Capture::new();
    let (a, b) = (cap.path("device-a.wav"), cap.path("device-b.wav"));
    // Two outputs: the default writes to a.wav; "Test output B" (listed, thanks to its hint)
    // writes to b.wav.
    let conf = cap.path("two-devices.conf");
    std::fs::write(
        &conf,
        format!(
            "pcm.!default {{ type plug slave {{ pcm \"filea\" format S16_LE rate 44100 channels 2 }} }}\n\
             pcm.filea {{ type file slave.pcm \"nullsink\" file \"{}\" format \"wav\" }}\n\
             pcm.outb {{ type plug slave {{ pcm \"fileb\" format S16_LE rate 44100 channels 2 }}\n\
               hint {{ show on description \"Test output B\" }} }}\n\
             pcm.fileb {{ type file slave.pcm \"nullsink\" file \"{}\" format \"wav\" }}\n\
             pcm.nullsink {{ type null }}\n\
             ctl.!default {{ type hw card 0 }}\n",
            a.display(),
            b.display()
        ),
    )
    .unwrap();
    let file = make_tone(cap.dir.path(), "d.flac", 440, 44_100, &["-c:a", "flac"]);
    let events = cap.run_child("device", &conf, &file);
    assert!(
        events[0].contains("name: \"Test output B\""),
        "B is listed: {}",
        events[0]
    );
    assert_eq!(events.last().unwrap(), "Ended { play_id: 7 }", "{events:?}");
    let heard = read_wav_left(&b);
    assert!(
        (audible_part(&heard).len() as f64 / RATE - 1.0).abs() < 0.01,
        "the tone went to B"
    );
    let on_a = std::fs::metadata(&a).map_or(0, |m| m.len());
    assert!(
        on_a <= 44,
        "nothing went to the default device ({on_a} bytes)"
    );
}

#[test]
fn a_crossfade_overlaps_the_tracks_without_a_dip() {
    if let Ok(scenario) = std::env::var(CHILD) {
        return child(&scenario);
    }
    let cap = Capture::new();
    // A first track of 4 s: the file device takes samples many times faster than real time,
    // and the follower (decoded when the child asks, right after the first track starts) must
    // reach the chain before the fade begins.
    let first = make_tone_of(cap.dir.path(), "x1.flac", 440, 44_100, 4, &["-c:a", "flac"]);
    let second = make_tone(cap.dir.path(), "x2.flac", 660, 44_100, &["-c:a", "flac"]);
    let wav = cap.path("crossfade.wav");
    let events = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            scenario_test("crossfade"),
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "crossfade")
        .env("ALSA_CONFIG_PATH", cap.file_device_config(&wav))
        // The capture device is an ALSA one, even where a PulseAudio server runs.
        .env("LYREBIRD_AUDIO_OUTPUT", "alsa")
        .env("LYREBIRD_AUDIO_FILE", &first)
        .env("LYREBIRD_AUDIO_FILE2", &second)
        .env("LYREBIRD_AUDIO_CROSSFADE_MS", "400")
        .env("LYREBIRD_AUDIO_EVENTS", cap.path("crossfade.events"))
        .env_remove("PULSE_SERVER")
        .status()
        .unwrap();
    assert!(events.success());
    let events = std::fs::read_to_string(cap.path("crossfade.events")).unwrap();
    assert!(
        events.contains("Continued { ended: 7, started: 8"),
        "{events}"
    );

    let heard = audible_part(&read_wav_left(&wav));
    let seconds = heard.len() as f64 / RATE;
    // A 4 s track and a 1 s one, overlapping by 0.4 s. The fade starts at the chain's first
    // position update (every 1 024 frames, 23 ms) from 0.4 s before the end: here 22 ms late.
    assert!(
        (4.595..4.626).contains(&seconds),
        "heard {seconds:.3} s; {events}"
    );
    let at = |s: f64| (s * RATE) as usize;
    let before = frequency(&heard[at(3.1)..at(3.5)]);
    let after = frequency(&heard[at(4.1)..at(4.5)]);
    assert!((before - 440.0).abs() < 3.0, "first track: {before:.1} Hz");
    assert!((after - 660.0).abs() < 3.0, "second track: {after:.1} Hz");
    // Equal-power fade of two unrelated tones: the level stays near one tone's, no dip and no
    // doubling (a plain sum of the two would reach √2 of it, a gap would fall to 0).
    let one = rms(&heard[at(3.1)..at(3.5)]);
    for window in heard[at(3.6)..at(4.0)].chunks(at(0.02)) {
        let level = rms(window);
        assert!(
            (level / one - 1.0).abs() < 0.2,
            "level {level:.3} in the fade against {one:.3} outside it"
        );
    }
}
