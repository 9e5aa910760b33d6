import { describe, expect, it } from 'vitest';
import { RowSlots, type Slot } from './slots';

const range = (first: number, last: number) => Array.from({ length: last - first }, (_, i) => first + i);
const keys = (slots: readonly Slot[]) => slots.map((s) => s.key);

describe('RowSlots', () => {
  it('gives each row of the first window an element of its own', () => {
    const slots = new RowSlots().place(range(0, 5));
    expect(slots).toEqual([0, 1, 2, 3, 4].map((i) => ({ key: i, index: i })));
  });

  it('keeps the elements (and the very objects) of rows that stay; a scroll of a few rows builds those that come', () => {
    const rows = new RowSlots();
    const before = rows.place(range(0, 5));
    const after = rows.place(range(2, 7));
    for (let i = 0; i < 3; i++) expect(after[i]).toBe(before[i + 2]);
    // Rows 0 and 1 stood before the rows kept, rows 5 and 6 come after them: lending their
    // elements would move them past the kept rows.
    expect(after.slice(3)).toEqual([
      { key: 5, index: 5 },
      { key: 6, index: 6 },
    ]);
  });

  it('after a jump (every row new) reuses every element, in the order they stand', () => {
    const rows = new RowSlots();
    rows.place(range(0, 5));
    rows.place(range(3, 8)); // keys 3, 4, 5, 6, 7
    const jumped = rows.place(range(5000, 5005));
    expect(keys(jumped)).toEqual([3, 4, 5, 6, 7]);
    expect(jumped.map((s) => s.index)).toEqual(range(5000, 5005));
  });

  it('keeps the pinned (focused) row far from the window, and lends only the elements on each side of it', () => {
    const rows = new RowSlots();
    const first = rows.place(range(0, 5));
    const focused = first[2]!;
    // VirtualList lists the pinned row in its place among the rows: here, first.
    const away = rows.place([2, ...range(100, 105)]);
    expect(away[0]).toBe(focused);
    expect(keys(away)).toEqual([2, 3, 4, 5, 6, 7]);
    const back = rows.place(range(0, 5));
    expect(back[2]).toBe(focused);
    // Rows 0 and 1 come before it, where no element stands: new ones.
    expect(keys(back)).toEqual([8, 9, 2, 3, 4]);
  });

  it('never reorders the elements it keeps, and keys stay unique (random windows and pins)', () => {
    let seed = 3;
    const random = (n: number) => (seed = (seed * 16807) % 2147483647) % n;
    const rows = new RowSlots();
    let previous: Slot[] = [];
    for (let step = 0; step < 2000; step++) {
      const first = random(3) === 0 ? random(10_000) : Math.max(0, (previous[1]?.index ?? 0) + random(9) - 4);
      const list = range(first, first + 20 + random(10));
      const pin = random(4) === 0 ? random(10_000) : null;
      if (pin !== null && !list.includes(pin)) {
        if (pin < first) list.unshift(pin);
        else list.push(pin);
      }
      const placed = rows.place(list);
      expect(placed.map((s) => s.index)).toEqual(list);
      expect(new Set(keys(placed)).size).toBe(placed.length);
      const before = new Map(previous.map((s, i) => [s.key, i]));
      const stayed = placed.filter((s) => before.has(s.key)).map((s) => before.get(s.key)!);
      expect(stayed).toEqual([...stayed].sort((a, b) => a - b));
      for (const s of placed) {
        const old = previous.find((p) => p.index === s.index);
        if (old) expect(s).toBe(old);
      }
      previous = placed;
    }
  });
});
