// The wire contract: command names and argument names exactly as the Rust side expects them.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as commands from './commands';
import { onPlayerEvent, PLAYER_EVENT } from './events';
import type { PlayerEvent } from './bindings/PlayerEvent';

const invokeMock = vi.mocked(invoke);

const DESKTOP = {
  closeToTray: false,
  startInTray: true,
  notifyTrackChange: true,
  miniAlwaysOnTop: false,
  lyricsClickThrough: true,
  appearance: { theme: 'dark' as const, accent: 'teal' as const },
  shortcuts: { enabled: true, playPause: 'Ctrl+Alt+P', next: '', previous: '', volumeUp: '', volumeDown: '', showWindow: '' },
};

describe('commands', () => {
  beforeEach(() => invokeMock.mockClear());

  it.each([
    ['get_snapshot', () => commands.getSnapshot(), undefined],
    ['play_library_track', () => commands.playLibraryTrack('local:1'), { id: 'local:1' }],
    ['search_library', () => commands.searchLibrary('杰伦'), { query: '杰伦' }],
    ['get_lyrics', () => commands.getLyrics('local:1'), { id: 'local:1' }],
    ['cover_colors', () => commands.coverColors('local:1'), { id: 'local:1', art: null }],
    ['cover_colors', () => commands.coverColors('subsonic:a:1', 'al-9'), { id: 'subsonic:a:1', art: 'al-9' }],
    ['play_queue_index', () => commands.playQueueIndex(4), { index: 4 }],
    ['play_queue_entry', () => commands.playQueueEntry(17), { entry: 17 }],
    ['toggle_pause', () => commands.togglePause(), undefined],
    ['play', () => commands.play(), undefined],
    ['pause', () => commands.pause(), undefined],
    ['stop', () => commands.stop(), undefined],
    ['next', () => commands.next(), undefined],
    ['previous', () => commands.previous(), undefined],
    ['seek', () => commands.seek(12_345.6), { positionMs: 12_346 }],
    ['set_volume', () => commands.setVolume(0.25), { volume: 0.25 }],
    ['retry_audio_device', () => commands.retryAudioDevice(), undefined],
    ['refresh_output_devices', () => commands.refreshOutputDevices(), undefined],
    ['set_output_device', () => commands.setOutputDevice('alsa:hw:1,0'), { id: 'alsa:hw:1,0' }],
    ['set_output_device', () => commands.setOutputDevice(null), { id: null }],
    ['set_locale', () => commands.setLocale('zh-CN'), { locale: 'zh-CN' }],
    ['set_replay_gain', () => commands.setReplayGain('album'), { mode: 'album' }],
    ['set_crossfade', () => commands.setCrossfade(5000), { ms: 5000 }],
    ['set_muted', () => commands.setMuted(true), { muted: true }],
    ['set_sleep_timer', () => commands.setSleepTimer(30), { minutes: 30 }],
    ['set_sleep_timer', () => commands.setSleepTimer(null), { minutes: null }],
    ['enqueue', () => commands.enqueue(['local:1', 'local:2'], 'next'), { ids: ['local:1', 'local:2'], position: 'next' }],
    ['enqueue', () => commands.enqueue(['local:3'], 'end'), { ids: ['local:3'], position: 'end' }],
    ['remove_from_queue', () => commands.removeFromQueue([7, 12]), { entries: [7, 12] }],
    ['move_in_queue', () => commands.moveInQueue(7, 3), { entry: 7, to: 3 }],
    ['clear_queue', () => commands.clearQueue(), undefined],
    ['queue_rows', () => commands.queueRows(64, 128), { start: 64, end: 128 }],
    ['set_play_mode', () => commands.setPlayMode('repeatOne'), { mode: 'repeatOne' }],
    ['set_stop_after_current', () => commands.setStopAfterCurrent(true), { on: true }],
    [
      'set_desktop_settings',
      () => commands.setDesktopSettings(DESKTOP),
      { desktop: DESKTOP },
    ],
    [
      'set_lyrics_settings',
      () => commands.setLyricsSettings({ translation: false, romanization: true, fromNetease: false }),
      { lyrics: { translation: false, romanization: true, fromNetease: false } },
    ],
    ['show_main_window', () => commands.showMainWindow(), undefined],
    ['open_mini_player', () => commands.openMiniPlayer(), undefined],
    ['close_mini_player', () => commands.closeMiniPlayer(), undefined],
    ['set_desktop_lyrics', () => commands.setDesktopLyrics(true), { on: true }],
    [
      'remember_view',
      () => commands.rememberView({ view: 'queue', scroll: [['queue', 120]] }),
      { view: { view: 'queue', scroll: [['queue', 120]] } },
    ],
  ] as const)('%s', async (name, call, args) => {
    await call();
    expect(invokeMock).toHaveBeenCalledTimes(1);
    if (args === undefined) expect(invokeMock).toHaveBeenCalledWith(name);
    else expect(invokeMock).toHaveBeenCalledWith(name, args);
  });

  it('keeps seek and volume in range', async () => {
    await commands.seek(-10);
    await commands.setVolume(1.7);
    await commands.setVolume(-1);
    expect(invokeMock.mock.calls).toEqual([
      ['seek', { positionMs: 0 }],
      ['set_volume', { volume: 1 }],
      ['set_volume', { volume: 0 }],
    ]);
  });

  it('keeps crossfade whole and within 0..=12 s', async () => {
    await commands.setCrossfade(-5);
    await commands.setCrossfade(2499.6);
    await commands.setCrossfade(60_000);
    expect(invokeMock.mock.calls).toEqual([
      ['set_crossfade', { ms: 0 }],
      ['set_crossfade', { ms: 2500 }],
      ['set_crossfade', { ms: 12_000 }],
    ]);
  });

  it('keeps move targets whole and non-negative', async () => {
    await commands.moveInQueue(3, -1);
    await commands.moveInQueue(3, 2.4);
    expect(invokeMock.mock.calls).toEqual([
      ['move_in_queue', { entry: 3, to: 0 }],
      ['move_in_queue', { entry: 3, to: 2 }],
    ]);
  });

  it('passes rejections through', async () => {
    invokeMock.mockRejectedValueOnce('no such track');
    await expect(commands.playLibraryTrack('local:x')).rejects.toBe('no such track');
  });

  it('builds cover URLs with the lyrebird-cover protocol, small by default', () => {
    expect(commands.coverUrl('local:ab/cd')).toBe('lyrebird-cover://localhost/local%3Aab%2Fcd?size=small');
    expect(commands.coverUrl('local:ab', 'large')).toBe('lyrebird-cover://localhost/local%3Aab?size=large');
    expect(commands.coverUrl('local:ab', 'original')).toBe('lyrebird-cover://localhost/local%3Aab');
    expect(commands.coverUrl('subsonic:s:1', 'small', 'al 9&x')).toBe(
      'lyrebird-cover://localhost/subsonic%3As%3A1?size=small&art=al%209%26x',
    );
  });
});

describe('events', () => {
  it('listens to lyrebird://player and hands over the payload', async () => {
    const listenMock = vi.mocked(listen);
    const unlisten = vi.fn();
    listenMock.mockImplementationOnce(async (_name, handler) => {
      handler({ event: PLAYER_EVENT, id: 1, payload: { type: 'notice', payload: { kind: 'allTracksFailed' } } });
      return unlisten;
    });
    const seen: PlayerEvent[] = [];
    const stop = await onPlayerEvent((e) => seen.push(e));
    expect(listenMock).toHaveBeenCalledWith('lyrebird://player', expect.any(Function));
    expect(seen).toEqual([{ type: 'notice', payload: { kind: 'allTracksFailed' } }]);
    stop();
    expect(unlisten).toHaveBeenCalled();
  });
});
