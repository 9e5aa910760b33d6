// What the NetEase views share and that needs no component: reading a rejection as a
// `NeteaseError`, the QR code's dark modules, the qualities on offer, initials for an avatar.
import type { NeteaseError, NeteaseQuality, NeteaseRef, QrLogin } from './ipc/netease';

export const QUALITIES: readonly NeteaseQuality[] = ['standard', 'higher', 'exhigh', 'lossless', 'hires'];

/** Tracks asked of a playlist at a time. */
export const PLAYLIST_BATCH = 500;

const KINDS: ReadonlySet<string> = new Set([
  'verify',
  'captcha',
  'networkEnvironment',
  'secondFactor',
  'notLoggedIn',
  'unreachable',
  'other',
]);

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * A rejection as a `NeteaseError`. The commands reject with one; anything else (a string from
 * Tauri itself, an exception) is worded as `other`, so the views have one shape to show.
 */
export function asNeteaseError(error: unknown): NeteaseError {
  if (error && typeof error === 'object' && KINDS.has(text((error as { kind?: unknown }).kind))) {
    const e = error as Record<string, unknown>;
    switch (e.kind) {
      case 'verify':
        return { kind: 'verify', url: text(e.url) };
      case 'unreachable':
        return { kind: 'unreachable', message: text(e.message) };
      case 'other':
        return { kind: 'other', message: text(e.message) };
      default:
        return { kind: e.kind } as NeteaseError;
    }
  }
  if (typeof error === 'string') return { kind: 'other', message: error };
  if (error instanceof Error) return { kind: 'other', message: error.message };
  return { kind: 'other', message: String(error) };
}

/** The dark modules of a QR code, as (column, row); nothing past `size × size`. */
export function darkModules(qr: Pick<QrLogin, 'size' | 'modules'>): { x: number; y: number }[] {
  const size = Math.max(0, Math.floor(qr.size));
  const dark: { x: number; y: number }[] = [];
  const count = Math.min(qr.modules.length, size * size);
  for (let i = 0; i < count; i++) {
    if (qr.modules[i]) dark.push({ x: i % size, y: Math.floor(i / size) });
  }
  return dark;
}

/** The first letter of a name, shown as the avatar (the webview loads no remote images). */
export function initials(name: string): string {
  const first = Array.from(name.trim())[0] ?? '?';
  return first.toLocaleUpperCase();
}

/**
 * How NetEase track lists open an album or artist page: the NetEase view provides it (Svelte
 * context under this key), each list's rows link their album and artist names through it.
 */
export const NETEASE_NAV = Symbol('netease-nav');

export interface NeteaseNav {
  album: (of: NeteaseRef) => void;
  artist: (of: NeteaseRef) => void;
}

/** The year of a NetEase publish time (ms since 1970), or null. */
export function yearOf(publishedMs: number | null): number | null {
  if (publishedMs === null || !Number.isFinite(publishedMs) || publishedMs <= 0) return null;
  return new Date(publishedMs).getUTCFullYear();
}
