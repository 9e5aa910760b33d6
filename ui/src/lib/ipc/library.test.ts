import { invoke } from '@tauri-apps/api/core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { library } from './index';

const invokeMock = vi.mocked(invoke);

describe('library commands', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  it('name the Rust commands and their arguments', async () => {
    await library.addLibraryFolder();
    expect(invokeMock).toHaveBeenLastCalledWith('add_library_folder', { path: null });
    await library.addLibraryFolder('/music/晴天');
    expect(invokeMock).toHaveBeenLastCalledWith('add_library_folder', { path: '/music/晴天' });
    await library.removeLibraryFolder('/nas');
    expect(invokeMock).toHaveBeenLastCalledWith('remove_library_folder', { path: '/nas' });
    await library.cancelScan();
    expect(invokeMock).toHaveBeenLastCalledWith('cancel_scan');
    await library.getScanProblems();
    expect(invokeMock).toHaveBeenLastCalledWith('get_scan_problems');
    await library.listAlbums();
    expect(invokeMock).toHaveBeenLastCalledWith('list_albums');
    await library.listArtists();
    expect(invokeMock).toHaveBeenLastCalledWith('list_artists');
    await library.recentlyAdded();
    expect(invokeMock).toHaveBeenLastCalledWith('recently_added');
    await library.playLibraryTracks(['local:a', 'local:b']);
    expect(invokeMock).toHaveBeenLastCalledWith('play_library_tracks', { ids: ['local:a', 'local:b'] });
  });

  it('pass the answers through', async () => {
    invokeMock.mockResolvedValueOnce([{ path: '/m/x.flac', reason: 'empty file (0 bytes)' }]);
    await expect(library.getScanProblems()).resolves.toEqual([{ path: '/m/x.flac', reason: 'empty file (0 bytes)' }]);
    invokeMock.mockRejectedValueOnce('the library has shut down');
    await expect(library.listAlbums()).rejects.toBe('the library has shut down');
  });
});
