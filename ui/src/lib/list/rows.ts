// Rows of the windowed listboxes (TrackList, QueueList, PlaylistTracks): rows are found by their
// `data-index`, row buttons by their `data-action`; the cursor is an index into the rows.
import { tick } from 'svelte';
import type { Track } from '../ipc';
import { t } from '../i18n/index.svelte';

/** A title as shown in a list ("Untitled" for a blank one). */
export function shownTitle(title: string): string {
  return title.trim() === '' ? t('track.untitled') : title;
}

/** A track's title as shown in a list ("Untitled" for a blank one). */
export function titleOf(track: Track): string {
  return shownTitle(track.title);
}

/** `index` moved into the rows `0..count` (0 for an empty list). */
export function clampIndex(index: number, count: number): number {
  return Math.max(0, Math.min(count - 1, index));
}

/** The row a cursor stands on: the last row once the list got shorter, -1 for an empty list. */
export function activeIndex(cursor: number, count: number): number {
  return count === 0 ? -1 : Math.min(cursor, count - 1);
}

/**
 * The attributes every listbox row has: an option, its place in the whole list (only some rows
 * are in the DOM), the roving tabindex (only the cursor's row is in the tab order), the
 * `data-index` the handlers find it by, and its place in the windowed list.
 */
export function optionAttributes(index: number, count: number, active: number, top: number, height: number) {
  return {
    role: 'option' as const,
    'aria-posinset': index + 1,
    'aria-setsize': count,
    tabindex: index === active ? 0 : -1,
    'data-index': index,
    style: `transform: translateY(${top}px); height: ${height}px;`,
  };
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
