// Opening a NetEase album or artist page from outside the NetEase view: the player bar, Now
// Playing and the queue show what plays, and a NetEase track there leads to its album and
// (first) artist. A click leaves a request here; the app switches to the NetEase view, which
// takes the request and opens the page over its section. View state only, like the open view.
import type { Track } from './ipc';
import type { NeteaseRef } from './ipc/netease';

export type NeteasePageKind = 'album' | 'artist';

export interface NeteasePageRequest {
  kind: NeteasePageKind;
  of: NeteaseRef;
  /** A new number for each request, so the same page asked for twice opens twice. */
  key: number;
}

let request = $state.raw<NeteasePageRequest | null>(null);
let lastKey = 0;

/** Whether `track` is a NetEase song (`netease:<id>`): only those have album and artist pages. */
export function isNeteaseTrack(track: Pick<Track, 'id' | 'source'> | null | undefined): boolean {
  return !!track && track.source === 'netEase' && track.id.startsWith('netease:');
}

/** Whether `track`'s album (or first artist) can open a NetEase page: a NetEase song that names one. */
export function hasNeteasePage(track: Track | null | undefined, kind: NeteasePageKind): boolean {
  if (!track || !isNeteaseTrack(track)) return false;
  return kind === 'album' ? (track.album ?? '').trim() !== '' : track.artists.some((a) => a.trim() !== '');
}

/** Asks for the album or artist page of `of`; the NetEase view opens it. */
export function openNeteasePage(kind: NeteasePageKind, of: NeteaseRef): void {
  request = { kind, of, key: ++lastKey };
}

/** The page asked for and not yet opened (reactive: the app watches it to switch views). */
export function requestedNeteasePage(): NeteasePageRequest | null {
  return request;
}

/** Takes the request that is waiting, if any (the NetEase view, which opens it). */
export function takeNeteasePage(): NeteasePageRequest | null {
  const taken = request;
  request = null;
  return taken;
}
