// Launch the real Lyrebird binary through tauri-driver (WebKitWebDriver) and drive it.
//
// Each launch gets its own tauri-driver, because the app inherits the driver's environment and
// tests differ in environment (library folders, audio device, HOME).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { remote } from 'webdriverio';

const repo = resolve(import.meta.dirname, '../../..');
const targetDir = process.env.CARGO_TARGET_DIR ?? join(repo, 'target');
export const appBinary = process.env.LYREBIRD_APP ?? join(targetDir, 'debug', 'lyrebird');
const tauriDriver = process.env.TAURI_DRIVER ?? 'tauri-driver';

let nextPort = 14_400 + (process.pid % 200) * 10;

/** A fresh temporary directory. */
export function tempDir(prefix = 'lyrebird-e2e-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

async function waitForDriver(port, driver) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (driver.exitCode !== null) throw new Error(`tauri-driver exited with ${driver.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('tauri-driver did not start');
}

/**
 * Start Lyrebird. `env` is added to the environment (a value of `undefined` removes a
 * variable); `args` go to the app's command line. Returns { browser, close, log }.
 */
export async function launch({ env = {}, args = [] } = {}) {
  const port = nextPort;
  nextPort += 2;
  const childEnv = { ...process.env, LYREBIRD_LOG: 'info' };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }
  const log = [];
  const driver = spawn(tauriDriver, ['--port', String(port), '--native-port', String(port + 1)], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that WebKitWebDriver and the app go with it.
    detached: true,
  });
  const killAll = () => {
    try {
      process.kill(-driver.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  driver.stdout.on('data', (d) => log.push(d.toString()));
  driver.stderr.on('data', (d) => log.push(d.toString()));
  try {
    await waitForDriver(port, driver);
    const browser = await remote({
      hostname: '127.0.0.1',
      port,
      logLevel: 'error',
      connectionRetryCount: 0,
      capabilities: {
        'wdio:enforceWebDriverClassic': true,
        'tauri:options': { application: appBinary, args },
      },
    });
    const close = async () => {
      try {
        await browser.deleteSession();
      } catch {
        // the app may already be gone
      }
      const exited = new Promise((done) => (driver.exitCode !== null ? done() : driver.once('exit', done)));
      killAll();
      await exited;
    };
    return { browser, close, log };
  } catch (error) {
    killAll();
    error.message += `\n--- tauri-driver and app output ---\n${log.join('')}`;
    throw error;
  }
}

/** Poll `probe` until it returns a truthy value; fail with `what` after `timeout` ms. */
export async function until(what, probe, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

/**
 * The rendered text of an element. (WebKitWebDriver's "Get Element Text" returns only part of
 * the text of elements with several children, so read `innerText` instead.)
 */
export async function text(element) {
  return String(await element.getProperty('innerText')).trim();
}

/** The now-playing bar's data attributes. */
export async function nowPlaying(browser) {
  const bar = await browser.$('[data-testid="now-playing"]');
  return {
    status: await bar.getAttribute('data-status'),
    trackId: await bar.getAttribute('data-track-id'),
    playId: Number(await bar.getAttribute('data-play-id')),
    positionMs: Number(await bar.getAttribute('data-position-ms')),
    title: await text(await browser.$('[data-testid="np-title"]')),
  };
}

/** Library rows as { id, title, element }. */
export async function libraryRows(browser) {
  const rows = await browser.$$('[data-testid="track-row"]');
  const out = [];
  for (const element of rows) {
    out.push({
      id: await element.getAttribute('data-track-id'),
      title: await text(await element.$('[data-testid="track-title"]')),
      element,
    });
  }
  return out;
}

/** The library rows, once there are exactly `count` of them. */
export async function libraryRowsWhen(browser, count) {
  return until(`${count} library rows`, async () => {
    const rows = await libraryRows(browser);
    return rows.length === count && rows;
  });
}
