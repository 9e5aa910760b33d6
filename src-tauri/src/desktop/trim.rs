//! Giving memory back once the last window is gone (closed to the tray), and once a shown
//! window has settled.
//!
//! Destroying the web view ends `WebKit`'s web process, but the app process keeps what the
//! window pulled in: `WebKit`'s network process (~35 MB, idle until a page loads), the code of
//! `WebKit`, `JavaScriptCore`, GTK and the GL stack (Mesa and LLVM under software rendering) in
//! its page tables, and freed heap. A few seconds after the last window closes, on Linux, this:
//!
//! - ends the network process (`WebKit` starts a new one for the next web view) — on the main
//!   thread, where windows are built, after checking again that none is; not under `WebDriver`
//!   automation, whose session dies with it;
//! - returns freed heap to the OS (`malloc_trim`);
//! - unmaps the pages of every loaded object's read-only segments (code and constants:
//!   `PT_LOAD` without `PF_W`) with `MADV_DONTNEED`. Their pages equal the file's, so nothing
//!   is lost: what the tray and the audio still run faults straight back from the page cache.
//!   This is the working-set trim browsers do when minimised (Windows' `EmptyWorkingSet`).
//!
//! With a window shown, the same trim (heap and read-only pages, the network process kept)
//! runs once, some seconds after the main window is built: starting touched far more code than
//! drawing and playing use (GTK's and `WebKit`'s set-up, the library's read, the TLS clients,
//! the tray), and that code would otherwise stay counted in the process's memory for as long as
//! it runs.
//!   It runs inside `dl_iterate_phdr`, which holds the loader's lock, so no object can be
//!   unloaded (and its addresses reused) meanwhile; and it skips any segment not wholly inside
//!   a file mapping without written pages (`/proc/self/smaps`: `Anonymous: 0`), so code a
//!   debugger or a text relocation wrote into is left alone.
//!
//! Elsewhere it does nothing, on purpose: the web view there is `WebView2` (Windows) or
//! `WKWebView` (macOS), whose web content runs in processes of their own that go with the last
//! web view, and there is no `WebKitGTK` network process or GL stack in the app process to
//! drop. Windows' `EmptyWorkingSet` would only move the app's own pages to the standby list,
//! to fault back at the next tray click; macOS has no per-process equivalent. (Not measured:
//! no Windows or macOS machine here.)

#[cfg(target_os = "linux")]
use std::time::Duration;

#[cfg(target_os = "linux")]
use tauri::Manager;
use tauri::{AppHandle, Runtime};

/// When a trim runs, and what it may do.
#[cfg(target_os = "linux")]
#[derive(Clone, Copy, PartialEq, Eq)]
enum Moment {
    /// The last window closed (or the app started in the tray): everything the window pulled
    /// in goes, `WebKit`'s network process too.
    NoWindowOpen,
    /// A new main window has settled: what starting it touched and drawing it does not need.
    WindowSettled,
}

#[cfg(target_os = "linux")]
impl Moment {
    /// Time for `WebKit` to finish tearing the web view down, or for a new window to finish
    /// starting (its page, the first rescan, the first covers).
    fn settle(self) -> Duration {
        match self {
            Self::NoWindowOpen => Duration::from_secs(3),
            Self::WindowSettled => Duration::from_secs(12),
        }
    }
}

/// Trim once the close has settled, if no window has been opened meanwhile (also after
/// starting in the tray).
#[cfg(target_os = "linux")]
pub fn after_last_window_closed<R: Runtime>(app: &AppHandle<R>) {
    trim_later(app, Moment::NoWindowOpen);
}

/// Once a new main window has settled, give back what starting it touched and drawing it
/// does not need: the start-up's code (GTK's and `WebKit`'s set-up, the library's read, the
/// TLS clients, the tray) and freed heap. The web view keeps its network process; what it
/// still draws with faults straight back from the page cache.
#[cfg(target_os = "linux")]
pub fn after_window_built<R: Runtime>(app: &AppHandle<R>) {
    trim_later(app, Moment::WindowSettled);
}

/// Nothing to give back off Linux; see the module's notes.
#[cfg(not(target_os = "linux"))]
pub fn after_last_window_closed<R: Runtime>(_app: &AppHandle<R>) {}

/// Nothing to give back off Linux; see the module's notes.
#[cfg(not(target_os = "linux"))]
pub fn after_window_built<R: Runtime>(_app: &AppHandle<R>) {}

#[cfg(target_os = "linux")]
fn trim_later<R: Runtime>(app: &AppHandle<R>, moment: Moment) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(moment.settle()).await;
        let window_open = !app.webview_windows().is_empty();
        // A window opened again needs all of this; one closed meanwhile has a trim of its own.
        if window_open != (moment == Moment::WindowSettled) {
            return;
        }
        if moment == Moment::NoWindowOpen {
            end_network_process(&app);
        }
        let report = tauri::async_runtime::spawn_blocking(trim).await;
        if let Ok(report) = report {
            match moment {
                Moment::NoWindowOpen => {
                    tracing::info!(?report, "memory given back with no window open");
                }
                Moment::WindowSettled => {
                    tracing::info!(?report, "memory given back after the window settled");
                }
            }
        }
    });
}

/// End `WebKit`'s network process, from the main thread (where windows are built), if still no
/// window is open.
#[cfg(target_os = "linux")]
fn end_network_process<R: Runtime>(app: &AppHandle<R>) {
    if std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true") {
        return; // the WebDriver session would die with it
    }
    let handle = app.clone();
    let _ = app.run_on_main_thread(move || {
        if handle.webview_windows().is_empty() {
            let ended = linux::end_network_processes();
            tracing::info!(ended, "WebKit's network process ended");
        }
    });
}

/// What one trim did.
#[cfg(target_os = "linux")]
#[derive(Debug, Default)]
#[allow(dead_code)] // read through Debug in the log
pub struct Report {
    segments_dropped: usize,
    bytes_dropped: usize,
}

#[cfg(target_os = "linux")]
fn trim() -> Report {
    linux::release_free_heap();
    linux::release_read_only_segments()
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)] // libc calls and one loader callback, each with its reason below
mod linux {
    use std::ops::Range;
    use std::path::Path;

    use super::Report;

    /// End `WebKit`'s network processes among our children.
    pub fn end_network_processes() -> usize {
        let me = std::process::id();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return 0;
        };
        let mut ended = 0;
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            if parent_of(pid) != Some(me) || !is_network_process(&entry.path()) {
                continue;
            }
            let Ok(pid) = libc::pid_t::try_from(pid) else {
                continue;
            };
            // SAFETY: kill(2) takes plain integers; the pid is our own child's (it cannot be
            // reused by another process before we reap it, and GLib reaps it after this).
            if unsafe { libc::kill(pid, libc::SIGTERM) } == 0 {
                ended += 1;
            }
        }
        ended
    }

    fn parent_of(pid: u32) -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses; take the last ')'.
        let rest = &stat[stat.rfind(')')? + 1..];
        rest.split_whitespace().nth(1)?.parse().ok()
    }

    fn is_network_process(proc_dir: &Path) -> bool {
        std::fs::read_link(proc_dir.join("exe")).is_ok_and(|exe| {
            exe.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("WebKitNetworkProcess"))
        })
    }

    /// Give freed heap back to the OS.
    pub fn release_free_heap() {
        #[cfg(target_env = "gnu")]
        // SAFETY: malloc_trim only walks glibc's own arenas, under their locks.
        unsafe {
            libc::malloc_trim(0);
        }
    }

    /// Address ranges of private, read-only file mappings none of whose pages was written
    /// (`Anonymous: 0 kB`), from `/proc/self/smaps`, sorted.
    pub(super) fn clean_file_mappings(smaps: &str) -> Vec<Range<usize>> {
        let mut clean = Vec::new();
        let mut current: Option<Range<usize>> = None;
        for line in smaps.lines() {
            if let Some(anonymous) = line.strip_prefix("Anonymous:") {
                let written = anonymous.trim().trim_end_matches("kB").trim() != "0";
                if let Some(range) = current.take()
                    && !written
                {
                    clean.push(range);
                }
                continue;
            }
            let mut fields = line.split_whitespace();
            let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
                continue;
            };
            let Some((start, end)) = range.split_once('-') else {
                continue;
            };
            let (Ok(start), Ok(end)) = (
                usize::from_str_radix(start, 16),
                usize::from_str_radix(end, 16),
            ) else {
                continue; // a field line such as "Rss: ..."
            };
            let path = fields.nth(3).unwrap_or("");
            let read_only_file = perms.len() == 4
                && perms.starts_with('r')
                && !perms.contains('w')
                && perms.ends_with('p')
                && path.starts_with('/')
                && !path.starts_with("/dev/")
                && !path.starts_with("/memfd:");
            current = read_only_file.then_some(start..end);
        }
        clean.sort_by_key(|r| r.start);
        clean
    }

    /// Whether `wanted` lies wholly within the union of the sorted `ranges`.
    pub(super) fn covered(ranges: &[Range<usize>], wanted: &Range<usize>) -> bool {
        let mut reached = wanted.start;
        for range in ranges {
            if range.start > reached {
                break;
            }
            reached = reached.max(range.end);
            if reached >= wanted.end {
                return true;
            }
        }
        reached >= wanted.end
    }

    struct Walk<'a> {
        clean: &'a [Range<usize>],
        page: usize,
        report: Report,
    }

    /// Unmap the pages of every loaded object's read-only segments that lie in clean file
    /// mappings.
    pub fn release_read_only_segments() -> Report {
        let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
            return Report::default();
        };
        let clean = clean_file_mappings(&smaps);
        // SAFETY: sysconf only reads a constant.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
        let mut walk = Walk {
            clean: &clean,
            page,
            report: Report::default(),
        };
        // SAFETY: the callback only reads what the loader hands it and calls madvise; `walk`
        // outlives the call, which is synchronous.
        unsafe {
            libc::dl_iterate_phdr(Some(visit), (&raw mut walk).cast());
        }
        walk.report
    }

    /// One loaded object (the program, each shared library), under the loader's lock.
    unsafe extern "C" fn visit(
        info: *mut libc::dl_phdr_info,
        _size: libc::size_t,
        data: *mut libc::c_void,
    ) -> libc::c_int {
        // SAFETY: `data` is the `Walk` passed above; `info` and its program headers are valid
        // for the duration of this call (dl_iterate_phdr's contract).
        let (walk, info) = unsafe { (&mut *data.cast::<Walk<'_>>(), &*info) };
        if info.dlpi_phdr.is_null() {
            return 0;
        }
        // SAFETY: as above: `dlpi_phnum` headers at `dlpi_phdr`.
        let headers =
            unsafe { std::slice::from_raw_parts(info.dlpi_phdr, usize::from(info.dlpi_phnum)) };
        for header in headers {
            if header.p_type != libc::PT_LOAD || header.p_flags & libc::PF_W != 0 {
                continue;
            }
            let (Ok(base), Ok(vaddr), Ok(size)) = (
                usize::try_from(info.dlpi_addr),
                usize::try_from(header.p_vaddr),
                usize::try_from(header.p_memsz),
            ) else {
                continue;
            };
            let start = (base + vaddr) & !(walk.page - 1);
            let end = (base + vaddr + size).next_multiple_of(walk.page);
            if start >= end || !super::linux::covered(walk.clean, &(start..end)) {
                continue;
            }
            // SAFETY: the range is a read-only segment of an object the loader holds mapped
            // (its lock is held, so it cannot be unloaded meanwhile), inside file mappings with
            // no written page: every page equals the file's, so dropping it loses nothing and
            // the next access reads it again. No Rust reference can observe the change.
            let done = unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED) == 0
            };
            if done {
                walk.report.segments_dropped += 1;
                walk.report.bytes_dropped += end - start;
            }
        }
        0
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::linux::{
        clean_file_mappings, covered, release_free_heap, release_read_only_segments,
    };

    #[test]
    fn only_clean_read_only_private_file_mappings_count() {
        let smaps = "\
55d0c0a00000-55d0c0a10000 r--p 00000000 08:01 123 /usr/bin/lyrebird
Rss:                  64 kB
Anonymous:             0 kB
55d0c0a10000-55d0c0b00000 r-xp 00010000 08:01 123 /usr/bin/lyrebird
Anonymous:             0 kB
55d0c0b00000-55d0c0b10000 r--p 00100000 08:01 123 /usr/bin/lyrebird
Anonymous:            64 kB
55d0c0b10000-55d0c0b20000 rw-p 00110000 08:01 123 /usr/bin/lyrebird
Anonymous:            16 kB
55d0c1000000-55d0c1100000 rw-p 00000000 00:00 0 [heap]
Anonymous:          1024 kB
7f0000000000-7f0000001000 r--s 00000000 00:01 9 /SYSV00000000 (deleted)
Anonymous:             0 kB
7f0000002000-7f0000003000 r-xp 00000000 08:01 77 /usr/lib/x86_64-linux-gnu/libfoo.so.1
Anonymous:             0 kB
7f0000004000-7f0000005000 ---p 00000000 00:00 0
Anonymous:             0 kB
7ffd00000000-7ffd00001000 r-xp 00000000 00:00 0 [vdso]
Anonymous:             0 kB
";
        assert_eq!(
            clean_file_mappings(smaps),
            [
                0x55d0_c0a0_0000..0x55d0_c0a1_0000,
                0x55d0_c0a1_0000..0x55d0_c0b0_0000,
                0x7f00_0000_2000..0x7f00_0000_3000,
            ],
            "the written RELRO page, the writable data, the heap, shared memory, the guard and the vDSO are left out"
        );
    }

    #[test]
    fn a_segment_must_lie_wholly_in_clean_mappings() {
        let clean = [0x1000..0x3000, 0x3000..0x5000, 0x8000..0x9000];
        assert!(covered(&clean, &(0x1000..0x5000)), "adjacent mappings join");
        assert!(covered(&clean, &(0x2000..0x4000)));
        assert!(covered(&clean, &(0x8000..0x9000)));
        assert!(!covered(&clean, &(0x4000..0x6000)), "runs past the end");
        assert!(!covered(&clean, &(0x0..0x2000)), "starts before");
        assert!(!covered(&clean, &(0x5000..0x8000)), "a gap");
        assert!(!covered(&[], &(0x1000..0x2000)));
    }

    /// Constants the trim drops from memory and the next read brings back from the file.
    static TABLE: [u32; 16_384] = {
        let mut table = [0u32; 16_384];
        let mut i = 0;
        while i < table.len() {
            #[allow(clippy::cast_possible_truncation)] // i < 16 384
            let value = (i as u32).wrapping_mul(2_654_435_761);
            table[i] = value;
            i += 1;
        }
        table
    };

    fn resident_file_kib() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("RssFile:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    /// The real thing on this very process: file pages leave, and the code and constants that
    /// come back are the same (a wrong page would crash the test or change the sum).
    #[test]
    fn a_trim_gives_file_pages_back_and_the_process_runs_on() {
        let sum = |t: &[u32]| t.iter().fold(0u64, |a, &v| a.wrapping_add(u64::from(v)));
        let before_sum = sum(std::hint::black_box(&TABLE));
        let before = resident_file_kib();
        let report = release_read_only_segments();
        let after = resident_file_kib();
        release_free_heap();
        assert!(report.segments_dropped > 0, "{report:?}");
        assert!(
            after < before,
            "resident file pages {before} kB, then {after} kB"
        );
        assert_eq!(sum(std::hint::black_box(&TABLE)), before_sum);
        let text = format!("{report:?} {:?}", std::env::current_dir().unwrap());
        assert!(text.contains("segments_dropped"));
    }
}
