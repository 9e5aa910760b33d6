// What the NetEase views share and that needs no component: reading a rejection as a
// `NeteaseError`, the QR code's dark modules, the qualities on offer, initials for an avatar.
import { neteaseCharts, type NeteaseError, type NeteaseLoginField, type NeteasePlaylist, type NeteaseQuality, type NeteaseRef, type QrLogin } from './ipc/netease';

export const QUALITIES: readonly NeteaseQuality[] = ['standard', 'higher', 'exhigh', 'lossless', 'hires', 'master'];

/** Tracks asked of a playlist at a time. */
export const PLAYLIST_BATCH = 500;

const KINDS: ReadonlySet<string> = new Set([
  'verify',
  'captcha',
  'networkEnvironment',
  'secondFactor',
  'notLoggedIn',
  'unknownAccount',
  'wrongPassword',
  'wrongCode',
  'tooManyAttempts',
  'codeTooSoon',
  'invalid',
  'unreachable',
  'other',
]);

const LOGIN_FIELDS: ReadonlySet<string> = new Set(['countryCode', 'phone', 'email', 'password', 'code']);

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
      case 'invalid': {
        const field = text(e.field);
        return LOGIN_FIELDS.has(field)
          ? { kind: 'invalid', field: field as NeteaseLoginField }
          : { kind: 'other', message: `invalid ${field}` };
      }
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

/**
 * Calling codes the login form offers, by region (ISO 3166 code, named in the user's language
 * by the runtime): mainland China first, then where NetEase's users mostly are.
 */
export const COUNTRY_CODES: readonly { region: string; code: string }[] = [
  { region: 'CN', code: '86' },
  { region: 'HK', code: '852' },
  { region: 'MO', code: '853' },
  { region: 'TW', code: '886' },
  { region: 'SG', code: '65' },
  { region: 'MY', code: '60' },
  { region: 'JP', code: '81' },
  { region: 'KR', code: '82' },
  { region: 'US', code: '1' },
  { region: 'CA', code: '1' },
  { region: 'GB', code: '44' },
  { region: 'AU', code: '61' },
  { region: 'NZ', code: '64' },
  { region: 'DE', code: '49' },
  { region: 'FR', code: '33' },
  { region: 'IT', code: '39' },
  { region: 'ES', code: '34' },
  { region: 'NL', code: '31' },
  { region: 'RU', code: '7' },
  { region: 'TH', code: '66' },
  { region: 'VN', code: '84' },
  { region: 'PH', code: '63' },
  { region: 'ID', code: '62' },
  { region: 'IN', code: '91' },
  { region: 'AE', code: '971' },
];

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
  /** Opens a playlist's page (one a search found). */
  playlist?: (playlist: NeteasePlaylist) => void;
}

/** The year of a NetEase publish time (ms since 1970), or null. */
export function yearOf(publishedMs: number | null): number | null {
  if (publishedMs === null || !Number.isFinite(publishedMs) || publishedMs <= 0) return null;
  return new Date(publishedMs).getUTCFullYear();
}

/** NetEase's charts as playlists to list and open, each noting how often it is updated. */
export async function chartsAsPlaylists(): Promise<(NeteasePlaylist & { note: string | null })[]> {
  const charts = await neteaseCharts();
  return charts.map((chart) => ({
    id: chart.id,
    name: chart.name,
    trackCount: chart.trackCount,
    coverUrl: chart.coverUrl,
    subscribed: false,
    note: chart.updated,
  }));
}
