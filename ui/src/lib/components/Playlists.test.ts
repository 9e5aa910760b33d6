// The Playlists view, its track list and "Add to playlist", with mocked IPC.
import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync, tick } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import PlaylistsView from './PlaylistsView.svelte';
import TrackList from './TrackList.svelte';
import { player } from '../player.svelte';
import type { PlaylistView } from '../ipc';
import { makeSnapshot, makeTrack } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

function answer(replies: Record<string, unknown>) {
  invokeMock.mockImplementation((cmd: string) => Promise.resolve(replies[cmd]));
}

async function settle() {
  for (let i = 0; i < 5; i++) await tick();
  flushSync();
}

const a = makeTrack({ id: 'local:a', title: '晴天', artists: ['周杰伦'] });
const b = makeTrack({ id: 'local:b', title: '<img src=x onerror=alert(1)>', artists: [] });

const mix: PlaylistView = {
  id: 7,
  name: '<b>Mix</b>',
  items: [
    { itemId: 1, path: '/m/a.flac', title: '周杰伦 - 晴天', track: a },
    { itemId: 2, path: '/m/gone.flac', title: 'Gone - Song', track: null },
    { itemId: 3, path: '/m/b.flac', title: 'b.flac', track: b },
  ],
};

describe('PlaylistsView', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    player.load(makeSnapshot());
  });

  it('lists playlists as text, opens one, shows missing files, plays and edits it', async () => {
    answer({ list_playlists: [{ id: 7, name: '<b>Mix</b>', itemCount: 3 }], get_playlist: mix });
    render(PlaylistsView);
    await settle();
    const entry = screen.getByTestId('playlist-entry');
    expect(entry.textContent).toContain('<b>Mix</b>');
    expect(entry.querySelector('b')).toBeNull();
    await fireEvent.click(entry);
    await settle();
    expect(invokeMock).toHaveBeenCalledWith('get_playlist', { id: 7 });
    expect(screen.getByTestId('playlist-name').textContent).toBe('<b>Mix</b>');
    const rows = screen.getAllByTestId('playlist-row');
    expect(rows.map((r) => within(r).getByTestId('playlist-title').textContent)).toEqual([
      '晴天',
      'Gone - Song',
      '<img src=x onerror=alert(1)>',
    ]);
    expect(document.querySelector('img')).toBeNull();
    expect(rows[1]).toHaveAttribute('data-missing', 'true');
    expect(within(rows[1]!).getByTestId('playlist-missing')).toBeTruthy();

    await fireEvent.click(screen.getByTestId('playlist-play'));
    expect(invokeMock).toHaveBeenLastCalledWith('play_playlist', { id: 7, item: null });
    await fireEvent.dblClick(within(rows[2]!).getByTestId('playlist-title'));
    expect(invokeMock).toHaveBeenLastCalledWith('play_playlist', { id: 7, item: 3 });
    // A missing file plays too: the backend looks for another copy of it.
    await fireEvent.dblClick(within(rows[1]!).getByTestId('playlist-title'));
    expect(invokeMock).toHaveBeenLastCalledWith('play_playlist', { id: 7, item: 2 });
    expect(rows[1]!.getAttribute('title')).toContain('another copy');
    await fireEvent.click(within(rows[0]!).getByTestId('playlist-play-next'));
    expect(invokeMock).toHaveBeenLastCalledWith('enqueue_playlist_items', { id: 7, items: [1], position: 'next' });
    await fireEvent.click(within(rows[2]!).getByTestId('playlist-add-to-queue'));
    expect(invokeMock).toHaveBeenLastCalledWith('enqueue_playlist_items', { id: 7, items: [3], position: 'end' });
    await fireEvent.click(within(rows[1]!).getByTestId('playlist-remove'));
    expect(invokeMock).toHaveBeenCalledWith('remove_from_playlist', { id: 7, items: [2] });
    // Alt+Down moves an item; the playlist is asked for again after the edit.
    invokeMock.mockClear();
    await fireEvent.keyDown(rows[0]!, { key: 'ArrowDown', altKey: true });
    expect(invokeMock).toHaveBeenCalledWith('move_in_playlist', { id: 7, item: 1, to: 1 });
    await settle();
    expect(invokeMock).toHaveBeenCalledWith('get_playlist', { id: 7 });

    // Export both ways, rename, delete (twice: it asks first).
    await fireEvent.click(screen.getByTestId('playlist-export'));
    expect(invokeMock).toHaveBeenLastCalledWith('export_playlist', { id: 7, relative: true });
    await fireEvent.click(screen.getByTestId('playlist-export-absolute'));
    expect(invokeMock).toHaveBeenLastCalledWith('export_playlist', { id: 7, relative: false });
    await fireEvent.click(screen.getByTestId('playlist-rename'));
    const input = screen.getByTestId('playlist-rename-input');
    await fireEvent.input(input, { target: { value: ' Road ' } });
    await fireEvent.submit(input.closest('form')!);
    expect(invokeMock).toHaveBeenCalledWith('rename_playlist', { id: 7, name: 'Road' });
    await settle();
    await fireEvent.click(screen.getByTestId('playlist-delete'));
    expect(invokeMock).not.toHaveBeenCalledWith('delete_playlist', { id: 7 });
    await fireEvent.click(screen.getByTestId('playlist-delete'));
    expect(invokeMock).toHaveBeenCalledWith('delete_playlist', { id: 7 });
  });

  it('drags an item to a new place', async () => {
    answer({ list_playlists: [{ id: 7, name: 'Mix', itemCount: 3 }], get_playlist: mix });
    render(PlaylistsView);
    await settle();
    await fireEvent.click(screen.getByTestId('playlist-entry'));
    await settle();
    const rows = screen.getAllByTestId('playlist-row');
    const title = within(rows[0]!).getByTestId('playlist-title');
    // jsdom has no layout: rows are 32 px apart from y = 0.
    await fireEvent.pointerDown(title, { button: 0, pointerId: 1, clientY: 10 });
    await fireEvent.pointerMove(title, { pointerId: 1, buttons: 1, clientY: 40 });
    await fireEvent.pointerMove(title, { pointerId: 1, buttons: 1, clientY: 90 });
    await fireEvent.pointerUp(title, { pointerId: 1, clientY: 90 });
    expect(invokeMock).toHaveBeenCalledWith('move_in_playlist', { id: 7, item: 1, to: 2 });
  });

  it('creates a playlist and imports one, listing the lines that matched no file', async () => {
    answer({
      list_playlists: [],
      create_playlist: { id: 9, name: 'New', itemCount: 0 },
      get_playlist: { id: 9, name: 'New', items: [] },
      import_playlist: {
        playlist: { id: 9, name: 'New', itemCount: 0 },
        unmatched: [{ line: 3, text: '<script>x</script>.flac' }],
      },
    });
    render(PlaylistsView);
    await settle();
    expect(screen.getByTestId('playlists-empty')).toBeTruthy();
    const name = screen.getByTestId('playlist-new-name');
    await fireEvent.input(name, { target: { value: 'Road trip' } });
    await fireEvent.submit(name.closest('form')!);
    expect(invokeMock).toHaveBeenCalledWith('create_playlist', { name: 'Road trip', trackIds: [] });
    await settle();
    expect(screen.getByTestId('playlist-empty')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('playlists-back'));
    await fireEvent.click(screen.getByTestId('playlist-import'));
    expect(invokeMock).toHaveBeenCalledWith('import_playlist');
    await settle();
    const unmatched = screen.getByTestId('playlist-unmatched');
    expect(unmatched.textContent).toContain('<script>x</script>.flac');
    expect(unmatched.querySelector('script')).toBeNull();
  });
});

describe('Add to playlist', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    player.load(makeSnapshot());
  });

  it('adds a track from the context menu to a playlist or a new one', async () => {
    answer({ list_playlists: [{ id: 7, name: 'Mix', itemCount: 3 }] });
    render(TrackList, { tracks: [a, b], currentId: null, status: null, label: 'Tracks' });
    const row = screen.getAllByTestId('track-row')[0]!;
    await fireEvent.contextMenu(row, { clientX: 10, clientY: 10 });
    await fireEvent.click(screen.getByTestId('menu-add-to-playlist'));
    await settle();
    await fireEvent.click(screen.getByTestId('menu-playlist'));
    expect(invokeMock).toHaveBeenCalledWith('add_to_playlist', { id: 7, trackIds: ['local:a'], position: null });
    await settle();
    await fireEvent.contextMenu(screen.getAllByTestId('track-row')[1]!, { clientX: 10, clientY: 10 });
    await fireEvent.click(screen.getByTestId('menu-add-to-playlist'));
    await settle();
    await fireEvent.click(screen.getByTestId('menu-new-playlist'));
    expect(invokeMock).toHaveBeenCalledWith('create_playlist', { name: 'New playlist', trackIds: ['local:b'] });
  });
});
