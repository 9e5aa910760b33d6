//! cargo-fuzz target: see `lyrebird_fuzz::m3u`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lyrebird_fuzz::m3u(data));
