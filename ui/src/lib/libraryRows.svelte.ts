// The library's tracks as lists show them: fetched by rows from the backend, never all at once
// (issue #19: a snapshot with 100 000 tracks took the window seconds to start). The player
// publishes the library's size and revision; a list asks for the pages of rows it shows and
// keeps the last few as view state, dropped with the revision. Sorting by a column fetches that
// column's values once and ranks them here with the language's collator (trackSort.ts).
import { latest, library as ipc, type LibraryRows, type RowsRequest, type SortKeys, type Track, type TrackId } from './ipc';
import { sortKeysOrder, type SortColumn, type TrackSort } from './trackSort';

/** A list's rows, whether all held (an album) or fetched as they come into view (the library). */
export interface TrackSource {
  readonly count: number;
  /** Row `index`, or `undefined` while it is being fetched. */
  at(index: number): Track | undefined;
  /** Rows `first` to `last` (exclusive) are in view: fetch them if they are not here. */
  want(first: number, last: number): void;
  /** The same rows sorted by a column (resolves once the column's values are in and ranked). */
  sorted?(sort: TrackSort, locale: string): Promise<TrackSource>;
}

/** A list of tracks held whole. */
export function heldRows(tracks: readonly Track[]): TrackSource {
  return { count: tracks.length, at: (index) => tracks[index], want: () => {} };
}

/** Rows per request. */
export const PAGE = 64;
/** Pages kept beyond those in view (the rest are dropped, those longest out of view first). */
export const KEEP_PAGES = 32;

type Fetch = (request: RowsRequest) => Promise<LibraryRows>;
type FetchKeys = (column: SortColumn) => Promise<SortKeys>;

/**
 * The library at one revision, in its own order or (`order`: each row's place in the library)
 * sorted. Answers of another revision are dropped: the player's next library event brings
 * the new revision, and a new `LibraryPages` for it.
 */
export class LibraryPages implements TrackSource {
  readonly revision: number;
  readonly count: number;
  readonly #order: Uint32Array | null;
  readonly #fetch: Fetch;
  readonly #fetchKeys: FetchKeys;
  /** Column values fetched for sorting, shared by the sorted copies (reversing refetches nothing). */
  readonly #keys: Map<SortColumn, Promise<SortKeys>>;
  readonly #pages = new Map<number, readonly Track[]>();
  readonly #asked = new Set<number>();
  /** When each page was last in view (a count of `want` calls). */
  readonly #seen = new Map<number, number>();
  #looks = 0;
  /** Bumped when a page arrives, so rows showing `undefined` are drawn again. */
  #arrived = $state(0);

  constructor(
    revision: number,
    count: number,
    {
      first = [],
      order = null,
      fetch = ipc.libraryRows,
      fetchKeys = ipc.librarySortKeys,
      keys = new Map(),
    }: {
      /** The library's first rows, as the player publishes them (only in its own order). */
      first?: readonly Track[];
      order?: Uint32Array | null;
      fetch?: Fetch;
      fetchKeys?: FetchKeys;
      keys?: Map<SortColumn, Promise<SortKeys>>;
    } = {},
  ) {
    this.revision = revision;
    this.count = count;
    this.#order = order;
    this.#fetch = fetch;
    this.#fetchKeys = fetchKeys;
    this.#keys = keys;
    // Whole pages of the first rows (or all of them, when that is the whole library).
    if (!order) {
      for (let page = 0; page * PAGE < Math.min(first.length, count); page++) {
        const rows = first.slice(page * PAGE, (page + 1) * PAGE);
        if (rows.length === PAGE || page * PAGE + rows.length === count) this.#pages.set(page, rows);
      }
      // Drawn from the snapshot, without a fetch: these are the first rows painted.
      if (this.#pages.size > 0) markFirstRows();
    }
  }

  at(index: number): Track | undefined {
    void this.#arrived;
    return this.#pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  }

  want(first: number, last: number): void {
    if (this.count === 0 || last <= first) return;
    // One page either side too, so a slow scroll finds its next rows already here.
    const from = Math.max(0, Math.floor(first / PAGE) - 1);
    const to = Math.min(Math.ceil(this.count / PAGE) - 1, Math.floor((last - 1) / PAGE) + 1);
    this.#looks++;
    for (let page = from; page <= to; page++) {
      this.#seen.set(page, this.#looks);
      if (!this.#pages.has(page) && !this.#asked.has(page)) this.#load(page);
    }
    this.#evict(from, to);
  }

  async sorted(sort: TrackSort, locale: string): Promise<TrackSource> {
    let keys = this.#keys.get(sort.column);
    if (!keys) {
      keys = this.#fetchKeys(sort.column);
      this.#keys.set(sort.column, keys);
      keys.catch(() => this.#keys.delete(sort.column));
    }
    const answer = await keys;
    // Keys of another revision cannot be ranked with these rows: keep the library's order
    // until the new revision's list replaces this one.
    if (answer.revision !== this.revision || answer.texts.length + answer.numbers.length === 0) return this;
    return new LibraryPages(this.revision, this.count, {
      order: sortKeysOrder(answer, sort, locale),
      fetch: this.#fetch,
      fetchKeys: this.#fetchKeys,
      keys: this.#keys,
    });
  }

  #load(page: number): void {
    this.#asked.add(page);
    const start = page * PAGE;
    const end = Math.min(this.count, start + PAGE);
    const request: RowsRequest = this.#order
      ? { kind: 'at', indices: Array.from(this.#order.subarray(start, end)) }
      : { kind: 'range', start, end };
    this.#fetch(request).then(
      (answer) => {
        this.#asked.delete(page);
        if (answer.revision !== this.revision) return;
        this.#pages.set(page, answer.tracks);
        this.#arrived++;
        markFirstRows();
      },
      () => {
        // Asked again the next time it is in view.
        this.#asked.delete(page);
      },
    );
  }

  /**
   * Keeps the pages in view and the `KEEP_PAGES` last in view: after a jump the rows left are
   * still drawn (out of view, VirtualList holds them until the new ones come), and a jump back
   * finds them here.
   */
  #evict(from: number, to: number): void {
    const extra = this.#pages.size - (to - from + 1) - KEEP_PAGES;
    if (extra <= 0) return;
    const seen = (page: number) => this.#seen.get(page) ?? 0;
    const out = [...this.#pages.keys()].filter((p) => p < from || p > to).sort((a, b) => seen(a) - seen(b));
    for (const page of out.slice(0, extra)) {
      this.#pages.delete(page);
      this.#seen.delete(page);
    }
  }
}

let marked = false;

/**
 * Marks (`performance.mark`) the first frame painted with library rows in it and the first task
 * after it (the page free to take a click): what tests/bench/library.mjs reads for start-up.
 */
function markFirstRows(): void {
  if (marked || typeof requestAnimationFrame !== 'function' || typeof performance?.mark !== 'function') return;
  marked = true;
  requestAnimationFrame(() => {
    performance.mark('lyrebird:library-painted');
    setTimeout(() => performance.mark('lyrebird:library-interactive'), 0);
  });
}

/** The backend answers at most this many rows at once. */
const MAX_ROWS = 2000;

/** The library's tracks with these ids, in that order (those it no longer has left out). */
export async function libraryTracksById(ids: readonly TrackId[]): Promise<Track[]> {
  const out: Track[] = [];
  for (let i = 0; i < ids.length; i += MAX_ROWS) {
    out.push(...(await ipc.libraryTracks(ids.slice(i, i + MAX_ROWS))).tracks);
  }
  return out;
}

/**
 * The library's tracks with the ids `ids()` names (an open album or folder), fetched again
 * whenever those change; an answer for ids since replaced is dropped. Call while a component
 * initialises (it holds an effect).
 */
export function libraryTracksFor(
  ids: () => readonly TrackId[],
  onerror: (error: unknown) => void,
): { readonly tracks: readonly Track[] } {
  let tracks = $state.raw<readonly Track[]>([]);
  const request = latest();
  $effect(() => {
    const wanted = ids();
    if (wanted.length === 0) {
      request.drop();
      tracks = [];
      return;
    }
    request.run(libraryTracksById(wanted), (answer) => (tracks = answer), onerror);
  });
  return {
    get tracks() {
      return tracks;
    },
  };
}
