// Test environment: jsdom plus a mocked Tauri. Components never reach real IPC.
import '@testing-library/jest-dom/vitest';
import { vi } from 'vitest';

vi.mock('@tauri-apps/api/core', () => ({
  invoke: vi.fn(() => Promise.resolve(undefined)),
  convertFileSrc: vi.fn(
    (path: string, protocol = 'asset') => `${protocol}://localhost/${encodeURIComponent(path)}`,
  ),
}));

vi.mock('@tauri-apps/api/event', () => ({
  listen: vi.fn(() => Promise.resolve(() => {})),
}));

// jsdom lacks these.
if (!Element.prototype.scrollIntoView) {
  Element.prototype.scrollIntoView = function scrollIntoView() {};
}

// Every test starts from an empty store (the window's single mirror of the actor).
import { afterEach } from 'vitest';
import { player } from '../lib/player.svelte';

afterEach(() => {
  player.reset();
});
