import { describe, expect, it } from 'vitest';
import { formatDuration, joinArtists } from './format';

describe('formatDuration', () => {
  it('formats m:ss', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(999)).toBe('0:00');
    expect(formatDuration(61_000)).toBe('1:01');
    expect(formatDuration(312_000)).toBe('5:12');
    expect(formatDuration(59 * 60_000 + 59_999)).toBe('59:59');
  });

  it('formats h:mm:ss from one hour on', () => {
    expect(formatDuration(3_600_000)).toBe('1:00:00');
    expect(formatDuration(3_600_000 + 5 * 60_000 + 7_000)).toBe('1:05:07');
  });

  it('shows a placeholder for unknown durations', () => {
    expect(formatDuration(null)).toBe('--:--');
    expect(formatDuration(undefined)).toBe('--:--');
    expect(formatDuration(Number.NaN)).toBe('--:--');
    expect(formatDuration(-5)).toBe('--:--');
  });
});

describe('joinArtists', () => {
  it('joins with a comma', () => {
    expect(joinArtists(['A', 'B', 'C'])).toBe('A, B, C');
    expect(joinArtists([])).toBe('');
    expect(joinArtists(['A', ' '])).toBe('A');
  });
});
