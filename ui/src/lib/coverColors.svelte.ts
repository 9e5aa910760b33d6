// The current track's cover colours, for Now Playing and the mini player to take on: asked of
// the app (which takes them from the cover's thumbnail) when the current track changes, and
// set as `--cover-main` / `--cover-accent` on the view. An answer for a track that is no longer
// current is dropped; a track without a cover (or an answer that fails) has none, and the
// view keeps the theme's own colours.
import { commands, type CoverColors, type Track } from './ipc';

/** Only `#rrggbb` reaches a style. */
const HEX = /^#[0-9a-f]{6}$/i;

export class CurrentCoverColors {
  /** The colours of the current track's cover, once known. */
  colors = $state.raw<CoverColors | null>(null);
  #asked: string | null = null;

  /** Follows the current track (call it from an `$effect`; the same track asks nothing). */
  follow(track: Pick<Track, 'id' | 'hasCover' | 'coverArt'> | null): void {
    const id = track?.hasCover ? track.id : null;
    if (id === this.#asked) return;
    this.#asked = id;
    this.colors = null;
    if (id === null || !track) return;
    commands.coverColors(id, track.coverArt).then(
      (colors) => {
        if (this.#asked !== id) return;
        this.colors = colors && HEX.test(colors.main) && HEX.test(colors.accent) ? colors : null;
      },
      () => {
        // No colours: the theme's stay.
      },
    );
  }
}
