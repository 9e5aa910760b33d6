import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync, tick } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import SettingsView from './SettingsView.svelte';
import { player } from '../player.svelte';
import type { OutputDevice, Settings } from '../ipc';
import { makeSnapshot, makeState } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

const DEVICES: OutputDevice[] = [
  { id: 'pulse:speakers', name: 'Built-in Speakers' },
  { id: 'pulse:usb-1', name: 'USB Audio' },
  { id: 'pulse:usb-2', name: 'USB Audio' },
];

function settings(overrides: Partial<Settings> = {}): Settings {
  return { locale: 'en', volume: 0.8, replayGain: 'track', outputDevice: null, crossfadeMs: 0, sources: { servers: [], order: [] }, desktop: { closeToTray: true, startInTray: false, notifyTrackChange: false, miniAlwaysOnTop: true, lyricsClickThrough: false, appearance: { theme: 'system', accent: 'orange' }, shortcuts: { enabled: true, playPause: 'CmdOrCtrl+Alt+P', next: 'CmdOrCtrl+Alt+Right', previous: 'CmdOrCtrl+Alt+Left', volumeUp: 'CmdOrCtrl+Alt+Up', volumeDown: 'CmdOrCtrl+Alt+Down', showWindow: 'CmdOrCtrl+Alt+M' } }, ...overrides };
}

function load(outputDevices: OutputDevice[], outputDevice: string | null = null) {
  player.load(makeSnapshot({ state: makeState({ outputDevices }), settings: settings({ outputDevice }) }));
}

function deviceSelect(): HTMLSelectElement {
  return screen.getByTestId('settings-output-device') as HTMLSelectElement;
}

/** The options as the user sees them: label, and whether it is the selected one. */
function options(): { label: string; selected: boolean }[] {
  return [...deviceSelect().options].map((o) => ({ label: o.text, selected: o.selected }));
}

/** Picks the option labelled `label`, as a user would. */
async function choose(label: string) {
  const option = [...deviceSelect().options].find((o) => o.text === label);
  expect(option, label).toBeDefined();
  await fireEvent.change(deviceSelect(), { target: { value: option!.value } });
}

describe('SettingsView: output device', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  it('asks the backend for the device list when shown', () => {
    load([]);
    render(SettingsView);
    expect(invokeMock).toHaveBeenCalledWith('refresh_output_devices');
    expect(invokeMock).toHaveBeenCalledTimes(1);
  });

  it('is a labelled select with the system default and every device, same names told apart', () => {
    load(DEVICES);
    render(SettingsView);
    expect(screen.getByRole('combobox', { name: 'Output device' })).toBe(deviceSelect());
    expect(options()).toEqual([
      { label: 'System default', selected: true },
      { label: 'Built-in Speakers', selected: false },
      { label: 'USB Audio (pulse:usb-1)', selected: false },
      { label: 'USB Audio (pulse:usb-2)', selected: false },
    ]);
  });

  it('follows the list the backend publishes', async () => {
    load([], 'pulse:usb-1');
    render(SettingsView);
    expect(options()).toEqual([
      { label: 'System default', selected: false },
      { label: 'pulse:usb-1 (not connected)', selected: true },
    ]);
    player.receive({ type: 'state', payload: makeState({ outputDevices: DEVICES.slice(0, 2) }) });
    flushSync();
    await tick();
    expect(options()).toEqual([
      { label: 'System default', selected: false },
      { label: 'Built-in Speakers', selected: false },
      { label: 'USB Audio', selected: true },
    ]);
  });

  it('selects the chosen device', () => {
    load(DEVICES, 'pulse:speakers');
    render(SettingsView);
    expect(options().find((o) => o.selected)?.label).toBe('Built-in Speakers');
    player.receive({ type: 'settings', payload: settings({ outputDevice: null }) });
    flushSync();
    expect(options().find((o) => o.selected)?.label).toBe('System default');
  });

  it('sets the device chosen, and null for the system default', async () => {
    load(DEVICES);
    render(SettingsView);
    invokeMock.mockClear();
    await choose('USB Audio (pulse:usb-2)');
    expect(invokeMock).toHaveBeenCalledWith('set_output_device', { id: 'pulse:usb-2' });
    await choose('System default');
    expect(invokeMock).toHaveBeenLastCalledWith('set_output_device', { id: null });
    expect(invokeMock).toHaveBeenCalledTimes(2);
  });

  it('shows a chosen device that is not connected, and keeps it choosable', async () => {
    load(DEVICES.slice(0, 1), 'alsa:hw:2,0');
    render(SettingsView);
    expect(options()).toEqual([
      { label: 'System default', selected: false },
      { label: 'Built-in Speakers', selected: false },
      { label: 'alsa:hw:2,0 (not connected)', selected: true },
    ]);
    await choose('Built-in Speakers');
    expect(invokeMock).toHaveBeenCalledWith('set_output_device', { id: 'pulse:speakers' });
    await choose('alsa:hw:2,0 (not connected)');
    expect(invokeMock).toHaveBeenLastCalledWith('set_output_device', { id: 'alsa:hw:2,0' });
  });

  it('goes back to the device in use when the backend rejects the choice', async () => {
    load(DEVICES, 'pulse:speakers');
    render(SettingsView);
    invokeMock.mockRejectedValueOnce('no such device');
    await choose('USB Audio (pulse:usb-1)');
    await vi.waitFor(() => expect(player.toasts).toHaveLength(1));
    expect(player.toasts[0]!.notice).toEqual({ kind: 'commandFailed', reason: 'no such device' });
    expect(options().find((o) => o.selected)?.label).toBe('Built-in Speakers');
  });

  it('refreshes the list on demand', async () => {
    load([]);
    render(SettingsView);
    invokeMock.mockClear();
    const refresh = screen.getByRole('button', { name: 'Refresh the list of output devices' });
    expect(refresh).toHaveTextContent('Refresh');
    await fireEvent.click(refresh);
    expect(invokeMock).toHaveBeenCalledWith('refresh_output_devices');
    expect(invokeMock).toHaveBeenCalledTimes(1);
  });

  it('shows device names and ids as text, never as markup', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    load([{ id: 'evil', name: hostile }], '<b>gone</b>');
    render(SettingsView);
    const select = deviceSelect();
    expect(select.querySelector('img')).toBeNull();
    expect(select.querySelector('b')).toBeNull();
    expect(document.querySelector('img')).toBeNull();
    expect(options().map((o) => o.label)).toEqual([
      'System default',
      hostile,
      '<b>gone</b> (not connected)',
    ]);
  });

  it('reports a failed refresh', async () => {
    invokeMock.mockRejectedValueOnce('backend busy');
    load([]);
    render(SettingsView);
    await vi.waitFor(() => expect(player.toasts).toHaveLength(1));
    expect(player.toasts[0]!.notice).toEqual({ kind: 'commandFailed', reason: 'backend busy' });
  });

  it('speaks Chinese in zh-CN', () => {
    player.load(
      makeSnapshot({
        state: makeState({ outputDevices: DEVICES.slice(1) }),
        settings: settings({ locale: 'zh-CN', outputDevice: 'gone' }),
      }),
    );
    render(SettingsView);
    expect(screen.getByRole('combobox', { name: '输出设备' })).toBe(deviceSelect());
    expect(options().map((o) => o.label)).toEqual([
      '系统默认',
      'USB Audio（pulse:usb-1）',
      'USB Audio（pulse:usb-2）',
      'gone（未连接）',
    ]);
    expect(screen.getByRole('button', { name: '刷新输出设备列表' })).toHaveTextContent('刷新');
  });
});

describe('SettingsView: crossfade', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  function loadCrossfade(crossfadeMs: number, locale: Settings['locale'] = 'en') {
    player.load(makeSnapshot({ settings: settings({ crossfadeMs, locale }) }));
  }

  function slider(): HTMLInputElement {
    return screen.getByTestId('settings-crossfade') as HTMLInputElement;
  }

  function shown(): string | null {
    return screen.getByTestId('settings-crossfade-value').textContent?.trim() ?? null;
  }

  it('is a labelled 0–12 s slider in 1 s steps showing the setting', () => {
    loadCrossfade(4000);
    render(SettingsView);
    expect(screen.getByRole('slider', { name: 'Crossfade' })).toBe(slider());
    expect(slider()).toHaveAttribute('min', '0');
    expect(slider()).toHaveAttribute('max', '12');
    expect(slider()).toHaveAttribute('step', '1');
    expect(slider().value).toBe('4');
    expect(shown()).toBe('4 s');
    expect(slider()).toHaveAttribute('aria-valuetext', '4 s');
    expect(slider()).toHaveAccessibleDescription(
      'Blends the end of each track into the next. Off keeps albums gapless.',
    );
  });

  it('says Off (gapless) at 0', () => {
    loadCrossfade(0);
    render(SettingsView);
    expect(slider().value).toBe('0');
    expect(shown()).toBe('Off (gapless)');
    expect(slider()).toHaveAttribute('aria-valuetext', 'Off (gapless)');
  });

  it('follows the settings the backend publishes', () => {
    loadCrossfade(0);
    render(SettingsView);
    player.receive({ type: 'settings', payload: settings({ crossfadeMs: 7000 }) });
    flushSync();
    expect(slider().value).toBe('7');
    expect(shown()).toBe('7 s');
  });

  it('shows a setting between whole seconds as it is', () => {
    loadCrossfade(2500);
    render(SettingsView);
    expect(shown()).toBe('2.5 s');
  });

  it('follows the thumb while dragging and sets the crossfade in ms on release', async () => {
    loadCrossfade(0);
    render(SettingsView);
    invokeMock.mockClear();
    await fireEvent.input(slider(), { target: { value: '3' } });
    expect(shown()).toBe('3 s');
    await fireEvent.input(slider(), { target: { value: '5' } });
    expect(shown()).toBe('5 s');
    expect(invokeMock).not.toHaveBeenCalled();
    await fireEvent.change(slider(), { target: { value: '5' } });
    expect(invokeMock).toHaveBeenCalledWith('set_crossfade', { ms: 5000 });
    expect(invokeMock).toHaveBeenCalledTimes(1);
    // Held until the backend publishes it, then the published value rules.
    expect(shown()).toBe('5 s');
    player.receive({ type: 'settings', payload: settings({ crossfadeMs: 5000 }) });
    flushSync();
    expect(slider().value).toBe('5');
    expect(shown()).toBe('5 s');
  });

  it('sends 0 for gapless', async () => {
    loadCrossfade(6000);
    render(SettingsView);
    invokeMock.mockClear();
    await fireEvent.change(slider(), { target: { value: '0' } });
    expect(invokeMock).toHaveBeenCalledWith('set_crossfade', { ms: 0 });
    expect(shown()).toBe('Off (gapless)');
  });

  it('goes back to the setting in force when the backend rejects the change', async () => {
    loadCrossfade(2000);
    render(SettingsView);
    invokeMock.mockRejectedValueOnce('out of range');
    await fireEvent.change(slider(), { target: { value: '9' } });
    await vi.waitFor(() => expect(player.toasts).toHaveLength(1));
    expect(player.toasts[0]!.notice).toEqual({ kind: 'commandFailed', reason: 'out of range' });
    await tick();
    expect(slider().value).toBe('2');
    expect(shown()).toBe('2 s');
  });

  it('speaks Chinese in zh-CN', () => {
    loadCrossfade(0, 'zh-CN');
    render(SettingsView);
    expect(screen.getByRole('slider', { name: '交叉淡入淡出' })).toBe(slider());
    expect(shown()).toBe('关闭（无缝播放）');
    player.receive({ type: 'settings', payload: settings({ crossfadeMs: 8000, locale: 'zh-CN' }) });
    flushSync();
    expect(shown()).toBe('8 秒');
    expect(slider()).toHaveAttribute('aria-valuetext', '8 秒');
  });

  it('switches desktop behaviour, one setting at a time', async () => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
    load([]);
    render(SettingsView);
    const closeToTray = screen.getByRole('switch', { name: 'Close to tray' }) as HTMLInputElement;
    const notify = screen.getByRole('switch', { name: 'Notify on track change' }) as HTMLInputElement;
    expect(closeToTray.checked).toBe(true);
    expect(notify.checked).toBe(false);
    await fireEvent.click(notify);
    expect(invokeMock).toHaveBeenCalledWith('set_desktop_settings', {
      desktop: expect.objectContaining({ closeToTray: true, startInTray: false, notifyTrackChange: true }),
    });
    await fireEvent.click(closeToTray);
    expect(invokeMock).toHaveBeenCalledWith('set_desktop_settings', {
      desktop: expect.objectContaining({ closeToTray: false, startInTray: false, notifyTrackChange: false }),
    });
  });

  it('records a global shortcut from the keys pressed, and removes one with Backspace', async () => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
    load([]);
    render(SettingsView);
    const next = screen.getByTestId('settings-shortcut-next');
    expect(next).toHaveTextContent('Ctrl+Alt+→');
    await fireEvent.click(next);
    expect(next).toHaveTextContent('Press keys…');
    // Modifiers alone record nothing yet.
    await fireEvent.keyDown(next, { key: 'Control', code: 'ControlLeft', ctrlKey: true });
    expect(invokeMock).not.toHaveBeenCalledWith('set_desktop_settings', expect.anything());
    await fireEvent.keyDown(next, { key: 'n', code: 'KeyN', ctrlKey: true, shiftKey: true });
    expect(invokeMock).toHaveBeenCalledWith('set_desktop_settings', {
      desktop: expect.objectContaining({ shortcuts: expect.objectContaining({ next: 'Ctrl+Shift+N', playPause: 'CmdOrCtrl+Alt+P' }) }),
    });
    const volumeUp = screen.getByTestId('settings-shortcut-volumeUp');
    await fireEvent.click(volumeUp);
    await fireEvent.keyDown(volumeUp, { key: 'Backspace', code: 'Backspace' });
    expect(invokeMock).toHaveBeenCalledWith('set_desktop_settings', {
      desktop: expect.objectContaining({ shortcuts: expect.objectContaining({ volumeUp: '' }) }),
    });
  });

  it('turns all global shortcuts off with one switch', async () => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
    load([]);
    render(SettingsView);
    await fireEvent.click(screen.getByRole('switch', { name: 'Use global shortcuts' }));
    expect(invokeMock).toHaveBeenCalledWith('set_desktop_settings', {
      desktop: expect.objectContaining({ shortcuts: expect.objectContaining({ enabled: false }) }),
    });
  });
  it('turns NetEase lyrics for songs without their own on and off, keeping the other lyrics settings', async () => {
    player.load(
      makeSnapshot({
        settings: settings({ lyrics: { translation: false, romanization: true, fromNetease: false } }),
      }),
    );
    render(SettingsView);
    const toggle = screen.getByTestId('settings-lyrics-from-netease') as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    expect(toggle).toHaveAccessibleName('Lyrics from NetEase');
    await fireEvent.click(toggle);
    expect(invokeMock).toHaveBeenCalledWith('set_lyrics_settings', {
      lyrics: { translation: false, romanization: true, fromNetease: true },
    });
  });
});
