//! Benchmark helper: decode FILEs to the end with the player's decoders, as fast as possible.
//! Run it under `/usr/bin/time` to read the CPU it took (see `tests/bench/playback.sh`).
//!
//! `cargo run --release -p lyrebird-audio --example decode_all -- FILE...`

fn main() {
    for path in std::env::args_os().skip(1) {
        let path = std::path::PathBuf::from(path);
        match lyrebird_audio::decode_to_end(&path) {
            Ok(samples) => println!("{}: {samples} samples", path.display()),
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                std::process::exit(1);
            }
        }
    }
}
