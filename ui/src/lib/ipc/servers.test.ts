// The servers' wire contract: command names and argument names exactly as Rust expects them.
import { invoke } from '@tauri-apps/api/core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as servers from './servers';
import { makeTrack } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

describe('servers commands', () => {
  beforeEach(() => invokeMock.mockReset());

  it('names every command and argument as the backend does', async () => {
    const input = {
      id: '',
      name: 'Home',
      baseUrl: 'http://127.0.0.1:4040',
      user: 'ann',
      auth: 'password' as const,
      secret: 'pw',
      certificatePin: null,
      legacyPasswordAuth: false,
      enabled: true,
    };
    const track = makeTrack({ id: 'subsonic:s1:42', source: 'subsonic' });
    await servers.saveServer(input);
    await servers.removeServer('s1');
    await servers.testServer(input);
    await servers.setSourceOrder(['subsonic:s1', 'library']);
    await servers.browseServer('s1', { kind: 'search', query: '晴天' });
    await servers.playTracks([track.id]);
    await servers.enqueueTracks([track.id], 'next');
    await servers.useCandidate('local:1', 'subsonic:s1/subsonic:s1:42');
    expect(invokeMock.mock.calls).toEqual([
      ['save_server', { server: input }],
      ['remove_server', { id: 's1' }],
      ['test_server', { server: input }],
      ['set_source_order', { order: ['subsonic:s1', 'library'] }],
      ['browse_server', { server: 's1', request: { kind: 'search', query: '晴天' } }],
      ['play_tracks', { ids: ['subsonic:s1:42'] }],
      ['enqueue_tracks', { ids: ['subsonic:s1:42'], position: 'next' }],
      ['use_candidate', { track: 'local:1', candidate: 'subsonic:s1/subsonic:s1:42' }],
    ]);
  });
});
