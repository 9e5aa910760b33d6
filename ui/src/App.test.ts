import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { en } from './lib/i18n/en';
import { zhCN } from './lib/i18n/zh-CN';
import { player } from './lib/player.svelte';
import { resetViewMemory } from './lib/viewMemory';
import { queueViewOf, makeTrack, playingSnapshot } from './test/fixtures';

const invokeMock = vi.mocked(invoke);

function englishSnapshot() {
  const tracks = [makeTrack({ title: 'First' }), makeTrack({ title: 'Second' })];
  return playingSnapshot(tracks, 0);
}

describe('App', () => {
  beforeEach(() => {
    resetViewMemory();
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  it('opens the view the last window showed, and tells the player when the view changes', async () => {
    player.load({ ...englishSnapshot(), view: { view: 'queue', scroll: [] } });
    render(App);
    flushSync();
    expect(screen.getByTestId('nav-queue')).toHaveAttribute('aria-current', 'page');
    await fireEvent.click(screen.getByTestId('nav-settings'));
    await vi.waitFor(() =>
      expect(invokeMock).toHaveBeenCalledWith('remember_view', { view: { view: 'settings', scroll: [] } }),
    );
  });

  it('opens the NetEase view from the sidebar, which asks the backend whether the user is signed in', async () => {
    invokeMock.mockImplementation((command: string) =>
      Promise.resolve(
        command === 'netease_status'
          ? { user: null, quality: 'exhigh' }
          : command === 'netease_qr_start'
            ? { key: 'k', url: 'codekey=k', size: 1, modules: [true] }
            : command === 'netease_qr_check'
              ? { state: 'waiting' }
              : undefined,
      ),
    );
    player.load(englishSnapshot());
    render(App);
    flushSync();
    const nav = screen.getByTestId('netease-nav');
    expect(nav).toHaveTextContent('NetEase');
    await fireEvent.click(nav);
    expect(nav).toHaveAttribute('aria-current', 'page');
    expect(screen.getByTestId('netease-view')).toBeInTheDocument();
    expect(invokeMock).toHaveBeenCalledWith('netease_status');
    await vi.waitFor(() => expect(screen.getByTestId('netease-qr')).toBeInTheDocument());
  });

  it('shows a loading state until the snapshot arrives', () => {
    render(App);
    expect(screen.getByRole('status')).toHaveTextContent('Loading…');
    expect(screen.getByTestId('now-playing')).toBeInTheDocument();
  });

  it('shows why the snapshot could not be loaded and retries', async () => {
    invokeMock.mockRejectedValueOnce('no backend');
    render(App);
    await player.start();
    flushSync();
    expect(screen.getByRole('alert')).toHaveTextContent('Could not reach the player: no backend');
    invokeMock.mockResolvedValueOnce(englishSnapshot());
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await vi.waitFor(() => expect(screen.getAllByTestId('track-row')).toHaveLength(2));
  });

  it('switches between Library and Settings', async () => {
    player.load(englishSnapshot());
    render(App);
    expect(screen.getByTestId('nav-library')).toHaveAttribute('aria-current', 'page');
    expect(screen.getAllByTestId('track-row')).toHaveLength(2);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    expect(screen.getByTestId('nav-settings')).toHaveAttribute('aria-current', 'page');
    expect(screen.queryByTestId('track-row')).toBeNull();
    const select = screen.getByTestId('settings-locale') as HTMLSelectElement;
    expect(select.value).toBe('en');
    await fireEvent.change(select, { target: { value: 'zh-CN' } });
    expect(invokeMock).toHaveBeenCalledWith('set_locale', { locale: 'zh-CN' });
    const replayGain = screen.getByTestId('settings-replay-gain') as HTMLSelectElement;
    expect(replayGain.value).toBe('track');
    await fireEvent.change(replayGain, { target: { value: 'album' } });
    expect(invokeMock).toHaveBeenCalledWith('set_replay_gain', { mode: 'album' });
    const sleep = screen.getByTestId('settings-sleep') as HTMLSelectElement;
    await fireEvent.change(sleep, { target: { value: '30' } });
    expect(invokeMock).toHaveBeenCalledWith('set_sleep_timer', { minutes: 30 });
    await fireEvent.change(sleep, { target: { value: '0' } });
    expect(invokeMock).toHaveBeenCalledWith('set_sleep_timer', { minutes: null });
    expect(screen.getByTestId('settings-sleep-status')).toHaveTextContent('after the time you choose');
    player.receive({ type: 'state', payload: { ...player.state!, sleepTimerEndsAtMs: Date.now() + 1_800_000 } });
    flushSync();
    expect(screen.getByTestId('settings-sleep-status')).toHaveTextContent(/pauses at \d/);
    await fireEvent.click(screen.getByTestId('nav-library'));
    expect(screen.getAllByTestId('track-row')).toHaveLength(2);
  });

  it('has a Queue view with a count badge', async () => {
    const snapshot = englishSnapshot();
    player.load(snapshot);
    render(App);
    expect(screen.getByTestId('nav-queue-count')).toHaveTextContent('2');
    await fireEvent.click(screen.getByTestId('nav-queue'));
    expect(screen.getByTestId('nav-queue')).toHaveAttribute('aria-current', 'page');
    expect(screen.getAllByTestId('queue-row')).toHaveLength(2);
    expect(screen.queryByTestId('track-row')).toBeNull();
    expect(screen.getByRole('heading', { name: 'Queue' })).toBeInTheDocument();

    // Queue a track from the library: the badge follows the queue event.
    player.receive({
      type: 'queue',
      payload: queueViewOf([...snapshot.queue.window, { entryId: 99, track: snapshot.library.first[1]! }], 0),
    });
    flushSync();
    expect(screen.getByTestId('nav-queue-count')).toHaveTextContent('3');
    expect(screen.getAllByTestId('queue-row')).toHaveLength(3);

    player.receive({ type: 'queue', payload: queueViewOf([], null) });
    flushSync();
    expect(screen.queryByTestId('nav-queue-count')).toBeNull();
    expect(screen.getByTestId('queue-empty')).toBeInTheDocument();
  });

  it('has a Lyrics view for the current track', async () => {
    invokeMock.mockImplementation((cmd: string) =>
      Promise.resolve(
        cmd === 'get_lyrics' ? { synced: true, lines: [{ atMs: 0, text: 'La la la', translation: null }] } : undefined,
      ),
    );
    const snapshot = englishSnapshot();
    player.load(snapshot);
    render(App);
    expect(invokeMock).not.toHaveBeenCalledWith('get_lyrics', expect.anything());
    await fireEvent.click(screen.getByTestId('nav-lyrics'));
    expect(screen.getByTestId('nav-lyrics')).toHaveAttribute('aria-current', 'page');
    expect(screen.getByTestId('nav-lyrics')).toHaveTextContent('Lyrics');
    expect(screen.getByTestId('lyrics-panel')).toBeInTheDocument();
    expect(screen.queryByTestId('track-row')).toBeNull();
    expect(invokeMock).toHaveBeenCalledWith('get_lyrics', { id: snapshot.state.current!.id });
    await vi.waitFor(() => expect(screen.getByTestId('lyrics-line')).toHaveTextContent('La la la'));
  });

  it('Space toggles play/pause unless focus is in a control', async () => {
    player.load(englishSnapshot());
    render(App);
    await fireEvent.keyDown(document.body, { key: ' ' });
    expect(invokeMock).toHaveBeenCalledWith('toggle_pause');
    invokeMock.mockClear();
    await fireEvent.keyDown(screen.getAllByTestId('track-row')[0]!, { key: ' ' });
    expect(invokeMock).toHaveBeenCalledWith('toggle_pause');
    invokeMock.mockClear();
    await fireEvent.keyDown(screen.getByTestId('np-volume'), { key: ' ' });
    await fireEvent.keyDown(screen.getByTestId('np-toggle'), { key: ' ' });
    expect(invokeMock).not.toHaveBeenCalled();
  });

  it('sets <html lang> from the locale', () => {
    player.load(englishSnapshot());
    render(App);
    flushSync();
    expect(document.documentElement.lang).toBe('en');
    player.receive({
      type: 'settings',
      payload: { locale: 'zh-CN', volume: 1, replayGain: 'track', outputDevice: null, crossfadeMs: 0, sources: { servers: [], order: [] }, desktop: { closeToTray: true, startInTray: false, notifyTrackChange: false, miniAlwaysOnTop: true, lyricsClickThrough: false, appearance: { theme: 'system', accent: 'orange' }, shortcuts: { enabled: true, playPause: 'CmdOrCtrl+Alt+P', next: 'CmdOrCtrl+Alt+Right', previous: 'CmdOrCtrl+Alt+Left', volumeUp: 'CmdOrCtrl+Alt+Up', volumeDown: 'CmdOrCtrl+Alt+Down', showWindow: 'CmdOrCtrl+Alt+M' } } },
    });
    flushSync();
    expect(document.documentElement.lang).toBe('zh-CN');
  });
});

describe('App in zh-CN', () => {
  /** All text a person can see or hear: text nodes plus labels in attributes. */
  function userVisibleText(root: HTMLElement): string {
    const parts: string[] = [root.textContent ?? ''];
    for (const el of root.querySelectorAll('*')) {
      for (const attr of ['aria-label', 'title', 'placeholder', 'alt', 'aria-valuetext']) {
        const value = el.getAttribute(attr);
        if (value) parts.push(value);
      }
    }
    return parts.join('\n');
  }

  // Words that may legitimately appear in Latin letters: the product name and the name of the
  // English language option (shown in its own language).
  // Names, not words; and key names as printed on key caps (shortcuts); the units and formats
  // in NetEase's quality names; the systems that say whether a connection is metered.
  const ALLOWED = [
    'Lyrebird', 'English', 'ReplayGain', 'OpenSubsonic', 'Subsonic', 'Navidrome', 'Gonic', 'Supysonic',
    'Ctrl', 'Alt', 'Shift', 'Super', 'Esc', 'Backspace',
    'kbit/s', 'FLAC', 'Hi-Res', 'NetworkManager', 'Linux', 'Windows', 'macOS',
  ];

  function latinWords(text: string): string[] {
    let rest = text;
    for (const word of ALLOWED) rest = rest.split(word).join(' ');
    return rest.match(/[A-Za-z]{2,}/g) ?? [];
  }

  function chineseSnapshot() {
    const tracks = [
      makeTrack({ title: '夜空中最亮的星', artists: ['逃跑计划'], album: '世界', hasCover: true }),
      makeTrack({ title: '平凡之路', artists: [], album: null, durationMs: null }),
    ];
    const snapshot = playingSnapshot(tracks, 0, { status: 'loading' });
    snapshot.settings.locale = 'zh-CN';
    snapshot.library.scanning = true;
    snapshot.state.device = { state: 'unavailable', reason: '设备已拔出' };
    return snapshot;
  }

  it('has no English labels anywhere (library, banner, bar, toasts, settings)', async () => {
    player.load(chineseSnapshot());
    const { container } = render(App);
    player.notify({ kind: 'cannotPlay', name: '坏文件', reason: '格式不支持' });
    player.notify({ kind: 'commandFailed', reason: '失败' });
    flushSync();

    const library = userVisibleText(document.body);
    expect(screen.getByTestId('nav-library')).toHaveTextContent('音乐库');
    expect(screen.getByTestId('library-scanning')).toHaveTextContent('正在扫描…');
    expect(screen.getByTestId('device-banner')).toHaveTextContent('没有音频输出设备：设备已拔出');
    expect(screen.getByTestId('device-retry')).toHaveTextContent('重试');
    expect(screen.getByTestId('np-toggle')).toHaveAccessibleName('正在加载');
    expect(screen.getByTestId('np-prev')).toHaveAccessibleName('上一首');
    expect(screen.getAllByTestId('notice')[0]).toHaveTextContent('无法播放 坏文件：格式不支持');
    expect(latinWords(library)).toEqual([]);

    await fireEvent.click(screen.getByTestId('nav-queue'));
    const queue = userVisibleText(document.body);
    expect(screen.getByTestId('nav-queue')).toHaveTextContent('播放队列');
    expect(screen.getByTestId('queue-clear')).toHaveTextContent('清空播放队列');
    expect(screen.getByTestId('np-mode')).toHaveAccessibleName('播放模式：顺序播放');
    expect(screen.getByTestId('np-stop-after')).toHaveAccessibleName('播完当前曲目后停止');
    expect(latinWords(queue)).toEqual([]);

    // The menus too.
    await fireEvent.contextMenu(screen.getAllByTestId('queue-row')[1]!);
    expect(latinWords(userVisibleText(document.body))).toEqual([]);
    await fireEvent.keyDown(screen.getByRole('menu'), { key: 'Escape' });
    await fireEvent.click(screen.getByTestId('nav-library'));
    await fireEvent.contextMenu(screen.getAllByTestId('track-row')[1]!);
    expect(screen.getByTestId('menu-play-next')).toHaveTextContent('下一首播放');
    expect(screen.getByTestId('menu-add-to-queue')).toHaveTextContent('添加到播放队列');
    expect(latinWords(userVisibleText(document.body))).toEqual([]);
    await fireEvent.keyDown(screen.getByRole('menu'), { key: 'Escape' });

    await fireEvent.click(screen.getByTestId('nav-lyrics'));
    expect(screen.getByTestId('nav-lyrics')).toHaveTextContent('歌词');
    expect(screen.getByRole('heading', { name: '歌词' })).toBeInTheDocument();
    await vi.waitFor(() => expect(screen.getByTestId('lyrics-empty')).toHaveTextContent('这首曲目没有歌词'));
    expect(latinWords(userVisibleText(document.body))).toEqual([]);

    await fireEvent.click(screen.getByTestId('nav-settings'));
    const settings = userVisibleText(document.body);
    expect(screen.getByText('语言')).toBeInTheDocument();
    expect(latinWords(settings)).toEqual([]);
    expect(container).toBeTruthy();
  });

  it('shows none of the English labels', async () => {
    player.load(chineseSnapshot());
    render(App);
    const seen = [userVisibleText(document.body)];
    await fireEvent.click(screen.getByTestId('nav-queue'));
    seen.push(userVisibleText(document.body));
    await fireEvent.contextMenu(screen.getAllByTestId('queue-row')[0]!);
    seen.push(userVisibleText(document.body));
    await fireEvent.keyDown(screen.getByRole('menu'), { key: 'Escape' });
    await fireEvent.click(screen.getByTestId('nav-lyrics'));
    await vi.waitFor(() => expect(screen.getByTestId('lyrics-empty')).toBeInTheDocument());
    seen.push(userVisibleText(document.body));
    await fireEvent.click(screen.getByTestId('nav-settings'));
    seen.push(userVisibleText(document.body));
    const text = seen.join('\n');
    const english = (Object.keys(en) as (keyof typeof en)[])
      .filter((key) => en[key] !== zhCN[key] && !en[key].includes('{'))
      .map((key) => en[key]);
    for (const label of english) expect(text, label).not.toContain(label);
  });
});
