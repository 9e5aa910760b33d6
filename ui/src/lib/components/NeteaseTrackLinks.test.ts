// A NetEase track's album and artist, where the user looks at what plays (the player bar, Now
// Playing, up next, the queue), open their pages in the NetEase view; other tracks' stay text.
import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../App.svelte';
import type { Track } from '../ipc';
import type { NeteaseAlbumPage, NeteaseArtistPage, NeteaseStatus } from '../ipc/netease';
import { player } from '../player.svelte';
import { resetViewMemory } from '../viewMemory';
import { makeSnapshot, makeTrack, playingSnapshot } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

const HOSTILE = '<img src=x onerror="alert(1)">';
const SIGNED_IN: NeteaseStatus = { user: { id: 1, nickname: 'Ann', avatarUrl: null, vip: false }, quality: 'exhigh' };

function song(n: number, overrides: Partial<Track> = {}): Track {
  return makeTrack({ id: `netease:${n}`, source: 'netEase', title: `Song ${n}`, ...overrides });
}

const ALBUM: NeteaseAlbumPage = {
  album: { id: 40, name: 'Deep Cuts', coverUrl: null, publishedMs: null, trackCount: 1, artists: [{ id: 9, name: 'Catalogue Quartet' }] },
  description: null,
  company: null,
  tracks: [song(11, { album: 'Deep Cuts' })],
};
const ARTIST: NeteaseArtistPage = {
  id: 9,
  name: 'Catalogue Quartet',
  coverUrl: null,
  description: null,
  topTracks: [song(11)],
  albums: [],
  moreAlbums: false,
};

function calls(command: string): unknown[] {
  return invokeMock.mock.calls.filter(([name]) => name === command).map(([, args]) => args);
}

const playing = song(7, { title: 'Now', artists: ['Catalogue Quartet', 'Guest'], album: 'Deep Cuts' });
const next = song(8, { title: 'Next', artists: [`Quartet ${HOSTILE}`], album: `Cuts ${HOSTILE}` });
const local = makeTrack({ id: 'local:1', title: 'Local', artists: ['Someone'], album: 'On Disk' });

function load(tracks: Track[], current = 0, locale: 'en' | 'zh-CN' = 'en') {
  player.load({ ...playingSnapshot(tracks, current), settings: { ...makeSnapshot().settings, locale } });
}

async function start(tracks: Track[], current = 0, locale: 'en' | 'zh-CN' = 'en') {
  load(tracks, current, locale);
  render(App);
  flushSync();
}

async function openNowPlaying() {
  await fireEvent.click(screen.getByTestId('np-open-cover'));
  flushSync();
}

describe('NetEase album and artist links of what plays', () => {
  beforeEach(() => {
    resetViewMemory();
    invokeMock.mockReset();
    invokeMock.mockImplementation((command: string) =>
      Promise.resolve(
        command === 'netease_status'
          ? SIGNED_IN
          : command === 'netease_album'
            ? ALBUM
            : command === 'netease_artist'
              ? ARTIST
              : command === 'netease_daily' || command.startsWith('list_')
                ? []
                : undefined,
      ),
    );
  });

  it("opens the album page from Now Playing by the track's id, in the NetEase view", async () => {
    await start([playing, next]);
    await openNowPlaying();
    const album = within(screen.getByTestId('now-playing-album')).getByRole('button', { name: 'Open album Deep Cuts' });
    expect(album).toHaveTextContent('Deep Cuts');
    expect(album.tabIndex).toBe(0);
    await fireEvent.click(album);
    flushSync();
    expect(screen.getByTestId('netease-nav')).toHaveAttribute('aria-current', 'page');
    await vi.waitFor(() => expect(screen.getByTestId('netease-album-name')).toHaveTextContent('Deep Cuts'));
    expect(calls('netease_album')).toEqual([{ of: { trackId: 'netease:7' } }]);
    expect(screen.getByTestId('netease-album-page')).toBeInTheDocument();
    await vi.waitFor(() => expect(invokeMock).toHaveBeenCalledWith('remember_view', { view: { view: 'netease', scroll: [] } }));
    // Back: the section the view opens with.
    await fireEvent.click(screen.getByTestId('netease-page-back'));
    flushSync();
    expect(screen.queryByTestId('netease-album-page')).toBeNull();
    expect(screen.getByTestId('netease-tab-daily')).toHaveAttribute('aria-selected', 'true');
  });

  it("opens the first artist's page from Now Playing; the other artists stay text", async () => {
    await start([playing]);
    await openNowPlaying();
    const artists = screen.getByTestId('now-playing-artist');
    expect(artists).toHaveTextContent('Catalogue Quartet, Guest');
    const buttons = within(artists).getAllByRole('button');
    expect(buttons).toHaveLength(1);
    expect(buttons[0]).toHaveAccessibleName('Open artist Catalogue Quartet');
    await fireEvent.click(buttons[0]!);
    await vi.waitFor(() => expect(screen.getByTestId('netease-artist-name')).toHaveTextContent('Catalogue Quartet'));
    expect(calls('netease_artist')).toEqual([{ of: { trackId: 'netease:7' } }]);
  });

  it("keeps a local track's album and artist as text", async () => {
    await start([local, playing]);
    await openNowPlaying();
    expect(screen.getByTestId('now-playing-album')).toHaveTextContent('On Disk');
    expect(within(screen.getByTestId('now-playing-album')).queryByRole('button')).toBeNull();
    expect(within(screen.getByTestId('now-playing-artist')).queryByRole('button')).toBeNull();
    expect(within(screen.getByTestId('now-playing')).queryByTestId('np-album-link')).toBeNull();
    expect(within(screen.getByTestId('now-playing')).queryByTestId('np-artist-link')).toBeNull();
    expect(screen.getByTestId('np-album')).toHaveTextContent('On Disk');
    // Up next, a NetEase entry: its artist is a button.
    expect(within(screen.getByTestId('up-next')).getAllByTestId('up-next-artist-link')).toHaveLength(1);
  });

  it('opens pages from the player bar, from any view; a second one stacks over the first', async () => {
    await start([playing]);
    expect(screen.getByTestId('nav-library')).toHaveAttribute('aria-current', 'page');
    const bar = screen.getByTestId('now-playing');
    await fireEvent.click(within(bar).getByRole('button', { name: 'Open artist Catalogue Quartet' }));
    await vi.waitFor(() => expect(screen.getByTestId('netease-artist-page')).toBeInTheDocument());
    expect(calls('netease_artist')).toEqual([{ of: { trackId: 'netease:7' } }]);
    // Already in the NetEase view: the album opens over the artist, back returns to it.
    await fireEvent.click(within(bar).getByTestId('np-album-link'));
    await vi.waitFor(() => expect(screen.getByTestId('netease-album-page')).toBeInTheDocument());
    expect(calls('netease_album')).toEqual([{ of: { trackId: 'netease:7' } }]);
    await fireEvent.click(screen.getByTestId('netease-page-back'));
    flushSync();
    expect(screen.getByTestId('netease-artist-page')).toBeInTheDocument();
  });

  it('plays an up-next entry from its title, opens its artist from the name', async () => {
    await start([playing, next]);
    await openNowPlaying();
    const upNext = screen.getByTestId('up-next');
    const entry = within(upNext).getByTestId('up-next-entry');
    expect(entry).toHaveAccessibleName('Play Next');
    await fireEvent.click(entry);
    expect(invokeMock).toHaveBeenCalledWith('play_queue_entry', { entry: player.queue!.window[1]!.entryId });
    expect(calls('netease_artist')).toEqual([]);
    const artist = within(upNext).getByTestId('up-next-artist-link');
    // Untrusted names stay text.
    expect(artist.textContent).toBe(`Quartet ${HOSTILE}`);
    expect(upNext.querySelector('img')).toBeNull();
    await fireEvent.click(artist);
    await vi.waitFor(() => expect(screen.getByTestId('netease-artist-page')).toBeInTheDocument());
    expect(calls('netease_artist')).toEqual([{ of: { trackId: 'netease:8' } }]);
    expect(calls('play_queue_entry')).toHaveLength(1);
  });

  it("opens a queue row's album from its name and its artist from the menu; local rows have neither", async () => {
    await start([local, next]);
    await fireEvent.click(screen.getByTestId('nav-queue'));
    flushSync();
    const [localRow, neteaseRow] = screen.getAllByTestId('queue-row') as [HTMLElement, HTMLElement];
    expect(within(localRow).queryByRole('button', { name: /^Open/ })).toBeNull();
    await fireEvent.contextMenu(localRow);
    expect(screen.getByTestId('menu-play')).toBeInTheDocument();
    expect(screen.queryByTestId('menu-go-to-album')).toBeNull();
    expect(screen.queryByTestId('menu-go-to-artist')).toBeNull();
    await fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Escape' });
    flushSync();

    const album = within(neteaseRow).getByTestId('queue-album-link');
    expect(album).toHaveAccessibleName(`Open album Cuts ${HOSTILE}`);
    expect(album.textContent).toBe(`Cuts ${HOSTILE}`);
    // In the listbox the row has the focus; the name is reached by the pointer or the menu.
    expect(album).toHaveAttribute('tabindex', '-1');
    await fireEvent.click(album);
    await vi.waitFor(() => expect(screen.getByTestId('netease-album-page')).toBeInTheDocument());
    expect(calls('netease_album')).toEqual([{ of: { trackId: 'netease:8' } }]);
    expect(calls('play_queue_entry')).toEqual([]);

    await fireEvent.click(screen.getByTestId('nav-queue'));
    flushSync();
    await fireEvent.contextMenu(screen.getAllByTestId('queue-row')[1]!);
    flushSync();
    expect(screen.getByTestId('menu-go-to-album')).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId('menu-go-to-artist'));
    await vi.waitFor(() => expect(screen.getByTestId('netease-artist-page')).toBeInTheDocument());
    expect(calls('netease_artist')).toEqual([{ of: { trackId: 'netease:8' } }]);
  });

  it('names the links in Chinese', async () => {
    await start([playing], 0, 'zh-CN');
    await openNowPlaying();
    expect(within(screen.getByTestId('now-playing-album')).getByRole('button')).toHaveAccessibleName('打开专辑 Deep Cuts');
    expect(within(screen.getByTestId('now-playing-artist')).getByRole('button')).toHaveAccessibleName('打开歌手 Catalogue Quartet');
    expect(screen.getByTestId('np-album-link')).toHaveAccessibleName('打开专辑 Deep Cuts');
  });
});
