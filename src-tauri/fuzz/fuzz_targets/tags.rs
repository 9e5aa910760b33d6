//! cargo-fuzz target: see `lyrebird_fuzz::tags`.
//!
//! The scan reads tags under `catch_unwind` (a panic in lofty costs one file, which is listed
//! with the problem), so a panic caught there is not a failure here either: libfuzzer-sys's
//! hook, which aborts at every panic, caught or not, is replaced by one that prints it. A panic
//! that gets out of the target (one of its checks) still aborts the run (libfuzzer-sys catches
//! it and aborts).
//!
//! lofty's caught panics repeat input after input (the same overflow, hundreds of times in a
//! 20 s run, which buried the rest of CI's log): each place is printed the first three times,
//! then at every tenfold. A panic anywhere else is always printed: it may be the one that aborts.
#![no_main]

use std::sync::atomic::{AtomicUsize, Ordering};

static LOFTY_PANICS: AtomicUsize = AtomicUsize::new(0);

fn print_panic(info: &std::panic::PanicHookInfo<'_>) {
    let in_lofty = info
        .location()
        .is_some_and(|at| at.file().contains("/lofty-"));
    if !in_lofty {
        eprintln!("panic: {info}");
        return;
    }
    let n = LOFTY_PANICS.fetch_add(1, Ordering::Relaxed) + 1;
    let mut tenfold = 10;
    while tenfold < n {
        tenfold *= 10;
    }
    if n <= 3 || n == tenfold {
        eprintln!("panic in lofty, caught (#{n} of lofty's in this run): {info}");
    }
}

libfuzzer_sys::fuzz_target!(
    init: std::panic::set_hook(Box::new(print_panic)),
    |data: &[u8]| lyrebird_fuzz::tags(data)
);
