// Word-by-word lyrics (NetEase's yrc) in the Lyrics panel and the desktop lyrics: which word is
// sung follows the position, only the current line changes, the fill animation starts from how
// far into the word the position is, and the translation / romanisation follow the settings.
import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import DesktopLyrics from './DesktopLyrics.svelte';
import LyricsPanel from './LyricsPanel.svelte';
import type { LyricsView, LyricsSettings } from '../ipc';
import { player } from '../player.svelte';
import { makeTrack, playingSnapshot } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

const WORDS: LyricsView = {
  synced: true,
  lines: [
    {
      atMs: 1_000,
      text: 'Hello bright world',
      translation: '你好',
      romanization: 'ni hao',
      words: [
        { atMs: 1_000, durMs: 500, text: 'Hello ' },
        { atMs: 1_500, durMs: 700, text: 'bright ' },
        { atMs: 2_200, durMs: 800, text: 'world' },
      ],
    },
    {
      atMs: 4_000,
      text: 'Second line',
      translation: null,
      romanization: null,
      words: [
        { atMs: 4_000, durMs: 500, text: 'Second ' },
        { atMs: 4_500, durMs: 500, text: 'line' },
      ],
    },
  ],
};

const song = makeTrack({ id: 'netease:1006', title: 'Nocturne' });

function play(positionMs: number, lyrics?: LyricsSettings, status: 'playing' | 'paused' = 'playing') {
  const snapshot = playingSnapshot([song], 0, { positionMs, playId: 7, status });
  if (lyrics) snapshot.settings = { ...snapshot.settings, lyrics };
  player.load(snapshot);
}

function moveTo(positionMs: number) {
  player.receive({ type: 'state', payload: { ...player.state!, positionMs } });
  flushSync();
}

/** The state of each word of line `index` ('sung' | 'active' | 'upcoming'). */
function wordStates(line: HTMLElement): string[] {
  return within(line)
    .getAllByTestId('lyrics-word')
    .map((w) => w.dataset['wordState']!);
}

function lines() {
  return screen.getAllByTestId('lyrics-line');
}

beforeEach(() => {
  // The page's clock stands still: a playing view follows the music from each report with it
  // (between the actor's reports, one a second), which these tests do not wait for.
  vi.useFakeTimers({ toFake: ['performance'] });
  invokeMock.mockReset();
  invokeMock.mockImplementation((cmd: string) =>
    Promise.resolve(cmd === 'get_lyrics' ? WORDS : undefined),
  );
});

afterEach(() => {
  vi.useRealTimers();
});

describe('word-by-word lyrics', () => {
  it('marks the word being sung in the current line only, and follows the position', async () => {
    play(1_600);
    render(LyricsPanel);
    await vi.waitFor(() => expect(lines()).toHaveLength(2), { interval: 0 });
    const [first, second] = lines();
    expect(within(first!).getByTestId('lyrics-text')).toHaveTextContent('Hello bright world');
    expect(wordStates(first!)).toEqual(['sung', 'active', 'upcoming']);
    expect(wordStates(second!)).toEqual(['upcoming', 'upcoming']);
    // The fill starts 100 ms into "bright", for its 700 ms.
    const bright = within(first!).getAllByTestId('lyrics-word')[1]!;
    expect(bright).toHaveClass('active');
    expect(bright.style.getPropertyValue('--word-into')).toBe('-100ms');
    expect(bright.style.getPropertyValue('--word-ms')).toBe('700ms');

    moveTo(2_300);
    expect(wordStates(first!)).toEqual(['sung', 'sung', 'active']);
    moveTo(4_600);
    expect(wordStates(first!)).toEqual(['upcoming', 'upcoming', 'upcoming']);
    expect(wordStates(second!)).toEqual(['sung', 'active']);
  });

  it('keeps the word DOM when the position moves (no re-render of the list)', async () => {
    play(1_100);
    render(LyricsPanel);
    await vi.waitFor(() => expect(lines()).toHaveLength(2), { interval: 0 });
    const before = screen.getAllByTestId('lyrics-word');
    moveTo(1_700);
    moveTo(2_300);
    moveTo(2_500);
    const after = screen.getAllByTestId('lyrics-word');
    expect(after).toHaveLength(before.length);
    after.forEach((word, i) => expect(word).toBe(before[i]));
    // The active word's start offset is read once when it became active (at 2.3 s), not per
    // report: the running animation is never restarted.
    expect(after[2]!.style.getPropertyValue('--word-into')).toBe('-100ms');
  });

  it('pauses the fill with the music', async () => {
    play(1_600, undefined, 'paused');
    render(LyricsPanel);
    await vi.waitFor(() => expect(lines()).toHaveLength(2), { interval: 0 });
    expect(within(lines()[0]!).getByTestId('lyrics-text').querySelector('.words')).toHaveClass('paused');
  });

  it('shows the translation by default and the romanisation when the settings say, toggled through the actor', async () => {
    play(1_600);
    render(LyricsPanel);
    await vi.waitFor(() => expect(lines()).toHaveLength(2), { interval: 0 });
    expect(within(lines()[0]!).getByTestId('lyrics-translation')).toHaveTextContent('你好');
    expect(within(lines()[0]!).queryByTestId('lyrics-romanization')).toBeNull();
    const roma = screen.getByTestId('lyrics-show-romanization');
    expect(roma).toHaveAttribute('aria-pressed', 'false');
    await fireEvent.click(roma);
    expect(invokeMock).toHaveBeenCalledWith('set_lyrics_settings', {
      lyrics: { translation: true, romanization: true, fromNetease: false },
    });
    // Nothing changes until the actor says so.
    expect(within(lines()[0]!).queryByTestId('lyrics-romanization')).toBeNull();
  });

  it('follows the settings the actor publishes', async () => {
    play(1_600, { translation: false, romanization: true, fromNetease: false });
    render(LyricsPanel);
    await vi.waitFor(() => expect(lines()).toHaveLength(2), { interval: 0 });
    expect(within(lines()[0]!).getByTestId('lyrics-romanization')).toHaveTextContent('ni hao');
    expect(within(lines()[0]!).queryByTestId('lyrics-translation')).toBeNull();
    expect(screen.getByTestId('lyrics-show-translation')).toHaveAttribute('aria-pressed', 'false');
  });

  it('sings word by word in the desktop lyrics too', async () => {
    play(2_300, { translation: true, romanization: true, fromNetease: false });
    render(DesktopLyrics);
    const current = await vi.waitFor(() => {
      const el = screen.getByTestId('desktop-lyrics-current');
      expect(within(el).getAllByTestId('lyrics-word')).toHaveLength(3);
      return el;
    });
    expect(wordStates(current)).toEqual(['sung', 'sung', 'active']);
    expect(screen.getByTestId('desktop-lyrics-translation')).toHaveTextContent('你好');
    expect(screen.getByTestId('desktop-lyrics-romanization')).toHaveTextContent('ni hao');
    moveTo(4_100);
    expect(wordStates(screen.getByTestId('desktop-lyrics-current'))).toEqual(['active', 'upcoming']);
  });
});

describe('between position reports', () => {
  // The actor reports the position once a second; synced lyrics follow the music with the
  // page's clock between reports, woken at each line and word that is due.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout', 'clearTimeout'] });
  });

  it('moves to the next word and line on time, with no report in between', async () => {
    play(1_600);
    render(LyricsPanel);
    await vi.waitFor(() => expect(lines()).toHaveLength(2), { interval: 0 });
    const [first, second] = lines();
    expect(wordStates(first!)).toEqual(['sung', 'active', 'upcoming']);
    vi.advanceTimersByTime(590); // 2.19 s: "world" (2.2 s) not yet
    flushSync();
    expect(wordStates(first!)).toEqual(['sung', 'active', 'upcoming']);
    vi.advanceTimersByTime(20); // 2.21 s
    flushSync();
    expect(wordStates(first!)).toEqual(['sung', 'sung', 'active']);
    // The report at 3 s arrives; the next line is due a second later.
    moveTo(3_000);
    vi.advanceTimersByTime(1_010);
    flushSync();
    expect(second).toHaveClass('current');
    expect(wordStates(second!)).toEqual(['active', 'upcoming']);
  });

  it('stands still while paused: no timer runs', async () => {
    play(1_600, undefined, 'paused');
    render(LyricsPanel);
    await vi.waitFor(() => expect(lines()).toHaveLength(2), { interval: 0 });
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5_000);
    flushSync();
    expect(wordStates(lines()[0]!)).toEqual(['sung', 'active', 'upcoming']);
  });

  it('moves the desktop lyrics to the next line on time too', async () => {
    play(3_500);
    render(DesktopLyrics);
    await vi.waitFor(
      () => expect(screen.getByTestId('desktop-lyrics-current')).toHaveTextContent('Hello bright world'),
      { interval: 0 },
    );
    vi.advanceTimersByTime(510);
    flushSync();
    expect(screen.getByTestId('desktop-lyrics-current')).toHaveTextContent('Second line');
  });
});
