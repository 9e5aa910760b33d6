//! M3U / M3U8 playlists: reading and writing, without touching the file system.
//!
//! Reading is lenient: UTF-8 with or without a byte-order mark, LF or CRLF, `#EXTM3U` and
//! `#EXTINF` optional, paths relative to the playlist's folder or absolute, `file://` URIs
//! (percent-encoded), Windows separators. Whether a path names a file is for the caller to
//! check; what cannot be a local path at all (an `http://` URL) is reported as skipped.
//! Writing gives UTF-8 `#EXTM3U` with `#EXTINF:<secs>,<artist> - <title>` before each path,
//! relative to the playlist file's folder or absolute.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

/// One track line of a playlist, resolved to a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The file it names (lexically normalised: no `.` or `..` left where avoidable).
    pub path: PathBuf,
    /// Its line number (1-based), for reports.
    pub line: usize,
    /// The text as written.
    pub text: String,
    /// The `#EXTINF` title (`Artist - Title` as written), if there was one.
    pub title: Option<String>,
    /// The `#EXTINF` length in seconds, if known (not negative).
    pub duration_secs: Option<u64>,
}

/// A line that names no local file (a URL of another scheme, an undecodable URI).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    pub text: String,
}

/// What a playlist file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The `#PLAYLIST:` name, if given.
    pub name: Option<String>,
    pub entries: Vec<Entry>,
    pub skipped: Vec<Skipped>,
}

/// The text of a playlist file: UTF-8 (a byte-order mark dropped); invalid bytes become U+FFFD.
#[must_use]
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// Read a playlist's text; relative paths are resolved against `base` (the playlist file's
/// folder).
#[must_use]
pub fn parse(text: &str, base: &Path) -> Parsed {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut parsed = Parsed::default();
    let mut info: Option<(Option<u64>, Option<String>)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r').trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("#EXTINF:") {
            info = Some(parse_extinf(rest));
            continue;
        }
        if let Some(name) = line.strip_prefix("#PLAYLIST:") {
            let name = name.trim();
            if !name.is_empty() {
                parsed.name = Some(name.to_owned());
            }
            continue;
        }
        if line.starts_with('#') {
            continue; // #EXTM3U and directives we do not use
        }
        let (duration_secs, title) = info.take().unwrap_or((None, None));
        match location(line, base) {
            Some(path) => parsed.entries.push(Entry {
                path,
                line: i + 1,
                text: line.to_owned(),
                title,
                duration_secs,
            }),
            None => parsed.skipped.push(Skipped {
                line: i + 1,
                text: line.to_owned(),
            }),
        }
    }
    parsed
}

/// `#EXTINF:<secs>[ attributes],<title>` → (length, title).
fn parse_extinf(rest: &str) -> (Option<u64>, Option<String>) {
    let (head, title) = match rest.split_once(',') {
        Some((head, title)) => (head, Some(title.trim())),
        None => (rest, None),
    };
    let secs = head.split_whitespace().next().unwrap_or_default();
    let duration = secs
        .parse::<f64>()
        .ok()
        .filter(|s| (0.0..1e12).contains(s))
        .map(|s| {
            // Non-negative, finite and well inside u64: the cast is exact after rounding.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let whole = s.round() as u64;
            whole
        });
    let title = title.filter(|t| !t.is_empty()).map(str::to_owned);
    (duration, title)
}

/// The local path a playlist line names: a `file:` URI, an absolute path, or a path relative
/// to `base`. `None` for URLs of other schemes and undecodable URIs.
#[must_use]
pub fn location(line: &str, base: &Path) -> Option<PathBuf> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    if let Some(rest) = strip_prefix_ignore_case(line, "file:") {
        return file_uri_path(rest);
    }
    if has_scheme(line) {
        return None;
    }
    let native = native_separators(line);
    let path = PathBuf::from(native);
    let joined = if path.is_absolute() {
        path
    } else {
        base.join(path)
    };
    Some(normalize_lexically(&joined))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// `scheme://` with a scheme of two or more letters (one letter is a Windows drive; a file
/// named `Artist: Song.flac` has no `//`).
fn has_scheme(line: &str) -> bool {
    let Some((scheme, rest)) = line.split_once(':') else {
        return false;
    };
    rest.starts_with("//")
        && scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The path of `file:<rest>`: `file:///a/b`, `file://localhost/a/b`, `file:/a/b`,
/// `file:///C:/a/b`; percent-escapes decoded.
fn file_uri_path(rest: &str) -> Option<PathBuf> {
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let path = if let Some(after) = rest.strip_prefix("//") {
        // An authority: only the local host is ours.
        let (host, path) = after.split_at(after.find('/').unwrap_or(after.len()));
        if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
            return None;
        }
        path
    } else {
        rest
    };
    let bytes = percent_decode(path)?;
    let path = path_from_uri_bytes(bytes)?;
    Some(normalize_lexically(&path))
}

/// Decode `%XX` escapes into bytes; `None` for a malformed escape. (Also used by the app for
/// `file://` URIs from the command line and cover ids.)
#[must_use]
pub fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(unix)]
fn path_from_uri_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    if !bytes.starts_with(b"/") {
        return None;
    }
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

#[cfg(windows)]
fn path_from_uri_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    let text = String::from_utf8(bytes).ok()?;
    // `/C:/Music/a.flac` → `C:\Music\a.flac`; `//server/share` stays a UNC path.
    let text = match text.as_bytes() {
        [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() => text[1..].to_owned(),
        _ => text,
    };
    Some(PathBuf::from(text.replace('/', "\\")))
}

/// Windows playlists write `\`; elsewhere a `\` in a playlist line is taken as a separator
/// too (file names with backslashes are rarer than playlists from Windows).
fn native_separators(line: &str) -> String {
    if cfg!(windows) {
        line.replace('/', "\\")
    } else {
        line.replace('\\', "/")
    }
}

/// `a/./b/../c` → `a/c`, without asking the file system (a `..` above the root stays at the
/// root; leading `..` of a relative path are kept).
#[must_use]
pub fn normalize_lexically(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// How an exported playlist names its files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathStyle {
    /// Relative to the playlist file's folder (absolute where that is impossible, e.g. on
    /// another drive).
    Relative,
    Absolute,
}

/// One track to write.
#[derive(Clone, Debug)]
pub struct ExportItem<'a> {
    pub path: &'a Path,
    pub duration_ms: Option<u64>,
    pub artists: &'a [String],
    pub title: &'a str,
}

/// The text of an M3U8 playlist written to `playlist_file`.
#[must_use]
pub fn write(items: &[ExportItem<'_>], playlist_file: &Path, style: PathStyle) -> String {
    let base = playlist_file.parent().unwrap_or_else(|| Path::new(""));
    let mut out = String::from("#EXTM3U\n");
    for item in items {
        let secs = item
            .duration_ms
            .map_or_else(|| "-1".to_owned(), |ms| ((ms + 500) / 1000).to_string());
        let artists = one_line(&item.artists.join(", "));
        let title = one_line(item.title);
        let label = if artists.is_empty() {
            title
        } else {
            format!("{artists} - {title}")
        };
        let path = match style {
            PathStyle::Relative => relative_path(base, item.path),
            PathStyle::Absolute => None,
        }
        .unwrap_or_else(|| item.path.to_owned());
        let _ = write!(out, "#EXTINF:{secs},{label}\n{}\n", path.to_string_lossy());
    }
    out
}

/// Tags are untrusted: a line break in one must not start a new playlist line.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// `to` relative to the folder `from` (both absolute), lexically; `None` when they share no
/// root (another drive).
#[must_use]
pub fn relative_path(from: &Path, to: &Path) -> Option<PathBuf> {
    let from = normalize_lexically(from);
    let to = normalize_lexically(to);
    if !from.is_absolute() || !to.is_absolute() {
        return None;
    }
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    // The same root (and drive) first.
    if from.first() != to.first() {
        return None;
    }
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for component in &to[common..] {
        out.push(component.as_os_str());
    }
    Some(out)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn paths(parsed: &Parsed) -> Vec<PathBuf> {
        parsed.entries.iter().map(|e| e.path.clone()).collect()
    }

    #[test]
    fn relative_and_absolute_paths_with_and_without_extinf() {
        let text = "#EXTM3U\n#EXTINF:123,Artist - Song\nsongs/a.flac\n/music/b.mp3\n\n./c.ogg\n../up/d.opus\n";
        let parsed = parse(text, Path::new("/home/me/lists"));
        assert_eq!(
            paths(&parsed),
            [
                PathBuf::from("/home/me/lists/songs/a.flac"),
                PathBuf::from("/music/b.mp3"),
                PathBuf::from("/home/me/lists/c.ogg"),
                PathBuf::from("/home/me/up/d.opus"),
            ]
        );
        assert_eq!(parsed.entries[0].title.as_deref(), Some("Artist - Song"));
        assert_eq!(parsed.entries[0].duration_secs, Some(123));
        assert_eq!(parsed.entries[0].line, 3);
        assert_eq!(parsed.entries[1].title, None, "EXTINF applies to one line");
        assert_eq!(parsed.entries[2].line, 6);
        assert!(parsed.skipped.is_empty());
    }

    #[test]
    fn no_header_at_all_is_fine() {
        let parsed = parse("a.flac\nb.flac", Path::new("/x"));
        assert_eq!(
            paths(&parsed),
            [PathBuf::from("/x/a.flac"), PathBuf::from("/x/b.flac")]
        );
    }

    #[test]
    fn crlf_and_bom_in_text_and_bytes() {
        let bytes = b"\xEF\xBB\xBF#EXTM3U\r\n#EXTINF:-1,T\r\na.flac\r\n\r\nsub\\b.flac\r\n";
        let text = decode(bytes);
        assert!(!text.starts_with('\u{FEFF}'));
        let parsed = parse(&text, Path::new("/x"));
        assert_eq!(
            paths(&parsed),
            [PathBuf::from("/x/a.flac"), PathBuf::from("/x/sub/b.flac")]
        );
        assert_eq!(parsed.entries[0].duration_secs, None, "-1 is unknown");
        assert_eq!(parsed.entries[0].title.as_deref(), Some("T"));
        // A BOM left in a decoded string is dropped too.
        let parsed = parse("\u{FEFF}a.flac\r\n", Path::new("/x"));
        assert_eq!(paths(&parsed), [PathBuf::from("/x/a.flac")]);
    }

    #[test]
    fn windows_separators_are_tolerated() {
        let parsed = parse(
            "Music\\Artist\\01 Song.flac\n..\\other\\x.mp3\n",
            Path::new("/p/q"),
        );
        assert_eq!(
            paths(&parsed),
            [
                PathBuf::from("/p/q/Music/Artist/01 Song.flac"),
                PathBuf::from("/p/other/x.mp3"),
            ]
        );
    }

    #[test]
    fn file_uris_are_decoded() {
        let text = "file:///music/My%20Song.flac\nFILE://localhost/music/%E6%99%B4%E5%A4%A9.mp3\nfile:/music/plain.ogg\nfile://otherhost/x.flac\nfile:///bad%zz.flac\nfile:///q.flac?x=1#frag\n";
        let parsed = parse(text, Path::new("/base"));
        assert_eq!(
            paths(&parsed),
            [
                PathBuf::from("/music/My Song.flac"),
                PathBuf::from("/music/晴天.mp3"),
                PathBuf::from("/music/plain.ogg"),
                PathBuf::from("/q.flac"),
            ]
        );
        let skipped: Vec<usize> = parsed.skipped.iter().map(|s| s.line).collect();
        assert_eq!(skipped, [4, 5]);
    }

    #[test]
    fn non_utf8_file_names_through_uris() {
        use std::os::unix::ffi::OsStrExt;
        let parsed = parse("file:///m/%FF.flac\n", Path::new("/"));
        assert_eq!(
            parsed.entries[0].path.as_os_str().as_bytes(),
            b"/m/\xFF.flac"
        );
    }

    #[test]
    fn other_schemes_are_skipped_not_fatal() {
        let parsed = parse(
            "http://radio.example/stream\nhttps://x/y.mp3\nc.flac\nC:\\Music\\d.flac\nA: B.flac\n",
            Path::new("/b"),
        );
        assert_eq!(parsed.skipped.len(), 2);
        assert_eq!(parsed.skipped[0].text, "http://radio.example/stream");
        // A Windows drive path is a path (no such file here, which the caller finds out).
        assert_eq!(
            paths(&parsed),
            [
                PathBuf::from("/b/c.flac"),
                PathBuf::from("/b/C:/Music/d.flac"),
                PathBuf::from("/b/A: B.flac"),
            ]
        );
    }

    #[test]
    fn cjk_and_rtl_names() {
        let text = "#EXTINF:200,周杰伦 - 晴天\n周杰伦/晴天.flac\n#EXTINF:180,فيروز - نسم علينا الهوى\nفيروز/نسم علينا الهوى.mp3\n";
        let parsed = parse(text, Path::new("/音乐"));
        assert_eq!(
            paths(&parsed),
            [
                PathBuf::from("/音乐/周杰伦/晴天.flac"),
                PathBuf::from("/音乐/فيروز/نسم علينا الهوى.mp3"),
            ]
        );
        assert_eq!(
            parsed.entries[1].title.as_deref(),
            Some("فيروز - نسم علينا الهوى")
        );
    }

    #[test]
    fn playlist_name_and_extinf_attributes() {
        let text = "#EXTM3U\n#PLAYLIST: Road trip \n#EXTINF:61.6 tvg-id=\"x\",A, B - C\nx.flac\n";
        let parsed = parse(text, Path::new("/"));
        assert_eq!(parsed.name.as_deref(), Some("Road trip"));
        assert_eq!(parsed.entries[0].duration_secs, Some(62));
        assert_eq!(parsed.entries[0].title.as_deref(), Some("A, B - C"));
    }

    #[test]
    fn garbage_never_panics() {
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        let alphabet: Vec<char> = "#EXTINF:,-/\\%.file:晴\u{FEFF}\r\n ab1".chars().collect();
        for _ in 0..2000 {
            let len = usize::try_from(rng % 64).unwrap();
            let text: String = (0..len)
                .map(|_| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    alphabet[usize::try_from(rng % alphabet.len() as u64).unwrap()]
                })
                .collect();
            let parsed = parse(&text, Path::new("/b"));
            for entry in &parsed.entries {
                assert!(entry.path.is_absolute(), "{text:?} → {entry:?}");
            }
        }
    }

    #[test]
    fn relative_paths_for_export() {
        assert_eq!(
            relative_path(Path::new("/m/lists"), Path::new("/m/lists/a.flac")),
            Some(PathBuf::from("a.flac"))
        );
        assert_eq!(
            relative_path(Path::new("/m/lists"), Path::new("/m/music/x/a.flac")),
            Some(PathBuf::from("../music/x/a.flac"))
        );
        assert_eq!(
            relative_path(Path::new("/"), Path::new("/a/b.flac")),
            Some(PathBuf::from("a/b.flac"))
        );
        assert_eq!(relative_path(Path::new("rel"), Path::new("/a")), None);
    }

    #[test]
    fn export_writes_extinf_and_chosen_paths() {
        let artists = vec!["周杰伦".to_owned()];
        let none: Vec<String> = Vec::new();
        let items = [
            ExportItem {
                path: Path::new("/m/music/晴天.flac"),
                duration_ms: Some(269_499),
                artists: &artists,
                title: "晴天",
            },
            ExportItem {
                path: Path::new("/elsewhere/b.mp3"),
                duration_ms: None,
                artists: &none,
                title: "Line\nbreak",
            },
        ];
        let relative = write(&items, Path::new("/m/lists/p.m3u8"), PathStyle::Relative);
        assert_eq!(
            relative,
            "#EXTM3U\n#EXTINF:269,周杰伦 - 晴天\n../music/晴天.flac\n#EXTINF:-1,Line break\n../../elsewhere/b.mp3\n"
        );
        let absolute = write(&items, Path::new("/m/lists/p.m3u8"), PathStyle::Absolute);
        assert!(absolute.contains("\n/m/music/晴天.flac\n"));
        assert!(absolute.ends_with("\n/elsewhere/b.mp3\n"));
    }

    #[test]
    fn round_trip_both_styles() {
        let artists = vec!["فيروز".to_owned(), "B".to_owned()];
        let paths = [
            PathBuf::from("/lib/فيروز/نسم.flac"),
            PathBuf::from("/lib/周杰伦/晴天 (live).mp3"),
            PathBuf::from("/other/100% #1.ogg"),
        ];
        let items: Vec<ExportItem<'_>> = paths
            .iter()
            .map(|p| ExportItem {
                path: p,
                duration_ms: Some(61_000),
                artists: &artists,
                title: "t",
            })
            .collect();
        for style in [PathStyle::Relative, PathStyle::Absolute] {
            let file = Path::new("/lib/lists/x.m3u8");
            let text = write(&items, file, style);
            let parsed = parse(&text, file.parent().unwrap());
            assert_eq!(super::tests::paths(&parsed), paths, "{style:?}:\n{text}");
            assert!(parsed.entries.iter().all(|e| e.duration_secs == Some(61)));
            assert_eq!(parsed.entries[0].title.as_deref(), Some("فيروز, B - t"));
            // The same through CRLF and a BOM (an editor on Windows saved it).
            let windows = format!("\u{FEFF}{}", text.replace('\n', "\r\n"));
            assert_eq!(
                super::tests::paths(&parse(&windows, file.parent().unwrap())),
                paths
            );
        }
    }
}
