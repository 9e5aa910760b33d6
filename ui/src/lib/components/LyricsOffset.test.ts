import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import DesktopLyrics from './DesktopLyrics.svelte';
import LyricsPanel from './LyricsPanel.svelte';
import type { LyricsView } from '../ipc';
import { player } from '../player.svelte';
import { makeTrack, playingSnapshot } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

const SYNCED: LyricsView = {
  synced: true,
  lines: [
    { atMs: 1_000, text: 'First line', translation: null, romanization: null, words: [] },
    { atMs: 5_000, text: 'Second line', translation: null, romanization: null, words: [] },
    { atMs: 9_500, text: 'Third line', translation: null, romanization: null, words: [] },
  ],
};

const PLAIN: LyricsView = { synced: false, lines: [{ atMs: 0, text: 'Plain', translation: null, romanization: null, words: [] }] };

function answer(view: LyricsView | null) {
  invokeMock.mockImplementation((cmd: string) =>
    Promise.resolve(cmd === 'get_lyrics' ? view : undefined),
  );
}

const song = makeTrack({ id: 'local:song', title: 'Song' });

function play(positionMs: number, lyricsOffsetMs = 0) {
  const snapshot = playingSnapshot([song], 0, { positionMs, playId: 7 });
  snapshot.state.lyricsOffsetMs = lyricsOffsetMs;
  player.load(snapshot);
}

/** The actor's answer to an offset change: a new state with the offset. */
function offsetBecomes(lyricsOffsetMs: number) {
  player.receive({ type: 'state', payload: { ...player.state!, lyricsOffsetMs } });
  flushSync();
}

function current(): string | null {
  const line = screen.getAllByTestId('lyrics-line').find((l) => l.getAttribute('aria-current') === 'true');
  return line?.textContent?.trim() ?? null;
}

function offsetCalls() {
  return invokeMock.mock.calls.filter(([cmd]) => cmd === 'set_lyrics_offset');
}

describe('lyrics offset', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  it('nudges by half a second either way and resets, through the actor', async () => {
    answer(SYNCED);
    play(4_600);
    render(LyricsPanel);
    await vi.waitFor(() => expect(screen.getByTestId('lyrics-offset')).toBeInTheDocument());
    expect(screen.getByTestId('lyrics-offset-value')).toHaveTextContent('In time');
    expect(screen.getByTestId('lyrics-offset-reset')).toBeDisabled();
    expect(current()).toBe('First line');

    await fireEvent.click(screen.getByTestId('lyrics-offset-earlier'));
    expect(offsetCalls()).toEqual([['set_lyrics_offset', { id: 'local:song', offsetMs: 500 }]]);
    // Nothing changes until the actor says so: the UI holds no offset of its own.
    expect(screen.getByTestId('lyrics-offset-value')).toHaveTextContent('In time');
    offsetBecomes(500);
    expect(screen.getByTestId('lyrics-offset-value')).toHaveTextContent('0.5 s earlier');
    expect(screen.getByTestId('lyrics-offset-value')).toHaveAttribute('data-offset-ms', '500');
    // 4.6 s + 0.5 s: the second line (at 5 s) already shows.
    expect(current()).toBe('Second line');

    await fireEvent.click(screen.getByTestId('lyrics-offset-later'));
    await fireEvent.click(screen.getByTestId('lyrics-offset-later'));
    expect(offsetCalls().slice(1)).toEqual([
      ['set_lyrics_offset', { id: 'local:song', offsetMs: 0 }],
      ['set_lyrics_offset', { id: 'local:song', offsetMs: 0 }],
    ]);
    offsetBecomes(-1_500);
    expect(screen.getByTestId('lyrics-offset-value')).toHaveTextContent('1.5 s later');
    // 4.6 s - 1.5 s = 3.1 s: back on the first line.
    expect(current()).toBe('First line');

    await fireEvent.click(screen.getByTestId('lyrics-offset-reset'));
    expect(offsetCalls().at(-1)).toEqual(['set_lyrics_offset', { id: 'local:song', offsetMs: 0 }]);
  });

  it('seeks a clicked line to where it shows with the offset', async () => {
    answer(SYNCED);
    play(0, 1_000);
    render(LyricsPanel);
    await vi.waitFor(() => expect(screen.getAllByTestId('lyrics-line')).toHaveLength(3));
    const second = screen.getAllByTestId('lyrics-line')[1]!.querySelector('button')!;
    expect(second).toHaveAttribute('title', 'Play from 0:04');
    await fireEvent.click(second);
    expect(invokeMock).toHaveBeenCalledWith('seek', { positionMs: 4_000 });
    // Never before the start.
    await fireEvent.click(screen.getAllByTestId('lyrics-line')[0]!.querySelector('button')!);
    expect(invokeMock).toHaveBeenLastCalledWith('seek', { positionMs: 0 });
  });

  it('has no offset controls for plain lyrics', async () => {
    answer(PLAIN);
    play(0, 500);
    render(LyricsPanel);
    await vi.waitFor(() => expect(screen.getAllByTestId('lyrics-line')).toHaveLength(1));
    expect(screen.queryByTestId('lyrics-offset')).toBeNull();
  });

  it('moves the desktop lyrics too', async () => {
    answer(SYNCED);
    play(4_600);
    render(DesktopLyrics);
    await vi.waitFor(() => expect(screen.getByTestId('desktop-lyrics-current')).toHaveTextContent('First line'));
    expect(screen.getByTestId('desktop-lyrics-next')).toHaveTextContent('Second line');
    offsetBecomes(500);
    expect(screen.getByTestId('desktop-lyrics-current')).toHaveTextContent('Second line');
    offsetBecomes(-4_000);
    // 0.6 s: before the first line, the title shows.
    expect(screen.getByTestId('desktop-lyrics-current')).toHaveTextContent('Song');
  });

  it('speaks Chinese', async () => {
    answer(SYNCED);
    const snapshot = playingSnapshot([song], 0, { positionMs: 0, playId: 7 });
    snapshot.state.lyricsOffsetMs = -2_000;
    snapshot.settings.locale = 'zh-CN';
    player.load(snapshot);
    render(LyricsPanel);
    await vi.waitFor(() => expect(screen.getByTestId('lyrics-offset-value')).toHaveTextContent('延后 2.0 秒'));
    expect(screen.getByTestId('lyrics-offset-earlier')).toHaveTextContent('提前');
    expect(screen.getByTestId('lyrics-offset-later')).toHaveTextContent('延后');
  });
});
