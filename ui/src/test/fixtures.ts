// Snapshots and tracks for tests, shaped exactly like the generated bindings.
import type {
  LibraryInfo,
  PlayerState,
  QueueEntry,
  QueueView,
  RowsRequest,
  Snapshot,
  SortColumn,
  SortKeys,
  Track,
} from '../lib/ipc';

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
  return queueViewOf(makeEntries(tracks), current);
}

/**
 * The queue as the actor publishes it (lyrebird-core `Queue::view`): every entry's id as runs of
 * consecutive ids, and the tracks of a window — all of them up to 128 entries, else the page
 * of the current entry and the next (64 rows a page).
 */
export function queueViewOf(entries: readonly QueueEntry[], current: number | null = null): QueueView {
  const entryRuns: [number, number][] = [];
  for (const { entryId } of entries) {
    const last = entryRuns[entryRuns.length - 1];
    if (last && last[0] + last[1] === entryId) last[1]++;
    else entryRuns.push([entryId, 1]);
  }
  const page = 64;
  const window = 2 * page;
  const windowStart =
    entries.length <= window
      ? 0
      : Math.min(Math.floor((current ?? 0) / page) * page, Math.ceil((entries.length - window) / page) * page);
  return {
    entryRuns,
    count: entries.length,
    current,
    windowStart,
    window: entries.slice(windowStart, windowStart + window),
  };
}

export function makeSnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    seq: 0,
    state: makeState(),
    queue: queueViewOf([]),
    library: { revision: 0, count: 0, scanning: false, first: [] },
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
    library: libraryOf(tracks),
    ...overrides,
  });
}

/** The library the fake backend answers row requests from (see `libraryReads`). */
let served: { revision: number; tracks: readonly Track[] } = { revision: 0, tracks: [] };

/**
 * The library as the player publishes it: its size, a revision and its first 64 rows. The UI
 * fetches the others with `library_rows`, which `libraryReads` answers from the tracks of the
 * last `libraryOf`.
 */
export function libraryOf(tracks: readonly Track[], { scanning = false, revision = 1 } = {}): LibraryInfo {
  served = { revision, tracks };
  return { revision, count: tracks.length, scanning, first: tracks.slice(0, 64) };
}

/** Library reads the UI makes: tests leave them out when they check which commands were sent. */
export const LIBRARY_READS: ReadonlySet<string> = new Set(['library_rows', 'library_tracks', 'library_sort_keys']);

/**
 * The actor's answer to a library read (`library_rows`, `library_tracks`, `library_sort_keys`)
 * for the tracks of the last `libraryOf`, as `lyrebird-core/src/library_rows.rs` gives it;
 * `undefined` for any other command. Tests chain it into their `invoke` mocks.
 */
export function libraryReads(cmd: string, args?: unknown): Promise<unknown> | undefined {
  const { revision, tracks } = served;
  const answer = (rows: readonly Track[]) => Promise.resolve({ revision, count: tracks.length, tracks: rows });
  const a = (args ?? {}) as Record<string, unknown>;
  switch (cmd) {
    case 'library_rows': {
      const request = a.request as RowsRequest;
      if (request.kind === 'range') return answer(tracks.slice(request.start, Math.min(request.end, request.start + 2000)));
      return answer(request.indices.flatMap((i) => (tracks[i] ? [tracks[i]] : [])));
    }
    case 'library_tracks': {
      const byId = new Map(tracks.map((t) => [t.id, t]));
      return answer((a.ids as string[]).flatMap((id) => byId.get(id) ?? []));
    }
    case 'library_sort_keys':
      return Promise.resolve(sortKeysOf(tracks, a.column as SortColumn, revision));
    default:
      return undefined;
  }
}

function sortKeysOf(tracks: readonly Track[], column: SortColumn, revision: number): SortKeys {
  const text = (f: (t: Track) => string | null | undefined) => tracks.map((t) => (f(t) ?? '').trim());
  const num = (f: (t: Track) => number | null | undefined) => tracks.map((t) => f(t) ?? null);
  switch (column) {
    case 'title':
      return { revision, texts: text((t) => t.title), numbers: [] };
    case 'artist':
      return { revision, texts: text((t) => t.artists.filter((x) => x.trim() !== '').join(', ')), numbers: [] };
    case 'album':
      return { revision, texts: text((t) => t.album), numbers: [] };
    case 'genre':
      return { revision, texts: text((t) => t.genre), numbers: [] };
    case 'duration':
      return { revision, texts: [], numbers: num((t) => t.durationMs) };
    case 'year':
      return { revision, texts: [], numbers: num((t) => t.year) };
    case 'bitrate':
      return { revision, texts: [], numbers: num((t) => t.bitrate) };
    case 'format':
      return {
        revision,
        texts: text((t) => t.codec),
        numbers: tracks.map((t) => (t.sampleRate ?? 0) * 100 + (t.bitDepth ?? 0)),
      };
  }
}
