// Start-up, scrolling and typing at 100 000 tracks (issue #19), measured through WebDriver with
// the web view's own clock. Run by tests/bench/library.sh (which starts the display, builds the
// library and picks the binary); on its own:
//
//   LYREBIRD_APP=path/to/lyrebird node tests/bench/library.mjs MUSIC_DIR [WARM_RUNS] [COLD_RUNS]
//
// - Start-up: from just before the WebDriver session is asked for (tauri-driver then starts the
//   app) to the first frame painted with library rows in it ("shown"), and to the first task the
//   page runs after that frame ("accepting a click": the main thread is free again). Both are
//   read as epoch times from the page (`performance.timeOrigin + now()`), the same clock as this
//   script's `Date.now()`. Cold runs drop the OS's page cache first (root only).
// - Frames: requestAnimationFrame deltas in the page while the Songs list scrolls (a steady
//   scroll of 120 px a frame, then jumps to random places as a dragged scroll bar does) and
//   while a query is typed key by key through WebDriver (150 ms apart, then erased).
//   The scroll's frames are also given apart: the steady scroll, then the jumps.
// - JUMPS=N: N jumps one at a time, each timed apart (the frame that drew the jump, the frame
//   that drew its tracks, when they came). SCROLL_CSS='…': a style sheet added before the
//   scroll, to try a change to the rows' CSS without a build. PERF_SCROLL=FILE: a system-wide
//   `perf record -g` of the scroll.
// - Playing: a double click on a row (the whole library becomes the queue) until the player bar
//   names it, 20 presses of "next", the Queue view opened and scrolled, and the resident memory
//   of WebKit's web process after each.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { remote } from 'webdriverio';
import { startDriver } from './driver.mjs';

const repo = resolve(import.meta.dirname, '../..');
const app = process.env.LYREBIRD_APP ?? join(process.env.CARGO_TARGET_DIR ?? join(repo, 'target'), 'release', 'lyrebird');
const music = process.argv[2];
const warmRuns = Number(process.argv[3] ?? 5);
const coldRuns = Number(process.argv[4] ?? 3);
if (!music) {
  console.error('usage: node tests/bench/library.mjs MUSIC_DIR [WARM_RUNS] [COLD_RUNS]');
  process.exit(2);
}
const config = mkdtempSync(join(tmpdir(), 'lyrebird-bench-library-'));
writeFileSync(join(config, 'settings.json'), '{}');
const env = {
  ...process.env,
  LYREBIRD_LOG: 'warn',
  LYREBIRD_CONFIG_DIR: config,
  LYREBIRD_CACHE_DIR: join(config, 'cache'),
  LYREBIRD_LIBRARY_DIRS: music,
  LYREBIRD_NO_DEMO: '1',
};
let port = 15_400;

async function driver() {
  const p = port;
  port += 2;
  return { port: p, child: await startDriver(env, p) };
}

async function close(session) {
  try {
    await session.browser.deleteSession();
  } catch {
    // gone already
  }
  const exited = new Promise((done) => (session.child.exitCode !== null ? done() : session.child.once('exit', done)));
  try {
    process.kill(-session.child.pid, 'SIGTERM');
  } catch {
    // gone already
  }
  await exited;
  await sleep(500);
}

/**
 * The floor: an empty Tauri 2 window (tests/bench/empty-window, release) launched the same way,
 * to its first frame painted and the page free after it.
 */
async function startEmpty(binary) {
  const { port: p, child } = await driver();
  const t0 = Date.now();
  const browser = await remote({
    hostname: '127.0.0.1',
    port: p,
    logLevel: 'error',
    connectionRetryCount: 0,
    capabilities: { 'wdio:enforceWebDriverClassic': true, 'tauri:options': { application: binary } },
  });
  const seen = await browser.executeAsync((done) => {
    const clock = () => performance.timeOrigin + performance.now();
    requestAnimationFrame(() => {
      const painted = clock();
      setTimeout(() => done({ painted, origin: performance.timeOrigin }), 0);
    });
  });
  await close({ browser, child });
  return { navigation: seen.origin - t0, shown: seen.painted - t0 };
}

/** Launches the app; resolves with the session and when rows were painted / the page was free. */
async function start({ cold = false } = {}) {
  const { port: p, child } = await driver();
  if (cold) execFileSync('sh', ['-c', 'sync && echo 3 > /proc/sys/vm/drop_caches']);
  const t0 = Date.now();
  const browser = await remote({
    hostname: '127.0.0.1',
    port: p,
    logLevel: 'error',
    connectionRetryCount: 0,
    capabilities: { 'wdio:enforceWebDriverClassic': true, 'tauri:options': { application: app } },
  });
  const session = { browser, child };
  const seen = await browser.executeAsync((done) => {
    const clock = () => performance.timeOrigin + performance.now();
    const firstCheck = clock();
    let checks = 0;
    function check() {
      checks++;
      if (document.querySelector('[data-testid="track-row"]')) {
        requestAnimationFrame(() => {
          const painted = clock();
          setTimeout(() => done({ painted, free: clock(), checks, firstCheck }), 0);
        });
      } else {
        requestAnimationFrame(check);
      }
    }
    check();
  });
  const marks = await browser.execute(() =>
    performance.getEntriesByType('mark').map((m) => ({ name: m.name, at: performance.timeOrigin + m.startTime })),
  );
  // Where the time went: the page's navigation start and its script's end, from the launch.
  const page = await browser.execute(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return { origin: performance.timeOrigin, loaded: nav ? performance.timeOrigin + nav.domContentLoadedEventEnd : 0 };
  });
  process.stderr.write(`  page navigation started at ${fmt(page.origin - t0)}, its DOM loaded at ${fmt(page.loaded - t0)}\n`);
  const mark = (name) => marks.find((m) => m.name === name)?.at;
  const steps = ['script', 'mounted', 'listening', 'snapshot', 'library-painted']
    .map((name) => [name, mark(`lyrebird:${name}`)])
    .filter(([, at]) => at !== undefined)
    .map(([name, at]) => `${name} ${fmt(at - t0)}`);
  if (steps.length) process.stderr.write(`  page marks: ${steps.join(', ')}\n`);
  // Rows already there when the probe first looked: the page's own marks say when (if it has them).
  const painted = seen.checks === 1 ? (mark('lyrebird:library-painted') ?? seen.painted) : seen.painted;
  const free = seen.checks === 1 ? (mark('lyrebird:library-interactive') ?? seen.free) : seen.free;
  return { session, shown: painted - t0, free: free - t0, early: seen.checks === 1, probeAt: seen.firstCheck - t0 };
}

async function waitScanned(browser, timeout = 300_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const busy = await browser.execute(
      () =>
        !document.querySelector('[data-testid="track-row"]') ||
        !!document.querySelector('[data-testid="library-scanning"], [data-testid="scan-progress"]'),
    );
    if (!busy) return;
    await sleep(500);
  }
  throw new Error('the scan did not end');
}

function stats(deltas) {
  const sorted = [...deltas].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))] ?? 0;
  return {
    frames: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: at(1),
    over50: sorted.filter((d) => d > 50).length,
  };
}

/** Resident memory (MiB) of WebKit's web processes: the page's side of the app. */
function webProcessMiB() {
  let kib = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('WebKitWebProces')) continue;
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kib += Number(rss?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return kib / 1024;
}

/** Frame deltas (ms) while a list scrolls steadily for `steadyMs`, then jumps for `jumpMs`. */
async function scrollFrames(browser, steadyMs = 5000, jumpMs = 3000, selector = '[role="listbox"]') {
  return browser.executeAsync(
    (steadyMs, jumpMs, selector, done) => {
      const list = document.querySelector(selector);
      if (!list) return done({ error: 'no list' });
      list.scrollTop = 0;
      const deltas = [];
      let steadyFrames = null;
      let last = null;
      let started = null;
      let lastJump = 0;
      let seed = 7;
      const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      function frame(now) {
        if (last !== null) deltas.push(now - last);
        last = now;
        started ??= now;
        const elapsed = now - started;
        if (elapsed < steadyMs) {
          list.scrollTop += 120;
        } else if (elapsed < steadyMs + jumpMs) {
          steadyFrames ??= deltas.length;
          if (now - lastJump > 100) {
            lastJump = now;
            list.scrollTop = random() * (list.scrollHeight - list.clientHeight);
          }
        } else {
          return done({ deltas, steadyFrames, rows: list.scrollHeight });
        }
        requestAnimationFrame(frame);
      }
      requestAnimationFrame(frame);
    },
    steadyMs,
    jumpMs,
    selector,
  );
}

/**
 * Jumps one at a time (`n`, each left 300 ms to settle): for each, the frame that drew the jump
 * (the rows waiting for their tracks), the frame that drew the tracks when they came, and when
 * they came after the jump (ms).
 */
async function jumpProbe(browser, n = 20) {
  return browser.executeAsync((n, done) => {
    const list = document.querySelector('[role="listbox"]');
    if (!list) return done({ error: 'no list' });
    const out = [];
    let seed = 11;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const pending = () => list.querySelectorAll('[data-testid="track-row-pending"]').length;
    function jump() {
      const changes = [];
      const observer = new MutationObserver(() => changes.push([performance.now(), pending()]));
      // Rows are built anew, or (recycled) their elements' `data-testid` changes.
      observer.observe(list, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-testid'] });
      const frames = [];
      requestAnimationFrame((before) => {
        frames.push(before);
        const t0 = performance.now();
        list.scrollTop = random() * (list.scrollHeight - list.clientHeight);
        requestAnimationFrame(function frame(now) {
          frames.push(now);
          if (now - t0 < 400) return requestAnimationFrame(frame);
          observer.disconnect();
          out.push({ t0, frames, changes });
          if (out.length < n) setTimeout(jump, 50);
          else done(out);
        });
      });
    }
    jump();
  }, n);
}

/** Per jump: the frame after it, the frame the tracks were drawn in, when they came (ms). */
function jumpSummary(jumps) {
  return jumps.map(({ t0, frames, changes }) => {
    const frameAround = (at) => {
      for (let i = 1; i < frames.length; i++) if (frames[i - 1] <= at && at < frames[i]) return frames[i] - frames[i - 1];
      return null;
    };
    // At most one row left waiting (the focused row is kept even when its page is not: it is out
    // of view); the first change when the rows are drawn with their tracks at once.
    const filled = changes.find(([, left]) => left <= 1)?.[0] ?? null;
    return {
      jumpFrame: frames[2] - frames[1],
      fillFrame: filled === null ? null : frameAround(filled),
      filledAfter: filled === null ? null : filled - t0,
      pendingDrawn: changes[0]?.[1] ?? null,
    };
  });
}

/** Starts recording `requestAnimationFrame` deltas in the page. */
async function startFrames(browser) {
  await browser.execute(() => {
    window.__benchFrames = [];
    window.__benchRun = true;
    let last = null;
    function frame(now) {
      if (last !== null) window.__benchFrames.push(now - last);
      last = now;
      if (window.__benchRun) requestAnimationFrame(frame);
    }
    requestAnimationFrame(frame);
  });
}

/** Stops recording; the deltas (ms) since `startFrames`. */
async function stopFrames(browser) {
  return browser.execute(() => {
    window.__benchRun = false;
    return window.__benchFrames;
  });
}

/** The id of the track the player bar names. */
function playingId(browser) {
  return browser.execute(() => document.querySelector('[data-testid="now-playing"]')?.getAttribute('data-track-id'));
}

/** Ms from `since` until the player bar names a track `wanted(id)` accepts; null after `limitMs`. */
async function untilPlaying(browser, wanted, since, limitMs) {
  while (Date.now() - since < limitMs) {
    if (wanted(await playingId(browser))) return Date.now() - since;
    await sleep(10);
  }
  return null;
}

/** Frame deltas while `text` is typed into the search field key by key, then erased. */
async function typingFrames(browser, text) {
  await startFrames(browser);
  const search = await browser.$('[data-testid="library-search"]');
  await search.click();
  for (const key of text) {
    await search.addValue(key);
    await sleep(150);
  }
  await sleep(800);
  const typed = await search.getValue();
  const matches = await browser.execute(() => document.querySelectorAll('[data-testid="track-row"]').length);
  for (let i = 0; i < text.length; i++) {
    await search.addValue('\uE003'); // Backspace
    await sleep(150);
  }
  await sleep(800);
  process.stderr.write(`  typed "${typed}": ${matches} rows on screen; after erasing: "${await search.getValue()}"\n`);
  const deltas = await stopFrames(browser);
  return { deltas, matches };
}

/**
 * Frame deltas from a double click on the first row (play it: the library becomes the queue)
 * until the player bar names that track, and how long that took.
 */
async function playFrames(browser) {
  await startFrames(browser);
  // The first row, in view (the frames above left the list scrolled somewhere).
  await browser.execute(() => {
    const list = document.querySelector('[role="listbox"]');
    if (list) list.scrollTop = 0;
  });
  await sleep(500);
  const row = await browser.$('[data-testid="track-row"][data-index="0"]');
  const id = await row.getAttribute('data-track-id');
  const clicked = Date.now();
  await row.$('[data-testid="track-title"]').doubleClick();
  const shownAfter = await untilPlaying(browser, (now) => now === id, clicked, 60_000);
  await sleep(1000);
  const deltas = await stopFrames(browser);
  return { deltas, shownAfter };
}

/** `count` presses of "next", each until the player bar names another track; ms each. */
async function trackChanges(browser, count) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const before = await playingId(browser);
    const pressed = Date.now();
    await browser.execute(() => document.querySelector('[data-testid="np-next"]')?.click());
    times.push((await untilPlaying(browser, (now) => !!now && now !== before, pressed, 30_000)) ?? 30_000);
  }
  return times;
}

/** Opens the Queue view (the whole library queued): ms until its rows are drawn, then its frames while scrolling. */
async function queueView(browser) {
  const opened = Date.now();
  await browser.execute(() => document.querySelector('[data-testid="nav-queue"]')?.click());
  while (Date.now() - opened < 60_000) {
    if (await browser.execute(() => !!document.querySelector('[data-testid="queue-row"]'))) break;
    await sleep(10);
  }
  const shownAfter = Date.now() - opened;
  const scroll = await scrollFrames(browser, 5000, 3000, '[data-testid="queue-list"]');
  return { shownAfter, scroll };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

// The first start builds the index (a first scan of every file); it is not a start-up sample.
{
  const first = await start();
  process.stderr.write(`first start (new index): rows after ${fmt(first.shown)}\n`);
  await waitScanned(first.session.browser);
  await sleep(3000); // the index's log folded into its file once idle
  await close(first.session);
}

const warm = [];
for (let i = 0; i < warmRuns; i++) {
  const run = await start();
  warm.push(run);
  process.stderr.write(`warm ${i + 1}: shown ${fmt(run.shown)}, free ${fmt(run.free)}${run.early ? ' (rows before the probe)' : ''}\n`);
  if (i < warmRuns - 1) await close(run.session);
}

// Frames, in the last warm session, once its rescan is done.
const last = warm[warmRuns - 1].session;
await waitScanned(last.browser);
await sleep(1000);
// PERF_SCROLL=FILE: a system-wide profile (call graphs) of the scroll's 8 s, for `perf report`.
const perf = process.env.PERF_SCROLL
  ? spawn('perf', ['record', '-a', '-g', '-F', '999', '-o', process.env.PERF_SCROLL, '--', 'sleep', '8'], { stdio: 'ignore' })
  : null;
// SCROLL_CSS='…': a style sheet added to the page before the scroll (to try a change of the
// rows' CSS without a build).
if (process.env.SCROLL_CSS) {
  await last.browser.execute((css) => {
    const style = document.createElement('style');
    style.textContent = css;
    document.head.append(style);
  }, process.env.SCROLL_CSS);
}
const scroll = await scrollFrames(last.browser);
// JUMPS=N: N single jumps, each timed apart (see jumpProbe).
const jumps = Number(process.env.JUMPS ?? 0) > 0 ? jumpSummary(await jumpProbe(last.browser, Number(process.env.JUMPS))) : null;
if (perf) await new Promise((done) => (perf.exitCode !== null ? done() : perf.once('exit', done)));
// The app's scan reads no tags from index_bench's one-frame MP3s (lofty: "failed to parse Mpeg
// file"), so the titles are the file names, 000000 to 099999: "0" and "09" match 500 (the
// search's limit), "0999" 110.
const typing = await typingFrames(last.browser, '0999');
// Playing a row makes the whole library the queue: the window is told its ids and a window of
// tracks (before the queue went by rows, one event of 18.9 MB, and the web process grew past
// 18 GB). Then 20 track changes, the Queue view opened and scrolled, and the web process's memory
// at each step (LYREBIRD_BENCH_PLAY=0 leaves it out).
const memory = { beforePlay: webProcessMiB() };
const play = process.env.LYREBIRD_BENCH_PLAY === '0' ? null : await playFrames(last.browser);
let changes = [];
let queue = null;
if (play) {
  memory.afterPlay = webProcessMiB();
  changes = await trackChanges(last.browser, 20);
  memory.afterChanges = webProcessMiB();
  queue = await queueView(last.browser);
  memory.afterQueueView = webProcessMiB();
}
await close(last);

const cold = [];
for (let i = 0; i < coldRuns; i++) {
  const run = await start({ cold: true });
  cold.push(run);
  process.stderr.write(`cold ${i + 1}: shown ${fmt(run.shown)}, free ${fmt(run.free)}\n`);
  await close(run.session);
}

const empty = [];
const emptyApp = process.env.LYREBIRD_EMPTY_APP;
if (emptyApp) {
  for (let i = 0; i < warmRuns; i++) {
    const run = await startEmpty(emptyApp);
    empty.push(run);
    process.stderr.write(`empty window ${i + 1}: navigation at ${fmt(run.navigation)}, first frame ${fmt(run.shown)}\n`);
  }
}

const s = stats(scroll.deltas ?? []);
const ty = stats(typing.deltas);
console.log('| 100 000 tracks | median | runs |');
console.log('|---|---:|---|');
console.log(`| warm start: launch → rows painted | ${fmt(median(warm.map((r) => r.shown)))} | ${warm.map((r) => fmt(r.shown)).join(', ')} |`);
console.log(`| warm start: launch → page free after them | ${fmt(median(warm.map((r) => r.free)))} | ${warm.map((r) => fmt(r.free)).join(', ')} |`);
if (cold.length > 0) {
  console.log(`| cold start: launch → rows painted | ${fmt(median(cold.map((r) => r.shown)))} | ${cold.map((r) => fmt(r.shown)).join(', ')} |`);
  console.log(`| cold start: launch → page free after them | ${fmt(median(cold.map((r) => r.free)))} | ${cold.map((r) => fmt(r.free)).join(', ')} |`);
}
if (empty.length > 0) {
  console.log(`| empty Tauri 2 window, warm: launch → its first frame | ${fmt(median(empty.map((r) => r.shown)))} | ${empty.map((r) => fmt(r.shown)).join(', ')} |`);
}
console.log('');
console.log('| frames (requestAnimationFrame deltas) | frames | p50 | p95 | p99 | max | over 50 ms |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
const row = (name, x) =>
  console.log(`| ${name} | ${x.frames} | ${x.p50.toFixed(1)} ms | ${x.p95.toFixed(1)} ms | ${x.p99.toFixed(1)} ms | ${x.max.toFixed(1)} ms | ${x.over50} |`);
row('scrolling the Songs list (5 s steady, 3 s of jumps)', s);
const split = scroll.steadyFrames ?? 0;
row('… of which the steady scroll (120 px a frame)', stats((scroll.deltas ?? []).slice(0, split)));
row('… of which the jumps (ten a second)', stats((scroll.deltas ?? []).slice(split)));
if (jumps) {
  const list = (key) => jumps.map((j) => (j[key] === null ? '–' : Math.round(j[key]))).join(' ');
  console.log(`| single jumps: the jump's frame (ms) | ${list('jumpFrame')} |`);
  console.log(`| … the frame that drew the tracks (ms) | ${list('fillFrame')} |`);
  console.log(`| … the tracks in the page after (ms) | ${list('filledAfter')} |`);
  console.log(`| … rows drawn waiting for them | ${list('pendingDrawn')} |`);
}
row(`typing "0999" in search key by key and erasing it (${typing.matches} rows on screen)`, ty);
if (play) {
  row(`double click on a row to play it (the player bar named it after ${play.shownAfter === null ? 'more than 60 s' : fmt(play.shownAfter)}), then 1 s`, stats(play.deltas));
  if (queue) {
    row(`scrolling the Queue view of 100 000 entries (opened, rows drawn after ${fmt(queue.shownAfter)})`, stats(queue.scroll.deltas ?? []));
    const at = queue.scroll.steadyFrames ?? 0;
    row('… of which the steady scroll', stats((queue.scroll.deltas ?? []).slice(0, at)));
    row('… of which the jumps', stats((queue.scroll.deltas ?? []).slice(at)));
  }
  console.log('');
  console.log('| playing from the 100 000-track library | value |');
  console.log('|---|---:|');
  console.log(`| "next" → the player bar names the next track (20 presses), median / max | ${median(changes)} ms / ${Math.max(...changes)} ms |`);
  const mib = (v) => (v === undefined ? '–' : `${v.toFixed(0)} MiB`);
  console.log(`| web process resident: before playing | ${mib(memory.beforePlay)} |`);
  console.log(`| … after playing a row (the library queued) | ${mib(memory.afterPlay)} |`);
  console.log(`| … after 20 track changes | ${mib(memory.afterChanges)} |`);
  console.log(`| … after opening and scrolling the Queue view | ${mib(memory.afterQueueView)} |`);
}
