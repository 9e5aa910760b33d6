// Themes: the colours in app.css for each theme and accent have readable text (WCAG AA), and
// every window's root follows the settings and the system's scheme.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { invoke } from '@tauri-apps/api/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACCENTS, applyAppearance, followAppearance, resolveScheme, type Scheme } from './lib/appearance.svelte';
import SettingsView from './lib/components/SettingsView.svelte';
import type { Accent, Settings } from './lib/ipc';
import { player } from './lib/player.svelte';
import { makeSnapshot } from './test/fixtures';

// Read from disk: Vitest does not load CSS (an import of it, even `?raw`, is empty).
const css = readFileSync(join(import.meta.dirname, 'app.css'), 'utf8');

/** The custom properties each selector of app.css sets (first selector of a list). */
function blocks(): Map<string, Record<string, string>> {
  const found = new Map<string, Record<string, string>>();
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  for (const match of text.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    const selector = match[1]!.split(',')[0]!.trim();
    const props: Record<string, string> = found.get(selector) ?? {};
    for (const decl of match[2]!.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)) props[decl[1]!] = decl[2]!.trim();
    found.set(selector, props);
  }
  return found;
}

/** The custom properties in force on the root for a theme and an accent, as the cascade sets them. */
function colours(scheme: Scheme, accent: Accent): Record<string, string> {
  const all = blocks();
  const layers = [':root', `:root[data-accent='${accent}']`];
  if (scheme === 'dark') layers.push(":root[data-theme='dark']", `:root[data-theme='dark'][data-accent='${accent}']`);
  return Object.assign({}, ...layers.map((selector) => all.get(selector) ?? {})) as Record<string, string>;
}

function luminance(hex: string): number {
  const match = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!match) throw new Error(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(match[1]!.slice(i, i + 2), 16) / 255).map((c) =>
    c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4,
  );
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('theme colours', () => {
  const cases = (['light', 'dark'] as const).flatMap((scheme) => ACCENTS.map((accent) => [scheme, accent] as const));

  it('defines every accent for both themes', () => {
    const all = blocks();
    for (const accent of ACCENTS) {
      expect(all.get(`:root[data-accent='${accent}']`)?.['--accent'], accent).toBeDefined();
      expect(all.get(`:root[data-theme='dark'][data-accent='${accent}']`)?.['--accent'], accent).toBeDefined();
    }
  });

  it.each(cases)('%s theme, %s accent: text is readable (WCAG AA)', (scheme, accent) => {
    const c = colours(scheme, accent);
    const surfaces = ['--bg', '--sidebar-bg', '--group-bg', '--popover-bg'];
    for (const surface of surfaces) {
      // Body text and secondary text: 4.5:1 on every surface.
      for (const text of ['--text', '--text-secondary']) {
        expect(contrast(c[text]!, c[surface]!), `${text} on ${surface}`).toBeGreaterThanOrEqual(4.5);
      }
      // Icons and the accent's marks (non-text): 3:1.
      expect(contrast(c['--accent']!, c[surface]!), `--accent on ${surface}`).toBeGreaterThanOrEqual(3);
    }
    expect(contrast(c['--text-tertiary']!, c['--bg']!), '--text-tertiary on --bg').toBeGreaterThanOrEqual(4.5);
    expect(contrast(c['--accent-text']!, c['--bg']!), '--accent-text on --bg').toBeGreaterThanOrEqual(4.5);
    // Text on the accent (a selected row, a highlighted menu item).
    expect(contrast(c['--on-accent']!, c['--accent']!), '--on-accent on --accent').toBeGreaterThanOrEqual(4.5);
    expect(contrast(c['--warning-text']!, c['--warning-bg']!), 'warning').toBeGreaterThanOrEqual(4.5);
  });
});

/** `color-mix(in srgb, a share%, transparent)` drawn over `under`, as #rrggbb. */
function over(colour: string, share: number, under: string): string {
  const parts = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const top = parts(colour);
  const bottom = parts(under);
  return `#${top.map((c, i) => Math.round(c * share + bottom[i]! * (1 - share)).toString(16).padStart(2, '0')).join('')}`;
}

describe('scrollbars', () => {
  /** `rgba(r, g, b, a)` drawn over `under`, as #rrggbb. */
  function rgbaOver(rgba: string, under: string): string {
    const match = /^rgba\((\d+), (\d+), (\d+), ([\d.]+)\)$/.exec(rgba);
    if (!match) throw new Error(`not an rgba() colour: ${rgba}`);
    const hex = `#${[1, 2, 3].map((i) => Number(match[i]).toString(16).padStart(2, '0')).join('')}`;
    return over(hex, Number(match[4]), under);
  }

  it.each(['light', 'dark'] as const)('%s theme: the thumb stands out from the page (3:1), more so hovered', (scheme) => {
    const c = colours(scheme, 'orange');
    const thumb = contrast(rgbaOver(c['--scrollbar-thumb']!, c['--bg']!), c['--bg']!);
    const hovered = contrast(rgbaOver(c['--scrollbar-thumb-hover']!, c['--bg']!), c['--bg']!);
    expect(thumb).toBeGreaterThanOrEqual(3);
    expect(hovered).toBeGreaterThan(thumb);
  });
});

describe('focus ring', () => {
  const svelteStyles = Object.entries(
    import.meta.glob<string>('./**/*.svelte', { query: '?raw', import: 'default', eager: true }),
  ).map(([path, text]) => [path, /<style>([\s\S]*?)<\/style>/.exec(text)?.[1] ?? ''] as const);
  const cssFiles = ['app.css', 'lib/components/settings.css', 'lib/components/tracktable.css'].map(
    (path) => [path, readFileSync(join(import.meta.dirname, path), 'utf8')] as const,
  );

  it('is drawn for every focused control, and never taken away where it shows', () => {
    expect(css).toMatch(/:focus-visible\s*\{\s*outline:\s*2px solid var\(--focus-ring\)/);
    expect(svelteStyles.length).toBeGreaterThan(20);
    for (const [path, text] of [...svelteStyles, ...cssFiles]) {
      for (const rule of text.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
        if (rule[1]!.includes(':focus-visible')) {
          expect(rule[2], `${path}: ${rule[1]!.trim()}`).not.toMatch(/outline:\s*(none|0)\b/);
        }
      }
    }
  });

  it.each((['light', 'dark'] as const).flatMap((scheme) => ACCENTS.map((accent) => [scheme, accent] as const)))(
    '%s theme, %s accent: the ring stands out from the background (3:1)',
    (scheme, accent) => {
      const c = colours(scheme, accent);
      const share = Number(/var\(--accent\) (\d+)%/.exec(c['--focus-ring']!)?.[1] ?? 100) / 100;
      for (const surface of ['--bg', '--sidebar-bg', '--popover-bg']) {
        expect(contrast(over(c['--accent']!, share, c[surface]!), c[surface]!), surface).toBeGreaterThanOrEqual(3);
      }
    },
  );
});

describe('appearance', () => {
  it('resolves "system" with the system, and keeps a chosen theme', () => {
    expect(resolveScheme('system', true)).toBe('dark');
    expect(resolveScheme('system', false)).toBe('light');
    expect(resolveScheme('light', true)).toBe('light');
    expect(resolveScheme('dark', false)).toBe('dark');
    expect(resolveScheme(undefined, true)).toBe('dark');
  });

  it('sets the root attributes, and only known accents', () => {
    const root = document.createElement('html');
    applyAppearance(root, { theme: 'dark', accent: 'teal' }, false);
    expect(root.dataset.theme).toBe('dark');
    expect(root.dataset.accent).toBe('teal');
    applyAppearance(root, { theme: 'system', accent: 'x" onclick="' as Accent }, false);
    expect(root.dataset.theme).toBe('light');
    expect(root.dataset.accent).toBe('orange');
  });

  describe('following the settings and the system', () => {
    let systemDark = false;
    const listeners = new Set<(event: MediaQueryListEvent) => void>();
    let stop: (() => void) | null = null;

    beforeEach(() => {
      systemDark = false;
      listeners.clear();
      window.matchMedia = vi.fn((query: string) => ({
        media: query,
        get matches() {
          return systemDark;
        },
        addEventListener: (_: string, listener: (event: MediaQueryListEvent) => void) => listeners.add(listener),
        removeEventListener: (_: string, listener: (event: MediaQueryListEvent) => void) => listeners.delete(listener),
      })) as unknown as typeof window.matchMedia;
    });

    afterEach(() => {
      stop?.();
      stop = null;
      Reflect.deleteProperty(window, 'matchMedia');
    });

    function settings(theme: 'system' | 'light' | 'dark', accent: Accent): Settings {
      const base = makeSnapshot().settings;
      return { ...base, desktop: { ...base.desktop, appearance: { theme, accent } } };
    }

    it('starts with the system scheme, then follows the settings events and the system', () => {
      systemDark = true;
      const root = document.createElement('html');
      stop = followAppearance(root);
      // Before the snapshot: the system's.
      expect(root.dataset.theme).toBe('dark');
      expect(root.dataset.accent).toBe('orange');

      player.load(makeSnapshot({ settings: settings('system', 'blue') }));
      flushSync();
      expect(root.dataset.theme).toBe('dark');
      expect(root.dataset.accent).toBe('blue');

      // The system turns light.
      systemDark = false;
      for (const listener of listeners) listener({ matches: false } as MediaQueryListEvent);
      flushSync();
      expect(root.dataset.theme).toBe('light');

      // The user picks dark in another window: the settings event reaches this one.
      player.receive({ type: 'settings', payload: settings('dark', 'green') });
      flushSync();
      expect(root.dataset.theme).toBe('dark');
      expect(root.dataset.accent).toBe('green');

      stop();
      stop = null;
      expect(listeners.size).toBe(0);
    });

    it('keeps the theme and accent the window was built with until the snapshot brings the settings', () => {
      systemDark = false;
      const root = document.createElement('html');
      // What the shell's script set before the page ran (the settings: dark, purple).
      root.dataset.theme = 'dark';
      root.dataset.accent = 'purple';
      stop = followAppearance(root);
      flushSync();
      expect(root.dataset.theme).toBe('dark');
      expect(root.dataset.accent).toBe('purple');

      player.load(makeSnapshot({ settings: settings('light', 'teal') }));
      flushSync();
      expect(root.dataset.theme).toBe('light');
      expect(root.dataset.accent).toBe('teal');
    });

    it('takes the system scheme when the window was built with only an accent (theme "system")', () => {
      systemDark = true;
      const root = document.createElement('html');
      root.dataset.accent = 'red';
      stop = followAppearance(root);
      flushSync();
      expect(root.dataset.theme).toBe('dark');
      expect(root.dataset.accent).toBe('red');
    });
  });
});

describe('Settings → Appearance', () => {
  const invokeMock = vi.mocked(invoke);

  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue([]);
  });

  it('changes the theme and the accent through the desktop settings', async () => {
    player.load(makeSnapshot());
    render(SettingsView);
    const theme = screen.getByRole('combobox', { name: 'Theme' }) as HTMLSelectElement;
    expect(theme.value).toBe('system');
    await fireEvent.change(theme, { target: { value: 'dark' } });
    expect(invokeMock).toHaveBeenCalledWith('set_desktop_settings', {
      desktop: expect.objectContaining({ closeToTray: true, appearance: { theme: 'dark', accent: 'orange' } }),
    });

    const group = screen.getByRole('radiogroup', { name: 'Accent colour' });
    expect(group).toBeInTheDocument();
    const orange = screen.getByRole('radio', { name: 'Orange' }) as HTMLInputElement;
    expect(orange.checked).toBe(true);
    await fireEvent.click(screen.getByRole('radio', { name: 'Teal' }));
    expect(invokeMock).toHaveBeenCalledWith('set_desktop_settings', {
      desktop: expect.objectContaining({ appearance: { theme: 'system', accent: 'teal' } }),
    });
  });
});
