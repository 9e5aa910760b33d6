//! `lyrebird-cover://localhost/<track id>`: cover art for the webview.
//!
//! The webview gets no file-system access; it can only ask for the cover of a track id. A local
//! track's picture comes from the cover cache (`<cache>/covers`, [`CoverCache`]), which
//! extracts it from the audio file once and makes thumbnails from it
//! (`lyrebird_library::cover_cache`, where the cache's file names, limits and pruning are); a
//! server's track's cover is fetched from its server (`lyrebird_sources`, with its own time and
//! size limits), so the webview never sees the credentialed URL; a NetEase track's from
//! NetEase's image hosts only (`ApiHosts::cover_url`: the address the track names must be one
//! of theirs, so a webview cannot make the app fetch anything else).
//!
//! Sizes: `?size=small` is a thumbnail of at most 256 px a side (the albums grid, lists, the
//! player bar), `?size=large` at most 1 024 px (Now Playing); without `size`, the picture as
//! embedded (what the OS's media controls get). A picture that cannot be decoded (corrupt, too
//! large) answers 404, and the webview shows its placeholder.

use std::path::PathBuf;

use lyrebird_core::{PlayerHandle, TrackId};
use lyrebird_library::Cover;
use lyrebird_library::cover_cache::{Size, local_cover};
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

pub const SCHEME: &str = "lyrebird-cover";

/// The value of `key` in a query string (`a=1&b=2`), as it stands (still percent-encoded).
fn query_value<'q>(query: Option<&'q str>, key: &str) -> Option<&'q str> {
    query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
}

/// Which picture the request asks for (its `size`).
fn size_from_query(query: Option<&str>) -> Size {
    match query_value(query, "size") {
        Some("small") => Size::Small,
        Some("large") => Size::Large,
        _ => Size::Original,
    }
}

/// The folder covers are cached in (`<cache>/covers`), managed as app state at start-up with
/// the player.
pub struct CoverCache(pub PathBuf);

#[allow(clippy::needless_pass_by_value)] // the signature Tauri's protocol registry wants
pub fn handle<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    let id = percent_decode(request.uri().path().trim_start_matches('/'));
    let size = size_from_query(request.uri().query());
    // A remote track's cover-art id, as its server named it (it travels with the track).
    let art = query_value(request.uri().query(), "art").and_then(percent_decode);
    tauri::async_runtime::spawn(async move {
        let cover = match id {
            Some(id) => cover_of(&app, id, size, art).await,
            None => None,
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

/// The cover of track `id` at `size` (`art`: a remote track's cover-art id, as its server or
/// NetEase named it), from wherever that track's covers come from; `None` when it has none or
/// it cannot be had.
pub async fn cover_of<R: Runtime>(
    app: &tauri::AppHandle<R>,
    id: String,
    size: Size,
    art: Option<String>,
) -> Option<Cover> {
    // A server's track: its cover is fetched from the server (the webview never sees the
    // credentialed URL).
    if id.starts_with(lyrebird_subsonic::TRACK_ID_PREFIX) {
        let servers = app.try_state::<lyrebird_sources::ServersHandle>()?;
        return servers
            .cover(&TrackId(id), art.as_deref())
            .await
            .map(|(mime_type, data)| Cover { mime_type, data });
    }
    // A NetEase track: its album's picture, named by the track (`art`), fetched only from
    // NetEase's image hosts at the size asked (no cookies go with it).
    if id.starts_with(NETEASE_PREFIX) {
        let netease = app.try_state::<lyrebird_sources::netease::NeteaseAccount>()?;
        return netease
            .cover(&art?, netease_px(size))
            .await
            .map(|(mime_type, data)| Cover { mime_type, data });
    }
    let player = app.try_state::<PlayerHandle>()?.inner().clone();
    let dir = app.try_state::<CoverCache>()?.0.clone();
    let path_of = |id: String| async move { player.track_path(TrackId(id)).await.ok().flatten() };
    local_cover(dir, id, size, path_of).await
}

/// A NetEase track's id starts with this.
const NETEASE_PREFIX: &str = "netease:";

/// The pixels a side asked of NetEase's image host for `size` (its own resizing).
fn netease_px(size: Size) -> u32 {
    match size {
        Size::Small => 256,
        Size::Large => 1024,
        Size::Original => 1400,
    }
}

/// Decode `%XX` escapes; `None` for malformed input or non-UTF-8 results.
fn percent_decode(text: &str) -> Option<String> {
    String::from_utf8(lyrebird_library::m3u::percent_decode(text)?).ok()
}

#[cfg(test)]
mod tests {
    use super::{percent_decode, size_from_query};
    use lyrebird_library::cover_cache::Size;

    #[test]
    fn sizes_come_from_the_query() {
        assert_eq!(size_from_query(None), Size::Original);
        assert_eq!(size_from_query(Some("size=small")), Size::Small);
        assert_eq!(size_from_query(Some("x=1&size=large")), Size::Large);
        assert_eq!(size_from_query(Some("size=../../etc")), Size::Original);
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
