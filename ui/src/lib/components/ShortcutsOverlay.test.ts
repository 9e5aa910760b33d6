import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../App.svelte';
import { player } from '../player.svelte';
import { resetViewMemory } from '../viewMemory';
import { makeSnapshot, makeTrack, playingSnapshot } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

function start(locale: 'en' | 'zh-CN' = 'en', globalEnabled = true) {
  const snapshot = playingSnapshot([makeTrack({ title: 'First' })], 0);
  const settings = makeSnapshot().settings;
  player.load({
    ...snapshot,
    settings: {
      ...settings,
      locale,
      desktop: { ...settings.desktop, shortcuts: { ...settings.desktop.shortcuts, enabled: globalEnabled, next: '' } },
    },
  });
  render(App);
  flushSync();
}

function pressQuestionMark(target: Element = document.body) {
  return fireEvent.keyDown(target, { key: '?', code: 'Slash', shiftKey: true });
}

describe('keyboard shortcuts overlay', () => {
  beforeEach(() => {
    resetViewMemory();
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  it('opens with ?, takes the focus, and Escape closes it and gives the focus back', async () => {
    start();
    const settingsNav = screen.getByTestId('nav-settings');
    settingsNav.focus();
    expect(screen.queryByRole('dialog')).toBeNull();

    await pressQuestionMark(settingsNav);
    const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    const close = within(dialog).getByRole('button', { name: 'Close' });
    expect(document.activeElement).toBe(close);
    // The in-app keys are listed.
    expect(within(dialog).getByTestId('shortcuts-window')).toHaveTextContent('Space');
    expect(within(dialog).getByTestId('shortcuts-window')).toHaveTextContent('Play or pause');
    expect(within(dialog).getByTestId('shortcuts-lists')).toHaveTextContent('Alt+↑');

    await fireEvent.keyDown(close, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(settingsNav);
    // Escape did not reach the rest of the window.
    expect(invokeMock).not.toHaveBeenCalledWith('toggle_pause', undefined);
  });

  it('keeps Tab inside while open', async () => {
    start();
    await pressQuestionMark();
    const dialog = screen.getByRole('dialog');
    const close = within(dialog).getByRole('button', { name: 'Close' });
    // The close button is the only control: Tab and Shift+Tab stay on it.
    const tab = await fireEvent.keyDown(close, { key: 'Tab' });
    expect(tab).toBe(false); // default prevented
    expect(document.activeElement).toBe(close);
    await fireEvent.keyDown(close, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(close);
    // Focus that got outside (a click elsewhere) is brought back in.
    screen.getByTestId('nav-library').focus();
    await fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(document.activeElement).toBe(close);
  });

  it('opens from the sidebar button, and closes with the close button', async () => {
    start();
    const open = screen.getByRole('button', { name: 'Shortcuts' });
    expect(open).toHaveAttribute('aria-keyshortcuts', '?');
    open.focus();
    await fireEvent.click(open);
    await fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(open);
  });

  it('is not opened by ? typed into a text field', async () => {
    start();
    const search = screen.getByRole('searchbox');
    search.focus();
    await pressQuestionMark(search);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('lists the global shortcuts as set, or says they are off', async () => {
    start('en', true);
    await pressQuestionMark();
    const global = screen.getByTestId('shortcuts-global');
    expect(global).toHaveTextContent('Ctrl+Alt+P');
    expect(global).toHaveTextContent('Play / pause');
    // An empty shortcut (none) is left out.
    expect(global).not.toHaveTextContent('Next track');
  });

  it('says when the global shortcuts are off, in Chinese too', async () => {
    start('zh-CN', false);
    await pressQuestionMark();
    const dialog = screen.getByRole('dialog', { name: '键盘快捷键' });
    expect(screen.queryByTestId('shortcuts-global')).toBeNull();
    expect(dialog).toHaveTextContent('全局快捷键已关闭');
    expect(within(dialog).getByRole('button', { name: '关闭' })).toBeInTheDocument();
  });
});
