// The event handlers of a windowed listbox's viewport (TrackList, QueueList, PlaylistTracks):
// which row an event is on, what its keys ask for (see keyboard.ts), and the call to the
// list's own action. A list leaves out what it has no use for; its keys are then left alone.
import { listKeyIntent } from './keyboard';
import { actionOf, rowIndex } from './rows';

export type MenuPoint = { x: number; y: number };

export interface ListboxOptions {
  /** The cursor's row; -1 for an empty list. */
  active(): number;
  count(): number;
  /** Rows in a page, for Page Up / Page Down. */
  page(): number;
  /**
   * Shift / Ctrl / Cmd make a selection here: a double click with one of them does not play,
   * and Ctrl/Cmd+A and Escape reach `selectAll` and `clear`.
   */
  multiselect?: boolean;
  /** A navigation key: the cursor goes to row `to` (already clamped). */
  move(to: number, extend: boolean): void;
  /** Enter, or a double click on the row (not on its buttons). */
  activate(index: number): void;
  /** A click on row `index`, on its button with `data-action` = `action` if not null. */
  click?(index: number, action: string | null, event: MouseEvent): void;
  /** Focus went to row `index` (not the cursor's) or into it. */
  focus?(index: number): void;
  /** Right click (at the pointer) or the Menu key / Shift+F10 (at null). */
  menu?(index: number, at: MenuPoint | null): void;
  /** Delete or Backspace. */
  remove?(index: number): void;
  /** Alt+Up / Alt+Down. */
  reorder?(index: number, delta: -1 | 1): void;
  selectAll?(): void;
  /** Escape; true when it did something (then the key is taken). */
  clear?(): boolean;
  /** True while a click is the end of a drag, not a click on a row. */
  suppressClick?(): boolean;
}

export function listboxHandlers(options: ListboxOptions) {
  function onkeydown(event: KeyboardEvent) {
    const from = rowIndex(event.target) ?? options.active();
    if (from < 0) return;
    const intent = listKeyIntent(event, from, options.page(), options.count());
    let run: (() => void) | undefined;
    switch (intent?.kind) {
      case 'menu':
        if (options.menu) run = () => options.menu!(from, null);
        break;
      case 'move':
        run = () => options.move(intent.to, intent.extend);
        break;
      case 'activate':
        run = () => options.activate(from);
        break;
      case 'remove':
        if (options.remove) run = () => options.remove!(from);
        break;
      case 'reorder':
        if (options.reorder) run = () => options.reorder!(from, intent.delta);
        break;
      case 'selectAll':
        if (options.multiselect && options.selectAll) run = options.selectAll;
        break;
      case 'clear':
        if (options.multiselect && options.clear?.()) event.preventDefault();
        return;
    }
    if (!run) return;
    event.preventDefault();
    run();
  }

  function onclick(event: MouseEvent) {
    if (options.suppressClick?.()) return;
    const index = rowIndex(event.target);
    if (index !== null) options.click?.(index, actionOf(event.target), event);
  }

  function ondblclick(event: MouseEvent) {
    // A double click on a button is two clicks on it, not "play the row".
    if (actionOf(event.target) !== null) return;
    if (options.multiselect && (event.shiftKey || event.ctrlKey || event.metaKey)) return;
    const index = rowIndex(event.target);
    if (index !== null) options.activate(index);
  }

  function onfocusin(event: FocusEvent) {
    const index = rowIndex(event.target);
    if (index !== null && index !== options.active()) options.focus?.(index);
  }

  function oncontextmenu(event: MouseEvent) {
    if (!options.menu) return;
    const index = rowIndex(event.target);
    if (index === null) return;
    event.preventDefault();
    options.menu(index, { x: event.clientX, y: event.clientY });
  }

  return { onkeydown, onclick, ondblclick, onfocusin, oncontextmenu };
}
