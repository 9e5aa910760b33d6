//! `lyrebird-cover://localhost/<track id>`: embedded cover art for the webview.
//!
//! The webview gets no file-system access; it can only ask for the cover of a track id the
//! actor knows, and this handler reads that one file's embedded picture.

use lyrebird_core::{PlayerHandle, TrackId};
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

pub const SCHEME: &str = "lyrebird-cover";

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
    let id = percent_decode(request.uri().path().trim_start_matches('/'));
    tauri::async_runtime::spawn(async move {
        // A server's track: its cover is fetched from the server (the webview never sees the
        // credentialed URL).
        let remote = match (&servers, &id) {
            (Some(servers), Some(id)) if id.starts_with(lyrebird_subsonic::TRACK_ID_PREFIX) => {
                Some(servers.cover(&TrackId(id.clone())).await)
            }
            _ => None,
        };
        let cover = match (player, id) {
            _ if remote.is_some() => remote
                .flatten()
                .map(|(mime_type, data)| lyrebird_library::Cover { mime_type, data }),
            (Some(player), Some(id)) => match player.track_path(TrackId(id)).await {
                Ok(Some(path)) => tauri::async_runtime::spawn_blocking(move || {
                    lyrebird_library::read_cover(&path)
                })
                .await
                .ok()
                .flatten(),
                _ => None,
            },
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

/// A `file://` URL of `track`'s embedded cover, for the OS's media controls and notifications
/// (which cannot use our protocol): written once into `dir` under a name made from the track
/// id, then reused.
pub fn cover_file_url(dir: &std::path::Path, track: &lyrebird_core::Track) -> Option<String> {
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
    let file = if let Some(file) = existing {
        file
    } else {
        {
            let cover = lyrebird_library::read_cover(track.path.as_deref()?)?;
            let ext = match cover.mime_type.as_str() {
                "image/jpeg" => "jpg",
                "image/png" => "png",
                "image/gif" => "gif",
                "image/webp" => "webp",
                _ => "img",
            };
            let file = dir.join(format!("{name}.{ext}"));
            std::fs::create_dir_all(dir).ok()?;
            // Written whole then renamed: a reader never sees half a picture.
            let partial = dir.join(format!(".{name}.{ext}.part"));
            std::fs::write(&partial, &cover.data).ok()?;
            std::fs::rename(&partial, &file).ok()?;
            file
        }
    };
    Some(file_url(&file))
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
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::{file_url, percent_decode};

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
