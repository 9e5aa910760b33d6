//! The hostile-file corpus: mutations of the seed files in `seeds/`, made deterministically
//! (a seeded RNG), so that a case's name (`seed.flac #123: …`) is all it takes to make it again.
//!
//! Each seed gets truncations at many points, header fields set to 0, to their maximum and to
//! odd values (found by walking the format's structure: FLAC metadata blocks, `ID3v2` frames and
//! MPEG headers, RIFF chunks, Ogg pages and Vorbis/Opus headers — CRC fixed so the page is not
//! simply skipped —, MP4 atoms, ADTS headers), random bit flips, overwritten runs and spliced
//! chunks.
// Header fields are packed bit by bit: the casts to `u8` take the bits wanted.
#![allow(clippy::cast_possible_truncation)]

use std::path::Path;

/// One mutated file.
pub struct Case {
    /// The seed's file name, e.g. `seed.flac`.
    pub seed: String,
    /// Its number among the seed's cases.
    pub number: usize,
    /// What was done, e.g. "truncated to 120 bytes" or "FLAC STREAMINFO sample rate = 0".
    pub what: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Display for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} #{}: {}", self.seed, self.number, self.what)
    }
}

/// The seeds, in name order: (file name, bytes).
pub fn seeds(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut seeds: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("seed"))
        })
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    seeds.sort();
    seeds
}

/// A change at one place: `bytes` written at `at`.
struct Patch {
    name: String,
    at: usize,
    bytes: Vec<u8>,
    /// An Ogg page whose CRC must be computed again after the patch (its start).
    ogg_page: Option<usize>,
}

/// Every case of one seed, in a fixed order.
pub fn cases(seed_name: &str, seed: &[u8]) -> Vec<Case> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let len = seed.len();

    // Truncation: every length up to 64 bytes in steps, then 40 points across the file, and
    // just before and after every structure the format walk found.
    let mut cuts: Vec<usize> = (0..64).step_by(3).collect();
    cuts.extend((1..40).map(|i| len * i / 40));
    cuts.push(len - 1);
    let patches = fields(seed_name, seed);
    for patch in &patches {
        cuts.push(patch.at);
        cuts.push(patch.at + patch.bytes.len());
    }
    cuts.sort_unstable();
    cuts.dedup();
    for cut in cuts.into_iter().filter(|&c| c < len) {
        out.push((format!("truncated to {cut} bytes"), seed[..cut].to_vec()));
    }

    // Header fields.
    for patch in patches {
        if patch.at + patch.bytes.len() > len {
            continue;
        }
        let mut bytes = seed.to_vec();
        bytes[patch.at..patch.at + patch.bytes.len()].copy_from_slice(&patch.bytes);
        if let Some(page) = patch.ogg_page {
            fix_ogg_crc(&mut bytes, page);
        }
        out.push((patch.name, bytes));
    }

    // Random damage, from a generator seeded by the seed's name.
    let mut rng =
        fastrand::Rng::with_seed(seed_name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        }));
    for flips in [1, 1, 1, 2, 2, 3, 4, 8, 16, 64] {
        for _ in 0..6 {
            let mut bytes = seed.to_vec();
            let mut at = Vec::new();
            for _ in 0..flips {
                let i = rng.usize(0..len);
                bytes[i] ^= 1 << rng.u8(0..8);
                at.push(i);
            }
            at.sort_unstable();
            out.push((format!("{flips} bit flip(s) at {at:?}"), bytes));
        }
    }
    for _ in 0..16 {
        let mut bytes = seed.to_vec();
        let at = rng.usize(0..len);
        let run = rng.usize(1..=64.min(len - at));
        let (fill, name) = match rng.u8(0..3) {
            0 => (Some(0x00), "zeros"),
            1 => (Some(0xff), "0xff"),
            _ => (None, "random bytes"),
        };
        for b in &mut bytes[at..at + run] {
            *b = fill.unwrap_or_else(|| rng.u8(..));
        }
        out.push((
            format!("{run} bytes at {at} overwritten with {name}"),
            bytes,
        ));
    }
    for _ in 0..8 {
        let at = rng.usize(0..len);
        let run = rng.usize(1..=256.min(len - at));
        let mut cut = seed[..at].to_vec();
        cut.extend_from_slice(&seed[at + run..]);
        out.push((format!("{run} bytes at {at} removed"), cut));
        let mut doubled = seed[..at + run].to_vec();
        doubled.extend_from_slice(&seed[at..]);
        out.push((format!("{run} bytes at {at} repeated"), doubled));
    }

    out.into_iter()
        .enumerate()
        .map(|(number, (what, bytes))| Case {
            seed: seed_name.to_owned(),
            number,
            what,
            bytes,
        })
        .collect()
}

fn patches_for_int(name: &str, at: usize, width: usize, big_endian: bool) -> Vec<Patch> {
    let mut values: Vec<(String, u64)> = vec![("0".into(), 0), ("1".into(), 1)];
    let max = if width >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * width)) - 1
    };
    values.push(("max".into(), max));
    if width >= 2 {
        values.push(("255".into(), 255));
        values.push(("max/2+1".into(), max / 2 + 1));
    }
    values
        .into_iter()
        .map(|(label, value)| {
            let all = if big_endian {
                value.to_be_bytes()
            } else {
                value.to_le_bytes()
            };
            let bytes = if big_endian {
                all[8 - width..].to_vec()
            } else {
                all[..width].to_vec()
            };
            Patch {
                name: format!("{name} = {label}"),
                at,
                bytes,
                ogg_page: None,
            }
        })
        .collect()
}

fn be(name: &str, at: usize, width: usize) -> Vec<Patch> {
    patches_for_int(name, at, width, true)
}

fn le(name: &str, at: usize, width: usize) -> Vec<Patch> {
    patches_for_int(name, at, width, false)
}

fn u32_be(bytes: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize)
}

fn u32_le(bytes: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize)
}

/// The header fields of `seed` worth setting to extremes, by its format.
fn fields(name: &str, seed: &[u8]) -> Vec<Patch> {
    let ext = name.rsplit('.').next().unwrap_or_default();
    match ext {
        "flac" => flac_fields(seed),
        "mp3" => mp3_fields(seed),
        "wav" => wav_fields(seed),
        "ogg" | "opus" => ogg_fields(seed),
        "m4a" => mp4_fields(seed),
        "aac" => adts_fields(seed, 0),
        _ => Vec::new(),
    }
}

fn flac_fields(seed: &[u8]) -> Vec<Patch> {
    let mut out = Vec::new();
    let mut at = 4;
    while let Some(&header) = seed.get(at) {
        let Some(size) = seed.get(at + 1..at + 4) else {
            break;
        };
        let size =
            (usize::from(size[0]) << 16) | (usize::from(size[1]) << 8) | usize::from(size[2]);
        let kind = header & 0x7f;
        out.extend(be(&format!("FLAC block {kind} length"), at + 1, 3));
        let data = at + 4;
        match kind {
            0 => {
                out.extend(be("FLAC min block size", data, 2));
                out.extend(be("FLAC max block size", data + 2, 2));
                out.extend(be("FLAC min frame size", data + 4, 3));
                out.extend(be("FLAC max frame size", data + 7, 3));
                // 20 bits of sample rate, 3 of channels - 1, 5 of bits per sample - 1, 36 of
                // total samples.
                let rate = &seed[data + 10..data + 13];
                for (label, bits) in [("0", 0u32), ("max", 0xf_ffff), ("1", 1)] {
                    let mut b = rate.to_vec();
                    b[0] = (bits >> 12) as u8;
                    b[1] = (bits >> 4) as u8;
                    b[2] = (b[2] & 0x0f) | (((bits & 0xf) as u8) << 4);
                    out.push(Patch {
                        name: format!("FLAC sample rate = {label}"),
                        at: data + 10,
                        bytes: b,
                        ogg_page: None,
                    });
                }
                // (channels - 1, bits per sample - 1)
                for (label, channels, bits) in [
                    ("8 channels, 1 bit", 7u8, 0u8),
                    ("1 channel, 32 bits", 0, 31),
                ] {
                    let first = (seed[data + 12] & 0xf0) | (channels << 1) | (bits >> 4);
                    let second = (seed[data + 13] & 0x0f) | ((bits & 0x0f) << 4);
                    out.push(Patch {
                        name: format!("FLAC channels/bits = {label}"),
                        at: data + 12,
                        bytes: vec![first, second],
                        ogg_page: None,
                    });
                }
                out.extend(be("FLAC total samples (low 32 bits)", data + 14, 4));
            }
            4 => {
                out.extend(le("Vorbis comment vendor length", data, 4));
                if let Some(vendor) = u32_le(seed, data) {
                    let count = data + 4 + vendor;
                    out.extend(le("Vorbis comment count", count, 4));
                    out.extend(le("first Vorbis comment length", count + 4, 4));
                }
            }
            6 => {
                out.extend(be("FLAC picture type", data, 4));
                out.extend(be("FLAC picture MIME length", data + 4, 4));
                if let Some(mime) = u32_be(seed, data + 4) {
                    let desc = data + 8 + mime;
                    out.extend(be("FLAC picture description length", desc, 4));
                    if let Some(desc_len) = u32_be(seed, desc) {
                        let dims = desc + 4 + desc_len;
                        out.extend(be("FLAC picture width", dims, 4));
                        out.extend(be("FLAC picture height", dims + 4, 4));
                        out.extend(be("FLAC picture data length", dims + 16, 4));
                        // The PNG's own size fields (IHDR width and height).
                        out.extend(be("PNG width", dims + 20 + 16, 4));
                        out.extend(be("PNG height", dims + 20 + 20, 4));
                    }
                }
            }
            _ => {}
        }
        at = data + size;
        if header & 0x80 != 0 {
            break;
        }
    }
    // The first frame's header: block size and sample rate codes, channels and sample size.
    if seed.get(at..at + 2) == Some(&[0xff, 0xf8]) {
        for (label, byte) in [
            ("block size 65536, rate from header", 0x7c),
            ("reserved", 0x0f),
            ("zero", 0x00),
        ] {
            out.push(Patch {
                name: format!("FLAC frame block size/rate code = {label}"),
                at: at + 2,
                bytes: vec![byte],
                ogg_page: None,
            });
        }
        for (label, byte) in [("reserved channels", 0xf0), ("reserved size", 0x16)] {
            out.push(Patch {
                name: format!("FLAC frame {label}"),
                at: at + 3,
                bytes: vec![byte],
                ogg_page: None,
            });
        }
    }
    out
}

fn mp3_fields(seed: &[u8]) -> Vec<Patch> {
    let mut out = Vec::new();
    let mut audio = 0;
    if seed.starts_with(b"ID3") {
        out.push(Patch {
            name: "ID3v2 version = 0xff".into(),
            at: 3,
            bytes: vec![0xff],
            ogg_page: None,
        });
        out.push(Patch {
            name: "ID3v2 flags = all (unsynchronised, extended header, experimental, footer)"
                .into(),
            at: 5,
            bytes: vec![0xf0],
            ogg_page: None,
        });
        out.extend(be("ID3v2 tag size", 6, 4));
        out.push(Patch {
            name: "ID3v2 tag size = syncsafe max".into(),
            at: 6,
            bytes: vec![0x7f; 4],
            ogg_page: None,
        });
        let size = seed[6..10]
            .iter()
            .fold(0usize, |n, &b| (n << 7) | usize::from(b & 0x7f));
        audio = 10 + size;
        // ID3v2.3 frames: id, size (plain 32 bits), flags.
        let mut at = 10;
        while at + 10 <= audio.min(seed.len()) && seed[at] != 0 {
            let id = String::from_utf8_lossy(&seed[at..at + 4]).into_owned();
            let Some(frame) = u32_be(seed, at + 4) else {
                break;
            };
            out.extend(be(&format!("ID3v2 {id} frame size"), at + 4, 4));
            out.push(Patch {
                name: format!("ID3v2 {id} frame flags = all (compressed, encrypted, grouped)"),
                at: at + 8,
                bytes: vec![0xff, 0xff],
                ogg_page: None,
            });
            out.push(Patch {
                name: format!("ID3v2 {id} text encoding = 0xff"),
                at: at + 10,
                bytes: vec![0xff],
                ogg_page: None,
            });
            at += 10 + frame;
        }
    }
    // The first MPEG frame header, and the Xing/Info frame count.
    if let Some(sync) = (audio..seed.len().saturating_sub(4))
        .find(|&i| seed[i] == 0xff && seed[i + 1] & 0xe0 == 0xe0)
    {
        let h = &seed[sync..sync + 4];
        for (label, b1, b2) in [
            ("reserved MPEG version", h[1] & 0xe7 | 0x08, h[2]),
            ("reserved layer", h[1] & 0xf9, h[2]),
            ("bitrate index 15", h[1], h[2] | 0xf0),
            ("free-format bitrate", h[1], h[2] & 0x0f),
            ("reserved sample rate", h[1], h[2] | 0x0c),
        ] {
            out.push(Patch {
                name: format!("MPEG frame header: {label}"),
                at: sync + 1,
                bytes: vec![b1, b2],
                ogg_page: None,
            });
        }
        if let Some(xing) = seed.windows(4).position(|w| w == b"Xing" || w == b"Info") {
            out.extend(be("Xing frame count", xing + 8, 4));
            out.extend(be("Xing byte count", xing + 12, 4));
        }
    }
    out
}

fn wav_fields(seed: &[u8]) -> Vec<Patch> {
    let mut out = le("RIFF size", 4, 4);
    let mut at = 12;
    while at + 8 <= seed.len() {
        let id = String::from_utf8_lossy(&seed[at..at + 4]).into_owned();
        let size = u32_le(seed, at + 4).unwrap();
        out.extend(le(&format!("RIFF {id} chunk size"), at + 4, 4));
        let data = at + 8;
        match id.as_str() {
            "fmt " => {
                out.extend(le("WAV format tag", data, 2));
                out.extend(le("WAV channels", data + 2, 2));
                out.extend(le("WAV sample rate", data + 4, 4));
                out.extend(le("WAV byte rate", data + 8, 4));
                out.extend(le("WAV block align", data + 12, 2));
                out.extend(le("WAV bits per sample", data + 14, 2));
            }
            "LIST" => {
                let mut sub = data + 4;
                while sub + 8 <= (data + size).min(seed.len()) {
                    let sid = String::from_utf8_lossy(&seed[sub..sub + 4]).into_owned();
                    out.extend(le(&format!("RIFF INFO {sid} size"), sub + 4, 4));
                    sub += 8 + u32_le(seed, sub + 4).unwrap().next_multiple_of(2);
                }
            }
            _ => {}
        }
        at = data + size.next_multiple_of(2);
    }
    out
}

/// CRC-32 of Ogg (polynomial 0x04c11db7, no reflection, no final xor).
fn ogg_crc(bytes: &[u8]) -> u32 {
    let mut crc = 0u32;
    for &b in bytes {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04c1_1db7
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// Recompute the CRC of the page at `page` (its length as its segment table says now).
fn fix_ogg_crc(bytes: &mut [u8], page: usize) {
    let Some(&segments) = bytes.get(page + 26) else {
        return;
    };
    let table = page + 27;
    let Some(lacing) = bytes.get(table..table + usize::from(segments)) else {
        return;
    };
    let body: usize = lacing.iter().map(|&l| usize::from(l)).sum();
    let end = (table + usize::from(segments) + body).min(bytes.len());
    bytes[page + 22..page + 26].fill(0);
    let crc = ogg_crc(&bytes[page..end]);
    bytes[page + 22..page + 26].copy_from_slice(&crc.to_le_bytes());
}

fn ogg_fields(seed: &[u8]) -> Vec<Patch> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut page_number = 0;
    while at + 27 <= seed.len() && &seed[at..at + 4] == b"OggS" {
        let segments = usize::from(seed[at + 26]);
        let body_at = at + 27 + segments;
        let body: usize = seed[at + 27..body_at].iter().map(|&l| usize::from(l)).sum();
        let mut page = Vec::new();
        page.extend(le(
            &format!("Ogg page {page_number} granule position"),
            at + 6,
            8,
        ));
        page.push(Patch {
            name: format!("Ogg page {page_number} header type = all flags"),
            at: at + 5,
            bytes: vec![0x07],
            ogg_page: None,
        });
        page.extend(le(
            &format!("Ogg page {page_number} sequence number"),
            at + 18,
            4,
        ));
        page.extend(le(
            &format!("Ogg page {page_number} segment count"),
            at + 26,
            1,
        ));
        if segments > 0 {
            page.extend(le(
                &format!("Ogg page {page_number} first lacing value"),
                at + 27,
                1,
            ));
        }
        let packet = &seed[body_at..(body_at + body).min(seed.len())];
        if packet.starts_with(b"\x01vorbis") {
            page.extend(le("Vorbis version", body_at + 7, 4));
            page.extend(le("Vorbis channels", body_at + 11, 1));
            page.extend(le("Vorbis sample rate", body_at + 12, 4));
            page.extend(le("Vorbis nominal bitrate", body_at + 20, 4));
            page.extend(le("Vorbis block sizes", body_at + 28, 1));
        } else if packet.starts_with(b"OpusHead") {
            page.extend(le("Opus version", body_at + 8, 1));
            page.extend(le("Opus channels", body_at + 9, 1));
            page.extend(le("Opus pre-skip", body_at + 10, 2));
            page.extend(le("Opus input sample rate", body_at + 12, 4));
            page.extend(le("Opus output gain", body_at + 16, 2));
            page.extend(le("Opus channel mapping family", body_at + 18, 1));
        } else if packet.starts_with(b"\x03vorbis") || packet.starts_with(b"OpusTags") {
            let vendor_at = body_at + if packet[0] == 3 { 7 } else { 8 };
            page.extend(le("comment header vendor length", vendor_at, 4));
            if let Some(vendor) = u32_le(seed, vendor_at) {
                let count = vendor_at + 4 + vendor;
                page.extend(le("comment count", count, 4));
                page.extend(le("first comment length", count + 4, 4));
            }
        }
        for mut patch in page {
            patch.ogg_page = Some(at);
            out.push(patch);
        }
        at = body_at + body;
        page_number += 1;
    }
    out
}

/// Atoms that hold atoms, and how many bytes come before their first child.
fn mp4_children_at(kind: &[u8]) -> Option<usize> {
    match kind {
        b"moov" | b"trak" | b"mdia" | b"minf" | b"stbl" | b"udta" | b"edts" | b"dinf" | b"ilst" => {
            Some(8)
        }
        b"meta" => Some(12),
        b"stsd" => Some(16),
        b"mp4a" | b"alac" => Some(36),
        // ilst's items (©nam, covr, …) hold `data` atoms.
        [0xa9, ..] | b"covr" | b"trkn" | b"gnre" | b"aART" | b"disk" => Some(8),
        _ => None,
    }
}

fn mp4_fields(seed: &[u8]) -> Vec<Patch> {
    let mut out = Vec::new();
    mp4_walk(seed, 0, seed.len(), &mut out, 0);
    out
}

fn mp4_walk(seed: &[u8], mut at: usize, end: usize, out: &mut Vec<Patch>, depth: usize) {
    while at + 8 <= end && depth < 12 {
        let Some(size) = u32_be(seed, at) else { return };
        let kind = &seed[at + 4..at + 8];
        let name = String::from_utf8_lossy(kind).into_owned();
        out.extend(be(&format!("MP4 {name} atom size"), at, 4));
        out.push(Patch {
            name: format!("MP4 {name} atom size = 1, 64-bit size = max"),
            at,
            bytes: [&1u32.to_be_bytes()[..], kind, &[0xff; 8]].concat(),
            ogg_page: None,
        });
        let body = at + 8;
        match kind {
            b"mvhd" | b"mdhd" => {
                out.extend(be(&format!("MP4 {name} timescale"), body + 12, 4));
                out.extend(be(&format!("MP4 {name} duration"), body + 16, 4));
            }
            b"stts" | b"stsc" | b"stco" | b"co64" => {
                out.extend(be(&format!("MP4 {name} entry count"), body + 4, 4));
            }
            b"stsz" => {
                out.extend(be("MP4 stsz sample size", body + 4, 4));
                out.extend(be("MP4 stsz sample count", body + 8, 4));
                out.extend(be("MP4 stsz first entry", body + 12, 4));
            }
            b"stsd" => out.extend(be("MP4 stsd entry count", body + 4, 4)),
            b"mp4a" | b"alac" => {
                out.extend(be(&format!("MP4 {name} channels"), body + 16, 2));
                out.extend(be(&format!("MP4 {name} sample size"), body + 18, 2));
                out.extend(be(&format!("MP4 {name} sample rate"), body + 24, 4));
            }
            b"esds" => {
                // The AudioSpecificConfig: object type, rate index, channels.
                if let Some(asc) = seed[body..(at + size).min(seed.len())]
                    .windows(2)
                    .position(|w| w[0] == 0x05)
                {
                    out.extend(be("AAC AudioSpecificConfig", body + asc + 2, 2));
                }
            }
            b"data" => out.extend(be("MP4 data atom type", body, 4)),
            _ => {}
        }
        if let Some(skip) = mp4_children_at(kind) {
            mp4_walk(seed, at + skip, (at + size).min(end), out, depth + 1);
        }
        if size < 8 {
            return;
        }
        at += size;
    }
}

fn adts_fields(seed: &[u8], at: usize) -> Vec<Patch> {
    let mut out = Vec::new();
    if seed.len() < at + 7 || seed[at] != 0xff || seed[at + 1] & 0xf0 != 0xf0 {
        return out;
    }
    let h = &seed[at..at + 7];
    for (label, b2, b3) in [
        ("reserved sample rate index 15", h[2] | 0x3c, h[3]),
        ("sample rate index 13", (h[2] & 0xc3) | (13 << 2), h[3]),
        ("channel configuration 0", h[2] & 0xfe, h[3] & 0x3f),
        ("channel configuration 7", h[2] | 0x01, h[3] | 0xc0),
        ("object type 3 (SSR)", (h[2] & 0x3f) | 0x80, h[3]),
    ] {
        out.push(Patch {
            name: format!("ADTS {label}"),
            at: at + 2,
            bytes: vec![b2, b3],
            ogg_page: None,
        });
    }
    // 13 bits of frame length across bytes 3..6.
    for (label, length) in [("0", 0u32), ("7", 7), ("max", 0x1fff)] {
        out.push(Patch {
            name: format!("ADTS frame length = {label}"),
            at: at + 3,
            bytes: vec![
                (h[3] & 0xfc) | ((length >> 11) as u8 & 0x03),
                (length >> 3) as u8,
                (h[5] & 0x1f) | (((length & 0x7) as u8) << 5),
            ],
            ogg_page: None,
        });
    }
    out
}
