// The Folders view with mocked IPC: roots, sub-folders, a folder's tracks, whole-folder actions.
import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync, tick } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import FoldersView from './FoldersView.svelte';
import { player } from '../player.svelte';
import type { FolderView } from '../ipc';
import { makeSnapshot, makeTrack, libraryOf, libraryReads } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

function answer(replies: Record<string, unknown>) {
  // Library reads (an album's or a folder's tracks by id) come from the fake actor.
  invokeMock.mockImplementation((cmd: string, args?: unknown) => libraryReads(cmd, args) ?? Promise.resolve(replies[cmd]));
}

async function settle() {
  for (let i = 0; i < 3; i++) await tick();
  flushSync();
}

const tracks = [
  makeTrack({ id: 'local:1', title: 'Loose' }),
  makeTrack({ id: 'local:2', title: 'Side A' }),
  makeTrack({ id: 'local:3', title: 'Side B' }),
  makeTrack({ id: 'local:4', title: 'Bonus' }),
  makeTrack({ id: 'demo:1', title: 'Demo song' }),
];

function folder(name: string, trackIds: string[], folders: FolderView[] = [], demo = false): FolderView {
  const below = folders.reduce((n, f) => n + f.trackCount, 0);
  return { name, demo, folders, trackIds, trackCount: trackIds.length + below };
}

const tree: FolderView[] = [
  folder('/opt/lyrebird/demo', ['demo:1'], [], true),
  folder('/home/u/Music', ['local:1'], [
    folder('<img src=x onerror=alert(1)>', ['local:2', 'local:3'], [folder('Extras', ['local:4'])]),
  ]),
];

describe('FoldersView', () => {
  beforeEach(() => invokeMock.mockReset());

  it('lists the roots, opens folders, and plays or queues a whole folder', async () => {
    answer({ list_folders: tree });
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(FoldersView);
    await settle();
    const names = () => screen.getAllByTestId('folder-name').map((el) => el.textContent);
    expect(names()).toEqual(['Demo', '/home/u/Music']);

    // A row's own buttons act on the whole folder, sub-folders included, in order.
    const rows = screen.getAllByTestId('folder-row');
    await fireEvent.click(within(rows[1]!).getByTestId('folder-row-play'));
    expect(invokeMock).toHaveBeenLastCalledWith('play_library_tracks', {
      ids: ['local:1', 'local:2', 'local:3', 'local:4'],
    });
    await fireEvent.click(within(rows[0]!).getByTestId('folder-row-add-to-queue'));
    expect(invokeMock).toHaveBeenLastCalledWith('enqueue', { ids: ['demo:1'], position: 'end' });

    await fireEvent.click(within(rows[1]!).getByTestId('folder-open'));
    expect(screen.getByTestId('folders-heading')).toHaveTextContent('/home/u/Music');
    // Its sub-folder (a hostile name, shown as text) and its own track.
    expect(names()).toEqual(['<img src=x onerror=alert(1)>']);
    expect(document.querySelector('img[src="x"]')).toBeNull();
    expect(screen.getAllByTestId('track-title').map((el) => el.textContent)).toEqual(['Loose']);

    await fireEvent.click(screen.getByTestId('folder-open'));
    expect(screen.getByTestId('folders-heading')).toHaveTextContent('<img src=x onerror=alert(1)>');
    expect(names()).toEqual(['Extras']);
    expect(screen.getAllByTestId('track-title').map((el) => el.textContent)).toEqual(['Side A', 'Side B']);
    await fireEvent.click(screen.getByTestId('folder-play-next'));
    expect(invokeMock).toHaveBeenLastCalledWith('enqueue', {
      ids: ['local:2', 'local:3', 'local:4'],
      position: 'next',
    });
    await fireEvent.click(screen.getByTestId('folder-add-to-queue'));
    expect(invokeMock).toHaveBeenLastCalledWith('enqueue', {
      ids: ['local:2', 'local:3', 'local:4'],
      position: 'end',
    });
    await fireEvent.click(screen.getByTestId('folder-play'));
    expect(invokeMock).toHaveBeenLastCalledWith('play_library_tracks', { ids: ['local:2', 'local:3', 'local:4'] });

    // The trail goes back up.
    const trail = screen.getByTestId('folders-trail');
    await fireEvent.click(within(trail).getByText('/home/u/Music'));
    expect(screen.getByTestId('folders-heading')).toHaveTextContent('/home/u/Music');
    await fireEvent.click(screen.getByTestId('folders-all'));
    expect(names()).toEqual(['Demo', '/home/u/Music']);
  });

  it('keeps its place when the library changes, and says when there are no folders', async () => {
    answer({ list_folders: tree });
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(FoldersView);
    await settle();
    await fireEvent.click(within(screen.getAllByTestId('folder-row')[1]!).getByTestId('folder-open'));
    answer({ list_folders: [folder('/home/u/Music', ['local:1'])] });
    player.load(makeSnapshot({ library: libraryOf(tracks.slice(0, 2)) }));
    await settle();
    expect(screen.getByTestId('folders-heading')).toHaveTextContent('/home/u/Music');
    expect(screen.queryAllByTestId('folder-row')).toHaveLength(0);

    answer({ list_folders: [] });
    player.load(makeSnapshot({ library: libraryOf([]) }));
    await settle();
    expect(screen.getByTestId('folders-empty')).toBeInTheDocument();
  });
});
