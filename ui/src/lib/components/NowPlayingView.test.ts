import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import NowPlayingBar from './NowPlayingBar.svelte';
import NowPlayingView from './NowPlayingView.svelte';
import type { LyricsView } from '../ipc';
import { player } from '../player.svelte';
import { makeSnapshot, makeTrack, playingSnapshot } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

const SYNCED: LyricsView = {
  synced: true,
  lines: [
    { atMs: 1_000, text: 'First line', translation: null, romanization: null, words: [] },
    { atMs: 5_000, text: '<b>Second</b> line', translation: null, romanization: null, words: [] },
  ],
};

const song = makeTrack({
  id: 'local:np',
  title: 'Lyrebird Song',
  artists: ['The Understory', 'Ada Finch'],
  album: 'Forest Floor',
  hasCover: true,
});

describe('NowPlayingView', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockImplementation((cmd: string) => Promise.resolve(cmd === 'get_lyrics' ? SYNCED : undefined));
  });

  it('shows the large cover, the track and its synced lyrics beside it', async () => {
    player.load(playingSnapshot([song], 0, { positionMs: 6_000, playId: 3 }));
    render(NowPlayingView);
    const view = screen.getByTestId('now-playing-view');
    expect(within(view).getByRole('heading', { level: 1 })).toHaveTextContent('Now Playing');
    expect(screen.getByTestId('now-playing-title')).toHaveTextContent('Lyrebird Song');
    expect(screen.getByTestId('now-playing-artist')).toHaveTextContent('The Understory, Ada Finch');
    expect(screen.getByTestId('now-playing-album')).toHaveTextContent('Forest Floor');
    const cover = screen.getByTestId('now-playing-cover');
    expect(cover.tagName).toBe('IMG');
    expect(cover.getAttribute('src')).toContain('local%3Anp');
    expect(cover.getAttribute('src')).toContain('size=large');

    // The lyrics panel, embedded: no second heading, the current line marked, the offset
    // controls there.
    const panel = await vi.waitFor(() => screen.getByTestId('lyrics-panel'));
    expect(within(panel).queryByRole('heading')).toBeNull();
    await vi.waitFor(() => expect(within(panel).getAllByTestId('lyrics-line')).toHaveLength(2));
    const lines = within(panel).getAllByTestId('lyrics-line');
    expect(lines[1]).toHaveAttribute('aria-current', 'true');
    // Untrusted text stays text.
    expect(lines[1]!.querySelector('b')).toBeNull();
    expect(lines[1]).toHaveTextContent('<b>Second</b> line');
    expect(within(panel).getByTestId('lyrics-offset')).toBeInTheDocument();
  });

  it('follows the current track', async () => {
    const other = makeTrack({ id: 'local:other', title: 'Other Song', album: null, hasCover: false });
    player.load(playingSnapshot([song, other], 0, { playId: 3 }));
    render(NowPlayingView);
    player.receive({ type: 'state', payload: { ...player.state!, current: other, playId: 4 } });
    flushSync();
    expect(screen.getByTestId('now-playing-title')).toHaveTextContent('Other Song');
    expect(screen.queryByTestId('now-playing-album')).toBeNull();
    // No cover: the placeholder.
    expect(screen.getByTestId('now-playing-cover').tagName).toBe('DIV');
    await vi.waitFor(() =>
      expect(invokeMock.mock.calls.filter(([cmd]) => cmd === 'get_lyrics').at(-1)).toEqual([
        'get_lyrics',
        { id: 'local:other' },
      ]),
    );
  });

  it('says so when nothing plays', () => {
    player.load(makeSnapshot());
    render(NowPlayingView);
    expect(screen.getByTestId('now-playing-empty')).toHaveTextContent('Nothing playing');
  });

  it('speaks Chinese', () => {
    const snapshot = playingSnapshot([song], 0);
    snapshot.settings.locale = 'zh-CN';
    player.load(snapshot);
    render(NowPlayingView);
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('正在播放');
  });
});

describe('NowPlayingBar opens Now Playing', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  it('from the cover and from the title', async () => {
    player.load(playingSnapshot([song], 0));
    const onopen = vi.fn();
    render(NowPlayingBar, { onopen });
    await fireEvent.click(screen.getByTestId('np-open-cover'));
    expect(onopen).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('button', { name: 'Open Now Playing' })).toBe(screen.getByTestId('np-open-cover'));
    await fireEvent.click(screen.getByTestId('np-title'));
    expect(onopen).toHaveBeenCalledTimes(2);
  });

  it('not when nothing plays, nor without a handler', () => {
    player.load(makeSnapshot());
    const { unmount } = render(NowPlayingBar, { onopen: vi.fn() });
    expect(screen.queryByTestId('np-open-cover')).toBeNull();
    expect(screen.getByTestId('np-title').tagName).toBe('DIV');
    unmount();
    player.load(playingSnapshot([song], 0));
    render(NowPlayingBar);
    expect(screen.queryByTestId('np-open-cover')).toBeNull();
  });
});

describe('the cover colours', () => {
  const other = makeTrack({ id: 'local:other', title: 'Other', hasCover: true });
  const bare = makeTrack({ id: 'local:bare', title: 'No cover', hasCover: false });

  beforeEach(() => {
    invokeMock.mockReset();
  });

  it('tints the view with the current cover colours, asked once per track', async () => {
    invokeMock.mockImplementation((cmd: string, args?: unknown) => {
      if (cmd !== 'cover_colors') return Promise.resolve(null);
      const { id } = args as { id: string };
      return Promise.resolve(
        id === 'local:np' ? { main: '#203050', accent: '#f08020' } : { main: '#102010', accent: '#20c040' },
      );
    });
    player.load(playingSnapshot([song, other, bare], 0, { positionMs: 0, playId: 1 }));
    render(NowPlayingView);
    const view = screen.getByTestId('now-playing-view');
    await vi.waitFor(() => expect(view).toHaveClass('tinted'));
    expect(view.style.getPropertyValue('--cover-main')).toBe('#203050');
    expect(view.style.getPropertyValue('--cover-accent')).toBe('#f08020');
    // Position reports ask nothing again.
    player.receive({ type: 'state', payload: { ...player.state!, positionMs: 5_000 } });
    flushSync();
    const asked = () => invokeMock.mock.calls.filter(([cmd]) => cmd === 'cover_colors').map(([, a]) => a);
    expect(asked()).toEqual([{ id: 'local:np', art: null }]);

    player.load(playingSnapshot([song, other, bare], 1, { positionMs: 0, playId: 2 }));
    flushSync();
    await vi.waitFor(() => expect(view.style.getPropertyValue('--cover-main')).toBe('#102010'));

    // A track without a cover: the theme's colours, nothing asked.
    player.load(playingSnapshot([song, other, bare], 2, { positionMs: 0, playId: 3 }));
    flushSync();
    expect(view).not.toHaveClass('tinted');
    expect(asked()).toHaveLength(2);
  });

  it('drops an answer for a track no longer current, and refuses anything but #rrggbb', async () => {
    let answerFirst: (colors: unknown) => void = () => {};
    invokeMock.mockImplementation((cmd: string, args?: unknown) => {
      if (cmd !== 'cover_colors') return Promise.resolve(null);
      const { id } = args as { id: string };
      if (id === 'local:np') return new Promise((resolve) => (answerFirst = resolve));
      return Promise.resolve({ main: 'red; background: url(x)', accent: '#20c040' });
    });
    player.load(playingSnapshot([song, other], 0, { positionMs: 0, playId: 1 }));
    render(NowPlayingView);
    player.load(playingSnapshot([song, other], 1, { positionMs: 0, playId: 2 }));
    flushSync();
    answerFirst({ main: '#203050', accent: '#f08020' });
    await new Promise((done) => setTimeout(done, 0));
    flushSync();
    const view = screen.getByTestId('now-playing-view');
    expect(view).not.toHaveClass('tinted');
    expect(view.style.getPropertyValue('--cover-main')).toBe('');
  });
});
