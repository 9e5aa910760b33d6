//! The library folders as a setting the actor owns: the default, the environment's override,
//! adding and removing, saving, and the channel the launcher follows.

use std::path::PathBuf;
use std::time::Duration;

use lyrebird_core::actor::{Action, LibraryFolderConfig, Player, PlayerConfig, PlayerHandle};
use lyrebird_core::{AudioCommand, AudioEvent};
use tokio::sync::{mpsc, watch};

struct Running {
    player: PlayerHandle,
    folders: watch::Receiver<Vec<PathBuf>>,
    _audio: (
        mpsc::UnboundedReceiver<AudioCommand>,
        mpsc::UnboundedSender<AudioEvent>,
    ),
}

fn start(settings_path: PathBuf, forced: Option<Vec<PathBuf>>) -> Running {
    let (changed, folders) = watch::channel(Vec::new());
    let config = PlayerConfig {
        settings_path: Some(settings_path),
        system_locale: "en".into(),
        library_folders: LibraryFolderConfig {
            default: vec![PathBuf::from("/home/u/Music")],
            forced,
            changed: Some(changed),
        },
        ..PlayerConfig::default()
    };
    let (audio_tx, audio_rx) = mpsc::unbounded_channel();
    let (audio_events, audio_events_rx) = mpsc::unbounded_channel();
    let (player, _events, actor) = Player::new(config, audio_tx, audio_events_rx);
    tokio::spawn(actor);
    Running {
        player,
        folders,
        _audio: (audio_rx, audio_events),
    }
}

async fn shown(player: &PlayerHandle) -> Vec<String> {
    player.snapshot().await.unwrap().state.library_folders
}

#[tokio::test]
async fn folders_default_to_the_music_folder_and_changes_are_saved_and_followed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let mut run = start(path.clone(), None);
    assert_eq!(shown(&run.player).await, ["/home/u/Music"]);
    assert_eq!(
        *run.folders.borrow_and_update(),
        [PathBuf::from("/home/u/Music")]
    );

    run.player
        .act(Action::AddLibraryFolder("/nas/音乐".into()))
        .await
        .unwrap();
    assert_eq!(shown(&run.player).await, ["/home/u/Music", "/nas/音乐"]);
    assert!(run.folders.has_changed().unwrap());
    assert_eq!(run.folders.borrow_and_update().len(), 2);

    // Already covered, or the same again: nothing changes, nobody rescans.
    for inside in ["/home/u/Music/Jazz", "/nas/音乐"] {
        run.player
            .act(Action::AddLibraryFolder(inside.into()))
            .await
            .unwrap();
    }
    assert!(!run.folders.has_changed().unwrap());

    run.player
        .act(Action::RemoveLibraryFolder("/home/u/Music".into()))
        .await
        .unwrap();
    assert_eq!(shown(&run.player).await, ["/nas/音乐"]);
    assert_eq!(
        *run.folders.borrow_and_update(),
        [PathBuf::from("/nas/音乐")]
    );

    run.player.shutdown().await.unwrap();
    let saved = lyrebird_core::settings::load(&path).value;
    assert_eq!(
        saved.library_folders,
        Some(vec![PathBuf::from("/nas/音乐")])
    );

    // The next start uses the saved folders, not the default.
    let run = start(path, None);
    assert_eq!(shown(&run.player).await, ["/nas/音乐"]);
}

#[tokio::test]
async fn folders_from_the_environment_win_and_their_changes_are_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let run = start(path.clone(), None);
    run.player
        .act(Action::AddLibraryFolder("/saved".into()))
        .await
        .unwrap();
    run.player.shutdown().await.unwrap();

    let mut run = start(path.clone(), Some(vec![PathBuf::from("/tests/music")]));
    let state = run.player.snapshot().await.unwrap().state;
    assert_eq!(state.library_folders, ["/tests/music"]);
    assert!(state.library_folders_from_env);
    assert_eq!(
        *run.folders.borrow_and_update(),
        [PathBuf::from("/tests/music")]
    );
    run.player
        .act(Action::AddLibraryFolder("/tests/more".into()))
        .await
        .unwrap();
    assert_eq!(shown(&run.player).await, ["/tests/music", "/tests/more"]);
    assert_eq!(run.folders.borrow_and_update().len(), 2);
    // A volume change saves the settings: the folders in them stay as they were.
    run.player.act(Action::SetVolume(0.3)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    run.player.shutdown().await.unwrap();
    let saved = lyrebird_core::settings::load(&path).value;
    assert_eq!(
        saved.library_folders,
        Some(vec![
            PathBuf::from("/home/u/Music"),
            PathBuf::from("/saved")
        ])
    );
}

#[tokio::test]
async fn an_album_replaces_the_queue_in_its_order() {
    use lyrebird_core::events::LibraryView;
    use lyrebird_core::model::{SourceKind, Track};
    let dir = tempfile::tempdir().unwrap();
    let run = start(dir.path().join("settings.json"), None);
    let tracks: Vec<Track> = (0..4)
        .map(|i| {
            let path = dir.path().join(format!("{i}.flac"));
            std::fs::write(&path, b"not really flac").unwrap();
            Track::from_path(path, SourceKind::Local)
        })
        .collect();
    run.player
        .act(Action::SetLibrary(LibraryView {
            tracks: tracks.clone(),
            scanning: false,
        }))
        .await
        .unwrap();
    let album = vec![tracks[2].id.clone(), tracks[0].id.clone()];
    run.player
        .act(Action::PlayLibraryTracks(album))
        .await
        .unwrap();
    let snapshot = run.player.snapshot().await.unwrap();
    let queued: Vec<_> = snapshot
        .queue
        .window
        .iter()
        .map(|e| e.track.id.clone())
        .collect();
    assert_eq!(queued, [tracks[2].id.clone(), tracks[0].id.clone()]);
    assert_eq!(snapshot.state.current.unwrap().id, tracks[2].id);
    let unknown = Action::PlayLibraryTracks(vec![lyrebird_core::TrackId("local:nope".into())]);
    assert!(run.player.act(unknown).await.is_err());
}
