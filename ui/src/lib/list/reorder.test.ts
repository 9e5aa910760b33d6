import { describe, expect, it } from 'vitest';
import { dropIndex, edgeScrollStep, movesRow, SCROLL_EDGE, slotAt } from './reorder';

describe('reorder', () => {
  it('finds the nearest gap, within the rows', () => {
    expect(slotAt(0, 32, 5)).toBe(0);
    expect(slotAt(15, 32, 5)).toBe(0);
    expect(slotAt(17, 32, 5)).toBe(1);
    expect(slotAt(-50, 32, 5)).toBe(0);
    expect(slotAt(10_000, 32, 5)).toBe(5);
  });

  it('drops below itself one place higher than the gap', () => {
    expect(dropIndex(1, 4)).toBe(3);
    expect(dropIndex(3, 0)).toBe(0);
    expect(dropIndex(2, 2)).toBe(2);
    expect(dropIndex(2, 3)).toBe(2);
  });

  it('moves nothing into the gaps on either side of the row', () => {
    expect(movesRow(2, 2)).toBe(false);
    expect(movesRow(2, 3)).toBe(false);
    expect(movesRow(2, 1)).toBe(true);
    expect(movesRow(2, 4)).toBe(true);
  });

  it('scrolls near the edges, faster closer, at most SCROLL_EDGE', () => {
    expect(edgeScrollStep(300, 0, 600)).toBe(0);
    expect(edgeScrollStep(30, 0, 600)).toBe(-3);
    expect(edgeScrollStep(590, 0, 600)).toBe(8);
    expect(edgeScrollStep(-1000, 0, 600)).toBe(-SCROLL_EDGE);
    expect(edgeScrollStep(5000, 0, 600)).toBe(SCROLL_EDGE);
  });
});
