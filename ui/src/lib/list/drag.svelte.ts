// Drag a row to reorder a list, with pointer events (HTML5 drag and drop is taken over by the
// window's file drop in Tauri). Wire `handlers` onto the list's viewport; the drag names its row
// by key, so the rows may change while it is under way. Only view state lives here: the owner
// makes the move when `ondrop` is called.
import { actionOf, rowIndex } from './rows';
import { DRAG_THRESHOLD, dropIndex, edgeScrollStep, movesRow, slotAt } from './reorder';

export interface RowDragOptions<K> {
  rowHeight: number;
  viewport(): HTMLElement | null;
  count(): number;
  keyAt(index: number): K | undefined;
  indexOf(key: K): number | undefined;
  /** Presses with a modifier key are no drag (they extend or toggle a selection). */
  plainOnly?: boolean;
  /** Scroll the list while the pointer is near its top or bottom edge. */
  autoScroll?: boolean;
  /** The press became a drag of row `index`. */
  onstart?(index: number): void;
  /** Row `from` (now `key`) was dropped so that it ends up at `to` (never `from`). */
  ondrop(key: K, from: number, to: number): void;
}

export class RowDrag<K> {
  /** The drag in progress: which row, and the gap it would drop into. */
  current = $state<{ key: K; slot: number } | null>(null);

  #options: RowDragOptions<K>;
  #press: { pointerId: number; key: K; startY: number } | null = null;
  #pointerY = 0;
  #frame = 0;
  #suppressClick = false;

  constructor(options: RowDragOptions<K>) {
    this.#options = options;
  }

  get dragging(): boolean {
    return this.current !== null;
  }

  /** Whether the row with `key` is the one being dragged. */
  lifted(key: K): boolean {
    return this.current !== null && this.current.key === key;
  }

  /** The gap where the drop line is drawn, or null when the drop would move nothing. */
  get dropLine(): number | null {
    const drag = this.current;
    if (!drag) return null;
    const from = this.#options.indexOf(drag.key);
    return from !== undefined && movesRow(from, drag.slot) ? drag.slot : null;
  }

  /** Whether a click now is the one that ends a drag (not a click on a row). */
  get suppressClick(): boolean {
    return this.#suppressClick;
  }

  #slotAt(clientY: number): number {
    const viewport = this.#options.viewport();
    if (!viewport) return 0;
    const y = clientY - viewport.getBoundingClientRect().top + viewport.scrollTop;
    return slotAt(y, this.#options.rowHeight, this.#options.count());
  }

  onpointerdown = (event: PointerEvent) => {
    if (event.button !== 0) return;
    if (this.#options.plainOnly && (event.shiftKey || event.ctrlKey || event.metaKey || event.altKey)) return;
    if (actionOf(event.target) !== null) return;
    const index = rowIndex(event.target);
    const key = index === null ? undefined : this.#options.keyAt(index);
    if (key === undefined) return;
    this.#press = { pointerId: event.pointerId, key, startY: event.clientY };
  };

  onpointermove = (event: PointerEvent) => {
    const press = this.#press;
    if (!press || event.pointerId !== press.pointerId) return;
    if ((event.buttons & 1) === 0) {
      // The button went up where we did not see it (outside the window, before any capture).
      this.cancel();
      return;
    }
    this.#pointerY = event.clientY;
    if (!this.current) {
      if (Math.abs(event.clientY - press.startY) < DRAG_THRESHOLD) return;
      const index = this.#options.indexOf(press.key);
      if (index === undefined) {
        this.#press = null;
        return;
      }
      this.current = { key: press.key, slot: index };
      this.#options.onstart?.(index);
      this.#options.viewport()?.setPointerCapture?.(event.pointerId);
      if (this.#options.autoScroll && typeof requestAnimationFrame === 'function') {
        this.#frame = requestAnimationFrame(this.#autoScroll);
      }
    }
    this.current.slot = this.#slotAt(event.clientY);
  };

  onpointerup = (event: PointerEvent) => {
    if (!this.#press || event.pointerId !== this.#press.pointerId) return;
    const done = this.#end(event.pointerId);
    if (!done) return;
    // The click that ends a drag is not a click on a row.
    this.#suppressClick = true;
    setTimeout(() => (this.#suppressClick = false), 0);
    const from = this.#options.indexOf(done.key);
    if (from === undefined) return;
    const to = dropIndex(from, done.slot);
    if (to !== from) this.#options.ondrop(done.key, from, to);
  };

  onlostpointercapture = () => {
    if (this.current) this.cancel();
  };

  /** Event handlers for the list's viewport. */
  readonly handlers = {
    onpointerdown: this.onpointerdown,
    onpointermove: this.onpointermove,
    onpointerup: this.onpointerup,
    onpointercancel: () => this.cancel(),
    onlostpointercapture: this.onlostpointercapture,
  };

  /** Drops nothing: the row stays where it was. */
  cancel() {
    if (this.#press) this.#end(this.#press.pointerId);
  }

  /** Escape during a drag cancels it; true when it did. */
  escape(event: KeyboardEvent): boolean {
    if (!this.current || event.key !== 'Escape') return false;
    event.preventDefault();
    this.cancel();
    return true;
  }

  /** Stops what runs on its own (the edge scrolling); call when the list goes away. */
  destroy() {
    this.#stopAutoScroll();
  }

  #end(pointerId: number) {
    this.#press = null;
    this.#stopAutoScroll();
    const viewport = this.#options.viewport();
    if (viewport?.hasPointerCapture?.(pointerId)) viewport.releasePointerCapture(pointerId);
    const done = this.current;
    this.current = null;
    return done;
  }

  /** While dragging near an edge, scroll towards it (faster the closer the pointer). */
  #autoScroll = () => {
    const viewport = this.#options.viewport();
    if (!this.current || !viewport) return;
    const rect = viewport.getBoundingClientRect();
    const step = edgeScrollStep(this.#pointerY, rect.top, rect.bottom);
    if (step !== 0) {
      viewport.scrollTop += step;
      this.current.slot = this.#slotAt(this.#pointerY);
    }
    this.#frame = requestAnimationFrame(this.#autoScroll);
  };

  #stopAutoScroll() {
    if (this.#frame && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }
}
