// The NetEase wire contract: command names and argument names exactly as Rust expects them.
import { invoke } from '@tauri-apps/api/core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as netease from './netease';

const invokeMock = vi.mocked(invoke);

describe('netease commands', () => {
  beforeEach(() => invokeMock.mockReset());

  it('names every command and argument as the backend does', async () => {
    await netease.neteaseStatus();
    await netease.neteaseQrStart();
    await netease.neteaseQrCheck('k1');
    await netease.neteaseLoginCookie('secret-cookie');
    await netease.neteaseLogout();
    await netease.neteaseSetQuality('lossless');
    await netease.neteaseDaily();
    await netease.neteaseFm();
    await netease.neteaseFmTrash('netease:7');
    await netease.neteasePlaylists();
    await netease.neteasePlaylist(42, 500, 500);
    await netease.neteaseLiked();
    await netease.neteaseSearch('晴天');
    expect(invokeMock.mock.calls).toEqual([
      ['netease_status'],
      ['netease_qr_start'],
      ['netease_qr_check', { key: 'k1' }],
      ['netease_login_cookie', { musicU: 'secret-cookie' }],
      ['netease_logout'],
      ['netease_set_quality', { quality: 'lossless' }],
      ['netease_daily'],
      ['netease_fm'],
      ['netease_fm_trash', { trackId: 'netease:7' }],
      ['netease_playlists'],
      ['netease_playlist', { id: 42, offset: 500, limit: 500 }],
      ['netease_liked'],
      ['netease_search', { query: '晴天' }],
    ]);
  });
});
