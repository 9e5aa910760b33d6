// Where a warm start's time goes (issue #19): one start of the app over WebDriver, printing the
// page's own marks (navigation, script, mounted, listening, snapshot, library-painted) in
// seconds from the launch, and the launch's CLOCK_MONOTONIC time, so that a profile taken with
// `perf record -k CLOCK_MONOTONIC` can be cut at the same moments. Run by startup-marks.sh.
//
//   LYREBIRD_APP=… LYREBIRD_CONFIG_DIR=… node tests/bench/startup-marks.mjs MUSIC_DIR
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { remote } from 'webdriverio';
import { startDriver } from './driver.mjs';

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
