// The pure half of the store: how one event changes the mirrored snapshot.
import type { PlayerEvent, Snapshot } from './ipc';

/**
 * Returns the snapshot after `event`. Never mutates its arguments; returns the same object
 * when nothing changes (stale position events, notices), so unchanged slices keep their
 * identity and views that depend on them are not redrawn.
 */
export function applyEvent(snapshot: Snapshot, event: PlayerEvent): Snapshot {
  switch (event.type) {
    case 'state':
      return { ...snapshot, state: event.payload };
    case 'position': {
      const { playId, positionMs } = event.payload;
      // A position for an older (or not yet announced) load is stale.
      if (playId !== snapshot.state.playId || positionMs === snapshot.state.positionMs) {
        return snapshot;
      }
      return { ...snapshot, state: { ...snapshot.state, positionMs } };
    }
    case 'queue':
      return { ...snapshot, queue: event.payload };
    case 'library':
      return { ...snapshot, library: event.payload };
    case 'settings':
      return { ...snapshot, settings: event.payload };
    case 'notice':
      // Notices are one-shot messages, not state: the store shows them as toasts.
      return snapshot;
    default:
      return snapshot;
  }
}
