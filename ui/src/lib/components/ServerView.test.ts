import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import ServerView from './ServerView.svelte';
import { player } from '../player.svelte';
import type { BrowsePage, ServerSettings } from '../ipc/servers';
import { makeSnapshot, makeTrack } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

const HOME: ServerSettings = {
  id: 's1',
  name: 'Home',
  baseUrl: 'http://127.0.0.1:4040',
  user: 'ann',
  auth: 'password',
  certificatePin: null,
  legacyPasswordAuth: false,
  enabled: true,
  secretStorage: 'keyring',
};

function load(servers: ServerSettings[]) {
  const snapshot = makeSnapshot();
  player.load({ ...snapshot, settings: { ...snapshot.settings, sources: { servers, order: [] } } });
}

function page(overrides: Partial<BrowsePage> = {}): BrowsePage {
  return { title: null, tracks: [], albums: [], artists: [], playlists: [], ...overrides };
}

const SONG = makeTrack({ id: 'subsonic:s1:42', source: 'subsonic', title: '<b>晴天</b>', artists: ['周杰伦'] });

describe('ServerView', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  it('says how to add a server when none is enabled', () => {
    load([{ ...HOME, enabled: false }]);
    render(ServerView);
    expect(screen.getByTestId('server-none')).toBeTruthy();
  });

  it('searches, shows the songs as text, plays and queues them', async () => {
    load([HOME]);
    const { container } = render(ServerView);
    invokeMock.mockResolvedValueOnce(page({ tracks: [SONG], albums: [{ id: 'al1', name: '叶惠美', artist: '周杰伦', year: 2003, songCount: 11 }] }));
    await fireEvent.input(screen.getByTestId('server-search'), { target: { value: ' 晴 ' } });
    await fireEvent.submit(screen.getByTestId('server-search').closest('form')!);
    expect(invokeMock).toHaveBeenCalledWith('browse_server', { server: 's1', request: { kind: 'search', query: '晴' } });
    await waitFor(() => expect(screen.getAllByTestId('server-track')).toHaveLength(1));
    expect(screen.getByTestId('server-track-title').textContent).toBe('<b>晴天</b>');
    expect(container.querySelector('b')).toBeNull();

    await fireEvent.click(screen.getByTestId('server-track-play'));
    expect(invokeMock).toHaveBeenLastCalledWith('play_tracks', { ids: [SONG.id] });
    await fireEvent.click(screen.getByTestId('server-track-queue'));
    expect(invokeMock).toHaveBeenLastCalledWith('enqueue_tracks', { ids: [SONG.id], position: 'end' });

    // An album opens its own page.
    invokeMock.mockResolvedValueOnce(page({ title: '叶惠美', tracks: [SONG] }));
    await fireEvent.click(screen.getByTestId('server-album'));
    expect(invokeMock).toHaveBeenLastCalledWith('browse_server', { server: 's1', request: { kind: 'album', id: 'al1' } });
    await waitFor(() => expect(screen.getByTestId('server-page-title').textContent).toBe('叶惠美'));
  });

  it('lists playlists and starred, keeps only the latest answer, and reports errors', async () => {
    load([HOME]);
    render(ServerView);
    let answerSlow: (p: BrowsePage) => void = () => {};
    invokeMock.mockImplementationOnce(() => new Promise((done) => (answerSlow = done as (p: BrowsePage) => void)));
    await fireEvent.click(screen.getByTestId('server-tab-playlists'));
    invokeMock.mockResolvedValueOnce(page({ tracks: [SONG] }));
    await fireEvent.click(screen.getByTestId('server-tab-starred'));
    expect(invokeMock).toHaveBeenLastCalledWith('browse_server', { server: 's1', request: { kind: 'starred' } });
    await waitFor(() => expect(screen.getAllByTestId('server-track')).toHaveLength(1));
    answerSlow(page({ playlists: [{ id: 'p1', name: 'Late', songCount: 1 }] }));
    await new Promise((r) => setTimeout(r, 10));
    expect(screen.queryByTestId('server-playlist')).toBeNull();

    invokeMock.mockRejectedValueOnce('the server at 127.0.0.1:4040 is down or unreachable (connection refused)');
    await fireEvent.click(screen.getByTestId('server-tab-albums'));
    await waitFor(() => expect(screen.getByTestId('server-error').textContent).toContain('down or unreachable'));
  });
});
