// Helpers shared by the windowed listboxes (TrackList, QueueList): rows are found by their
// `data-index`, row buttons by their `data-action`.
import { tick } from 'svelte';
import type { Track } from '../ipc';
import { t } from '../i18n/index.svelte';

/** A track's title as shown in a list ("Untitled" for a blank one). */
export function titleOf(track: Track): string {
  return track.title.trim() === '' ? t('track.untitled') : track.title;
}

/** Index of the row that holds `target`, if any. */
export function rowIndex(target: EventTarget | null): number | null {
  const row = target instanceof Element ? target.closest<HTMLElement>('[data-index]') : null;
  return row ? Number(row.dataset.index) : null;
}

/** The `data-action` of the row button that holds `target`, if any. */
export function actionOf(target: EventTarget | null): string | null {
  const button = target instanceof Element ? target.closest<HTMLElement>('[data-action]') : null;
  return button?.dataset.action ?? null;
}

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

function rowElement(viewport: HTMLElement | null, index: number): HTMLElement | null | undefined {
  return viewport?.querySelector<HTMLElement>(`[data-index="${index}"]`);
}

/** Scrolls row `index` into view and focuses it (once it is rendered). */
export async function focusRow(
  list: { scrollToIndex(index: number): void } | null,
  viewport: HTMLElement | null,
  index: number,
) {
  list?.scrollToIndex(index);
  await tick();
  rowElement(viewport, index)?.focus({ preventScroll: true });
}

/** Where a context menu opened from the keyboard on row `index` goes: below the row. */
export function keyboardMenuPoint(viewport: HTMLElement | null, index: number): { x: number; y: number } {
  const rect = rowElement(viewport, index)?.getBoundingClientRect();
  return { x: (rect?.left ?? 0) + 48, y: rect?.bottom ?? 0 };
}
