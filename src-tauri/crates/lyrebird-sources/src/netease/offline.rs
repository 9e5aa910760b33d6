//! The NetEase lists kept for an offline start: daily songs, liked songs, recently played,
//! the playlists and each playlist's first page, as NetEase last answered them for the user.
//! When NetEase cannot be reached, those answers are shown instead (the actor says so with a
//! notice) and their tracks play from the user's other copies through the fallback race.
//!
//! One file per list in the app's data directory (not its cache: losing them loses the offline
//! start), written whole to a temporary file and renamed, read back bounded. Each names the user
//! it belongs to: another account's lists are never shown. No state in memory: the files are
//! the store, and writes of different lists do not touch each other.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// The most one list's file may be (a playlist page of 500 tracks is ~300 KB).
const MAX_FILE_BYTES: u64 = 16 << 20;
/// Playlist pages kept; the oldest go first.
const MAX_PLAYLIST_FILES: usize = 64;
const PLAYLIST_PREFIX: &str = "playlist-";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Kept<T> {
    user: u64,
    saved_ms: u64,
    value: T,
}

/// Where the lists are kept.
#[derive(Clone, Debug)]
pub struct Shelf {
    dir: PathBuf,
}

/// Which list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    Daily,
    Liked,
    Recent,
    Playlists,
    /// A playlist's first page.
    Playlist(u64),
}

impl List {
    fn file_name(self) -> String {
        match self {
            Self::Daily => "daily.json".into(),
            Self::Liked => "liked.json".into(),
            Self::Recent => "recent.json".into(),
            Self::Playlists => "playlists.json".into(),
            Self::Playlist(id) => format!("{PLAYLIST_PREFIX}{id}.json"),
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Shelf {
    /// Lists kept under `dir` (created when first written).
    #[must_use]
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// Keeps `value` as `user`'s `list`. Failing to write is logged, never an error: the list
    /// was shown all the same.
    pub async fn keep<T: Serialize>(&self, user: u64, list: List, value: &T) {
        let saved = Kept {
            user,
            saved_ms: now_ms(),
            value,
        };
        let bytes = match serde_json::to_vec(&saved) {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::warn!(error = %e, ?list, "a NetEase list could not be kept");
                return;
            }
        };
        let (dir, name) = (self.dir.clone(), list.file_name());
        let written = tokio::task::spawn_blocking(move || {
            write_whole(&dir, &name, &bytes)?;
            if matches!(list, List::Playlist(_)) {
                prune_playlists(&dir);
            }
            Ok::<_, std::io::Error>(())
        })
        .await;
        if let Ok(Err(e)) = written {
            tracing::warn!(error = %e, ?list, "a NetEase list could not be kept");
        }
    }

    /// `user`'s `list` as last kept, and when (ms since 1970); `None` when there is none for
    /// this user, or it cannot be read (a damaged file is left alone and logged).
    pub async fn take<T: DeserializeOwned + Send + 'static>(
        &self,
        user: u64,
        list: List,
    ) -> Option<(T, u64)> {
        let path = self.dir.join(list.file_name());
        let read = tokio::task::spawn_blocking(move || read_bounded(&path)).await;
        let bytes = match read {
            Ok(Ok(Some(bytes))) => bytes,
            Ok(Ok(None)) | Err(_) => return None,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, ?list, "a kept NetEase list could not be read");
                return None;
            }
        };
        match serde_json::from_slice::<Kept<T>>(&bytes) {
            Ok(saved) if saved.user == user => Some((saved.value, saved.saved_ms)),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(error = %e, ?list, "a kept NetEase list is damaged");
                None
            }
        }
    }

    /// Forgets every list (signing out).
    pub async fn clear(&self) {
        let dir = self.dir.clone();
        let _ = tokio::task::spawn_blocking(move || {
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for entry in entries.flatten() {
                    let path = entry.path();
                    if path.extension().is_some_and(|e| e == "json") {
                        let _ = std::fs::remove_file(path);
                    }
                }
            }
        })
        .await;
    }
}

fn write_whole(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(dir.join(name)).map_err(|e| e.error)?;
    Ok(())
}

fn read_bounded(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read as _;
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other("larger than a kept list can be"));
    }
    Ok(Some(bytes))
}

/// Keeps the newest [`MAX_PLAYLIST_FILES`] playlist pages.
fn prune_playlists(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut pages: Vec<(SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(PLAYLIST_PREFIX))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if pages.len() <= MAX_PLAYLIST_FILES {
        return;
    }
    pages.sort_by_key(|page| std::cmp::Reverse(page.0));
    for (_, path) in pages.into_iter().skip(MAX_PLAYLIST_FILES) {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lists_come_back_for_their_user_only_and_damage_is_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let shelf = Shelf::new(dir.path().join("netease"));
        assert_eq!(shelf.take::<Vec<String>>(1, List::Daily).await, None);
        shelf.keep(1, List::Daily, &vec!["a", "b"]).await;
        let (daily, saved) = shelf.take::<Vec<String>>(1, List::Daily).await.unwrap();
        assert_eq!(daily, ["a", "b"]);
        assert!(saved > 1_700_000_000_000);
        assert_eq!(
            shelf.take::<Vec<String>>(2, List::Daily).await,
            None,
            "another user's"
        );
        assert_eq!(shelf.take::<Vec<String>>(1, List::Liked).await, None);

        std::fs::write(dir.path().join("netease/liked.json"), b"{\"user\":1,").unwrap();
        assert_eq!(
            shelf.take::<Vec<String>>(1, List::Liked).await,
            None,
            "damaged"
        );
        let huge = std::fs::File::create(dir.path().join("netease/recent.json")).unwrap();
        huge.set_len(MAX_FILE_BYTES + 10).unwrap();
        assert_eq!(
            shelf.take::<Vec<String>>(1, List::Recent).await,
            None,
            "too large"
        );

        for id in 0..(MAX_PLAYLIST_FILES as u64 + 5) {
            shelf.keep(1, List::Playlist(id), &id).await;
        }
        let pages = std::fs::read_dir(dir.path().join("netease"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(PLAYLIST_PREFIX))
            .count();
        assert_eq!(pages, MAX_PLAYLIST_FILES);

        shelf.clear().await;
        assert_eq!(shelf.take::<Vec<String>>(1, List::Daily).await, None);
    }
}
