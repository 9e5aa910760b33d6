import { describe, expect, it } from 'vitest';
import {
  clearSelection,
  clickSelection,
  emptySelection,
  selectAll,
  selectedInOrder,
  selectOnly,
  selectRange,
  toggleSelected,
  type Selection,
} from './selection';

const rows = [10, 11, 12, 13, 14];
const keys = (s: Selection<number>) => [...s.keys].sort((a, b) => a - b);
const none = { shiftKey: false, ctrlKey: false, metaKey: false };

describe('selection', () => {
  it('starts empty, without an anchor', () => {
    const s = emptySelection<number>();
    expect(keys(s)).toEqual([]);
    expect(s.anchor).toBeNull();
  });

  it('selects one row, which becomes the anchor', () => {
    const s = selectOnly(12);
    expect(keys(s)).toEqual([12]);
    expect(s.anchor).toBe(12);
  });

  it('toggles a row in and out, moving the anchor', () => {
    let s = toggleSelected(selectOnly(10), 12);
    expect(keys(s)).toEqual([10, 12]);
    expect(s.anchor).toBe(12);
    s = toggleSelected(s, 10);
    expect(keys(s)).toEqual([12]);
    expect(s.anchor).toBe(10);
  });

  it('extends a range from the anchor either way, keeping the anchor', () => {
    const down = selectRange(selectOnly(11), rows, 3);
    expect(keys(down)).toEqual([11, 12, 13]);
    expect(down.anchor).toBe(11);
    const up = selectRange(down, rows, 0);
    expect(keys(up)).toEqual([10, 11]);
  });

  it('selects only the row when the anchor is gone or unset', () => {
    expect(keys(selectRange(selectOnly(99), rows, 2))).toEqual([12]);
    expect(selectRange(emptySelection<number>(), rows, 2).anchor).toBe(12);
  });

  it('ignores a row that is not there', () => {
    const s = selectOnly(11);
    expect(selectRange(s, rows, 9)).toBe(s);
    expect(clickSelection(s, rows, -1, none)).toBe(s);
  });

  it('selects all and clears, keeping the anchor', () => {
    const all = selectAll(selectOnly(13), rows);
    expect(keys(all)).toEqual(rows);
    expect(all.anchor).toBe(13);
    const cleared = clearSelection(all);
    expect(keys(cleared)).toEqual([]);
    expect(cleared.anchor).toBe(13);
  });

  it('reads a click: plain selects, Shift extends, Ctrl or Cmd toggles', () => {
    let s = clickSelection(emptySelection<number>(), rows, 1, none);
    expect(keys(s)).toEqual([11]);
    s = clickSelection(s, rows, 3, { ...none, shiftKey: true });
    expect(keys(s)).toEqual([11, 12, 13]);
    s = clickSelection(s, rows, 2, { ...none, ctrlKey: true });
    expect(keys(s)).toEqual([11, 13]);
    s = clickSelection(s, rows, 4, { ...none, metaKey: true });
    expect(keys(s)).toEqual([11, 13, 14]);
  });

  it('lists the selected rows still there, in row order', () => {
    const s: Selection<number> = { keys: new Set([14, 99, 11]), anchor: null };
    expect(selectedInOrder(s, rows)).toEqual([11, 14]);
    expect(selectedInOrder(emptySelection<number>(), rows)).toEqual([]);
  });
});
