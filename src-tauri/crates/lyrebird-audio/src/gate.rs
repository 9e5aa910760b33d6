//! What symphonia 0.5 must not be shown: length fields it would believe.
//!
//! symphonia 0.5 allocates what a length field says before it reads the bytes: an `ID3v2` frame,
//! a Vorbis comment, a FLAC picture or an MP4 table claiming 4 GiB makes it ask for 4 GiB (or
//! 64), and a failed allocation aborts the process — the audio thread's panic guard cannot
//! catch that (found by `lyrebird-library/tests/hostile_files.rs`; fixed upstream in symphonia
//! 0.6, which rodio does not use yet: pdeljanov/Symphonia#431, #497, #508). So before a file
//! or stream reaches it:
//!
//! - a leading `ID3v2` tag is skipped (the decoder needs nothing from it);
//! - a FLAC file is shown only its STREAMINFO and SEEKTABLE blocks (comments, pictures,
//!   cue sheets and padding are tags, read by the scan through lofty);
//! - an Ogg file's comment header (the second packet) must hold together: the vendor string,
//!   the count and every comment within the packet;
//! - an MP4 file's `moov` box must hold together: every box inside its parent, every sample
//!   table's entries inside their box, no sample larger than the file.
//!
//! A file that fails is refused with the reason, like any file that will not open.

use std::io::{self, Read, Seek, SeekFrom};

/// The most of a header this reads to check it (an Ogg comment header with its cover, an MP4
/// `moov` box). Larger ones are refused.
const MAX_HEADER: u64 = 64 << 20;
/// A FLAC SEEKTABLE larger than this is dropped (a 4-hour file at one point per second needs
/// 260 KiB).
const MAX_SEEKTABLE: usize = 1 << 20;

/// `reader` as symphonia may see it: the same bytes, or (`ID3v2`, FLAC) a view that leaves the
/// tags out. Reads only the headers; leaves nothing read from the stream but what it keeps.
pub fn admit<R: Read + Seek>(mut reader: R, len: Option<u64>) -> Result<Admitted<R>, String> {
    let io = |e: io::Error| format!("cannot read the file: {e}");
    let mut start = 0u64;
    let mut head = [0u8; 10];
    loop {
        reader.seek(SeekFrom::Start(start)).map_err(io)?;
        let filled = read_up_to(&mut reader, &mut head).map_err(io)?;
        if filled == 10 && head.starts_with(b"ID3") {
            let size = head[6..10]
                .iter()
                .fold(0u64, |n, &b| (n << 7) | u64::from(b & 0x7f));
            let footer = if head[5] & 0x10 != 0 { 10 } else { 0 };
            start += 10 + size + footer;
            if len.is_some_and(|len| start >= len) {
                return Err("the file's ID3v2 tag claims to be longer than the file".into());
            }
            continue;
        }
        break;
    }
    let mut prefix = Vec::new();
    if head.starts_with(b"fLaC") {
        let (kept, frames) = flac_headers(&mut reader, start, len)?;
        prefix = kept;
        start = frames;
    } else if head.starts_with(b"OggS") {
        check_ogg_comments(&mut reader, start)?;
    } else if &head[4..8] == b"ftyp" {
        check_mp4(&mut reader, start, len)?;
    }
    reader.seek(SeekFrom::Start(start)).map_err(io)?;
    Ok(Admitted {
        prefix,
        inner: reader,
        start,
        inner_pos: start,
        pos: 0,
        inner_len: len,
    })
}

fn read_up_to<R: Read>(reader: &mut R, out: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < out.len() {
        match reader.read(&mut out[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn read_exact_at<R: Read + Seek>(reader: &mut R, at: u64, len: u64) -> Result<Vec<u8>, String> {
    if len > MAX_HEADER {
        return Err(format!(
            "a header of the file is larger than {} MiB",
            MAX_HEADER >> 20
        ));
    }
    reader
        .seek(SeekFrom::Start(at))
        .map_err(|e| format!("cannot read the file: {e}"))?;
    let mut out = vec![0; usize::try_from(len).unwrap_or(usize::MAX)];
    reader
        .read_exact(&mut out)
        .map_err(|_| "the file ends inside its headers (truncated?)".to_owned())?;
    Ok(out)
}

/// The FLAC blocks the decoder needs (as a file's start: `fLaC`, STREAMINFO, maybe
/// SEEKTABLE, the last one marked last) and where the frames start.
fn flac_headers<R: Read + Seek>(
    reader: &mut R,
    start: u64,
    len: Option<u64>,
) -> Result<(Vec<u8>, u64), String> {
    let mut kept: Vec<(u8, Vec<u8>)> = Vec::new();
    let mut at = start + 4;
    loop {
        let header = read_exact_at(reader, at, 4)?;
        let kind = header[0] & 0x7f;
        let size =
            (u64::from(header[1]) << 16) | (u64::from(header[2]) << 8) | u64::from(header[3]);
        let end = at + 4 + size;
        if len.is_some_and(|len| end > len) {
            return Err("a FLAC metadata block runs past the end of the file".into());
        }
        let wanted = match kind {
            0 => kept.is_empty(),
            3 => usize::try_from(size).is_ok_and(|s| s <= MAX_SEEKTABLE && s % 18 == 0),
            _ => false,
        };
        if wanted {
            kept.push((kind, read_exact_at(reader, at + 4, size)?));
        }
        if kind == 0x7f {
            return Err("the FLAC file has an invalid metadata block".into());
        }
        at = end;
        if header[0] & 0x80 != 0 {
            break;
        }
    }
    if kept
        .first()
        .is_none_or(|(kind, data)| *kind != 0 || data.len() != 34)
    {
        return Err("the FLAC file has no valid STREAMINFO block".into());
    }
    let mut prefix = b"fLaC".to_vec();
    let count = kept.len();
    for (i, (kind, data)) in kept.into_iter().enumerate() {
        let last = if i + 1 == count { 0x80 } else { 0 };
        let size = u32::try_from(data.len()).unwrap_or(0).to_be_bytes();
        prefix.push(kind | last);
        prefix.extend_from_slice(&size[1..]);
        prefix.extend_from_slice(&data);
    }
    Ok((prefix, at))
}

/// The second packet of the first Ogg stream (its comment header) must hold together.
fn check_ogg_comments<R: Read + Seek>(reader: &mut R, start: u64) -> Result<(), String> {
    let mut at = start;
    let mut packets: Vec<Vec<u8>> = vec![Vec::new()];
    let mut serial = None;
    let mut total = 0u64;
    while packets.len() < 3 {
        let header = match read_exact_at(reader, at, 27) {
            Ok(header) if header.starts_with(b"OggS") => header,
            // Damaged or cut short before the comment header: symphonia reports it.
            _ => return Ok(()),
        };
        let segments = u64::from(header[26]);
        let lacing = read_exact_at(reader, at + 27, segments)?;
        let body: u64 = lacing.iter().map(|&l| u64::from(l)).sum();
        let page_serial = &header[14..18];
        if serial.get_or_insert_with(|| page_serial.to_vec()) != page_serial {
            at += 27 + segments + body;
            continue;
        }
        total += body;
        if total > MAX_HEADER {
            return Err(format!(
                "the Ogg comment header is larger than {} MiB",
                MAX_HEADER >> 20
            ));
        }
        let data = read_exact_at(reader, at + 27 + segments, body)?;
        let mut offset = 0;
        for &l in &lacing {
            let l = usize::from(l);
            if let Some(packet) = packets.last_mut() {
                packet.extend_from_slice(&data[offset..offset + l]);
            }
            offset += l;
            if l < 255 {
                packets.push(Vec::new());
            }
        }
        at += 27 + segments + body;
    }
    let comments = &packets[1];
    let after_magic = if comments.starts_with(b"\x03vorbis") {
        7
    } else if comments.starts_with(b"OpusTags") {
        8
    } else {
        return Ok(());
    };
    vorbis_comments_fit(&comments[after_magic..])
        .then_some(())
        .ok_or_else(|| "the Ogg comment header is corrupt (a length runs past its end)".into())
}

/// A Vorbis comment block: vendor length and string, count, then each comment's length and
/// text, all little-endian 32-bit lengths that must stay within `block`.
fn vorbis_comments_fit(block: &[u8]) -> bool {
    let mut at = 0usize;
    let mut take = |n: usize| -> Option<usize> {
        let field = block.get(at..at.checked_add(4)?)?;
        let value = u32::from_le_bytes(field.try_into().ok()?) as usize;
        at = at.checked_add(4)?.checked_add(n * value)?;
        (at <= block.len()).then_some(value)
    };
    let Some(_) = take(1) else { return false };
    let Some(count) = take(0) else { return false };
    (0..count).all(|_| take(1).is_some())
}

/// The MP4 `moov` box must hold together.
fn check_mp4<R: Read + Seek>(reader: &mut R, start: u64, len: Option<u64>) -> Result<(), String> {
    let mut at = start;
    loop {
        let Ok(header) = read_exact_at(reader, at, 8) else {
            return Ok(()); // no moov: symphonia says so
        };
        let mut size = u64::from(u32::from_be_bytes(header[..4].try_into().unwrap()));
        let mut body = 8;
        if size == 1 {
            let Ok(large) = read_exact_at(reader, at + 8, 8) else {
                return Ok(());
            };
            size = u64::from_be_bytes(large.try_into().unwrap());
            body = 16;
        }
        if &header[4..8] == b"moov" {
            if size < body || len.is_some_and(|len| at.saturating_add(size) > len) {
                return Err("the MP4 moov box runs past the end of the file".into());
            }
            let moov = read_exact_at(reader, at + body, size - body)?;
            let file_len = len.unwrap_or(u64::MAX);
            return check_boxes(&moov, file_len, 0, false)
                .map_err(|why| format!("the MP4 file's moov box is corrupt: {why}"));
        }
        if size < body {
            return Ok(()); // to the end of the file, or damaged: no moov after it
        }
        at = at.saturating_add(size);
    }
}

/// Boxes that hold boxes, and how many bytes of their `body` come before the first.
fn children_at(kind: &[u8], body: &[u8]) -> Option<usize> {
    match kind {
        b"moov" | b"trak" | b"mdia" | b"minf" | b"stbl" | b"udta" | b"edts" | b"dinf" | b"ilst"
        | b"mvex" | b"moof" | b"traf" => Some(0),
        // ISO `meta` has a version and flags before its boxes; QuickTime's has none.
        b"meta" if body.get(4..8) == Some(b"hdlr") => Some(0),
        b"meta" => Some(4),
        b"stsd" => Some(8),
        // A sound sample entry: 28 bytes, 16 more in QuickTime's version 1, 36 in version 2.
        b"mp4a" | b"alac" | b"enca" => match body.get(8..10) {
            Some([0, 0]) => Some(28),
            Some([0, 1]) => Some(44),
            Some([0, 2]) => Some(64),
            _ => None,
        },
        _ => None,
    }
}

fn be32(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u32::from_be_bytes(
        bytes.get(at..at + 4)?.try_into().ok()?,
    )))
}

/// Check the boxes that fill `data`.
/// `in_ilst`: these are the items of an `ilst` (any name), which hold `data` boxes.
fn check_boxes(data: &[u8], file_len: u64, depth: usize, in_ilst: bool) -> Result<(), String> {
    if depth > 16 {
        return Err("boxes nested too deep".into());
    }
    let mut at = 0usize;
    while at < data.len() {
        let rest = &data[at..];
        let (Some(size32), Some(kind)) = (be32(rest, 0), rest.get(4..8)) else {
            return Err("a box header is cut short".into());
        };
        let name = String::from_utf8_lossy(kind).into_owned();
        let (size, header) = match size32 {
            0 => (rest.len() as u64, 8usize),
            1 => {
                let large = rest
                    .get(8..16)
                    .ok_or_else(|| format!("the {name} box is cut short"))?;
                (u64::from_be_bytes(large.try_into().unwrap()), 16)
            }
            n => (n, 8),
        };
        if size < header as u64 || size > rest.len() as u64 {
            return Err(format!("the {name} box does not fit in the box holding it"));
        }
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        let body = &rest[header..size];
        check_table(kind, body, file_len).map_err(|why| format!("{name}: {why}"))?;
        if kind == b"alac" {
            check_alac_rate(body)?;
        }
        if let Some(skip) = children_at(kind, body).or(in_ilst.then_some(0))
            && let Some(children) = body.get(skip..)
        {
            check_boxes(children, file_len, depth + 1, kind == b"ilst")?;
        }
        at += size;
    }
    Ok(())
}

/// The highest sample rate believed (DXD is 352.8 kHz).
const MAX_RATE: u64 = 768_000;

/// An ALAC configuration's rate must be one audio has, and the sample entry's must be the
/// same (unless that is above what the
/// entry's 16-bit field can hold): rodio's accurate seek trusts one and symphonia decodes at
/// the other, and a seek in a file where they disagree never ends.
fn check_alac_rate(entry: &[u8]) -> Result<(), String> {
    // The sample entry's rate (16.16) at 24, then the `alac` configuration box at 28 (size,
    // "alac", version and flags, then the rate at 20 of its 24 bytes).
    let (Some(rate), Some(b"alac"), Some(config_rate)) = (
        be32(entry, 24),
        entry.get(32..36),
        be32(entry, 28 + 12 + 20),
    ) else {
        return Ok(()); // the configuration box itself, or one cut short (symphonia refuses it)
    };
    if config_rate == 0 || config_rate > MAX_RATE {
        return Err(format!("the ALAC configuration says {config_rate} Hz"));
    }
    if config_rate <= 0xffff && rate >> 16 != config_rate {
        return Err(format!(
            "the ALAC sample entry says {} Hz, its configuration {config_rate} Hz",
            rate >> 16
        ));
    }
    Ok(())
}

/// A sample table's entries must fit in its box, and no sample can be larger than the file.
fn check_table(kind: &[u8], body: &[u8], file_len: u64) -> Result<(), String> {
    let entry = match kind {
        b"stco" | b"stss" => 4,
        b"stts" | b"co64" | b"ctts" => 8,
        b"stsc" => 12,
        b"stsz" => {
            let (Some(sample_size), Some(count)) = (be32(body, 4), be32(body, 8)) else {
                return Err("cut short".into());
            };
            if sample_size > file_len {
                return Err("a sample larger than the file".into());
            }
            if sample_size == 0 {
                let table = body.get(12..).unwrap_or_default();
                if count.saturating_mul(4) > table.len() as u64 {
                    return Err("more entries than the box holds".into());
                }
                if table
                    .chunks_exact(4)
                    .any(|s| u64::from(u32::from_be_bytes(s.try_into().unwrap())) > file_len)
                {
                    return Err("a sample larger than the file".into());
                }
            }
            return Ok(());
        }
        _ => return Ok(()),
    };
    let count = be32(body, 4).ok_or("cut short")?;
    if count.saturating_mul(entry) > body.len().saturating_sub(8) as u64 {
        return Err("more entries than the box holds".into());
    }
    Ok(())
}

/// A reader's bytes from `start` on, after `prefix`.
pub struct Admitted<R> {
    prefix: Vec<u8>,
    inner: R,
    start: u64,
    /// Where `inner` is now (so a read goes on without a seek, which would drop a
    /// `BufReader`'s buffer).
    inner_pos: u64,
    pos: u64,
    inner_len: Option<u64>,
}

impl<R> Admitted<R> {
    /// The length of what this shows, if the inner length is known.
    pub fn len(&self) -> Option<u64> {
        self.inner_len
            .map(|len| self.prefix.len() as u64 + len.saturating_sub(self.start))
    }
}

impl<R: Read + Seek> Read for Admitted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let prefix = self.prefix.len() as u64;
        if self.pos < prefix {
            let from = usize::try_from(self.pos).unwrap_or(usize::MAX);
            let n = buf.len().min(self.prefix.len() - from);
            buf[..n].copy_from_slice(&self.prefix[from..from + n]);
            self.pos += n as u64;
            return Ok(n);
        }
        let want = self.start + (self.pos - prefix);
        if self.inner_pos != want {
            self.inner_pos = self.inner.seek(SeekFrom::Start(want))?;
        }
        let n = self.inner.read(buf)?;
        self.inner_pos += n as u64;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read + Seek> Seek for Admitted<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => {
                let len = if let Some(len) = self.len() {
                    len
                } else {
                    let end = self.inner.seek(SeekFrom::End(0))?;
                    self.inner_pos = end;
                    self.inner_len = Some(end);
                    self.len().unwrap_or(0)
                };
                len.checked_add_signed(d)
            }
        };
        self.pos = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read, Seek, SeekFrom};

    use super::{admit, check_boxes, vorbis_comments_fit};

    fn mp4_box(kind: &[u8], body: &[u8]) -> Vec<u8> {
        let size = u32::try_from(body.len() + 8).unwrap();
        [&size.to_be_bytes()[..], kind, body].concat()
    }

    #[test]
    fn quicktime_meta_and_sound_entries_are_read_as_such() {
        let data = mp4_box(b"data", &[0, 0, 0, 1, 0, 0, 0, 0, b'x']);
        let item = mp4_box(b"\xa9nam", &data);
        let ilst = mp4_box(b"ilst", &item);
        let hdlr = mp4_box(b"hdlr", &[0; 25]);
        // ISO: version and flags first; QuickTime: the boxes at once.
        let iso = mp4_box(b"meta", &[&[0, 0, 0, 0][..], &hdlr, &ilst].concat());
        let quicktime = mp4_box(b"meta", &[&hdlr[..], &ilst].concat());
        for meta in [iso, quicktime] {
            assert_eq!(
                check_boxes(&mp4_box(b"udta", &meta), 1000, 0, false),
                Ok(())
            );
        }
        // A version 1 sound description has 16 bytes more before its boxes.
        let esds = mp4_box(b"esds", &[0; 20]);
        let mut v1 = [0u8; 44];
        v1[9] = 1;
        let entry = mp4_box(b"mp4a", &[&v1[..], &esds].concat());
        let stsd = mp4_box(b"stsd", &[&[0, 0, 0, 0, 0, 0, 0, 1][..], &entry].concat());
        assert_eq!(check_boxes(&stsd, 1000, 0, false), Ok(()));
        // And a box inside that does not fit is found there.
        let mut bad = esds.clone();
        bad[..4].copy_from_slice(&u32::MAX.to_be_bytes());
        let entry = mp4_box(b"mp4a", &[&v1[..], &bad].concat());
        let stsd = mp4_box(b"stsd", &[&[0, 0, 0, 0, 0, 0, 0, 1][..], &entry].concat());
        assert!(check_boxes(&stsd, 1000, 0, false).is_err());
    }

    #[test]
    fn a_flac_file_is_shown_without_its_tags_and_seeks_as_one() {
        let streaminfo = [0x22u8; 34];
        let mut file = b"fLaC".to_vec();
        file.extend_from_slice(&[0x00, 0, 0, 34]);
        file.extend_from_slice(&streaminfo);
        // A comment block claiming a 4 GiB comment: never shown to the decoder.
        file.extend_from_slice(&[0x84, 0, 0, 8, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
        file.extend_from_slice(b"FRAMES");
        let len = file.len() as u64;
        let mut shown = admit(Cursor::new(file), Some(len)).unwrap();
        let mut whole = Vec::new();
        shown.read_to_end(&mut whole).unwrap();
        let mut expected = b"fLaC".to_vec();
        expected.extend_from_slice(&[0x80, 0, 0, 34]); // now the last block
        expected.extend_from_slice(&streaminfo);
        expected.extend_from_slice(b"FRAMES");
        assert_eq!(whole, expected);
        assert_eq!(shown.len(), Some(expected.len() as u64));
        // Seeks land in the view: in the kept blocks, in the frames, from the end.
        let mut two = [0u8; 2];
        shown.seek(SeekFrom::Start(2)).unwrap();
        shown.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"aC");
        assert_eq!(
            shown.seek(SeekFrom::End(-3)).unwrap(),
            expected.len() as u64 - 3
        );
        shown.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"ME");
        shown.seek(SeekFrom::Current(-4)).unwrap();
        shown.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"RA");
    }

    #[test]
    fn an_id3v2_tag_is_skipped_and_one_longer_than_the_file_refused() {
        let mut file = b"ID3\x03\x00\x00\x00\x00\x00\x04TAGS".to_vec();
        file.extend_from_slice(&[0xff, 0xfb, 0x90, 0x00]);
        let len = file.len() as u64;
        let mut shown = admit(Cursor::new(file.clone()), Some(len)).unwrap();
        let mut rest = Vec::new();
        shown.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, [0xff, 0xfb, 0x90, 0x00]);
        file[6..10].copy_from_slice(&[0x7f; 4]);
        let refused = admit(Cursor::new(file), Some(len)).err().unwrap();
        assert!(refused.contains("longer than the file"), "{refused}");
    }

    #[test]
    fn vorbis_comment_lengths_must_stay_inside_the_block() {
        let mut ok = Vec::new();
        ok.extend_from_slice(&3u32.to_le_bytes());
        ok.extend_from_slice(b"abc");
        ok.extend_from_slice(&1u32.to_le_bytes());
        ok.extend_from_slice(&5u32.to_le_bytes());
        ok.extend_from_slice(b"A=bcd");
        assert!(vorbis_comments_fit(&ok));
        let mut long = ok.clone();
        long[11..15].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(!vorbis_comments_fit(&long));
        let mut many = ok;
        many[7..11].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(!vorbis_comments_fit(&many));
    }
}
