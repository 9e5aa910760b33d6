// The local library's commands: its folders, the scan (cancel, problems) and the browse views
// (albums, folders, recently added). Like commands.ts, the only place these are invoked.
import { invoke } from '@tauri-apps/api/core';
import type { AlbumView } from './bindings/AlbumView';
import type { ArtistView } from './bindings/ArtistView';
import type { FolderView } from './bindings/FolderView';
import type { LibraryRows } from './bindings/LibraryRows';
import type { RowsRequest } from './bindings/RowsRequest';
import type { SortColumn } from './bindings/SortColumn';
import type { SortKeys } from './bindings/SortKeys';
import type { ScanProblem } from './bindings/ScanProblem';
import type { TrackId } from './bindings/TrackId';

/**
 * Adds a folder to the library. With no `path` the OS folder chooser asks the user (the web
 * view never sees the file system); resolves `false` when the user closed it. The library
 * rescans and watches the new folder.
 */
export function addLibraryFolder(path?: string): Promise<boolean> {
  return invoke<boolean>('add_library_folder', { path: path ?? null });
}

/** Takes a folder (as shown in the state's `libraryFolders`) out of the library. */
export function removeLibraryFolder(path: string): Promise<void> {
  return invoke<void>('remove_library_folder', { path });
}

/** Stops the running scan; what it read stays in the library. */
export function cancelScan(): Promise<void> {
  return invoke<void>('cancel_scan');
}

/** What the last scan skipped or listed by file name only, and why (untrusted text). */
export function getScanProblems(): Promise<ScanProblem[]> {
  return invoke<ScanProblem[]>('get_scan_problems');
}

/** Every album of the library by title; each one's track ids in disc and track order. */
export function listAlbums(): Promise<AlbumView[]> {
  return invoke<AlbumView[]>('list_albums');
}

/** Every artist, by name, with their tracks' ids by album (an empty name: no artist). */
export function listArtists(): Promise<ArtistView[]> {
  return invoke<ArtistView[]>('list_artists');
}

/**
 * The library's tracks by folder: the demo's folder, then each library folder (named by its
 * path, as in the settings) with the folders under it that hold tracks (by name only).
 */
export function listFolders(): Promise<FolderView[]> {
  return invoke<FolderView[]>('list_folders');
}

/** Ids of the most recently added tracks, newest first (at most 500). */
export function recentlyAdded(): Promise<TrackId[]> {
  return invoke<TrackId[]>('recently_added');
}

/** Replaces the queue with these library tracks, in this order, and plays the first. */
export function playLibraryTracks(ids: readonly TrackId[]): Promise<void> {
  return invoke<void>('play_library_tracks', { ids });
}

/**
 * Rows of the library as a list shows them: `{ kind: 'range', start, end }` in the library's
 * order, or `{ kind: 'at', indices }` (a sorted list's rows by their places in the library).
 * At most 2 000 at once. The answer names the library's revision: rows of another are stale.
 */
export function libraryRows(request: RowsRequest): Promise<LibraryRows> {
  return invoke<LibraryRows>('library_rows', { request });
}

/** The library's tracks with these ids, in that order (unknown ids left out; at most 2 000). */
export function libraryTracks(ids: readonly TrackId[]): Promise<LibraryRows> {
  return invoke<LibraryRows>('library_tracks', { ids });
}

/** One column's values for every row of the library, in its order, for the songs list's sort. */
export function librarySortKeys(column: SortColumn): Promise<SortKeys> {
  return invoke<SortKeys>('library_sort_keys', { column });
}
