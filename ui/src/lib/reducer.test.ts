import { describe, expect, it } from 'vitest';
import type { Settings } from './ipc';
import { applyEvent } from './reducer';
import { queueViewOf, makeEntries, makeSnapshot, makeState, makeTrack, playingSnapshot, libraryOf } from '../test/fixtures';

describe('applyEvent', () => {
  const tracks = [makeTrack(), makeTrack(), makeTrack()];

  it('replaces the player state on a state event', () => {
    const before = makeSnapshot();
    const state = makeState({ status: 'playing', playId: 3, current: tracks[1]!, positionMs: 10 });
    const after = applyEvent(before, { type: 'state', payload: state });
    expect(after.state).toEqual(state);
    expect(after).not.toBe(before);
    expect(before.state.status).toBe('stopped'); // not mutated
    expect(after.library).toBe(before.library); // other slices keep their identity
  });

  it('applies a position event for the current play id', () => {
    const before = playingSnapshot(tracks, 0, { playId: 9, positionMs: 1000 });
    const after = applyEvent(before, { type: 'position', payload: { playId: 9, positionMs: 4500 } });
    expect(after.state.positionMs).toBe(4500);
    expect(after.state.current).toBe(before.state.current);
    expect(before.state.positionMs).toBe(1000);
  });

  it('ignores a position event with a stale (or future) play id', () => {
    const before = playingSnapshot(tracks, 0, { playId: 9, positionMs: 1000 });
    expect(applyEvent(before, { type: 'position', payload: { playId: 8, positionMs: 99_000 } })).toBe(before);
    expect(applyEvent(before, { type: 'position', payload: { playId: 10, positionMs: 99_000 } })).toBe(before);
  });

  it('returns the same snapshot when the position did not change', () => {
    const before = playingSnapshot(tracks, 0, { playId: 9, positionMs: 1000 });
    expect(applyEvent(before, { type: 'position', payload: { playId: 9, positionMs: 1000 } })).toBe(before);
  });

  it('replaces the queue on a queue event', () => {
    const before = makeSnapshot();
    const queue = queueViewOf(makeEntries(tracks), 2);
    const after = applyEvent(before, { type: 'queue', payload: queue });
    expect(after.queue).toEqual(queue);
    expect(after.state).toBe(before.state);
    expect(after.library).toBe(before.library);
  });

  it('keeps entries of the same track apart by entry id', () => {
    const [a, b] = tracks;
    const before = playingSnapshot(tracks, 0);
    const queue = queueViewOf([...makeEntries([a!, b!]), ...makeEntries([a!])], 2);
    const after = applyEvent(before, { type: 'queue', payload: queue });
    expect(after.queue.window.map((e) => e.track.id)).toEqual([a!.id, b!.id, a!.id]);
    expect(new Set(after.queue.window.map((e) => e.entryId)).size).toBe(3);
    expect(after.queue.current).toBe(2);
    expect(before.queue.window).toHaveLength(3); // not mutated
  });

  it('follows edits of the queue: a move, a removal, clearing', () => {
    let s = playingSnapshot(tracks, 1);
    const [e0, e1, e2] = s.queue.window;
    // Entry 0 moved to the end: the current entry is now at index 0.
    s = applyEvent(s, { type: 'queue', payload: queueViewOf([e1!, e2!, e0!], 0) });
    expect(s.queue.window.map((e) => e.entryId)).toEqual([e1!.entryId, e2!.entryId, e0!.entryId]);
    expect(s.queue.current).toBe(0);
    // The current entry removed: its successor takes its place.
    s = applyEvent(s, { type: 'queue', payload: queueViewOf([e2!, e0!], 0) });
    expect(s.queue.window[s.queue.current!]!.entryId).toBe(e2!.entryId);
    s = applyEvent(s, { type: 'queue', payload: queueViewOf([], null) });
    expect(s.queue).toEqual(queueViewOf([], null));
  });

  it('replaces play mode and stop-after-current with the state', () => {
    const before = playingSnapshot(tracks, 0);
    const after = applyEvent(before, {
      type: 'state',
      payload: { ...before.state, mode: 'shuffle', stopAfterCurrent: true },
    });
    expect(after.state.mode).toBe('shuffle');
    expect(after.state.stopAfterCurrent).toBe(true);
    expect(after.queue).toBe(before.queue);
    expect(before.state.mode).toBe('inOrder');
  });

  it('replaces the library on a library event', () => {
    const before = makeSnapshot();
    const after = applyEvent(before, { type: 'library', payload: libraryOf(tracks, { scanning: true }) });
    expect(after.library.count).toBe(3);
    expect(after.library.scanning).toBe(true);
    expect(after.queue).toBe(before.queue);
  });

  it('replaces the settings on a settings event', () => {
    const before = makeSnapshot();
    const settings: Settings = { locale: 'zh-CN', volume: 0.3, replayGain: 'track', outputDevice: null, crossfadeMs: 0, sources: { servers: [], order: [] }, desktop: { closeToTray: true, startInTray: false, notifyTrackChange: false, miniAlwaysOnTop: true, lyricsClickThrough: false, appearance: { theme: 'system', accent: 'orange' }, shortcuts: { enabled: true, playPause: 'CmdOrCtrl+Alt+P', next: 'CmdOrCtrl+Alt+Right', previous: 'CmdOrCtrl+Alt+Left', volumeUp: 'CmdOrCtrl+Alt+Up', volumeDown: 'CmdOrCtrl+Alt+Down', showWindow: 'CmdOrCtrl+Alt+M' } } };
    const after = applyEvent(before, { type: 'settings', payload: settings });
    expect(after.settings).toEqual(settings);
    expect(after.systemLocale).toBe(before.systemLocale);
  });

  it('leaves the snapshot alone on a notice event', () => {
    const before = makeSnapshot();
    const after = applyEvent(before, { type: 'notice', payload: { kind: 'audioDeviceRestored' } });
    expect(after).toBe(before);
  });

  it('tracks a new play id: old positions are dropped, new ones applied', () => {
    let s = playingSnapshot(tracks, 0, { playId: 1, positionMs: 50_000 });
    s = applyEvent(s, {
      type: 'state',
      payload: { ...s.state, playId: 2, current: tracks[1]!, positionMs: 0, status: 'loading' },
    });
    s = applyEvent(s, { type: 'position', payload: { playId: 1, positionMs: 51_000 } });
    expect(s.state.positionMs).toBe(0);
    s = applyEvent(s, { type: 'position', payload: { playId: 2, positionMs: 700 } });
    expect(s.state.positionMs).toBe(700);
  });
});
