// Real time, real device (the PulseAudio null sink): pause and resume continue exactly where
// playback stopped, and a seek lands where it was asked to; and with the window closed to the
// tray, over MPRIS, the same at once, with nothing skipped as the window goes. The track is a
// chirp whose pitch rises 40 Hz per second, so the pitch recorded tells the position in it.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import { launch, libraryRowsWhen, nowPlaying, tempDir, until } from './lib/app.mjs';
import { RATE, dominantFrequency, makeChirp, record, soundRuns } from './lib/audio.mjs';

const FROM_HZ = 200;
const SLOPE = 40; // Hz per second of track time

const run = promisify(execFile);
/** `playerctl -p lyrebird ARGS...`, its output trimmed. */
const playerctl = async (...args) =>
  (await run('playerctl', ['-p', 'lyrebird', ...args], { timeout: 5000 })).stdout.trim();

/** Track time (s) at the middle of a 100 ms window starting `at` samples into `samples`. */
function trackTimeAt(samples, at) {
  const window = samples.subarray(at, at + Math.round(0.1 * RATE));
  return (dominantFrequency(window) - FROM_HZ) / SLOPE;
}

/**
 * The two runs of sound either side of a pause, checked to join where the sound stopped
 * (within the resolution of a pitch measurement, ~0.1 s).
 */
function aroundPause(samples) {
  const runs = soundRuns(samples, { gapSeconds: 0.6 });
  assert.equal(runs.length, 2, `sound, the pause, sound: ${JSON.stringify(runs)}`);
  const [before, after] = runs;
  const stoppedAt = trackTimeAt(samples, before[1] - Math.round(0.1 * RATE)) + 0.05;
  const resumedAt = trackTimeAt(samples, after[0]) - 0.05;
  assert.ok(
    Math.abs(resumedAt - stoppedAt) < 0.12,
    `stopped at ${stoppedAt.toFixed(3)} s of the track, resumed at ${resumedAt.toFixed(3)} s`,
  );
  return { before, after, stoppedAt, resumedAt, silence: (after[0] - before[1]) / RATE };
}

/** The seek within `run`: the sample where the pitch jumps, and the track time it landed at. */
function seekIn(samples, run) {
  const step = Math.round(0.05 * RATE);
  const times = [];
  for (let at = run[0]; at + 2 * step < run[1]; at += step) times.push([at, trackTimeAt(samples, at)]);
  const jump = times.findIndex(([, t], i) => i > 0 && t - times[i - 1][1] > 1);
  assert.ok(jump > 0, `a jump in the pitch: ${JSON.stringify(times.map(([, t]) => t.toFixed(2)))}`);
  // The seek happened somewhere in the window where the jump shows (±50 ms around its middle);
  // two windows on, the sound is clean. Track time there, less the time since the seek, is
  // where the seek landed.
  const [at, landed] = times[jump + 2];
  return { jumpAt: times[jump][0], landedAt: landed - (at - times[jump][0]) / RATE };
}

test('pause and resume pick up where playback stopped, and a seek lands where asked', async () => {
  const music = tempDir('lyrebird-realtime-');
  makeChirp(join(music, 'chirp.flac'), { seconds: 10, title: 'Chirp' });
  const recording = record(join(tempDir(), 'realtime.wav'));
  const { browser, close, log } = await launch({
    env: { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: tempDir(), LYREBIRD_NO_DEMO: '1' },
  });
  let pausedAtMs;
  try {
    const [row] = await libraryRowsWhen(browser, 1);
    await row.element.doubleClick();
    await until('2 s played', async () => (await nowPlaying(browser)).positionMs > 2000, 20_000);

    const toggle = await browser.$('[data-testid="np-toggle"]');
    await toggle.click();
    await until('paused', async () => (await nowPlaying(browser)).status === 'paused');
    pausedAtMs = (await nowPlaying(browser)).positionMs;
    await sleep(1200);
    await toggle.click();
    await until('playing again', async () => (await nowPlaying(browser)).status === 'playing');
    await until('1 s more played', async () => (await nowPlaying(browser)).positionMs > pausedAtMs + 1000);

    // Seek the way the slider does when released at 7 s.
    await browser.execute(() => {
      const slider = document.querySelector('[data-testid="np-seek"]');
      slider.value = '7000';
      slider.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await until('past 8 s', async () => (await nowPlaying(browser)).positionMs > 8000);
    await sleep(300);
  } catch (error) {
    error.message += `\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    await close();
  }
  const samples = await recording.stop();
  // The pause: the silence lasted about as long as the pause, and the sound after it goes on
  // from the very point it stopped.
  const { after, stoppedAt, resumedAt, silence } = aroundPause(samples);
  assert.ok(silence > 0.9 && silence < 2.0, `silence of ${silence.toFixed(2)} s for a 1.2 s pause`);
  assert.ok(
    Math.abs(stoppedAt - pausedAtMs / 1000) < 0.35,
    `the UI said ${pausedAtMs} ms, the sound stopped at ${stoppedAt.toFixed(3)} s`,
  );

  // The seek: within the second run the pitch jumps once, to 7 s of the track.
  const { landedAt: seekedTo } = seekIn(samples, after);
  console.log(
    `# pause ${silence.toFixed(2)} s; stopped at ${stoppedAt.toFixed(3)} s, resumed at ${resumedAt.toFixed(3)} s` +
      ` (UI: ${pausedAtMs} ms); seek landed at ${seekedTo.toFixed(3)} s`,
  );
  assert.ok(Math.abs(seekedTo - 7) < 0.15, `seeked to ${seekedTo.toFixed(3)} s, asked for 7 s`);
});

test('from the tray, closing the window skips nothing, and MPRIS pause and seek act at once', async () => {
  const music = tempDir('lyrebird-tray-realtime-');
  makeChirp(join(music, 'chirp.flac'), { seconds: 20, title: 'Chirp' });
  const recording = record(join(tempDir(), 'tray-realtime.wav'));
  const { browser, close, log } = await launch({
    env: { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: tempDir(), LYREBIRD_NO_DEMO: '1' },
  });
  const text = () => log.join('').replace(/\x1b\[[0-9;]*m/g, '');
  let pauseWall;
  let seekAfterResume;
  try {
    const [row] = await libraryRowsWhen(browser, 1);
    await row.element.doubleClick();
    await until('2 s played', async () => (await nowPlaying(browser)).positionMs > 2000, 20_000);
    execFileSync(resolve(import.meta.dirname, '../support/close-window.py'), ['Lyrebird']);
    // With no window the audio thread wakes and reports less often; the sound must not notice.
    await until('the trim logged', () => text().includes('memory given back with no window open'));
    await sleep(1000);
    const pausedAt = Date.now();
    await playerctl('pause');
    await sleep(1200);
    const resumedAt = Date.now();
    await playerctl('play');
    pauseWall = (resumedAt - pausedAt) / 1000;
    await sleep(1500);
    seekAfterResume = (Date.now() - resumedAt) / 1000;
    await playerctl('position', '14');
    await sleep(1500);
  } catch (error) {
    error.message += `\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    await close();
  }
  const samples = await recording.stop();
  const { before, after, stoppedAt, resumedAt, silence } = aroundPause(samples);

  // Closing the window: the track's time follows the clock through the first run, with no
  // skip or repeat (a lost or repeated device buffer would be 0.1 s or more).
  const step = Math.round(0.05 * RATE);
  const drift = [];
  for (let at = before[0] + step; at + 3 * step < before[1]; at += step) {
    drift.push(trackTimeAt(samples, at) - (at - before[0]) / RATE);
  }
  const sorted = (xs) => [...xs].sort((a, b) => a - b);
  const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
  const third = Math.floor(drift.length / 3);
  const early = median(drift.slice(0, third));
  const late = median(drift.slice(-third));
  assert.ok(Math.abs(late - early) < 0.08, `track time against the clock: ${early.toFixed(3)} s, then ${late.toFixed(3)} s`);

  // The pause stopped the device at once: the silence is as long as the pause (a device
  // playing out its buffer would shorten it by up to 0.19 s).
  assert.ok(silence > pauseWall - 0.2 && silence < pauseWall + 0.6, `silence ${silence.toFixed(2)} s for a ${pauseWall.toFixed(2)} s pause`);

  // The seek: the pitch jumps to 14 s about as long after the resume as the command came.
  const { jumpAt, landedAt: seekedTo } = seekIn(samples, after);
  const heardAfter = (jumpAt - after[0]) / RATE;
  assert.ok(
    heardAfter > seekAfterResume - 0.15 && heardAfter < seekAfterResume + 0.35,
    `the seek heard ${heardAfter.toFixed(2)} s after the resume, sent ${seekAfterResume.toFixed(2)} s after it`,
  );
  console.log(
    `# tray: drift ${early.toFixed(3)} -> ${late.toFixed(3)} s; silence ${silence.toFixed(2)} s for ${pauseWall.toFixed(2)} s;` +
      ` stopped at ${stoppedAt.toFixed(3)} s, resumed at ${resumedAt.toFixed(3)} s; seek heard after ${heardAfter.toFixed(2)} s (sent ${seekAfterResume.toFixed(2)} s), landed at ${seekedTo.toFixed(3)} s`,
  );
  assert.ok(Math.abs(seekedTo - 14) < 0.2, `seeked to ${seekedTo.toFixed(3)} s, asked for 14 s`);
});
