// The NetEase view's phone / SMS / email login, recently played, cloud disk, charts, heartbeat
// mode and search suggestions, with the IPC mocked (the commands are tested in Rust against
// the emulator).
import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import NeteaseView from './NeteaseView.svelte';
import { translate } from '../i18n/index.svelte';
import type { NeteaseChart, NeteaseError, NeteasePage, NeteaseStatus, NeteaseSuggestions } from '../ipc/netease';
import { backend, calls, HOSTILE, settle, song, type Handler } from '../../test/netease';

const invokeMock = vi.mocked(invoke);

const SIGNED_OUT: NeteaseStatus = { user: null, quality: 'exhigh' };
const SIGNED_IN: NeteaseStatus = { user: { id: 1, nickname: 'Ann', avatarUrl: null, vip: false }, quality: 'exhigh' };

const signedOutBackend = (more: Record<string, Handler>) =>
  backend({
    netease_status: () => SIGNED_OUT,
    netease_qr_start: () => ({ key: 'k', url: 'u', size: 1, modules: [true] }),
    netease_qr_check: () => ({ state: 'waiting' }),
    netease_daily: () => [],
    ...more,
  });

describe('NeteaseView: phone, SMS and email login', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    invokeMock.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  it('signs in with a phone number and password, emptying the password as it is sent', async () => {
    const answers: (NeteaseStatus | NeteaseError)[] = [{ kind: 'wrongPassword' }, SIGNED_IN];
    signedOutBackend({
      netease_login: () => {
        const next = answers.shift()!;
        if ('kind' in next) throw next;
        return next;
      },
    });
    render(NeteaseView);
    await settle();
    const submit = screen.getByTestId('netease-password-submit');
    expect(submit).toBeDisabled();
    expect((screen.getByTestId('netease-country') as HTMLSelectElement).value).toBe('86');
    await fireEvent.input(screen.getByTestId('netease-phone'), { target: { value: ' 138 0013 8000 ' } });
    await fireEvent.input(screen.getByTestId('netease-password'), { target: { value: 'nope' } });
    expect(submit).toBeEnabled();
    await fireEvent.click(submit);
    await settle();
    expect(calls('netease_login')).toEqual([
      { login: { kind: 'phonePassword', countryCode: '86', phone: '138 0013 8000', password: 'nope' } },
    ]);
    expect((screen.getByTestId('netease-password') as HTMLInputElement).value).toBe('');
    expect(screen.getByTestId('netease-error')).toHaveAttribute('data-kind', 'wrongPassword');
    expect(screen.getByTestId('netease-error-message')).toHaveTextContent(translate('en', 'netease.error.wrongPassword'));

    await fireEvent.change(screen.getByTestId('netease-country'), { target: { value: '852' } });
    await fireEvent.input(screen.getByTestId('netease-password'), { target: { value: 'correct horse' } });
    await fireEvent.click(submit);
    await settle();
    expect(calls('netease_login')[1]).toEqual({
      login: { kind: 'phonePassword', countryCode: '852', phone: '138 0013 8000', password: 'correct horse' },
    });
    expect(screen.getByTestId('netease-user')).toHaveTextContent('Ann');
    expect(screen.queryByTestId('netease-login')).toBeNull();
  });

  it('texts a code, counts down before another, and signs in with it', async () => {
    const sent: unknown[] = [];
    signedOutBackend({
      netease_sms_send: (args) => {
        sent.push(args);
        if (sent.length > 1) throw { kind: 'codeTooSoon' } satisfies NeteaseError;
      },
      netease_login: (args) => {
        const login = args?.login as { code?: string };
        if (login.code !== '4321') throw { kind: 'wrongCode' } satisfies NeteaseError;
        return SIGNED_IN;
      },
    });
    render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-login-mode-phoneCode'));
    const send = screen.getByTestId('netease-sms-send');
    expect(send).toBeDisabled();
    await fireEvent.input(screen.getByTestId('netease-phone'), { target: { value: '13800138000' } });
    await fireEvent.click(send);
    await settle();
    expect(sent).toEqual([{ countryCode: '86', phone: '13800138000' }]);
    expect(screen.getByTestId('netease-sms-sent')).toHaveTextContent('Code sent to +86 13800138000.');
    expect(send).toBeDisabled();
    expect(send).toHaveTextContent('Send again in 60 s');
    await settle(59_000);
    expect(send).toHaveTextContent('Send again in 1 s');
    await settle(1000);
    expect(send).toBeEnabled();

    await fireEvent.input(screen.getByTestId('netease-sms-code'), { target: { value: '1234' } });
    await fireEvent.click(screen.getByTestId('netease-password-submit'));
    await settle();
    expect(screen.getByTestId('netease-error')).toHaveAttribute('data-kind', 'wrongCode');
    expect((screen.getByTestId('netease-sms-code') as HTMLInputElement).value).toBe('');
    await fireEvent.input(screen.getByTestId('netease-sms-code'), { target: { value: ' 4321 ' } });
    await fireEvent.click(screen.getByTestId('netease-password-submit'));
    await settle();
    expect(calls('netease_login').at(-1)).toEqual({
      login: { kind: 'phoneCode', countryCode: '86', phone: '13800138000', code: '4321' },
    });
    expect(screen.getByTestId('netease-user')).toHaveTextContent('Ann');
  });

  it('signs in with an email address; an invalid field is named in the user language', async () => {
    signedOutBackend({
      netease_login: () => {
        throw { kind: 'invalid', field: 'email' } satisfies NeteaseError;
      },
    });
    render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-login-mode-email'));
    expect(screen.queryByTestId('netease-phone')).toBeNull();
    await fireEvent.input(screen.getByTestId('netease-email'), { target: { value: 'me@163' } });
    await fireEvent.input(screen.getByTestId('netease-password'), { target: { value: 'pw' } });
    await fireEvent.click(screen.getByTestId('netease-password-submit'));
    await settle();
    expect(calls('netease_login')).toEqual([{ login: { kind: 'email', email: 'me@163', password: 'pw' } }]);
    expect(screen.getByTestId('netease-error-message')).toHaveTextContent(translate('en', 'netease.error.invalid.email'));
  });
});

describe('NeteaseView: recently played, cloud disk, charts, heartbeat, suggestions', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    invokeMock.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  it('lists recently played and the cloud disk as track lists', async () => {
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [],
      netease_recent: () => [song(1006, { title: HOSTILE }), song(1002)],
      netease_cloud: () => [song(1008, { title: 'Cloud Upload' })],
    });
    const { container } = render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-tab-recent'));
    await settle();
    expect(screen.getAllByTestId('netease-recent-row')).toHaveLength(2);
    expect(screen.getAllByTestId('netease-recent-row')[0]).toHaveTextContent(HOSTILE);
    expect(container.querySelector('img')).toBeNull();
    await fireEvent.click(screen.getByTestId('netease-tab-cloud'));
    await settle();
    expect(screen.getAllByTestId('netease-cloud-row')).toHaveLength(1);
    expect(calls('netease_cloud')).toHaveLength(1);
  });

  it('lists the charts, each opening as a playlist with its way back', async () => {
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [],
      netease_charts: () =>
        [
          { id: 19723756, name: '飙升榜', trackCount: 4, coverUrl: null, updated: '每天更新' },
          { id: 3779629, name: '新歌榜', trackCount: 3, coverUrl: null, updated: null },
        ] satisfies NeteaseChart[],
      netease_playlist: (args) =>
        ({ title: '飙升榜', total: 1, offset: Number(args?.offset ?? 0), tracks: [song(1006)] }) satisfies NeteasePage,
    });
    render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-tab-charts'));
    await settle();
    const charts = screen.getAllByTestId('netease-chart');
    expect(charts.map((c) => c.textContent?.replace(/\s+/g, ' ').trim())).toEqual(['飙升榜 4 songs · 每天更新', '新歌榜 3 songs']);
    await fireEvent.click(charts[0]!);
    await settle();
    expect(calls('netease_playlist')[0]).toEqual({ id: 19723756, offset: 0, limit: 500 });
    expect(screen.getByTestId('netease-playlist-back')).toHaveTextContent('Charts');
    await fireEvent.click(screen.getByTestId('netease-playlist-back'));
    expect(screen.getAllByTestId('netease-chart')).toHaveLength(2);
  });

  it('plays heartbeat mode from the liked songs; a failure is worded with a retry', async () => {
    let fail = true;
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [],
      netease_liked: () => [song(1001), song(1006)],
      netease_heartbeat: () => {
        if (fail) throw { kind: 'captcha' } satisfies NeteaseError;
        return [song(1001), song(1011), song(1012)];
      },
    });
    render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-tab-liked'));
    await settle();
    await fireEvent.click(screen.getByTestId('netease-heartbeat'));
    await settle();
    expect(calls('netease_heartbeat')).toEqual([{ from: null }]);
    expect(calls('play_tracks')).toEqual([]);
    expect(screen.getByTestId('netease-error')).toHaveAttribute('data-kind', 'captcha');
    fail = false;
    await fireEvent.click(screen.getByTestId('netease-retry'));
    await settle();
    expect(calls('play_tracks')).toEqual([{ ids: ['netease:1001', 'netease:1011', 'netease:1012'] }]);
    expect(screen.queryByTestId('netease-error')).toBeNull();
  });

  it('suggests while typing: artists and albums open their pages, a song is searched for', async () => {
    const found: NeteaseSuggestions = {
      songs: [{ id: 1011, name: 'Opening Bars', artist: 'Catalogue Quartet' }],
      artists: [{ id: 9, name: `Catalogue ${HOSTILE}` }],
      albums: [{ id: 40, name: 'Deep Cuts', artist: 'Catalogue Quartet' }],
      playlists: [],
    };
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [],
      netease_suggest: (args) => (String(args?.query).startsWith('qu') ? found : { songs: [], artists: [], albums: [], playlists: [] }),
      netease_search: () => [song(1011)],
      netease_artist: () => ({ id: 9, name: 'Catalogue Quartet', coverUrl: null, description: null, topTracks: [], albums: [], moreAlbums: false }),
      netease_album: () => ({
        album: { id: 40, name: 'Deep Cuts', coverUrl: null, publishedMs: null, trackCount: 0, artists: [] },
        description: null,
        company: null,
        tracks: [],
      }),
    });
    const { container } = render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-tab-search'));
    const input = screen.getByTestId('netease-search');
    await fireEvent.input(input, { target: { value: 'qu' } });
    await settle(100);
    expect(calls('netease_suggest')).toEqual([]);
    await settle(50);
    expect(calls('netease_suggest')).toEqual([{ query: 'qu' }]);
    expect(screen.getByTestId('netease-suggestions')).toHaveAccessibleName('Suggestions');
    expect(screen.getByTestId('netease-suggested-artist')).toHaveTextContent(`Catalogue ${HOSTILE}`);
    expect(container.querySelector('img')).toBeNull();

    await fireEvent.click(screen.getByTestId('netease-suggested-artist'));
    await settle();
    expect(calls('netease_artist')).toEqual([{ of: { id: 9 } }]);
    await fireEvent.click(screen.getByTestId('netease-page-back'));
    await fireEvent.click(screen.getByTestId('netease-suggested-album'));
    await settle();
    expect(calls('netease_album')).toEqual([{ of: { id: 40 } }]);
    await fireEvent.click(screen.getByTestId('netease-page-back'));

    await fireEvent.click(screen.getByTestId('netease-suggested-song'));
    await settle();
    expect((input as HTMLInputElement).value).toBe('Opening Bars Catalogue Quartet');
    expect(calls('netease_search').at(-1)).toEqual({ query: 'Opening Bars Catalogue Quartet' });
    expect(screen.queryByTestId('netease-suggestions')).toBeNull();
    expect(screen.getAllByTestId('netease-search-row')).toHaveLength(1);

    // Typing on asks again; suggestions for an older query are not shown.
    await fireEvent.input(input, { target: { value: 'zz' } });
    await settle(150);
    expect(screen.queryByTestId('netease-suggestions')).toBeNull();
  });
});

describe('NeteaseView: songs NetEase will not play', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    invokeMock.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  it('are dimmed with why, then say where a copy plays from; each is asked for once', async () => {
    const daily = [
      song(1001),
      song(1005, { title: 'Greyed Out', unplayable: 'greyed' }),
      song(1003, { title: 'Members Only', unplayable: 'needsVip' }),
      song(1013, { title: HOSTILE, unplayable: 'greyed' }),
    ];
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => daily,
      netease_copies: (args) => {
        const ids = args?.trackIds as string[];
        return ids.map((trackId) => ({
          trackId,
          source: trackId === 'netease:1005' ? 'library' : trackId === 'netease:1013' ? `Home ${HOSTILE}` : null,
        }));
      },
    });
    const { container } = render(NeteaseView);
    await settle();
    expect(calls('netease_copies')).toEqual([{ trackIds: ['netease:1005', 'netease:1003', 'netease:1013'] }]);
    const notes = () => screen.getAllByTestId('track-note').map((n) => [n.textContent, n.getAttribute('data-unplayable')]);
    expect(notes()).toEqual([
      ['from your library', 'false'],
      ['VIP', 'true'],
      [`from Home ${HOSTILE}`, 'false'],
    ]);
    const rows = screen.getAllByTestId('netease-daily-row');
    expect(rows[0]!.querySelector('[data-testid="track-note"]')).toBeNull();
    // The title's own text stays the title (lists and tests find rows by it).
    expect(rows[1]!.querySelector('[data-testid="track-title"]')!.textContent).toBe('Greyed Out');
    expect(rows[2]!.querySelector('.title')).toHaveClass('unplayable');
    expect(rows[1]!.querySelector('.title')).not.toHaveClass('unplayable');
    expect(container.querySelector('img')).toBeNull();
    await settle(1000);
    expect(calls('netease_copies')).toHaveLength(1);
  });

  it('shows a song as unavailable until the lookup answers, and asks again once if it was cut short', async () => {
    let answers = 0;
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [song(1005, { title: 'Greyed Out', unplayable: 'greyed' }), song(1003, { unplayable: 'needsVip' })],
      // The first lookup is cancelled by another list's after answering one song.
      netease_copies: (args) => {
        answers++;
        const ids = args?.trackIds as string[];
        return answers === 1 ? [{ trackId: ids[0], source: null }] : ids.map((trackId) => ({ trackId, source: 'library' }));
      },
    });
    render(NeteaseView);
    await settle();
    await settle();
    expect(calls('netease_copies')).toEqual([{ trackIds: ['netease:1005', 'netease:1003'] }, { trackIds: ['netease:1003'] }]);
    expect(screen.getAllByTestId('track-note').map((n) => n.textContent)).toEqual(['unavailable', 'from your library']);
  });
});

describe('NeteaseView: the user\'s own playlists', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    invokeMock.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  const LISTS = [
    { id: 3010001, name: 'Liked', trackCount: 2, coverUrl: null, subscribed: false },
    { id: 2001, name: `Mix ${HOSTILE}`, trackCount: 7, coverUrl: null, subscribed: false },
    { id: 9001, name: 'Someone else’s', trackCount: 3, coverUrl: null, subscribed: true },
  ];

  it('creates one, listed after the liked songs', async () => {
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [],
      netease_playlists: () => LISTS,
      netease_playlist_create: (args) => ({ id: 3200000, name: String(args?.name), trackCount: 0, coverUrl: null, subscribed: false }),
    });
    render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-tab-playlists'));
    await settle();
    const submit = screen.getByTestId('netease-playlist-create-submit');
    expect(submit).toBeDisabled();
    await fireEvent.input(screen.getByTestId('netease-playlist-name-input'), { target: { value: ' Road Trip ' } });
    await fireEvent.click(submit);
    await settle();
    expect(calls('netease_playlist_create')).toEqual([{ name: 'Road Trip' }]);
    expect(screen.getAllByTestId('netease-playlist').map((b) => b.getAttribute('data-playlist-id'))).toEqual([
      '3010001',
      '3200000',
      '2001',
      '9001',
    ]);
    expect((screen.getByTestId('netease-playlist-name-input') as HTMLInputElement).value).toBe('');
  });

  it('adds a row to one of them from its menu (not to those followed), and says so', async () => {
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [song(1001)],
      netease_playlists: () => LISTS,
    });
    render(NeteaseView);
    await settle();
    await fireEvent.contextMenu(screen.getByTestId('netease-daily-row'));
    await fireEvent.click(screen.getByTestId('menu-netease-add-to-playlist'));
    await settle();
    const choices = screen.getAllByTestId('menu-netease-playlist');
    expect(choices.map((c) => c.textContent)).toEqual(['Liked', `Mix ${HOSTILE}`]);
    await fireEvent.click(choices[1]!);
    await settle();
    expect(calls('netease_playlist_edit')).toEqual([{ playlistId: 2001, trackIds: ['netease:1001'], edit: 'add' }]);
    const { player } = await import('../player.svelte');
    expect(player.toasts.at(-1)?.notice).toEqual({ kind: 'addedToNeteasePlaylist', playlist: `Mix ${HOSTILE}` });
  });

  it('removes a row from an own playlist page; a followed one offers no removal', async () => {
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [],
      netease_playlists: () => LISTS,
      netease_playlist: (args) => ({
        title: null,
        total: 2,
        offset: Number(args?.offset ?? 0),
        tracks: Number(args?.offset ?? 0) === 0 ? [song(1001), song(1006)] : [],
      }),
    });
    render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-tab-playlists'));
    await settle();
    await fireEvent.click(screen.getAllByTestId('netease-playlist')[1]!);
    await settle();
    expect(screen.getAllByTestId('netease-playlist-row')).toHaveLength(2);
    await fireEvent.contextMenu(screen.getAllByTestId('netease-playlist-row')[0]!);
    await fireEvent.click(screen.getByTestId('menu-netease-remove'));
    await settle();
    expect(calls('netease_playlist_edit')).toEqual([{ playlistId: 2001, trackIds: ['netease:1001'], edit: 'remove' }]);
    expect(screen.getAllByTestId('netease-playlist-row').map((r) => r.getAttribute('data-track-id'))).toEqual(['netease:1006']);

    await fireEvent.click(screen.getByTestId('netease-playlist-back'));
    await fireEvent.click(screen.getAllByTestId('netease-playlist')[2]!);
    await settle();
    await fireEvent.contextMenu(screen.getAllByTestId('netease-playlist-row')[0]!);
    expect(screen.queryByTestId('menu-netease-remove')).toBeNull();
    expect(screen.getByTestId('menu-netease-add-to-playlist')).toBeInTheDocument();
  });
});

describe('NeteaseView: a search finds albums, artists and playlists too', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    invokeMock.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  it('shows them beside the songs; each opens its page', async () => {
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [],
      netease_search: () => [song(1011)],
      netease_search_else: () => ({
        albums: [{ id: 40, name: 'Deep Cuts', coverUrl: null, publishedMs: null, trackCount: 4, artists: [] }],
        artists: [{ id: 9, name: `Quartet ${HOSTILE}`, coverUrl: null, albumCount: 2 }],
        playlists: [{ id: 2001, name: 'Emulated Mix', trackCount: 7, coverUrl: null, subscribed: true }],
      }),
      netease_album: () => ({
        album: { id: 40, name: 'Deep Cuts', coverUrl: null, publishedMs: null, trackCount: 0, artists: [] },
        description: null,
        company: null,
        tracks: [],
      }),
      netease_playlist: (args) => ({ title: 'Emulated Mix', total: 1, offset: Number(args?.offset ?? 0), tracks: [song(1001)] }),
    });
    const { container } = render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-tab-search'));
    await fireEvent.input(screen.getByTestId('netease-search'), { target: { value: 'quartet' } });
    await settle(300);
    await settle();
    expect(calls('netease_search_else')).toEqual([{ query: 'quartet' }]);
    expect(screen.getByTestId('netease-found-artist')).toHaveTextContent(`Quartet ${HOSTILE}`);
    expect(container.querySelector('img')).toBeNull();
    await fireEvent.click(screen.getByTestId('netease-found-album'));
    await settle();
    expect(calls('netease_album')).toEqual([{ of: { id: 40 } }]);
    await fireEvent.click(screen.getByTestId('netease-page-back'));
    await fireEvent.click(screen.getByTestId('netease-found-playlist'));
    await settle();
    expect(calls('netease_playlist')[0]).toEqual({ id: 2001, offset: 0, limit: 500 });
    expect(screen.getByTestId('netease-playlist-page')).toBeInTheDocument();
    // Someone else's playlist: no removing from it.
    await fireEvent.contextMenu(screen.getByTestId('netease-playlist-row'));
    expect(screen.queryByTestId('menu-netease-remove')).toBeNull();
    await fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Escape' });
    await fireEvent.click(screen.getByTestId('netease-playlist-back'));
    expect(screen.getAllByTestId('netease-search-row')).toHaveLength(1);
  });
});

describe('NeteaseView: an artist with more albums than their page lists', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    invokeMock.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  const album = (id: number) => ({ id, name: `Album ${id}`, coverUrl: null, publishedMs: null, trackCount: 1, artists: [] });

  it('shows the next albums on "More albums", until there are no more', async () => {
    let fail = true;
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [song(1011)],
      netease_artist: () => ({
        id: 9,
        name: 'Prolific',
        coverUrl: null,
        description: null,
        topTracks: [],
        albums: Array.from({ length: 100 }, (_, i) => album(i + 1)),
        moreAlbums: true,
      }),
      netease_artist_albums: (args) => {
        if (fail) throw { kind: 'unreachable', message: 'down' } satisfies NeteaseError;
        expect(args).toEqual({ id: 9, offset: 100 });
        // One album NetEase lists again is shown once.
        return { albums: [album(100), ...Array.from({ length: 20 }, (_, i) => album(101 + i))], more: false };
      },
    });
    render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getAllByTestId('track-artist-link')[0]!);
    await settle();
    expect(screen.getAllByTestId('netease-artist-album')).toHaveLength(100);
    await fireEvent.click(screen.getByTestId('netease-more-albums'));
    await settle();
    expect(screen.getByTestId('netease-error')).toHaveAttribute('data-kind', 'unreachable');
    fail = false;
    await fireEvent.click(screen.getByTestId('netease-retry'));
    await settle();
    expect(screen.getAllByTestId('netease-artist-album')).toHaveLength(120);
    expect(screen.queryByTestId('netease-more-albums')).toBeNull();
  });
});

describe('NeteaseView: more saved albums and followed artists', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    invokeMock.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  it('shows the next ones of a list on "Show more", until there are no more', async () => {
    const artist = (id: number) => ({ id, name: `Artist ${id}`, coverUrl: null, albumCount: 1 });
    backend({
      netease_status: () => SIGNED_IN,
      netease_daily: () => [],
      netease_library: () => ({
        albums: [],
        artists: Array.from({ length: 100 }, (_, i) => artist(i + 1)),
        moreAlbums: false,
        moreArtists: true,
      }),
      netease_library_more: (args) => {
        expect(args).toEqual({ part: 'artists', offset: 100 });
        return { albums: [], artists: [artist(100), artist(101), artist(102)], moreAlbums: false, moreArtists: false };
      },
    });
    render(NeteaseView);
    await settle();
    await fireEvent.click(screen.getByTestId('netease-tab-library'));
    await settle();
    expect(screen.getAllByTestId('netease-followed-artist')).toHaveLength(100);
    await fireEvent.click(screen.getByTestId('netease-more-followed-artists'));
    await settle();
    expect(screen.getAllByTestId('netease-followed-artist')).toHaveLength(102);
    expect(screen.queryByTestId('netease-more-followed-artists')).toBeNull();
  });
});
