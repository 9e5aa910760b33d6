//! cargo-fuzz target: see `lyrebird_fuzz::netease`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lyrebird_fuzz::netease(data));
