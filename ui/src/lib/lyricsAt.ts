// Which lyric line is sung at a position: shared by the Lyrics view and the desktop lyrics.
import type { LyricLine } from './ipc';

/** One nudge of the lyrics offset (the Lyrics view's earlier / later buttons). */
export const LYRICS_OFFSET_STEP_MS = 500;

/** Index of the last line with `atMs <= positionMs`, or -1 before the first line. */
export function lineAt(lines: readonly LyricLine[], positionMs: number): number {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lines[mid]!.atMs <= positionMs) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
