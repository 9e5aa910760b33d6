// The library's folders, scan problems and browse views, with mocked IPC.
import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync, tick } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import AlbumsView from './AlbumsView.svelte';
import ArtistsView from './ArtistsView.svelte';
import LibraryFolders from './LibraryFolders.svelte';
import LibraryView from './LibraryView.svelte';
import RecentView from './RecentView.svelte';
import ScanProblems from './ScanProblems.svelte';
import { player } from '../player.svelte';
import { makeSnapshot, makeState, makeTrack, libraryOf, libraryReads } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

/** Answers `invoke` by command name. */
function answer(replies: Record<string, unknown>) {
  // Library reads (an album's or a folder's tracks by id) come from the fake actor.
  invokeMock.mockImplementation((cmd: string, args?: unknown) => libraryReads(cmd, args) ?? Promise.resolve(replies[cmd]));
}

async function settle() {
  for (let i = 0; i < 3; i++) await tick();
  flushSync();
}

const tracks = [
  makeTrack({ id: 'local:a1', title: 'Side A', artists: ['Band'], album: 'Record', hasCover: true }),
  makeTrack({ id: 'local:a2', title: 'Side B', artists: ['Band', 'Guest'], album: 'Record' }),
  makeTrack({ id: 'local:x', title: '<img src=x onerror=alert(1)>', artists: [], album: null }),
];

describe('LibraryFolders', () => {
  beforeEach(() => invokeMock.mockReset());

  it('lists the folders, removes one, adds through the chooser and a typed path', async () => {
    answer({ add_library_folder: true });
    player.load(makeSnapshot({ state: makeState({ libraryFolders: ['/home/u/Music', '/nas/音乐'] }) }));
    render(LibraryFolders);
    const folders = screen.getAllByTestId('library-folder');
    expect(folders.map((f) => f.textContent)).toEqual([
      expect.stringContaining('/home/u/Music'),
      expect.stringContaining('/nas/音乐'),
    ]);
    await fireEvent.click(within(folders[1]!).getByTestId('library-folder-remove'));
    expect(invokeMock).toHaveBeenLastCalledWith('remove_library_folder', { path: '/nas/音乐' });
    await fireEvent.click(screen.getByTestId('library-folder-choose'));
    expect(invokeMock).toHaveBeenLastCalledWith('add_library_folder', { path: null });
    const input = screen.getByTestId('library-folder-path');
    await fireEvent.input(input, { target: { value: '  /music/new  ' } });
    await fireEvent.submit(input.closest('form')!);
    expect(invokeMock).toHaveBeenLastCalledWith('add_library_folder', { path: '/music/new' });
    await settle();
    expect(input).toHaveValue('');
    expect(screen.queryByTestId('library-folders-env')).toBeNull();
  });

  it('says when the environment sets the folders, and when there are none', () => {
    player.load(makeSnapshot({ state: makeState({ libraryFolders: [], libraryFoldersFromEnv: true }) }));
    render(LibraryFolders);
    expect(screen.getByTestId('library-folders-env')).toBeInTheDocument();
    expect(screen.getByTestId('library-folders-none')).toBeInTheDocument();
  });

  it('shows the scan a folder just added started, and nothing once it ends', () => {
    player.load(makeSnapshot({ state: makeState({ libraryFolders: ['/m'], scan: { done: 256, total: 1200, counting: false, folder: '/m' } }) }));
    render(LibraryFolders);
    const progress = screen.getByTestId('folders-scan-progress');
    expect(progress).toHaveTextContent('256 of 1,200 files');
    expect(progress.querySelector('progress')).toHaveAttribute('max', '1200');
    player.load(makeSnapshot({ state: makeState({ libraryFolders: ['/m'], scan: null }) }));
    flushSync();
    expect(screen.queryByTestId('folders-scan-progress')).toBeNull();
  });
});

describe('LibraryView scan', () => {
  beforeEach(() => invokeMock.mockReset());

  it('shows the folder being read and cancels the scan', async () => {
    answer({});
    player.load(
      makeSnapshot({
        state: makeState({ scan: { done: 256, total: 1000, counting: false, folder: '/music/<b>晴天</b>' } }),
        library: libraryOf([], { scanning: true }),
      }),
    );
    const onshowproblems = vi.fn();
    render(LibraryView, { onshowproblems });
    expect(screen.getByTestId('scan-folder')).toHaveTextContent('Reading /music/<b>晴天</b>');
    expect(screen.getByTestId('scan-folder').querySelector('b')).toBeNull();
    await fireEvent.click(screen.getByTestId('scan-cancel'));
    expect(invokeMock).toHaveBeenLastCalledWith('cancel_scan');
    await fireEvent.click(screen.getByTestId('show-scan-problems'));
    expect(onshowproblems).toHaveBeenCalledOnce();
  });
});

describe('ScanProblems', () => {
  beforeEach(() => invokeMock.mockReset());

  it('lists every problem as text, windowed', async () => {
    const problems = Array.from({ length: 5000 }, (_, i) => ({
      path: `/music/<i>${i}</i>.flac`,
      reason: i === 0 ? 'empty file (0 bytes)' : 'unreadable (corrupt or truncated?)',
    }));
    answer({ get_scan_problems: problems });
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(ScanProblems);
    await settle();
    expect(screen.getByTestId('scan-problems-count')).toHaveTextContent('5,000 files or folders could not be read');
    const rows = screen.getAllByTestId('scan-problem');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(100);
    expect(within(rows[0]!).getByTestId('scan-problem-path')).toHaveTextContent('/music/<i>0</i>.flac');
    expect(rows[0]!.querySelector('i')).toBeNull();
    expect(within(rows[0]!).getByTestId('scan-problem-reason')).toHaveTextContent('0 bytes');
  });

  it('waits for a running scan, then asks again', async () => {
    answer({ get_scan_problems: [] });
    player.load(makeSnapshot({ library: libraryOf(tracks, { scanning: true }) }));
    render(ScanProblems);
    await settle();
    expect(invokeMock).not.toHaveBeenCalled();
    player.receive({ type: 'library', payload: libraryOf(tracks) });
    await settle();
    expect(invokeMock).toHaveBeenCalledWith('get_scan_problems');
    expect(screen.getByTestId('scan-problems-none')).toBeInTheDocument();
  });
});

describe('AlbumsView', () => {
  beforeEach(() => invokeMock.mockReset());

  const albums = [
    { title: 'Record', artist: 'Band', trackIds: ['local:a2', 'local:a1'], coverTrackId: 'local:a1', addedAt: 1 },
    { title: '<script>x</script>', artist: null, trackIds: ['local:x'], coverTrackId: null, addedAt: 2 },
  ];

  it('shows cards with covers, opens an album in its order and plays, queues it', async () => {
    answer({ list_albums: albums });
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(AlbumsView);
    await settle();
    const cards = screen.getAllByTestId('album-card');
    expect(cards).toHaveLength(2);
    expect(within(cards[0]!).getByTestId('album-cover').getAttribute('src')).toContain('local%3Aa1');
    expect(within(cards[1]!).getByTestId('album-title')).toHaveTextContent('<script>x</script>');
    expect(cards[1]!.querySelector('script')).toBeNull();
    expect(cards[1]).toHaveTextContent('Unknown artist');

    await fireEvent.click(cards[0]!);
    expect(screen.getByTestId('album-detail-title')).toHaveTextContent('Record');
    const titles = screen.getAllByTestId('track-title').map((el) => el.textContent);
    expect(titles).toEqual(['Side B', 'Side A']);
    await fireEvent.click(screen.getByTestId('album-play'));
    expect(invokeMock).toHaveBeenLastCalledWith('play_library_tracks', { ids: ['local:a2', 'local:a1'] });
    await fireEvent.click(screen.getByTestId('album-play-next'));
    expect(invokeMock).toHaveBeenLastCalledWith('enqueue', { ids: ['local:a2', 'local:a1'], position: 'next' });
    await fireEvent.click(screen.getByTestId('album-add-to-queue'));
    expect(invokeMock).toHaveBeenLastCalledWith('enqueue', { ids: ['local:a2', 'local:a1'], position: 'end' });
    await fireEvent.click(screen.getByTestId('albums-back'));
    expect(screen.getAllByTestId('album-card')).toHaveLength(2);
  });

  it('keeps 20 000 albums windowed', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => ({
      title: `Album ${i}`,
      artist: 'A',
      trackIds: ['local:a1'],
      coverTrackId: null,
      addedAt: 0,
    }));
    answer({ list_albums: many });
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(AlbumsView);
    await settle();
    const cards = screen.getAllByTestId('album-card');
    expect(cards.length).toBeGreaterThan(4);
    expect(cards.length).toBeLessThan(400);
  });
});

describe('ArtistsView', () => {
  beforeEach(() => invokeMock.mockReset());

  it('lists the artists the index grouped, and opens one with its tracks fetched by id', async () => {
    // As the index answers: by name, each with their tracks by album; '' for no artist.
    answer({
      list_artists: [
        { name: '', trackIds: ['local:x'] },
        { name: 'Band', trackIds: ['local:a1', 'local:a2'] },
        { name: '<b>Guest</b>', trackIds: ['local:a2'] },
      ],
    });
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(ArtistsView);
    await settle();
    expect(invokeMock).toHaveBeenCalledWith('list_artists');
    // Not the whole library: the tracks come only for an open artist.
    expect(invokeMock.mock.calls.filter(([cmd]) => cmd === 'library_rows')).toHaveLength(0);
    const rows = screen.getAllByTestId('artist-row');
    expect(rows.map((r) => r.querySelector('.name')?.textContent)).toEqual(['Unknown artist', 'Band', '<b>Guest</b>']);
    expect(rows[2]!.querySelector('b')).toBeNull();
    expect(rows[1]).toHaveTextContent('2 tracks');
    await fireEvent.click(rows[1]!);
    await settle();
    expect(screen.getByTestId('artist-detail-name')).toHaveTextContent('Band');
    expect(invokeMock).toHaveBeenCalledWith('library_tracks', { ids: ['local:a1', 'local:a2'] });
    expect(screen.getAllByTestId('track-title').map((el) => el.textContent)).toEqual(['Side A', 'Side B']);
    await fireEvent.click(screen.getByTestId('artist-play'));
    expect(invokeMock).toHaveBeenLastCalledWith('play_library_tracks', { ids: ['local:a1', 'local:a2'] });
  });
});

describe('RecentView', () => {
  beforeEach(() => invokeMock.mockReset());

  it('shows the newest tracks first, as the library says', async () => {
    answer({ recently_added: ['local:x', 'local:a1', 'local:gone'] });
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(RecentView);
    await settle();
    expect(screen.getAllByTestId('track-title').map((el) => el.textContent)).toEqual([
      '<img src=x onerror=alert(1)>',
      'Side A',
    ]);
  });
});
