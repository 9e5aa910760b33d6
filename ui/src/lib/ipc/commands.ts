// Typed wrappers around the Rust commands. This folder is the only place that talks to Tauri:
// components call these functions and never import `@tauri-apps/api` themselves.
//
// Every command rejects with a string message when the Rust side returns an error.
import { convertFileSrc, invoke } from '@tauri-apps/api/core';
import type { DesktopSettings } from './bindings/DesktopSettings';
import type { LocalePreference } from './bindings/LocalePreference';
import type { LyricsSettings } from './bindings/LyricsSettings';
import type { LyricsView } from './bindings/LyricsView';
import type { CoverColors } from './bindings/CoverColors';
import type { PlayMode } from './bindings/PlayMode';
import type { QueuePosition } from './bindings/QueuePosition';
import type { QueueRows } from './bindings/QueueRows';
import type { ReplayGainMode } from './bindings/ReplayGainMode';
import type { Snapshot } from './bindings/Snapshot';
import type { TrackId } from './bindings/TrackId';
import type { ViewMemory } from './bindings/ViewMemory';

/** Everything the UI needs to draw itself from nothing. */
export function getSnapshot(): Promise<Snapshot> {
  return invoke<Snapshot>('get_snapshot');
}

/** Replaces the queue with the library and plays from the track `id`. */
export function playLibraryTrack(id: TrackId): Promise<void> {
  return invoke<void>('play_library_track', { id });
}

/**
 * Ids of the library tracks that match `query` (title, artist, album), best first, at most
 * 500. Answers for an older query can arrive after a newer one: the caller keeps the latest.
 */
export function searchLibrary(query: string): Promise<TrackId[]> {
  return invoke<TrackId[]>('search_library', { query });
}

/**
 * The colours of track `id`'s cover (`coverArt`: a remote track's, as it travels with the track),
 * for Now Playing and the mini player to take on; `null` when it has no cover to take them from.
 */
export function coverColors(id: TrackId, coverArt?: string | null): Promise<CoverColors | null> {
  return invoke<CoverColors | null>('cover_colors', { id, art: coverArt ?? null });
}

/**
 * The lyrics of the track `id` (lines sorted by time, offset applied), or `null` when it has
 * none. The text comes from files: render it as text only. Answers can arrive after the
 * current track changed: the caller keeps only the answer for the track still current.
 */
export function getLyrics(id: TrackId): Promise<LyricsView | null> {
  return invoke<LyricsView | null>('get_lyrics', { id });
}

/**
 * Shows the lyrics of the track `id` `offsetMs` earlier (negative: later) than their times
 * say; 0 resets. The actor remembers it per track (clamped to ±60 s) and publishes the current
 * track's as `PlayerState.lyricsOffsetMs`.
 */
export function setLyricsOffset(id: TrackId, offsetMs: number): Promise<void> {
  return invoke<void>('set_lyrics_offset', { id, offsetMs: Math.round(offsetMs) });
}

/**
 * Likes (or unlikes) the current track at its own source (a Subsonic star), if it is still
 * `id`. The actor shows the change at once as `PlayerState.liked` and puts it back, with a
 * notice, if the source refuses.
 */
export function setLiked(id: TrackId, liked: boolean): Promise<void> {
  return invoke<void>('set_liked', { id, liked });
}

/** Plays the queue entry at `index`. */
export function playQueueIndex(index: number): Promise<void> {
  return invoke<void>('play_queue_index', { index });
}

/** Plays one queue entry, named by its id (right even if the queue changed meanwhile). */
export function playQueueEntry(entry: number): Promise<void> {
  return invoke<void>('play_queue_entry', { entry });
}

/**
 * Queues library tracks (by track id) right after the current entry (`next`) or at the end,
 * without interrupting what plays. Rejects when an id is not in the library.
 */
export function enqueue(ids: readonly TrackId[], position: QueuePosition): Promise<void> {
  return invoke<void>('enqueue', { ids, position });
}

/**
 * Takes queue entries out, by entry id (not index, not track id). When the current entry
 * goes, its successor takes over.
 */
export function removeFromQueue(entries: readonly number[]): Promise<void> {
  return invoke<void>('remove_from_queue', { entries });
}

/** Moves one entry (by entry id) so that it ends up at index `to` (clamped by the actor). */
export function moveInQueue(entry: number, to: number): Promise<void> {
  return invoke<void>('move_in_queue', { entry, to: Math.max(0, Math.round(to)) });
}

/** Empties the queue (and stops). */
export function clearQueue(): Promise<void> {
  return invoke<void>('clear_queue');
}

/** Entries `start` to `end` (exclusive) of the queue, with their tracks (at most 2000). */
export function queueRows(start: number, end: number): Promise<QueueRows> {
  return invoke<QueueRows>('queue_rows', { start, end });
}

export function setPlayMode(mode: PlayMode): Promise<void> {
  return invoke<void>('set_play_mode', { mode });
}

/** Stop when the current track ends (once). */
export function setStopAfterCurrent(on: boolean): Promise<void> {
  return invoke<void>('set_stop_after_current', { on });
}

export function togglePause(): Promise<void> {
  return invoke<void>('toggle_pause');
}

export function play(): Promise<void> {
  return invoke<void>('play');
}

export function pause(): Promise<void> {
  return invoke<void>('pause');
}

export function stop(): Promise<void> {
  return invoke<void>('stop');
}

export function next(): Promise<void> {
  return invoke<void>('next');
}

export function previous(): Promise<void> {
  return invoke<void>('previous');
}

/** Seeks the current track to `positionMs` (whole milliseconds). */
export function seek(positionMs: number): Promise<void> {
  return invoke<void>('seek', { positionMs: Math.max(0, Math.round(positionMs)) });
}

/** Sets the volume, 0..=1 (before the volume curve). */
export function setVolume(volume: number): Promise<void> {
  return invoke<void>('set_volume', { volume: Math.min(1, Math.max(0, volume)) });
}

/** Asks the actor to open the audio output device again. */
export function retryAudioDevice(): Promise<void> {
  return invoke<void>('retry_audio_device');
}

/**
 * Asks the audio backend to list the output devices again. The answer is not returned: it
 * arrives as a new state with `outputDevices`.
 */
export function refreshOutputDevices(): Promise<void> {
  return invoke<void>('refresh_output_devices');
}

/** Plays through the output device `id` (from `outputDevices`); `null`: the system default. */
export function setOutputDevice(id: string | null): Promise<void> {
  return invoke<void>('set_output_device', { id });
}

export function setLocale(locale: LocalePreference): Promise<void> {
  return invoke<void>('set_locale', { locale });
}

/** Silences the output without forgetting the volume. */
export function setMuted(muted: boolean): Promise<void> {
  return invoke<void>('set_muted', { muted });
}

/** Pauses playback after `minutes`; `null` cancels the timer. */
export function setSleepTimer(minutes: number | null): Promise<void> {
  return invoke<void>('set_sleep_timer', { minutes });
}

/** Which ReplayGain values to apply: off, per track, or per album. */
export function setReplayGain(mode: ReplayGainMode): Promise<void> {
  return invoke<void>('set_replay_gain', { mode });
}

/**
 * Fades from one track into the next over `ms` milliseconds (0 ..= 12 000, whole); 0 keeps
 * tracks gapless.
 */
export function setCrossfade(ms: number): Promise<void> {
  return invoke<void>('set_crossfade', { ms: Math.min(12_000, Math.max(0, Math.round(ms))) });
}

/** What the lyrics show under each line: the translation, the romanisation. */
export function setLyricsSettings(lyrics: LyricsSettings): Promise<void> {
  return invoke<void>('set_lyrics_settings', { lyrics });
}

/** Window and desktop behaviour: close to tray, start in tray, track-change notifications. */
export function setDesktopSettings(desktop: DesktopSettings): Promise<void> {
  return invoke<void>('set_desktop_settings', { desktop });
}

/**
 * Tells the player what the window shows (view and scroll offsets), so that a window rebuilt
 * from the tray shows the same.
 */
export function rememberView(view: ViewMemory): Promise<void> {
  return invoke<void>('remember_view', { view });
}

/** Shows the main window (from the mini player). */
export function showMainWindow(): Promise<void> {
  return invoke<void>('show_main_window');
}

/** Opens the mini player window, or brings it to the front. */
export function openMiniPlayer(): Promise<void> {
  return invoke<void>('open_mini_player');
}

/** Closes the mini player window. */
export function closeMiniPlayer(): Promise<void> {
  return invoke<void>('close_mini_player');
}

/** Shows (`true`) or removes the desktop lyrics window. */
export function setDesktopLyrics(on: boolean): Promise<void> {
  return invoke<void>('set_desktop_lyrics', { on });
}

/** Which picture a cover URL asks for: a thumbnail of at most 256 px a side (grids, lists),
 *  at most 1024 px (Now Playing), or the picture as embedded. */
export type CoverSize = 'small' | 'large' | 'original';

/** URL of a track's cover image, served by the `lyrebird-cover` protocol (thumbnails are made
 *  and cached on the Rust side). A server's track names its cover as the server does
 *  (`coverArt`), which travels with the track. */
export function coverUrl(id: TrackId, size: CoverSize = 'small', coverArt?: string): string {
  const url = convertFileSrc(id, 'lyrebird-cover');
  const query = [
    ...(size === 'original' ? [] : [`size=${size}`]),
    ...(coverArt ? [`art=${encodeURIComponent(coverArt)}`] : []),
  ];
  return query.length ? `${url}?${query.join('&')}` : url;
}
