//! The download buffer: a temporary file, plus an exact record of which bytes are in it.
//!
//! Why not stream-download's `TempStorageProvider`: stream-download wakes a blocked read when
//! the *writer's* position passes the requested one, whichever range the writer is in. After a
//! seek ahead and a seek back, a read waiting at the start of the gap is woken by the writes
//! ahead of it and then reads the gap: a hole in a sparse file, i.e. zeros instead of audio (our
//! tests caught it). Here the reader side only ever returns bytes that were written, and waits
//! (on a condvar the writer signals) for the ones that are not there yet. It is also told when
//! the download is over ([`Buffer::end`]), so no read waits for bytes that will never come.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use rangemap::RangeSet;
use stream_download::storage::StorageProvider;
use tempfile::NamedTempFile;

/// Which bytes of the buffer file are written, and whether more can come.
#[derive(Default)]
pub(crate) struct Buffer {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    written: RangeSet<u64>,
    ended: bool,
}

impl Buffer {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn add(&self, range: Range<u64>) {
        if range.is_empty() {
            return;
        }
        self.lock().written.insert(range);
        self.changed.notify_all();
    }

    /// No more bytes will be written (the download task is over): wake every waiting read.
    pub(crate) fn end(&self) {
        self.lock().ended = true;
        self.changed.notify_all();
    }

    /// If the written bytes are exactly `0..n`, `n`.
    pub(crate) fn complete_prefix(&self) -> Option<u64> {
        let state = self.lock();
        let mut runs = state.written.iter();
        match (runs.next(), runs.next()) {
            (Some(run), None) if run.start == 0 => Some(run.end),
            _ => None,
        }
    }

    /// Blocks until the byte at `pos` is written, and returns where its run of written bytes
    /// ends; `Ok(None)` at the end of the data once the download is over.
    fn wait_for(&self, pos: u64) -> io::Result<Option<u64>> {
        let state = self.lock();
        let state = self
            .changed
            .wait_while(state, |s| !s.ended && s.written.get(&pos).is_none())
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(run) = state.written.get(&pos) {
            return Ok(Some(run.end));
        }
        let last = state.written.iter().next_back().map_or(0, |run| run.end);
        if pos >= last {
            Ok(None)
        } else {
            // The caller (StreamReader) replaces this with the stream's own error, if any.
            Err(io::Error::other(
                "the download ended before this part was fetched",
            ))
        }
    }
}

/// stream-download `StorageProvider` over an already created temporary file.
pub(crate) struct BufferProvider {
    pub(crate) file: NamedTempFile,
    pub(crate) buffer: Arc<Buffer>,
}

impl StorageProvider for BufferProvider {
    type Reader = BufferReader;
    type Writer = BufferWriter;

    fn into_reader_writer(
        self,
        _content_length: Option<u64>,
    ) -> io::Result<(Self::Reader, Self::Writer)> {
        let writer = BufferWriter {
            file: self.file.reopen()?,
            pos: 0,
            buffer: Arc::clone(&self.buffer),
        };
        let reader = BufferReader {
            // Owning the `NamedTempFile` deletes the file when the reader goes away.
            file: self.file,
            pos: 0,
            buffer: self.buffer,
        };
        Ok((reader, writer))
    }
}

/// The download task's end: records every write.
pub(crate) struct BufferWriter {
    file: File,
    pos: u64,
    buffer: Arc<Buffer>,
}

impl Write for BufferWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.file.write(buf)?;
        let start = self.pos;
        self.pos += written as u64;
        // After `write` returns, a read through another handle sees the bytes.
        self.buffer.add(start..self.pos);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Seek for BufferWriter {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.pos = self.file.seek(pos)?;
        Ok(self.pos)
    }
}

/// The reader's end: returns written bytes only, waiting for them if needed.
pub(crate) struct BufferReader {
    file: NamedTempFile,
    pos: u64,
    buffer: Arc<Buffer>,
}

impl Read for BufferReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let Some(run_end) = self.buffer.wait_for(self.pos)? else {
            return Ok(0);
        };
        let available = usize::try_from(run_end - self.pos).unwrap_or(usize::MAX);
        let len = buf.len().min(available);
        let read = self.file.as_file_mut().read(&mut buf[..len])?;
        self.pos += read as u64;
        Ok(read)
    }
}

impl Seek for BufferReader {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.pos = self.file.as_file_mut().seek(pos)?;
        Ok(self.pos)
    }
}
