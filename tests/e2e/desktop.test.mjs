// The desktop around the window: MPRIS driven by a real D-Bus client (playerctl), closing the
// window to the tray (the web view is destroyed, the music goes on, the window comes back
// where it was), and a second launch handing its file to the running app.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import { appBinary, launch, libraryRowsWhen, nowPlaying, tempDir, until } from './lib/app.mjs';
import { RATE, dominantFrequency, makeTone, record, soundRuns } from './lib/audio.mjs';

const run = promisify(execFile);
const closeWindow = resolve(import.meta.dirname, '../support/close-window.py');

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

/** The web processes running under this test's app (WebKit renders each web view in one). */
function webProcesses() {
  try {
    return execFileSync('pgrep', ['-f', 'WebKitWebProcess'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

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
    // Still playing, from the tray.
    const position = Number(await until('MPRIS position', () => playerctl('position')));
    await sleep(1500);
    assert.equal(await playerctl('status'), 'Playing');
    assert.ok(Number(await playerctl('position')) > position + 1, 'the position moves on');

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
    assert.ok(now.positionMs > (Date.now() - closedAt) - 1000, `position ${now.positionMs} ms went on while closed`);
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
    error.message += `\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    await close();
  }
});
