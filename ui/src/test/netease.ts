// What the NetEase view's tests share: a backend that answers commands by name (the IPC is
// mocked), the calls made to one command, letting fake timers and answers run, and a NetEase
// track.
import { invoke } from '@tauri-apps/api/core';
import { tick } from 'svelte';
import { vi } from 'vitest';
import type { Track } from '../lib/ipc';
import { makeTrack } from './fixtures';

const invokeMock = vi.mocked(invoke);

/** Text that would be markup if it were ever put in as HTML. */
export const HOSTILE = '<img src=x onerror="alert(1)">';

export type Handler = (args?: Record<string, unknown>) => unknown;

/** Answers commands by name; a handler's throw is the command's rejection. */
export function backend(handlers: Record<string, Handler>) {
  invokeMock.mockImplementation((command: string, args?: unknown) => {
    const handler = handlers[command];
    if (!handler) return Promise.resolve(undefined);
    try {
      return Promise.resolve(handler(args as Record<string, unknown> | undefined));
    } catch (error) {
      return Promise.reject(error);
    }
  });
}

/** The arguments of every call to `command` so far. */
export function calls(command: string): unknown[] {
  return invokeMock.mock.calls.filter(([name]) => name === command).map(([, args]) => args);
}

/** Lets answers arrive and the DOM update (timers are fake). */
export async function settle(ms = 0) {
  await vi.advanceTimersByTimeAsync(ms);
  await tick();
}

/** NetEase song `n` as a listed track. */
export function song(n: number, overrides: Partial<Track> = {}): Track {
  return makeTrack({ id: `netease:${n}`, source: 'netEase', title: `Song ${n}`, ...overrides });
}
