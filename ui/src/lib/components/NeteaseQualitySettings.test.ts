import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync, tick } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import NeteaseQualitySettings from './NeteaseQualitySettings.svelte';
import { player } from '../player.svelte';
import type { Settings } from '../ipc';
import type { NeteaseSettings } from '../ipc/netease';
import { makeSnapshot, makeState } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

function settings(netease?: NeteaseSettings): Settings {
  return {
    locale: 'en',
    volume: 0.8,
    replayGain: 'track',
    outputDevice: null,
    crossfadeMs: 0,
    sources: { servers: [], order: [], ...(netease ? { netease } : {}) },
    desktop: {
      closeToTray: true,
      startInTray: false,
      notifyTrackChange: false,
      miniAlwaysOnTop: true,
      lyricsClickThrough: false,
      appearance: { theme: 'system', accent: 'orange' },
      shortcuts: { enabled: false, playPause: '', next: '', previous: '', volumeUp: '', volumeDown: '', showWindow: '' },
    },
  };
}

const ANN = { id: 10001, nickname: 'Ann', avatarUrl: null, vip: true };

function quality(): HTMLSelectElement {
  return screen.getByRole('combobox', { name: 'Audio quality' }) as HTMLSelectElement;
}

function metered(): HTMLSelectElement {
  return screen.getByRole('combobox', { name: 'On a metered connection' }) as HTMLSelectElement;
}

/** The selected option's label, as the user reads it. */
function shown(select: HTMLSelectElement): string {
  return select.selectedOptions[0]!.text;
}

async function choose(select: HTMLSelectElement, label: string) {
  const option = [...select.options].find((o) => o.text === label);
  expect(option, label).toBeDefined();
  await fireEvent.change(select, { target: { value: option!.value } });
}

describe('NeteaseQualitySettings', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
    player.reset();
  });

  it('shows the saved levels, "the same as above" when there is no second one', () => {
    player.load(makeSnapshot({ state: makeState(), settings: settings({ user: ANN, quality: 'lossless' }) }));
    render(NeteaseQualitySettings);
    expect(screen.getByRole('group', { name: 'NetEase Cloud Music' })).toBeTruthy();
    expect(shown(quality())).toBe('Lossless (FLAC)');
    expect(shown(metered())).toBe('The same as above');
    expect([...metered().options].map((o) => o.text)).toEqual([
      'The same as above',
      'Standard (128 kbit/s)',
      'Higher (192 kbit/s)',
      'Very high (320 kbit/s)',
      'Lossless (FLAC)',
      'Hi-Res',
      'Master (studio master)',
    ]);
    expect(metered().getAttribute('aria-describedby')).toBe('settings-netease-metered-hint');
    expect(document.getElementById('settings-netease-metered-hint')?.textContent).toContain('NetworkManager');
  });

  it('never signed in: the defaults, still settable', async () => {
    player.load(makeSnapshot({ state: makeState(), settings: settings() }));
    render(NeteaseQualitySettings);
    expect(shown(quality())).toBe('Very high (320 kbit/s)');
    expect(shown(metered())).toBe('The same as above');
    await choose(metered(), 'Higher (192 kbit/s)');
    expect(invokeMock.mock.calls).toEqual([['netease_set_metered_quality', { quality: 'higher' }]]);
  });

  it('sends each level to its own command, null for "the same as above"', async () => {
    player.load(
      makeSnapshot({ state: makeState(), settings: settings({ user: ANN, quality: 'exhigh', qualityOnMetered: 'standard' }) }),
    );
    render(NeteaseQualitySettings);
    expect(shown(metered())).toBe('Standard (128 kbit/s)');
    await choose(quality(), 'Hi-Res');
    await choose(metered(), 'The same as above');
    await choose(metered(), 'Standard (128 kbit/s)'); // what the settings still say: nothing sent
    expect(invokeMock.mock.calls).toEqual([
      ['netease_set_quality', { quality: 'hires' }],
      ['netease_set_metered_quality', { quality: null }],
    ]);
  });

  it('follows the settings the backend publishes', async () => {
    player.load(makeSnapshot({ state: makeState(), settings: settings({ user: ANN, quality: 'exhigh' }) }));
    render(NeteaseQualitySettings);
    player.receive({ type: 'settings', payload: settings({ user: ANN, quality: 'lossless', qualityOnMetered: 'higher' }) });
    flushSync();
    await tick();
    expect(shown(quality())).toBe('Lossless (FLAC)');
    expect(shown(metered())).toBe('Higher (192 kbit/s)');
  });

  it('a refused change shows the level in force again and says why', async () => {
    player.load(makeSnapshot({ state: makeState(), settings: settings({ user: ANN, quality: 'exhigh' }) }));
    render(NeteaseQualitySettings);
    invokeMock.mockRejectedValueOnce({ kind: 'other', message: 'settings not saved' });
    await choose(metered(), 'Standard (128 kbit/s)');
    await vi.waitFor(() => expect(player.toasts).toHaveLength(1));
    expect(player.toasts[0]!.notice).toEqual({ kind: 'commandFailed', reason: 'settings not saved' });
    expect(shown(metered())).toBe('The same as above');
  });
});
