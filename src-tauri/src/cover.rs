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
    let id = percent_decode(request.uri().path().trim_start_matches('/'));
    tauri::async_runtime::spawn(async move {
        let cover = match (player, id) {
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
    use super::percent_decode;

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
