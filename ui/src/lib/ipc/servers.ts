// Music servers and remote tracks: typed wrappers around the Rust commands. Like the rest of
// this folder, the only code that calls `invoke`.
//
// Secrets (passwords, API keys) go from here to the backend and never come back: the settings
// the UI mirrors list servers without them.
import { invoke } from '@tauri-apps/api/core';
import type { BrowsePage } from './bindings/BrowsePage';
import type { BrowseRequest } from './bindings/BrowseRequest';
import type { QueuePosition } from './bindings/QueuePosition';
import type { ServerInput } from './bindings/ServerInput';
import type { ServerSettings } from './bindings/ServerSettings';
import type { ServerTest } from './bindings/ServerTest';
import type { TrackId } from './bindings/TrackId';

export type { BrowsePage } from './bindings/BrowsePage';
export type { BrowseRequest } from './bindings/BrowseRequest';
export type { CandidateView } from './bindings/CandidateView';
export type { PlayingFrom } from './bindings/PlayingFrom';
export type { RemoteAlbum } from './bindings/RemoteAlbum';
export type { RemoteArtist } from './bindings/RemoteArtist';
export type { RemotePlaylist } from './bindings/RemotePlaylist';
export type { SecretStorage } from './bindings/SecretStorage';
export type { ServerAuth } from './bindings/ServerAuth';
export type { ServerInput } from './bindings/ServerInput';
export type { ServerSettings } from './bindings/ServerSettings';
export type { ServerTest } from './bindings/ServerTest';
export type { SourceSettings } from './bindings/SourceSettings';

/** The id of the local library among the sources (`SourceSettings.order`). */
export const LIBRARY_SOURCE_ID = 'library';
/** The label the backend gives the local library; the UI shows it in the user's language. */
export const LIBRARY_LABEL = 'library';

/**
 * Adds a server (empty `id`) or changes one; resolves to the server as saved (without its
 * secret). A `secret` of `null` or `''` keeps the stored one. Rejects with a message for the
 * user (an invalid address, a missing password).
 */
export function saveServer(server: ServerInput): Promise<ServerSettings> {
  return invoke<ServerSettings>('save_server', { server });
}

/** Removes a server and forgets its secret. */
export function removeServer(id: string): Promise<void> {
  return invoke<void>('remove_server', { id });
}

/** Signs in with what was typed (or the stored secret) and says how it went. */
export function testServer(server: ServerInput): Promise<ServerTest> {
  return invoke<ServerTest>('test_server', { server });
}

/** Prefers sources in this order: `library` and `subsonic:<server id>`. */
export function setSourceOrder(order: readonly string[]): Promise<void> {
  return invoke<void>('set_source_order', { order });
}

/** One page of a server (search, albums, an album, …). Text in it is untrusted. */
export function browseServer(server: string, request: BrowseRequest): Promise<BrowsePage> {
  return invoke<BrowsePage>('browse_server', { server, request });
}

/**
 * Appends these server tracks to the queue and plays the first. Only their ids go: the
 * backend asks their servers what they are.
 */
export function playTracks(ids: readonly TrackId[]): Promise<void> {
  return invoke<void>('play_tracks', { ids });
}

/** Queues these server tracks (by id) next or at the end, without interrupting what plays. */
export function enqueueTracks(ids: readonly TrackId[], position: QueuePosition): Promise<void> {
  return invoke<void>('enqueue_tracks', { ids, position });
}

/**
 * Plays the current track `track` from another copy the fallback race found
 * (`PlayerState.playingFrom.candidates[].id`).
 */
export function useCandidate(track: TrackId, candidate: string): Promise<void> {
  return invoke<void>('use_candidate', { track, candidate });
}
