// Local playlists (kept in the library index). Like commands.ts, the only place these are
// invoked. Names, paths and titles in the answers are untrusted text: render them as text.
import { invoke } from '@tauri-apps/api/core';
import type { PlaylistImport } from './bindings/PlaylistImport';
import type { PlaylistSummary } from './bindings/PlaylistSummary';
import type { PlaylistView } from './bindings/PlaylistView';
import type { QueuePosition } from './bindings/QueuePosition';
import type { TrackId } from './bindings/TrackId';

/** Every playlist, by name, with its number of items. */
export function listPlaylists(): Promise<PlaylistSummary[]> {
  return invoke<PlaylistSummary[]>('list_playlists');
}

/** A new playlist (a blank name is refused), holding these library tracks. */
export function createPlaylist(name: string, trackIds: readonly TrackId[] = []): Promise<PlaylistSummary> {
  return invoke<PlaylistSummary>('create_playlist', { name, trackIds });
}

export function renamePlaylist(id: number, name: string): Promise<void> {
  return invoke<void>('rename_playlist', { id, name });
}

export function deletePlaylist(id: number): Promise<void> {
  return invoke<void>('delete_playlist', { id });
}

/** Adds library tracks at index `position` of the playlist (`null`: at the end). */
export function addToPlaylist(id: number, trackIds: readonly TrackId[], position: number | null = null): Promise<void> {
  return invoke<void>('add_to_playlist', { id, trackIds, position });
}

/** Takes items (by item id) out of the playlist. */
export function removeFromPlaylist(id: number, items: readonly number[]): Promise<void> {
  return invoke<void>('remove_from_playlist', { id, items });
}

/** Moves one item (by item id) so that it ends up at index `to`. */
export function moveInPlaylist(id: number, item: number, to: number): Promise<void> {
  return invoke<void>('move_in_playlist', { id, item, to: Math.max(0, Math.round(to)) });
}

/** The playlist's items in order; an item whose file is missing has `track: null`. */
export function getPlaylist(id: number): Promise<PlaylistView> {
  return invoke<PlaylistView>('get_playlist', { id });
}

/** Replaces the queue with the playlist (files that are there, in order), playing from `item`. */
export function playPlaylist(id: number, item: number | null = null): Promise<void> {
  return invoke<void>('play_playlist', { id, item });
}

/** Queues these items of the playlist next or at the end. */
export function enqueuePlaylistItems(id: number, items: readonly number[], position: QueuePosition): Promise<void> {
  return invoke<void>('enqueue_playlist_items', { id, items, position });
}

/**
 * Imports an M3U / M3U8 file the user picks in the OS file chooser as a new playlist (the web
 * view never names a path); resolves `null` when the user closed it.
 */
export function importPlaylist(): Promise<PlaylistImport | null> {
  return invoke<PlaylistImport | null>('import_playlist');
}

/**
 * Writes the playlist as M3U8, paths relative to the file's folder or absolute, where the user
 * says in the OS save dialog; resolves `false` when the user closed it.
 */
export function exportPlaylist(id: number, relative: boolean): Promise<boolean> {
  return invoke<boolean>('export_playlist', { id, relative });
}
