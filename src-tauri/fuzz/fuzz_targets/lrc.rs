//! cargo-fuzz target: see `lyrebird_fuzz::lrc`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lyrebird_fuzz::lrc(data));
