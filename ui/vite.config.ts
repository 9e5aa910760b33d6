/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// Run from the repository root: `vite --config ui/vite.config.ts`. Everything is resolved
// relative to this folder, so the output lands in ui/dist/ whatever the working directory.
const root = fileURLToPath(new URL('.', import.meta.url));
const host = process.env.TAURI_DEV_HOST;

export default defineConfig({
  root,
  base: './',
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  envPrefix: ['VITE_', 'TAURI_ENV_'],
  server: {
    port: 1420,
    strictPort: true,
    host: host || false,
    hmr: host ? { protocol: 'ws', host, port: 1421 } : undefined,
    watch: { ignored: ['**/src-tauri/**', '**/target/**'] },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: !!process.env.TAURI_ENV_DEBUG,
    minify: process.env.TAURI_ENV_DEBUG ? false : 'oxc',
  },
  test: {
    root,
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: false,
  },
});
