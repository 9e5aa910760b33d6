//! The library's tracks as the UI fetches them: by rows, never all at once (issue #19).
//!
//! The actor publishes only how many tracks the library has and a revision number
//! ([`LibraryInfo`](crate::events::LibraryInfo)); a list asks for the rows it shows
//! ([`rows`]), a search's answer or an opened album for the tracks it names ([`by_id`]), and a
//! column sort for that column's values ([`sort_keys`]), which the UI ranks with the language's
//! collator. Pure functions over the actor's list, so they are tested without it.

use std::collections::HashMap;
use std::hash::BuildHasher;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Track, TrackId};

/// The snapshot and every library event carry this many first rows (the UI's page size).
pub const FIRST_ROWS: usize = 64;

/// At most this many rows are answered at once (a window of the list, a search's answer).
pub const MAX_ROWS: usize = 2_000;

/// Which rows of the library a list wants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum RowsRequest {
    /// Rows `start` to `end` (exclusive) in the library's order.
    Range { start: u32, end: u32 },
    /// These rows, in this order (a sorted list's window: its rows' places in the library).
    At { indices: Vec<u32> },
}

/// Rows of the library as of `revision` (the UI drops answers for a revision it has left).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LibraryRows {
    #[ts(type = "number")]
    pub revision: u64,
    /// How many tracks the library has.
    pub count: u32,
    /// The rows asked for that exist, in the order asked.
    pub tracks: Vec<Track>,
}

/// A column of the songs list that sorts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SortColumn {
    Title,
    Artist,
    Album,
    Duration,
    Year,
    Genre,
    Format,
    Bitrate,
}

/// One column's values for every row of the library, in the library's order: text for a text
/// column (trimmed; empty when the track has none), a number for a numeric one (`null`: none),
/// and for `format` both (the codec, then sample rate × 100 + bit depth within it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SortKeys {
    #[ts(type = "number")]
    pub revision: u64,
    pub texts: Vec<String>,
    pub numbers: Vec<Option<f64>>,
}

/// The rows `request` names, at most [`MAX_ROWS`]; rows past the end are left out.
#[must_use]
pub fn rows(tracks: &[Track], request: &RowsRequest) -> Vec<Track> {
    match request {
        RowsRequest::Range { start, end } => {
            let start = (*start as usize).min(tracks.len());
            let end = (*end as usize)
                .clamp(start, tracks.len())
                .min(start + MAX_ROWS);
            tracks[start..end].to_vec()
        }
        RowsRequest::At { indices } => indices
            .iter()
            .take(MAX_ROWS)
            .filter_map(|&i| tracks.get(i as usize).cloned())
            .collect(),
    }
}

/// The tracks named by `ids` that the library has, in that order, at most [`MAX_ROWS`].
#[must_use]
pub fn by_id<S: BuildHasher>(
    tracks: &[Track],
    index: &HashMap<TrackId, usize, S>,
    ids: &[TrackId],
) -> Vec<Track> {
    ids.iter()
        .filter_map(|id| index.get(id).and_then(|&i| tracks.get(i)).cloned())
        .take(MAX_ROWS)
        .collect()
}

/// Every row's value of `column` (what the UI's sort compares), in the library's order.
#[must_use]
pub fn sort_keys(tracks: &[Track], column: SortColumn, revision: u64) -> SortKeys {
    let text = |f: fn(&Track) -> String| tracks.iter().map(f).collect::<Vec<_>>();
    let number = |f: fn(&Track) -> Option<f64>| tracks.iter().map(f).collect::<Vec<_>>();
    let trimmed = |s: Option<&String>| s.map_or_else(String::new, |s| s.trim().to_owned());
    let (texts, numbers) = match column {
        SortColumn::Title => (text(|t| t.title.trim().to_owned()), Vec::new()),
        SortColumn::Artist => (text(|t| join_artists(&t.artists)), Vec::new()),
        SortColumn::Album => (
            tracks.iter().map(|t| trimmed(t.album.as_ref())).collect(),
            Vec::new(),
        ),
        SortColumn::Genre => (
            tracks.iter().map(|t| trimmed(t.genre.as_ref())).collect(),
            Vec::new(),
        ),
        #[allow(clippy::cast_precision_loss)] // milliseconds: exact below 2^53
        SortColumn::Duration => (Vec::new(), number(|t| t.duration_ms.map(|d| d as f64))),
        SortColumn::Year => (Vec::new(), number(|t| t.year.map(f64::from))),
        SortColumn::Bitrate => (Vec::new(), number(|t| t.bitrate.map(f64::from))),
        SortColumn::Format => (
            tracks.iter().map(|t| trimmed(t.codec.as_ref())).collect(),
            number(|t| {
                Some(
                    f64::from(t.sample_rate.unwrap_or(0)) * 100.0
                        + f64::from(t.bit_depth.unwrap_or(0)),
                )
            }),
        ),
    };
    SortKeys {
        revision,
        texts,
        numbers,
    }
}

/// The artists as the songs list shows them (the UI's `joinArtists`), trimmed.
fn join_artists(artists: &[String]) -> String {
    artists
        .iter()
        .filter(|a| !a.trim().is_empty())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceKind;

    fn track(n: u32) -> Track {
        let mut t = Track::new(
            TrackId(format!("local:{n}")),
            SourceKind::Local,
            format!(" Title {n} "),
        );
        t.artists = vec![format!("A{n}"), " ".into(), "B".into()];
        t.album = n.is_multiple_of(2).then(|| format!("Album {n}"));
        t.duration_ms = Some(u64::from(n) * 1000);
        t.codec = (n == 1).then(|| "FLAC".into());
        t.sample_rate = (n == 1).then_some(44_100);
        t.bit_depth = (n == 1).then_some(16);
        t
    }

    fn library(n: u32) -> Vec<Track> {
        (0..n).map(track).collect()
    }

    fn ids(tracks: &[Track]) -> Vec<&str> {
        tracks.iter().map(|t| t.id.0.as_str()).collect()
    }

    #[test]
    fn a_range_is_cut_at_the_end_and_at_the_limit() {
        let lib = library(10);
        let got = rows(&lib, &RowsRequest::Range { start: 8, end: 20 });
        assert_eq!(ids(&got), ["local:8", "local:9"]);
        assert!(rows(&lib, &RowsRequest::Range { start: 12, end: 20 }).is_empty());
        assert!(rows(&lib, &RowsRequest::Range { start: 5, end: 2 }).is_empty());
        let big = library(3_000);
        let got = rows(
            &big,
            &RowsRequest::Range {
                start: 100,
                end: u32::MAX,
            },
        );
        assert_eq!(got.len(), MAX_ROWS);
        assert_eq!(got[0].id.0, "local:100");
    }

    #[test]
    fn rows_at_indices_keep_the_order_asked_and_skip_missing_ones() {
        let lib = library(10);
        let got = rows(
            &lib,
            &RowsRequest::At {
                indices: vec![7, 2, 99, 0],
            },
        );
        assert_eq!(ids(&got), ["local:7", "local:2", "local:0"]);
    }

    #[test]
    fn by_id_answers_the_known_ids_in_order() {
        let lib = library(5);
        let index: HashMap<TrackId, usize> = lib
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let want = [
            TrackId("local:3".into()),
            TrackId("local:gone".into()),
            TrackId("local:1".into()),
        ];
        assert_eq!(ids(&by_id(&lib, &index, &want)), ["local:3", "local:1"]);
    }

    #[test]
    fn sort_keys_are_the_columns_values_in_library_order() {
        let lib = library(3);
        let titles = sort_keys(&lib, SortColumn::Title, 4);
        assert_eq!(titles.revision, 4);
        assert_eq!(titles.texts, ["Title 0", "Title 1", "Title 2"]);
        assert!(titles.numbers.is_empty());
        let artists = sort_keys(&lib, SortColumn::Artist, 4);
        assert_eq!(artists.texts[1], "A1, B");
        let albums = sort_keys(&lib, SortColumn::Album, 4);
        assert_eq!(albums.texts, ["Album 0", "", "Album 2"]);
        let durations = sort_keys(&lib, SortColumn::Duration, 4);
        assert!(durations.texts.is_empty());
        assert_eq!(durations.numbers, [Some(0.0), Some(1000.0), Some(2000.0)]);
        assert_eq!(
            sort_keys(&lib, SortColumn::Year, 4).numbers,
            [None, None, None]
        );
        let format = sort_keys(&lib, SortColumn::Format, 4);
        assert_eq!(format.texts, ["", "FLAC", ""]);
        assert_eq!(format.numbers[1], Some(4_410_016.0));
    }
}
