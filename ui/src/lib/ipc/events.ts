// Subscription to the actor's event stream.
import { listen } from '@tauri-apps/api/event';
import type { PlayerEvent } from './bindings/PlayerEvent';

/** The one event the actor emits; its payload is a `PlayerEvent`. */
export const PLAYER_EVENT = 'lyrebird://player';

export type Unlisten = () => void;

/** Calls `handler` for every `PlayerEvent`. Resolves once the subscription is in place. */
export async function onPlayerEvent(handler: (event: PlayerEvent) => void): Promise<Unlisten> {
  return listen<PlayerEvent>(PLAYER_EVENT, (event) => handler(event.payload));
}
