import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PlayerEvent, Published } from './ipc';
import { MAX_TOASTS, PlayerStore, TOAST_MS, severityOf } from './player.svelte';
import { makeSnapshot, makeTrack, playingSnapshot, libraryOf } from '../test/fixtures';

const invokeMock = vi.mocked(invoke);
const listenMock = vi.mocked(listen);

/** Captures the event handler the store registers, so tests can emit events. */
function captureListener() {
  const box: { emit: (event: PlayerEvent | Published) => void } = { emit: () => {} };
  listenMock.mockImplementationOnce(async (_name, handler) => {
    box.emit = (event) => handler({ event: 'lyrebird://player', id: 1, payload: event });
    return () => {};
  });
  return box;
}

describe('PlayerStore', () => {
  let store: PlayerStore;

  beforeEach(() => {
    store = new PlayerStore();
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
    listenMock.mockClear();
  });

  afterEach(() => {
    store.reset();
    vi.useRealTimers();
  });

  it('loads the snapshot and then applies events', async () => {
    const tracks = [makeTrack(), makeTrack()];
    const events = captureListener();
    invokeMock.mockResolvedValueOnce(playingSnapshot(tracks, 0, { playId: 2, positionMs: 0 }));
    await store.start();
    expect(invokeMock).toHaveBeenCalledWith('get_snapshot');
    expect(store.state?.current?.id).toBe(tracks[0]!.id);
    events.emit({ type: 'position', payload: { playId: 2, positionMs: 1234 } });
    expect(store.state?.positionMs).toBe(1234);
    events.emit({ type: 'position', payload: { playId: 1, positionMs: 9999 } });
    expect(store.state?.positionMs).toBe(1234);
  });

  it('subscribes before asking for the snapshot and applies what arrived meanwhile', async () => {
    const events = captureListener();
    const track = makeTrack();
    let answer: (value: unknown) => void = () => {};
    invokeMock.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    const started = store.start();
    await vi.waitFor(() => expect(invokeMock).toHaveBeenCalledWith('get_snapshot'));
    expect(listenMock).toHaveBeenCalledTimes(1);
    events.emit({ type: 'library', payload: libraryOf([track]) });
    expect(store.snapshot).toBeNull();
    answer(makeSnapshot({ library: libraryOf([], { scanning: true }) }));
    await started;
    expect(store.library).toEqual(libraryOf([track]));
  });

  it('drops numbered events that the snapshot already contains, and stale ones after it', async () => {
    const events = captureListener();
    const [old, current] = [makeTrack({ title: 'Old' }), makeTrack({ title: 'Current' })];
    let answer: (value: unknown) => void = () => {};
    invokeMock.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    const started = store.start();
    await vi.waitFor(() => expect(invokeMock).toHaveBeenCalledWith('get_snapshot'));
    // Published before the snapshot was taken (seq 4 <= 5): the snapshot is newer.
    events.emit({ seq: 4, type: 'library', payload: libraryOf([old]) });
    // Published after it: applies.
    events.emit({ seq: 6, type: 'position', payload: { playId: 2, positionMs: 700 } });
    answer(playingSnapshot([current], 0, { playId: 2, positionMs: 100 }, { seq: 5 }));
    await started;
    expect(store.library?.first.map((t) => t.title)).toEqual(['Current']);
    expect(store.state?.positionMs).toBe(700);
    // Out of order or repeated after that: dropped.
    events.emit({ seq: 6, type: 'position', payload: { playId: 2, positionMs: 50 } });
    events.emit({ seq: 7, type: 'position', payload: { playId: 2, positionMs: 900 } });
    events.emit({ seq: 3, type: 'library', payload: libraryOf([old]) });
    expect(store.state?.positionMs).toBe(900);
    expect(store.library?.first.map((t) => t.title)).toEqual(['Current']);
  });

  it('reports a snapshot that cannot be loaded, and can retry', async () => {
    captureListener();
    invokeMock.mockRejectedValueOnce('actor is gone');
    await store.start();
    expect(store.snapshot).toBeNull();
    expect(store.loadError).toBe('actor is gone');
    invokeMock.mockResolvedValueOnce(makeSnapshot());
    await store.start();
    expect(store.loadError).toBeNull();
    expect(store.snapshot).not.toBeNull();
    expect(listenMock).toHaveBeenCalledTimes(1); // one subscription only
  });

  it('shows the notices the first snapshot brings (raised while no window was open)', async () => {
    captureListener();
    const notice = { kind: 'shortcutUnavailable', keys: 'Ctrl+Alt+P', reason: 'taken' } as const;
    invokeMock.mockResolvedValueOnce(makeSnapshot({ notices: [notice] }));
    await store.start();
    expect(store.toasts.map((t) => t.notice)).toEqual([notice]);
  });

  it('shows notices as toasts that go away after a while', async () => {
    vi.useFakeTimers();
    const events = captureListener();
    invokeMock.mockResolvedValueOnce(makeSnapshot());
    await store.start();
    const before = store.snapshot;
    events.emit({ type: 'notice', payload: { kind: 'cannotPlay', name: 'a.mp3', reason: 'bad' } });
    expect(store.snapshot).toBe(before);
    expect(store.toasts).toHaveLength(1);
    expect(store.toasts[0]!.severity).toBe('error');
    vi.advanceTimersByTime(TOAST_MS - 1);
    expect(store.toasts).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(store.toasts).toHaveLength(0);
  });

  it('dismisses toasts and keeps only the newest few', () => {
    for (let i = 0; i < MAX_TOASTS + 2; i++) store.notify({ kind: 'nothingToPlay', path: `/music/${i}` });
    expect(store.toasts).toHaveLength(MAX_TOASTS);
    expect(store.toasts[0]!.notice).toEqual({ kind: 'nothingToPlay', path: '/music/2' });
    const first = store.toasts[0]!.id;
    store.dismiss(first);
    expect(store.toasts.map((t) => t.id)).not.toContain(first);
  });

  it('turns a rejected command into an error toast', async () => {
    store.perform(() => Promise.reject('device busy'));
    await vi.waitFor(() => expect(store.toasts).toHaveLength(1));
    expect(store.toasts[0]!.notice).toEqual({ kind: 'commandFailed', reason: 'device busy' });
    store.perform(() => {
      throw new Error('sync failure');
    });
    expect(store.toasts[1]!.notice).toEqual({ kind: 'commandFailed', reason: 'sync failure' });
  });

  it('rates notices by severity', () => {
    expect(severityOf({ kind: 'audioDeviceRestored' })).toBe('info');
    expect(severityOf({ kind: 'settingsReset', reason: 'x', keptAs: 'y' })).toBe('warning');
    expect(severityOf({ kind: 'sessionReset', reason: 'x', keptAs: 'y' })).toBe('warning');
    expect(severityOf({ kind: 'noAudioDevice', reason: 'x' })).toBe('error');
  });
});
