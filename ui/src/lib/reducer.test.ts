import { describe, expect, it } from 'vitest';
import { applyEvent } from './reducer';
import { makeSnapshot, makeState, makeTrack, playingSnapshot } from '../test/fixtures';

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
    const queue = { tracks, current: 2 };
    const after = applyEvent(before, { type: 'queue', payload: queue });
    expect(after.queue).toEqual(queue);
    expect(after.state).toBe(before.state);
  });

  it('replaces the library on a library event', () => {
    const before = makeSnapshot();
    const after = applyEvent(before, { type: 'library', payload: { tracks, scanning: true } });
    expect(after.library.tracks).toHaveLength(3);
    expect(after.library.scanning).toBe(true);
    expect(after.queue).toBe(before.queue);
  });

  it('replaces the settings on a settings event', () => {
    const before = makeSnapshot();
    const after = applyEvent(before, { type: 'settings', payload: { locale: 'zh-CN', volume: 0.3 } });
    expect(after.settings).toEqual({ locale: 'zh-CN', volume: 0.3 });
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
