// Snapshots and tracks for tests, shaped exactly like the generated bindings.
import type { PlayerState, QueueEntry, QueueView, Snapshot, Track } from '../lib/ipc';

let counter = 0;

export function makeTrack(overrides: Partial<Track> = {}): Track {
  counter += 1;
  return {
    id: `local:${counter.toString(16).padStart(4, '0')}`,
    source: 'local',
    title: `Track ${counter}`,
    artists: ['Some Artist'],
    album: 'Some Album',
    trackNumber: counter,
    durationMs: 200_000,
    hasCover: false,
    replayGain: null,
    ...overrides,
  };
}

export function makeState(overrides: Partial<PlayerState> = {}): PlayerState {
  return {
    status: 'stopped',
    playId: 0,
    current: null,
    queueIndex: null,
    queueLength: 0,
    positionMs: 0,
    durationMs: null,
    volume: 0.8,
    device: { state: 'ready' },
    mode: 'inOrder',
    stopAfterCurrent: false,
    muted: false,
    sleepTimerEndsAtMs: null,
    outputDevices: [],
    scan: null,
    libraryFolders: [],
    libraryFoldersFromEnv: false,
    playingFrom: null,
    lyricsOffsetMs: 0,
    ...overrides,
  };
}

let nextEntryId = 1000;

/** Queue entries for `tracks`, with fresh entry ids (as the actor would number them). */
export function makeEntries(tracks: readonly Track[]): QueueEntry[] {
  return tracks.map((track) => ({ entryId: nextEntryId++, track }));
}

export function makeQueue(tracks: readonly Track[], current: number | null = null): QueueView {
  return { entries: makeEntries(tracks), current };
}

export function makeSnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    seq: 0,
    state: makeState(),
    queue: { entries: [], current: null },
    library: { tracks: [], scanning: false },
    settings: { locale: 'en', volume: 0.8, replayGain: 'track', outputDevice: null, crossfadeMs: 0, sources: { servers: [], order: [] }, desktop: { closeToTray: true, startInTray: false, notifyTrackChange: false, miniAlwaysOnTop: true, lyricsClickThrough: false, appearance: { theme: 'system', accent: 'orange' }, shortcuts: { enabled: true, playPause: 'CmdOrCtrl+Alt+P', next: 'CmdOrCtrl+Alt+Right', previous: 'CmdOrCtrl+Alt+Left', volumeUp: 'CmdOrCtrl+Alt+Up', volumeDown: 'CmdOrCtrl+Alt+Down', showWindow: 'CmdOrCtrl+Alt+M' } } },
    systemLocale: 'en-US',
    view: { view: '', scroll: [] },
    notices: [],
    ...overrides,
  };
}

/** A library of `tracks` with `playing` (an index) loaded and playing at `positionMs`. */
export function playingSnapshot(
  tracks: Track[],
  playing: number,
  { positionMs = 83_000, playId = 5, status = 'playing' as PlayerState['status'] } = {},
  overrides: Partial<Snapshot> = {},
): Snapshot {
  const current = tracks[playing] ?? null;
  return makeSnapshot({
    state: makeState({
      status,
      playId,
      current,
      queueIndex: playing,
      queueLength: tracks.length,
      positionMs,
      durationMs: current?.durationMs ?? null,
    }),
    queue: makeQueue(tracks, current ? playing : null),
    library: { tracks, scanning: false },
    ...overrides,
  });
}
