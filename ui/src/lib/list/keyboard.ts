// What a key pressed on a listbox row asks for. The same keys mean the same in every list; a
// list that has no use for an intent (no menu, nothing to remove) leaves the key alone.

/** The keys that open a row's context menu: the Menu key, or Shift+F10. */
export function isMenuKey(event: KeyboardEvent): boolean {
  return event.key === 'ContextMenu' || (event.shiftKey && event.key === 'F10');
}

/**
 * Where a navigation key (arrows, Page Up / Page Down, Home / End) moves the cursor from row
 * `from`, not clamped; null for any other key.
 */
export function navigationTarget(key: string, from: number, page: number, count: number): number | null {
  switch (key) {
    case 'ArrowDown':
      return from + 1;
    case 'ArrowUp':
      return from - 1;
    case 'PageDown':
      return from + page;
    case 'PageUp':
      return from - page;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

export type ListKeyIntent =
  /** Menu key or Shift+F10: open the row's context menu. */
  | { kind: 'menu' }
  /** Navigation: put the cursor on row `to` (clamped); Shift extends a selection. */
  | { kind: 'move'; to: number; extend: boolean }
  /** Enter on the row itself (not on one of its buttons): play it. */
  | { kind: 'activate' }
  /** Delete or Backspace. */
  | { kind: 'remove' }
  /** Alt+Up / Alt+Down: move the row itself one place. */
  | { kind: 'reorder'; delta: -1 | 1 }
  /** Ctrl/Cmd+A. */
  | { kind: 'selectAll' }
  /** Escape. */
  | { kind: 'clear' };

type Key = Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'target'>;

/** What `event`, pressed with the cursor on row `from` of `count`, asks for; null: nothing. */
export function listKeyIntent(event: Key, from: number, page: number, count: number): ListKeyIntent | null {
  if (isMenuKey(event as KeyboardEvent)) return { kind: 'menu' };
  if (event.altKey) {
    if (event.ctrlKey || event.metaKey || event.shiftKey) return null;
    if (event.key === 'ArrowUp') return { kind: 'reorder', delta: -1 };
    if (event.key === 'ArrowDown') return { kind: 'reorder', delta: 1 };
    return null;
  }
  if (event.ctrlKey || event.metaKey) return event.key.toLowerCase() === 'a' ? { kind: 'selectAll' } : null;
  const to = navigationTarget(event.key, from, page, count);
  if (to !== null) return { kind: 'move', to: Math.max(0, Math.min(count - 1, to)), extend: event.shiftKey };
  switch (event.key) {
    case 'Enter':
      // Enter on a row's button is a press of that button.
      return event.target instanceof HTMLButtonElement ? null : { kind: 'activate' };
    case 'Delete':
    case 'Backspace':
      return { kind: 'remove' };
    case 'Escape':
      return { kind: 'clear' };
    default:
      return null;
  }
}
