//! The TypeScript types the UI uses, generated from these Rust types with ts-rs.
//!
//! The generated files are committed under `ui/src/lib/ipc/bindings/`; the test
//! `tests/bindings.rs` fails when they drift, and `LYREBIRD_UPDATE_BINDINGS=1 cargo test -p
//! lyrebird-core --test bindings` rewrites them.

use std::path::Path;

use ts_rs::{Config, ExportError, TS};

use crate::events::{PlayerEvent, Published, Snapshot};
use crate::queue::QueuePosition;

/// Write every type the UI needs (and what they refer to) into `dir`.
pub fn export_all(dir: &Path) -> Result<(), ExportError> {
    let cfg = Config::new().with_out_dir(dir);
    Published::export_all(&cfg)?;
    // Flattened into `Published`, so not a dependency of it: exported for the reducer's use.
    PlayerEvent::export_all(&cfg)?;
    // Command arguments.
    QueuePosition::export_all(&cfg)?;
    Snapshot::export_all(&cfg)?;
    // A command's answer.
    crate::events::LyricsView::export_all(&cfg)?;
    crate::events::CoverColors::export_all(&cfg)?;
    crate::events::ScanProblem::export_all(&cfg)?;
    crate::events::AlbumView::export_all(&cfg)?;
    crate::events::ArtistView::export_all(&cfg)?;
    crate::folders::FolderView::export_all(&cfg)?;
    // The library's rows, fetched as lists show them.
    crate::library_rows::RowsRequest::export_all(&cfg)?;
    crate::library_rows::LibraryRows::export_all(&cfg)?;
    crate::library_rows::SortColumn::export_all(&cfg)?;
    crate::library_rows::SortKeys::export_all(&cfg)?;
    // The queue's rows, likewise.
    crate::events::QueueRows::export_all(&cfg)?;
    // Playlists.
    crate::playlists::PlaylistSummary::export_all(&cfg)?;
    crate::playlists::PlaylistView::export_all(&cfg)?;
    crate::playlists::PlaylistImport::export_all(&cfg)?;
    // Servers: what the UI sends and gets back.
    crate::servers::ServerInput::export_all(&cfg)?;
    crate::servers::ServerTest::export_all(&cfg)?;
    crate::servers::BrowseRequest::export_all(&cfg)?;
    crate::servers::BrowsePage::export_all(&cfg)?;
    // The NetEase account.
    crate::netease::NeteaseStatus::export_all(&cfg)?;
    crate::netease::NeteaseSettings::export_all(&cfg)?;
    crate::netease::QrLogin::export_all(&cfg)?;
    crate::netease::QrState::export_all(&cfg)?;
    crate::netease::NeteasePlaylist::export_all(&cfg)?;
    crate::netease::NeteasePage::export_all(&cfg)?;
    crate::netease::NeteaseRef::export_all(&cfg)?;
    crate::netease::NeteaseAlbumPage::export_all(&cfg)?;
    crate::netease::NeteaseArtistPage::export_all(&cfg)?;
    crate::netease::NeteaseLibrary::export_all(&cfg)?;
    crate::netease::NeteaseError::export_all(&cfg)?;
    crate::netease::NeteaseLogin::export_all(&cfg)?;
    crate::netease::NeteaseChart::export_all(&cfg)?;
    crate::netease::NeteaseSuggestions::export_all(&cfg)?;
    crate::netease::NeteaseCopy::export_all(&cfg)?;
    crate::netease::NeteasePlaylistEdit::export_all(&cfg)?;
    crate::netease::NeteaseFound::export_all(&cfg)?;
    crate::netease::NeteaseAlbums::export_all(&cfg)?;
    crate::netease::NeteaseLibraryPart::export_all(&cfg)?;
    Ok(())
}
