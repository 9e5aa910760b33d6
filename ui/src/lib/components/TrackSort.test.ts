// The songs list's sortable columns: click a header to sort by it, again to reverse; the rows
// play and queue the track they show; the album view keeps its disc and track order.
import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import LibraryView from './LibraryView.svelte';
import TrackList from './TrackList.svelte';
import { player } from '../player.svelte';
import { makeSnapshot, makeTrack, libraryOf, libraryReads } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

/** Clicks, then lets the column's values and the sorted rows arrive from the (fake) backend. */
async function click(element: HTMLElement) {
  await fireEvent.click(element);
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

function shownTitles(): string[] {
  return screen.getAllByTestId('track-title').map((el) => el.textContent ?? '');
}

const tracks = [
  makeTrack({ id: 'local:b', title: 'Bravo', artists: ['Zed'], album: 'Middle', durationMs: 300_000 }),
  makeTrack({ id: 'local:c', title: 'charlie', artists: ['Amy'], album: null, durationMs: 100_000 }),
  makeTrack({ id: 'local:a', title: 'Alpha', artists: ['Mo'], album: 'Zenith', durationMs: 200_000 }),
  makeTrack({ id: 'local:q', title: '晴天', artists: ['周杰伦'], album: '叶惠美', durationMs: null }),
];

describe('sortable songs list', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockImplementation((cmd, args) => libraryReads(cmd, args) ?? Promise.resolve(undefined));
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
  });

  it('starts in library order, sorts by a clicked column, and reverses on a second click', async () => {
    render(LibraryView);
    expect(shownTitles()).toEqual(['Bravo', 'charlie', 'Alpha', '晴天']);

    const title = screen.getByTestId('sort-title');
    expect(title).toHaveAccessibleName('Sort by Title');
    await click(title);
    expect(shownTitles()).toEqual(['Alpha', 'Bravo', 'charlie', '晴天']);
    expect(title).toHaveAttribute('data-sort', 'ascending');
    expect(title).toHaveAccessibleName('Title, sorted ascending (click to reverse)');
    await click(title);
    expect(shownTitles()).toEqual(['晴天', 'charlie', 'Bravo', 'Alpha']);
    expect(title).toHaveAttribute('data-sort', 'descending');

    // Another column starts ascending; tracks without a value go last.
    await click(screen.getByTestId('sort-album'));
    expect(title).not.toHaveAttribute('data-sort');
    expect(shownTitles()).toEqual(['Bravo', 'Alpha', '晴天', 'charlie']);
    await click(screen.getByTestId('sort-duration'));
    expect(shownTitles()).toEqual(['charlie', 'Alpha', 'Bravo', '晴天']);
    await click(screen.getByTestId('sort-duration'));
    expect(shownTitles()).toEqual(['Bravo', 'Alpha', 'charlie', '晴天']);
    await click(screen.getByTestId('sort-artist'));
    expect(shownTitles()).toEqual(['charlie', 'Alpha', 'Bravo', '晴天']);
  });

  it('plays and queues the track a sorted row shows', async () => {
    render(LibraryView);
    await click(screen.getByTestId('sort-title'));
    const first = screen.getAllByTestId('track-row')[0]!;
    expect(first).toHaveAttribute('data-track-id', 'local:a');
    await fireEvent.dblClick(within(first).getByTestId('track-title'));
    expect(invokeMock).toHaveBeenLastCalledWith('play_library_track', { id: 'local:a' });
    await click(within(screen.getAllByTestId('track-row')[1]!).getByTestId('track-add-to-queue'));
    expect(invokeMock).toHaveBeenLastCalledWith('enqueue', { ids: ['local:b'], position: 'end' });
  });

  it('renders only a window of rows when 100 000 tracks are sorted', async () => {
    const many = Array.from({ length: 100_000 }, (_, i) =>
      makeTrack({ id: `local:${i}`, title: `Song ${(i * 7919) % 100_000}` }),
    );
    player.load(makeSnapshot({ library: libraryOf(many) }));
    render(LibraryView);
    await click(screen.getByTestId('sort-title'));
    const rows = screen.getAllByTestId('track-row');
    expect(rows.length).toBeLessThan(100);
    expect(shownTitles()[0]).toBe('Song 0');
    expect(shownTitles()[1]).toBe('Song 1');
    expect(shownTitles()[2]).toBe('Song 10');
  });

  it('shows and sorts by year, genre, audio format and bitrate in the songs list', async () => {
    const detailed = [
      makeTrack({ id: 'local:f', title: 'Flac', year: 1999, genre: 'Jazz', codec: 'FLAC', sampleRate: 96_000, bitDepth: 24, bitrate: 2_900, channels: 2 }),
      makeTrack({ id: 'local:m', title: 'Mp3', year: 2021, genre: 'Rock', codec: 'MP3', sampleRate: 44_100, bitrate: 320, channels: 2 }),
      makeTrack({ id: 'local:n', title: 'None' }),
      makeTrack({ id: 'local:g', title: 'Flac CD', year: 1985, codec: 'FLAC', sampleRate: 44_100, bitDepth: 16, bitrate: 900, channels: 1 }),
    ];
    player.load(makeSnapshot({ library: libraryOf(detailed) }));
    render(LibraryView);
    expect(screen.getAllByTestId('track-format').map((el) => el.textContent)).toEqual([
      'FLAC 96/24',
      'MP3 44.1',
      '',
      'FLAC 44.1/16',
    ]);
    expect(screen.getAllByTestId('track-format')[0]).toHaveAttribute('title', 'FLAC 96/24 · 2 channels · 2900 kbit/s');
    expect(screen.getAllByTestId('track-year').map((el) => el.textContent)).toEqual(['1999', '2021', '', '1985']);
    await click(screen.getByTestId('sort-year'));
    expect(shownTitles()).toEqual(['Flac CD', 'Flac', 'Mp3', 'None']);
    await click(screen.getByTestId('sort-genre'));
    // (Without a genre: last, in library order.)
    expect(shownTitles()).toEqual(['Flac', 'Mp3', 'None', 'Flac CD']);
    await click(screen.getByTestId('sort-format'));
    expect(shownTitles()).toEqual(['Flac CD', 'Flac', 'Mp3', 'None']);
    await click(screen.getByTestId('sort-bitrate'));
    await click(screen.getByTestId('sort-bitrate'));
    expect(shownTitles()).toEqual(['Flac', 'Flac CD', 'Mp3', 'None']);
  });

  it('has no sort buttons where the order matters (an album)', () => {
    render(TrackList, { tracks, currentId: null, status: null, label: 'Album' });
    expect(screen.queryByTestId('sort-title')).toBeNull();
    expect(screen.queryByTestId('track-format')).toBeNull();
    expect(shownTitles()).toEqual(['Bravo', 'charlie', 'Alpha', '晴天']);
  });
});
