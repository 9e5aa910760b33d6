// The music's time between the actor's position reports, for synced lyrics.
//
// The actor reports the position once a second (as the music crosses each second) and at every
// jump (a seek, a new track, a pause): a clock needs no more, and in the window each report is a
// repaint (issue #19). Synced lyrics need finer time. A `Playhead` follows the music from the
// last report with the page's clock, and is read again only when a view asks to be woken (at the
// next line, the next word), so nothing runs in between.
import { untrack } from 'svelte';

/** The last report: where the music was, whether it plays, and when (the page's clock) it came. */
export interface Anchor {
  readonly positionMs: number;
  readonly playing: boolean;
  readonly atMs: number;
}

/**
 * How far past a report the music is followed. The next report is due a second after it; one
 * that does not come (the audio stalled) must not let the lyrics run on.
 */
export const FOLLOW_MAX_MS = 1_500;

export class Playhead {
  #wakes = $state(0);
  readonly #anchor: () => Anchor;
  readonly #now: () => number;

  constructor(anchor: () => Anchor, now: () => number = () => performance.now()) {
    this.#anchor = anchor;
    this.#now = now;
  }

  /** Where the music is now. Read in a `$derived`, it is read again at each report and wake. */
  get ms(): number {
    void this.#wakes;
    const { positionMs, playing, atMs } = this.#anchor();
    if (!playing) return positionMs;
    return positionMs + Math.min(FOLLOW_MAX_MS, Math.max(0, this.#now() - atMs));
  }

  /**
   * Wakes the readers of `ms` when the music reaches `dueMs` (if it plays): call it in an
   * `$effect` and return what it returns. It is armed again at each report.
   */
  wakeAt(dueMs: number | null): () => void {
    const { playing } = this.#anchor();
    if (dueMs === null || !playing) return () => {};
    const now = untrack(() => this.ms);
    if (dueMs <= now) return () => {};
    // Past the follow limit it would wake to no change; the next report arms it again.
    if (dueMs - now > FOLLOW_MAX_MS) return () => {};
    const timer = setTimeout(() => {
      this.#wakes++;
    }, dueMs - now + 1);
    return () => clearTimeout(timer);
  }
}
