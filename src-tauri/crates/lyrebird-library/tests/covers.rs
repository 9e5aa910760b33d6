//! Embedded covers are told from the tags' headers (`src/cover_probe.rs`), not read: for each
//! format the scan reads, a file with a large picture has `has_cover`, the same file without
//! it has not, and neither has one whose picture header is corrupt or cut short. The picture
//! itself is still there for the UI (`read_cover`) when `has_cover` says so.
//!
//! The files are the hostile corpus's seeds (`tests/hostile/seeds/`, one per format, made by
//! ffmpeg), their pictures removed or a 512 KB one added by lofty.

use std::path::{Path, PathBuf};

use lofty::config::WriteOptions;
use lofty::picture::{MimeType, Picture, PictureType};
use lofty::prelude::*;
use lofty::tag::{Tag, TagType};
use lyrebird_core::model::SourceKind;
use lyrebird_library::{read_cover, read_track_checked};

fn seed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile/seeds")
        .join(name)
}

/// The seeds, and the tag each format keeps its pictures in.
const FORMATS: [(&str, TagType); 8] = [
    ("seed.flac", TagType::VorbisComments),
    ("seed.mp3", TagType::Id3v2),
    ("seed.aac", TagType::Id3v2),
    ("seed.wav", TagType::Id3v2),
    ("seed.ogg", TagType::VorbisComments),
    ("seed.opus", TagType::VorbisComments),
    ("seed.m4a", TagType::Mp4Ilst),
    ("seed-alac.m4a", TagType::Mp4Ilst),
];

/// 512 KB that start like a JPEG; no zero bytes, so no part of it reads as a terminator.
fn big_picture() -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(19);
    let mut data = vec![0xff, 0xd8, 0xff, 0xe0];
    data.extend((0..512 * 1024).map(|_| rng.u8(1..)));
    data
}

/// A copy of `name` in `dir` without any picture, then with `picture` (if any) in its `kind`
/// tag.
fn copy_with(dir: &Path, name: &str, kind: TagType, picture: Option<&[u8]>) -> PathBuf {
    let tail = if picture.is_some() { "with" } else { "without" };
    let path = dir.join(format!("{tail}-{name}"));
    std::fs::copy(seed(name), &path).unwrap();
    let tagged = lofty::read_from_path(&path).unwrap();
    for tag in tagged.tags() {
        if !tag.pictures().is_empty() {
            let mut tag = tag.clone();
            while !tag.pictures().is_empty() {
                tag.remove_picture(0);
            }
            tag.save_to_path(&path, WriteOptions::default()).unwrap();
        }
    }
    if let Some(data) = picture {
        let tagged = lofty::read_from_path(&path).unwrap();
        let mut tag = tagged.tag(kind).cloned().unwrap_or_else(|| Tag::new(kind));
        tag.push_picture(
            Picture::unchecked(data.to_vec())
                .pic_type(PictureType::CoverFront)
                .mime_type(MimeType::Jpeg)
                .description("front")
                .build(),
        );
        tag.save_to_path(&path, WriteOptions::default()).unwrap();
    }
    path
}

fn has_cover(path: &Path) -> bool {
    let read = read_track_checked(path, SourceKind::Local);
    assert_eq!(read.problem, None, "{}", path.display());
    read.track.has_cover
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn every_format_tells_a_large_cover_from_none() {
    let dir = tempfile::tempdir().unwrap();
    let picture = big_picture();
    for (name, kind) in FORMATS {
        let without = copy_with(dir.path(), name, kind, None);
        assert!(!has_cover(&without), "{name} without a picture");
        assert_eq!(read_cover(&without), None, "{name}");

        let with = copy_with(dir.path(), name, kind, Some(&picture));
        assert!(has_cover(&with), "{name} with a picture");
        let cover = read_cover(&with).unwrap_or_else(|| panic!("{name}: no cover to show"));
        assert_eq!(cover.mime_type, "image/jpeg", "{name}");
        assert!(cover.data == picture, "{name}: not the picture embedded");
    }
}

/// The seeds as ffmpeg wrote them: an 8×8 PNG in the FLAC (PICTURE block), MP3 (`ID3v2.3`
/// `APIC`) and AAC-in-MP4 (`covr`) files, none in the others.
#[test]
fn the_seeds_covers_as_ffmpeg_wrote_them() {
    for (name, _) in FORMATS {
        let expected = matches!(name, "seed.flac" | "seed.mp3" | "seed.m4a");
        assert_eq!(has_cover(&seed(name)), expected, "{name}");
        assert_eq!(read_cover(&seed(name)).is_some(), expected, "{name}");
    }
}

/// The picture's header made to lie in each format, in a way lofty still reads the rest of
/// the file (it skips pictures it is told not to read): the file is listed with its tags,
/// without a cover.
#[test]
fn a_corrupt_picture_header_is_no_cover() {
    let dir = tempfile::tempdir().unwrap();
    let picture = big_picture();
    for (name, kind) in FORMATS {
        let with = copy_with(dir.path(), name, kind, Some(&picture));
        let title = read_track_checked(&with, SourceKind::Local).track.title;
        let bytes = std::fs::read(&with).unwrap();
        let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
        match kind {
            TagType::Id3v2 => {
                let apic = find(&bytes, b"APIC").expect("an APIC frame");
                // Its size (synchsafe, lofty writes ID3v2.4) past the end of the tag.
                let mut past_the_tag = bytes.clone();
                past_the_tag[apic + 4..apic + 8].copy_from_slice(&[0x7f; 4]);
                cases.push(("APIC frame size past the tag's end", past_the_tag));
                // A text encoding that does not exist.
                let mut encoding = bytes.clone();
                encoding[apic + 10] = 9;
                cases.push(("APIC text encoding = 9", encoding));
                // No NUL after the MIME type within the frame (a short frame).
                let mut no_mime_end = bytes.clone();
                no_mime_end[apic + 4..apic + 8].copy_from_slice(&[0, 0, 0, 8]);
                let body = apic + 10;
                no_mime_end[body + 1..body + 8].copy_from_slice(b"image/j");
                cases.push(("APIC frame of 8 bytes, MIME type unterminated", no_mime_end));
            }
            TagType::VorbisComments if name == "seed.flac" => {
                let block = flac_picture_block(&bytes);
                let mime = be32(&bytes, block + 4);
                let description = be32(&bytes, block + 8 + mime);
                let data_len_at = block + 8 + mime + 4 + description + 16;
                let mut past_the_block = bytes.clone();
                past_the_block[data_len_at..data_len_at + 4].copy_from_slice(&[0xff; 4]);
                cases.push(("FLAC picture length past its block", past_the_block));
                let mut empty = bytes.clone();
                empty[data_len_at..data_len_at + 4].copy_from_slice(&[0; 4]);
                cases.push(("FLAC picture length = 0", empty));
                let mut mime_past = bytes.clone();
                mime_past[block + 4..block + 8].copy_from_slice(&[0x7f, 0xff, 0xff, 0xff]);
                cases.push(("FLAC picture MIME length past its block", mime_past));
            }
            TagType::VorbisComments => {
                // lofty refuses an Ogg file whose comment lengths lie (the file is listed
                // with its problem); cut in the picture's comment, it has no cover either.
                let at = find(&bytes, b"METADATA_BLOCK_PICTURE=").expect("a picture comment");
                let truncated = bytes[..at + 40_000].to_vec();
                let read = lyrebird_library::read_tags_from_bytes(
                    &truncated,
                    Path::new(name),
                    SourceKind::Local,
                );
                assert!(!read.track.has_cover, "{name}: cut in its picture");
                continue;
            }
            TagType::Mp4Ilst => {
                let covr = find(&bytes, b"covr").expect("a covr item");
                // Its `data` box larger than the `covr` holding it.
                let mut past_the_item = bytes.clone();
                past_the_item[covr + 4..covr + 8].copy_from_slice(&[0x7f, 0xff, 0xff, 0xff]);
                cases.push(("MP4 covr data box past its item", past_the_item));
                // A `data` box with no picture in it (its type and locale, nothing after).
                let mut empty = bytes.clone();
                empty[covr + 4..covr + 8].copy_from_slice(&16u32.to_be_bytes());
                cases.push(("MP4 covr data box of 16 bytes", empty));
            }
            _ => unreachable!(),
        }
        for (what, bytes) in cases {
            // The same file name, so the same title when the file has none.
            let path = dir.path().join("corrupt").join(with.file_name().unwrap());
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
            let read = read_track_checked(&path, SourceKind::Local);
            assert_eq!(read.problem, None, "{name}: {what}: lofty reads the rest");
            assert_eq!(read.track.title, title, "{name}: {what}");
            assert!(!read.track.has_cover, "{name}: {what}");
            // The same through the fuzz target's entry point (the same probe, in memory).
            let from_bytes =
                lyrebird_library::read_tags_from_bytes(&bytes, Path::new(name), SourceKind::Local);
            assert!(!from_bytes.track.has_cover, "{name}: {what} (from bytes)");
        }
    }
}

fn be32(bytes: &[u8], at: usize) -> usize {
    u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize
}

/// Where the body of the FLAC file's PICTURE block starts.
fn flac_picture_block(bytes: &[u8]) -> usize {
    assert_eq!(&bytes[..4], b"fLaC");
    let mut at = 4;
    loop {
        let size = be32(bytes, at) & 0x00ff_ffff;
        if bytes[at] & 0x7f == 6 {
            return at + 4;
        }
        assert_eq!(bytes[at] & 0x80, 0, "no PICTURE block");
        at += 4 + size;
    }
}
