// Library folders through the UI, from an empty start: the library's folders come from the
// settings (no LYREBIRD_LIBRARY_DIRS; HOME is a temporary directory whose music folder is
// empty). Add a folder of ~300 generated files by typing its path in Settings → Library
// folders, watch the scan's progress appear and end, read the scan problems (a corrupt file,
// an empty one, an unreadable one), find CJK and right-to-left titles, play an album (disc 1
// track 1 first: heard, not only shown), browse it in Folders and queue a folder whole, then
// remove the folder and see the library empty.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { launch, libraryRows, nowPlaying, tempDir, text, until } from './lib/app.mjs';
import { RATE, dominantFrequency, longestSound, makeTone, record } from './lib/audio.mjs';

/** The album that is played: two discs, file names in another order than disc and track. */
const ALBUM = 'Two Discs';
const ALBUM_TRACKS = [
  { file: 'c.flac', disc: 1, track: 1, title: '晴天', freq: 330, seconds: 12 },
  { file: 'e.flac', disc: 1, track: 2, title: 'Second', freq: 440, seconds: 4 },
  { file: 'a.flac', disc: 1, track: 3, title: 'Third', freq: 550, seconds: 4 },
  { file: 'b.flac', disc: 2, track: 1, title: 'Disc Two Opener', freq: 660, seconds: 4 },
  { file: 'd.flac', disc: 2, track: 2, title: 'Disc Two Closer', freq: 770, seconds: 4 },
];
const ARABIC = 'مرحبا بالعالم';
const HEBREW = 'שלום עולם';
const FILLER_ALBUMS = 8;
const FILLER_PER_ALBUM = 36;

/** `ffmpeg -metadata` arguments for a map of tags. */
function metadata(tags) {
  return Object.entries(tags).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
}

/**
 * Write the music folder; returns how many files it holds. The filler albums are copies of
 * one short tone, each with its own tags, written by a single ffmpeg run (one output each).
 */
function makeLibrary(music) {
  const album = join(music, ALBUM);
  mkdirSync(album);
  for (const t of ALBUM_TRACKS) {
    const src = `aevalsrc=0.5*sin(2*PI*${t.freq}*t)|0.5*sin(2*PI*${t.freq}*t):s=${RATE}:d=${t.seconds}`;
    execFileSync('ffmpeg', [
      '-y', '-v', 'error', '-f', 'lavfi', '-i', src,
      ...metadata({ title: t.title, artist: 'Disc Band', album_artist: 'Disc Band', album: ALBUM, track: t.track, disc: t.disc }),
      join(album, t.file),
    ]);
  }
  let count = ALBUM_TRACKS.length;

  const rtl = join(music, 'rtl');
  mkdirSync(rtl);
  makeTone(join(rtl, 'ar.flac'), { freq: 880, seconds: 1, title: ARABIC, artist: 'فرقة', album: 'عربي' });
  makeTone(join(rtl, 'he.ogg'), { freq: 990, seconds: 1, title: HEBREW, artist: 'להקה', album: 'עברית' });
  count += 2;

  const seed = join(tempDir('lyrebird-seed-'), 'seed.flac');
  makeTone(seed, { freq: 220, seconds: 1, title: 'seed' });
  const outputs = [];
  for (let a = 1; a <= FILLER_ALBUMS; a++) {
    const dir = join(music, `filler-${a}`);
    mkdirSync(dir);
    for (let n = 1; n <= FILLER_PER_ALBUM; n++) {
      outputs.push(
        '-map', '0', '-c', 'copy',
        ...metadata({ title: `Filler ${a}.${n}`, artist: `Filler Artist ${a}`, album: `Filler Album ${a}`, track: n, disc: 1 + (n % 2) }),
        join(dir, `${String(n).padStart(2, '0')}.flac`),
      );
      count += 1;
    }
  }
  execFileSync('ffmpeg', ['-y', '-v', 'error', '-i', seed, ...outputs]);

  const broken = join(music, 'broken');
  mkdirSync(broken);
  writeFileSync(join(broken, 'empty.flac'), '');
  writeFileSync(join(broken, 'corrupt.flac'), randomBytes(64 * 1024));
  makeTone(join(broken, 'locked.flac'), { freq: 1100, seconds: 1, title: 'Locked' });
  chmodSync(join(broken, 'locked.flac'), 0o000);
  count += 3;
  return count;
}

/** The library's track count as the sidebar shows it (0 when the badge is gone). */
async function libraryCount(browser) {
  const badge = await browser.execute(
    () => document.querySelector('[data-testid="nav-library"] .badge')?.textContent ?? '0',
  );
  return Number(badge.trim());
}

/** The folders Settings → Library folders lists. */
function folderPaths(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="library-folder"] .path')].map((el) => el.textContent),
  );
}

/** Record, in the page, every state of the scan's progress bar in the settings (brief ones too). */
async function watchProgress(browser) {
  await browser.execute(() => {
    const seen = [];
    window.__lyrebirdProgress = seen;
    const note = () => {
      const bar = document.querySelector('[data-testid="folders-scan-progress"] progress');
      const last = seen.at(-1);
      const now = bar ? { value: bar.value, max: bar.max } : null;
      if (JSON.stringify(now) !== JSON.stringify(last ?? null) || seen.length === 0) seen.push(now);
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true });
    note();
  });
}

test('add a folder by its path, watch it scan, read its problems, play an album in disc order, remove it', async (t) => {
  const home = tempDir('lyrebird-home-');
  mkdirSync(join(home, 'Music')); // the default folder: there, and empty
  const music = tempDir('lyrebird-folder-');
  const files = makeLibrary(music);
  assert.ok(files >= 290, `${files} files`);
  const root = process.getuid?.() === 0;

  const { browser, close, log } = await launch({
    env: {
      HOME: home,
      XDG_CONFIG_HOME: undefined,
      LYREBIRD_CONFIG_DIR: tempDir(),
      LYREBIRD_LIBRARY_DIRS: undefined,
      LYREBIRD_NO_DEMO: '1',
    },
  });
  let recording = null;
  try {
    // An empty library, from the settings' default folder (not the environment).
    await until('the empty library', () => browser.$('[data-testid="library-empty"]').isExisting());
    await (await browser.$('[data-testid="nav-settings"]')).click();
    const folders = await until('the folder list', async () => {
      const list = await folderPaths(browser);
      return list.length > 0 && list;
    });
    assert.deepEqual(folders, [join(home, 'Music')]);
    assert.equal(await browser.$('[data-testid="library-folders-env"]').isExisting(), false);

    // Add the folder by typing its path; the progress bar shows the scan and goes away.
    await watchProgress(browser);
    await (await browser.$('[data-testid="library-folder-path"]')).setValue(music);
    await (await browser.$('[data-testid="library-folder-add"]')).click();
    await until('the folder listed', async () => (await folderPaths(browser)).includes(music));
    await until(`${files} tracks in the library`, async () => (await libraryCount(browser)) === files, 60_000);
    await until('the progress bar gone', async () =>
      !(await browser.$('[data-testid="folders-scan-progress"]').isExisting()));
    const progress = await browser.execute(() => window.__lyrebirdProgress);
    const shown = progress.filter(Boolean);
    assert.ok(shown.length > 0, `the progress bar appeared: ${JSON.stringify(progress)}`);
    // Reading starts while the folders are listed: the total is what was found so far.
    assert.ok(
      shown.every((p) => p.value <= p.max && p.max <= files),
      `read of found, found of ${files} files: ${JSON.stringify(shown)}`,
    );
    assert.ok(
      shown.every((p, i) => i === 0 || (p.value >= shown[i - 1].value && p.max >= shown[i - 1].max)),
      `progress only goes forward: ${JSON.stringify(shown)}`,
    );
    assert.equal(progress.at(-1), null, 'the progress bar ended');
    t.diagnostic(`progress bar states: ${JSON.stringify(progress)}`);

    // Scan problems: the corrupt and the empty file, with their reasons.
    await (await browser.$('[data-testid="nav-library"]')).click();
    await (await browser.$('[data-testid="show-scan-problems"]')).click();
    const problems = await until('the scan problems', async () => {
      const list = await browser.execute(() =>
        [...document.querySelectorAll('[data-testid="scan-problem"]')].map((row) => ({
          path: row.querySelector('[data-testid="scan-problem-path"]').textContent,
          reason: row.querySelector('[data-testid="scan-problem-reason"]').textContent,
        })),
      );
      return list.length >= 2 && list;
    });
    const reasonOf = (name) => problems.find((p) => p.path === join(music, 'broken', name))?.reason;
    assert.match(reasonOf('empty.flac') ?? '', /empty file \(0 bytes\)/, JSON.stringify(problems));
    assert.match(reasonOf('corrupt.flac') ?? '', /corrupt|unreadable/i, JSON.stringify(problems));
    if (root) {
      // Permissions do not stop root from reading: the locked file reads like any other.
      t.diagnostic('running as root: chmod 000 does not make a file unreadable, so that case is not checked');
      assert.equal(problems.length, 2, JSON.stringify(problems));
    } else {
      assert.match(reasonOf('locked.flac') ?? '', /.+/, `the unreadable file is listed: ${JSON.stringify(problems)}`);
      assert.equal(problems.length, 3, JSON.stringify(problems));
    }

    // CJK and right-to-left titles are found and shown as they are.
    await (await browser.$('[data-testid="nav-library"]')).click();
    const search = await browser.$('[data-testid="library-search"]');
    for (const title of ['晴天', ARABIC, HEBREW]) {
      await search.setValue(title);
      // (Until the answer for this query is in, the last one's row is still shown.)
      await until(`one match for ${title}, shown as it is`, async () => {
        const found = await libraryRows(browser);
        return found.length === 1 && found[0].title === title;
      });
    }
    await search.clearValue();

    // Albums: the two-disc album lists disc 1 then disc 2, each in track order, and plays
    // disc 1 track 1 first — the tone heard is that track's.
    await (await browser.$('[data-testid="nav-albums"]')).click();
    const card = await until(`the album ${ALBUM}`, async () => {
      for (const c of await browser.$$('[data-testid="album-card"]')) {
        if ((await text(await c.$('[data-testid="album-title"]'))) === ALBUM) return c;
      }
      return false;
    });
    await card.click();
    const albumRows = await until('the album tracks', async () => {
      const rows = await libraryRows(browser);
      return rows.length === ALBUM_TRACKS.length && rows;
    });
    assert.deepEqual(
      albumRows.map((r) => r.title),
      ALBUM_TRACKS.map((tr) => tr.title),
    );
    recording = record(join(tempDir(), 'album.wav'));
    await (await browser.$('[data-testid="album-play"]')).click();
    await until('disc 1 track 1 playing for 3 s', async () => {
      const np = await nowPlaying(browser);
      return np.status === 'playing' && np.trackId === albumRows[0].id && np.positionMs > 3000;
    });
    assert.equal((await nowPlaying(browser)).title, ALBUM_TRACKS[0].title);
    const samples = longestSound(await recording.stop());
    recording = null;
    assert.ok(samples.length > RATE, `over a second of sound (${samples.length} samples)`);
    const heard = dominantFrequency(samples);
    t.diagnostic(`heard ${heard.toFixed(1)} Hz`);
    assert.ok(
      Math.abs(heard - ALBUM_TRACKS[0].freq) < 10,
      `disc 1 track 1 (${ALBUM_TRACKS[0].freq} Hz) heard, not ${heard.toFixed(1)} Hz`,
    );
    await (await browser.$('[data-testid="np-toggle"]')).click();
    await until('paused', async () => (await nowPlaying(browser)).status === 'paused');

    // Folders: the library folder by its path, the folders under it by name only; a folder's
    // tracks in file-name order, and the whole folder goes to the end of the queue.
    await (await browser.$('[data-testid="nav-folders"]')).click();
    const folderRow = (name) =>
      until(`the folder ${name}`, async () => {
        for (const row of await browser.$$('[data-testid="folder-row"]')) {
          if ((await text(await row.$('[data-testid="folder-name"]'))) === name) return row;
        }
        return false;
      });
    await (await (await folderRow(music)).$('[data-testid="folder-open"]')).click();
    await (await (await folderRow(ALBUM)).$('[data-testid="folder-open"]')).click();
    const inFolder = await until('the folder tracks', async () => {
      const rows = await libraryRows(browser);
      return rows.length === ALBUM_TRACKS.length && rows;
    });
    assert.deepEqual(
      inFolder.map((r) => r.title),
      [...ALBUM_TRACKS].sort((a, b) => a.file.localeCompare(b.file)).map((tr) => tr.title),
    );
    const queued = Number(await text(await browser.$('[data-testid="nav-queue-count"]')));
    await (await browser.$('[data-testid="folder-add-to-queue"]')).click();
    await until('the folder queued', async () => {
      const now = Number(await text(await browser.$('[data-testid="nav-queue-count"]')));
      return now === queued + ALBUM_TRACKS.length;
    });

    // Remove the folder: its tracks go, the default folder stays.
    await (await browser.$('[data-testid="nav-settings"]')).click();
    const ours = await until('our folder', async () => {
      for (const f of await browser.$$('[data-testid="library-folder"]')) {
        if ((await text(await f.$('.path'))) === music) return f;
      }
      return false;
    });
    await (await ours.$('[data-testid="library-folder-remove"]')).click();
    await until('only the default folder', async () => {
      const list = await folderPaths(browser);
      return list.length === 1 && list[0] === join(home, 'Music');
    });
    await until('an empty library', async () => (await libraryCount(browser)) === 0, 30_000);
    await (await browser.$('[data-testid="nav-library"]')).click();
    await until('the empty library shown', () => browser.$('[data-testid="library-empty"]').isExisting());
    await (await browser.$('[data-testid="nav-albums"]')).click();
    await until('no albums', () => browser.$('[data-testid="albums-empty"]').isExisting());
  } catch (error) {
    const page = await browser.execute(() => document.body.innerText).catch(() => '(gone)');
    error.message += `\n--- page ---\n${page}\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    if (recording) await recording.stop();
    await close();
    try {
      chmodSync(join(music, 'broken', 'locked.flac'), 0o644);
    } catch {
      // already gone
    }
  }
});
