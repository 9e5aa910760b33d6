//! Lyrebird's local library: finds audio files under folders and reads their tags.
//!
//! Bad input never stops a scan: unreadable folders, symlink loops, corrupt tags and odd file
//! names are recorded as [`Problem`]s and the scan goes on. [`index::Index`] keeps what a scan
//! found in `SQLite` (with full-text search) and rescans incrementally.

use std::collections::HashSet;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Duration;

use lofty::config::ParseOptions;
use lofty::prelude::*;
use lofty::probe::Probe;
use lyrebird_core::model::{ReplayGain, SourceKind, Track};

pub mod cover_cache;
mod cover_probe;
pub mod folders;
pub mod index;
pub mod lyrics;
pub mod m3u;
mod normalize;
pub mod palette;
mod reader;
pub mod rescan;
pub mod service;
pub mod thumbnail;
pub mod watch;

pub use normalize::normalize;

/// File extensions the audio thread can decode.
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "flac", "mp3", "ogg", "oga", "opus", "wav", "m4a", "mp4", "aac",
];

/// A file or folder the scan skipped (or listed by its file name only), and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub reason: String,
}

/// What a scan found.
#[derive(Debug, Default)]
pub struct Scan {
    pub tracks: Vec<Track>,
    pub problems: Vec<Problem>,
}

/// True when `path` has an extension we play.
#[must_use]
pub fn is_audio_file(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        AUDIO_EXTENSIONS
            .iter()
            .any(|known| known.eq_ignore_ascii_case(e))
    })
}

/// Find every audio file under `roots` (folders or single files) and read its tags, in
/// parallel. Tracks come back in path order within each root, roots in the order given.
#[must_use]
pub fn scan(roots: &[PathBuf], source: SourceKind) -> Scan {
    let (files, mut problems) = find_files(roots);
    let paths: Vec<PathBuf> = files.into_iter().map(|f| f.path).collect();
    let mut tracks = Vec::with_capacity(paths.len());
    for read in read_all_checked(&paths, source) {
        if let Some(reason) = read.problem {
            let path = read.track.path.clone().unwrap_or_default();
            problems.push(Problem { path, reason });
        }
        tracks.push(read.track);
    }
    Scan { tracks, problems }
}

/// An audio file found on disk, with what tells whether it changed since the last scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundFile {
    pub path: PathBuf,
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch (0 if the OS does not say).
    pub mtime_ns: i64,
}

/// Every audio file under `roots` (folders or single files), without reading any tags.
#[must_use]
pub fn find_files(roots: &[PathBuf]) -> (Vec<FoundFile>, Vec<Problem>) {
    find_files_until(roots, &|| false)
}

/// [`find_files`], giving up (with what it found so far) once `cancelled()` says so; it is
/// asked at every folder.
#[must_use]
pub fn find_files_until(
    roots: &[PathBuf],
    cancelled: &dyn Fn() -> bool,
) -> (Vec<FoundFile>, Vec<Problem>) {
    let mut files = Vec::new();
    let walked = walk_files(roots, cancelled, &mut |file| {
        files.push(file);
        true
    });
    (files, walked.problems)
}

/// What [`walk_files`] could not list, and whether it went through every folder.
#[derive(Debug, Default)]
pub struct Walked {
    pub problems: Vec<Problem>,
    /// False when it stopped part way (`cancelled()`, or `found` wanted no more).
    pub complete: bool,
}

/// Walk `roots` (folders or single files) in order, each folder's entries by name, and hand
/// every audio file to `found` as soon as its folder is listed, so the files of the first
/// folders can be read while the walk goes on. Stops once `cancelled()` says so (asked at
/// every folder) or `found` returns `false`.
pub fn walk_files(
    roots: &[PathBuf],
    cancelled: &dyn Fn() -> bool,
    found: &mut dyn FnMut(FoundFile) -> bool,
) -> Walked {
    let mut walk = Walk {
        found,
        stopped: false,
        problems: Vec::new(),
        visited: HashSet::new(),
        cancelled,
    };
    for root in roots {
        if walk.stopped {
            break;
        }
        collect(root, &mut walk);
    }
    Walked {
        problems: walk.problems,
        complete: !walk.stopped,
    }
}

struct Walk<'a> {
    found: &'a mut dyn FnMut(FoundFile) -> bool,
    /// Cancelled, or `found` wanted no more: nothing else is listed.
    stopped: bool,
    problems: Vec<Problem>,
    visited: HashSet<FolderKey>,
    cancelled: &'a dyn Fn() -> bool,
}

/// What tells two paths to one folder apart from two folders: its device and inode where the
/// OS has them (no `realpath` per folder), else its canonical path.
#[cfg(unix)]
type FolderKey = (u64, u64);

#[cfg(unix)]
#[allow(clippy::unnecessary_wraps)] // the same signature as elsewhere
fn folder_key(_path: &Path, meta: &fs::Metadata) -> std::io::Result<FolderKey> {
    use std::os::unix::fs::MetadataExt;
    Ok((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
type FolderKey = PathBuf;

#[cfg(not(unix))]
fn folder_key(path: &Path, _meta: &fs::Metadata) -> std::io::Result<FolderKey> {
    fs::canonicalize(path)
}

/// A root, or an entry that is a link (or of a kind the folder listing did not say): its
/// metadata with links followed.
fn collect(path: &Path, walk: &mut Walk<'_>) {
    match fs::metadata(path) {
        Ok(meta) => visit(path, &meta, walk),
        Err(e) => walk.problems.push(Problem {
            path: path.to_owned(),
            reason: e.to_string(),
        }),
    }
}

fn visit(path: &Path, meta: &fs::Metadata, walk: &mut Walk<'_>) {
    let problem = |reason: String| Problem {
        path: path.to_owned(),
        reason,
    };
    if meta.is_file() {
        if is_audio_file(path) && !(walk.found)(found_file(path, meta)) {
            walk.stopped = true;
        }
        return;
    }
    if !meta.is_dir() || walk.stopped {
        return;
    }
    if (walk.cancelled)() {
        walk.stopped = true;
        return;
    }
    // Symlinked folders can loop back on themselves: visit each real folder once.
    match folder_key(path, meta) {
        Ok(key) => {
            if !walk.visited.insert(key) {
                if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
                    walk.problems.push(problem(
                        "a link to a folder already scanned (a symlink loop or a second link)"
                            .into(),
                    ));
                }
                return;
            }
        }
        Err(e) => return walk.problems.push(problem(e.to_string())),
    }
    let mut entries: Vec<(std::ffi::OsString, fs::DirEntry)> = match fs::read_dir(path) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| (e.file_name(), e))
            .collect(),
        Err(e) => return walk.problems.push(problem(e.to_string())),
    };
    // By name: the same order as by path, as they share the folder.
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (_, entry) in entries {
        if walk.stopped {
            return;
        }
        let path = entry.path();
        // The listing says what most entries are, and their metadata is read relative to the
        // open folder; links (and file systems that do not say) go by path.
        match entry.file_type() {
            Ok(kind) if kind.is_file() && !is_audio_file(&path) => {}
            Ok(kind) if kind.is_file() || kind.is_dir() => match entry.metadata() {
                Ok(meta) => visit(&path, &meta, walk),
                Err(e) => walk.problems.push(Problem {
                    path,
                    reason: e.to_string(),
                }),
            },
            _ => collect(&path, walk),
        }
    }
}

fn found_file(path: &Path, meta: &fs::Metadata) -> FoundFile {
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_nanos()).ok())
        .unwrap_or(0);
    FoundFile {
        path: path.to_owned(),
        size: meta.len(),
        mtime_ns,
    }
}

/// What reading one file's tags gave: the track, what the index keeps beside it, and why the
/// tags could not be read, if they could not.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadTrack {
    pub track: Track,
    pub disc_number: Option<u32>,
    pub album_artist: Option<String>,
    /// Set when the file's tags could not be read (it is still listed, by its file name).
    pub problem: Option<String>,
}

/// Read tags of `files` on all cores, keeping their order: each file's track, disc number,
/// album artist and any problem.
#[must_use]
pub fn read_all_checked(files: &[PathBuf], source: SourceKind) -> Vec<ReadTrack> {
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|p| read_track_checked(p, source))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    })
}

/// A track for `path` with whatever its tags say. A file whose tags cannot be read is still
/// listed (by its file name): whether it plays is the decoder's call, at play time.
#[must_use]
pub fn read_track(path: &Path, source: SourceKind) -> Track {
    read_track_checked(path, source).track
}

/// [`read_track`], saying why the tags could not be read when they could not.
#[must_use]
pub fn read_track_checked(path: &Path, source: SourceKind) -> ReadTrack {
    match fs::metadata(path) {
        Ok(meta) => read_tags(path, Some(meta.len()), source),
        Err(_) => read_tags(path, None, source),
    }
}

/// [`read_track_checked`] for a file the walk found: its size is known, so no second stat. (If
/// the file changes in between, its modification time differs from the one indexed, and the
/// next rescan reads it again.)
#[must_use]
pub fn read_found(file: &FoundFile, source: SourceKind) -> ReadTrack {
    read_tags(&file.path, Some(file.size), source)
}

/// `size`: the file's length, if known.
fn read_tags(path: &Path, size: Option<u64>, source: SourceKind) -> ReadTrack {
    let mut read = ReadTrack {
        track: Track::from_path(path.to_owned(), source),
        disc_number: None,
        album_artist: None,
        problem: None,
    };
    if size == Some(0) {
        read.problem = Some("empty file (0 bytes)".into());
        return read;
    }
    let kind = lofty::file::FileType::from_path(path);
    // Whether the file has a picture is told from the tags' headers (`cover_probe`): reading
    // the pictures only to learn that cost a third of a warm scan of files with large covers.
    let probe_covers = kind.is_some_and(cover_probe::knows);
    let options = ParseOptions::new().read_cover_art(!probe_covers);
    // Tag parsers read untrusted bytes; a panic must cost one file, not the scan.
    let parsed = catch_unwind(AssertUnwindSafe(
        || -> Result<_, lofty::error::FileParseError> {
            // As `Probe::open` (the format from the extension), through a reader that keeps
            // its buffer across the parsers' seeks.
            let mut file = reader::FileReader::open(path, size)?;
            let mut probe = Probe::new(&mut file).options(options);
            if let Some(kind) = kind {
                probe = probe.set_file_type(kind);
            }
            let tagged = probe.read()?;
            let len = file.file_len();
            let has_cover = probe_covers
                .then(|| cover_probe::has_picture(&mut file, len, tagged.file_type()))
                .flatten();
            Ok((tagged, has_cover))
        },
    ));
    map_tags(parsed, path, read)
}

/// What a file's tags say, read from its bytes: [`read_track_checked`] without the file, the
/// format from `name`'s extension (guessed from the bytes when it has none). The tag-mapping
/// fuzz target's entry point (`src-tauri/fuzz`).
#[must_use]
pub fn read_tags_from_bytes(bytes: &[u8], name: &Path, source: SourceKind) -> ReadTrack {
    let read = ReadTrack {
        track: Track::from_path(name.to_owned(), source),
        disc_number: None,
        album_artist: None,
        problem: None,
    };
    let parsed = catch_unwind(AssertUnwindSafe(
        || -> Result<_, lofty::error::FileParseError> {
            let mut cursor = std::io::Cursor::new(bytes);
            let probe = Probe::new(&mut cursor);
            let probe = match lofty::file::FileType::from_path(name) {
                Some(kind) => probe.set_file_type(kind),
                None => probe.guess_file_type()?,
            };
            let probe_covers = probe.file_type().is_some_and(cover_probe::knows);
            let options = ParseOptions::new().read_cover_art(!probe_covers);
            let tagged = probe.options(options).read()?;
            let has_cover = probe_covers
                .then(|| {
                    cover_probe::has_picture(&mut cursor, bytes.len() as u64, tagged.file_type())
                })
                .flatten();
            Ok((tagged, has_cover))
        },
    ));
    map_tags(parsed, name, read)
}

/// What a tag read gives: the file, and whether it has a picture when that was told from the
/// headers (`None`: lofty read the pictures, and says).
type Parsed = (lofty::file::TaggedFile, Option<bool>);

/// The track as the tags read (or failed to read) make it.
fn map_tags(
    parsed: std::thread::Result<Result<Parsed, lofty::error::FileParseError>>,
    path: &Path,
    mut read: ReadTrack,
) -> ReadTrack {
    let (tagged, has_cover) = match parsed {
        Ok(Ok(parsed)) => parsed,
        Ok(Err(e)) => {
            tracing::debug!(path = %path.display(), error = %e, "tags unreadable");
            read.problem = Some(format!("unreadable (corrupt or truncated?): {e}"));
            return read;
        }
        Err(_) => {
            lyrebird_core::warn_limited!(path = %path.display(), "tag reader panicked");
            read.problem = Some("unreadable: the tag reader failed on this file".into());
            return read;
        }
    };
    let track = &mut read.track;
    let properties = tagged.properties();
    let duration = properties.duration();
    if duration > Duration::ZERO {
        track.duration_ms = u64::try_from(duration.as_millis()).ok();
    }
    track.codec = Some(codec_name(tagged.file_type()).to_owned());
    track.sample_rate = properties.sample_rate().filter(|&r| r > 0);
    track.bit_depth = properties.bit_depth().filter(|&b| b > 0).map(u32::from);
    track.bitrate = properties
        .audio_bitrate()
        .or_else(|| properties.overall_bitrate())
        .filter(|&b| b > 0);
    track.channels = properties.channels().filter(|&c| c > 0).map(u32::from);
    // A picture in any of the file's tags ([`read_cover`] looks in each).
    track.has_cover =
        has_cover.unwrap_or_else(|| tagged.tags().iter().any(|tag| !tag.pictures().is_empty()));
    let Some(tag) = tagged.primary_tag().or_else(|| tagged.first_tag()) else {
        return read;
    };
    if let Some(title) = tag.title().filter(|t| !t.trim().is_empty()) {
        title.trim().clone_into(&mut track.title);
    }
    let mut artists: Vec<String> = tag
        .get_strings(ItemKey::TrackArtists)
        .chain(tag.get_strings(ItemKey::TrackArtist))
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    dedup_keep_order(&mut artists);
    track.artists = artists;
    track.album = tag
        .album()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty());
    track.track_number = tag.track();
    track.replay_gain = read_replay_gain(tag);
    track.year = tag
        .date()
        .map(|date| u32::from(date.year))
        .filter(|&y| y > 0);
    track.genre = tag
        .genre()
        .map(|g| g.trim().to_owned())
        .filter(|g| !g.is_empty());
    read.disc_number = tag.disk();
    read.album_artist = tag
        .get_string(ItemKey::AlbumArtist)
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty());
    read
}

/// What the UI calls the file's audio format.
fn codec_name(kind: lofty::file::FileType) -> &'static str {
    use lofty::file::FileType;
    match kind {
        FileType::Flac => "FLAC",
        FileType::Mpeg => "MP3",
        FileType::Vorbis => "Vorbis",
        FileType::Opus => "Opus",
        FileType::Wav => "WAV",
        FileType::Aac => "AAC",
        FileType::Mp4 => "M4A",
        FileType::Aiff => "AIFF",
        FileType::Ape => "APE",
        FileType::Mpc => "Musepack",
        FileType::Speex => "Speex",
        FileType::WavPack => "WavPack",
        _ => "other",
    }
}

/// ReplayGain tags ("-6.50 dB", "0.988553"); `None` when the file has none that parse.
fn read_replay_gain(tag: &lofty::tag::Tag) -> Option<ReplayGain> {
    let number = |key| {
        let text = tag.get_string(key)?.trim();
        let text = text
            .strip_suffix("dB")
            .or_else(|| text.strip_suffix("DB"))
            .unwrap_or(text);
        text.trim().parse::<f32>().ok().filter(|v| v.is_finite())
    };
    let gain = ReplayGain {
        track_gain_db: number(ItemKey::ReplayGainTrackGain),
        track_peak: number(ItemKey::ReplayGainTrackPeak),
        album_gain_db: number(ItemKey::ReplayGainAlbumGain),
        album_peak: number(ItemKey::ReplayGainAlbumPeak),
    };
    (gain != ReplayGain::default()).then_some(gain)
}

fn dedup_keep_order(items: &mut Vec<String>) {
    let mut seen = HashSet::new();
    items.retain(|item| seen.insert(item.clone()));
}

/// An embedded picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cover {
    pub mime_type: String,
    pub data: Vec<u8>,
}

/// The front cover embedded in `path` (or its first picture), if any: from the file's main
/// tag, else from any other tag of it that holds a picture (as the scan's `has_cover` counts).
#[must_use]
pub fn read_cover(path: &Path) -> Option<Cover> {
    let read = catch_unwind(AssertUnwindSafe(|| Probe::open(path).ok()?.read().ok()));
    let tagged = read.ok()??;
    let main = tagged.primary_tag().or_else(|| tagged.first_tag());
    let picture = main.into_iter().chain(tagged.tags()).find_map(|tag| {
        tag.get_picture_type(lofty::picture::PictureType::CoverFront)
            .or_else(|| tag.pictures().first())
    })?;
    let mime_type = picture.mime_type().map_or_else(
        || sniff_image_type(picture.data()),
        |m| m.as_str().to_owned(),
    );
    Some(Cover {
        mime_type,
        data: picture.data().to_vec(),
    })
}

fn sniff_image_type(data: &[u8]) -> String {
    match data {
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        [b'G', b'I', b'F', ..] => "image/gif",
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => "image/webp",
        _ => "image/jpeg",
    }
    .to_owned()
}
