// The last answer of `list_playlists`, shared by the Playlists view and the "Add to playlist"
// menus. It is a cache of the library index's answer, not state of the UI: asked again after
// every edit made here.
import { playlists as ipc, type PlaylistSummary } from './ipc';

class PlaylistList {
  list = $state.raw<readonly PlaylistSummary[] | null>(null);
  error = $state.raw<string | null>(null);
  #latest = 0;

  /** Asks the library again; answers to older requests are dropped. */
  refresh(): Promise<void> {
    const request = ++this.#latest;
    return ipc.listPlaylists().then(
      (answer) => {
        if (request !== this.#latest) return;
        this.list = answer;
        this.error = null;
      },
      (error: unknown) => {
        if (request === this.#latest) this.error = String(error);
      },
    );
  }
}

export const playlistList = new PlaylistList();
