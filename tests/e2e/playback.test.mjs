// End to end: the real app under Xvfb, driven over WebDriver, heard through a PulseAudio null
// sink. Run inside tests/support/desktop-session.sh (the suite's runner does that).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { launch, libraryRowsWhen, nowPlaying, tempDir, text, until } from './lib/app.mjs';
import { dominantFrequency, largestStep, longestSound, makeSinePart, makeTone, powerAt, record } from './lib/audio.mjs';

const ALPHA_HZ = 330;
const BETA_HZ = 523.25;
const HOSTILE = '<img src=x onerror="document.title=\'pwned\'">';

/** A library folder with two tones, a hostile title and a corrupt file. */
function makeLibrary() {
  const music = tempDir('lyrebird-music-');
  makeTone(join(music, '1 Alpha.flac'), { freq: ALPHA_HZ, title: 'Alpha' });
  makeTone(join(music, '2 Beta.mp3'), { freq: BETA_HZ, title: 'Beta', artist: '周杰伦' });
  makeTone(join(music, '3 hostile.ogg'), { freq: 440, seconds: 3, title: HOSTILE });
  writeFileSync(join(music, '0 corrupt.flac'), Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(4000, 7)]));
  return music;
}

/** Assert that the audible part of `samples` is a tone of `freq` Hz lasting at least `seconds`. */
function assertHeard(samples, freq, seconds, others = []) {
  const tone = longestSound(samples);
  assert.ok(tone.length / 44_100 >= seconds, `heard only ${(tone.length / 44_100).toFixed(2)} s of audio in one piece`);
  const measured = dominantFrequency(tone);
  assert.ok(Math.abs(measured - freq) < freq * 0.01, `expected ${freq} Hz, heard ${measured.toFixed(1)} Hz`);
  for (const other of others) {
    assert.ok(powerAt(tone, freq) > 100 * powerAt(tone, other), `${other} Hz is audible too`);
  }
}

describe('playing from the library', () => {
  let music;
  let config;
  before(() => {
    music = makeLibrary();
    config = tempDir('lyrebird-config-');
  });

  test('click a track: the UI shows it playing, the position advances, and its tone is heard', async () => {
    const recording = record(join(tempDir(), 'beta.wav'));
    const { browser, close, log } = await launch({
      env: { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: config, LYREBIRD_NO_DEMO: '1' },
    });
    try {
      const rows = await libraryRowsWhen(browser, 4);
      const beta = rows.find((r) => r.title === 'Beta');
      await beta.element.doubleClick();

      const playing = await until('Beta playing', async () => {
        const np = await nowPlaying(browser);
        // PulseAudio holds a new stream for up to ~2 s before it starts draining it; measure
        // the pace once audio is flowing.
        return np.status === 'playing' && np.trackId === beta.id && np.positionMs > 500 && np;
      });
      assert.equal(playing.title, 'Beta');
      assert.equal(await text(await browser.$('[data-testid="np-artist"]')), '周杰伦');
      assert.equal(await beta.element.getAttribute('data-playing'), 'true');
      // Nothing on screen animates for as long as it plays: WebKitGTK repaints the whole
      // window for every frame (bouncing "now playing" bars cost 1.3 cores).
      const endless = await browser.execute(() =>
        document
          .getAnimations()
          .filter((a) => a.effect?.getComputedTiming().iterations === Infinity)
          .map((a) => `${a.animationName ?? a.id} on ${a.effect?.target?.className}`),
      );
      assert.deepEqual(endless, [], 'endless animations while playing');

      // The position advances in real time while playing.
      const start = Date.now();
      await sleep(1500);
      const later = await nowPlaying(browser);
      const advanced = later.positionMs - playing.positionMs;
      const wall = Date.now() - start;
      assert.ok(advanced > wall * 0.5 && advanced < wall * 1.5 + 500, `advanced ${advanced} ms in ${wall} ms`);

      // Pause stops it.
      await (await browser.$('[data-testid="np-toggle"]')).click();
      await until('paused', async () => (await nowPlaying(browser)).status === 'paused');
      await sleep(300);
      const paused = (await nowPlaying(browser)).positionMs;
      await sleep(800);
      assert.equal((await nowPlaying(browser)).positionMs, paused, 'position frozen while paused');
    } catch (error) {
      error.message += `\n--- app log ---\n${log.join('')}`;
      throw error;
    } finally {
      await close();
    }
    assertHeard(await recording.stop(), BETA_HZ, 1.5, [ALPHA_HZ]);
  });

  test('a corrupt file is reported and playback moves on to the next track', async () => {
    const { browser, close } = await launch({
      env: { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: config, LYREBIRD_NO_DEMO: '1' },
    });
    try {
      const rows = await libraryRowsWhen(browser, 4);
      const corrupt = rows.find((r) => r.title === '0 corrupt');
      const alpha = rows.find((r) => r.title === 'Alpha');
      await corrupt.element.doubleClick();
      const notice = await until('a notice', async () => {
        const el = await browser.$('[data-testid="notice"]');
        return (await el.isExisting()) && (await text(el));
      });
      assert.match(notice, /Cannot play 0 corrupt/);
      await until('Alpha playing', async () => {
        const np = await nowPlaying(browser);
        return np.status === 'playing' && np.trackId === alpha.id;
      });
    } finally {
      await close();
    }
  });

  test('hostile titles are shown as text, never run', async () => {
    const { browser, close } = await launch({
      env: { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: config, LYREBIRD_NO_DEMO: '1' },
    });
    try {
      const rows = await libraryRowsWhen(browser, 4);
      const hostile = rows.find((r) => r.title === HOSTILE);
      assert.ok(hostile, `a row titled with the literal markup: ${rows.map((r) => r.title)}`);
      assert.equal(await (await hostile.element.$$('img')).length, 0);
      await hostile.element.doubleClick();
      await until('hostile track playing', async () => (await nowPlaying(browser)).title === HOSTILE);
      assert.notEqual(await browser.getTitle(), 'pwned');
    } finally {
      await close();
    }
  });
});

test('first launch with no configuration lists and plays the bundled demo', async () => {
  const home = tempDir('lyrebird-home-');
  mkdirSync(join(home, 'Music'));
  const recording = record(join(tempDir(), 'demo.wav'));
  const { browser, close } = await launch({
    env: {
      HOME: home,
      XDG_CONFIG_HOME: undefined,
      LYREBIRD_CONFIG_DIR: undefined,
      LYREBIRD_LIBRARY_DIRS: undefined,
      LYREBIRD_NO_DEMO: undefined,
    },
  });
  try {
    const rows = await libraryRowsWhen(browser, 3);
    assert.equal(rows[0].title, 'Demo tone A4 (440 Hz)');
    // Play with an empty queue plays the library from the top.
    await (await browser.$('[data-testid="np-toggle"]')).click();
    await until('demo playing', async () => {
      const np = await nowPlaying(browser);
      return np.status === 'playing' && np.trackId === rows[0].id && np.positionMs > 2500;
    });
    // The embedded cover came through the cover protocol under the CSP.
    const coverWidth = await browser.execute(() => {
      const img = document.querySelector('[data-testid="np-cover"]');
      return img instanceof HTMLImageElement ? img.naturalWidth : 0;
    });
    assert.equal(coverWidth, 256);
  } finally {
    await close();
  }
  assertHeard(await recording.stop(), 440, 1.5, [554.37, 659.26]);
});

test('a path on the command line is queued and played at once', async () => {
  const music = tempDir('lyrebird-cli-');
  const file = makeTone(join(music, 'cli.ogg'), { freq: 392, title: 'From the command line' });
  const recording = record(join(tempDir(), 'cli.wav'));
  const { browser, close } = await launch({
    env: { LYREBIRD_LIBRARY_DIRS: tempDir(), LYREBIRD_CONFIG_DIR: tempDir(), LYREBIRD_NO_DEMO: '1' },
    args: [file],
  });
  try {
    await until('the file playing', async () => {
      const np = await nowPlaying(browser);
      // Well past the 1 s checked below: the recorder may miss the start, the buffers the end.
      return np.status === 'playing' && np.title === 'From the command line' && np.positionMs > 2000;
    });
  } finally {
    await close();
  }
  assertHeard(await recording.stop(), 392, 1);
});

test('without an audio device the app says so, stays up, and retries on request', async () => {
  const alsa = join(tempDir(), 'asound.conf');
  writeFileSync(alsa, 'pcm.!default { type hw card 29 }\nctl.!default { type hw card 29 }\n');
  const { browser, close } = await launch({
    env: {
      LYREBIRD_CONFIG_DIR: tempDir(),
      LYREBIRD_LIBRARY_DIRS: tempDir(),
      PULSE_SERVER: undefined,
      ALSA_CONFIG_PATH: alsa,
    },
  });
  try {
    await libraryRowsWhen(browser, 3);
    await (await browser.$('[data-testid="np-toggle"]')).click();
    const banner = await until('the device banner', async () => {
      const el = await browser.$('[data-testid="device-banner"]');
      return (await el.isExisting()) && el;
    });
    assert.match(await text(banner), /audio output device/i);
    await (await browser.$('[data-testid="device-retry"]')).click();
    await sleep(500);
    // Still no device: still said, and the UI still works.
    assert.ok(await (await browser.$('[data-testid="device-banner"]')).isExisting());
    await (await browser.$('[data-testid="nav-settings"]')).click();
    await until('settings view', async () => (await browser.$('[data-testid="settings-locale"]')).isExisting());
  } finally {
    await close();
  }
});

test('the language setting applies at once and survives a restart', async () => {
  const config = tempDir('lyrebird-config-');
  const env = { LYREBIRD_CONFIG_DIR: config, LYREBIRD_LIBRARY_DIRS: tempDir(), LC_ALL: 'en_US.UTF-8', LANG: 'en_US.UTF-8' };
  let first = await launch({ env });
  try {
    const nav = await first.browser.$('[data-testid="nav-library"]');
    await until('English nav', async () => /Library/.test(await text(nav)));
    await (await first.browser.$('[data-testid="nav-settings"]')).click();
    const select = await first.browser.$('[data-testid="settings-locale"]');
    await select.selectByAttribute('value', 'zh-CN');
    await until('Chinese nav', async () => /音乐库/.test(await text(nav)));
    await sleep(1000); // settings are written within 0.5 s of a change
  } finally {
    await first.close();
  }
  const second = await launch({ env });
  try {
    const nav = await second.browser.$('[data-testid="nav-library"]');
    await until('Chinese nav after restart', async () => /音乐库/.test(await text(nav)));
  } finally {
    await second.close();
  }
});

after(() => {});

test('the queue, track and position survive a restart', async () => {
  const music = tempDir('lyrebird-music-');
  makeTone(join(music, '1 First.flac'), { freq: 330, title: 'First' });
  makeTone(join(music, '2 Second.flac'), { freq: 523.25, title: 'Second' });
  const env = { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: tempDir('lyrebird-config-'), LYREBIRD_NO_DEMO: '1' };
  const first = await launch({ env });
  let id;
  let seen;
  try {
    const rows = await libraryRowsWhen(first.browser, 2);
    id = rows[1].id;
    await rows[1].element.doubleClick();
    await until('Second playing', async () => {
      const np = await nowPlaying(first.browser);
      return np.status === 'playing' && np.trackId === id && np.positionMs > 500;
    });
    // Seek to 7 s through the command layer, then pause.
    await first.browser.execute(() => window.__TAURI_INTERNALS__.invoke('seek', { positionMs: 7000 }));
    await (await first.browser.$('[data-testid="np-toggle"]')).click();
    await until('paused near 7 s', async () => {
      seen = await nowPlaying(first.browser);
      return seen.status === 'paused' && seen.positionMs >= 7000 && seen.positionMs < 8000;
    });
    await sleep(1500); // the session file is written within a second of a change
  } catch (error) {
    error.message += `\n--- last state: ${JSON.stringify(seen)}\n--- app log ---\n${first.log.join('')}`;
    throw error;
  } finally {
    await first.close();
  }
  const second = await launch({ env });
  try {
    const np = await until('the same track, paused, where it was', async () => {
      const state = await nowPlaying(second.browser);
      return state.trackId === id && state.status === 'paused' && state;
    });
    assert.ok(np.positionMs >= 7000 && np.positionMs < 8000, `position ${np.positionMs}`);
    assert.equal(np.title, 'Second');
    await (await second.browser.$('[data-testid="nav-queue"]')).click();
    const entries = await until('two queue rows', async () => {
      const rows = await second.browser.$$('[data-testid="queue-row"]');
      return rows.length === 2 && rows;
    });
    assert.equal(await entries[1].getAttribute('data-current'), 'true');
  } finally {
    await second.close();
  }
});

test('a pause right after a seek stops where the seek landed, every time', async () => {
  const music = tempDir('lyrebird-music-');
  makeTone(join(music, 'Tone.flac'), { freq: ALPHA_HZ, seconds: 30, title: 'Tone' });
  const env = { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: tempDir('lyrebird-config-'), LYREBIRD_NO_DEMO: '1' };
  const { browser, close, log } = await launch({ env });
  try {
    const rows = await libraryRowsWhen(browser, 1);
    await rows[0].element.doubleClick();
    await until('playing', async () => (await nowPlaying(browser)).positionMs > 300);
    const wrong = [];
    for (let round = 0; round < 20; round += 1) {
      const target = 2000 + round * 1300;
      // Seek, then pause as soon as the seek is taken, as a listener who scrubs and stops
      // does. The output is refilling its buffer from the new place meanwhile.
      await browser.execute((positionMs) => {
        const { invoke } = window.__TAURI_INTERNALS__;
        return invoke('seek', { positionMs }).then(() => invoke('pause'));
      }, target);
      await until(`paused after the seek to ${target} ms`, async () => (await nowPlaying(browser)).status === 'paused');
      await sleep(400); // a late position report would have arrived
      const { positionMs } = await nowPlaying(browser);
      if (positionMs < target || positionMs > target + 500) wrong.push(`sought ${target} ms, paused at ${positionMs} ms`);
      await browser.execute(() => window.__TAURI_INTERNALS__.invoke('play'));
      // Varied, so the next seek meets the output at another point of its refill.
      await sleep(150 + (round % 4) * 70);
    }
    assert.deepEqual(wrong, []);
  } catch (error) {
    error.message += `\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    await close();
  }
});

test('two halves of one sine play back as one, in real time, with no gap or click', async () => {
  const music = tempDir('lyrebird-gapless-');
  const split = 110_250 - 1_111; // an odd sample, mid-period
  makeSinePart(join(music, '1.flac'), { freq: 440, seconds: 5, from: 0, to: split, title: 'Half one' });
  makeSinePart(join(music, '2.flac'), { freq: 440, seconds: 5, from: split, to: 220_500, title: 'Half two' });
  const recording = record(join(tempDir(), 'gapless.wav'));
  const { browser, close } = await launch({
    env: { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: tempDir(), LYREBIRD_NO_DEMO: '1' },
  });
  try {
    const rows = await libraryRowsWhen(browser, 2);
    await rows[0].element.doubleClick();
    await until(
      'both halves played to the end of the queue',
      async () => {
        const np = await nowPlaying(browser);
        return np.trackId === rows[1].id && np.status === 'stopped';
      },
      20_000,
    );
    // "Ended" comes when the last samples are in the device's buffers; let them play out.
    await sleep(1500);
  } finally {
    await close();
  }
  const tone = longestSound(await recording.stop());
  // Both halves in one unbroken sound. The joint is 2.475 s in; without the gapless hand-over
  // the longest unbroken sound is one half (2.53 s at most). The recorder can miss the first
  // ~0.1 s (the monitor starts when the sink wakes), so the bound is not the full 5 s.
  const seconds = tone.length / 44_100;
  assert.ok(seconds > 4.5 && seconds < 5.1, `longest unbroken sound ${seconds.toFixed(3)} s`);
  // A 440 Hz sine at 0.5 moves at most 0.031 per sample; a gap or a click jumps far more.
  const { step, at } = largestStep(tone);
  assert.ok(step < 0.06, `a step of ${step.toFixed(3)} at ${at.toFixed(3)} s`);
  assert.ok(Math.abs(dominantFrequency(tone) - 440) < 4.4);
});
