// Subscription to the actor's event stream.
import { listen } from '@tauri-apps/api/event';
import type { Published } from './bindings/Published';

/** The one event the actor emits; its payload is a numbered `PlayerEvent` (`Published`). */
export const PLAYER_EVENT = 'lyrebird://player';

export type Unlisten = () => void;

/** Calls `handler` for every published event. Resolves once the subscription is in place. */
export async function onPlayerEvent(handler: (event: Published) => void): Promise<Unlisten> {
  return listen<Published>(PLAYER_EVENT, (event) => handler(event.payload));
}
