//! The colours of a cover, for Now Playing and the mini player to take on: its main colour
//! (what most of the picture is) and an accent (its most vivid colour that is not rare).
//!
//! The picture is untrusted: it is decoded under the thumbnails' limits
//! ([`crate::thumbnail::decode`]), then scaled to at most [`SAMPLE_SIDE`] pixels a side, and
//! its pixels are counted in buckets of 16 levels a channel. Cheap (a small thumbnail in, a
//! few thousand pixels counted) and the same for the same picture.

use std::collections::HashMap;

use crate::Cover;
use crate::thumbnail::{ThumbnailError, decode};

/// The picture is scaled to fit this many pixels a side before its colours are counted.
pub const SAMPLE_SIDE: u32 = 48;

/// An accent must be at least this saturated (HSV), else the main colour stands in.
const MIN_ACCENT_SATURATION: f32 = 0.25;

/// Colours as `[r, g, b]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Palette {
    /// The colour most of the picture is.
    pub main: [u8; 3],
    /// The most vivid colour that covers a fair part of it (the main colour when none is).
    pub accent: [u8; 3],
}

impl Palette {
    /// `#rrggbb` of a colour.
    #[must_use]
    pub fn hex(rgb: [u8; 3]) -> String {
        format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
    }
}

/// The palette of `cover` (a JPEG or PNG picture).
pub fn palette(cover: &Cover) -> Result<Palette, ThumbnailError> {
    let picture = decode(cover)?;
    let sample = picture.thumbnail(SAMPLE_SIDE, SAMPLE_SIDE).to_rgba8();
    Ok(palette_of(
        sample
            .pixels()
            // Transparent parts are not part of the picture's look.
            .filter(|p| p.0[3] >= 128)
            .map(|p| [p.0[0], p.0[1], p.0[2]]),
    ))
}

/// A bucket: how many pixels fell in it, and their sum a channel (for their mean).
#[derive(Default)]
struct Bucket {
    count: u32,
    sum: [u32; 3],
}

impl Bucket {
    fn mean(&self) -> [u8; 3] {
        let n = self.count.max(1);
        self.sum.map(|s| u8::try_from(s / n).unwrap_or(u8::MAX))
    }
}

/// The palette of some pixels (black when there are none).
pub fn palette_of(pixels: impl Iterator<Item = [u8; 3]>) -> Palette {
    let mut buckets: HashMap<u16, Bucket> = HashMap::new();
    for [r, g, b] in pixels {
        let key = (u16::from(r >> 4) << 8) | (u16::from(g >> 4) << 4) | u16::from(b >> 4);
        let bucket = buckets.entry(key).or_default();
        bucket.count += 1;
        for (sum, value) in bucket.sum.iter_mut().zip([r, g, b]) {
            *sum += u32::from(value);
        }
    }
    // Ties go to the lower key, so the same picture always gives the same colours.
    let mut ranked: Vec<(u16, Bucket)> = buckets.into_iter().collect();
    ranked.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(&b.0)));
    let Some((_, first)) = ranked.first() else {
        return Palette {
            main: [0; 3],
            accent: [0; 3],
        };
    };
    let main = first.mean();
    let total: u32 = ranked.iter().map(|(_, b)| b.count).sum();
    let accent = ranked
        .iter()
        // Not a speck: at least 1 % of the picture.
        .filter(|(_, b)| b.count * 100 >= total)
        .map(|(_, b)| (b.mean(), b.count))
        .filter(|(rgb, _)| vivid(*rgb))
        .max_by(|(a, ca), (b, cb)| {
            let score = |rgb: [u8; 3], count: u32| {
                let (s, _) = saturation_value(rgb);
                #[allow(clippy::cast_precision_loss)] // counts of a 48×48 sample
                let weight = (count as f32).sqrt();
                s * s * weight
            };
            score(*a, *ca).total_cmp(&score(*b, *cb))
        })
        .map_or(main, |(rgb, _)| rgb);
    Palette { main, accent }
}

/// Saturated enough to be an accent, and neither near black nor near white.
fn vivid(rgb: [u8; 3]) -> bool {
    let (s, v) = saturation_value(rgb);
    s >= MIN_ACCENT_SATURATION && (0.2..=0.98).contains(&v)
}

/// HSV saturation and value, each 0..=1.
fn saturation_value(rgb: [u8; 3]) -> (f32, f32) {
    let max = f32::from(rgb.into_iter().max().unwrap_or(0)) / 255.0;
    let min = f32::from(rgb.into_iter().min().unwrap_or(0)) / 255.0;
    let saturation = if max > 0.0 { (max - min) / max } else { 0.0 };
    (saturation, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thumbnail::png_cover as png;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    fn close(a: [u8; 3], b: [u8; 3]) -> bool {
        a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 12)
    }

    #[test]
    fn the_main_colour_is_what_most_of_the_picture_is_and_the_accent_its_vivid_part() {
        // Three quarters dark navy, a quarter warm orange.
        let picture = RgbImage::from_fn(400, 400, |x, _| {
            if x < 300 {
                Rgb([20, 24, 60])
            } else {
                Rgb([240, 140, 20])
            }
        });
        let palette = palette(&png(&picture.into())).unwrap();
        assert!(close(palette.main, [20, 24, 60]), "{palette:?}");
        assert!(close(palette.accent, [240, 140, 20]), "{palette:?}");
        assert_eq!(Palette::hex(palette.main).len(), 7);
    }

    #[test]
    fn a_grey_picture_has_no_accent_but_its_main_colour() {
        let picture = RgbImage::from_fn(64, 64, |x, y| {
            let v = u8::try_from((x + y) % 3 * 40 + 80).unwrap();
            Rgb([v, v, v])
        });
        let palette = palette(&png(&picture.into())).unwrap();
        assert_eq!(palette.accent, palette.main);
    }

    #[test]
    fn a_speck_of_colour_is_not_the_accent() {
        // One vivid red pixel in 4 096 of green-grey.
        let palette = palette_of(
            std::iter::repeat_n([90, 110, 95], 4_095).chain(std::iter::once([255, 0, 0])),
        );
        assert_ne!(palette.accent, [255, 0, 0]);
    }

    #[test]
    fn transparent_parts_do_not_count() {
        let picture = RgbaImage::from_fn(100, 100, |x, _| {
            if x < 80 {
                Rgba([255, 255, 255, 0])
            } else {
                Rgba([30, 120, 200, 255])
            }
        });
        let palette = palette(&png(&picture.into())).unwrap();
        assert!(close(palette.main, [30, 120, 200]), "{palette:?}");
    }

    #[test]
    fn hostile_pictures_are_errors_not_panics() {
        let junk = Cover {
            mime_type: "image/png".into(),
            data: b"\x89PNG\r\n\x1a\n not really".to_vec(),
        };
        assert!(palette(&junk).is_err());
        let gif = Cover {
            mime_type: "image/gif".into(),
            data: b"GIF89a".to_vec(),
        };
        assert_eq!(palette(&gif), Err(ThumbnailError::Unsupported));
        assert_eq!(
            palette_of(std::iter::empty()),
            Palette {
                main: [0; 3],
                accent: [0; 3]
            }
        );
    }
}
