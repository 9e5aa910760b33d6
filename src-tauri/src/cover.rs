//! `lyrebird-cover://localhost/<track id>`: embedded cover art for the webview.
//!
//! The webview gets no file-system access; it can only ask for the cover of a track id. A local
//! track's picture is extracted from its file once, on the first request, and kept in the cover
//! cache (`<cache>/covers`, [`CoverCache`]); later requests are served from there without
//! touching the audio file. The handler only ever reads files inside that folder, named from a
//! hash of the track id (never from the request's text); each file also holds the id, which is
//! compared on every read, so a hash collision is a miss, not someone else's picture.
//!
//! The picture is cached as embedded (no `image` crate in the build to make thumbnails with).

use std::future::Future;
use std::path::{Path, PathBuf};

use lyrebird_core::{PlayerHandle, TrackId};
use lyrebird_library::Cover;
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

pub const SCHEME: &str = "lyrebird-cover";

/// The folder covers are cached in (`<cache>/covers`), managed as app state at start-up with
/// the player.
pub struct CoverCache(pub PathBuf);

#[allow(clippy::needless_pass_by_value)] // the signature Tauri's protocol registry wants
pub fn handle<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let player = ctx
        .app_handle()
        .try_state::<PlayerHandle>()
        .map(|p| p.inner().clone());
    let servers = ctx
        .app_handle()
        .try_state::<crate::sources::ServersHandle>()
        .map(|s| s.inner().clone());
    let cache = ctx
        .app_handle()
        .try_state::<CoverCache>()
        .map(|c| c.0.clone());
    let id = percent_decode(request.uri().path().trim_start_matches('/'));
    tauri::async_runtime::spawn(async move {
        let cover = match (id, player, cache) {
            // A server's track: its cover is fetched from the server (the webview never sees
            // the credentialed URL).
            (Some(id), _, _) if id.starts_with(lyrebird_subsonic::TRACK_ID_PREFIX) => match servers
            {
                Some(servers) => servers
                    .cover(&TrackId(id))
                    .await
                    .map(|(mime_type, data)| Cover { mime_type, data }),
                None => None,
            },
            (Some(id), Some(player), Some(dir)) => {
                let path_of =
                    |id: String| async move { player.track_path(TrackId(id)).await.ok().flatten() };
                local_cover(dir, id, path_of).await
            }
            _ => None,
        };
        responder.respond(
            match cover {
                Some(cover) => Response::builder()
                    .header(header::CONTENT_TYPE, cover.mime_type)
                    .header(header::CACHE_CONTROL, "max-age=3600")
                    .body(cover.data),
                None => Response::builder()
                    .status(StatusCode::NOT_FOUND)
                    .body(Vec::new()),
            }
            .expect("static headers are valid"),
        );
    });
}

/// A local track's cover through the cache in `dir`: served from there if it was extracted
/// before (the audio file is not opened), else `path_of(id)` says which file it is (`None`
/// for ids nobody knows), its embedded picture is read and written into the cache.
async fn local_cover<F, Fut>(dir: PathBuf, id: String, path_of: F) -> Option<Cover>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Option<PathBuf>>,
{
    let (dir2, id2) = (dir.clone(), id.clone());
    let hit = tauri::async_runtime::spawn_blocking(move || cached_cover(&dir2, &id2))
        .await
        .ok()
        .flatten();
    if hit.is_some() {
        return hit;
    }
    let path = path_of(id.clone()).await?;
    tauri::async_runtime::spawn_blocking(move || {
        let cover = lyrebird_library::read_cover(&path)?;
        if let Err(e) = store_cover(&dir, &id, &cover) {
            tracing::warn!(error = %e, "could not cache a cover");
        }
        Some(cover)
    })
    .await
    .ok()
    .flatten()
}

const CACHE_MAGIC: &[u8] = b"lyrebird-cover 1\n";

/// The cache file of `id` inside `dir`: 64-bit FNV-1a of the id in hex. Nothing of the id's
/// text reaches the path, so no id can name a file outside `dir`.
fn cache_file(dir: &Path, id: &str) -> PathBuf {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    dir.join(format!("{hash:016x}.cover"))
}

/// The cached cover of `id`, if there is one and it is `id`'s. The file: the magic line, the
/// MIME type, the id (each on a line of its own), then the picture.
fn cached_cover(dir: &Path, id: &str) -> Option<Cover> {
    let bytes = std::fs::read(cache_file(dir, id)).ok()?;
    let rest = bytes.strip_prefix(CACHE_MAGIC)?;
    let mime_end = rest.iter().position(|&b| b == b'\n')?;
    let (mime, rest) = (&rest[..mime_end], &rest[mime_end + 1..]);
    let data = rest.strip_prefix(id.as_bytes())?.strip_prefix(b"\n")?;
    Some(Cover {
        mime_type: std::str::from_utf8(mime).ok()?.to_owned(),
        data: data.to_vec(),
    })
}

/// Write `id`'s cover into the cache. The file: the magic line, the MIME type, the id (each on
/// a line of its own), then the picture.
fn store_cover(dir: &Path, id: &str, cover: &Cover) -> std::io::Result<()> {
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
    write_atomically(&cache_file(dir, id), &bytes)
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
    let cover = cached_cover(dir, &track.id.0).or_else(|| {
        let cover = lyrebird_library::read_cover(track.path.as_deref()?)?;
        if let Err(e) = store_cover(dir, &track.id.0, &cover) {
            tracing::warn!(error = %e, "could not cache a cover");
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

/// Decode `%XX` escapes; `None` for malformed input or non-UTF-8 results.
fn percent_decode(text: &str) -> Option<String> {
    String::from_utf8(lyrebird_library::m3u::percent_decode(text)?).ok()
}

#[cfg(test)]
mod tests {
    use super::{cache_file, cached_cover, file_url, local_cover, percent_decode, store_cover};
    use lyrebird_library::Cover;
    use std::path::{Path, PathBuf};

    /// A FLAC with a 64×64 PNG attached as its cover, made by ffmpeg.
    fn covered_flac(dir: &Path) -> PathBuf {
        let out = dir.join("covered.flac");
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
            .args(["-f", "lavfi", "-i", "color=c=red:s=64x64:d=0.04"])
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
        let first = tauri::async_runtime::block_on(local_cover(cache.clone(), id.clone(), {
            let audio = audio.clone();
            |_| async move { Some(audio) }
        }))
        .expect("a cover");
        assert_eq!(first.mime_type, "image/png");
        assert_eq!(files_in(&cache), vec![cache_file(&cache, &id)]);

        // The audio file is gone and nobody knows the path any more: still served.
        std::fs::remove_file(&audio).unwrap();
        let second = tauri::async_runtime::block_on(local_cover(cache.clone(), id, |_| async {
            panic!("the cache should have answered")
        }));
        assert_eq!(second, Some(first));
        // Another id is not served from it.
        let other =
            tauri::async_runtime::block_on(local_cover(cache, "local:0100".into(), |_| async {
                None
            }));
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
            let id = percent_decode(raw).unwrap();
            let file = cache_file(&cache, &id);
            assert_eq!(file.parent(), Some(cache.as_path()), "{raw}");
            assert!(!file.file_name().unwrap().to_string_lossy().contains(".."));
            // Nothing cached for it: nothing is read, not /etc/passwd nor ../secret.
            assert_eq!(cached_cover(&cache, &id), None, "{raw}");
        }
        for raw in hostile {
            let id = percent_decode(raw).unwrap();
            store_cover(&cache, &id, &cover).unwrap();
            assert_eq!(cached_cover(&cache, &id).as_ref(), Some(&cover), "{raw}");
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
        assert!(store_cover(&cache, "a\nb", &cover).is_err());
    }

    #[test]
    fn a_cache_file_of_another_id_is_a_miss() {
        let temp = tempfile::tempdir().unwrap();
        let cover = Cover {
            mime_type: "image/jpeg".into(),
            data: vec![9; 10],
        };
        store_cover(temp.path(), "local:1", &cover).unwrap();
        // As if "local:2" hashed to the same name.
        std::fs::rename(
            cache_file(temp.path(), "local:1"),
            cache_file(temp.path(), "local:2"),
        )
        .unwrap();
        assert_eq!(cached_cover(temp.path(), "local:2"), None);
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

    #[test]
    fn decodes_ids_and_rejects_malformed_escapes() {
        assert_eq!(
            percent_decode("local%3A00ff").as_deref(),
            Some("local:00ff")
        );
        assert_eq!(percent_decode("%E6%99%B4").as_deref(), Some("晴"));
        assert_eq!(percent_decode("bad%4"), None);
        assert_eq!(percent_decode("bad%zz"), None);
        assert_eq!(percent_decode("%FF"), None);
    }
}
