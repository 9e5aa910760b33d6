import { describe, expect, it, vi } from 'vitest';
import { entryIdsOf, QueueSource, QueueTracks, upcomingEntries } from './queueRows.svelte';
import { makeTrack, queueViewOf } from '../test/fixtures';

const entries = (n: number, first = 1) =>
  Array.from({ length: n }, (_, i) => ({ entryId: first + i, track: makeTrack({ id: `local:${i}`, title: `Song ${i}` }) }));

describe('the queue as published', () => {
  it('expands the runs of ids in order', () => {
    const view = queueViewOf([...entries(3, 10), ...entries(2, 1)], 0);
    expect(view.entryRuns).toEqual([
      [10, 3],
      [1, 2],
    ]);
    expect(entryIdsOf(view)).toEqual([10, 11, 12, 1, 2]);
  });

  it('reads what comes next from the window', () => {
    const view = queueViewOf(entries(1000), 500);
    expect(view.windowStart).toBe(448);
    expect(upcomingEntries(view, 3).map((e) => e.entryId)).toEqual([502, 503, 504]);
    expect(upcomingEntries(queueViewOf(entries(3), 2), 4)).toEqual([]);
    expect(upcomingEntries(queueViewOf(entries(3), null), 4)).toEqual([]);
  });

  it('keeps the ids of the event before while the entries are the same', () => {
    const all = entries(100_000);
    const tracks = new QueueTracks();
    const fetch = vi.fn();
    const first = new QueueSource(queueViewOf(all, 10), tracks, null, fetch);
    // A track change: the same entries, another current one.
    const next = new QueueSource(queueViewOf(all, 11), tracks, first, fetch);
    expect(next.entryIds).toBe(first.entryIds);
    // An edit: new ids.
    const edited = new QueueSource(queueViewOf(all.slice(1), 10), tracks, next, fetch);
    expect(edited.entryIds).not.toBe(next.entryIds);
    expect(edited.entryIds[0]).toBe(2);
    expect(edited.count).toBe(99_999);
    expect(fetch).not.toHaveBeenCalled();
  });
});
