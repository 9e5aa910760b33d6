import { describe, expect, it } from 'vitest';
import { isMenuKey, listKeyIntent, navigationTarget } from './keyboard';

function key(k: string, mods: Partial<Record<'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey', boolean>> = {}, target: EventTarget | null = null) {
  return { key: k, altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, target, ...mods };
}

describe('navigationTarget', () => {
  it('moves by one, a page, or to an end, unclamped', () => {
    expect(navigationTarget('ArrowDown', 3, 10, 50)).toBe(4);
    expect(navigationTarget('ArrowUp', 0, 10, 50)).toBe(-1);
    expect(navigationTarget('PageDown', 3, 10, 50)).toBe(13);
    expect(navigationTarget('PageUp', 3, 10, 50)).toBe(-7);
    expect(navigationTarget('Home', 3, 10, 50)).toBe(0);
    expect(navigationTarget('End', 3, 10, 50)).toBe(49);
    expect(navigationTarget('x', 3, 10, 50)).toBeNull();
  });
});

describe('isMenuKey', () => {
  it('is the Menu key or Shift+F10', () => {
    expect(isMenuKey(new KeyboardEvent('keydown', { key: 'ContextMenu' }))).toBe(true);
    expect(isMenuKey(new KeyboardEvent('keydown', { key: 'F10', shiftKey: true }))).toBe(true);
    expect(isMenuKey(new KeyboardEvent('keydown', { key: 'F10' }))).toBe(false);
  });
});

describe('listKeyIntent', () => {
  it('clamps navigation into the rows; Shift extends', () => {
    expect(listKeyIntent(key('ArrowDown'), 2, 10, 3)).toEqual({ kind: 'move', to: 2, extend: false });
    expect(listKeyIntent(key('ArrowUp'), 0, 10, 3)).toEqual({ kind: 'move', to: 0, extend: false });
    expect(listKeyIntent(key('PageDown', { shiftKey: true }), 0, 10, 30)).toEqual({ kind: 'move', to: 10, extend: true });
    expect(listKeyIntent(key('End'), 0, 10, 30)).toEqual({ kind: 'move', to: 29, extend: false });
  });

  it('opens the menu, with or without Alt', () => {
    expect(listKeyIntent(key('ContextMenu'), 0, 10, 3)).toEqual({ kind: 'menu' });
    expect(listKeyIntent(key('F10', { shiftKey: true }), 0, 10, 3)).toEqual({ kind: 'menu' });
    expect(listKeyIntent(key('ContextMenu', { altKey: true }), 0, 10, 3)).toEqual({ kind: 'menu' });
  });

  it('reorders with plain Alt+Up / Alt+Down only', () => {
    expect(listKeyIntent(key('ArrowUp', { altKey: true }), 1, 10, 3)).toEqual({ kind: 'reorder', delta: -1 });
    expect(listKeyIntent(key('ArrowDown', { altKey: true }), 1, 10, 3)).toEqual({ kind: 'reorder', delta: 1 });
    expect(listKeyIntent(key('ArrowDown', { altKey: true, shiftKey: true }), 1, 10, 3)).toBeNull();
    expect(listKeyIntent(key('ArrowDown', { altKey: true, ctrlKey: true }), 1, 10, 3)).toBeNull();
    expect(listKeyIntent(key('Home', { altKey: true }), 1, 10, 3)).toBeNull();
  });

  it('takes Ctrl/Cmd+A as select all and leaves other Ctrl/Cmd keys', () => {
    expect(listKeyIntent(key('a', { ctrlKey: true }), 0, 10, 3)).toEqual({ kind: 'selectAll' });
    expect(listKeyIntent(key('A', { metaKey: true }), 0, 10, 3)).toEqual({ kind: 'selectAll' });
    expect(listKeyIntent(key('ArrowDown', { ctrlKey: true }), 0, 10, 3)).toBeNull();
    expect(listKeyIntent(key('Enter', { metaKey: true }), 0, 10, 3)).toBeNull();
  });

  it('plays on Enter, except on a row button', () => {
    expect(listKeyIntent(key('Enter'), 0, 10, 3)).toEqual({ kind: 'activate' });
    expect(listKeyIntent(key('Enter', { shiftKey: true }), 0, 10, 3)).toEqual({ kind: 'activate' });
    expect(listKeyIntent(key('Enter', {}, document.createElement('button')), 0, 10, 3)).toBeNull();
  });

  it('removes on Delete and Backspace, clears on Escape', () => {
    expect(listKeyIntent(key('Delete'), 0, 10, 3)).toEqual({ kind: 'remove' });
    expect(listKeyIntent(key('Backspace'), 0, 10, 3)).toEqual({ kind: 'remove' });
    expect(listKeyIntent(key('Escape'), 0, 10, 3)).toEqual({ kind: 'clear' });
    expect(listKeyIntent(key(' '), 0, 10, 3)).toBeNull();
  });
});
