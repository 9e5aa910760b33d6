// Every control in every view has a name a screen reader can say, in English and in Chinese;
// icon-only buttons take theirs from the dictionaries (so a Chinese UI never says English).
import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { computeAccessibleName } from 'dom-accessibility-api';
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

/** The controls on screen without a name, or (Chinese) icon-only ones with an English name. */
function unnamed(root: ParentNode, locale: 'en' | 'zh-CN'): string[] {
  const problems: string[] = [];
  for (const control of root.querySelectorAll<HTMLElement>(CONTROLS)) {
    if (control.closest('[aria-hidden="true"], [hidden]') || (control as HTMLInputElement).type === 'hidden') continue;
    const name = computeAccessibleName(control).trim();
    const describe = `${control.tagName.toLowerCase()}[data-testid=${control.dataset.testid ?? '?'}] "${name}"`;
    if (name === '') problems.push(`no name: ${describe}`);
    const iconOnly = (control.textContent ?? '').trim() === '' && control.tagName === 'BUTTON';
    if (locale === 'zh-CN' && iconOnly && name !== '' && !/[\u3400-\u9fff]/.test(name)) {
      problems.push(`untranslated: ${describe}`);
    }
  }
  return problems;
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
    const problems: string[] = [];
    for (const view of VIEWS) {
      await fireEvent.click(screen.getByTestId(`nav-${view}`));
      flushSync();
      problems.push(...unnamed(document.body, locale).map((p) => `${view}: ${p}`));
    }
    await fireEvent.click(screen.getByTestId('np-open-cover'));
    flushSync();
    problems.push(...unnamed(document.body, locale).map((p) => `nowPlaying: ${p}`));
    await fireEvent.keyDown(document.body, { key: '?' });
    flushSync();
    problems.push(...unnamed(document.body, locale).map((p) => `shortcuts: ${p}`));
    expect([...new Set(problems)]).toEqual([]);
  });

  it.each(['en', 'zh-CN'] as const)('the mini player names its buttons (%s)', (locale) => {
    load(locale);
    const { container } = render(MiniPlayer);
    flushSync();
    expect(unnamed(container, locale)).toEqual([]);
  });
});
