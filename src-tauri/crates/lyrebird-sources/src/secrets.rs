//! Where server passwords and API keys are kept: the OS keyring (Secret Service over D-Bus on
//! Linux, the Keychain, the Credential Manager) when there is one, otherwise a file in the
//! config dir that only the user can read (mode 0600). Secrets never go to the settings, the
//! log or the webview.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lyrebird_core::servers::SecretStorage;

/// The keyring's service name; the account is the server's id.
const SERVICE: &str = "io.lyrebird.player";
/// The fallback file, in the config dir.
pub const SECRETS_FILE: &str = "server-secrets.json";
/// A keyring that does not answer by then (a D-Bus service that hangs, an unlock prompt
/// nobody sees) counts as unavailable.
const KEYRING_TIMEOUT: Duration = Duration::from_secs(5);

/// An OS credential store. Blocking calls; run off the async runtime.
pub trait Keyring: Send + Sync + 'static {
    fn set(&self, account: &str, secret: &str) -> Result<(), String>;
    /// `Ok(None)`: no such entry.
    fn get(&self, account: &str) -> Result<Option<String>, String>;
    fn delete(&self, account: &str) -> Result<(), String>;
}

/// The platform's keyring through the `keyring` crate.
pub struct OsKeyring;

impl Keyring for OsKeyring {
    fn set(&self, account: &str, secret: &str) -> Result<(), String> {
        keyring::Entry::new(SERVICE, account)
            .and_then(|entry| entry.set_password(secret))
            .map_err(|e| e.to_string())
    }

    fn get(&self, account: &str) -> Result<Option<String>, String> {
        match keyring::Entry::new(SERVICE, account).and_then(|entry| entry.get_password()) {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    fn delete(&self, account: &str) -> Result<(), String> {
        match keyring::Entry::new(SERVICE, account).and_then(|entry| entry.delete_credential()) {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// The OS keyring, unless `LYREBIRD_NO_KEYRING=1` asks for the file only (tests, or a
/// keyring that misbehaves).
#[must_use]
pub fn os_keyring() -> Option<Arc<dyn Keyring>> {
    let off = std::env::var("LYREBIRD_NO_KEYRING").is_ok_and(|v| v == "1");
    (!off).then(|| Arc::new(OsKeyring) as Arc<dyn Keyring>)
}

/// The secrets of every server: keyring first, the 0600 file when there is no keyring.
#[derive(Clone)]
pub struct SecretStore {
    keyring: Option<Arc<dyn Keyring>>,
    file: SecretFile,
}

impl SecretStore {
    /// `keyring: None` uses the file only (`LYREBIRD_NO_KEYRING=1`).
    #[must_use]
    pub fn new(config_dir: &Path, keyring: Option<Arc<dyn Keyring>>) -> Self {
        Self {
            keyring,
            file: SecretFile::open(config_dir.join(SECRETS_FILE)),
        }
    }

    /// Keep `secret` for server `id`; says where it went.
    pub async fn store(&self, id: &str, secret: &str) -> Result<SecretStorage, String> {
        if let Some(keyring) = &self.keyring {
            let (id2, secret2, keyring) = (id.to_owned(), secret.to_owned(), keyring.clone());
            match blocking(move || keyring.set(&id2, &secret2)).await {
                Ok(()) => {
                    // A copy left in the file from a time without keyring goes.
                    let _ = self.file.edit(id, None).await;
                    return Ok(SecretStorage::Keyring);
                }
                Err(e) => {
                    tracing::info!(error = %e, "no usable keyring; keeping the secret in a file only you can read");
                }
            }
        }
        self.file.edit(id, Some(secret.to_owned())).await?;
        Ok(SecretStorage::File)
    }

    /// The secret of server `id`, from where it was stored.
    pub async fn load(&self, id: &str, storage: SecretStorage) -> Option<String> {
        match storage {
            SecretStorage::None => None,
            SecretStorage::Keyring => {
                let keyring = self.keyring.clone()?;
                let id = id.to_owned();
                blocking(move || keyring.get(&id))
                    .await
                    .inspect_err(|e| tracing::warn!(error = %e, "keyring unavailable"))
                    .ok()
                    .flatten()
            }
            SecretStorage::File => self.file.read(id).await,
        }
    }

    /// The secret stored under `id` wherever it is: the keyring first, then the file (for
    /// entries the settings do not say the place of: the NetEase session).
    pub async fn load_any(&self, id: &str) -> Option<String> {
        if let Some(secret) = self.load(id, SecretStorage::Keyring).await {
            return Some(secret);
        }
        self.load(id, SecretStorage::File).await
    }

    /// Forget the secret of server `id`, wherever it is.
    pub async fn delete(&self, id: &str) {
        if let Some(keyring) = self.keyring.clone() {
            let account = id.to_owned();
            if let Err(e) = blocking(move || keyring.delete(&account)).await {
                tracing::info!(error = %e, "keyring entry not deleted");
            }
        }
        if let Err(e) = self.file.edit(id, None).await {
            tracing::warn!(error = %e, "secret file not updated");
        }
    }
}

/// What the file's owner thread is asked to do.
enum FileJob {
    Read(String, tokio::sync::oneshot::Sender<Option<String>>),
    Edit(
        String,
        Option<String>,
        tokio::sync::oneshot::Sender<Result<(), String>>,
    ),
}

/// The fallback file, owned by one thread of its own: edits are read–modify–write, and two
/// at once would lose one of them (servers saved at the same moment). Every read and edit is
/// a message to that thread, which ends when the last handle goes.
#[derive(Clone)]
struct SecretFile(std::sync::mpsc::Sender<FileJob>);

impl SecretFile {
    fn open(file: PathBuf) -> Self {
        // A run killed mid-write left its temporary copy: nothing will rename it now. Removed
        // before the store is handed out (one small directory listing), so that nothing can
        // see the store without the cleanup having happened.
        lyrebird_core::settings::remove_stale_temps(&file);
        let (jobs, inbox) = std::sync::mpsc::channel::<FileJob>();
        let spawned = std::thread::Builder::new()
            .name("lyrebird-secrets".into())
            .spawn(move || {
                for job in inbox {
                    match job {
                        FileJob::Read(id, reply) => {
                            let _ = reply.send(read_file(&file).remove(&id));
                        }
                        FileJob::Edit(id, secret, reply) => {
                            let _ = reply.send(edit_file(&file, id, secret));
                        }
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "no thread for the secrets file");
        }
        Self(jobs)
    }

    async fn read(&self, id: &str) -> Option<String> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.0.send(FileJob::Read(id.to_owned(), reply)).ok()?;
        answer.await.ok().flatten()
    }

    async fn edit(&self, id: &str, secret: Option<String>) -> Result<(), String> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.0
            .send(FileJob::Edit(id.to_owned(), secret, reply))
            .map_err(|_| "the secrets file is closed".to_owned())?;
        answer
            .await
            .map_err(|_| "the secrets file is closed".to_owned())?
    }
}

fn edit_file(file: &Path, id: String, secret: Option<String>) -> Result<(), String> {
    let mut secrets = read_file(file);
    let changed = match secret {
        Some(secret) => secrets.insert(id, secret.clone()) != Some(secret),
        None => secrets.remove(&id).is_some(),
    };
    if !changed {
        return Ok(());
    }
    write_private(file, &secrets).map_err(|e| format!("cannot write {SECRETS_FILE}: {e}"))
}

/// Run a keyring call on a thread of its own, giving up after [`KEYRING_TIMEOUT`].
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let task = tokio::task::spawn_blocking(work);
    match tokio::time::timeout(KEYRING_TIMEOUT, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the keyring did not answer".to_owned()),
    }
}

/// The largest secrets file read; a bigger one is not ours.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// The secrets in `file`. One that cannot be read as such (truncated, corrupt, too large) is
/// moved aside rather than taken for empty: the next edit would write every other server's
/// secret out of existence.
fn read_file(file: &Path) -> BTreeMap<String, String> {
    use std::io::Read;
    let Ok(opened) = std::fs::File::open(file) else {
        return BTreeMap::new();
    };
    let mut bytes = Vec::new();
    let read = opened.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes);
    let parsed = read
        .ok()
        .filter(|n| (*n as u64) <= MAX_FILE_BYTES)
        .and_then(|_| serde_json::from_slice(&bytes).ok());
    parsed.unwrap_or_else(|| {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let aside = file.with_file_name(format!("{SECRETS_FILE}.corrupt-{stamp}"));
        match std::fs::rename(file, &aside) {
            Ok(()) => tracing::warn!(kept_as = %aside.display(), "the secrets file was unreadable and was moved aside; servers need their passwords again"),
            Err(e) => tracing::warn!(error = %e, "the secrets file is unreadable"),
        }
        BTreeMap::new()
    })
}

/// Write `secrets` so that only the user can read them: a new file created 0600 (never
/// readable by others, not even for a moment), then renamed over the old one.
fn write_private(file: &Path, secrets: &BTreeMap<String, String>) -> std::io::Result<()> {
    use std::io::Write;
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = lyrebird_core::settings::temp_path(file);
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut out = options.open(&tmp)?;
        out.write_all(&serde_json::to_vec_pretty(secrets).expect("strings serialize"))?;
        out.sync_all()?;
        std::fs::rename(&tmp, file)?;
        lyrebird_core::settings::sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A keyring that is there but refuses (locked, or no Secret Service on the bus).
    struct Locked;
    impl Keyring for Locked {
        fn set(&self, _: &str, _: &str) -> Result<(), String> {
            Err("the collection is locked".into())
        }
        fn get(&self, _: &str) -> Result<Option<String>, String> {
            Err("the collection is locked".into())
        }
        fn delete(&self, _: &str) -> Result<(), String> {
            Err("the collection is locked".into())
        }
    }

    /// A working keyring, in memory.
    #[derive(Default)]
    struct Memory(std::sync::Mutex<BTreeMap<String, String>>);
    impl Keyring for Memory {
        fn set(&self, account: &str, secret: &str) -> Result<(), String> {
            self.0.lock().unwrap().insert(account.into(), secret.into());
            Ok(())
        }
        fn get(&self, account: &str) -> Result<Option<String>, String> {
            Ok(self.0.lock().unwrap().get(account).cloned())
        }
        fn delete(&self, account: &str) -> Result<(), String> {
            self.0.lock().unwrap().remove(account);
            Ok(())
        }
    }

    #[tokio::test]
    async fn without_a_keyring_the_secret_goes_to_a_file_only_the_user_can_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::new(dir.path(), Some(Arc::new(Locked)));
        let storage = store.store("s1", "hunter2").await.unwrap();
        assert_eq!(storage, SecretStorage::File);
        let file = dir.path().join(SECRETS_FILE);
        assert!(file.is_file());
        // Unix file modes; on Windows the file has the ACL of the user's own config folder.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{mode:o}");
        }
        assert_eq!(store.load("s1", storage).await.as_deref(), Some("hunter2"));
        // A second server, then the first removed: the other stays, the file stays 0600.
        store.store("s2", "pässwörd 密码").await.unwrap();
        store.delete("s1").await;
        assert_eq!(store.load("s1", SecretStorage::File).await, None);
        assert_eq!(
            store.load("s2", SecretStorage::File).await.as_deref(),
            Some("pässwörd 密码")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{mode:o}");
        }
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// Servers saved at the same moment each keep their secret (the file's edits are
    /// read–modify–write; done at once they used to lose each other's).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn secrets_stored_at_once_are_all_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::new(dir.path(), None);
        let stores: Vec<_> = (0..32)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move { store.store(&format!("s{i}"), &format!("pw{i}")).await })
            })
            .collect();
        for stored in stores {
            stored.await.unwrap().unwrap();
        }
        for i in 0..32 {
            let secret = store.load(&format!("s{i}"), SecretStorage::File).await;
            assert_eq!(secret, Some(format!("pw{i}")));
        }
    }

    /// A corrupt file is moved aside, not read as empty (the next save would have dropped
    /// every other server's secret with it).
    #[tokio::test]
    async fn a_corrupt_secrets_file_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(SECRETS_FILE);
        std::fs::write(&file, b"{\"s1\": \"hunt").unwrap();
        let store = SecretStore::new(dir.path(), None);
        assert_eq!(store.load("s1", SecretStorage::File).await, None);
        let aside: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("server-secrets.json.corrupt-"))
            .collect();
        assert_eq!(aside.len(), 1, "kept for the user to look at");
        assert_eq!(
            std::fs::read(dir.path().join(&aside[0])).unwrap(),
            b"{\"s1\": \"hunt"
        );
        store.store("s2", "pw").await.unwrap();
        assert!(std::fs::read_to_string(&file).unwrap().contains("s2"));
    }

    #[tokio::test]
    async fn with_a_keyring_no_file_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Arc::new(Memory::default());
        let store = SecretStore::new(dir.path(), Some(keyring.clone()));
        assert_eq!(
            store.store("s1", "hunter2").await.unwrap(),
            SecretStorage::Keyring
        );
        assert!(!dir.path().join(SECRETS_FILE).exists());
        assert_eq!(
            store.load("s1", SecretStorage::Keyring).await.as_deref(),
            Some("hunter2")
        );
        store.delete("s1").await;
        assert!(keyring.0.lock().unwrap().is_empty());
    }
}
