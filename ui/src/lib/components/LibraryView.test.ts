import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import LibraryView from './LibraryView.svelte';
import { player } from '../player.svelte';
import { makeSnapshot, makeTrack, playingSnapshot } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

function library(count: number) {
  return Array.from({ length: count }, (_, i) =>
    makeTrack({
      id: `local:t${i}`,
      title: `Song ${i}`,
      artists: i % 2 ? ['Alpha', 'Beta'] : ['Gamma'],
      album: i % 3 ? `Album ${i % 3}` : null,
      durationMs: 60_000 + i * 1000,
    }),
  );
}

function rows() {
  return screen.getAllByTestId('track-row');
}

describe('LibraryView', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  it('lists title, artists, album and duration', () => {
    const tracks = library(3);
    player.load(makeSnapshot({ library: { tracks, scanning: false } }));
    render(LibraryView);
    expect(rows()).toHaveLength(3);
    const second = rows()[1]!;
    expect(second).toHaveAttribute('data-track-id', 'local:t1');
    expect(within(second).getByTestId('track-title')).toHaveTextContent('Song 1');
    expect(second).toHaveTextContent('Alpha, Beta');
    expect(second).toHaveTextContent('Album 1');
    expect(second).toHaveTextContent('1:01');
    expect(screen.getByText('3 tracks')).toBeInTheDocument();
  });

  it('marks the playing track', () => {
    const tracks = library(4);
    player.load(playingSnapshot(tracks, 2));
    render(LibraryView);
    const playing = rows().filter((r) => r.getAttribute('data-playing') === 'true');
    expect(playing).toHaveLength(1);
    expect(playing[0]).toHaveAttribute('data-track-id', 'local:t2');
    expect(rows()[0]).not.toHaveAttribute('data-playing');
  });

  it('plays a track on double click', async () => {
    const tracks = library(3);
    player.load(makeSnapshot({ library: { tracks, scanning: false } }));
    render(LibraryView);
    await fireEvent.dblClick(within(rows()[1]!).getByTestId('track-title'));
    expect(invokeMock).toHaveBeenCalledWith('play_library_track', { id: 'local:t1' });
    expect(invokeMock).toHaveBeenCalledTimes(1);
  });

  it('plays a track with its play button, once even on double click', async () => {
    const tracks = library(3);
    player.load(makeSnapshot({ library: { tracks, scanning: false } }));
    render(LibraryView);
    const button = within(rows()[2]!).getByRole('button', { name: 'Play Song 2' });
    await fireEvent.click(button);
    await fireEvent.dblClick(button);
    expect(invokeMock.mock.calls).toEqual([['play_library_track', { id: 'local:t2' }]]);
  });

  it('is keyboard accessible: arrows move, Enter plays', async () => {
    const tracks = library(5);
    player.load(makeSnapshot({ library: { tracks, scanning: false } }));
    render(LibraryView);
    const listbox = screen.getByRole('listbox', { name: 'Tracks' });
    const first = rows()[0]!;
    expect(first).toHaveAttribute('tabindex', '0');
    expect(rows()[1]).toHaveAttribute('tabindex', '-1');
    first.focus();
    await fireEvent.keyDown(first, { key: 'ArrowDown' });
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement).toHaveAttribute('data-track-id', 'local:t2');
    expect(within(listbox).getByRole('option', { selected: true })).toHaveAttribute('data-track-id', 'local:t2');
    await fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(document.activeElement).toHaveAttribute('data-track-id', 'local:t4');
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement).toHaveAttribute('data-track-id', 'local:t4');
    await fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    await fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(invokeMock).toHaveBeenCalledWith('play_library_track', { id: 'local:t1' });
  });

  it('renders a hostile title as literal text', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const tracks = [makeTrack({ id: 'local:evil', title: hostile, artists: ['<script>alert(1)</script>'] })];
    player.load(makeSnapshot({ library: { tracks, scanning: false } }));
    const { container } = render(LibraryView);
    const title = screen.getByTestId('track-title');
    expect(title.textContent).toBe(hostile);
    expect(title.children).toHaveLength(0);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(screen.getByText('<script>alert(1)</script>')).toBeInTheDocument();
  });

  it('shows Scanning… while the library is scanned', () => {
    player.load(makeSnapshot({ library: { tracks: [], scanning: true } }));
    render(LibraryView);
    expect(screen.getByTestId('library-scanning')).toHaveTextContent('Scanning…');
    expect(screen.queryByTestId('library-empty')).toBeNull();
  });

  it('shows an empty state when there are no tracks', () => {
    player.load(makeSnapshot());
    render(LibraryView);
    expect(screen.getByTestId('library-empty')).toBeInTheDocument();
    expect(screen.queryByTestId('library-scanning')).toBeNull();
    expect(screen.queryAllByTestId('track-row')).toHaveLength(0);
  });

  it('follows library events', () => {
    player.load(makeSnapshot({ library: { tracks: [], scanning: true } }));
    render(LibraryView);
    player.receive({ type: 'library', payload: { tracks: library(2), scanning: false } });
    flushSync();
    expect(rows()).toHaveLength(2);
    expect(screen.queryByTestId('library-scanning')).toBeNull();
  });

  it('renders only a window of a large library', () => {
    const tracks = library(5000);
    player.load(playingSnapshot(tracks, 4000));
    render(LibraryView);
    const rendered = rows();
    expect(rendered.length).toBeGreaterThan(10);
    expect(rendered.length).toBeLessThan(100);
    expect(screen.getByRole('listbox')).toBeInTheDocument();
    expect(rendered[0]).toHaveAttribute('aria-setsize', '5000');
  });

  it('keeps the focused row mounted and reaches the end of a large library', async () => {
    const tracks = library(5000);
    player.load(makeSnapshot({ library: { tracks, scanning: false } }));
    render(LibraryView);
    rows()[0]!.focus();
    await fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(document.activeElement).toHaveAttribute('data-track-id', 'local:t4999');
    expect(document.activeElement).toHaveAttribute('aria-posinset', '5000');
  });
});
