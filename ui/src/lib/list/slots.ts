// Which element of a windowed list shows which row, when elements are recycled (VirtualList's
// `recycle`). Building a row's elements, and WebKit's styles and boxes for them, is most of
// what a jump across a long list costs (tests/bench/library.mjs, JUMPS); giving the rows that
// come into view the elements of the rows that left, and only changing their text, costs far
// less. Invariants:
// - a row that stays in the window keeps its element, and it is the same object (nothing in
//   its element is updated);
// - no element ever moves in the page: a freed element is lent only to a row that falls
//   between the same kept rows as it stood (moving an element out of the DOM and back takes
//   its focus away, and the focused row is kept even far from the window). So a jump, where
//   every row is new, reuses every element; a scroll of a few rows builds the rows that come
//   in and drops those that left, as without recycling.

/** One element of the list: `key` names the element, `index` the row it shows. */
export interface Slot {
  readonly key: number;
  readonly index: number;
}

export class RowSlots {
  /** The last placement, in page order (rows in ascending order). */
  #placed: readonly Slot[] = [];
  #nextKey = 0;

  /** The slots for these rows (ascending). */
  place(indices: readonly number[]): Slot[] {
    const wanted = new Set(indices);
    const kept = new Map<number, Slot>();
    // The freed elements between each two kept rows, in page order: `gaps[g]` lies before the
    // g-th kept row (the last gap after them all).
    const gaps: number[][] = [[]];
    for (const slot of this.#placed) {
      if (wanted.has(slot.index)) {
        kept.set(slot.index, slot);
        gaps.push([]);
      } else {
        gaps.at(-1)!.push(slot.key);
      }
    }
    const out: Slot[] = [];
    let gap = 0;
    let lent = 0;
    for (const index of indices) {
      const slot = kept.get(index);
      if (slot) {
        out.push(slot);
        gap++;
        lent = 0;
        continue;
      }
      const freed = gaps[gap]!;
      out.push({ key: lent < freed.length ? freed[lent++]! : this.#nextKey++, index });
    }
    this.#placed = out;
    return out;
  }
}
