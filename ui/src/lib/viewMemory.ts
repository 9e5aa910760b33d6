// What the window shows — the open view and how far each list is scrolled — told to the
// player, which keeps it. The window can be destroyed (closed to the tray, to free the web
// view's memory) and rebuilt; the new one reads it back from the snapshot and shows the same.
import { commands } from './ipc';
import type { ViewMemory } from './ipc';

/** Scroll reports are sent at most this often. */
const SEND_DELAY_MS = 250;

let view = '';
const scroll = new Map<string, number>();
let restored: ViewMemory | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

/** Takes what the snapshot remembers (once, when the window starts). */
export function restoreFrom(memory: ViewMemory | null | undefined): void {
  if (!memory || restored) return;
  restored = memory;
  view = memory.view;
  for (const [name, top] of memory.scroll) scroll.set(name, top);
}

/** The view to open first: the remembered one when it is one of `views`. */
export function rememberedView<V extends string>(views: readonly V[], fallback: V): V {
  return (views as readonly string[]).includes(view) ? (view as V) : fallback;
}

/** Where the list `name` was scrolled to (0 when unknown). */
export function rememberedScroll(name: string): number {
  return scroll.get(name) ?? 0;
}

export function noteView(name: string): void {
  if (name === view) return;
  view = name;
  send(0);
}

export function noteScroll(name: string, top: number): void {
  if (scroll.get(name) === top) return;
  scroll.set(name, top);
  send(SEND_DELAY_MS);
}

function send(delay: number): void {
  if (timer !== null) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    // Best effort: if it fails, a rebuilt window starts at the top of the library.
    commands.rememberView({ view, scroll: [...scroll] }).catch(() => {});
  }, delay);
}

/** For tests: forget everything. */
export function resetViewMemory(): void {
  view = '';
  scroll.clear();
  restored = null;
  if (timer !== null) clearTimeout(timer);
  timer = null;
}
