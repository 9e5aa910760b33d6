//! Per-track lyrics offsets: owned by the actor, published for the current track, clamped, and
//! remembered across restarts beside the settings.

use std::path::PathBuf;

use lyrebird_core::actor::{Action, MAX_LYRICS_OFFSET_MS, Player, PlayerConfig, PlayerHandle};
use lyrebird_core::{AudioCommand, AudioEvent, SourceKind, Track, TrackId};
use tokio::sync::mpsc;

struct Running {
    player: PlayerHandle,
    _audio: (
        mpsc::UnboundedReceiver<AudioCommand>,
        mpsc::UnboundedSender<AudioEvent>,
    ),
}

fn start(settings_path: Option<PathBuf>) -> Running {
    let config = PlayerConfig {
        settings_path,
        system_locale: "en".into(),
        ..PlayerConfig::default()
    };
    let (audio_tx, audio_rx) = mpsc::unbounded_channel();
    let (audio_events, audio_events_rx) = mpsc::unbounded_channel();
    let (player, _events, actor) = Player::new(config, audio_tx, audio_events_rx);
    tokio::spawn(actor);
    Running {
        player,
        _audio: (audio_rx, audio_events),
    }
}

/// A local track whose file exists (a missing file would start a search for copies).
fn track(dir: &std::path::Path, name: &str) -> Track {
    let path = dir.join(format!("{name}.flac"));
    std::fs::write(&path, b"").unwrap();
    Track::from_path(path, SourceKind::Local)
}

async fn shown(player: &PlayerHandle) -> i64 {
    player.snapshot().await.unwrap().state.lyrics_offset_ms
}

async fn set(player: &PlayerHandle, track: &TrackId, offset_ms: i64) {
    let track = track.clone();
    player
        .act(Action::SetLyricsOffset { track, offset_ms })
        .await
        .unwrap();
}

#[tokio::test]
async fn the_current_tracks_offset_is_published_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let (a, b) = (track(dir.path(), "a"), track(dir.path(), "b"));
    let run = start(Some(path.clone()));
    run.player
        .act(Action::PlayTracks(vec![a.clone(), b.clone()]))
        .await
        .unwrap();
    assert_eq!(shown(&run.player).await, 0);

    set(&run.player, &a.id, 500).await;
    set(&run.player, &a.id, 1_000).await;
    assert_eq!(shown(&run.player).await, 1_000);
    // Another track's offset does not show while `a` plays…
    set(&run.player, &b.id, -1_500).await;
    assert_eq!(shown(&run.player).await, 1_000);
    // …and shows when `b` does.
    run.player.act(Action::Next).await.unwrap();
    assert_eq!(shown(&run.player).await, -1_500);

    // Clamped to a minute either way.
    set(&run.player, &b.id, i64::MIN).await;
    assert_eq!(shown(&run.player).await, -MAX_LYRICS_OFFSET_MS);
    set(&run.player, &b.id, -2_000).await;
    run.player.shutdown().await.unwrap();

    let saved = std::fs::read_to_string(dir.path().join("lyrics-offsets.json")).unwrap();
    assert!(saved.contains("-2000"), "{saved}");

    // A new actor (a restart) knows both; the restored session is not needed for that.
    let run = start(Some(path));
    run.player
        .act(Action::PlayTracks(vec![a.clone(), b.clone()]))
        .await
        .unwrap();
    assert_eq!(shown(&run.player).await, 1_000);
    run.player.act(Action::Next).await.unwrap();
    assert_eq!(shown(&run.player).await, -2_000);

    // Reset (0) forgets the track: it is no longer in the file.
    set(&run.player, &b.id, 0).await;
    assert_eq!(shown(&run.player).await, 0);
    run.player.shutdown().await.unwrap();
    let saved = std::fs::read_to_string(dir.path().join("lyrics-offsets.json")).unwrap();
    assert!(!saved.contains(&b.id.0), "{saved}");
    assert!(saved.contains(&a.id.0), "{saved}");
}

#[tokio::test]
async fn a_corrupt_offsets_file_starts_empty_and_is_kept_aside() {
    let dir = tempfile::tempdir().unwrap();
    let offsets = dir.path().join("lyrics-offsets.json");
    std::fs::write(&offsets, b"{ not json").unwrap();
    let a = track(dir.path(), "a");
    let run = start(Some(dir.path().join("settings.json")));
    run.player
        .act(Action::PlayTracks(vec![a.clone()]))
        .await
        .unwrap();
    assert_eq!(shown(&run.player).await, 0);
    set(&run.player, &a.id, 500).await;
    assert_eq!(shown(&run.player).await, 500);
    run.player.shutdown().await.unwrap();
    let aside = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("lyrics-offsets.json.")
        })
        .count();
    assert_eq!(aside, 1, "the corrupt file is kept");
}

#[tokio::test]
async fn without_a_settings_path_offsets_live_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let a = track(dir.path(), "a");
    let run = start(None);
    run.player
        .act(Action::PlayTracks(vec![a.clone()]))
        .await
        .unwrap();
    set(&run.player, &a.id, -500).await;
    assert_eq!(shown(&run.player).await, -500);
}

#[tokio::test]
async fn what_lyrics_show_under_their_lines_is_a_saved_setting() {
    use lyrebird_core::settings::{self, LyricsSettings};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let run = start(Some(path.clone()));
    let before = run.player.snapshot().await.unwrap().settings.lyrics;
    assert_eq!(
        before,
        LyricsSettings {
            translation: true,
            romanization: false,
            from_netease: false,
        },
        "translations shown, romanisations not, by default"
    );
    let wanted = LyricsSettings {
        translation: false,
        romanization: true,
        from_netease: true,
    };
    run.player
        .act(Action::SetLyricsSettings(wanted))
        .await
        .unwrap();
    assert_eq!(run.player.snapshot().await.unwrap().settings.lyrics, wanted);
    run.player.shutdown().await.unwrap();
    assert_eq!(settings::load(&path).value.lyrics, wanted);
}
