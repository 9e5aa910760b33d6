// The NetEase wire contract: command names and argument names exactly as Rust expects them
// (Tauri maps camelCase arguments to the commands' snake_case parameters).
import { invoke } from '@tauri-apps/api/core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as netease from './netease';

const invokeMock = vi.mocked(invoke);

describe('netease commands', () => {
  beforeEach(() => invokeMock.mockReset());

  it('names every command and argument as the backend does', async () => {
    await netease.neteaseStatus();
    await netease.neteaseQrStart();
    await netease.neteaseQrCheck('qr-key');
    await netease.neteaseLoginCookie('COOKIE');
    await netease.neteaseLogout();
    await netease.neteaseSetQuality('lossless');
    await netease.neteaseSetMeteredQuality('standard');
    await netease.neteaseSetMeteredQuality(null);
    await netease.neteaseDaily();
    await netease.neteaseFm();
    await netease.neteaseFmTrash('netease:1001');
    await netease.neteasePlaylists();
    await netease.neteasePlaylist(2001, 0, 500);
    await netease.neteaseAlbum({ id: 46558 });
    await netease.neteaseAlbum({ trackId: 'netease:1012' });
    await netease.neteaseArtist({ id: 33776 });
    await netease.neteaseLibrary();
    await netease.neteaseSmsSend('86', '13800138000');
    await netease.neteaseLogin({ kind: 'phonePassword', countryCode: '86', phone: '13800138000', password: 'pw' });
    await netease.neteaseLogin({ kind: 'phoneCode', countryCode: '86', phone: '13800138000', code: '1234' });
    await netease.neteaseLogin({ kind: 'email', email: 'me@163.com', password: 'pw' });
    await netease.neteaseRecent();
    await netease.neteaseCloud();
    await netease.neteaseCharts();
    await netease.neteaseHeartbeat(null);
    await netease.neteaseHeartbeat('netease:1001');
    await netease.neteaseSuggest('夜');
    await netease.neteaseSearchElse('夜曲');
    await netease.neteaseArtistAlbums(33776, 100);
    await netease.neteaseLibraryMore('artists', 100);
    await netease.neteaseCopies(['netease:1013']);
    await netease.neteasePlaylistCreate('Road');
    await netease.neteasePlaylistEdit(7, ['netease:1001'], 'remove');
    await netease.neteaseLiked();
    await netease.neteaseSearch('夜曲');
    await netease.neteaseVerify('https://st.music.163.com/v');
    await netease.neteaseVerify(null);
    await netease.neteaseLoginWindow();
    expect(invokeMock.mock.calls).toEqual([
      ['netease_status'],
      ['netease_qr_start'],
      ['netease_qr_check', { key: 'qr-key' }],
      ['netease_login_cookie', { musicU: 'COOKIE' }],
      ['netease_logout'],
      ['netease_set_quality', { quality: 'lossless' }],
      ['netease_set_metered_quality', { quality: 'standard' }],
      ['netease_set_metered_quality', { quality: null }],
      ['netease_daily'],
      ['netease_fm'],
      ['netease_fm_trash', { trackId: 'netease:1001' }],
      ['netease_playlists'],
      ['netease_playlist', { id: 2001, offset: 0, limit: 500 }],
      ['netease_album', { of: { id: 46558 } }],
      ['netease_album', { of: { trackId: 'netease:1012' } }],
      ['netease_artist', { of: { id: 33776 } }],
      ['netease_library'],
      ['netease_sms_send', { countryCode: '86', phone: '13800138000' }],
      ['netease_login', { login: { kind: 'phonePassword', countryCode: '86', phone: '13800138000', password: 'pw' } }],
      ['netease_login', { login: { kind: 'phoneCode', countryCode: '86', phone: '13800138000', code: '1234' } }],
      ['netease_login', { login: { kind: 'email', email: 'me@163.com', password: 'pw' } }],
      ['netease_recent'],
      ['netease_cloud'],
      ['netease_charts'],
      ['netease_heartbeat', { from: null }],
      ['netease_heartbeat', { from: 'netease:1001' }],
      ['netease_suggest', { query: '夜' }],
      ['netease_search_else', { query: '夜曲' }],
      ['netease_artist_albums', { id: 33776, offset: 100 }],
      ['netease_library_more', { part: 'artists', offset: 100 }],
      ['netease_copies', { trackIds: ['netease:1013'] }],
      ['netease_playlist_create', { name: 'Road' }],
      ['netease_playlist_edit', { playlistId: 7, trackIds: ['netease:1001'], edit: 'remove' }],
      ['netease_liked'],
      ['netease_search', { query: '夜曲' }],
      ['netease_verify', { url: 'https://st.music.163.com/v' }],
      ['netease_verify', { url: null }],
      ['netease_login_window'],
    ]);
  });
});
