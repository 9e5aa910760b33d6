// Files and folders dropped onto the main window are queued and played: a real XDND drop
// (tests/support/xdnd-drop.py speaks the protocol as a file manager does) onto the window under
// Xvfb, handled by the Rust side; the tone heard is the first dropped file's.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { launch, nowPlaying, tempDir, text, until } from './lib/app.mjs';
import { dominantFrequency, longestSound, makeTone, record, RATE } from './lib/audio.mjs';

const run = promisify(execFile);
const xdndDrop = resolve(import.meta.dirname, '../support/xdnd-drop.py');

test('a file and a folder dropped onto the window are queued and the first one plays', async () => {
  const dropped = tempDir('lyrebird-drop-');
  const single = makeTone(join(dropped, 'single 晴天.flac'), { freq: 523, seconds: 20, title: 'Dropped Single' });
  const folder = join(dropped, 'folder');
  mkdirSync(folder);
  makeTone(join(folder, '1.flac'), { freq: 330, seconds: 5, title: 'Folder One' });
  makeTone(join(folder, '2.flac'), { freq: 660, seconds: 5, title: 'Folder Two' });
  const { browser, close, log } = await launch({
    env: { LYREBIRD_LIBRARY_DIRS: tempDir('lyrebird-empty-'), LYREBIRD_CONFIG_DIR: tempDir(), LYREBIRD_NO_DEMO: '1' },
  });
  let recording = null;
  try {
    await until('the empty library', () => browser.$('[data-testid="library-empty"]').isExisting());
    recording = record(join(tempDir(), 'drop.wav'));
    await run(xdndDrop, ['Lyrebird', single, folder], { timeout: 20_000 });
    await until('the dropped file playing for 2 s', async () => {
      const np = await nowPlaying(browser);
      return np.status === 'playing' && np.title === 'Dropped Single' && np.positionMs > 2000;
    });
    const queued = await text(await browser.$('[data-testid="nav-queue-count"]'));
    assert.equal(queued, '3', 'the file and the folder’s two tracks are queued');
    const samples = longestSound(await recording.stop());
    recording = null;
    assert.ok(samples.length > RATE, `over a second of sound (${samples.length} samples)`);
    const heard = dominantFrequency(samples);
    assert.ok(Math.abs(heard - 523) < 10, `the dropped file (523 Hz) heard, not ${heard.toFixed(1)} Hz`);
  } catch (error) {
    error.message += `\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    if (recording) await recording.stop();
    await close();
  }
});
