//! A WAV with tags, for the library copies of NetEase songs that the emulator tests and the
//! race-overhead benchmark index (shared by `#[path]`: tests and examples are separate crates).

use std::path::Path;

/// A 16-bit mono WAV of `seconds` of silence, with RIFF INFO tags (title, artist).
pub fn write_tagged_wav(path: &Path, title: &str, artist: &str, seconds: u32) {
    fn text_chunk(id: [u8; 4], text: &str) -> Vec<u8> {
        let mut data = text.as_bytes().to_vec();
        data.push(0);
        let mut chunk = id.to_vec();
        chunk.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
        chunk.extend_from_slice(&data);
        if data.len() % 2 == 1 {
            chunk.push(0);
        }
        chunk
    }
    let rate = 8000u32;
    let samples = rate * seconds;
    let mut info = b"INFO".to_vec();
    info.extend(text_chunk(*b"INAM", title));
    info.extend(text_chunk(*b"IART", artist));
    let mut body = b"WAVEfmt ".to_vec();
    body.extend_from_slice(&16u32.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes()); // PCM
    body.extend_from_slice(&1u16.to_le_bytes()); // mono
    body.extend_from_slice(&rate.to_le_bytes());
    body.extend_from_slice(&(rate * 2).to_le_bytes());
    body.extend_from_slice(&2u16.to_le_bytes());
    body.extend_from_slice(&16u16.to_le_bytes());
    body.extend_from_slice(b"LIST");
    body.extend_from_slice(&u32::try_from(info.len()).unwrap().to_le_bytes());
    body.extend_from_slice(&info);
    body.extend_from_slice(b"data");
    body.extend_from_slice(&(samples * 2).to_le_bytes());
    body.resize(body.len() + samples as usize * 2, 0);
    let mut bytes = b"RIFF".to_vec();
    bytes.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
    bytes.extend_from_slice(&body);
    std::fs::write(path, bytes).unwrap();
}
