//! Whether a file's tags hold an embedded picture, told from the tags' headers alone.
//!
//! The scan only needs to know that a track has a cover (`Track::has_cover`); the picture is
//! read when it is shown ([`crate::read_cover`]). lofty, told not to read pictures, skips them
//! but then does not say one was there, so this walks the headers itself:
//!
//! - `ID3v2` frames (`APIC`, `PIC` in v2.2) at the start of MP3, AAC and FLAC files and in a
//!   WAV file's `ID3 ` chunk, and an APE tag's `Cover Art (…)` items at the end of MP3 and AAC;
//! - FLAC metadata blocks: a PICTURE block, or a `METADATA_BLOCK_PICTURE` / `COVERART` Vorbis
//!   comment;
//! - the comment packet of Ogg Vorbis, Opus and Speex (the same two comments), page by page;
//! - MP4 `moov/udta/meta/ilst/covr` `data` boxes.
//!
//! It reads length fields and a picture's own header (an `APIC` frame's encoding, MIME type
//! and description; a FLAC picture's lengths), seeks past the rest, and never reads a
//! picture's bytes (but in an ID3v2.2/2.3 tag unsynchronised as a whole, which is read whole,
//! up to [`MAX_UNSYNC_TAG`]). Every read is bounded: at most [`MAX_READS`] reads a file, each
//! walk only moves forward and stays inside what holds it. A header that does not hold
//! together (a length past its parent's end, a picture header cut short, a picture without
//! bytes) counts as no picture there.

use std::io::{Read, Seek, SeekFrom};

use lofty::file::FileType;

/// Header reads per file (each at most [`PREFIX`] bytes, or a whole unsynchronised tag).
const MAX_READS: u32 = 1 << 16;
/// Boxes, chunks, blocks or items one level of a walk looks at.
const MAX_ENTRIES: u32 = 4096;
/// The most of an `APIC` frame's start read to find its MIME type and description.
const PREFIX: usize = 1024;
/// The largest ID3v2.2/2.3 tag unsynchronised as a whole that is read (it must be read whole
/// to find its frames); a larger one counts as no picture.
const MAX_UNSYNC_TAG: u64 = 16 << 20;
/// Ogg pages walked for the comment packet (a 64 MiB picture spans ≈ 1 000).
const MAX_PAGES: u32 = 1 << 14;

/// The formats [`has_picture`] knows; for the others the caller has lofty read the pictures.
#[must_use]
pub(crate) fn knows(kind: FileType) -> bool {
    matches!(
        kind,
        FileType::Mpeg
            | FileType::Aac
            | FileType::Flac
            | FileType::Vorbis
            | FileType::Opus
            | FileType::Speex
            | FileType::Mp4
            | FileType::Wav
    )
}

/// Whether the tags of `reader` (`len` bytes, of format `kind`) hold a picture; `None` for a
/// format this does not know ([`knows`]).
pub(crate) fn has_picture<R: Read + Seek>(reader: R, len: u64, kind: FileType) -> Option<bool> {
    let mut src = Source {
        reader,
        len,
        reads_left: MAX_READS,
    };
    let found = match kind {
        // The end first: lofty's last reads were there, so the reader may still hold it.
        FileType::Mpeg | FileType::Aac => ape_tag(&mut src) || leading_id3v2(&mut src).0,
        FileType::Flac => flac(&mut src),
        FileType::Vorbis | FileType::Opus => ogg(&mut src, false),
        FileType::Speex => ogg(&mut src, true),
        FileType::Mp4 => mp4(&mut src),
        FileType::Wav => wav(&mut src),
        _ => return None,
    };
    Some(found)
}

/// Bytes that can be read at an offset: the file, or an unsynchronised tag in memory.
trait At {
    /// `out.len()` bytes at `at`, or `None` past the end (or out of reads).
    fn read_at(&mut self, at: u64, out: &mut [u8]) -> Option<()>;

    fn array<const N: usize>(&mut self, at: u64) -> Option<[u8; N]> {
        let mut out = [0; N];
        self.read_at(at, &mut out)?;
        Some(out)
    }
}

struct Source<R> {
    reader: R,
    len: u64,
    reads_left: u32,
}

impl<R: Read + Seek> At for Source<R> {
    fn read_at(&mut self, at: u64, out: &mut [u8]) -> Option<()> {
        let end = at.checked_add(out.len() as u64)?;
        if end > self.len || self.reads_left == 0 {
            return None;
        }
        self.reads_left -= 1;
        self.reader.seek(SeekFrom::Start(at)).ok()?;
        self.reader.read_exact(out).ok()
    }
}

struct Mem(Vec<u8>);

impl At for Mem {
    fn read_at(&mut self, at: u64, out: &mut [u8]) -> Option<()> {
        let at = usize::try_from(at).ok()?;
        out.copy_from_slice(self.0.get(at..at.checked_add(out.len())?)?);
        Some(())
    }
}

fn be32(bytes: [u8; 4]) -> u64 {
    u64::from(u32::from_be_bytes(bytes))
}

fn le32(bytes: [u8; 4]) -> u64 {
    u64::from(u32::from_le_bytes(bytes))
}

/// A 28-bit `ID3v2` "synchsafe" number (7 bits a byte; the top bits masked off, as lofty does).
fn synchsafe(bytes: [u8; 4]) -> u64 {
    bytes
        .iter()
        .fold(0u64, |n, &b| (n << 7) | u64::from(b & 0x7f))
}

/// `bytes` with every `FF 00` made `FF` again (`ID3v2` unsynchronisation undone).
fn resynchronise(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut after_ff = false;
    for &b in bytes {
        if !(after_ff && b == 0) {
            out.push(b);
        }
        after_ff = b == 0xff;
    }
    out
}

// ---- `ID3v2` ----

/// The `ID3v2` tags one after another from the file's start (lofty reads each): whether one
/// holds a picture, and where they end.
fn leading_id3v2<R: Read + Seek>(src: &mut Source<R>) -> (bool, u64) {
    let mut at = 0;
    for _ in 0..8 {
        let Some((found, end)) = id3v2(src, at) else {
            break;
        };
        if found {
            return (true, end);
        }
        at = end;
    }
    (false, at)
}

/// The `ID3v2` tag at `at`, if there is one: whether it holds a picture, and where it ends.
fn id3v2<R: Read + Seek>(src: &mut Source<R>, at: u64) -> Option<(bool, u64)> {
    let header: [u8; 10] = src.array(at)?;
    if &header[..3] != b"ID3" {
        return None;
    }
    let (version, flags) = (header[3], header[5]);
    let size = synchsafe(header[6..10].try_into().ok()?);
    let footer = if version == 4 && flags & 0x10 != 0 {
        10
    } else {
        0
    };
    let end = at + 10 + size + footer;
    let frames_end = (at + 10 + size).min(src.len);
    let found = match version {
        // Unsynchronised as a whole: frame sizes count the bytes after undoing it.
        2 | 3 if flags & 0x80 != 0 => {
            let len = frames_end.saturating_sub(at + 10);
            let mut raw = vec![0; usize::try_from(len.min(MAX_UNSYNC_TAG)).ok()?];
            len <= MAX_UNSYNC_TAG && src.read_at(at + 10, &mut raw).is_some() && {
                let mut tag = Mem(resynchronise(&raw));
                let len = tag.0.len() as u64;
                id3v2_frames(&mut tag, 0, len, version, flags)
            }
        }
        2..=4 => id3v2_frames(src, at + 10, frames_end, version, flags),
        _ => false,
    };
    Some((found, end))
}

/// Whether the frames from `at` to `end` (after the tag header) hold a picture.
fn id3v2_frames(tag: &mut impl At, mut at: u64, end: u64, version: u8, flags: u8) -> bool {
    // v2.2's flag 0x40 is compression (of the whole tag; nothing reads it).
    if version == 2 && flags & 0x40 != 0 {
        return false;
    }
    if version > 2 && flags & 0x40 != 0 {
        // An extended header: its size counts itself in v2.4, not in v2.3.
        let Some(size) = tag.array(at) else {
            return false;
        };
        at += if version == 4 {
            synchsafe(size)
        } else {
            4 + be32(size)
        };
    }
    let header_len: usize = if version == 2 { 6 } else { 10 };
    for _ in 0..MAX_ENTRIES {
        let body = at + header_len as u64;
        if body > end {
            return false;
        }
        let mut header = [0u8; 10];
        if tag.read_at(at, &mut header[..header_len]).is_none() {
            return false;
        }
        let (id, size, frame_flags) = if version == 2 {
            let size = (u64::from(header[3]) << 16) | (u64::from(header[4]) << 8);
            (&header[..3], size | u64::from(header[5]), 0)
        } else {
            let size: [u8; 4] = header[4..8].try_into().unwrap_or_default();
            let size = if version == 4 {
                synchsafe(size)
            } else {
                be32(size)
            };
            (&header[..4], size, header[9])
        };
        let frame_id = |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit();
        // v2.3 tags sometimes carry v2.2 ids ("PIC\0"), which lofty reads as v2.3 frames.
        let v2_id_in_v3 = version == 3 && id[3] == 0;
        if !id[..3].iter().all(frame_id) || !(v2_id_in_v3 || id[3..].iter().all(frame_id)) {
            return false; // padding, or not a frame
        }
        let frame_end = body + size;
        if frame_end > end {
            return false; // cut short: nothing after it can be trusted
        }
        let picture = matches!(id, b"APIC" | b"PIC" | b"PIC\0");
        // A v2.4 tag unsynchronised as a whole: each frame is, as if its own flag said so.
        let frame_flags = frame_flags
            | if version == 4 && flags & 0x80 != 0 {
                0x02
            } else {
                0
            };
        if picture && apic_holds_together(tag, body, size, version, frame_flags) {
            return true;
        }
        at = frame_end;
    }
    false
}

/// Whether the `APIC` (`PIC`) frame body at `at`, `size` bytes, has an encoding, a MIME type
/// (a format in v2.2), a picture type and a description, then at least one byte of picture.
fn apic_holds_together(tag: &mut impl At, at: u64, size: u64, version: u8, flags: u8) -> bool {
    let (compressed, encrypted, grouped, unsync, length_indicator) = match version {
        3 => (
            flags & 0x80 != 0,
            flags & 0x40 != 0,
            flags & 0x20 != 0,
            false,
            false,
        ),
        4 => (
            flags & 0x08 != 0,
            flags & 0x04 != 0,
            flags & 0x40 != 0,
            flags & 0x02 != 0,
            flags & 0x01 != 0,
        ),
        _ => (false, false, false, false, false),
    };
    let extra = u64::from(grouped) + if length_indicator { 4 } else { 0 };
    if size <= extra {
        return false;
    }
    if compressed || encrypted {
        return true; // its header cannot be read without its bytes; lofty decides
    }
    let (at, size) = (at + extra, size - extra);
    let mut prefix = vec![0; usize::try_from(size).unwrap_or(PREFIX).min(PREFIX)];
    if tag.read_at(at, &mut prefix).is_none() {
        return false;
    }
    let whole = prefix.len() as u64 == size;
    if unsync {
        prefix = resynchronise(&prefix);
    }
    let Some(&encoding) = prefix.first() else {
        return false;
    };
    if encoding > 3 {
        return false;
    }
    // The description starts after the MIME type (or format) and the picture type.
    let description = if version == 2 {
        5
    } else {
        match prefix[1..].iter().position(|&b| b == 0) {
            Some(nul) => 1 + nul + 1 + 1,
            None => return false, // MIME types are short
        }
    };
    let Some(text) = prefix.get(description..) else {
        return false;
    };
    let terminator = if encoding == 1 || encoding == 2 {
        text.chunks_exact(2)
            .position(|c| c == [0, 0])
            .map(|i| i * 2 + 2)
    } else {
        text.iter().position(|&b| b == 0).map(|i| i + 1)
    };
    match terminator {
        Some(after) => ((description + after) as u64) < prefix.len() as u64 || !whole,
        // A description longer than what was read: the picture follows it.
        None => !whole,
    }
}

// ---- APE ----

/// An APE tag at the end (before an `ID3v1` tag, if any) with a `Cover Art (…)` item.
fn ape_tag<R: Read + Seek>(src: &mut Source<R>) -> bool {
    let mut footer_at = src.len.checked_sub(32);
    if let Some(id3v1) = src.len.checked_sub(128)
        && src.array::<3>(id3v1) == Some(*b"TAG")
    {
        footer_at = id3v1.checked_sub(32);
    }
    let Some(footer_at) = footer_at else {
        return false;
    };
    let Some(footer) = src.array::<32>(footer_at) else {
        return false;
    };
    if &footer[..8] != b"APETAGEX" {
        return false;
    }
    let field = |i: usize| le32(footer[i..i + 4].try_into().unwrap_or_default());
    let (size, count) = (field(12), field(16));
    // The size counts the items and the footer.
    let Some(mut at) = (footer_at + 32).checked_sub(size) else {
        return false;
    };
    for _ in 0..count.min(u64::from(MAX_ENTRIES)) {
        // Value size, flags, key (ASCII, NUL-terminated), value.
        let Some(item) = src.array::<8>(at) else {
            return false;
        };
        let value = le32(item[..4].try_into().unwrap_or_default());
        let mut key = [0u8; 256];
        let room = usize::try_from(footer_at.saturating_sub(at + 8)).unwrap_or(256);
        let key = &mut key[..room.min(256)];
        if src.read_at(at + 8, key).is_none() {
            return false;
        }
        let Some(nul) = key.iter().position(|&b| b == 0) else {
            return false;
        };
        let value_at = at + 8 + nul as u64 + 1;
        let Some(next) = value_at.checked_add(value).filter(|&n| n <= footer_at) else {
            return false;
        };
        let name = std::str::from_utf8(&key[..nul]).unwrap_or_default();
        if value > 0 && lofty::ape::APE_PICTURE_TYPES.contains(&name) {
            return true;
        }
        at = next;
    }
    false
}

// ---- FLAC ----

fn flac<R: Read + Seek>(src: &mut Source<R>) -> bool {
    let (in_id3v2, mut at) = leading_id3v2(src);
    if in_id3v2 {
        return true;
    }
    if src.array::<4>(at) != Some(*b"fLaC") {
        return false;
    }
    at += 4;
    for _ in 0..MAX_ENTRIES {
        let Some(header) = src.array::<4>(at) else {
            return false;
        };
        let kind = header[0] & 0x7f;
        let size = be32([0, header[1], header[2], header[3]]);
        let (body, end) = (at + 4, at + 4 + size);
        if end > src.len || kind == 0x7f {
            return false;
        }
        let found = match kind {
            6 => flac_picture(src, body, end),
            4 => vorbis_comments(&mut Range {
                src: &mut *src,
                at: body,
                end,
            }),
            _ => false,
        };
        if found {
            return true;
        }
        if header[0] & 0x80 != 0 {
            return false; // the last block
        }
        at = end;
    }
    false
}

/// Whether the FLAC picture (a PICTURE block's body, or a decoded `METADATA_BLOCK_PICTURE`)
/// from `at` to `end` holds together with at least one byte of picture: its picture type,
/// MIME type and description lengths, four numbers, then the picture's length, read by
/// seeking past the strings.
fn flac_picture(src: &mut impl At, at: u64, end: u64) -> bool {
    fn field(src: &mut impl At, at: u64, end: u64) -> Option<u64> {
        (at + 4 <= end).then_some(())?;
        src.array(at).map(be32)
    }
    fn fits(src: &mut impl At, at: u64, end: u64) -> Option<bool> {
        let mime = field(src, at + 4, end)?;
        let description_at = (at + 8).checked_add(mime)?;
        let description = field(src, description_at, end)?;
        let data_len_at = (description_at + 4)
            .checked_add(description)?
            .checked_add(16)?;
        let data = field(src, data_len_at, end)?;
        Some(data > 0 && (data_len_at + 4).checked_add(data)? <= end)
    }
    fits(src, at, end).unwrap_or(false)
}

// ---- Vorbis comments ----

/// Bytes read in order, and skipped without being read.
trait Stream {
    fn read(&mut self, out: &mut [u8]) -> Option<()>;
    fn skip(&mut self, n: u64) -> Option<()>;

    fn le32(&mut self) -> Option<u64> {
        let mut out = [0; 4];
        self.read(&mut out)?;
        Some(le32(out))
    }
}

/// A part of the file.
struct Range<'a, R> {
    src: &'a mut Source<R>,
    at: u64,
    end: u64,
}

impl<R: Read + Seek> Stream for Range<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> Option<()> {
        let next = self.at.checked_add(out.len() as u64)?;
        (next <= self.end).then_some(())?;
        self.src.read_at(self.at, out)?;
        self.at = next;
        Some(())
    }

    fn skip(&mut self, n: u64) -> Option<()> {
        self.at = self.at.checked_add(n).filter(|&next| next <= self.end)?;
        Some(())
    }
}

/// Whether a Vorbis comment block (vendor, count, comments) has a picture comment
/// (`METADATA_BLOCK_PICTURE=` or `COVERART=` with a value) that fits in it.
fn vorbis_comments(block: &mut impl Stream) -> bool {
    fn walk(block: &mut impl Stream) -> Option<bool> {
        const KEYS: [&[u8]; 2] = [b"METADATA_BLOCK_PICTURE", b"COVERART"];
        let vendor = block.le32()?;
        block.skip(vendor)?;
        let count = block.le32()?;
        for _ in 0..count.min(1 << 20) {
            let len = block.le32()?;
            let mut start = [0u8; 23];
            let start = &mut start[..usize::try_from(len).unwrap_or(23).min(23)];
            block.read(start)?;
            let value = start.iter().position(|&b| b == b'=').map(|eq| {
                let picture = KEYS.iter().any(|k| k.eq_ignore_ascii_case(&start[..eq]));
                (picture, len - eq as u64 - 1)
            });
            // Its value must fit in the block too.
            block.skip(len - start.len() as u64)?;
            if let Some((true, value)) = value
                && value > 0
            {
                return Some(true);
            }
        }
        Some(false)
    }
    walk(block).unwrap_or(false)
}

// ---- Ogg ----

/// The first logical stream's second packet (its comment header) holds a picture comment.
/// `speex`: the comments start the packet (Vorbis's and Opus's start after a magic).
fn ogg<R: Read + Seek>(src: &mut Source<R>, speex: bool) -> bool {
    fn walk<R: Read + Seek>(packet: &mut OggPacket<'_, R>, speex: bool) -> Option<bool> {
        packet.skip_packet()?; // the identification header
        if !speex {
            let mut magic = [0u8; 8];
            packet.read(&mut magic[..7])?;
            if &magic[..7] != b"\x03vorbis" {
                packet.read(&mut magic[7..])?;
                if &magic != b"OpusTags" {
                    return Some(false);
                }
            }
        }
        Some(vorbis_comments(packet))
    }
    let mut packet = OggPacket {
        src,
        serial: None,
        next_page: 0,
        lacing: [0; 255],
        segments: 0,
        segment: 0,
        pos: 0,
        left: 0,
        current: 255,
        pages: 0,
    };
    walk(&mut packet, speex).unwrap_or(false)
}

/// The packets of one Ogg stream, read through its pages' segment tables: skipping bytes
/// reads only the headers of the pages it crosses.
struct OggPacket<'a, R> {
    src: &'a mut Source<R>,
    serial: Option<[u8; 4]>,
    next_page: u64,
    /// The current page's segment table, how many it has, and the next one to start.
    lacing: [u8; 255],
    segments: usize,
    segment: usize,
    /// Where the next byte is and how many are left in the current segment, and its length
    /// (one under 255 ends a packet).
    pos: u64,
    left: u64,
    current: u8,
    pages: u32,
}

impl<R: Read + Seek> OggPacket<'_, R> {
    /// The next page of the stream (pages of other streams are stepped over).
    fn next_page(&mut self) -> Option<()> {
        loop {
            self.pages += 1;
            if self.pages > MAX_PAGES {
                return None;
            }
            let header: [u8; 27] = self.src.array(self.next_page)?;
            if &header[..4] != b"OggS" {
                return None;
            }
            let segments = usize::from(header[26]);
            let table_at = self.next_page + 27;
            self.src.read_at(table_at, &mut self.lacing[..segments])?;
            let body: u64 = self.lacing[..segments].iter().map(|&l| u64::from(l)).sum();
            let body_at = table_at + segments as u64;
            self.next_page = body_at + body;
            if self.next_page > self.src.len {
                return None; // cut short (skipping does not read the bytes it steps over)
            }
            let serial: [u8; 4] = header[14..18].try_into().ok()?;
            if *self.serial.get_or_insert(serial) == serial {
                self.segments = segments;
                self.segment = 0;
                self.pos = body_at;
                return Some(());
            }
        }
    }

    fn next_segment(&mut self) -> Option<()> {
        while self.segment == self.segments {
            self.next_page()?;
        }
        self.current = self.lacing[self.segment];
        self.segment += 1;
        self.left = u64::from(self.current);
        Some(())
    }

    /// Step over `n` bytes of the packet, copying them into `out` if given.
    fn take(&mut self, mut n: u64, mut out: Option<&mut [u8]>) -> Option<()> {
        let mut filled = 0;
        while n > 0 {
            if self.left == 0 {
                if self.current < 255 {
                    return None; // the packet ended
                }
                self.next_segment()?;
                continue;
            }
            let step = n.min(self.left);
            if let Some(out) = out.as_deref_mut() {
                #[allow(clippy::cast_possible_truncation)] // at most `out.len()`
                let to = filled + step as usize;
                self.src.read_at(self.pos, &mut out[filled..to])?;
                filled = to;
            }
            self.pos += step;
            self.left -= step;
            n -= step;
        }
        Some(())
    }

    /// Step to the end of the current packet; the next read starts the next one.
    fn skip_packet(&mut self) -> Option<()> {
        loop {
            self.pos += self.left;
            self.left = 0;
            if self.current < 255 {
                break;
            }
            self.next_segment()?;
        }
        self.current = 255;
        Some(())
    }
}

impl<R: Read + Seek> Stream for OggPacket<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> Option<()> {
        self.take(out.len() as u64, Some(out))
    }

    fn skip(&mut self, n: u64) -> Option<()> {
        self.take(n, None)
    }
}

// ---- MP4 ----

/// The bodies (start, end) of the boxes named `kind` among those from `at` to `end`; the list
/// stops at a box that does not fit in what holds it.
fn boxes<R: Read + Seek>(
    src: &mut Source<R>,
    mut at: u64,
    end: u64,
    kind: [u8; 4],
) -> Vec<(u64, u64)> {
    let mut found = Vec::new();
    for _ in 0..MAX_ENTRIES {
        let Some(header) = src.array::<8>(at).filter(|_| at + 8 <= end) else {
            break;
        };
        let (size, body) = match be32(header[..4].try_into().unwrap_or_default()) {
            0 => (end - at, at + 8),
            1 => match src.array(at + 8) {
                Some(large) => (u64::from_be_bytes(large), at + 16),
                None => break,
            },
            size => (size, at + 8),
        };
        let Some(box_end) = at.checked_add(size).filter(|&e| e >= body && e <= end) else {
            break;
        };
        if header[4..] == kind {
            found.push((body, box_end));
        }
        at = box_end;
    }
    found
}

/// `moov/udta/meta/ilst/covr` holds a `data` box with a picture in it.
fn mp4<R: Read + Seek>(src: &mut Source<R>) -> bool {
    let Some(&(moov, moov_end)) = boxes(src, 0, src.len, *b"moov").first() else {
        return false;
    };
    for (udta, udta_end) in boxes(src, moov, moov_end, *b"udta") {
        for (meta, meta_end) in boxes(src, udta, udta_end, *b"meta") {
            // ISO `meta` has a version and flags before its boxes; QuickTime's has none.
            let children = if src.array::<4>(meta + 4) == Some(*b"hdlr") {
                meta
            } else {
                meta + 4
            };
            for (ilst, ilst_end) in boxes(src, children, meta_end, *b"ilst") {
                for (covr, covr_end) in boxes(src, ilst, ilst_end, *b"covr") {
                    // A `data` box: type and locale (8 bytes), then the picture.
                    if boxes(src, covr, covr_end, *b"data")
                        .iter()
                        .any(|&(body, end)| end > body + 8)
                    {
                        return true;
                    }
                }
            }
        }
    }
    false
}

// ---- WAV ----

/// A WAV file's `ID3 ` (or `id3 `) chunk holds a picture.
fn wav<R: Read + Seek>(src: &mut Source<R>) -> bool {
    let Some(header) = src.array::<12>(0) else {
        return false;
    };
    if &header[..4] != b"RIFF" || &header[8..] != b"WAVE" {
        return false;
    }
    let mut at = 12;
    for _ in 0..MAX_ENTRIES {
        let Some(chunk) = src.array::<8>(at) else {
            return false;
        };
        let size = le32(chunk[4..].try_into().unwrap_or_default());
        let (body, end) = (at + 8, at + 8 + size);
        if end > src.len {
            return false;
        }
        if chunk[..4].eq_ignore_ascii_case(b"ID3 ") && id3v2(src, body).is_some_and(|(f, _)| f) {
            return true;
        }
        at = end + (size & 1); // chunks are padded to an even length
    }
    false
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;
    use std::path::Path;

    use lofty::config::WriteOptions;
    use lofty::picture::{MimeType, Picture, PictureType};
    use lofty::tag::{Tag, TagExt, TagType};

    use super::*;

    /// `seed` (from the hostile corpus) with a 200 KB picture in its `kind` tag, as bytes, and
    /// where the picture ends in them (at the latest).
    fn with_picture(seed: &str, kind: TagType) -> (Vec<u8>, usize) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(seed);
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/seeds");
        std::fs::copy(seeds.join(seed), &path).unwrap();
        let mut rng = fastrand::Rng::with_seed(6);
        let data: Vec<u8> = (0..200_000).map(|_| rng.u8(1..)).collect();
        let last = data[data.len() - 16..].to_vec();
        let mut tag = Tag::new(kind);
        tag.push_picture(
            Picture::unchecked(data)
                .pic_type(PictureType::CoverFront)
                .mime_type(MimeType::Png)
                .build(),
        );
        tag.save_to_path(&path, WriteOptions::default()).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        // Ogg: base64 in a comment, whose length is less than where it ends in the file (the
        // pages' headers come between).
        let end = find(&bytes, &last).map_or_else(
            || {
                let key = find(&bytes, b"METADATA_BLOCK_PICTURE=").unwrap();
                let len = u32::from_le_bytes(bytes[key - 4..key].try_into().unwrap());
                key + len as usize
            },
            |at| at + 16,
        );
        (bytes, end)
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    fn probe(bytes: &[u8], kind: FileType) -> bool {
        has_picture(Cursor::new(bytes), bytes.len() as u64, kind).unwrap()
    }

    const FORMATS: [(&str, TagType, FileType); 7] = [
        ("seed.flac", TagType::VorbisComments, FileType::Flac),
        ("seed.mp3", TagType::Id3v2, FileType::Mpeg),
        ("seed.aac", TagType::Id3v2, FileType::Aac),
        ("seed.wav", TagType::Id3v2, FileType::Wav),
        ("seed.ogg", TagType::VorbisComments, FileType::Vorbis),
        ("seed.opus", TagType::VorbisComments, FileType::Opus),
        ("seed.m4a", TagType::Mp4Ilst, FileType::Mp4),
    ];

    /// Cut anywhere before the picture's last byte, no format has a picture (lofty refuses
    /// most of these files; the probe must say no on its own, not panic, not loop).
    #[test]
    fn a_picture_cut_short_is_none() {
        for (seed, tag, kind) in FORMATS {
            let (bytes, picture_end) = with_picture(seed, tag);
            assert!(probe(&bytes, kind), "{seed}");
            for cut in (0..picture_end).step_by(997).chain([picture_end - 1]) {
                assert!(!probe(&bytes[..cut], kind), "{seed} cut at {cut}");
            }
        }
    }

    /// An Ogg picture comment whose length runs past its packet, or has no value.
    #[test]
    fn an_ogg_picture_comment_that_lies_is_none() {
        for (seed, kind) in [
            ("seed.ogg", FileType::Vorbis),
            ("seed.opus", FileType::Opus),
        ] {
            let (bytes, _) = with_picture(seed, TagType::VorbisComments);
            let key = find(&bytes, b"METADATA_BLOCK_PICTURE=").unwrap();
            let mut past = bytes.clone();
            past[key - 4..key].copy_from_slice(&[0xff, 0xff, 0xff, 0x0f]);
            assert!(!probe(&past, kind), "{seed}: comment past its packet");
            let mut no_value = bytes.clone();
            no_value[key - 4..key].copy_from_slice(&23u32.to_le_bytes());
            assert!(!probe(&no_value, kind), "{seed}: comment with no value");
        }
    }

    /// Random bytes over the headers of each format: the probe answers, within its reads.
    #[test]
    fn hostile_headers_neither_panic_nor_loop() {
        let mut rng = fastrand::Rng::with_seed(19);
        for (seed, tag, kind) in FORMATS {
            let (bytes, _) = with_picture(seed, tag);
            for _ in 0..2_000 {
                let mut mutated = bytes.clone();
                for _ in 0..rng.usize(1..8) {
                    let at = rng.usize(..mutated.len().min(4096));
                    mutated[at] = if rng.bool() { 0xff } else { rng.u8(..) };
                }
                let _ = probe(&mutated, kind);
            }
        }
    }
}
