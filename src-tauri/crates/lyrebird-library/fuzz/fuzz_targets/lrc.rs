//! Any bytes, as an `.lrc` file or a lyrics tag: parsing never panics, the output stays
//! bounded and sorted. The same checks as the stable `tests/lrc_fuzz.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lyrebird_library::lyrics::{parse_lrc, parse_lrc_bytes};

fuzz_target!(|data: &[u8]| {
    let lyrics = parse_lrc_bytes(data);
    let bounded = data.len().min(1 << 20);
    assert!(lyrics.lines.len() <= bounded + 1);
    if lyrics.unsynced {
        assert!(lyrics.lines.iter().all(|l| l.at_ms == 0));
    } else {
        assert!(lyrics.lines.windows(2).all(|w| w[0].at_ms < w[1].at_ms));
    }
    let text: usize = lyrics.lines.iter().map(|l| l.text.len()).sum();
    assert!(text <= 3 * bounded * 65 + 3);
    if let Ok(text) = std::str::from_utf8(data)
        && !text.starts_with('\u{feff}')
    {
        assert_eq!(parse_lrc(text), lyrics);
    }
});
