//! Writing the actor's files (settings, session, lyrics offsets) off the actor's task.
//!
//! A write is a temporary file, an fsync and a rename: milliseconds on a good disk, far more
//! on a busy or slow one, and the actor must answer the next key press meanwhile. So the
//! actor only serializes what it owns (a snapshot of its state, taken between messages) and
//! hands the bytes to a thread of its own, which writes them in order. What is costly to
//! serialize (a queue of 100 000 tracks: tens of MB of JSON) is handed over as a copy with the
//! code that serializes it, which runs on that thread. Several writes of one
//! file waiting at once become one: the newest. A failed settings write comes back to the
//! actor as a message (the user is told). At shutdown the actor waits until everything it
//! handed over is on disk.

use std::path::PathBuf;
use std::sync::mpsc;

use tokio::sync::{mpsc as tokio_mpsc, oneshot};

/// A write that failed, for the actor to report.
#[derive(Debug)]
pub struct WriteFailed {
    pub path: PathBuf,
    pub reason: String,
}

/// What a write puts in its file: bytes, or the code that makes them (run on the writer).
enum Content {
    Bytes(Vec<u8>),
    Encode(Box<dyn FnOnce() -> Vec<u8> + Send>),
}

impl Content {
    fn into_bytes(self) -> Vec<u8> {
        match self {
            Self::Bytes(bytes) => bytes,
            Self::Encode(encode) => encode(),
        }
    }
}

enum Job {
    /// Write `content` to `path` atomically; report a failure if `report`.
    Write {
        path: PathBuf,
        content: Content,
        report: bool,
    },
    /// Answer once every write handed over before this one is done.
    Flush(oneshot::Sender<()>),
}

/// The actor's side: hands writes to the writer thread.
pub struct Writer {
    jobs: Option<mpsc::Sender<Job>>,
}

impl Writer {
    /// Start the writer thread; failures come back on `failures`. Without a thread (the OS
    /// refused one) writes happen on the caller's thread, as before.
    #[must_use]
    pub fn start(failures: tokio_mpsc::UnboundedSender<WriteFailed>) -> Self {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name("lyrebird-persist".into())
            .spawn(move || run(&inbox, &failures));
        match spawned {
            Ok(_) => Self { jobs: Some(jobs) },
            Err(e) => {
                tracing::warn!(error = %e, "no writer thread; saving on the actor's task");
                Self { jobs: None }
            }
        }
    }

    /// No thread: for an actor that saves nothing (tests without files).
    #[must_use]
    pub fn inline() -> Self {
        Self { jobs: None }
    }

    /// Write `bytes` to `path` (atomically, later, in order).
    pub fn write(&self, path: PathBuf, bytes: Vec<u8>, report: bool) {
        self.send(path, Content::Bytes(bytes), report);
    }

    /// Write what `encode` makes to `path`, running it on the writer thread (and not at all
    /// when a newer write of the same file is already waiting). Failures are not reported.
    pub fn write_encoded(&self, path: PathBuf, encode: impl FnOnce() -> Vec<u8> + Send + 'static) {
        self.send(path, Content::Encode(Box::new(encode)), false);
    }

    fn send(&self, path: PathBuf, content: Content, report: bool) {
        let job = Job::Write {
            path,
            content,
            report,
        };
        let unsent = match &self.jobs {
            Some(jobs) => jobs.send(job).err().map(|e| e.0),
            None => Some(job),
        };
        if let Some(Job::Write { path, content, .. }) = unsent {
            let _ = write(&path, &content.into_bytes());
        }
    }

    /// Wait until every write handed over so far is done.
    pub async fn flush(&self) {
        let Some(jobs) = &self.jobs else { return };
        let (done, wait) = oneshot::channel();
        if jobs.send(Job::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }
}

fn run(inbox: &mpsc::Receiver<Job>, failures: &tokio_mpsc::UnboundedSender<WriteFailed>) {
    while let Ok(first) = inbox.recv() {
        // Take whatever else is waiting: of several writes of one file only the newest counts.
        let mut batch = vec![first];
        batch.extend(inbox.try_iter());
        let mut writes: Vec<(PathBuf, Content, bool)> = Vec::new();
        let mut flushes = Vec::new();
        for job in batch {
            match job {
                Job::Write {
                    path,
                    content,
                    report,
                } => match writes.iter_mut().find(|(p, ..)| *p == path) {
                    Some(pending) => *pending = (path, content, report),
                    None => writes.push((path, content, report)),
                },
                Job::Flush(done) => flushes.push(done),
            }
        }
        for (path, content, report) in writes {
            if let Err(reason) = write(&path, &content.into_bytes())
                && report
            {
                let _ = failures.send(WriteFailed { path, reason });
            }
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}

fn write(path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    crate::settings::write_atomically(path, bytes).map_err(|e| {
        tracing::warn!(path = %path.display(), error = %e, "not saved");
        e.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_land_in_order_and_flush_waits_for_them() {
        let dir = tempfile::tempdir().unwrap();
        let (failures, mut failed) = tokio_mpsc::unbounded_channel();
        let writer = Writer::start(failures);
        let file = dir.path().join("settings.json");
        for i in 0..100 {
            writer.write(file.clone(), format!("{i}").into_bytes(), true);
        }
        writer.flush().await;
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "99");
        // A file that cannot be written (its folder is a file) is reported.
        let blocked = file.join("inside.json");
        writer.write(blocked.clone(), b"x".to_vec(), true);
        writer.flush().await;
        assert_eq!(failed.try_recv().unwrap().path, blocked);
        // Only the temporary files' target is left.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[tokio::test]
    async fn encoded_writes_are_made_on_the_writer_and_only_the_newest() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};

        let dir = tempfile::tempdir().unwrap();
        let (failures, _failed) = tokio_mpsc::unbounded_channel();
        let writer = Writer::start(failures);
        let file = dir.path().join("queue.json");
        let encoded = Arc::new(AtomicUsize::new(0));
        let actor = std::thread::current().id();
        // The writer is held up inside a first job, so the next ones wait together.
        let (started, is_started) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        writer.write_encoded(dir.path().join("slow.json"), move || {
            started.send(()).unwrap();
            released.recv().unwrap();
            b"slow".to_vec()
        });
        is_started.recv().unwrap();
        for i in 0..20 {
            let encoded = encoded.clone();
            writer.write_encoded(file.clone(), move || {
                assert_ne!(std::thread::current().id(), actor, "encoded off the caller");
                encoded.fetch_add(1, Ordering::SeqCst);
                format!("{i}").into_bytes()
            });
        }
        release.send(()).unwrap();
        writer.flush().await;
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "19");
        assert_eq!(
            encoded.load(Ordering::SeqCst),
            1,
            "superseded ones are never encoded"
        );
    }
}
