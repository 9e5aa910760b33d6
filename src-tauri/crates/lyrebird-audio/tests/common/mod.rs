//! What the audio tests share: an ALSA device that writes to a file, and reading it back.

use std::path::{Path, PathBuf};

/// Write `conf`, an ALSA configuration whose default PCM writes 16-bit stereo 44.1 kHz into
/// `wav` (not in real time: the null device takes samples as fast as they come).
pub fn file_device_config(conf: PathBuf, wav: &Path) -> PathBuf {
    std::fs::write(
        &conf,
        format!(
            "pcm.!default {{ type plug slave {{ pcm \"filecap\" format S16_LE rate 44100 channels 2 }} }}\n\
             pcm.filecap {{ type file slave.pcm \"nullsink\" file \"{}\" format \"wav\" }}\n\
             pcm.nullsink {{ type null }}\n\
             ctl.!default {{ type hw card 0 }}\n",
            wav.display()
        ),
    )
    .unwrap();
    conf
}

/// Left-channel samples of a 16-bit stereo WAV, normalised to -1..1.
pub fn read_wav_left(path: &Path) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap();
    let data = bytes
        .windows(4)
        .position(|w| w == b"data")
        .expect("a data chunk")
        + 8;
    bytes[data..]
        .chunks_exact(4)
        .map(|frame| f64::from(i16::from_le_bytes([frame[0], frame[1]])) / 32768.0)
        .collect()
}
