//! Giving memory back once the last window is gone (closed to the tray).
//!
//! Destroying the web view ends `WebKit`'s web process, but the app process keeps what the window
//! pulled in: `WebKit`'s network process (~35 MB, idle until a page loads), the code of `WebKit`,
//! `JavaScriptCore`, GTK and the GL stack (Mesa and LLVM under software rendering) in its page
//! tables, and freed heap. A few seconds after the last window closes, on Linux, this:
//!
//! - ends the network process (`WebKit` starts a new one for the next web view) — except under
//!   `WebDriver` automation, whose session dies with it;
//! - returns freed heap to the OS (`malloc_trim`);
//! - unmaps the clean pages of code (`r-xp` file mappings: `MADV_DONTNEED`, lossless there,
//!   since code is never written) and asks the kernel to reclaim those of read-only data
//!   (`r--p`: `MADV_PAGEOUT`, which never drops a written page). Pages still in use fault
//!   straight back from the page cache — the trim browsers do when minimised (Windows'
//!   `EmptyWorkingSet`), so what stays resident is what the tray and the audio actually use.
//!   It is no riskier than memory pressure: the kernel may reclaim any clean file page at any
//!   time, and does exactly this.
//!
//! Elsewhere it does nothing.

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

/// Time for `WebKit` to finish tearing the web view down before the trim.
const SETTLE: Duration = Duration::from_secs(3);

/// Trim once `SETTLE` has passed, if no window has been opened meanwhile (also after starting
/// in the tray).
pub fn after_last_window_closed<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        if !app.webview_windows().is_empty() {
            return; // a window is open again: its web view needs all of this
        }
        let report = tauri::async_runtime::spawn_blocking(trim).await;
        if let Ok(report) = report {
            tracing::info!(?report, "memory given back with no window open");
        }
    });
}

/// What one trim did.
#[derive(Debug, Default)]
#[allow(dead_code)] // read through Debug in the log
pub struct Report {
    network_processes_ended: usize,
    code_mappings_dropped: usize,
    data_mappings_paged_out: usize,
}

#[cfg(target_os = "linux")]
fn trim() -> Report {
    let automated = std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true");
    let mut report = Report {
        network_processes_ended: if automated {
            0
        } else {
            linux::end_network_processes()
        },
        ..Report::default()
    };
    linux::release_free_heap();
    (report.code_mappings_dropped, report.data_mappings_paged_out) = linux::release_mapped_files();
    report
}

#[cfg(not(target_os = "linux"))]
fn trim() -> Report {
    Report::default()
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)] // three libc calls, each with its reason below
mod linux {
    use std::path::Path;

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

    /// One mapping of a file, from `/proc/self/maps`.
    #[derive(Debug, PartialEq, Eq)]
    pub(super) struct Mapping {
        pub start: usize,
        pub end: usize,
        pub perms: String,
    }

    /// Private mappings of files, as `/proc/self/maps` lists them.
    pub(super) fn file_mappings(maps: &str) -> Vec<Mapping> {
        maps.lines()
            .filter_map(|line| {
                let mut fields = line.split_whitespace();
                let (range, perms) = (fields.next()?, fields.next()?);
                let path = fields.nth(3)?; // after offset, device, inode
                if !path.starts_with('/') || !perms.ends_with('p') {
                    return None; // anonymous, [heap], [vdso] ..., or shared
                }
                let (start, end) = range.split_once('-')?;
                Some(Mapping {
                    start: usize::from_str_radix(start, 16).ok()?,
                    end: usize::from_str_radix(end, 16).ok()?,
                    perms: perms.to_owned(),
                })
            })
            .collect()
    }

    /// Drop the pages of code and reclaim those of read-only data; returns how many mappings
    /// of each were handled.
    pub fn release_mapped_files() -> (usize, usize) {
        let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
            return (0, 0);
        };
        let (mut code, mut data) = (0, 0);
        for mapping in file_mappings(&maps) {
            let advice = match mapping.perms.as_str() {
                // Code: never written (no text relocations in position-independent code), so
                // every page equals the file's and dropping it loses nothing.
                "r-xp" => libc::MADV_DONTNEED,
                // Read-only data, including RELRO pages the loader wrote before protecting
                // them: PAGEOUT reclaims clean pages and never discards a written one.
                "r--p" => libc::MADV_PAGEOUT,
                _ => continue,
            };
            let length = mapping.end - mapping.start;
            // SAFETY: the range is a whole mapping the kernel just listed for this process, not
            // writable (so no Rust reference into it can observe a change), and the advice
            // keeps its contents: dropped code pages fault back in from the same file.
            let done =
                unsafe { libc::madvise(mapping.start as *mut libc::c_void, length, advice) == 0 };
            if done {
                if advice == libc::MADV_DONTNEED {
                    code += 1;
                } else {
                    data += 1;
                }
            }
        }
        (code, data)
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::linux::{Mapping, file_mappings};

    #[test]
    fn only_private_file_mappings_are_listed() {
        let maps = "\
55d0c0a00000-55d0c0a10000 r--p 00000000 08:01 123 /usr/bin/lyrebird
55d0c0a10000-55d0c0b00000 r-xp 00010000 08:01 123 /usr/bin/lyrebird
55d0c0b00000-55d0c0b10000 rw-p 00100000 08:01 123 /usr/bin/lyrebird
55d0c1000000-55d0c1100000 rw-p 00000000 00:00 0 [heap]
7f0000000000-7f0000001000 rw-s 00000000 00:01 9 /SYSV00000000 (deleted)
7f0000002000-7f0000003000 r-xp 00000000 08:01 77 /usr/lib/x86_64-linux-gnu/libfoo.so.1
7f0000004000-7f0000005000 ---p 00000000 00:00 0
7ffd00000000-7ffd00001000 r-xp 00000000 00:00 0 [vdso]
";
        let found = file_mappings(maps);
        let perms: Vec<&str> = found.iter().map(|m| m.perms.as_str()).collect();
        assert_eq!(perms, ["r--p", "r-xp", "rw-p", "r-xp"]);
        assert_eq!(
            found[3],
            Mapping {
                start: 0x7f00_0000_2000,
                end: 0x7f00_0000_3000,
                perms: "r-xp".into()
            }
        );
    }

    /// The real thing on this very process: code keeps running after its pages are dropped,
    /// and data that was written survives.
    #[test]
    fn the_process_runs_on_after_a_trim() {
        let before: Vec<u64> = (0..1000).map(|i| i * 7).collect();
        let (code, data) = super::linux::release_mapped_files();
        super::linux::release_free_heap();
        assert!(code > 0, "no code mapping was dropped");
        assert!(data > 0, "no read-only data was paged out");
        let after: Vec<u64> = (0..1000).map(|i| i * 7).collect();
        assert_eq!(before, after);
    }
}
