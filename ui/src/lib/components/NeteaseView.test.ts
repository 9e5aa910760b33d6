import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import NeteaseView from './NeteaseView.svelte';
import NeteaseQr from './NeteaseQr.svelte';
import NeteaseErrorNotice from './NeteaseErrorNotice.svelte';
import { translate, type MessageKey } from '../i18n/index.svelte';
import { player } from '../player.svelte';
import type {
  NeteaseAlbumPage,
  NeteaseArtistPage,
  NeteaseError,
  NeteaseLibrary,
  NeteasePage,
  NeteaseStatus,
  QrLogin,
  QrState,
} from '../ipc/netease';
import { makeSnapshot } from '../../test/fixtures';
import { backend, calls, HOSTILE, settle, song } from '../../test/netease';

const invokeMock = vi.mocked(invoke);

const SIGNED_OUT: NeteaseStatus = { user: null, quality: 'exhigh' };
const SIGNED_IN: NeteaseStatus = { user: { id: 1, nickname: 'Ann', avatarUrl: null, vip: true }, quality: 'exhigh' };


function qr(key: string, size = 3, modules = [true, false, true, false, true, false, true, false, true]): QrLogin {
  return { key, url: `codekey=${key}`, size, modules };
}

describe('NeteaseView', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('draws the QR code from its modules, one square per dark module', () => {
    const { container } = render(NeteaseQr, { qr: qr('k', 3), label: 'QR' });
    expect(screen.getByTestId('netease-qr')).toHaveAttribute('role', 'img');
    expect(container.querySelectorAll('rect.dark')).toHaveLength(5);
    expect(container.querySelector('img, image, foreignObject')).toBeNull();
  });

  it('polls the code once a second: waiting, scanned, then confirmed shows the user', async () => {
    const states: QrState[] = [
      { state: 'waiting' },
      { state: 'scanned', nickname: HOSTILE },
      { state: 'confirmed', status: SIGNED_IN },
    ];
    backend({
      netease_status: () => SIGNED_OUT,
      netease_qr_start: () => qr('k1', 2, [true, true, false, true]),
      netease_qr_check: () => states.shift() ?? { state: 'waiting' },
      netease_daily: () => [],
    });
    const { container } = render(NeteaseView);
    await settle();
    expect(container.querySelectorAll('[data-testid="netease-qr"] rect.dark')).toHaveLength(3);
    expect(screen.getByTestId('netease-qr-state')).toHaveAttribute('data-state', 'waiting');
    expect(calls('netease_qr_check')).toHaveLength(0);

    await settle(1000);
    expect(calls('netease_qr_check')).toEqual([{ key: 'k1' }]);
    expect(screen.getByTestId('netease-qr-state')).toHaveAttribute('data-state', 'waiting');

    await settle(1000);
    expect(calls('netease_qr_check')).toHaveLength(2);
    expect(screen.getByTestId('netease-qr-state')).toHaveTextContent(`Scanned by ${HOSTILE} — confirm on your phone.`);
    expect(container.querySelector('img')).toBeNull();

    await settle(1000);
    expect(screen.getByTestId('netease-user')).toHaveTextContent('Ann');
    expect(screen.getByTestId('netease-vip')).toBeInTheDocument();
    expect(screen.queryByTestId('netease-login')).toBeNull();
    await settle(5000);
    expect(calls('netease_qr_check')).toHaveLength(3);
  });

  it('asks for a new code when one expires', async () => {
    let codes = 0;
    backend({
      netease_status: () => SIGNED_OUT,
      netease_qr_start: () => qr(`k${++codes}`),
      netease_qr_check: (args) => (args?.key === 'k1' ? { state: 'expired' } : { state: 'waiting' }),
    });
    render(NeteaseView);
    await settle();
    await settle(1000);
    expect(calls('netease_qr_start')).toHaveLength(2);
    await settle(1000);
    expect(calls('netease_qr_check')).toEqual([{ key: 'k1' }, { key: 'k2' }]);
    expect(screen.getByTestId('netease-qr-state')).toHaveAttribute('data-state', 'waiting');
  });

  it('stops polling when the view is left', async () => {
    backend({
      netease_status: () => SIGNED_OUT,
      netease_qr_start: () => qr('k1'),
      netease_qr_check: () => ({ state: 'waiting' }),
    });
    const { unmount } = render(NeteaseView);
    await settle();
    await settle(1000);
    expect(calls('netease_qr_check')).toHaveLength(1);
    unmount();
    await settle(10_000);
    expect(calls('netease_qr_check')).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("signs in on NetEase's page in a window of its own; closing that window is no error", async () => {
    let answer: () => unknown = () => {
      throw { kind: 'notLoggedIn' };
    };
    backend({
      netease_status: () => SIGNED_OUT,
      netease_qr_start: () => qr('k1'),
      netease_qr_check: () => ({ state: 'waiting' }),
      netease_login_window: () => answer(),
      netease_daily: () => [],
    });
    render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-login-window'));
    await settle();
    expect(calls('netease_login_window')).toHaveLength(1);
    expect(screen.queryByTestId('netease-error')).toBeNull();
    expect(screen.getByTestId('netease-login-window')).not.toBeDisabled();

    answer = () => SIGNED_IN;
    await fireEvent.click(screen.getByTestId('netease-login-window'));
    await settle();
    expect(screen.getByTestId('netease-user')).toHaveTextContent('Ann');
  });

  it('signs in with a pasted MUSIC_U cookie, never echoing it', async () => {
    const logs = ['log', 'info', 'warn', 'error', 'debug'].map((name) =>
      vi.spyOn(console, name as 'log').mockImplementation(() => {}),
    );
    backend({
      netease_status: () => SIGNED_OUT,
      netease_qr_start: () => qr('k1'),
      netease_qr_check: () => ({ state: 'waiting' }),
      netease_login_cookie: () => SIGNED_IN,
      netease_daily: () => [],
    });
    render(NeteaseView);
    await settle();
    const field = screen.getByTestId('netease-cookie') as HTMLInputElement;
    expect(field.type).toBe('password');
    expect(field).toHaveAccessibleName('MUSIC_U cookie');
    await fireEvent.input(field, { target: { value: '  s3cr3t-cookie ' } });
    await fireEvent.submit(screen.getByTestId('netease-cookie-form'));
    expect(calls('netease_login_cookie')).toEqual([{ musicU: 's3cr3t-cookie' }]);
    await settle();
    expect(screen.getByTestId('netease-user')).toHaveTextContent('Ann');
    for (const spy of logs) {
      expect(JSON.stringify(spy.mock.calls)).not.toContain('s3cr3t');
      spy.mockRestore();
    }
    // The QR polling stopped with the panel.
    const checks = calls('netease_qr_check').length;
    await settle(5000);
    expect(calls('netease_qr_check')).toHaveLength(checks);
  });

  it('shows a refused cookie as a translated error', async () => {
    backend({
      netease_status: () => SIGNED_OUT,
      netease_qr_start: () => qr('k1'),
      netease_login_cookie: () => {
        throw { kind: 'other', message: 'bad cookie' } satisfies NeteaseError;
      },
    });
    render(NeteaseView);
    await settle();
    await fireEvent.input(screen.getByTestId('netease-cookie'), { target: { value: 'x' } });
    await fireEvent.submit(screen.getByTestId('netease-cookie-form'));
    await settle();
    expect(screen.getByTestId('netease-error')).toHaveTextContent('NetEase said: bad cookie');
    expect((screen.getByTestId('netease-cookie') as HTMLInputElement).value).toBe('');
  });

  it('logs out and shows the login again; chooses the quality', async () => {
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [],
      netease_qr_start: () => qr('k1'),
    });
    render(NeteaseView);
    await settle();
    const quality = screen.getByTestId('netease-quality') as HTMLSelectElement;
    expect(quality.value).toBe('exhigh');
    expect(quality.options).toHaveLength(6);
    await fireEvent.change(quality, { target: { value: 'lossless' } });
    expect(calls('netease_set_quality')).toEqual([{ quality: 'lossless' }]);

    await fireEvent.click(screen.getByTestId('netease-logout'));
    expect(calls('netease_logout')).toHaveLength(1);
    await settle();
    expect(screen.queryByTestId('netease-user')).toBeNull();
    expect(screen.getByTestId('netease-login')).toBeInTheDocument();
    expect(calls('netease_qr_start')).toHaveLength(1);
  });

  it('lists the daily picks and plays and queues them by id; titles stay text', async () => {
    const picks = [song(1, { title: `<b>${HOSTILE}</b>` }), song(2), song(3)];
    backend({ netease_status: () => SIGNED_IN, netease_daily: () => picks });
    const { container } = render(NeteaseView);
    await settle();
    expect(calls('netease_daily')).toHaveLength(1);
    const rows = screen.getAllByTestId('netease-daily-row');
    expect(rows).toHaveLength(3);
    expect(within(rows[0]!).getByTestId('track-title').textContent).toBe(`<b>${HOSTILE}</b>`);
    expect(container.querySelector('b, img')).toBeNull();

    await fireEvent.click(rows[1]!.querySelector('[data-action="play"]')!);
    expect(invokeMock).toHaveBeenLastCalledWith('play_tracks', { ids: ['netease:2', 'netease:3'] });
    await fireEvent.click(within(rows[2]!).getByTestId('track-play-next'));
    expect(invokeMock).toHaveBeenLastCalledWith('enqueue_tracks', { ids: ['netease:3'], position: 'next' });
    await fireEvent.click(within(rows[0]!).getByTestId('track-add-to-queue'));
    expect(invokeMock).toHaveBeenLastCalledWith('enqueue_tracks', { ids: ['netease:1'], position: 'end' });
    await fireEvent.click(screen.getByTestId('netease-play-all'));
    expect(invokeMock).toHaveBeenLastCalledWith('play_tracks', { ids: ['netease:1', 'netease:2', 'netease:3'] });
    expect(calls('play_library_track')).toHaveLength(0);
    // Enter on the focused row plays too (the shared list's keyboard).
    await fireEvent.keyDown(rows[0]!, { key: 'Enter' });
    expect(invokeMock).toHaveBeenLastCalledWith('play_tracks', { ids: ['netease:1', 'netease:2', 'netease:3'] });
  });

  it('opens a 10 000-song playlist at once and loads the next 500 as it scrolls', async () => {
    const page = (offset: number): NeteasePage => ({
      title: 'Big <i>list</i>',
      total: 10_000,
      offset,
      tracks: Array.from({ length: 500 }, (_, i) => song(offset + i)),
    });
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [],
      netease_playlists: () => [
        { id: 7, name: 'Big <i>list</i>', trackCount: 10_000, coverUrl: null, subscribed: false },
        { id: 8, name: 'Other', trackCount: 3, coverUrl: null, subscribed: true },
      ],
      netease_playlist: (args) => page(args!.offset as number),
    });
    const { container } = render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-tab-playlists'));
    await settle();
    const lists = screen.getAllByTestId('netease-playlist');
    expect(lists).toHaveLength(2);
    expect(lists[0]).toHaveTextContent('Big <i>list</i>');
    expect(container.querySelector('i')).toBeNull();

    await fireEvent.click(lists[0]!);
    await settle();
    expect(calls('netease_playlist')).toEqual([{ id: 7, offset: 0, limit: 500 }]);
    const rows = screen.getAllByTestId('netease-playlist-row');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(100); // windowed
    expect(screen.getByTestId('netease-playlist-loaded')).toHaveTextContent('500 of 10,000 loaded');

    // Scrolling near the end of what is loaded asks for the next batch, once.
    const viewport = screen.getByRole('listbox');
    viewport.scrollTop = 300 * 32;
    await fireEvent.scroll(viewport);
    await settle();
    expect(calls('netease_playlist')).toHaveLength(1);
    viewport.scrollTop = 420 * 32;
    await fireEvent.scroll(viewport);
    await fireEvent.scroll(viewport);
    await settle();
    expect(calls('netease_playlist')).toEqual([
      { id: 7, offset: 0, limit: 500 },
      { id: 7, offset: 500, limit: 500 },
    ]);
    expect(screen.getByTestId('netease-playlist-loaded')).toHaveTextContent('1,000 of 10,000 loaded');

    // Playing from a row plays from there to the end of what is loaded, by id.
    const row = screen.getAllByTestId('netease-playlist-row').find((r) => r.dataset.trackId === 'netease:430')!;
    await fireEvent.click(row.querySelector('[data-action="play"]')!);
    const played = calls('play_tracks').at(-1) as { ids: string[] };
    expect(played.ids).toHaveLength(570);
    expect([played.ids[0], played.ids.at(-1)]).toEqual(['netease:430', 'netease:999']);

    await fireEvent.click(screen.getByTestId('netease-playlist-back'));
    expect(screen.getAllByTestId('netease-playlist')).toHaveLength(2);
  });

  it('plays, skips and trashes personal FM songs', async () => {
    let batch = 0;
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [],
      netease_fm: () => {
        batch += 1;
        return [song(batch * 10 + 1), song(batch * 10 + 2)];
      },
    });
    render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-tab-fm'));
    await settle();
    expect(screen.getAllByTestId('netease-fm-row')).toHaveLength(2);
    await fireEvent.click(screen.getAllByTestId('netease-fm-play')[0]!);
    expect(invokeMock).toHaveBeenLastCalledWith('play_tracks', { ids: ['netease:11', 'netease:12'] });

    await fireEvent.click(screen.getAllByTestId('netease-fm-trash')[0]!);
    expect(calls('netease_fm_trash')).toEqual([{ trackId: 'netease:11' }]);
    await settle();
    expect(screen.getAllByTestId('netease-fm-row').map((r) => r.dataset.trackId)).toEqual(['netease:12']);

    await fireEvent.click(screen.getByTestId('netease-fm-next'));
    await settle();
    expect(screen.getAllByTestId('netease-fm-row').map((r) => r.dataset.trackId)).toEqual(['netease:21', 'netease:22']);
  });

  it('shows liked songs, and searches once typing pauses', async () => {
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [],
      netease_liked: () => [song(5)],
      netease_search: (args) => (args!.query === 'none' ? [] : [song(6), song(7)]),
    });
    render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-tab-liked'));
    await settle();
    expect(screen.getAllByTestId('netease-liked-row')).toHaveLength(1);

    await fireEvent.click(screen.getByTestId('netease-tab-search'));
    const input = screen.getByTestId('netease-search');
    await fireEvent.input(input, { target: { value: '晴' } });
    await settle(100);
    await fireEvent.input(input, { target: { value: '晴天 ' } });
    await settle(299);
    expect(calls('netease_search')).toHaveLength(0);
    await settle(1);
    expect(calls('netease_search')).toEqual([{ query: '晴天' }]);
    await settle();
    expect(screen.getAllByTestId('netease-search-row')).toHaveLength(2);

    await fireEvent.input(input, { target: { value: 'none' } });
    await settle(300);
    expect(screen.getByTestId('netease-no-results')).toHaveTextContent('No songs match “none”.');
  });

  const ALBUM: NeteaseAlbumPage = {
    album: {
      id: 40,
      name: `Deep ${HOSTILE}`,
      coverUrl: null,
      publishedMs: Date.UTC(2024, 0, 1),
      trackCount: 3,
      artists: [{ id: 9, name: 'Catalogue Quartet' }],
    },
    description: `<script>x</script> liner notes`,
    company: 'Loopback Records',
    // A VIP-only and a greyed song are listed like the rest: they play through the fallback race.
    tracks: [song(11, { album: 'Deep Cuts' }), song(12, { album: 'Deep Cuts' }), song(13, { album: 'Deep Cuts' })],
  };
  const ARTIST: NeteaseArtistPage = {
    id: 9,
    name: 'Catalogue Quartet',
    coverUrl: null,
    description: 'Four emulated musicians.',
    topTracks: [song(11), song(15)],
    albums: [
      { id: 40, name: 'Deep Cuts', coverUrl: null, publishedMs: Date.UTC(2024, 0, 1), trackCount: 4, artists: [] },
      { id: 41, name: 'B-Sides', coverUrl: null, publishedMs: null, trackCount: null, artists: [] },
    ],
    moreAlbums: true,
  };

  it("opens a track's album from its name, plays its rows by id, then the artist and another album; back returns to the list as it was", async () => {
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [song(1, { album: 'Deep Cuts', artists: ['Catalogue Quartet'] }), song(2)],
      netease_album: () => ALBUM,
      netease_artist: () => ARTIST,
    });
    const { container } = render(NeteaseView);
    await settle();
    const daily = screen.getAllByTestId('netease-daily-row');
    await fireEvent.click(within(daily[0]!).getByTestId('track-album-link'));
    await settle();
    expect(calls('netease_album')).toEqual([{ of: { trackId: 'netease:1' } }]);
    expect(screen.getByTestId('netease-album-name').textContent).toBe(`Deep ${HOSTILE}`);
    expect(screen.getByTestId('netease-album-meta')).toHaveTextContent('2024 · 3 songs · Loopback Records');
    expect(screen.getByTestId('netease-album-description').textContent).toBe('<script>x</script> liner notes');
    expect(container.querySelector('img, script, b')).toBeNull();
    // The section is kept (hidden) under the page.
    expect(screen.getByRole('tabpanel', { hidden: true })).toHaveAttribute('hidden');

    const rows = screen.getAllByTestId('netease-album-row');
    expect(rows).toHaveLength(3);
    await fireEvent.click(rows[1]!.querySelector('[data-action="play"]')!);
    expect(invokeMock).toHaveBeenLastCalledWith('play_tracks', { ids: ['netease:12', 'netease:13'] });
    await fireEvent.click(within(rows[2]!).getByTestId('track-add-to-queue'));
    expect(invokeMock).toHaveBeenLastCalledWith('enqueue_tracks', { ids: ['netease:13'], position: 'end' });
    await fireEvent.click(within(screen.getByTestId('netease-album-page')).getByTestId('netease-play-all'));
    expect(invokeMock).toHaveBeenLastCalledWith('play_tracks', { ids: ['netease:11', 'netease:12', 'netease:13'] });

    // The album's artist, by id; the artist's albums, by id.
    await fireEvent.click(screen.getByTestId('netease-album-artist'));
    await settle();
    expect(calls('netease_artist')).toEqual([{ of: { id: 9 } }]);
    expect(screen.getByTestId('netease-artist-name')).toHaveTextContent('Catalogue Quartet');
    expect(screen.getAllByTestId('netease-artist-row')).toHaveLength(2);
    const albums = screen.getAllByTestId('netease-artist-album');
    expect(albums.map((a) => a.textContent?.replace(/\s+/g, ' ').trim())).toEqual(['Deep Cuts 2024 · 4 songs', 'B-Sides']);
    expect(screen.getByTestId('netease-more-albums')).toBeInTheDocument();
    await fireEvent.click(albums[1]!);
    await settle();
    expect(calls('netease_album').at(-1)).toEqual({ of: { id: 41 } });

    // Back, page by page, to the daily list as it was (not asked again).
    await fireEvent.click(screen.getByTestId('netease-page-back'));
    expect(screen.getByTestId('netease-artist-page')).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId('netease-page-back'));
    expect(screen.getByTestId('netease-album-page')).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId('netease-page-back'));
    await settle();
    expect(screen.queryByTestId('netease-page')).toBeNull();
    expect(screen.getAllByTestId('netease-daily-row')).toHaveLength(2);
    expect(calls('netease_daily')).toHaveLength(1);
  });

  it("opens a search result's artist, and an album from a row's menu; a failed page offers a retry", async () => {
    let fail = true;
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [],
      netease_liked: () => [],
      netease_search: () => [song(6, { artists: ['Catalogue Quartet'], album: 'Deep Cuts' })],
      netease_artist: () => {
        if (fail) throw { kind: 'unreachable', message: 'refused' } satisfies NeteaseError;
        return ARTIST;
      },
      netease_album: () => ALBUM,
    });
    render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-tab-search'));
    await fireEvent.input(screen.getByTestId('netease-search'), { target: { value: 'quartet' } });
    await settle(300);
    await settle();
    const row = screen.getByTestId('netease-search-row');
    await fireEvent.click(within(row).getByTestId('track-artist-link'));
    await settle();
    expect(calls('netease_artist')).toEqual([{ of: { trackId: 'netease:6' } }]);
    expect(screen.getByTestId('netease-artist-page')).toBeInTheDocument();
    fail = false;
    await fireEvent.click(screen.getByRole('button', { name: translate('en', 'netease.retry') }));
    await settle();
    expect(screen.getByTestId('netease-artist-name')).toHaveTextContent('Catalogue Quartet');

    // Back to the results, kept; the row's context menu goes to the album.
    await fireEvent.click(screen.getByTestId('netease-page-back'));
    expect(screen.getByTestId('netease-search-row')).toBeInTheDocument();
    await fireEvent.contextMenu(screen.getByTestId('netease-search-row'));
    await fireEvent.click(screen.getByTestId('menu-go-to-album'));
    await settle();
    expect(calls('netease_album')).toEqual([{ of: { trackId: 'netease:6' } }]);
    expect(screen.getByTestId('netease-album-page')).toBeInTheDocument();
    // Choosing a section leaves the pages.
    await fireEvent.click(screen.getByTestId('netease-tab-liked'));
    expect(screen.queryByTestId('netease-page')).toBeNull();
  });

  it('lists saved albums and followed artists; each opens its page, back returns to the list', async () => {
    let fail = true;
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [],
      netease_library: () => {
        if (fail) throw { kind: 'unreachable', message: 'refused' } satisfies NeteaseError;
        return {
          albums: [
            { id: 40, name: `Deep ${HOSTILE}`, coverUrl: null, publishedMs: null, trackCount: 4, artists: [{ id: 9, name: 'Catalogue Quartet' }] },
            { id: 41, name: 'B-Sides', coverUrl: null, publishedMs: null, trackCount: null, artists: [] },
          ],
          artists: [{ id: 9, name: 'Catalogue Quartet', coverUrl: null, albumCount: 2 }],
          moreAlbums: false,
          moreArtists: true,
        } satisfies NeteaseLibrary;
      },
      netease_album: () => ALBUM,
      netease_artist: () => ARTIST,
    });
    const { container } = render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-tab-library'));
    await settle();
    expect(screen.getByRole('tabpanel')).toHaveAccessibleName('Saved albums & artists');
    fail = false;
    await fireEvent.click(screen.getByRole('button', { name: translate('en', 'netease.retry') }));
    await settle();
    expect(calls('netease_library')).toHaveLength(2);
    const albums = screen.getAllByTestId('netease-saved-album');
    expect(albums.map((a) => a.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      `Deep ${HOSTILE} Catalogue Quartet · 4 songs`,
      'B-Sides',
    ]);
    expect(container.querySelector('img, script')).toBeNull();
    expect(screen.queryByTestId('netease-more-saved-albums')).toBeNull();
    expect(screen.getByTestId('netease-more-followed-artists')).toBeInTheDocument();
    const artists = screen.getAllByTestId('netease-followed-artist');
    expect(artists).toHaveLength(1);
    expect(artists[0]).toHaveAccessibleName('Open artist Catalogue Quartet');

    await fireEvent.click(albums[0]!);
    await settle();
    expect(calls('netease_album')).toEqual([{ of: { id: 40 } }]);
    expect(screen.getByTestId('netease-album-page')).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId('netease-page-back'));
    expect(screen.getAllByTestId('netease-saved-album')).toHaveLength(2);

    await fireEvent.click(screen.getByTestId('netease-followed-artist'));
    await settle();
    expect(calls('netease_artist')).toEqual([{ of: { id: 9 } }]);
    expect(screen.getByTestId('netease-artist-page')).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId('netease-page-back'));
    expect(screen.getByTestId('netease-followed-artist')).toBeInTheDocument();
    // The list is kept under the pages, not asked again.
    expect(calls('netease_library')).toHaveLength(2);
  });

  it('says so when nothing is saved or followed', async () => {
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [],
      netease_library: () => ({ albums: [], artists: [], moreAlbums: false, moreArtists: false }) satisfies NeteaseLibrary,
    });
    render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-tab-library'));
    await settle();
    expect(screen.getByTestId('netease-nothing')).toBeInTheDocument();
  });

  it('switches sections with the arrow keys', async () => {
    backend({ netease_status: () => SIGNED_IN, netease_daily: () => [], netease_fm: () => [] });
    render(NeteaseView);
    await settle();
    const daily = screen.getByTestId('netease-tab-daily');
    expect(daily).toHaveAttribute('aria-selected', 'true');
    await fireEvent.keyDown(daily, { key: 'ArrowRight' });
    expect(screen.getByTestId('netease-tab-fm')).toHaveAttribute('aria-selected', 'true');
    expect(document.activeElement).toBe(screen.getByTestId('netease-tab-fm'));
    expect(screen.getByRole('tabpanel')).toHaveAccessibleName('Personal FM');
  });

  it('goes back to the login when NetEase says the session is gone; the error says the queue is kept', async () => {
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => {
        throw { kind: 'notLoggedIn' } satisfies NeteaseError;
      },
      netease_qr_start: () => qr('k1'),
    });
    render(NeteaseView);
    await settle();
    expect(screen.getByTestId('netease-error')).toHaveTextContent('Log in again — your queue is kept.');
    await fireEvent.click(screen.getByTestId('netease-login-again'));
    await settle();
    expect(screen.getByTestId('netease-login')).toBeInTheDocument();
    expect(calls('netease_qr_start')).toHaveLength(1);
  });

  it('retries when the status cannot be had', async () => {
    let fail = true;
    backend({
      netease_status: () => {
        if (fail) throw { kind: 'unreachable', message: 'connection refused' } satisfies NeteaseError;
        return SIGNED_IN;
      },
      netease_daily: () => [],
    });
    render(NeteaseView);
    await settle();
    expect(screen.getByTestId('netease-error')).toHaveTextContent('NetEase cannot be reached (connection refused).');
    fail = false;
    await fireEvent.click(screen.getByTestId('netease-retry'));
    await settle();
    expect(screen.queryByTestId('netease-error')).toBeNull();
    expect(screen.getByTestId('netease-user')).toHaveTextContent('Ann');
  });

  it('reads a plain string rejection as NetEase\'s words', async () => {
    backend({
      netease_status: () => {
        throw 'command netease_status not found';
      },
    });
    render(NeteaseView);
    await settle();
    expect(screen.getByTestId('netease-error')).toHaveAttribute('data-kind', 'other');
  });
});

describe('NeteaseErrorNotice', () => {
  const ERRORS: NeteaseError[] = [
    { kind: 'verify', url: 'verify.example/check?x=1' },
    { kind: 'captcha' },
    { kind: 'networkEnvironment' },
    { kind: 'secondFactor' },
    { kind: 'notLoggedIn' },
    { kind: 'unreachable', message: HOSTILE },
    { kind: 'other', message: HOSTILE },
    { kind: 'unknownAccount' },
    { kind: 'wrongPassword' },
    { kind: 'wrongCode' },
    { kind: 'tooManyAttempts' },
    { kind: 'codeTooSoon' },
    { kind: 'invalid', field: 'phone' },
  ];

  const KEYS: Record<NeteaseError['kind'], MessageKey> = {
    verify: 'netease.error.verify',
    captcha: 'netease.error.captcha',
    networkEnvironment: 'netease.error.networkEnvironment',
    secondFactor: 'netease.error.secondFactor',
    notLoggedIn: 'netease.error.notLoggedIn',
    unreachable: 'netease.error.unreachable',
    other: 'netease.error.other',
    unknownAccount: 'netease.error.unknownAccount',
    wrongPassword: 'netease.error.wrongPassword',
    wrongCode: 'netease.error.wrongCode',
    tooManyAttempts: 'netease.error.tooManyAttempts',
    codeTooSoon: 'netease.error.codeTooSoon',
    invalid: 'netease.error.invalid.phone',
  };

  for (const locale of ['en', 'zh-CN'] as const) {
    it(`words every kind in ${locale}, as text`, () => {
      player.load({ ...makeSnapshot(), settings: { ...makeSnapshot().settings, locale } });
      const texts = new Set<string>();
      for (const error of ERRORS) {
        const { container, unmount } = render(NeteaseErrorNotice, { error, onretry: () => {}, onlogin: () => {} });
        const message = 'message' in error ? error.message : '';
        const expected = translate(locale, KEYS[error.kind], { message });
        expect(screen.getByTestId('netease-error-message').textContent).toBe(expected);
        expect(screen.getByTestId('netease-error')).toHaveAttribute('role', 'alert');
        expect(container.querySelector('img')).toBeNull();
        texts.add(expected);
        if (error.kind === 'verify') {
          expect((screen.getByTestId('netease-verify-url') as HTMLInputElement).value).toBe(error.url);
        }
        if (error.kind === 'notLoggedIn') {
          expect(screen.getByTestId('netease-login-again')).toHaveTextContent(translate(locale, 'netease.error.loginAgain'));
          expect(screen.queryByTestId('netease-retry')).toBeNull();
        } else {
          expect(screen.getByTestId('netease-retry')).toHaveTextContent(translate(locale, 'netease.retry'));
        }
        unmount();
      }
      expect(texts.size).toBe(ERRORS.length);
    });
  }
});
