// The arithmetic of dragging a row to another place. A "slot" is a gap between rows: slot 0 is
// above the first row, slot `count` below the last.

/** How far (px) the pointer must travel before a press becomes a drag. */
export const DRAG_THRESHOLD = 5;
/** Distance (px) from the top or bottom edge where a drag scrolls the list. */
export const SCROLL_EDGE = 40;

/** The gap nearest to `y` px from the top of the (scrolled) rows. */
export function slotAt(y: number, rowHeight: number, count: number): number {
  return Math.max(0, Math.min(count, Math.round(y / rowHeight)));
}

/** The index a row taken from `from` ends up at when dropped into gap `slot`. */
export function dropIndex(from: number, slot: number): number {
  return slot > from ? slot - 1 : slot;
}

/** Whether dropping row `from` into gap `slot` would move it (else no drop line is shown). */
export function movesRow(from: number, slot: number): boolean {
  return slot !== from && slot !== from + 1;
}

/**
 * How far to scroll (px, negative: up) while dragging with the pointer at `y`, for a viewport
 * from `top` to `bottom`: faster the closer to an edge, at most `SCROLL_EDGE` a frame.
 */
export function edgeScrollStep(y: number, top: number, bottom: number): number {
  let step = 0;
  if (y < top + SCROLL_EDGE) step = -Math.ceil((top + SCROLL_EDGE - y) / 4);
  else if (y > bottom - SCROLL_EDGE) step = Math.ceil((y - bottom + SCROLL_EDGE) / 4);
  return Math.max(-SCROLL_EDGE, Math.min(SCROLL_EDGE, step));
}
