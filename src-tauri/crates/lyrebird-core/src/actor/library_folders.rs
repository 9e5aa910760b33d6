//! The local library's folders: part of the settings, owned by the actor like every setting.
//! The launcher follows changes (rescans and watches the new set) through a watch channel.

use std::path::PathBuf;

use super::{Action, Actor, PlayerError};
use crate::audio::AudioOutput;
use crate::model::TrackId;

/// Where the local library's folders come from.
#[derive(Clone, Debug, Default)]
pub struct LibraryFolderConfig {
    /// The folders while the settings name none: the OS music folder.
    pub default: Vec<PathBuf>,
    /// Folders given from outside (`LYREBIRD_LIBRARY_DIRS`): they replace the setting, and
    /// changes made while they are in force last until the app quits (the setting is kept).
    pub forced: Option<Vec<PathBuf>>,
    /// Told the folders in effect at start and after every change.
    pub changed: Option<tokio::sync::watch::Sender<Vec<PathBuf>>>,
}

impl<A: AudioOutput> Actor<A> {
    pub(super) fn init_library_folders(&mut self) {
        let config = &self.config.library_folders;
        self.library_folders = config
            .forced
            .clone()
            .or_else(|| self.settings.library_folders.clone())
            .unwrap_or_else(|| config.default.clone());
        self.publish_library_folders();
    }

    pub(super) fn change_library_folders(&mut self, action: Action) {
        let mut folders = self.library_folders.clone();
        match action {
            Action::AddLibraryFolder(folder) => {
                // A folder inside one already there adds nothing; one around others replaces
                // them (their files are its files).
                if folders.iter().any(|f| folder.starts_with(f)) {
                    return;
                }
                folders.retain(|f| !f.starts_with(&folder));
                folders.push(folder);
            }
            Action::RemoveLibraryFolder(folder) => {
                // The UI names folders by their text, which is lossy for non-UTF-8 paths.
                let text = folder.display().to_string();
                folders.retain(|f| *f != folder && f.display().to_string() != text);
            }
            _ => return,
        }
        if folders == self.library_folders {
            return;
        }
        self.library_folders = folders;
        self.dirty.state = true;
        if self.config.library_folders.forced.is_none() {
            self.settings.library_folders = Some(self.library_folders.clone());
            self.settings_changed();
        }
        self.publish_library_folders();
    }

    /// Replace the queue with these library tracks, in this order, and play the first.
    pub(super) fn play_library_tracks(&mut self, ids: &[TrackId]) -> Result<(), PlayerError> {
        let tracks = ids
            .iter()
            .map(|id| {
                let index = self.library_index.get(id);
                index
                    .and_then(|&i| self.library.tracks.get(i).cloned())
                    .ok_or_else(|| PlayerError::UnknownTrack(id.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if tracks.is_empty() {
            return Err(PlayerError::NothingToPlay);
        }
        self.queue.replace(tracks, 0);
        self.dirty.queue = true;
        self.consecutive_failures = 0;
        self.load_current(0, false);
        Ok(())
    }

    fn publish_library_folders(&self) {
        if let Some(changed) = &self.config.library_folders.changed {
            changed.send_replace(self.library_folders.clone());
        }
    }
}
