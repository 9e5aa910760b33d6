import { describe, expect, it } from 'vitest';
import { actionOf, activeIndex, clampIndex, optionAttributes, rowIndex, shownTitle } from './rows';

describe('rows', () => {
  it('keeps an index within the rows', () => {
    expect(clampIndex(-3, 5)).toBe(0);
    expect(clampIndex(9, 5)).toBe(4);
    expect(clampIndex(2, 5)).toBe(2);
    expect(clampIndex(2, 0)).toBe(0);
  });

  it('puts the cursor on the last row of a shorter list, nowhere in an empty one', () => {
    expect(activeIndex(3, 10)).toBe(3);
    expect(activeIndex(12, 10)).toBe(9);
    expect(activeIndex(0, 0)).toBe(-1);
  });

  it('finds the row and the row button an event is on', () => {
    const row = document.createElement('div');
    row.dataset.index = '7';
    row.innerHTML = '<span>t</span><button data-action="remove"><svg></svg></button>';
    expect(rowIndex(row.querySelector('span'))).toBe(7);
    expect(rowIndex(row.querySelector('svg'))).toBe(7);
    expect(rowIndex(document.body)).toBeNull();
    expect(rowIndex(null)).toBeNull();
    expect(actionOf(row.querySelector('svg'))).toBe('remove');
    expect(actionOf(row.querySelector('span'))).toBeNull();
  });

  it('gives a row its option attributes, with only the cursor in the tab order', () => {
    expect(optionAttributes(2, 10, 2, 64, 32)).toEqual({
      role: 'option',
      'aria-posinset': 3,
      'aria-setsize': 10,
      tabindex: 0,
      'data-index': 2,
      style: 'transform: translateY(64px); height: 32px;',
    });
    expect(optionAttributes(3, 10, 2, 96, 32).tabindex).toBe(-1);
  });

  it('shows a blank title as Untitled', () => {
    expect(shownTitle('Song')).toBe('Song');
    expect(shownTitle('  ')).not.toBe('  ');
    expect(shownTitle('  ').length).toBeGreaterThan(0);
  });
});
