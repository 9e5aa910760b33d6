// Small pure formatting helpers.
import type { Track } from './ipc';

/** `m:ss`, or `h:mm:ss` from one hour on. `null`/invalid gives `--:--`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '--:--';
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Artists joined for display; empty when there are none. */
export function joinArtists(artists: readonly string[]): string {
  return artists.filter((a) => a.trim() !== '').join(', ');
}

/** A track's audio format, short: codec, sample rate in kHz and bit depth ("FLAC 44.1/16",
 *  "MP3 48"); empty when the scan did not say. */
export function formatAudio(track: Pick<Track, 'codec' | 'sampleRate' | 'bitDepth'>): string {
  const parts: string[] = [];
  if (track.codec) parts.push(track.codec);
  if (track.sampleRate) {
    const khz = String(Math.round(track.sampleRate / 100) / 10);
    parts.push(track.bitDepth ? `${khz}/${track.bitDepth}` : khz);
  }
  return parts.join(' ');
}
