// Architecture rules, checked on the sources themselves.
import { describe, expect, it } from 'vitest';

const sources = import.meta.glob<string>(['./**/*.svelte', './**/*.ts', '!./**/*.test.ts', '!./test/**'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

const files = Object.entries(sources);

describe('source policy', () => {
  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(Object.keys(sources)).toContain('./App.svelte');
  });

  it('never renders HTML from strings', () => {
    for (const [path, text] of files) {
      expect(text, path).not.toMatch(/\{@html\b/);
      expect(text, path).not.toMatch(/\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write\b/);
      expect(text, path).not.toMatch(/\beval\(|new Function\(/);
    }
  });

  it('talks to Tauri only from lib/ipc/', () => {
    for (const [path, text] of files) {
      if (path.startsWith('./lib/ipc/')) continue;
      expect(text, path).not.toMatch(/@tauri-apps\/api/);
    }
  });

  it('loads nothing from outside the app (CSP: self only)', () => {
    for (const [path, text] of files) {
      if (path.startsWith('./lib/ipc/bindings/')) continue; // generated; URLs in comments only
      // An example address shown in an empty field is text, not something loaded.
      const loaded = text.replace(/placeholder="[^"]*"/g, '');
      expect(loaded, path).not.toMatch(/https?:\/\/(?!lyrebird-cover\.localhost)[a-z]/i);
      expect(text, path).not.toMatch(/@import\s+url\(/);
    }
  });

  it('takes icons only from Icon.svelte, and bundles only the Lucide icons it names', () => {
    for (const [path, text] of files) {
      const imports = [...text.matchAll(/from\s+'(@lucide\/[^']*)'/g)].map((m) => m[1]!);
      if (path !== './lib/components/Icon.svelte') {
        expect(imports, path).toEqual([]);
        continue;
      }
      expect(imports.length).toBeGreaterThan(5);
      // One icon per import (its own module), never the whole set; types from the root are fine.
      const values = [...text.matchAll(/import\s+(?!type\b)[^;]*?from\s+'(@lucide\/[^']*)'/g)].map((m) => m[1]!);
      for (const source of values) expect(source).toMatch(/^@lucide\/svelte\/icons\/[a-z0-9-]+$/);
    }
  });
});
