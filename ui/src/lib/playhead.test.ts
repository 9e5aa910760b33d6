// The playhead follows the music between the actor's position reports (one a second), and
// wakes a view only when what it shows is due: nothing runs in between.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FOLLOW_MAX_MS, Playhead, type Anchor } from './playhead.svelte';

let now = 0;
let anchor: Anchor = { positionMs: 0, playing: true, atMs: 0 };
const playhead = new Playhead(
  () => anchor,
  () => now,
);

beforeEach(() => {
  vi.useFakeTimers();
  now = 1_000;
  anchor = { positionMs: 30_000, playing: true, atMs: 1_000 };
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Playhead', () => {
  it('follows the music from the last report while it plays', () => {
    expect(playhead.ms).toBe(30_000);
    now += 400;
    expect(playhead.ms).toBe(30_400);
  });

  it('stands still while paused', () => {
    anchor = { ...anchor, playing: false };
    now += 400;
    expect(playhead.ms).toBe(30_000);
  });

  it('runs on no further than the follow limit when a report does not come', () => {
    now += 10_000;
    expect(playhead.ms).toBe(30_000 + FOLLOW_MAX_MS);
  });

  it('never steps back before the report', () => {
    now = 900; // a clock read before the report was noted
    expect(playhead.ms).toBe(30_000);
  });

  it('arms one timer for what is due, and none when nothing is', () => {
    const stop = playhead.wakeAt(30_250);
    expect(vi.getTimerCount()).toBe(1);
    stop();
    expect(vi.getTimerCount()).toBe(0);
    playhead.wakeAt(null);
    playhead.wakeAt(29_000); // already past
    playhead.wakeAt(30_000 + FOLLOW_MAX_MS + 1); // after the next report, which arms it again
    expect(vi.getTimerCount()).toBe(0);
    anchor = { ...anchor, playing: false };
    playhead.wakeAt(30_250);
    expect(vi.getTimerCount()).toBe(0);
  });
});
