//! The cover cache: a bounded folder (`<cache>/covers`) of the covers the app has shown, so a
//! local track's picture is extracted from its audio file once, on the first request, and
//! served from here afterwards without touching that file. The shell's `lyrebird-cover://`
//! protocol asks it by track id ([`local_cover`]); the OS's media controls and notifications
//! get plain picture files from it ([`cover_file`]).
//!
//! Files are named from a hash of the track id (never from the id's text, so no id can name a
//! file outside the folder); each file also holds the id, which is compared on every read, so
//! a hash collision is a miss, not someone else's picture. Every file is written atomically (a
//! uniquely named temporary file, then a rename).
//!
//! Sizes: [`Size::Small`] is a thumbnail of at most 256 px a side, [`Size::Large`] at most
//! 1 024 px, [`Size::Original`] the picture as embedded. A thumbnail is made once from the
//! cached picture ([`crate::thumbnail`]: JPEG and PNG only, under decoding limits, at most two
//! at a time) and cached beside it; a picture that already fits is served as it is. A picture
//! that cannot be decoded (corrupt, too large) has no thumbnail (`None`); one in another format
//! (GIF, WebP) is served as embedded. The folder is bounded: past [`BUDGET`] bytes the least
//! recently used files go.

use std::future::Future;
use std::path::{Path, PathBuf};

use crate::Cover;

/// Most bytes the cover folder holds; pruning takes it down to three quarters of this.
pub const BUDGET: u64 = 256 * 1024 * 1024;

/// Which picture is wanted (the protocol's `size`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// As embedded.
    Original,
    /// At most 256 px a side.
    Small,
    /// At most 1 024 px a side.
    Large,
}

impl Size {
    /// The longest side of a thumbnail at this size (`None`: as embedded).
    #[must_use]
    pub fn side(self) -> Option<u32> {
        match self {
            Self::Original => None,
            Self::Small => Some(256),
            Self::Large => Some(1024),
        }
    }
}

/// Thumbnails being made at once, at most (each may hold a decoded picture in memory).
static MAKING: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| tokio::sync::Semaphore::new(2));

/// A local track's cover through the cache in `dir`, at `size`: served from there if it was
/// made before (the audio file is not opened), else `path_of(id)` says which file it is
/// (`None` for ids nobody knows), its embedded picture is read and written into the cache,
/// and the thumbnail made from it is cached too.
///
/// Runs on a tokio runtime: the files are read and written on its blocking pool.
pub async fn local_cover<F, Fut>(dir: PathBuf, id: String, size: Size, path_of: F) -> Option<Cover>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Option<PathBuf>>,
{
    let blocking = |job: Box<dyn FnOnce() -> Option<Cover> + Send>| async move {
        tokio::task::spawn_blocking(job).await.ok().flatten()
    };
    if size != Size::Original {
        let (dir, id) = (dir.clone(), id.clone());
        if let Some(hit) = blocking(Box::new(move || cached_cover(&dir, &id, size))).await {
            return Some(hit);
        }
    }
    let (dir2, id2) = (dir.clone(), id.clone());
    let mut original = blocking(Box::new(move || cached_cover(&dir2, &id2, Size::Original))).await;
    if original.is_none() {
        let path = path_of(id.clone()).await?;
        let (dir, id) = (dir.clone(), id.clone());
        original = blocking(Box::new(move || {
            let cover = crate::read_cover(&path)?;
            if let Err(e) = store_cover(&dir, &id, Size::Original, &cover) {
                lyrebird_core::warn_limited!(error = %e, "could not cache a cover");
            }
            Some(cover)
        }))
        .await;
    }
    let original = original?;
    let Some(max_side) = size.side() else {
        return Some(original);
    };
    let _permit = MAKING.acquire().await.ok()?;
    blocking(Box::new(move || {
        use crate::thumbnail::{ThumbnailError, thumbnail};
        match thumbnail(&original, max_side) {
            Ok(Some(thumb)) => {
                if let Err(e) = store_cover(&dir, &id, size, &thumb) {
                    lyrebird_core::warn_limited!(error = %e, "could not cache a thumbnail");
                }
                Some(thumb)
            }
            Ok(None) | Err(ThumbnailError::Unsupported) => Some(original),
            Err(e) => {
                tracing::info!(id, error = %e, "no thumbnail for a cover");
                None
            }
        }
    }))
    .await
}

const CACHE_MAGIC: &[u8] = b"lyrebird-cover 1\n";

/// The cache file of `id` at `size` inside `dir`: 64-bit FNV-1a of the id in hex (then the
/// size's side). Nothing of the id's text reaches the path, so no id can name a file outside
/// `dir`.
fn cache_file(dir: &Path, id: &str, size: Size) -> PathBuf {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    match size.side() {
        None => dir.join(format!("{hash:016x}.cover")),
        Some(px) => dir.join(format!("{hash:016x}-{px}.cover")),
    }
}

/// The cached cover of `id` at `size`, if there is one and it is `id`'s. The file: the magic
/// line, the MIME type, the id (each on a line of its own), then the picture. A hit counts as
/// a use for pruning (its time is renewed once a day at most).
fn cached_cover(dir: &Path, id: &str, size: Size) -> Option<Cover> {
    let file = cache_file(dir, id, size);
    let bytes = std::fs::read(&file).ok()?;
    let rest = bytes.strip_prefix(CACHE_MAGIC)?;
    let mime_end = rest.iter().position(|&b| b == b'\n')?;
    let (mime, rest) = (&rest[..mime_end], &rest[mime_end + 1..]);
    let data = rest.strip_prefix(id.as_bytes())?.strip_prefix(b"\n")?;
    touch_if_stale(&file);
    Some(Cover {
        mime_type: std::str::from_utf8(mime).ok()?.to_owned(),
        data: data.to_vec(),
    })
}

fn touch_if_stale(file: &Path) {
    let now = std::time::SystemTime::now();
    let stale = std::fs::metadata(file)
        .and_then(|m| m.modified())
        .is_ok_and(|t| {
            now.duration_since(t)
                .is_ok_and(|age| age.as_secs() > 86_400)
        });
    if stale && let Ok(f) = std::fs::File::options().append(true).open(file) {
        let _ = f.set_modified(now);
    }
}

/// Write `id`'s cover at `size` into the cache. The file: the magic line, the MIME type, the id
/// (each on a line of its own), then the picture. Every few MiB written, the folder is pruned
/// to its budget.
fn store_cover(dir: &Path, id: &str, size: Size, cover: &Cover) -> std::io::Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static WRITTEN: AtomicU64 = AtomicU64::new(u64::MAX / 2); // prune at the first write
    if id.contains('\n') || cover.mime_type.contains('\n') {
        return Err(std::io::Error::other("line break in an id or MIME type"));
    }
    std::fs::create_dir_all(dir)?;
    let mut bytes = Vec::with_capacity(CACHE_MAGIC.len() + id.len() + 64 + cover.data.len());
    bytes.extend_from_slice(CACHE_MAGIC);
    bytes.extend_from_slice(cover.mime_type.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(id.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(&cover.data);
    write_atomically(&cache_file(dir, id, size), &bytes)?;
    let written = WRITTEN.fetch_add(bytes.len() as u64, Ordering::Relaxed) + bytes.len() as u64;
    if written > 8 * 1024 * 1024 {
        WRITTEN.store(0, Ordering::Relaxed);
        prune(dir, BUDGET);
    }
    Ok(())
}

/// Keep the files in `dir` under `budget` bytes: past it, delete the least recently used
/// (oldest modification time) until three quarters of it are left. Unfinished writes (`.part`)
/// of this run are left alone; those of an earlier run (killed mid-write: the name holds its
/// pid) can never be finished, and go.
fn prune(dir: &Path, budget: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let ours = format!(".{}.", std::process::id());
    let mut files: Vec<(std::time::SystemTime, u64, PathBuf)> = entries
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(stem) = name.strip_suffix(".part") else {
                return true;
            };
            // `<file>.<pid>.<n>`: keep it while this run may still be writing it.
            let of_this_run = stem
                .rsplit_once('.')
                .is_some_and(|(before_n, _)| format!("{before_n}.").ends_with(&ours));
            if !of_this_run {
                let _ = std::fs::remove_file(e.path());
            }
            false
        })
        .filter_map(|e| {
            let meta = e.metadata().ok().filter(std::fs::Metadata::is_file)?;
            Some((meta.modified().ok()?, meta.len(), e.path()))
        })
        .collect();
    let mut total: u64 = files.iter().map(|f| f.1).sum();
    if total <= budget {
        return;
    }
    files.sort();
    for (_, len, path) in files {
        if total <= budget / 4 * 3 {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total -= len;
        }
    }
}

/// Write `bytes` whole into a temporary file beside `file` (named uniquely, so two writers never
/// share one), then rename it: a reader sees the old file, the new one or none, never half.
fn write_atomically(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static PARTS: AtomicU64 = AtomicU64::new(0);
    let mut partial = file.as_os_str().to_owned();
    partial.push(format!(
        ".{}.{}.part",
        std::process::id(),
        PARTS.fetch_add(1, Ordering::Relaxed)
    ));
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, file).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })
}

/// `track`'s embedded cover as a plain picture file, for the OS's media controls and
/// notifications (which cannot use our protocol): written once into `dir` under a name made
/// from the track id, then reused. The picture comes from the protocol's cache when the window
/// already showed it, else from the audio file (and then goes into that cache too).
#[must_use]
pub fn cover_file(dir: &Path, track: &lyrebird_core::Track) -> Option<PathBuf> {
    if !track.has_cover {
        return None;
    }
    let name: String = track
        .id
        .0
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let existing = ["jpg", "png", "gif", "webp", "img"]
        .iter()
        .map(|ext| dir.join(format!("{name}.{ext}")))
        .find(|p| p.is_file());
    if existing.is_some() {
        return existing;
    }
    let cover = cached_cover(dir, &track.id.0, Size::Original).or_else(|| {
        let cover = crate::read_cover(track.path.as_deref()?)?;
        if let Err(e) = store_cover(dir, &track.id.0, Size::Original, &cover) {
            lyrebird_core::warn_limited!(error = %e, "could not cache a cover");
        }
        Some(cover)
    })?;
    let ext = match cover.mime_type.as_str() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => "img",
    };
    let file = dir.join(format!("{name}.{ext}"));
    std::fs::create_dir_all(dir).ok()?;
    write_atomically(&file, &cover.data).ok()?;
    Some(file)
}

/// [`cover_file`] as a `file://` URL (what MPRIS's `mpris:artUrl` takes).
#[must_use]
pub fn cover_file_url(dir: &Path, track: &lyrebird_core::Track) -> Option<String> {
    cover_file(dir, track).map(|file| file_url(&file))
}

/// `file://` + the path with everything but unreserved characters and `/` percent-encoded.
fn file_url(path: &std::path::Path) -> String {
    use std::fmt::Write;
    let mut url = String::from("file://");
    for byte in path.as_os_str().as_encoded_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(byte) {
            url.push(char::from(*byte));
        } else {
            let _ = write!(url, "%{byte:02X}");
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::{Size, cache_file, cached_cover, file_url, local_cover, prune, store_cover};
    use crate::Cover;
    use std::future::Future;
    use std::path::{Path, PathBuf};

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    /// A FLAC with a 64×64 PNG attached as its cover, made by ffmpeg.
    fn covered_flac(dir: &Path) -> PathBuf {
        covered_flac_sized(dir, "64x64")
    }

    /// A FLAC with a red PNG of `size` (ffmpeg's `WxH`) attached as its cover.
    fn covered_flac_sized(dir: &Path, size: &str) -> PathBuf {
        let out = dir.join(format!("covered-{size}.flac"));
        let status = std::process::Command::new("ffmpeg")
            .args([
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "sine=d=0.2",
            ])
            .args(["-f", "lavfi", "-i", &format!("color=c=red:s={size}:d=0.04")])
            .args([
                "-map",
                "0:a",
                "-map",
                "1:v",
                "-frames:v",
                "1",
                "-c:v",
                "png",
            ])
            .args(["-disposition:v", "attached_pic"])
            .arg(&out)
            .stdin(std::process::Stdio::null())
            .status()
            .expect("ffmpeg runs");
        assert!(status.success());
        out
    }

    fn files_in(dir: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_cover_is_extracted_once_then_served_from_the_cache() {
        let temp = tempfile::tempdir().unwrap();
        let audio = covered_flac(temp.path());
        let cache = temp.path().join("cache").join("covers");
        let id = "local:00ff".to_owned();
        let first = block_on(local_cover(cache.clone(), id.clone(), Size::Original, {
            let audio = audio.clone();
            |_| async move { Some(audio) }
        }))
        .expect("a cover");
        assert_eq!(first.mime_type, "image/png");
        assert_eq!(
            files_in(&cache),
            vec![cache_file(&cache, &id, Size::Original)]
        );

        // The audio file is gone and nobody knows the path any more: still served.
        std::fs::remove_file(&audio).unwrap();
        let second = block_on(local_cover(cache.clone(), id, Size::Original, |_| async {
            panic!("the cache should have answered")
        }));
        assert_eq!(second, Some(first));
        // Another id is not served from it.
        let other = block_on(local_cover(
            cache,
            "local:0100".into(),
            Size::Small,
            |_| async { None },
        ));
        assert_eq!(other, None);
    }

    #[test]
    fn hostile_ids_stay_inside_the_cache() {
        let temp = tempfile::tempdir().unwrap();
        let cache = temp.path().join("covers");
        std::fs::create_dir_all(&cache).unwrap();
        // A file next to the cache the ids below would name if they were paths.
        std::fs::write(temp.path().join("secret"), b"secret").unwrap();
        let cover = Cover {
            mime_type: "image/png".into(),
            data: vec![1, 2, 3],
        };
        let hostile = [
            "../../etc/passwd",
            "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "%2e%2e",
            "..%2fsecret",
            "../secret",
            "/etc/passwd",
            "..",
            "",
        ];
        for raw in hostile {
            let id = String::from_utf8(crate::m3u::percent_decode(raw).unwrap()).unwrap();
            let file = cache_file(&cache, &id, Size::Small);
            assert_eq!(file.parent(), Some(cache.as_path()), "{raw}");
            assert!(!file.file_name().unwrap().to_string_lossy().contains(".."));
            // Nothing cached for it: nothing is read, not /etc/passwd nor ../secret.
            assert_eq!(cached_cover(&cache, &id, Size::Small), None, "{raw}");
        }
        for raw in hostile {
            let id = String::from_utf8(crate::m3u::percent_decode(raw).unwrap()).unwrap();
            store_cover(&cache, &id, Size::Small, &cover).unwrap();
            assert_eq!(
                cached_cover(&cache, &id, Size::Small).as_ref(),
                Some(&cover),
                "{raw}"
            );
        }
        // Everything written is a `.cover` file directly in the cache; nothing else was touched.
        assert!(
            files_in(&cache)
                .iter()
                .all(|f| f.parent() == Some(cache.as_path())
                    && f.extension().is_some_and(|e| e == "cover"))
        );
        assert_eq!(
            std::fs::read(temp.path().join("secret")).unwrap(),
            b"secret"
        );
        let mut outside = files_in(temp.path());
        outside.sort();
        assert_eq!(outside, vec![cache.clone(), temp.path().join("secret")]);
        // An id with a line break cannot be stored (it would blur the file's header).
        assert!(store_cover(&cache, "a\nb", Size::Original, &cover).is_err());
    }

    #[test]
    fn a_cache_file_of_another_id_is_a_miss() {
        let temp = tempfile::tempdir().unwrap();
        let cover = Cover {
            mime_type: "image/jpeg".into(),
            data: vec![9; 10],
        };
        store_cover(temp.path(), "local:1", Size::Original, &cover).unwrap();
        // As if "local:2" hashed to the same name.
        std::fs::rename(
            cache_file(temp.path(), "local:1", Size::Original),
            cache_file(temp.path(), "local:2", Size::Original),
        )
        .unwrap();
        assert_eq!(cached_cover(temp.path(), "local:2", Size::Original), None);
    }

    #[test]
    fn thumbnails_are_made_once_and_pictures_that_fit_are_served_as_they_are() {
        let temp = tempfile::tempdir().unwrap();
        let audio = covered_flac_sized(temp.path(), "600x300");
        let cache = temp.path().join("covers");
        let id = "local:0a0b".to_owned();
        let get = |size, audio: Option<PathBuf>| {
            block_on(local_cover(cache.clone(), id.clone(), size, |_| async {
                Some(audio.expect("the cache should have answered"))
            }))
        };
        let small = get(Size::Small, Some(audio.clone())).expect("a thumbnail");
        assert_eq!(small.mime_type, "image/jpeg");
        assert_eq!(crate::thumbnail::dimensions(&small.data).unwrap().1, 256);
        let mut files = files_in(&cache);
        files.sort();
        let mut expected = vec![
            cache_file(&cache, &id, Size::Original),
            cache_file(&cache, &id, Size::Small),
        ];
        expected.sort();
        assert_eq!(files, expected, "the picture and its thumbnail");
        // From the cache now; the large one is the picture itself (600 px fit).
        assert_eq!(get(Size::Small, None), Some(small));
        let large = get(Size::Large, None).expect("the picture");
        assert_eq!(large.mime_type, "image/png");
        assert_eq!(
            files_in(&cache).len(),
            2,
            "no copy made for a picture that fits"
        );
        assert_eq!(get(Size::Original, None), Some(large));
    }

    #[test]
    fn a_picture_that_cannot_be_decoded_has_no_thumbnail() {
        let temp = tempfile::tempdir().unwrap();
        let id = "local:bad".to_owned();
        // A PNG signature, then garbage.
        let mut data = b"\x89PNG\r\n\x1a\n".to_vec();
        data.extend(std::iter::repeat_n(0xAB, 5_000));
        let broken = Cover {
            mime_type: "image/png".into(),
            data,
        };
        store_cover(temp.path(), &id, Size::Original, &broken).unwrap();
        let get = |size| {
            block_on(local_cover(
                temp.path().to_owned(),
                id.clone(),
                size,
                |_| async { None },
            ))
        };
        assert_eq!(
            get(Size::Small),
            None,
            "404: the webview shows its placeholder"
        );
        assert_eq!(get(Size::Large), None);
        assert_eq!(get(Size::Original), Some(broken), "as embedded, as before");
        // A format without a decoder here is served as embedded.
        let gif = Cover {
            mime_type: "image/gif".into(),
            data: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
        };
        store_cover(temp.path(), "local:gif", Size::Original, &gif).unwrap();
        let served = block_on(local_cover(
            temp.path().to_owned(),
            "local:gif".into(),
            Size::Small,
            |_| async { None },
        ));
        assert_eq!(served, Some(gif));
    }

    #[test]
    fn the_cache_is_pruned_least_recently_used_first() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();
        let old = std::time::SystemTime::now() - std::time::Duration::from_hours(72);
        for i in 0..10u64 {
            let file = dir.join(format!("{i}.cover"));
            std::fs::write(&file, vec![0; 1_000]).unwrap();
            let f = std::fs::File::options().append(true).open(&file).unwrap();
            f.set_modified(old + std::time::Duration::from_secs(i * 60))
                .unwrap();
        }
        let ours = format!("x.cover.{}.2.part", std::process::id());
        let dead_runs = format!("y.cover.{}.2.part", u32::MAX);
        std::fs::write(dir.join(&ours), vec![0; 5_000]).unwrap();
        std::fs::write(dir.join(&dead_runs), vec![0; 5_000]).unwrap();
        prune(dir, 20_000);
        assert_eq!(
            files_in(dir).len(),
            11,
            "under budget: only a dead run's unfinished write goes"
        );
        assert!(!dir.join(&dead_runs).exists());
        // A hit renews file 0 (stale by more than a day), so it is kept.
        store_cover(
            dir,
            "local:0",
            Size::Small,
            &Cover {
                mime_type: "image/jpeg".into(),
                data: vec![1],
            },
        )
        .unwrap();
        let renewed = cache_file(dir, "local:0", Size::Small);
        let f = std::fs::File::options()
            .append(true)
            .open(&renewed)
            .unwrap();
        f.set_modified(old).unwrap();
        assert!(cached_cover(dir, "local:0", Size::Small).is_some());
        prune(dir, 8_000);
        let mut left: Vec<String> = files_in(dir)
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        left.sort();
        // 10 files of 1 000 bytes + the renewed one: down to ≤ 6 000 bytes, oldest first.
        assert!(left.contains(&ours), "{left:?}");
        assert!(left.contains(&renewed.file_name().unwrap().to_string_lossy().into_owned()));
        assert!(
            left.contains(&"9.cover".to_owned()) && !left.contains(&"0.cover".to_owned()),
            "{left:?}"
        );
        let kept: u64 = files_in(dir)
            .iter()
            .filter(|f| !f.to_string_lossy().ends_with(".part"))
            .map(|f| std::fs::metadata(f).unwrap().len())
            .sum();
        assert!(kept <= 6_000, "{kept}");
    }

    #[test]
    fn file_urls_escape_what_urls_cannot_hold() {
        assert_eq!(
            file_url(std::path::Path::new("/c/local-00ff.jpg")),
            "file:///c/local-00ff.jpg"
        );
        assert_eq!(
            file_url(std::path::Path::new("/c/a b#?.png")),
            "file:///c/a%20b%23%3F.png"
        );
        assert_eq!(file_url(std::path::Path::new("/晴")), "file:///%E6%99%B4");
    }
}
