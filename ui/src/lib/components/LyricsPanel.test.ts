import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import LyricsPanel from './LyricsPanel.svelte';
import type { LyricsView, Track } from '../ipc';
import { player } from '../player.svelte';
import { makeSnapshot, makeTrack, playingSnapshot } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

const SYNCED: LyricsView = {
  synced: true,
  lines: [
    { atMs: 1_000, text: 'First line', translation: '第一行', romanization: null, words: [] },
    { atMs: 5_000, text: 'Second line', translation: null, romanization: null, words: [] },
    { atMs: 9_500, text: 'Third line', translation: '第三行', romanization: null, words: [] },
    { atMs: 14_000, text: 'Fourth line', translation: null, romanization: null, words: [] },
  ],
};

const PLAIN: LyricsView = {
  synced: false,
  lines: [
    { atMs: 0, text: 'Plain one', translation: null, romanization: null, words: [] },
    { atMs: 0, text: 'Plain two', translation: 'Zwei', romanization: null, words: [] },
  ],
};

/** Answers `get_lyrics` from `byId`; anything else resolves to undefined. */
function answer(byId: Record<string, LyricsView | null>) {
  invokeMock.mockImplementation((cmd: string, args?: unknown) => {
    if (cmd === 'get_lyrics') return Promise.resolve(byId[(args as { id: string }).id] ?? null);
    return Promise.resolve(undefined);
  });
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function play(tracks: Track[], index: number, positionMs = 0) {
  player.load(playingSnapshot(tracks, index, { positionMs, playId: 7 }));
}

/** Makes `track` current, as the actor would announce it. */
function switchTo(track: Track, playId: number) {
  player.receive({ type: 'state', payload: { ...player.state!, current: track, playId, positionMs: 0 } });
  flushSync();
}

function lines() {
  return screen.getAllByTestId('lyrics-line');
}

function currentLines() {
  return lines().filter((l) => l.getAttribute('aria-current') === 'true');
}

function lyricsCalls() {
  return invokeMock.mock.calls.filter(([cmd]) => cmd === 'get_lyrics');
}

describe('LyricsPanel', () => {
  const song = makeTrack({ id: 'local:song', title: 'Song' });
  const other = makeTrack({ id: 'local:other', title: 'Other' });

  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('fetches the lyrics of the current track and lists the lines with translations', async () => {
    answer({ 'local:song': SYNCED });
    play([song], 0);
    render(LyricsPanel);
    expect(screen.getByTestId('lyrics-panel')).toBeInTheDocument();
    expect(lyricsCalls()).toEqual([['get_lyrics', { id: 'local:song' }]]);
    await vi.waitFor(() => expect(lines()).toHaveLength(4));
    expect(lines().map((l) => within(l).getByTestId('lyrics-text').textContent)).toEqual([
      'First line',
      'Second line',
      'Third line',
      'Fourth line',
    ]);
    expect(within(lines()[0]!).getByTestId('lyrics-translation')).toHaveTextContent('第一行');
    expect(within(lines()[1]!).queryByTestId('lyrics-translation')).toBeNull();
    expect(within(lines()[2]!).getByTestId('lyrics-translation')).toHaveTextContent('第三行');
    expect(screen.getByRole('list', { name: 'Lyrics of Song' })).toBeInTheDocument();
  });

  it('highlights the last line at or before the position, and follows position events', async () => {
    answer({ 'local:song': SYNCED });
    const scroll = vi.spyOn(Element.prototype, 'scrollIntoView');
    play([song], 0, 500);
    render(LyricsPanel);
    await vi.waitFor(() => expect(lines()).toHaveLength(4));
    // Before the first line: nothing is current.
    expect(currentLines()).toEqual([]);

    player.receive({ type: 'position', payload: { playId: 7, positionMs: 5_000 } });
    flushSync();
    expect(currentLines()).toEqual([lines()[1]]);
    expect(lines()[1]).toHaveClass('current');
    expect(scroll).toHaveBeenLastCalledWith(expect.objectContaining({ block: 'center' }));
    expect(scroll.mock.contexts.at(-1)).toBe(lines()[1]);

    player.receive({ type: 'position', payload: { playId: 7, positionMs: 9_499 } });
    flushSync();
    expect(currentLines()).toEqual([lines()[1]]);

    player.receive({ type: 'position', payload: { playId: 7, positionMs: 12_000 } });
    flushSync();
    expect(currentLines()).toEqual([lines()[2]]);
    expect(lines()[1]).not.toHaveClass('current');
    expect(scroll.mock.contexts.at(-1)).toBe(lines()[2]);

    player.receive({ type: 'position', payload: { playId: 7, positionMs: 180_000 } });
    flushSync();
    expect(currentLines()).toEqual([lines()[3]]);
  });

  it('works without scrollIntoView (as in some DOMs)', async () => {
    answer({ 'local:song': SYNCED });
    const original = Element.prototype.scrollIntoView;
    // @ts-expect-error: simulate a DOM without it
    delete Element.prototype.scrollIntoView;
    try {
      play([song], 0, 6_000);
      render(LyricsPanel);
      await vi.waitFor(() => expect(currentLines()).toEqual([lines()[1]]));
    } finally {
      Element.prototype.scrollIntoView = original;
    }
  });

  it('seeks to a line when it is clicked, the way the now-playing bar does', async () => {
    answer({ 'local:song': SYNCED });
    play([song], 0, 2_000);
    render(LyricsPanel);
    await vi.waitFor(() => expect(lines()).toHaveLength(4));
    const button = within(lines()[2]!).getByRole('button');
    expect(button).toHaveAccessibleName('Third line 第三行');
    expect(button).toHaveAttribute('title', 'Play from 0:09');
    await fireEvent.click(button);
    expect(invokeMock).toHaveBeenLastCalledWith('seek', { positionMs: 9_500 });
  });

  it('reports a rejected seek as a toast', async () => {
    answer({ 'local:song': SYNCED });
    play([song], 0);
    render(LyricsPanel);
    await vi.waitFor(() => expect(lines()).toHaveLength(4));
    invokeMock.mockRejectedValueOnce('cannot seek');
    await fireEvent.click(within(lines()[0]!).getByRole('button'));
    await vi.waitFor(() => expect(player.toasts.map((t) => t.notice)).toEqual([{ kind: 'commandFailed', reason: 'cannot seek' }]));
  });

  it('ignores a late answer for a track that is no longer current', async () => {
    const first = deferred<LyricsView | null>();
    const second = deferred<LyricsView | null>();
    invokeMock.mockImplementation((cmd: string, args?: unknown) => {
      if (cmd !== 'get_lyrics') return Promise.resolve(undefined);
      return (args as { id: string }).id === 'local:song' ? first.promise : second.promise;
    });
    play([song, other], 0);
    render(LyricsPanel);
    expect(screen.getByTestId('lyrics-loading')).toHaveTextContent('Loading lyrics…');

    switchTo(other, 8);
    expect(lyricsCalls()).toEqual([
      ['get_lyrics', { id: 'local:song' }],
      ['get_lyrics', { id: 'local:other' }],
    ]);
    second.resolve(PLAIN);
    await vi.waitFor(() => expect(lines()).toHaveLength(2));
    first.resolve(SYNCED);
    await first.promise;
    await new Promise((r) => setTimeout(r, 0));
    flushSync();
    expect(lines().map((l) => within(l).getByTestId('lyrics-text').textContent)).toEqual(['Plain one', 'Plain two']);
  });

  it('does not show the previous track’s lyrics while the next ones load, nor refetch for the same track', async () => {
    const pending = deferred<LyricsView | null>();
    invokeMock.mockImplementation((cmd: string, args?: unknown) => {
      if (cmd !== 'get_lyrics') return Promise.resolve(undefined);
      return (args as { id: string }).id === 'local:song' ? Promise.resolve(SYNCED) : pending.promise;
    });
    play([song, other], 0);
    render(LyricsPanel);
    await vi.waitFor(() => expect(lines()).toHaveLength(4));

    // A new state for the same track (e.g. paused) does not fetch again.
    player.receive({ type: 'state', payload: { ...player.state!, status: 'paused' } });
    flushSync();
    expect(lyricsCalls()).toHaveLength(1);

    switchTo(other, 8);
    expect(screen.queryByTestId('lyrics-line')).toBeNull();
    expect(screen.getByTestId('lyrics-loading')).toBeInTheDocument();
    pending.resolve(null);
    await vi.waitFor(() => expect(screen.getByTestId('lyrics-empty')).toHaveTextContent('No lyrics for this track'));
  });

  it('lists unsynced lyrics as plain text: no buttons, no highlight', async () => {
    answer({ 'local:song': PLAIN });
    play([song], 0, 60_000);
    render(LyricsPanel);
    await vi.waitFor(() => expect(lines()).toHaveLength(2));
    // Only the translation's toggle: no seeking lines, no offset.
    expect(screen.queryAllByRole('button').map((b) => b.dataset['testid'])).toEqual(['lyrics-show-translation']);
    expect(currentLines()).toEqual([]);
    expect(lines()[0]).not.toHaveClass('current');
    expect(within(lines()[1]!).getByTestId('lyrics-translation')).toHaveTextContent('Zwei');
  });

  it('renders hostile lyric text as text', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    answer({
      'local:song': { synced: true, lines: [{ atMs: 0, text: hostile, translation: `<b>${hostile}</b>`, romanization: null, words: [] }] },
    });
    play([song], 0);
    const { container } = render(LyricsPanel);
    await vi.waitFor(() => expect(lines()).toHaveLength(1));
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(within(lines()[0]!).getByTestId('lyrics-text').textContent).toBe(hostile);
    expect(within(lines()[0]!).getByTestId('lyrics-translation').textContent).toBe(`<b>${hostile}</b>`);
  });

  it('says so when nothing is playing, without asking for lyrics', () => {
    player.load(makeSnapshot());
    render(LyricsPanel);
    expect(screen.getByTestId('lyrics-empty')).toHaveTextContent('Nothing playing');
    expect(lyricsCalls()).toEqual([]);
  });

  it('says so when the track has no lyrics (null or no lines)', async () => {
    answer({ 'local:song': null, 'local:other': { synced: true, lines: [] } });
    play([song, other], 0);
    render(LyricsPanel);
    await vi.waitFor(() => expect(screen.getByTestId('lyrics-empty')).toHaveTextContent('No lyrics for this track'));
    switchTo(other, 8);
    await vi.waitFor(() => expect(screen.getByTestId('lyrics-empty')).toHaveTextContent('No lyrics for this track'));
    expect(lyricsCalls()).toHaveLength(2);
  });

  it('goes back to "Nothing playing" when playback stops', async () => {
    answer({ 'local:song': SYNCED });
    play([song], 0);
    render(LyricsPanel);
    await vi.waitFor(() => expect(lines()).toHaveLength(4));
    player.receive({ type: 'state', payload: { ...player.state!, current: null } });
    flushSync();
    expect(screen.queryByTestId('lyrics-line')).toBeNull();
    expect(screen.getByTestId('lyrics-empty')).toHaveTextContent('Nothing playing');
  });

  it('shows why the lyrics could not be loaded', async () => {
    invokeMock.mockImplementation((cmd: string) =>
      cmd === 'get_lyrics' ? Promise.reject('unreadable file') : Promise.resolve(undefined),
    );
    play([song], 0);
    render(LyricsPanel);
    await vi.waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('Could not load lyrics: unreadable file'));
  });

  it('names blank (instrumental) lines', async () => {
    answer({ 'local:song': { synced: true, lines: [{ atMs: 0, text: '  ', translation: null, romanization: null, words: [] }] } });
    play([song], 0);
    render(LyricsPanel);
    await vi.waitFor(() => expect(lines()).toHaveLength(1));
    expect(within(lines()[0]!).getByRole('button')).toHaveAccessibleName('Instrumental');
  });
});
