// Every control in every view has a name a screen reader can say, in English and in Chinese;
// icon-only buttons take theirs from the dictionaries (so a Chinese UI never says English).
import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import MiniPlayer from './lib/components/MiniPlayer.svelte';
import { player } from './lib/player.svelte';
import { resetViewMemory } from './lib/viewMemory';
import { makeSnapshot, makeTrack, playingSnapshot } from './test/fixtures';

const invokeMock = vi.mocked(invoke);

const CONTROLS = 'button, input, select, textarea, [role="button"], [role="switch"], [role="radio"], [role="tab"], [role="slider"]';
const VIEWS = ['library', 'albums', 'artists', 'folders', 'recent', 'playlists', 'queue', 'lyrics', 'settings'] as const;

function load(locale: 'en' | 'zh-CN') {
  const tracks = [makeTrack({ id: 'local:1', title: 'First', hasCover: true }), makeTrack({ id: 'local:2', title: 'Second' })];
  const snapshot = playingSnapshot(tracks, 0);
  player.load({ ...snapshot, settings: { ...makeSnapshot().settings, locale } });
}

/**
 * Every control on screen has a name; under Chinese, icon-only buttons have a Chinese one.
 * Returns how many controls were checked.
 */
function checkNames(root: ParentNode, locale: 'en' | 'zh-CN', where: string): number {
  let checked = 0;
  for (const control of root.querySelectorAll<HTMLElement>(CONTROLS)) {
    if (control.closest('[aria-hidden="true"], [hidden]') || (control as HTMLInputElement).type === 'hidden') continue;
    const what = `${where}: ${control.tagName.toLowerCase()}[data-testid=${control.dataset.testid ?? '?'}]`;
    expect(control, what).toHaveAccessibleName();
    const iconOnly = (control.textContent ?? '').trim() === '' && control.tagName === 'BUTTON';
    if (locale === 'zh-CN' && iconOnly) expect(control, what).toHaveAccessibleName(/[\u3400-\u9fff]/);
    checked++;
  }
  return checked;
}

describe('labels', () => {
  beforeEach(() => {
    resetViewMemory();
    invokeMock.mockReset();
    invokeMock.mockImplementation((command: string) =>
      Promise.resolve(command.startsWith('list_') || command.endsWith('_devices') ? [] : undefined),
    );
  });

  it.each(['en', 'zh-CN'] as const)('every control of every view has a name (%s)', async (locale) => {
    load(locale);
    render(App);
    flushSync();
    let checked = 0;
    for (const view of VIEWS) {
      await fireEvent.click(screen.getByTestId(`nav-${view}`));
      flushSync();
      checked += checkNames(document.body, locale, view);
    }
    await fireEvent.click(screen.getByTestId('np-open-cover'));
    flushSync();
    checked += checkNames(document.body, locale, 'nowPlaying');
    await fireEvent.keyDown(document.body, { key: '?' });
    flushSync();
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    checked += checkNames(document.body, locale, 'shortcuts');
    // The sweep saw the sidebar, the bar and each view's own controls (about 30 a view).
    expect(checked).toBeGreaterThan(VIEWS.length * 25);
  });

  it.each(['en', 'zh-CN'] as const)('the mini player names its buttons (%s)', (locale) => {
    load(locale);
    const { container } = render(MiniPlayer);
    flushSync();
    expect(checkNames(container, locale, 'mini')).toBe(5);
  });
});
