// The desktop around the window: MPRIS driven by a real D-Bus client (playerctl), closing the
// window to the tray (the web view is destroyed, the music goes on, the window comes back
// where it was), and a second launch handing its file to the running app.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import { appBinary, launch, libraryRowsWhen, nowPlaying, tempDir, until } from './lib/app.mjs';
import { RATE, dominantFrequency, makeTone, record, soundRuns } from './lib/audio.mjs';

const run = promisify(execFile);
const closeWindow = resolve(import.meta.dirname, '../support/close-window.py');
const grabKey = resolve(import.meta.dirname, '../support/grab-key.py');

/** `playerctl -p lyrebird ARGS...`, its output trimmed; throws when it fails. */
async function playerctl(...args) {
  const { stdout } = await run('playerctl', ['-p', 'lyrebird', ...args], { timeout: 5000 });
  return stdout.trim();
}

/** The frequency heard in the `seconds` before sample `end`. */
function pitchBefore(samples, end, seconds = 0.3) {
  return dominantFrequency(samples.subarray(end - Math.round(seconds * RATE), end));
}

/** X windows titled "Lyrebird" that are shown. */
function shownWindows() {
  try {
    return execFileSync('xdotool', ['search', '--onlyvisible', '--name', '^Lyrebird$'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return []; // xdotool exits 1 when nothing matches
  }
}

/** WebKit's processes of `kind` (`WebProcess`: one per web view; `NetworkProcess`). */
function webkitProcesses(kind = 'WebProcess') {
  try {
    return execFileSync('pgrep', ['-f', `WebKit${kind}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
const webProcesses = () => webkitProcesses('WebProcess');

test('playerctl sees the player, reads its metadata, and its commands change what plays and what the UI shows', async () => {
  const music = tempDir('lyrebird-mpris-');
  makeTone(join(music, 'a.flac'), { freq: 440, seconds: 20, title: 'Tone A', artist: 'Ann', album: 'Bus' });
  makeTone(join(music, 'b.flac'), { freq: 660, seconds: 20, title: 'Tone B', artist: 'Bo', album: 'Bus' });
  const recording = record(join(tempDir(), 'mpris.wav'));
  const { browser, close, log } = await launch({
    env: { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: tempDir(), LYREBIRD_NO_DEMO: '1' },
  });
  try {
    // Registered on the bus before anything plays.
    assert.equal(await until('the MPRIS player', () => playerctl('status')), 'Stopped');
    const rows = await libraryRowsWhen(browser, 2);
    await rows.find((r) => r.title === 'Tone A').element.doubleClick();

    await until('playerctl reports Tone A playing', async () =>
      (await playerctl('status')) === 'Playing' && (await playerctl('metadata', 'title')) === 'Tone A');
    assert.equal(await playerctl('metadata', 'artist'), 'Ann');
    assert.equal(await playerctl('metadata', 'album'), 'Bus');
    const lengthUs = Number(await playerctl('metadata', 'mpris:length'));
    assert.ok(Math.abs(lengthUs - 20e6) < 0.1e6, `mpris:length ${lengthUs} µs for a 20 s track`);
    await until('1.5 s played', async () => (await nowPlaying(browser)).positionMs > 1500);

    await playerctl('pause');
    await until('the UI shows paused', async () => (await nowPlaying(browser)).status === 'paused');
    await until('playerctl reports Paused', async () => (await playerctl('status')) === 'Paused');
    await sleep(1000);
    await playerctl('play');
    await until('the UI shows playing', async () => (await nowPlaying(browser)).status === 'playing');

    await playerctl('position', '12');
    await until('the UI at 12 s', async () => {
      const { positionMs } = await nowPlaying(browser);
      return positionMs >= 12_000 && positionMs < 15_000;
    });
    await until('playerctl position near the UI', async () => {
      const bus = Number(await playerctl('position'));
      const ui = (await nowPlaying(browser)).positionMs / 1000;
      return Math.abs(bus - ui) < 1.5 && bus >= 12;
    });

    await playerctl('next');
    await until('the UI shows Tone B', async () => (await nowPlaying(browser)).title === 'Tone B');
    await until('playerctl reports Tone B', async () => (await playerctl('metadata', 'title')) === 'Tone B');
    await until('1 s of Tone B', async () => (await nowPlaying(browser)).positionMs > 1000);

    await playerctl('volume', '0.25');
    await until('the UI volume at 25 %', async () =>
      browser.execute(() => document.querySelector('[data-testid="np-volume"]')?.value === '0.25'));
  } catch (error) {
    error.message += `\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    await close();
  }
  const samples = await recording.stop();
  const runs = soundRuns(samples, { gapSeconds: 0.6 });
  assert.ok(runs.length >= 2, `sound, the pause, sound: ${JSON.stringify(runs)}`);
  const first = runs[0];
  const last = runs.at(-1);
  const before = pitchBefore(samples, first[1]);
  assert.ok(Math.abs(before - 440) < 10, `Tone A (440 Hz) before the pause, heard ${before} Hz`);
  const end = pitchBefore(samples, last[1]);
  assert.ok(Math.abs(end - 660) < 10, `Tone B (660 Hz) after "next", heard ${end} Hz`);
});

test('closing the window keeps playing in the tray without a web view; the window comes back as it was', async () => {
  const music = tempDir('lyrebird-tray-');
  makeTone(join(music, 'long.flac'), { freq: 440, seconds: 40, title: 'Long', artist: 'Tray' });
  makeTone(join(music, 'other.flac'), { freq: 660, seconds: 40, title: 'Other', artist: 'Tray' });
  const recording = record(join(tempDir(), 'tray.wav'));
  const { browser, close, log } = await launch({
    env: { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: tempDir(), LYREBIRD_NO_DEMO: '1' },
  });
  let closedAt;
  try {
    const rows = await libraryRowsWhen(browser, 2);
    await rows.find((r) => r.title === 'Long').element.doubleClick();
    await until('1 s played', async () => (await nowPlaying(browser)).positionMs > 1000);
    await (await browser.$('[data-testid="nav-queue"]')).click();
    await until('the queue shown', async () =>
      (await (await browser.$('[data-testid="nav-queue"]')).getAttribute('aria-current')) === 'page');
    await sleep(300); // the view change reaches the player
    const processesBefore = webProcesses().length;
    assert.equal(shownWindows().length, 1, 'one window to begin with');

    execFileSync(closeWindow, ['Lyrebird']);
    closedAt = Date.now();
    await until('the window gone', () => shownWindows().length === 0);
    await until('a web process fewer', () => webProcesses().length < processesBefore);
    // With no window left, the app gives memory back, and the sound goes on (checked in the
    // recording below). Under WebDriver the network process is kept (the session dies with
    // it); the next test covers ending it.
    await until('the trim logged', () => log.join('').includes('memory given back with no window open'));
    // Still playing, from the tray.
    const position = Number(await until('MPRIS position', () => playerctl('position')));
    // MPRIS is told the position about once a second: after 2.5 s it has moved on by 1.5 s at least.
    await sleep(2500);
    assert.equal(await playerctl('status'), 'Playing');
    const later = Number(await playerctl('position'));
    assert.ok(later > position + 1.2, `the position moves on: ${position} s, then ${later} s`);

    // Brought back (MPRIS Raise, as a desktop's media widget does).
    await run('gdbus', [
      'call', '--session', '--dest', 'org.mpris.MediaPlayer2.lyrebird',
      '--object-path', '/org/mpris/MediaPlayer2', '--method', 'org.mpris.MediaPlayer2.Raise',
    ]);
    await until('the window back', () => shownWindows().length === 1);
    await until('the rebuilt window is automated', async () => {
      const handles = await browser.getWindowHandles();
      if (handles.length === 0) return false;
      await browser.switchToWindow(handles.at(-1));
      return true;
    });
    await until('the rebuilt window on the queue view', async () =>
      (await (await browser.$('[data-testid="nav-queue"]')).getAttribute('aria-current')) === 'page');
    const now = await nowPlaying(browser);
    assert.equal(now.title, 'Long');
    assert.equal(now.status, 'playing');
    // Not behind what played while closed (the wall clock is no measure: on a loaded machine
    // the sink can stall for a moment, and the page hears the position once a second).
    assert.ok(now.positionMs >= later * 1000 - 1000,
      `position ${now.positionMs} ms, against ${later} s while closed (${Date.now() - closedAt} ms ago)`);
  } catch (error) {
    error.message += `\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    await close();
  }
  const samples = await recording.stop();
  const runs = soundRuns(samples, { gapSeconds: 0.3 });
  assert.equal(runs.length, 1, `one unbroken sound through closing and reopening: ${JSON.stringify(runs)}`);
});

/** Children of `pid` running WebKit's `kind` process. */
function webkitChildren(pid, kind) {
  try {
    return execFileSync('pgrep', ['-P', String(pid), '-f', `WebKit${kind}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * The app started as a user starts it (no WebDriver), playing a 2-minute tone titled `title`
 * from a library of its own, with `extraEnv` in its environment (a `null` value removes the
 * variable); `plain()` is its log so far without colours.
 */
function startWithoutDriver(name, title, extraEnv = {}) {
  const music = tempDir(`lyrebird-${name}-`);
  makeTone(join(music, 'long.flac'), { freq: 440, seconds: 120, title });
  const home = tempDir(`lyrebird-${name}-home-`);
  const env = { ...process.env, HOME: home, LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: join(home, 'config'), LYREBIRD_NO_DEMO: '1', ...extraEnv };
  for (const [key, value] of Object.entries(env)) if (value === null) delete env[key];
  const app = spawn(appBinary, [join(music, 'long.flac')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  app.stderr.on('data', (d) => (log += d.toString()));
  return { app, home, plain: () => log.replace(/\x1b\[[0-9;]*m/g, '') };
}

/**
 * Runs `body({ app, home, plain })` with the app started by `startWithoutDriver`; a failure
 * carries the app's log, and the app is ended either way.
 */
async function withAppWithoutDriver(name, title, extraEnv, body) {
  const started = startWithoutDriver(name, title, extraEnv);
  try {
    await body(started);
  } catch (error) {
    error.message += `\n--- app log ---\n${started.plain()}`;
    throw error;
  } finally {
    started.app.kill('SIGTERM');
    await once(started.app, 'exit');
  }
}

/** Waits until the screen shows the UI (an empty or broken page has a handful of colours; the
 * UI hundreds) and returns how many colours it has. */
function uiDrawn(home) {
  const shot = join(home, 'shot.png');
  return until('the UI drawn', async () => {
    await run('import', ['-window', 'root', shot]);
    const { stdout } = await run('convert', [shot, '-format', '%k', 'info:']);
    return Number(stdout) > 200 && Number(stdout);
  }, 20_000);
}

// Without WebDriver (whose session would die with it): the trim after the last window closed
// ends WebKit's network process too, and a window opened afterwards still works.
test('with no window open the app ends WebKit\'s network process; the next window starts a new one and draws the UI', async () => {
  await withAppWithoutDriver('trim', 'Trimmed', {}, async ({ app, home, plain }) => {
    await until('playing', async () => (await playerctl('status')) === 'Playing', 30_000);
    await until('the window shown', () => shownWindows().length === 1);
    const network = webkitChildren(app.pid, 'NetworkProcess');
    assert.equal(network.length, 1, 'one network process while the window is open');

    execFileSync(closeWindow, ['Lyrebird']);
    await until('the trim', () => plain().includes('memory given back with no window open') && /network process ended ended=1/.test(plain()));
    await until('no WebKit process left', () =>
      webkitChildren(app.pid, 'NetworkProcess').length + webkitChildren(app.pid, 'WebProcess').length === 0);
    assert.equal(await playerctl('status'), 'Playing');

    await run('gdbus', [
      'call', '--session', '--dest', 'org.mpris.MediaPlayer2.lyrebird',
      '--object-path', '/org/mpris/MediaPlayer2', '--method', 'org.mpris.MediaPlayer2.Raise',
    ]);
    await until('the window back', () => shownWindows().length === 1);
    await until('a new network process and web process', () =>
      webkitChildren(app.pid, 'NetworkProcess').some((pid) => !network.includes(pid)) &&
      webkitChildren(app.pid, 'WebProcess').length === 1);
    assert.ok(await uiDrawn(home) > 200);
    assert.equal(await playerctl('status'), 'Playing');
    assert.equal(await playerctl('metadata', 'title'), 'Trimmed');
  });
});

/** A field of /proc/PID/status in kB (`RssFile`, `RssAnon`). */
function statusKib(pid, field) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return Number(line.split(/\s+/)[1]);
}

// Without WebDriver, as a user starts it: some seconds after the window is built, the app gives
// back the pages of code and constants that starting touched (its own, GTK's, WebKit's) and its
// freed heap; the window goes on drawing and the player on answering.
test('a shown window gives back what starting touched once it has settled, and goes on drawing and playing', async () => {
  await withAppWithoutDriver('settle', 'Settled', {}, async ({ app, home, plain }) => {
    await until('playing', async () => (await playerctl('status')) === 'Playing', 30_000);
    await until('the window shown', () => shownWindows().length === 1);
    await sleep(2000);
    assert.ok(!plain().includes('memory given back'), 'nothing given back while the window starts');
    const before = statusKib(app.pid, 'RssFile');
    await until('the trim after the window settled', () => plain().includes('memory given back after the window settled'), 30_000);
    const after = statusKib(app.pid, 'RssFile');
    assert.ok(after < before * 0.8, `the app's resident file pages: ${before} kB, then ${after} kB`);
    assert.equal(shownWindows().length, 1, 'the window stays');
    assert.equal(webkitChildren(app.pid, 'NetworkProcess').length, 1, 'the shown window keeps its network process');

    // The player answers, and the window draws.
    await playerctl('pause');
    await until('paused', async () => (await playerctl('status')) === 'Paused');
    await playerctl('play');
    await until('playing again', async () => (await playerctl('status')) === 'Playing');
    assert.equal(await playerctl('metadata', 'title'), 'Settled');
    assert.ok(await uiDrawn(home) > 200);
  });
});

/** Whether this machine has a GPU render node (then WebKit composites as it likes). */
function hasRenderNode() {
  return existsSync('/dev/dri') && readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
}

/** Whether `pid` maps a shared object whose file name starts with `name`. */
function mapsLibrary(pid, name) {
  return readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').some((line) => line.split('/').at(-1).startsWith(name));
}

/** The environment `pid` was started with. */
function environOf(pid) {
  const pairs = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

// What the web process inherits from the app (desktop/web_process.rs): with no GPU render node
// (as here), no GL compositing at all — no GL context made (7 MiB less than turning it off per
// view as the page loads, and far less CPU than compositing in software); and JavaScriptCore
// without its optimizing compilers (6 MiB less, no frame lost). LYREBIRD_COMPOSITING=on and
// JSC_useDFGJIT=true bring each back, which also shows this check sees GL when it is there.
test('with no GPU the web process draws without GL, and runs script without the optimizing JIT, unless the user asks', async () => {
  const runs = [
    { env: { WEBKIT_DISABLE_COMPOSITING_MODE: null, LYREBIRD_COMPOSITING: null, JSC_useDFGJIT: null }, gl: hasRenderNode(), dfg: 'false' },
    { env: { WEBKIT_DISABLE_COMPOSITING_MODE: null, LYREBIRD_COMPOSITING: 'on', JSC_useDFGJIT: 'true' }, gl: true, dfg: 'true' },
  ];
  for (const [i, { env, gl, dfg }] of runs.entries()) {
    await withAppWithoutDriver(`web-process-${i}`, 'Drawn', env, async ({ app, home }) => {
      await until('playing', async () => (await playerctl('status')) === 'Playing', 30_000);
      await until('the window shown', () => shownWindows().length === 1);
      assert.ok(await uiDrawn(home) > 200);
      const [web] = webkitChildren(app.pid, 'WebProcess');
      assert.ok(web, 'a web process');
      assert.equal(mapsLibrary(web, 'libGLESv2'), gl, `${JSON.stringify(env)}: libGLESv2 in the web process`);
      assert.equal(environOf(web).JSC_useDFGJIT, dfg, `${JSON.stringify(env)}: JavaScriptCore's DFG setting in the web process`);
      assert.equal(await playerctl('metadata', 'title'), 'Drawn');
    });
  }
});

test('a second launch hands its file to the running app and exits', async () => {
  const music = tempDir('lyrebird-single-');
  makeTone(join(music, 'a.flac'), { freq: 440, seconds: 20, title: 'Library Tone' });
  const elsewhere = tempDir('lyrebird-elsewhere-');
  makeTone(join(elsewhere, 'dropped.flac'), { freq: 550, seconds: 20, title: 'Handed Over' });
  const env = { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: tempDir(), LYREBIRD_NO_DEMO: '1' };
  const { browser, close, log } = await launch({ env });
  try {
    await libraryRowsWhen(browser, 1);
    const started = Date.now();
    // A relative path: resolved against the second launch's directory, not the first's.
    const second = await run(appBinary, ['dropped.flac'], {
      cwd: elsewhere,
      env: { ...process.env, ...env },
      timeout: 20_000,
    });
    assert.ok(Date.now() - started < 20_000);
    assert.ok(second !== undefined, 'the second launch exited by itself');
    await until('the handed-over file plays', async () => {
      const now = await nowPlaying(browser);
      return now.title === 'Handed Over' && now.status === 'playing';
    });
  } catch (error) {
    // How the second launch ended, and what it said (execFile's error carries both).
    if ('stderr' in error) {
      error.message += `\n--- second launch: exit code ${error.code}, signal ${error.signal} ---\n${error.stderr}`;
    }
    error.message += `\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    await close();
  }
});

test('global shortcuts work while another window has the focus; a key another app holds is reported, the rest still work', async () => {
  const music = tempDir('lyrebird-keys-');
  makeTone(join(music, 'a.flac'), { freq: 440, seconds: 30, title: 'Key A' });
  makeTone(join(music, 'b.flac'), { freq: 660, seconds: 30, title: 'Key B' });
  // Another app already holds Ctrl+Alt+P (Lyrebird's default play/pause).
  const holder = spawn(grabKey, ['p'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(holder.stdout, 'data');
  const { browser, close, log } = await launch({
    env: { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: tempDir(), LYREBIRD_NO_DEMO: '1' },
  });
  try {
    const notice = await until('a notice about the taken key', async () => {
      for (const toast of await browser.$$('[data-testid="notice"]')) {
        if ((await toast.getAttribute('data-kind')) === 'shortcutUnavailable') return toast;
      }
      return null;
    });
    assert.match(await notice.getProperty('innerText'), /Ctrl\+Alt\+P/);

    const rows = await libraryRowsWhen(browser, 2);
    await rows.find((r) => r.title === 'Key A').element.doubleClick();
    await until('Key A playing', async () => (await nowPlaying(browser)).status === 'playing');
    // Focus elsewhere: the keys go to the root window's grab, not to the web view.
    execFileSync('xdotool', ['key', '--clearmodifiers', 'ctrl+alt+Right']);
    await until('next by shortcut', async () => (await nowPlaying(browser)).title === 'Key B');
    const volumeBefore = Number(await browser.execute(() => document.querySelector('[data-testid="np-volume"]').value));
    execFileSync('xdotool', ['key', '--clearmodifiers', 'ctrl+alt+Down']);
    await until('volume down by shortcut', async () => {
      const now = Number(await browser.execute(() => document.querySelector('[data-testid="np-volume"]').value));
      return Math.abs(now - (volumeBefore - 0.05)) < 0.001;
    });

    // Give play/pause another key in Settings: it works at once.
    holder.kill();
    await (await browser.$('[data-testid="nav-settings"]')).click();
    const field = await browser.$('[data-testid="settings-shortcut-playPause"]');
    await field.click();
    await browser.keys(['Control', 'Shift', 'k']);
    await browser.keys(['Control', 'Shift']); // release
    await until('the new shortcut shown', async () => (await field.getProperty('innerText')).includes('Ctrl+Shift+K'));
    execFileSync('xdotool', ['key', '--clearmodifiers', 'ctrl+shift+k']);
    await until('paused by the new shortcut', async () => (await nowPlaying(browser)).status === 'paused');
  } catch (error) {
    error.message += `\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    holder.kill();
    await close();
  }
});

/** X windows with exactly this title that are shown. */
function shownWindowsTitled(title) {
  try {
    return execFileSync('xdotool', ['search', '--onlyvisible', '--name', `^${title}$`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** Switch WebDriver to the window whose page has `selector`; returns the main window's handle. */
async function switchToWindowWith(browser, selector) {
  const main = await browser.getWindowHandle();
  await until(`a window with ${selector}`, async () => {
    for (const handle of await browser.getWindowHandles()) {
      await browser.switchToWindow(handle);
      if (await (await browser.$(selector)).isExisting()) return true;
    }
    await browser.switchToWindow(main);
    return false;
  });
  return main;
}

test('the mini player and the desktop lyrics follow the player, and the mini player drives it', async () => {
  const music = tempDir('lyrebird-mini-');
  makeTone(join(music, 'sung.flac'), { freq: 440, seconds: 30, title: 'Sung', artist: 'Mini' });
  writeFileSync(join(music, 'sung.lrc'), '[00:00.00]first line\n[00:01.50]second line\n[00:25.00]last line\n');
  const { browser, close, log } = await launch({
    env: { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: tempDir(), LYREBIRD_NO_DEMO: '1' },
  });
  try {
    const [row] = await libraryRowsWhen(browser, 1);
    await row.element.doubleClick();
    await until('playing', async () => (await nowPlaying(browser)).status === 'playing');
    await (await browser.$('[data-testid="nav-settings"]')).click();

    await (await browser.$('[data-testid="settings-open-mini"]')).click();
    await until('the mini player window', () => shownWindowsTitled('Lyrebird mini player').length === 1);
    const main = await switchToWindowWith(browser, '[data-testid="mini-player"]');
    await until('the mini player shows the track', async () =>
      (await (await browser.$('[data-testid="mini-title"]')).getProperty('innerText')) === 'Sung');
    await (await browser.$('[data-testid="mini-toggle"]')).click();
    await until('paused from the mini player', async () =>
      (await (await browser.$('[data-testid="mini-player"]')).getAttribute('data-status')) === 'paused');
    try {
      await (await browser.$('[data-testid="mini-close"]')).click();
    } catch (error) {
      // The window may be gone before the click's answer: that is what the click asked for.
      if (!/no such window/i.test(String(error))) throw error;
    }
    await until('the mini player gone', () => shownWindowsTitled('Lyrebird mini player').length === 0);
    await browser.switchToWindow(main);
    assert.equal((await nowPlaying(browser)).status, 'paused');

    await (await browser.$('[data-testid="np-toggle"]')).click();
    await until('past 2 s', async () => (await nowPlaying(browser)).positionMs > 2000);
    await (await browser.$('[data-testid="settings-show-lyrics"]')).click();
    await until('the desktop lyrics window', () => shownWindowsTitled('Lyrebird lyrics').length === 1);
    await switchToWindowWith(browser, '[data-testid="desktop-lyrics"]');
    await until('the current line', async () =>
      (await (await browser.$('[data-testid="desktop-lyrics-current"]')).getProperty('innerText')) === 'second line');
    assert.equal(await (await browser.$('[data-testid="desktop-lyrics-next"]')).getProperty('innerText'), 'last line');
    await browser.switchToWindow(main);
    await (await browser.$('[data-testid="settings-hide-lyrics"]')).click();
    await until('the desktop lyrics gone', () => shownWindowsTitled('Lyrebird lyrics').length === 0);
  } catch (error) {
    error.message += `\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    await close();
  }
});

test('with notifications on, each new track is announced once on the bus, with its cover', async () => {
  const music = tempDir('lyrebird-notify-');
  const demo = resolve(import.meta.dirname, '../../src-tauri/resources/demo');
  for (const name of ['01-a4.flac', '02-c-sharp5.mp3']) copyFileSync(join(demo, name), join(music, name));
  const config = tempDir();
  writeFileSync(join(config, 'settings.json'), JSON.stringify({ desktop: { notifyTrackChange: true } }));
  // Watch the session bus for calls to the notification service (as a notification daemon
  // would receive them).
  const monitor = spawn('dbus-monitor', ['--session', "type='method_call',interface='org.freedesktop.Notifications',member='Notify'"], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let seen = '';
  monitor.stdout.on('data', (d) => (seen += d.toString()));
  const { browser, close, log } = await launch({
    env: { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: config, LYREBIRD_NO_DEMO: '1' },
  });
  try {
    const rows = await libraryRowsWhen(browser, 2);
    await rows.find((r) => r.title.includes('A4')).element.doubleClick();
    await until('a notification for the first track', () => /member=Notify/.test(seen) && seen.includes('440 Hz'));
    const first = seen.slice(seen.indexOf('member=Notify'));
    assert.match(first, /covers\//, `the embedded cover is passed as the icon:\n${first}`);
    await sleep(1500); // position and status changes announce nothing more
    assert.equal(seen.match(/member=Notify/g).length, 1, 'one notification per track');
    await (await browser.$('[data-testid="np-next"]')).click();
    await until('a notification for the next track', () => (seen.match(/member=Notify/g) ?? []).length === 2);
    const second = seen.slice(seen.lastIndexOf('member=Notify'));
    assert.ok(second.includes('554 Hz'), `the second names the second track:\n${second}`);
  } catch (error) {
    error.message += `\n--- bus ---\n${seen}\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    monitor.kill();
    await close();
  }
});
