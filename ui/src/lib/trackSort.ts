// Sorting the songs list by a column, in the UI, over the tracks it already has. Pure view
// logic: the library's own order is the player's; a sort only changes what is shown.
import { joinArtists } from './format';
import type { SortKeys, Track } from './ipc';

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
  const order = orderOf(ranks(tracks, sort.column, locale), sort.direction);
  const out = new Array<Track>(tracks.length);
  for (let i = 0; i < tracks.length; i++) out[i] = tracks[order[i]!]!;
  return out;
}

/**
 * The rows' order (each sorted row's place in the library) for a column's values as the
 * backend lists them (`library_sort_keys`): the same order `sortTracks` gives those tracks.
 */
export function sortKeysOrder(keys: SortKeys, sort: TrackSort, locale: string): Uint32Array {
  return orderOf(keyRanks(keys, sort.column, locale), sort.direction);
}

function orderOf(rank: Float64Array, direction: SortDirection): Uint32Array {
  const n = rank.length;
  const sign = direction === 'ascending' ? 1 : -1;
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
  return order;
}

/** The ranks of the last lists sorted, so that reversing a sort compares no text again. */
const rankCache = new WeakMap<object, Map<string, Float64Array>>();

function cachedRanks(list: object, column: SortColumn, locale: string, make: () => Float64Array): Float64Array {
  let cached = rankCache.get(list);
  if (!cached) {
    cached = new Map();
    rankCache.set(list, cached);
  }
  const key = `${column}\u0000${locale}`;
  const hit = cached.get(key);
  if (hit) return hit;
  const rank = make();
  cached.set(key, rank);
  return rank;
}

/** Each track's place by `column` (equal values share one; no value: +Infinity). */
function ranks(tracks: readonly Track[], column: SortColumn, locale: string): Float64Array {
  return cachedRanks(tracks, column, locale, () => {
    const n = tracks.length;
    if (column === 'duration' || column === 'year' || column === 'bitrate') {
      return numberRanks(n, (i) => numberOf(tracks[i]!, column));
    }
    const rank = textRanks(n, (i) => textOf(tracks[i]!, column), locale);
    if (column === 'format') {
      // Within a codec: by sample rate, then bit depth.
      withinCodec(rank, (i) => (tracks[i]!.sampleRate ?? 0) * 100 + (tracks[i]!.bitDepth ?? 0));
    }
    return rank;
  });
}

/** The same ranks from the backend's column values. */
function keyRanks(keys: SortKeys, column: SortColumn, locale: string): Float64Array {
  return cachedRanks(keys, column, locale, () => {
    if (column === 'duration' || column === 'year' || column === 'bitrate') {
      return numberRanks(keys.numbers.length, (i) => keys.numbers[i]);
    }
    const rank = textRanks(keys.texts.length, (i) => keys.texts[i]!, locale);
    if (column === 'format') withinCodec(rank, (i) => keys.numbers[i] ?? 0);
    return rank;
  });
}

function numberRanks(n: number, valueAt: (i: number) => number | null | undefined): Float64Array {
  const rank = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const value = valueAt(i);
    rank[i] = value == null || !Number.isFinite(value) ? Number.POSITIVE_INFINITY : value;
  }
  return rank;
}

function textRanks(n: number, textAt: (i: number) => string, locale: string): Float64Array {
  const rank = new Float64Array(n);
  const texts = new Array<string>(n);
  const distinct = new Set<string>();
  for (let i = 0; i < n; i++) {
    const text = textAt(i);
    texts[i] = text;
    if (text !== '') distinct.add(text);
  }
  const compare = collator(locale).compare;
  const ordered = [...distinct].sort(compare);
  const rankOf = new Map<string, number>();
  // Texts the collator calls equal ("abc" and "ABC") share a rank, so they stay in input order.
  let r = 0;
  for (let i = 0; i < ordered.length; i++) {
    if (i > 0 && compare(ordered[i - 1]!, ordered[i]!) !== 0) r++;
    rankOf.set(ordered[i]!, r);
  }
  for (let i = 0; i < n; i++) {
    const text = texts[i]!;
    rank[i] = text === '' ? Number.POSITIVE_INFINITY : rankOf.get(text)!;
  }
  return rank;
}

function withinCodec(rank: Float64Array, detailAt: (i: number) => number): void {
  for (let i = 0; i < rank.length; i++) {
    if (rank[i] === Number.POSITIVE_INFINITY) continue;
    rank[i] = rank[i]! * 1e9 + detailAt(i);
  }
}
