import { describe, expect, it } from 'vitest';
import { acceleratorOf, displayAccelerator, keyName } from './accelerator';

const press = (code: string, mods: Partial<Record<'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey', boolean>> = {}) =>
  acceleratorOf({ code, ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...mods });

describe('accelerators', () => {
  it('joins modifiers and the key', () => {
    expect(press('KeyP', { ctrlKey: true, altKey: true })).toBe('Ctrl+Alt+P');
    expect(press('ArrowRight', { shiftKey: true, metaKey: true })).toBe('Shift+Super+Right');
    expect(press('Digit7', { altKey: true })).toBe('Alt+7');
  });

  it('waits while only modifiers are held', () => {
    expect(press('ControlLeft', { ctrlKey: true })).toBeNull();
    expect(press('AltRight', { altKey: true, ctrlKey: true })).toBeNull();
  });

  it('refuses plain keys that would steal typing, but takes function and media keys', () => {
    expect(press('KeyP')).toBeNull();
    expect(press('KeyP', { shiftKey: true })).toBeNull();
    expect(press('F9')).toBe('F9');
    expect(press('MediaPlayPause')).toBe('MediaPlayPause');
  });

  it('ignores keys it has no name for', () => {
    expect(keyName('IntlRo')).toBeNull();
    expect(press('IntlRo', { ctrlKey: true })).toBeNull();
  });

  it('shows CmdOrCtrl as the platform calls it', () => {
    expect(displayAccelerator('CmdOrCtrl+Alt+P')).toBe('Ctrl+Alt+P');
    expect(displayAccelerator('CmdOrCtrl+Alt+P', true)).toBe('Cmd+Alt+P');
    expect(displayAccelerator('Ctrl+Shift+Right')).toBe('Ctrl+Shift+→');
  });
});
