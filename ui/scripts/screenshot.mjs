#!/usr/bin/env node
// Screenshot of the built UI (ui/dist) in headless Chromium, with a mocked Tauri backend that
// answers `get_snapshot` with a realistic snapshot. Used to check the design and for the README.
//
//   npm run build:ui
//   node ui/scripts/screenshot.mjs OUT.png [options]
//
// Options:
//   --theme light|dark        colour scheme (default light)
//   --locale en|zh-CN|system  settings.locale of the mocked snapshot (default en)
//   --system-locale TAG       snapshot.systemLocale (default en-US)
//   --view library|queue|settings  which view to open (default library)
//   --status STATUS           playing|paused|loading|stopped (default playing)
//   --mode MODE               play mode: inOrder|repeatAll|repeatOne|shuffle (default inOrder)
//   --stop-after              stop after the current track is on
//   --menu                    open the context menu of a row (library or queue view)
//   --drag                    show a row of the queue being dragged (queue view)
//   --size WxH                window size in CSS pixels (default 1180x740)
//   --scale N                 device scale factor (default 1; 2 for the README)
//   --device-unavailable      show the "no audio output device" banner
//   --notice                  show a notice toast
//   --empty                   an empty library
//   --scanning                library.scanning = true
//   --scan DONE/TOTAL         a running scan's progress (with --scanning); add /counting while
//                             the folders are still being listed
//   --tracks N                a generated library of N tracks (to check large libraries)
//   --chromium PATH           browser binary (default /usr/bin/chromium)
//
// The page is served with the app's strict CSP; console errors, page errors and CSP
// violations make the script fail. It never downloads a browser: it uses the system one.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** @typedef {import('../src/lib/ipc/bindings/Snapshot').Snapshot} Snapshot */
/** @typedef {import('../src/lib/ipc/bindings/Track').Track} Track */
/** @typedef {import('../src/lib/ipc/bindings/Notice').Notice} Notice */
/** @typedef {import('../src/lib/ipc/bindings/PlaybackStatus').PlaybackStatus} PlaybackStatus */
/** @typedef {import('../src/lib/ipc/bindings/LocalePreference').LocalePreference} LocalePreference */
/** @typedef {import('../src/lib/ipc/bindings/PlayMode').PlayMode} PlayMode */
/** @typedef {import('../src/lib/ipc/bindings/QueueEntry').QueueEntry} QueueEntry */

/**
 * @typedef {object} Options
 * @property {string | null} out
 * @property {string} theme
 * @property {LocalePreference} locale
 * @property {string} systemLocale
 * @property {string} view
 * @property {PlaybackStatus} status
 * @property {PlayMode} mode
 * @property {boolean} stopAfter
 * @property {boolean} menu
 * @property {boolean} drag
 * @property {number} width
 * @property {number} height
 * @property {number} scale
 * @property {boolean} deviceUnavailable
 * @property {boolean} notice
 * @property {boolean} empty
 * @property {boolean} scanning
 * @property {string | null} scan
 * @property {number} tracks
 * @property {string} chromium
 */

/**
 * `DONE/TOTAL[/counting]` as the state's scan progress.
 * @param {string | null} text
 */
function scanProgress(text) {
  if (!text) return null;
  const [done, total, counting] = text.split('/');
  return { done: Number(done), total: Number(total), counting: counting === 'counting', folder: '/home/me/Music/周杰伦/叶惠美' };
}

const DIST = resolve(fileURLToPath(new URL('../dist/', import.meta.url)));

const CSP = [
  "default-src 'self'",
  "img-src 'self' data: lyrebird-cover: http://lyrebird-cover.localhost",
  "style-src 'self' 'unsafe-inline'",
].join('; ');

/** @type {Record<string, string>} */
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/**
 * @param {string[]} argv
 * @returns {Options}
 */
function parseArgs(argv) {
  /** @type {Options} */
  const options = {
    out: null,
    theme: 'light',
    locale: 'en',
    systemLocale: 'en-US',
    view: 'library',
    status: 'playing',
    mode: 'inOrder',
    stopAfter: false,
    menu: false,
    drag: false,
    width: 1180,
    height: 740,
    scale: 1,
    deviceUnavailable: false,
    notice: false,
    empty: false,
    scanning: false,
    scan: null,
    tracks: 0,
    chromium: '/usr/bin/chromium',
  };
  const args = [...argv];
  /** @param {string} name */
  const value = (name) => {
    const v = args.shift();
    if (v === undefined) throw new Error(`${name} needs a value`);
    return v;
  };
  while (args.length > 0) {
    const arg = args.shift();
    switch (arg) {
      case '--theme':
        options.theme = value(arg);
        break;
      case '--locale':
        options.locale = /** @type {LocalePreference} */ (value(arg));
        break;
      case '--system-locale':
        options.systemLocale = value(arg);
        break;
      case '--view':
        options.view = value(arg);
        break;
      case '--status':
        options.status = /** @type {PlaybackStatus} */ (value(arg));
        break;
      case '--mode':
        options.mode = /** @type {PlayMode} */ (value(arg));
        break;
      case '--stop-after':
        options.stopAfter = true;
        break;
      case '--menu':
        options.menu = true;
        break;
      case '--drag':
        options.drag = true;
        break;
      case '--size': {
        const [w, h] = value(arg).split('x').map(Number);
        if (!w || !h) throw new Error('--size wants WxH');
        options.width = w;
        options.height = h;
        break;
      }
      case '--scale':
        options.scale = Number(value(arg));
        break;
      case '--device-unavailable':
        options.deviceUnavailable = true;
        break;
      case '--notice':
        options.notice = true;
        break;
      case '--empty':
        options.empty = true;
        break;
      case '--scanning':
        options.scanning = true;
        break;
      case '--scan':
        options.scan = value(arg);
        break;
      case '--tracks':
        options.tracks = Number(value(arg));
        break;
      case '--chromium':
        options.chromium = value(arg);
        break;
      default:
        if (arg === undefined || arg.startsWith('--') || options.out) throw new Error(`unexpected argument: ${arg}`);
        options.out = arg;
    }
  }
  if (!options.out) {
    throw new Error('usage: node ui/scripts/screenshot.mjs OUT.png [--theme dark] [--locale zh-CN] [--view settings] …');
  }
  return options;
}

/**
 * @param {number} n
 * @param {string} title
 * @param {string[]} artists
 * @param {string | null} album
 * @param {number | null} durationMs
 * @param {boolean} hasCover
 * @returns {Track}
 */
function track(n, title, artists, album, durationMs, hasCover) {
  return {
    id: `local:${n.toString(16).padStart(8, '0')}`,
    source: 'local',
    title,
    artists,
    album,
    trackNumber: n,
    durationMs,
    hasCover,
    replayGain: null,
  };
}

/**
 * The snapshot the page starts from, and the library's tracks (the page fetches them by rows).
 * @param {Options} options
 * @returns {{ snapshot: Snapshot, tracks: Track[], entries: QueueEntry[], queueCurrent: number | null }}
 */
function makeSnapshot(options) {
  /** @type {Track[]} */
  const tracks = options.empty
    ? []
    : [
        track(1, 'Aurora Over the Fjord', ['Nordlys Ensemble'], 'Northern Lights', 247_000, true),
        track(2, 'Glass Harbour', ['Mira Castell'], 'Tidewater', 201_500, true),
        track(3, 'Lyrebird Song', ['The Understory', 'Ada Finch'], 'Forest Floor', 312_000, true),
        track(4, 'Paper Lanterns', ['Kenji Mori'], 'Night Market', 184_000, false),
        track(5, '夜空中最亮的星', ['逃跑计划'], '世界', 252_000, true),
        track(6, 'Slow Rivers', ['Mira Castell'], 'Tidewater', 276_000, true),
        track(7, 'Cartography', ['Atlas & the Compass'], 'Maps for Nowhere', 229_000, false),
        track(8, 'Low Tide, High Noon', ['Mira Castell', 'Jonah Vale'], 'Tidewater', 195_000, true),
        track(9, 'Halcyon', ['Nordlys Ensemble'], 'Northern Lights', 342_000, true),
        track(10, 'Static Bloom', ['Vera Lux'], null, 168_000, false),
        track(11, '<img src=x onerror=alert(1)>', ['Untrusted Tags'], 'Security Test', 61_000, false),
        track(12, 'Kite Season', ['The Understory'], 'Forest Floor', 238_000, true),
        track(13, 'Second Wind', [], 'Demos', null, false),
        track(14, 'Embers', ['Vera Lux'], 'Afterglow', 289_000, true),
        track(15, 'Harbour Lights (Reprise)', ['Mira Castell'], 'Tidewater', 98_000, true),
        track(16, 'Morning Commute', ['Kenji Mori'], 'Night Market', 213_000, false),
      ];
  for (let n = tracks.length + 1; n <= options.tracks; n++) {
    tracks.push(track(n, `Generated Track ${n}`, [`Artist ${n % 97}`], `Album ${n % 331}`, 120_000 + (n % 240) * 1000, n % 3 === 0));
  }
  const current = options.status === 'stopped' || options.empty ? null : (tracks[2] ?? null);
  // The queue: the library (as playing a library track makes it), then one track queued again.
  /** @type {QueueEntry[]} */
  const entries = tracks.map((t, i) => ({ entryId: i + 1, track: t }));
  if (tracks[3]) entries.push({ entryId: tracks.length + 1, track: tracks[3] });
  /** @type {Snapshot} */
  const snapshot = {
    seq: 0,
    state: {
      status: current ? options.status : 'stopped',
      playId: current ? 7 : 0,
      current,
      queueIndex: current ? 2 : null,
      queueLength: entries.length,
      positionMs: current ? 96_000 : 0,
      durationMs: current ? current.durationMs : null,
      volume: 0.72,
      device: options.deviceUnavailable
        ? { state: 'unavailable', reason: 'the default output device was unplugged' }
        : { state: 'ready' },
      mode: options.mode,
      stopAfterCurrent: options.stopAfter && current !== null,
      muted: false,
      sleepTimerEndsAtMs: null,
      outputDevices: [],
      scan: scanProgress(options.scan),
      libraryFolders: [],
      libraryFoldersFromEnv: false,
      playingFrom: null,
      lyricsOffsetMs: 0,
    },
    // Published from `entries` by the page's mock (installMockTauri), as the actor would.
    queue: { entryRuns: [], count: 0, current: null, windowStart: 0, window: [] },
    // As the actor publishes it: the size and first rows; the page asks for the others.
    library: { revision: 1, count: tracks.length, scanning: options.scanning, first: tracks.slice(0, 64) },
    settings: { locale: options.locale, volume: 0.72, replayGain: 'track', outputDevice: null, crossfadeMs: 0, sources: { servers: [], order: [] }, desktop: { closeToTray: true, startInTray: false, notifyTrackChange: false, miniAlwaysOnTop: true, lyricsClickThrough: false, appearance: { theme: 'system', accent: 'orange' }, shortcuts: { enabled: true, playPause: 'CmdOrCtrl+Alt+P', next: 'CmdOrCtrl+Alt+Right', previous: 'CmdOrCtrl+Alt+Left', volumeUp: 'CmdOrCtrl+Alt+Up', volumeDown: 'CmdOrCtrl+Alt+Down', showWindow: 'CmdOrCtrl+Alt+M' } } },
    systemLocale: options.systemLocale,
    view: { view: '', scroll: [] },
    notices: [],
  };
  return { snapshot, tracks, entries, queueCurrent: current ? 2 : null };
}

/**
 * Runs in the page before the app: a stand-in for Tauri's IPC bridge. It answers the queue and
 * transport commands roughly as the actor does (so the page can be tried by hand), publishing
 * numbered events like the real one.
 * @param {{ snapshot: Snapshot, tracks: Track[], entries: QueueEntry[], queueCurrent: number | null, notice: Notice | null }} data
 */
function installMockTauri({ snapshot, tracks, entries, queueCurrent, notice }) {
  /** @type {Map<number, (data: unknown) => unknown>} */
  const callbacks = new Map();
  let nextId = 1;
  /** @type {{ event: string, handler: number }[]} */
  const listeners = [];

  /** @param {string} id */
  function coverFor(id) {
    let hash = 0;
    for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    const hue = hash % 360;
    const hue2 = (hue + 50) % 360;
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">` +
      `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">` +
      `<stop offset="0" stop-color="hsl(${hue},70%,62%)"/><stop offset="1" stop-color="hsl(${hue2},65%,38%)"/>` +
      `</linearGradient></defs><rect width="100" height="100" fill="url(#g)"/>` +
      `<circle cx="70" cy="34" r="16" fill="rgba(255,255,255,0.35)"/>` +
      `<path d="M0 78 Q30 58 55 72 T100 66 V100 H0Z" fill="rgba(0,0,0,0.22)"/></svg>`;
    return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  }

  /** @param {unknown} payload */
  function emit(payload) {
    for (const { event, handler } of listeners) {
      if (event === 'lyrebird://player') callbacks.get(handler)?.({ event, id: handler, payload });
    }
  }

  let seq = snapshot.seq;
  // The whole queue, as the actor holds it; the page is told of it as the actor publishes it
  // (ids as runs, the tracks of a window) and asks for other rows with `queue_rows`.
  const queue = { entries, current: queueCurrent };
  let nextEntryId = entries.reduce((max, e) => Math.max(max, e.entryId), 0) + 1;

  /** The queue as the actor publishes it (lyrebird-core `Queue::view`). */
  function queueView() {
    /** @type {[number, number][]} */
    const entryRuns = [];
    for (const { entryId } of queue.entries) {
      const last = entryRuns[entryRuns.length - 1];
      if (last && last[0] + last[1] === entryId) last[1]++;
      else entryRuns.push([entryId, 1]);
    }
    const page = 64;
    const size = queue.entries.length;
    const windowStart =
      size <= 2 * page
        ? 0
        : Math.min(Math.floor((queue.current ?? 0) / page) * page, Math.ceil((size - 2 * page) / page) * page);
    return {
      entryRuns,
      count: size,
      current: queue.current,
      windowStart,
      window: queue.entries.slice(windowStart, windowStart + 2 * page),
    };
  }
  snapshot.queue = queueView();

  /**
   * @param {'state' | 'queue'} type
   * @param {unknown} payload
   */
  function publish(type, payload) {
    seq += 1;
    snapshot.seq = seq;
    emit({ seq, type, payload: structuredClone(payload) });
  }

  /** Publishes the queue and the state that depends on it. */
  function queueChanged() {
    const { state } = snapshot;
    const current = queue.current === null ? null : (queue.entries[queue.current]?.track ?? null);
    if (current?.id !== state.current?.id) {
      state.playId += 1;
      state.positionMs = 0;
      state.durationMs = current?.durationMs ?? null;
      if (!current) state.status = 'stopped';
    }
    state.current = current;
    state.queueIndex = queue.current;
    state.queueLength = queue.entries.length;
    snapshot.queue = queueView();
    publish('queue', snapshot.queue);
    publish('state', state);
  }

  /**
   * The subset of the actor's commands that changes what the page shows.
   * @param {string} cmd
   * @param {any} args
   */
  function act(cmd, args) {
    const { state } = snapshot;
    switch (cmd) {
      case 'play_library_track': {
        const index = tracks.findIndex((t) => t.id === args.id);
        if (index < 0) throw `unknown track ${args.id}`;
        queue.entries = tracks.map((track) => ({ entryId: nextEntryId++, track }));
        queue.current = index;
        state.status = 'playing';
        state.current = null;
        return queueChanged();
      }
      case 'play_queue_index':
        if (!queue.entries[args.index]) throw `no queue entry at ${args.index}`;
        queue.current = args.index;
        state.status = 'playing';
        state.current = null;
        return queueChanged();
      case 'play_queue_entry': {
        const index = queue.entries.findIndex((e) => e.entryId === args.entry);
        if (index < 0) throw `queue entry ${args.entry} does not exist`;
        queue.current = index;
        state.status = 'playing';
        state.current = null;
        return queueChanged();
      }
      case 'enqueue': {
        /** @type {QueueEntry[]} */
        const added = args.ids.map((/** @type {string} */ id) => {
          const track = tracks.find((t) => t.id === id);
          if (!track) throw `unknown track ${id}`;
          return { entryId: nextEntryId++, track };
        });
        const at = args.position === 'next' && queue.current !== null ? queue.current + 1 : queue.entries.length;
        queue.entries.splice(at, 0, ...added);
        if (queue.current !== null && queue.current >= at) queue.current += added.length;
        return queueChanged();
      }
      case 'remove_from_queue': {
        const gone = new Set(args.entries);
        const currentId = queue.current === null ? null : (queue.entries[queue.current]?.entryId ?? null);
        const before = queue.current;
        queue.entries = queue.entries.filter((e) => !gone.has(e.entryId));
        if (queue.entries.length === 0) queue.current = null;
        else if (currentId !== null && gone.has(currentId)) queue.current = Math.min(before ?? 0, queue.entries.length - 1);
        else queue.current = queue.entries.findIndex((e) => e.entryId === currentId);
        if (queue.current === -1) queue.current = null;
        return queueChanged();
      }
      case 'move_in_queue': {
        const from = queue.entries.findIndex((e) => e.entryId === args.entry);
        if (from < 0) throw `no queue entry ${args.entry}`;
        const currentId = queue.current === null ? null : (queue.entries[queue.current]?.entryId ?? null);
        const [moved] = queue.entries.splice(from, 1);
        if (moved) queue.entries.splice(Math.min(args.to, queue.entries.length), 0, moved);
        queue.current = currentId === null ? null : queue.entries.findIndex((e) => e.entryId === currentId);
        return queueChanged();
      }
      case 'clear_queue':
        queue.entries = [];
        queue.current = null;
        return queueChanged();
      case 'set_play_mode':
        state.mode = args.mode;
        return publish('state', state);
      case 'set_stop_after_current':
        state.stopAfterCurrent = args.on;
        return publish('state', state);
      case 'toggle_pause':
        if (!state.current) return;
        state.status = state.status === 'playing' ? 'paused' : 'playing';
        return publish('state', state);
      default:
        return;
    }
  }

  /** @type {any} */ (window).__TAURI_INTERNALS__ = {
    metadata: { currentWindow: { label: 'main' }, currentWebview: { windowLabel: 'main', label: 'main' } },
    /**
     * @param {(data: unknown) => unknown} callback
     * @param {boolean} [once]
     */
    transformCallback(callback, once = false) {
      const id = nextId++;
      callbacks.set(id, (data) => {
        if (once) callbacks.delete(id);
        return callback(data);
      });
      return id;
    },
    /** @param {number} id */
    unregisterCallback(id) {
      callbacks.delete(id);
    },
    /**
     * @param {string} path
     * @param {string} [protocol]
     */
    convertFileSrc(path, protocol = 'asset') {
      return protocol === 'lyrebird-cover' ? coverFor(path) : `${protocol}://localhost/${encodeURIComponent(path)}`;
    },
    /**
     * @param {string} cmd
     * @param {any} args
     */
    async invoke(cmd, args) {
      switch (cmd) {
        case 'get_snapshot':
          /** @type {any} */ (window).__snapshotAskedAt = performance.now();
          if (notice) setTimeout(() => emit({ type: 'notice', payload: notice }), 50);
          return structuredClone(snapshot);
        case 'library_rows': {
          const request = args.request;
          const rows =
            request.kind === 'range'
              ? tracks.slice(request.start, Math.min(request.end, request.start + 2000))
              : request.indices.flatMap((/** @type {number} */ i) => (tracks[i] ? [tracks[i]] : []));
          return { revision: 1, count: tracks.length, tracks: structuredClone(rows) };
        }
        case 'queue_rows': {
          const start = Math.min(args.start, queue.entries.length);
          const end = Math.min(Math.max(args.end, start), queue.entries.length, start + 2000);
          return { start, count: queue.entries.length, entries: structuredClone(queue.entries.slice(start, end)) };
        }
        case 'library_tracks': {
          const byId = new Map(tracks.map((t) => [t.id, t]));
          const rows = args.ids.flatMap((/** @type {string} */ id) => byId.get(id) ?? []);
          return { revision: 1, count: tracks.length, tracks: structuredClone(rows) };
        }
        case 'library_sort_keys': {
          /** @type {Record<string, (t: Track) => unknown>} */
          const column = {
            title: (t) => t.title.trim(),
            artist: (t) => t.artists.join(', ').trim(),
            album: (t) => (t.album ?? '').trim(),
            genre: (t) => (t.genre ?? '').trim(),
            format: (t) => (t.codec ?? '').trim(),
          };
          const text = column[args.column];
          if (text) {
            const numbers = args.column === 'format' ? tracks.map((t) => (t.sampleRate ?? 0) * 100 + (t.bitDepth ?? 0)) : [];
            return { revision: 1, texts: tracks.map(text), numbers };
          }
          /** @type {Record<string, (t: Track) => number | null | undefined>} */
          const number = { duration: (t) => t.durationMs, year: (t) => t.year, bitrate: (t) => t.bitrate };
          return { revision: 1, texts: [], numbers: tracks.map((t) => number[args.column]?.(t) ?? null) };
        }
        case 'plugin:event|listen':
          listeners.push({ event: args.event, handler: args.handler });
          return listeners.length;
        case 'plugin:event|unlisten':
          return null;
        default:
          act(cmd, args);
          return null;
      }
    },
  };
  /** @type {any} */ (window).__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener() {} };
  // tauri.conf.json sets `freezePrototype`: Tauri freezes Object.prototype before the app runs.
  Object.freeze(Object.prototype);
}

async function serve() {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = normalize(join(DIST, decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)));
      if (path !== DIST && !path.startsWith(DIST + sep)) throw new Error('outside dist');
      const body = await readFile(path);
      res.writeHead(200, {
        'Content-Type': MIME[extname(path)] ?? 'application/octet-stream',
        'Content-Security-Policy': CSP,
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  await /** @type {Promise<void>} */ (new Promise((ok) => server.listen(0, '127.0.0.1', ok)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

/**
 * Shows one row as a person would see it: hovered, with its context menu open, or (in the
 * queue) being dragged a few rows down.
 * @param {import('playwright-core').Page} page
 * @param {string} testid
 * @param {Options} options
 */
async function showRow(page, testid, options) {
  const rows = page.locator(`[data-testid="${testid}"]`);
  if ((await rows.count()) < 8) return;
  const row = rows.nth(4);
  if (options.drag) {
    const box = await row.boundingBox();
    if (!box) return;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 3.1, { steps: 8 });
  } else if (options.menu) {
    await row.click({ button: 'right', position: { x: 260, y: 16 } });
    await page.waitForSelector('[data-testid="context-menu"]');
  } else {
    await row.hover().catch(() => {});
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const out = options.out ?? 'screenshot.png';
  try {
    await readFile(join(DIST, 'index.html'));
  } catch {
    throw new Error(`${DIST}/index.html is missing: run \`npm run build:ui\` first`);
  }

  const { snapshot, tracks, entries, queueCurrent } = makeSnapshot(options);
  /** @type {Notice | null} */
  const notice = options.notice
    ? { kind: 'cannotPlay', name: 'Broken Record.flac', reason: 'unsupported codec' }
    : null;

  const { server, url } = await serve();
  const browser = await chromium.launch({
    executablePath: options.chromium,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  /** @type {string[]} */
  const problems = [];
  try {
    const context = await browser.newContext({
      viewport: { width: options.width, height: options.height },
      deviceScaleFactor: options.scale,
      colorScheme: options.theme === 'dark' ? 'dark' : 'light',
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.addInitScript(installMockTauri, { snapshot, tracks, entries, queueCurrent, notice });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
      });
    });

    const started = Date.now();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('[data-testid="now-playing"]');
    if (options.tracks > 0) {
      await page.waitForSelector('[data-testid="track-row"]');
      const appMs = await page.evaluate(() => performance.now() - /** @type {any} */ (window).__snapshotAskedAt);
      console.log(`from get_snapshot to rows on screen: ${appMs.toFixed(0)} ms`);
      const rows = await page.locator('[data-testid="track-row"]').count();
      console.log(`${tracks.length} tracks: first rows after ${Date.now() - started} ms, ${rows} rows in the DOM`);
      const perFrame = await page.evaluate(async () => {
        const list = document.querySelector('[role="listbox"]');
        if (!list) return -1;
        const frame = () => new Promise((ok) => requestAnimationFrame(() => ok(null)));
        const t0 = performance.now();
        for (let i = 1; i <= 60; i++) {
          list.scrollTop = (list.scrollHeight * i) / 60;
          await frame();
        }
        list.scrollTop = 0;
        await frame();
        return (performance.now() - t0) / 61;
      });
      console.log(`scrolling through it: ${perFrame.toFixed(1)} ms per frame`);
    }
    if (options.view === 'settings') {
      await page.click('[data-testid="nav-settings"]');
      await page.waitForSelector('[data-testid="settings-locale"]');
    } else if (options.view === 'queue') {
      await page.click('[data-testid="nav-queue"]');
      await page.waitForSelector('[data-testid="queue-row"], [data-testid="queue-empty"]');
      await showRow(page, 'queue-row', options);
    } else if (!options.empty && !options.scanning) {
      await page.waitForSelector('[data-testid="track-row"]');
      await showRow(page, 'track-row', options);
    }
    if (options.notice) await page.waitForSelector('[data-testid="notice"]');
    await page.evaluate(() => document.fonts.ready);
    await page.waitForTimeout(250);
    await page.screenshot({ path: out });
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
    server.close();
  }
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
