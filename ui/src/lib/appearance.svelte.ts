// The windows' look, from the player's settings: `data-theme` (light or dark) and `data-accent`
// on the document's root, which `app.css` turns into colours. Not state of the UI: it is derived
// from the mirrored settings and the system's colour scheme, in every window (main, mini
// player, desktop lyrics), and follows both as they change.
import type { Accent, Appearance, Theme } from './ipc';
import { player } from './player.svelte';

export type Scheme = 'light' | 'dark';

export const ACCENTS: readonly Accent[] = ['orange', 'red', 'pink', 'purple', 'blue', 'teal', 'green'];
export const THEMES: readonly Theme[] = ['system', 'light', 'dark'];

const DARK_QUERY = '(prefers-color-scheme: dark)';

/** Light or dark: the theme chosen, or the system's when it is "system". */
export function resolveScheme(theme: Theme | null | undefined, systemDark: boolean): Scheme {
  if (theme === 'light' || theme === 'dark') return theme;
  return systemDark ? 'dark' : 'light';
}

/** Sets the root's attributes; an accent this build does not know is shown as the default. */
export function applyAppearance(root: HTMLElement, appearance: Appearance | null | undefined, systemDark: boolean): void {
  const scheme = resolveScheme(appearance?.theme, systemDark);
  const accent = appearance && ACCENTS.includes(appearance.accent) ? appearance.accent : 'orange';
  if (root.dataset.theme !== scheme) root.dataset.theme = scheme;
  if (root.dataset.accent !== accent) root.dataset.accent = accent;
}

/**
 * Keeps `root` in step with the settings and the system's scheme until the returned function
 * is called. Runs once at once, so the first frame already has the right colours (the
 * system's, until the snapshot arrives).
 */
export function followAppearance(root: HTMLElement = document.documentElement): () => void {
  const media = typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia(DARK_QUERY) : null;
  const initiallyDark = media?.matches ?? false;
  let systemDark = $state(initiallyDark);
  const onChange = (event: MediaQueryListEvent) => (systemDark = event.matches);
  media?.addEventListener('change', onChange);
  // The main window is built with the settings' theme and accent already on the root (a
  // script the shell runs before the page: no light frame on a dark theme); they stay until the
  // snapshot brings the settings. Otherwise the first frame, before any effect runs, has the
  // system's scheme as it is now.
  const { theme: presetTheme, accent: presetAccent } = root.dataset;
  const preset = presetTheme !== undefined || presetAccent !== undefined;
  applyAppearance(root, null, initiallyDark);
  if (presetTheme !== undefined) root.dataset.theme = presetTheme;
  if (presetAccent !== undefined) root.dataset.accent = presetAccent;
  const stop = $effect.root(() => {
    $effect(() => {
      const appearance = player.settings?.desktop.appearance;
      if (!appearance && preset) return;
      applyAppearance(root, appearance, systemDark);
    });
  });
  return () => {
    stop();
    media?.removeEventListener('change', onChange);
  };
}
