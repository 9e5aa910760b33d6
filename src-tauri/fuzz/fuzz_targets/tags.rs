//! cargo-fuzz target: see `lyrebird_fuzz::tags`.
//!
//! The scan reads tags under `catch_unwind` (a panic in lofty costs one file, which is listed
//! with the problem), so a panic caught there is not a failure here either: libfuzzer-sys's
//! hook, which aborts at every panic, caught or not, is replaced by one that prints it. A panic
//! that gets out of the target (one of its checks) still aborts the run (libfuzzer-sys catches
//! it and aborts).
#![no_main]

libfuzzer_sys::fuzz_target!(
    init: std::panic::set_hook(Box::new(|info| eprintln!("panic: {info}"))),
    |data: &[u8]| lyrebird_fuzz::tags(data)
);
