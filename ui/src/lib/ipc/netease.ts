// The NetEase Cloud Music account: typed wrappers around the Rust `netease_*` commands. Like the
// rest of this folder, the only code that calls `invoke`.
//
// Every command rejects with a `NeteaseError` (what went wrong, for the UI to word). Text in
// the answers (names, titles, nicknames) comes from NetEase and is untrusted: render it as text.
// The session (cookies) stays in the backend; `MUSIC_U` goes there and never comes back.
import { invoke } from '@tauri-apps/api/core';
import type { NeteasePage } from './bindings/NeteasePage';
import type { NeteasePlaylist } from './bindings/NeteasePlaylist';
import type { NeteaseQuality } from './bindings/NeteaseQuality';
import type { NeteaseStatus } from './bindings/NeteaseStatus';
import type { QrLogin } from './bindings/QrLogin';
import type { QrState } from './bindings/QrState';
import type { Track } from './bindings/Track';
import type { TrackId } from './bindings/TrackId';

export type { NeteaseError } from './bindings/NeteaseError';
export type { NeteasePage } from './bindings/NeteasePage';
export type { NeteasePlaylist } from './bindings/NeteasePlaylist';
export type { NeteaseQuality } from './bindings/NeteaseQuality';
export type { NeteaseStatus } from './bindings/NeteaseStatus';
export type { NeteaseUser } from './bindings/NeteaseUser';
export type { QrLogin } from './bindings/QrLogin';
export type { QrState } from './bindings/QrState';

/** Signed in or not (as the backend knows it now), and the chosen quality. */
export function neteaseStatus(): Promise<NeteaseStatus> {
  return invoke<NeteaseStatus>('netease_status');
}

/** A new QR code to scan with the NetEase app. */
export function neteaseQrStart(): Promise<QrLogin> {
  return invoke<QrLogin>('netease_qr_start');
}

/** Where the QR login `key` stands; `confirmed` means signed in. */
export function neteaseQrCheck(key: string): Promise<QrState> {
  return invoke<QrState>('netease_qr_check', { key });
}

/** Signs in with a `MUSIC_U` cookie the user pasted. */
export function neteaseLoginCookie(musicU: string): Promise<NeteaseStatus> {
  return invoke<NeteaseStatus>('netease_login_cookie', { musicU });
}

/** Signs out and forgets the session. */
export function neteaseLogout(): Promise<void> {
  return invoke<void>('netease_logout');
}

export function neteaseSetQuality(quality: NeteaseQuality): Promise<void> {
  return invoke<void>('netease_set_quality', { quality });
}

/** Today's recommended songs. */
export function neteaseDaily(): Promise<Track[]> {
  return invoke<Track[]>('netease_daily');
}

/** The next few songs of the personal FM. */
export function neteaseFm(): Promise<Track[]> {
  return invoke<Track[]>('netease_fm');
}

/** "Not interested": the FM will not play this song again. */
export function neteaseFmTrash(trackId: TrackId): Promise<void> {
  return invoke<void>('netease_fm_trash', { trackId });
}

/** The user's playlists (created and subscribed). */
export function neteasePlaylists(): Promise<NeteasePlaylist[]> {
  return invoke<NeteasePlaylist[]>('netease_playlists');
}

/** `limit` tracks of the playlist `id` from `offset` on. */
export function neteasePlaylist(id: number, offset: number, limit: number): Promise<NeteasePage> {
  return invoke<NeteasePage>('netease_playlist', { id, offset, limit });
}

/** The user's liked songs. */
export function neteaseLiked(): Promise<Track[]> {
  return invoke<Track[]>('netease_liked');
}

export function neteaseSearch(query: string): Promise<Track[]> {
  return invoke<Track[]>('netease_search', { query });
}
