//! Cover thumbnails: an embedded picture scaled to fit a square, for the albums grid and the
//! lists (small) and Now Playing (large).
//!
//! Embedded pictures are untrusted bytes. Only JPEG and PNG are decoded (the codecs covers
//! use), under limits: a picture wider or taller than [`MAX_SIDE`] pixels, or whose decoding
//! would allocate more than [`MAX_ALLOC`] bytes, is refused before its pixels are decoded, and
//! corrupt data is an error — the caller shows its placeholder. Nothing here panics on bad
//! input (the decoders are fuzzed upstream; a panic is caught all the same).

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use crate::Cover;

/// Pictures wider or taller than this are refused (a cover is rarely over 4 000).
pub const MAX_SIDE: u32 = 12_000;

/// The most a decoder may allocate for one picture.
pub const MAX_ALLOC: u64 = 192 * 1024 * 1024;

/// JPEG quality of the thumbnails.
const QUALITY: u8 = 85;

/// Why a picture has no thumbnail.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ThumbnailError {
    #[error("not a JPEG or PNG picture")]
    Unsupported,
    #[error("the picture is too large (over {MAX_SIDE} pixels a side, or over {} MiB decoded)", MAX_ALLOC >> 20)]
    TooLarge,
    #[error("the picture cannot be decoded: {0}")]
    Corrupt(String),
}

/// The width and height `data` says it has (from its header; nothing else is decoded), and
/// its format, if it is a JPEG or PNG.
pub fn dimensions(data: &[u8]) -> Result<(ImageFormat, u32, u32), ThumbnailError> {
    let reader = reader(data)?;
    let format = reader.format().ok_or(ThumbnailError::Unsupported)?;
    let (width, height) = reader.into_dimensions().map_err(decode_error)?;
    Ok((format, width, height))
}

/// `cover` scaled down to fit `side`×`side` pixels (aspect ratio kept), as a JPEG (a PNG if it
/// has transparency). `Ok(None)` when it already fits and is a JPEG or PNG: serve it as it is.
pub fn thumbnail(cover: &Cover, side: u32) -> Result<Option<Cover>, ThumbnailError> {
    let (_, width, height) = dimensions(&cover.data)?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(ThumbnailError::TooLarge);
    }
    if width <= side && height <= side {
        return Ok(None);
    }
    let data = &cover.data;
    let made = catch_unwind(AssertUnwindSafe(|| -> Result<Cover, ThumbnailError> {
        let picture = reader(data)?.decode().map_err(decode_error)?;
        encode(&picture.thumbnail(side, side))
    }));
    made.unwrap_or_else(|_| Err(ThumbnailError::Corrupt("the decoder failed".into())))
        .map(Some)
}

/// `cover`'s pixels, decoded under the same limits as a thumbnail's (for its colours).
pub fn decode(cover: &Cover) -> Result<DynamicImage, ThumbnailError> {
    let data = &cover.data;
    catch_unwind(AssertUnwindSafe(|| {
        reader(data)?.decode().map_err(decode_error)
    }))
    .unwrap_or_else(|_| Err(ThumbnailError::Corrupt("the decoder failed".into())))
}

fn decode_error(error: image::ImageError) -> ThumbnailError {
    match error {
        image::ImageError::Limits(_) => ThumbnailError::TooLarge,
        other => ThumbnailError::Corrupt(other.to_string()),
    }
}

fn reader(data: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, ThumbnailError> {
    let mut reader = ImageReader::new(Cursor::new(data))
        .with_guessed_format()
        .map_err(|e| ThumbnailError::Corrupt(e.to_string()))?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png) => {}
        _ => return Err(ThumbnailError::Unsupported),
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    Ok(reader)
}

fn encode(picture: &DynamicImage) -> Result<Cover, ThumbnailError> {
    let mut out = Vec::new();
    let failed = |e: image::ImageError| ThumbnailError::Corrupt(e.to_string());
    if picture.color().has_alpha() {
        picture
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .map_err(failed)?;
        return Ok(Cover {
            mime_type: "image/png".into(),
            data: out,
        });
    }
    let rgb = picture.to_rgb8();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode_image(&rgb)
        .map_err(failed)?;
    Ok(Cover {
        mime_type: "image/jpeg".into(),
        data: out,
    })
}

/// `picture` as a PNG cover (for tests).
#[cfg(test)]
pub(crate) fn png_cover(picture: &DynamicImage) -> Cover {
    let mut data = Vec::new();
    picture
        .write_to(&mut Cursor::new(&mut data), ImageFormat::Png)
        .unwrap();
    Cover {
        mime_type: "image/png".into(),
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, alpha: bool) -> Cover {
        let picture = if alpha {
            DynamicImage::ImageRgba8(image::RgbaImage::from_fn(width, height, |x, y| {
                image::Rgba([x.to_le_bytes()[0], y.to_le_bytes()[0], 7, 128])
            }))
        } else {
            DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
                image::Rgb([x.to_le_bytes()[0], y.to_le_bytes()[0], 7])
            }))
        };
        png_cover(&picture)
    }

    #[test]
    fn large_pictures_are_scaled_to_fit_and_small_ones_kept() {
        let thumb = thumbnail(&png(1000, 500, false), 256).unwrap().unwrap();
        assert_eq!(thumb.mime_type, "image/jpeg");
        let (format, w, h) = dimensions(&thumb.data).unwrap();
        assert_eq!((format, w, h), (ImageFormat::Jpeg, 256, 128));

        let with_alpha = thumbnail(&png(300, 600, true), 256).unwrap().unwrap();
        assert_eq!(with_alpha.mime_type, "image/png");
        assert_eq!(dimensions(&with_alpha.data).unwrap().1, 128);

        assert_eq!(thumbnail(&png(200, 256, false), 256), Ok(None));
        // A JPEG in, scaled.
        let jpeg = thumbnail(&thumb, 64).unwrap().unwrap();
        assert_eq!(dimensions(&jpeg.data).unwrap(), (ImageFormat::Jpeg, 64, 32));
    }

    /// A 1×1 PNG whose header is rewritten to claim `width`×`height` (CRC fixed): its data
    /// is a few bytes whatever it claims.
    fn claiming(width: u32, height: u32) -> Cover {
        let mut data = png(1, 1, false).data;
        data[16..20].copy_from_slice(&width.to_be_bytes());
        data[20..24].copy_from_slice(&height.to_be_bytes());
        // CRC-32 of the IHDR chunk's type and data (bytes 12..29), stored at 29..33.
        let crc = data[12..29].iter().fold(!0u32, |mut crc, &byte| {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
            crc
        });
        data[29..33].copy_from_slice(&(!crc).to_be_bytes());
        Cover {
            mime_type: "image/png".into(),
            data,
        }
    }

    /// Huge dimensions are refused before anything is allocated for the pixels.
    #[test]
    fn huge_pictures_are_refused_without_decoding() {
        assert_eq!(
            dimensions(&claiming(100_000, 3).data),
            Err(ThumbnailError::TooLarge)
        );
        assert_eq!(
            dimensions(&claiming(3_000, 3).data),
            Ok((ImageFormat::Png, 3_000, 3))
        );
        assert_eq!(
            thumbnail(&claiming(100_000, 100_000), 256),
            Err(ThumbnailError::TooLarge)
        );
        // Within the side limit, over the memory limit (12 000 × 6 000 × 3 bytes).
        assert_eq!(
            thumbnail(&claiming(MAX_SIDE, 6_000), 256),
            Err(ThumbnailError::TooLarge)
        );
        // Within both: decoding starts, and the missing data is an error.
        assert!(matches!(
            thumbnail(&claiming(2_000, 2_000), 256),
            Err(ThumbnailError::Corrupt(_))
        ));
    }

    #[test]
    fn corrupt_and_unsupported_data_are_errors_not_panics() {
        let mut truncated = png(600, 600, false);
        truncated.data.truncate(truncated.data.len() / 2);
        assert!(matches!(
            thumbnail(&truncated, 256),
            Err(ThumbnailError::Corrupt(_))
        ));
        let gif = Cover {
            mime_type: "image/gif".into(),
            data: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
        };
        assert_eq!(thumbnail(&gif, 256), Err(ThumbnailError::Unsupported));
        let mut rng = fastrand::Rng::with_seed(9);
        for _ in 0..2_000 {
            let mut data = png(40, 40, false).data;
            for _ in 0..rng.usize(1..8) {
                let at = rng.usize(..data.len());
                data[at] = rng.u8(..);
            }
            data.truncate(rng.usize(8..=data.len()));
            let _ = thumbnail(
                &Cover {
                    mime_type: String::new(),
                    data,
                },
                16,
            );
        }
        let garbage: Vec<u8> = (0..5_000).map(|_| rng.u8(..)).collect();
        assert!(
            thumbnail(
                &Cover {
                    mime_type: String::new(),
                    data: garbage
                },
                16
            )
            .is_err()
        );
    }
}
