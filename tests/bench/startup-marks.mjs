// Where a warm start's time goes (issue #19): one start of the app over WebDriver, printing the
// page's own marks (navigation, script, mounted, listening, snapshot, library-painted) in
// seconds from the launch, and the launch's CLOCK_MONOTONIC time, so that a profile taken with
// `perf record -k CLOCK_MONOTONIC` can be cut at the same moments. Run by startup-marks.sh.
//
//   LYREBIRD_APP=… LYREBIRD_CONFIG_DIR=… node tests/bench/startup-marks.mjs MUSIC_DIR
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { remote } from 'webdriverio';
import { startDriver } from './driver.mjs';
import { appTree, ticksOf } from './proc.mjs';

const music = process.argv[2];
const config = process.env.LYREBIRD_CONFIG_DIR;
if (!music || !config || !process.env.LYREBIRD_APP) {
  console.error('usage: LYREBIRD_APP=… LYREBIRD_CONFIG_DIR=… node tests/bench/startup-marks.mjs MUSIC_DIR');
  process.exit(2);
}
const env = {
  ...process.env,
  LYREBIRD_LOG: process.env.LYREBIRD_LOG ?? 'warn',
  LYREBIRD_CACHE_DIR: join(config, 'cache'),
  LYREBIRD_LIBRARY_DIRS: music,
  LYREBIRD_NO_DEMO: '1',
};
const port = 15_600 + 2 * Math.floor(Math.random() * 100);
const driver = await startDriver(env, port);
const t0 = Date.now();
const monotonic = process.hrtime.bigint();
const browser = await remote({
  hostname: '127.0.0.1',
  port,
  logLevel: 'error',
  connectionRetryCount: 0,
  capabilities: { 'wdio:enforceWebDriverClassic': true, 'tauri:options': { application: process.env.LYREBIRD_APP } },
});
// The first frame with library rows in it (the page's own mark says the same when it has one).
const painted = await browser.executeAsync((done) => {
  const check = () =>
    document.querySelector('[data-testid="track-row"]')
      ? requestAnimationFrame(() => done(performance.timeOrigin + performance.now()))
      : requestAnimationFrame(check);
  check();
});
const { origin, marks } = await browser.execute(() => ({
  origin: performance.timeOrigin,
  marks: performance.getEntriesByType('mark').map((m) => [m.name.replace(/^lyrebird:/, ''), performance.timeOrigin + m.startTime]),
}));
const from = (t) => ((t - t0) / 1000).toFixed(3);
const steps = [['navigation', origin], ...marks.filter(([name]) => name !== 'library-interactive'), ['rows-seen', painted]];
console.log([`launch-monotonic-ns ${monotonic}`, ...steps.map(([name, t]) => `${name} ${from(t)}`)].join(' '));
// TAIL_SECONDS: what the app does after its start, nothing touched. The CPU of the web
// process and of the app's own process in each half second from the launch (from /proc), and
// with TAIL_FRAMES=1 the page's animation frames in each (a counter that itself asks for a
// frame every frame, so its CPU is not the idle page's).
if (process.env.TAIL_SECONDS) {
  const until = t0 + Number(process.env.TAIL_SECONDS) * 1000;
  const frames =
    process.env.TAIL_FRAMES === '1'
      ? browser.executeAsync((launch, end, done) => {
          const counts = {};
          const tick = () => {
            const at = performance.timeOrigin + performance.now();
            // The half second (from the launch) that ends at `slot`.
            const slot = Math.ceil((at - launch) / 500) * 500;
            counts[slot] = (counts[slot] ?? 0) + 1;
            if (at < end) requestAnimationFrame(tick);
            else done(counts);
          };
          requestAnimationFrame(tick);
        }, t0, until)
      : Promise.resolve(null);
  const cpu = [];
  let last = ticks();
  // TAIL_POINTER_AT: a second from the launch at which the pointer moves over the window's
  // middle (WebKitGTK shows its overlay scrollbars on any movement, then fades them out).
  const pointerAt = process.env.TAIL_POINTER_AT ? Number(process.env.TAIL_POINTER_AT) * 1000 : Infinity;
  for (let at = Math.ceil((Date.now() - t0) / 500) * 500; t0 + at <= until; at += 500) {
    await sleep(t0 + at - Date.now());
    if (at === pointerAt) movePointer();
    const now = ticks();
    cpu.push([at, now.web - last.web, now.app - last.app]);
    last = now;
  }
  const counted = (await frames) ?? {};
  const frameAt = (at) => counted[at] ?? '-';
  console.log(
    'tail (s from launch: web process % / app % / frames in the half second before):',
    cpu.map(([at, web, app]) => `${(at / 1000).toFixed(1)}:${web * 2}/${app * 2}/${frameAt(at)}`).join(' '),
  );
}
// Stays a moment (a rescan's first steps), then closes.
await sleep(Number(process.env.STAY_MS ?? 500));
try {
  await browser.deleteSession();
} catch {
  // gone already
}
try {
  process.kill(-driver.pid, 'SIGTERM');
} catch {
  // gone already
}
await sleep(800);
process.exit(0);

/** Moves the pointer into the main window and a little within it. */
function movePointer() {
  const [id] = execFileSync('xdotool', ['search', '--onlyvisible', '--name', '^Lyrebird$'], { encoding: 'utf8' }).split('\n');
  execFileSync('xdotool', ['mousemove', '--window', id, '500', '300']);
  execFileSync('xdotool', ['mousemove_relative', '--', '8', '8']);
}

/** CPU ticks (1/100 s) used so far by WebKit's web processes and by the app's own process. */
function ticks() {
  const out = { web: 0, app: 0 };
  for (const { comm, ticks: used } of ticksOf(appTree()).values()) {
    if (comm === 'WebKitWebProces') out.web += used;
    else if (comm === 'lyrebird') out.app += used;
  }
  return out;
}
