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

/** A word of a lyric line, as `wordAt` needs it. */
interface Timed {
  readonly atMs: number;
}

/**
 * Index of the word sung at `positionMs` (the last one started), or -1 before the first. Words
 * are few per line and written in order; a word out of order is passed over, never an error.
 */
export function wordAt(words: readonly Timed[], positionMs: number): number {
  let found = -1;
  for (let i = 0; i < words.length; i++) {
    if (words[i]!.atMs <= positionMs) found = i;
    else break;
  }
  return found;
}

/** Whether a line's words, side by side, are its whole text (else the text is shown plain). */
export function wordsMakeLine(line: {
  readonly text: string;
  readonly words?: readonly { readonly text: string }[];
}): boolean {
  // `words` is always sent; lyrics from older builds' fixtures may lack it.
  const words = line.words ?? [];
  return words.length > 0 && words.map((w) => w.text).join('').trim() === line.text;
}

/**
 * The next lyric time after `clock` at which what is shown changes: the next line's start, or,
 * in a line sung word by word, the next word's. `null` after the last.
 */
export function nextChangeAt(
  lines: readonly LyricLine[],
  index: number,
  clock: number,
  byWord: boolean,
): number | null {
  let due = lines[index + 1]?.atMs ?? null;
  const words = byWord && index >= 0 ? (lines[index]!.words ?? []) : [];
  const word = words.find((w) => w.atMs > clock);
  if (word && (due === null || word.atMs < due)) due = word.atMs;
  return due;
}
