// Sorting the songs list by a column, in the UI, over the tracks it already has. Pure view
// logic: the library's own order is the player's; a sort only changes what is shown.
import { joinArtists } from './format';
import type { Track } from './ipc';

export type SortColumn = 'title' | 'artist' | 'album' | 'duration' | 'year' | 'genre' | 'format' | 'bitrate';
export type SortDirection = 'ascending' | 'descending';
export interface TrackSort {
  column: SortColumn;
  direction: SortDirection;
}

/**
 * The sort after a click on `column`'s header: that column ascending, or, when it is already
 * the sorted column, the other direction.
 */
export function nextSort(current: TrackSort | null, column: SortColumn): TrackSort {
  if (current?.column === column) {
    return { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  }
  return { column, direction: 'ascending' };
}

const collators = new Map<string, Intl.Collator>();

/**
 * One collator per locale. (`numeric: true` would put "Track 2" before "Track 10", but makes
 * every comparison about three times slower: too slow for 100 000 titles.)
 */
function collator(locale: string): Intl.Collator {
  let found = collators.get(locale);
  if (!found) {
    found = new Intl.Collator(locale, { sensitivity: 'base', usage: 'sort' });
    collators.set(locale, found);
  }
  return found;
}

/** Columns sorted by a number (no number: last). */
type NumberColumn = 'duration' | 'year' | 'bitrate';

function numberOf(track: Track, column: NumberColumn): number | null | undefined {
  switch (column) {
    case 'duration':
      return track.durationMs;
    case 'year':
      return track.year;
    case 'bitrate':
      return track.bitrate;
  }
}

function textOf(track: Track, column: Exclude<SortColumn, NumberColumn>): string {
  switch (column) {
    case 'title':
      return track.title.trim();
    case 'artist':
      return joinArtists(track.artists).trim();
    case 'album':
      return (track.album ?? '').trim();
    case 'genre':
      return (track.genre ?? '').trim();
    case 'format':
      return (track.codec ?? '').trim();
  }
}

/**
 * `tracks` sorted by `sort`, for `locale` (Intl.Collator: pinyin order for Chinese under
 * zh-CN; case and accents are not told apart). Stable: tracks that compare equal keep the order they came
 * in, in both directions. Tracks without the value (no artist, no album, unknown length) go
 * last in both directions. `null` gives `tracks` itself.
 *
 * Only the distinct texts are sorted by the collator; the rows are then sorted by their text's
 * rank, a number, so 100 000 rows take a fraction of a second (and reversing reuses the ranks).
 */
export function sortTracks(tracks: readonly Track[], sort: TrackSort | null, locale: string): readonly Track[] {
  if (!sort || tracks.length < 2) return tracks;
  const n = tracks.length;
  const rank = ranks(tracks, sort.column, locale);
  const sign = sort.direction === 'ascending' ? 1 : -1;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => {
    const ra = rank[a]!;
    const rb = rank[b]!;
    if (ra === rb) return a - b;
    // Missing values last either way.
    if (ra === Number.POSITIVE_INFINITY) return 1;
    if (rb === Number.POSITIVE_INFINITY) return -1;
    return sign * (ra - rb);
  });
  const out = new Array<Track>(n);
  for (let i = 0; i < n; i++) out[i] = tracks[order[i]!]!;
  return out;
}

/** The ranks of the last lists sorted, so that reversing a sort compares no text again. */
const rankCache = new WeakMap<readonly Track[], Map<string, Float64Array>>();

/** Each track's place by `column` (equal values share one; no value: +Infinity). */
function ranks(tracks: readonly Track[], column: SortColumn, locale: string): Float64Array {
  let cached = rankCache.get(tracks);
  if (!cached) {
    cached = new Map();
    rankCache.set(tracks, cached);
  }
  const key = `${column}\u0000${locale}`;
  const hit = cached.get(key);
  if (hit) return hit;
  const n = tracks.length;
  const rank = new Float64Array(n);
  cached.set(key, rank);
  if (column === 'duration' || column === 'year' || column === 'bitrate') {
    for (let i = 0; i < n; i++) {
      const value = numberOf(tracks[i]!, column);
      rank[i] = value == null || !Number.isFinite(value) ? Number.POSITIVE_INFINITY : value;
    }
  } else {
    const texts = new Array<string>(n);
    const distinct = new Set<string>();
    for (let i = 0; i < n; i++) {
      const text = textOf(tracks[i]!, column);
      texts[i] = text;
      if (text !== '') distinct.add(text);
    }
    const ordered = [...distinct].sort(collator(locale).compare);
    const rankOf = new Map<string, number>();
    // Texts the collator calls equal ("abc" and "ABC") share a rank, so they stay in input order.
    const compare = collator(locale).compare;
    let r = 0;
    for (let i = 0; i < ordered.length; i++) {
      if (i > 0 && compare(ordered[i - 1]!, ordered[i]!) !== 0) r++;
      rankOf.set(ordered[i]!, r);
    }
    for (let i = 0; i < n; i++) {
      const text = texts[i]!;
      rank[i] = text === '' ? Number.POSITIVE_INFINITY : rankOf.get(text)!;
    }
    if (column === 'format') {
      // Within a codec: by sample rate, then bit depth.
      for (let i = 0; i < n; i++) {
        if (rank[i] === Number.POSITIVE_INFINITY) continue;
        const track = tracks[i]!;
        rank[i] = rank[i]! * 1e9 + (track.sampleRate ?? 0) * 100 + (track.bitDepth ?? 0);
      }
    }
  }
  return rank;
}
