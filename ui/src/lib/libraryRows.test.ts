// The library's rows fetched as lists show them (issue #19): which rows are asked for, what is
// kept, what is dropped, and the sorted order's rows.
import { flushSync } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import { KEEP_PAGES, LibraryPages, PAGE, heldRows } from './libraryRows.svelte';
import type { LibraryRows, RowsRequest, SortKeys, Track } from './ipc';
import { makeTrack } from '../test/fixtures';

function library(count: number): Track[] {
  return Array.from({ length: count }, (_, i) => makeTrack({ id: `local:${i}`, title: `Song ${count - i}` }));
}

/** A fake `library_rows` over `tracks` at `revision`, recording the requests. */
function backend(tracks: readonly Track[], revision = 1) {
  const requests: RowsRequest[] = [];
  const fetch = vi.fn(async (request: RowsRequest): Promise<LibraryRows> => {
    requests.push(request);
    const rows =
      request.kind === 'range'
        ? tracks.slice(request.start, request.end)
        : request.indices.flatMap((i) => (tracks[i] ? [tracks[i]] : []));
    return { revision, count: tracks.length, tracks: rows };
  });
  return { fetch, requests };
}

async function settle() {
  for (let i = 0; i < 3; i++) await Promise.resolve();
  flushSync();
}

describe('LibraryPages', () => {
  it('fetches the pages in view and one either side, once', async () => {
    const tracks = library(1000);
    const { fetch, requests } = backend(tracks);
    const pages = new LibraryPages(1, tracks.length, { fetch });
    expect(pages.at(300)).toBeUndefined();
    pages.want(300, 330); // page 4 (256–319) and 5 (320–383), plus 3 and 6
    pages.want(300, 330);
    expect(requests).toEqual([
      { kind: 'range', start: 192, end: 256 },
      { kind: 'range', start: 256, end: 320 },
      { kind: 'range', start: 320, end: 384 },
      { kind: 'range', start: 384, end: 448 },
    ]);
    await settle();
    expect(pages.at(300)?.id).toBe('local:300');
    expect(pages.at(383)?.id).toBe('local:383');
    expect(pages.at(100)).toBeUndefined();
    pages.want(300, 330);
    expect(fetch).toHaveBeenCalledTimes(4);
  });

  it('starts from the first rows the player published, asking for nothing more when they are all', async () => {
    const tracks = library(PAGE + 10);
    const { fetch } = backend(tracks);
    const whole = new LibraryPages(1, 10, { first: tracks.slice(0, 10), fetch });
    expect(whole.at(9)?.id).toBe('local:9');
    whole.want(0, 10);
    const longer = new LibraryPages(1, tracks.length, { first: tracks.slice(0, PAGE), fetch });
    expect(longer.at(PAGE - 1)?.id).toBe(`local:${PAGE - 1}`);
    longer.want(0, 20);
    expect(fetch.mock.calls.map(([r]) => r)).toEqual([{ kind: 'range', start: PAGE, end: PAGE + 10 }]);
  });

  it('drops rows of another revision, and keeps only the pages near the view', async () => {
    const tracks = library(PAGE * 100);
    const stale = new LibraryPages(2, tracks.length, { fetch: backend(tracks, 1).fetch });
    stale.want(0, 10);
    await settle();
    expect(stale.at(0)).toBeUndefined();

    const pages = new LibraryPages(1, tracks.length, { fetch: backend(tracks).fetch });
    for (let page = 0; page < 100; page += 2) {
      pages.want(page * PAGE, page * PAGE + 20);
      await settle();
    }
    const kept = Array.from({ length: 100 }, (_, p) => p).filter((p) => pages.at(p * PAGE) !== undefined);
    // The pages in view (up to 3), the kept ones, and those that arrived since the last look.
    expect(kept.length).toBeLessThanOrEqual(KEEP_PAGES + 6);
    expect(kept).toContain(98);
    expect(kept).not.toContain(0);
  });

  it('keeps the pages last in view, not the nearest: a jump away and back finds its rows', async () => {
    const tracks = library(PAGE * 100);
    const { fetch, requests } = backend(tracks);
    const pages = new LibraryPages(1, tracks.length, { fetch });
    for (let page = 50; page <= 90; page++) {
      pages.want(page * PAGE, page * PAGE + 20);
      await settle();
    }
    pages.want(0, 20); // a jump to the top…
    await settle();
    pages.want(99 * PAGE, 99 * PAGE + 20); // …and to the end: the top is farthest, and newest
    await settle();
    expect(pages.at(0)).toBeDefined();
    expect(pages.at(50 * PAGE)).toBeUndefined();
    const asked = requests.length;
    pages.want(0, 20);
    await settle();
    expect(requests.length).toBe(asked);
  });

  it('sorts by a column from its values, fetching rows by their places in the library', async () => {
    const tracks = library(5); // titles Song 5 … Song 1
    const { fetch, requests } = backend(tracks);
    const fetchKeys = vi.fn(
      async (): Promise<SortKeys> => ({ revision: 1, texts: tracks.map((t) => t.title), numbers: [] }),
    );
    const pages = new LibraryPages(1, tracks.length, { first: tracks, fetch, fetchKeys });
    const sorted = await pages.sorted({ column: 'title', direction: 'ascending' }, 'en');
    sorted.want(0, 5);
    expect(requests).toEqual([{ kind: 'at', indices: [4, 3, 2, 1, 0] }]);
    await settle();
    expect(sorted.at(0)?.title).toBe('Song 1');
    // Reversing ranks the same values again: nothing more is fetched for them.
    const reversed = await pages.sorted({ column: 'title', direction: 'descending' }, 'en');
    expect(fetchKeys).toHaveBeenCalledTimes(1);
    reversed.want(0, 5);
    await settle();
    expect(reversed.at(0)?.title).toBe('Song 5');
  });

  it('keeps its own order when the column values are of another revision', async () => {
    const tracks = library(3);
    const fetchKeys = async (): Promise<SortKeys> => ({ revision: 9, texts: ['a', 'b', 'c'], numbers: [] });
    const pages = new LibraryPages(1, tracks.length, { first: tracks, fetch: backend(tracks).fetch, fetchKeys });
    expect(await pages.sorted({ column: 'title', direction: 'ascending' }, 'en')).toBe(pages);
  });
});

describe('heldRows', () => {
  it('answers from the tracks it holds and fetches nothing', () => {
    const tracks = library(3);
    const rows = heldRows(tracks);
    rows.want(0, 3);
    expect(rows.count).toBe(3);
    expect(rows.at(2)).toBe(tracks[2]);
    expect(rows.at(3)).toBeUndefined();
  });
});
