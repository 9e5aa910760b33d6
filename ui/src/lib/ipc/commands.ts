// Typed wrappers around the Rust commands. This folder is the only place that talks to Tauri:
// components call these functions and never import `@tauri-apps/api` themselves.
//
// Every command rejects with a string message when the Rust side returns an error.
import { convertFileSrc, invoke } from '@tauri-apps/api/core';
import type { LocalePreference } from './bindings/LocalePreference';
import type { Snapshot } from './bindings/Snapshot';
import type { TrackId } from './bindings/TrackId';

/** Everything the UI needs to draw itself from nothing. */
export function getSnapshot(): Promise<Snapshot> {
  return invoke<Snapshot>('get_snapshot');
}

/** Replaces the queue with the library and plays from the track `id`. */
export function playLibraryTrack(id: TrackId): Promise<void> {
  return invoke<void>('play_library_track', { id });
}

/** Plays the queue entry at `index`. */
export function playQueueIndex(index: number): Promise<void> {
  return invoke<void>('play_queue_index', { index });
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

export function setLocale(locale: LocalePreference): Promise<void> {
  return invoke<void>('set_locale', { locale });
}

/** URL of a track's cover image, served by the `lyrebird-cover` protocol. */
export function coverUrl(id: TrackId): string {
  return convertFileSrc(id, 'lyrebird-cover');
}
