// The window's idle cost: nothing may tick while playback is paused or stopped, or while the
// window is hidden. Fake timers count every timer and animation frame a view leaves behind.
import { render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import MiniPlayer from './lib/components/MiniPlayer.svelte';
import NowPlayingBar from './lib/components/NowPlayingBar.svelte';
import NowPlayingView from './lib/components/NowPlayingView.svelte';
import { player } from './lib/player.svelte';
import { makeTrack, playingSnapshot } from './test/fixtures';

const song = makeTrack({ id: 'local:song', title: 'Song', durationMs: 200_000 });

function load(status: 'playing' | 'paused' | 'stopped') {
  player.load(playingSnapshot([song], 0, { status, positionMs: 50_000, playId: 3 }));
}

let visibility: DocumentVisibilityState = 'visible';

function setVisibility(state: DocumentVisibilityState) {
  visibility = state;
  document.dispatchEvent(new Event('visibilitychange'));
  flushSync();
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'requestAnimationFrame', 'Date'] });
  visibility = 'visible';
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
});

afterEach(() => {
  vi.useRealTimers();
  Reflect.deleteProperty(document, 'visibilityState');
});

describe('idle cost', () => {
  it.each(['paused', 'stopped'] as const)('leaves no timer or frame running while %s', async (status) => {
    load(status);
    render(App);
    flushSync();
    render(MiniPlayer);
    flushSync();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer running while playing either: the position comes from the player', async () => {
    load('playing');
    render(NowPlayingBar);
    render(NowPlayingView);
    flushSync();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('moves the progress bar by a transform, and not while the window is hidden', async () => {
    load('playing');
    void player.start();
    await vi.advanceTimersByTimeAsync(0);
    load('playing');
    render(NowPlayingBar);
    flushSync();
    const fill = screen.getByTestId('np-seek-fill');
    const elapsed = screen.getByTestId('np-elapsed');
    expect(fill.style.transform).toBe('scaleX(0.25)');
    expect(fill.style.width).toBe('');

    player.receive({ type: 'position', payload: { playId: 3, positionMs: 100_000 } });
    flushSync();
    expect(fill.style.transform).toBe('scaleX(0.5)');
    expect(elapsed).toHaveTextContent('1:40');

    setVisibility('hidden');
    const before = player.snapshot;
    for (let i = 1; i <= 10; i++) {
      player.receive({ type: 'position', payload: { playId: 3, positionMs: 100_000 + i * 200 } });
    }
    flushSync();
    // Held, not applied: nothing was redrawn, the mirror did not even change.
    expect(player.snapshot).toBe(before);
    expect(fill.style.transform).toBe('scaleX(0.5)');
    expect(elapsed).toHaveTextContent('1:40');
    expect(vi.getTimerCount()).toBe(0);

    // Shown again: the newest position at once.
    setVisibility('visible');
    expect(fill.style.transform).toBe('scaleX(0.51)');
    expect(elapsed).toHaveTextContent('1:42');
  });

  it('a whole state that arrives while hidden wins over a held position', async () => {
    void player.start();
    await vi.advanceTimersByTimeAsync(0);
    load('playing');
    render(NowPlayingBar);
    setVisibility('hidden');
    player.receive({ type: 'position', payload: { playId: 3, positionMs: 120_000 } });
    player.receive({ type: 'state', payload: { ...player.snapshot!.state, status: 'paused', positionMs: 60_000 } });
    flushSync();
    setVisibility('visible');
    expect(screen.getByTestId('np-elapsed')).toHaveTextContent('1:00');
  });

  it('changes the seek input once a second, not with every position event', () => {
    load('playing');
    render(NowPlayingBar);
    flushSync();
    const seek = screen.getByTestId('np-seek') as HTMLInputElement;
    const set = vi.fn();
    const descriptor = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!;
    Object.defineProperty(seek, 'value', {
      configurable: true,
      get: () => descriptor.get!.call(seek) as string,
      set: (value: string) => {
        set(value);
        descriptor.set!.call(seek, value);
      },
    });
    for (let ms = 50_200; ms < 51_000; ms += 200) {
      player.receive({ type: 'position', payload: { playId: 3, positionMs: ms } });
      flushSync();
    }
    expect(set).not.toHaveBeenCalled();
    player.receive({ type: 'position', payload: { playId: 3, positionMs: 51_000 } });
    flushSync();
    expect(set).toHaveBeenCalledTimes(1);
  });

  it('moves the mini player progress by a transform', () => {
    load('playing');
    render(MiniPlayer);
    flushSync();
    expect(screen.getByTestId('mini-progress-fill').style.transform).toBe('scaleX(0.25)');
  });
});
