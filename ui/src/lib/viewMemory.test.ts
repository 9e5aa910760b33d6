import { invoke } from '@tauri-apps/api/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { noteScroll, noteView, rememberedScroll, rememberedView, resetViewMemory, restoreFrom } from './viewMemory';

const invokeMock = vi.mocked(invoke);

describe('view memory', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    resetViewMemory();
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });
  afterEach(() => vi.useRealTimers());

  it('restores what the snapshot remembers, once', () => {
    restoreFrom({ view: 'queue', scroll: [['queue', 640], ['library', 3200]] });
    restoreFrom({ view: 'settings', scroll: [] });
    expect(rememberedView(['library', 'queue'] as const, 'library')).toBe('queue');
    expect(rememberedScroll('library')).toBe(3200);
    expect(rememberedScroll('lyrics')).toBe(0);
  });

  it('ignores a remembered view that no longer exists', () => {
    restoreFrom({ view: '<img src=x onerror=alert(1)>', scroll: [] });
    expect(rememberedView(['library', 'queue'] as const, 'library')).toBe('library');
  });

  it('tells the player a view change at once and scrolling at most every 250 ms', async () => {
    noteView('queue');
    await vi.advanceTimersByTimeAsync(0);
    expect(invokeMock).toHaveBeenLastCalledWith('remember_view', { view: { view: 'queue', scroll: [] } });
    for (let top = 10; top <= 100; top += 10) noteScroll('queue', top);
    await vi.advanceTimersByTimeAsync(200);
    expect(invokeMock).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(invokeMock).toHaveBeenCalledTimes(2);
    expect(invokeMock).toHaveBeenLastCalledWith('remember_view', { view: { view: 'queue', scroll: [['queue', 100]] } });
  });

  it('survives a player that refuses', async () => {
    invokeMock.mockRejectedValue('gone');
    noteView('settings');
    await vi.advanceTimersByTimeAsync(0);
    expect(invokeMock).toHaveBeenCalledTimes(1);
  });
});
