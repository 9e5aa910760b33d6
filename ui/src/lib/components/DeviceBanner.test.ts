import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import DeviceBanner from './DeviceBanner.svelte';
import { player } from '../player.svelte';
import { makeSnapshot, makeState } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

describe('DeviceBanner', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  it('is hidden while the device is ready', () => {
    player.load(makeSnapshot());
    render(DeviceBanner);
    expect(screen.queryByTestId('device-banner')).toBeNull();
  });

  it('shows the reason and retries', async () => {
    player.load(
      makeSnapshot({ state: makeState({ device: { state: 'unavailable', reason: 'no <b>device</b>' } }) }),
    );
    render(DeviceBanner);
    const banner = screen.getByTestId('device-banner');
    expect(banner).toHaveTextContent('No audio output device: no <b>device</b>');
    expect(banner.querySelector('b')).toBeNull();
    await fireEvent.click(screen.getByTestId('device-retry'));
    expect(invokeMock).toHaveBeenCalledWith('retry_audio_device');
  });

  it('goes away when the device comes back', () => {
    player.load(makeSnapshot({ state: makeState({ device: { state: 'unavailable', reason: 'gone' } }) }));
    render(DeviceBanner);
    expect(screen.getByTestId('device-banner')).toBeInTheDocument();
    player.receive({ type: 'state', payload: makeState({ device: { state: 'ready' } }) });
    flushSync();
    expect(screen.queryByTestId('device-banner')).toBeNull();
  });
});
