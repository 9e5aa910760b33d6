// The queue's rows as the queue view shows them: never all tracks at once (issue #19: playing a
// row of a 100 000-track library made the library the queue, and each queue event carried all
// of it — 19 MB, and the web view grew past 18 GB). The player publishes every entry's id (as
// runs of consecutive ids) and the tracks of a window around the current entry; a list fetches
// the other rows as they come into view. An entry's track never changes while it is queued, so
// tracks are kept by entry id across queue events: a move or a removal refetches nothing.
import { commands, type QueueEntry, type QueueRows, type QueueView } from './ipc';

/** Rows per request. */
export const PAGE = 64;
/** Tracks kept beyond those in view and in the published window (the farthest are dropped). */
export const KEEP = 4096;

/** Every entry's id of a published queue, in queue order. */
export function entryIdsOf(view: QueueView): number[] {
  const ids = new Array<number>(view.count);
  let at = 0;
  for (const [first, count] of view.entryRuns) {
    for (let i = 0; i < count && at < ids.length; i++) ids[at++] = first + i;
  }
  ids.length = at;
  return ids;
}

function sameRuns(a: readonly (readonly [number, number])[], b: readonly (readonly [number, number])[]): boolean {
  return a.length === b.length && a.every(([first, count], i) => first === b[i]![0] && count === b[i]![1]);
}

/** Up to `limit` entries after the current one, as the published window holds them. */
export function upcomingEntries(view: QueueView, limit: number): QueueEntry[] {
  if (view.current === null) return [];
  const from = Math.max(0, view.current + 1 - view.windowStart);
  return view.window.slice(from, from + limit);
}

/** Tracks fetched for queue entries, by entry id; one per window, shared by every queue event. */
export class QueueTracks {
  readonly byEntry = new Map<number, QueueEntry>();
  /** Bumped when tracks arrive, so rows showing `undefined` are drawn again. */
  arrived = $state(0);

  add(entries: readonly QueueEntry[]): void {
    for (const entry of entries) this.byEntry.set(entry.entryId, entry);
  }
}

type Fetch = (start: number, end: number) => Promise<QueueRows>;

/** The rows of one published queue: ids for all, tracks as they are fetched. */
export class QueueSource {
  readonly view: QueueView;
  readonly entryIds: readonly number[];
  readonly #tracks: QueueTracks;
  readonly #fetch: Fetch;
  readonly #asked = new Set<number>();

  /**
   * `previous`: the source of the queue event before, whose ids are kept when the entries did
   * not change (every track change publishes the queue again, for its new current entry: a
   * list of 100 000 ids, and the list's map of them, are not rebuilt for that).
   */
  constructor(view: QueueView, tracks: QueueTracks, previous: QueueSource | null = null, fetch: Fetch = commands.queueRows) {
    this.view = view;
    this.entryIds =
      previous && sameRuns(previous.view.entryRuns, view.entryRuns) ? previous.entryIds : entryIdsOf(view);
    this.#tracks = tracks;
    this.#fetch = fetch;
    tracks.add(view.window);
  }

  get count(): number {
    return this.entryIds.length;
  }

  /** Row `index`, or `undefined` while its track is being fetched. */
  at(index: number): QueueEntry | undefined {
    void this.#tracks.arrived;
    const id = this.entryIds[index];
    return id === undefined ? undefined : this.#tracks.byEntry.get(id);
  }

  /** Rows `first` to `last` (exclusive) are in view: fetch those whose tracks are not here. */
  want(first: number, last: number): void {
    if (this.count === 0 || last <= first) return;
    // A page either side too, so a slow scroll finds its next rows already here.
    const from = Math.max(0, Math.floor(first / PAGE) - 1);
    const to = Math.min(Math.ceil(this.count / PAGE) - 1, Math.floor((last - 1) / PAGE) + 1);
    for (let page = from; page <= to; page++) {
      if (this.#asked.has(page) || this.#pageHere(page)) continue;
      this.#load(page);
    }
    this.#evict(from * PAGE, (to + 1) * PAGE);
  }

  #pageHere(page: number): boolean {
    const end = Math.min(this.count, (page + 1) * PAGE);
    for (let i = page * PAGE; i < end; i++) {
      if (!this.#tracks.byEntry.has(this.entryIds[i]!)) return false;
    }
    return true;
  }

  #load(page: number): void {
    this.#asked.add(page);
    const start = page * PAGE;
    this.#fetch(start, Math.min(this.count, start + PAGE)).then(
      (answer) => {
        // Kept by entry id: right even if the queue changed meanwhile (a row that moved is
        // found under its id; one still missing is asked for when next in view).
        this.#asked.delete(page);
        this.#tracks.add(answer.entries);
        this.#tracks.arrived++;
      },
      () => this.#asked.delete(page),
    );
  }

  /** Keeps the tracks of rows near `first`..`last`, of the published window, and no more than `KEEP` others. */
  #evict(first: number, last: number): void {
    const byEntry = this.#tracks.byEntry;
    if (byEntry.size <= KEEP + (last - first) + this.view.window.length) return;
    const keep = new Set<number>(this.view.window.map((e) => e.entryId));
    const from = Math.max(0, first - KEEP / 2);
    const to = Math.min(this.count, last + KEEP / 2);
    for (let i = from; i < to; i++) keep.add(this.entryIds[i]!);
    for (const id of byEntry.keys()) if (!keep.has(id)) byEntry.delete(id);
  }
}
