// The NetEase Cloud Music account: typed wrappers around the Rust `netease_*` commands. Like
// the rest of this folder, the only code that calls `invoke`.
//
// Every command rejects with a `NeteaseError` (`{ kind: 'verify', url } | { kind: 'captcha' } |
// …`), which the UI words in the user's language. Text in what they return (titles, names,
// nicknames) comes from NetEase and is untrusted: render it as text. Tracks they list can be
// played and queued by id with `playTracks` / `enqueueTracks` (./servers).
import { invoke } from '@tauri-apps/api/core';
import type { NeteaseAlbumPage } from './bindings/NeteaseAlbumPage';
import type { NeteaseAlbums } from './bindings/NeteaseAlbums';
import type { NeteaseArtistPage } from './bindings/NeteaseArtistPage';
import type { NeteaseChart } from './bindings/NeteaseChart';
import type { NeteaseCopy } from './bindings/NeteaseCopy';
import type { NeteaseFound } from './bindings/NeteaseFound';
import type { NeteaseLibrary } from './bindings/NeteaseLibrary';
import type { NeteaseLibraryPart } from './bindings/NeteaseLibraryPart';
import type { NeteaseLogin } from './bindings/NeteaseLogin';
import type { NeteasePage } from './bindings/NeteasePage';
import type { NeteasePlaylistEdit } from './bindings/NeteasePlaylistEdit';
import type { NeteasePlaylist } from './bindings/NeteasePlaylist';
import type { NeteaseQuality } from './bindings/NeteaseQuality';
import type { NeteaseRef } from './bindings/NeteaseRef';
import type { NeteaseStatus } from './bindings/NeteaseStatus';
import type { NeteaseSuggestions } from './bindings/NeteaseSuggestions';
import type { QrLogin } from './bindings/QrLogin';
import type { QrState } from './bindings/QrState';
import type { Track } from './bindings/Track';
import type { TrackId } from './bindings/TrackId';

export type { NeteaseAlbum } from './bindings/NeteaseAlbum';
export type { NeteaseAlbumPage } from './bindings/NeteaseAlbumPage';
export type { NeteaseAlbums } from './bindings/NeteaseAlbums';
export type { NeteaseArtistPage } from './bindings/NeteaseArtistPage';
export type { NeteaseArtistRef } from './bindings/NeteaseArtistRef';
export type { NeteaseArtist } from './bindings/NeteaseArtist';
export type { NeteaseError } from './bindings/NeteaseError';
export type { NeteaseChart } from './bindings/NeteaseChart';
export type { NeteaseCopy } from './bindings/NeteaseCopy';
export type { NeteaseFound } from './bindings/NeteaseFound';
export type { NeteaseLibrary } from './bindings/NeteaseLibrary';
export type { NeteaseLibraryPart } from './bindings/NeteaseLibraryPart';
export type { NeteaseLogin } from './bindings/NeteaseLogin';
export type { NeteaseLoginField } from './bindings/NeteaseLoginField';
export type { NeteasePage } from './bindings/NeteasePage';
export type { NeteasePlaylistEdit } from './bindings/NeteasePlaylistEdit';
export type { NeteasePlaylist } from './bindings/NeteasePlaylist';
export type { NeteaseQuality } from './bindings/NeteaseQuality';
export type { NeteaseRef } from './bindings/NeteaseRef';
export type { NeteaseSettings } from './bindings/NeteaseSettings';
export type { NeteaseStatus } from './bindings/NeteaseStatus';
export type { NeteaseSuggestedAlbum } from './bindings/NeteaseSuggestedAlbum';
export type { NeteaseSuggestedPlaylist } from './bindings/NeteaseSuggestedPlaylist';
export type { NeteaseSuggestedSong } from './bindings/NeteaseSuggestedSong';
export type { NeteaseSuggestions } from './bindings/NeteaseSuggestions';
export type { NeteaseUser } from './bindings/NeteaseUser';
export type { QrLogin } from './bindings/QrLogin';
export type { QrState } from './bindings/QrState';

/** The id of NetEase among the sources (`SourceSettings.order`), while signed in. */
export const NETEASE_SOURCE_ID = 'netease';
/** The most tracks one `neteasePlaylist` page holds. */
export const NETEASE_MAX_PAGE = 500;

/** Who is signed in (`user: null` when nobody is), and the quality. */
export function neteaseStatus(): Promise<NeteaseStatus> {
  return invoke<NeteaseStatus>('netease_status');
}

/** A new QR code to scan with the NetEase app: its key (to poll) and its modules to draw. */
export function neteaseQrStart(): Promise<QrLogin> {
  return invoke<QrLogin>('netease_qr_start');
}

/**
 * Where the QR login `key` stands. `confirmed` means the session is stored and NetEase is a
 * source; `expired` asks for a new code.
 */
export function neteaseQrCheck(key: string): Promise<QrState> {
  return invoke<QrState>('netease_qr_check', { key });
}

/** Signs in with a pasted `MUSIC_U` cookie (the last resort), checked with NetEase first. */
export function neteaseLoginCookie(musicU: string): Promise<NeteaseStatus> {
  return invoke<NeteaseStatus>('netease_login_cookie', { musicU });
}

/** Signs out: the stored session is deleted and NetEase stops being a source; the queue stays. */
export function neteaseLogout(): Promise<void> {
  return invoke<void>('netease_logout');
}

/** Streams NetEase at this quality (or the lower one a song is offered at). */
export function neteaseSetQuality(quality: NeteaseQuality): Promise<void> {
  return invoke<void>('netease_set_quality', { quality });
}

/** Streams NetEase at this quality on a metered connection; `null`: the same as on any other. */
export function neteaseSetMeteredQuality(quality: NeteaseQuality | null): Promise<void> {
  return invoke<void>('netease_set_metered_quality', { quality });
}

/** Today's recommended songs. */
export function neteaseDaily(): Promise<Track[]> {
  return invoke<Track[]>('netease_daily');
}

/** The personal FM's next batch of songs. */
export function neteaseFm(): Promise<Track[]> {
  return invoke<Track[]>('netease_fm');
}

/** Throws a song (a `netease:<id>` track) out of the personal FM. */
export function neteaseFmTrash(trackId: TrackId): Promise<void> {
  return invoke<void>('netease_fm_trash', { trackId });
}

/** The user's playlists, created and subscribed. */
export function neteasePlaylists(): Promise<NeteasePlaylist[]> {
  return invoke<NeteasePlaylist[]>('netease_playlists');
}

/** `limit` tracks (at most 500) of playlist `id` from `offset`, and how many there are. */
export function neteasePlaylist(id: number, offset: number, limit: number): Promise<NeteasePage> {
  return invoke<NeteasePage>('netease_playlist', { id, offset, limit });
}

/**
 * An album and its songs: `{ id }`, or `{ trackId }` for the album of a NetEase track. Its tracks
 * play and queue by id like a playlist's.
 */
export function neteaseAlbum(of: NeteaseRef): Promise<NeteaseAlbumPage> {
  return invoke<NeteaseAlbumPage>('netease_album', { of });
}

/**
 * An artist's top songs and the first page of their albums: `{ id }`, or `{ trackId }` for the
 * first artist of a NetEase track.
 */
export function neteaseArtist(of: NeteaseRef): Promise<NeteaseArtistPage> {
  return invoke<NeteaseArtistPage>('netease_artist', { of });
}

/** The next 100 saved albums or followed artists from `offset` (only that list is filled). */
export function neteaseLibraryMore(part: NeteaseLibraryPart, offset: number): Promise<NeteaseLibrary> {
  return invoke<NeteaseLibrary>('netease_library_more', { part, offset });
}

/** More of artist `id`'s albums, from `offset` (100 at most). */
export function neteaseArtistAlbums(id: number, offset: number): Promise<NeteaseAlbums> {
  return invoke<NeteaseAlbums>('netease_artist_albums', { id, offset });
}

/** The albums the user saved and the artists they follow, the first 100 of each. */
export function neteaseLibrary(): Promise<NeteaseLibrary> {
  return invoke<NeteaseLibrary>('netease_library');
}

/** Texts a login code to `phone` (`countryCode` without `+`, e.g. `86`). */
export function neteaseSmsSend(countryCode: string, phone: string): Promise<void> {
  return invoke<void>('netease_sms_send', { countryCode, phone });
}

/**
 * Logs in with a phone number and password or SMS code, or an email address and password. The
 * secret goes to the backend and is not kept here; the answer is the account once signed in.
 */
export function neteaseLogin(login: NeteaseLogin): Promise<NeteaseStatus> {
  return invoke<NeteaseStatus>('netease_login', { login });
}

/** What the user played lately, newest first. */
export function neteaseRecent(): Promise<Track[]> {
  return invoke<Track[]>('netease_recent');
}

/** The songs in the user's cloud disk. */
export function neteaseCloud(): Promise<Track[]> {
  return invoke<Track[]>('netease_cloud');
}

/** NetEase's charts; each opens with `neteasePlaylist`. */
export function neteaseCharts(): Promise<NeteaseChart[]> {
  return invoke<NeteaseChart[]>('netease_charts');
}

/** Heartbeat mode: songs like `from` (a NetEase track; `null`: the latest liked), `from` first. */
export function neteaseHeartbeat(from: TrackId | null): Promise<Track[]> {
  return invoke<Track[]>('netease_heartbeat', { from });
}

/** The albums, artists and playlists matching `query` (20 of each at most). */
export function neteaseSearchElse(query: string): Promise<NeteaseFound> {
  return invoke<NeteaseFound>('netease_search_else', { query });
}

/** What to suggest while the user types `query` in the search box. */
export function neteaseSuggest(query: string): Promise<NeteaseSuggestions> {
  return invoke<NeteaseSuggestions>('netease_suggest', { query });
}

/** Creates a NetEase playlist named `name` (1 to 40 characters); the answer is the playlist. */
export function neteasePlaylistCreate(name: string): Promise<NeteasePlaylist> {
  return invoke<NeteasePlaylist>('netease_playlist_create', { name });
}

/** Adds NetEase tracks to one of the user's playlists (first), or removes them. */
export function neteasePlaylistEdit(playlistId: number, trackIds: readonly TrackId[], edit: NeteasePlaylistEdit): Promise<void> {
  return invoke<void>('netease_playlist_edit', { playlistId, trackIds, edit });
}

/**
 * Whether listed tracks NetEase will not play (`unplayable`) have a copy in the user's other
 * sources, and which (its label; `library` is the local library). At most 500 ids; a newer
 * call cancels this one, which then answers what it found so far.
 */
export function neteaseCopies(trackIds: readonly TrackId[]): Promise<NeteaseCopy[]> {
  return invoke<NeteaseCopy[]>('netease_copies', { trackIds });
}

/** The songs the user liked. */
export function neteaseLiked(): Promise<Track[]> {
  return invoke<Track[]>('netease_liked');
}

/** Songs matching `query`. */
export function neteaseSearch(query: string): Promise<Track[]> {
  return invoke<Track[]>('netease_search', { query });
}

/**
 * Opens NetEase's verification page (the `url` of a `verify` error) in a window of its own
 * that has no access to the app; `null` closes it (the user is done). The Rust side refuses an
 * address that is not NetEase's.
 */
export function neteaseVerify(url: string | null): Promise<void> {
  return invoke<void>('netease_verify', { url });
}

/**
 * Signs in on NetEase's own login page, in a private window with no access to the app; resolves
 * once the page has logged in (the window then closes) with the status, or rejects with
 * `notLoggedIn` when the window was closed first.
 */
export function neteaseLoginWindow(): Promise<NeteaseStatus> {
  return invoke<NeteaseStatus>('netease_login_window');
}
