// Playlists through the real app: import an M3U8 (a relative and an absolute path) through the
// command with a path argument, see it in the Playlists view, play it, reorder it from the
// keyboard, export it and check the file.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { launch, libraryRowsWhen, nowPlaying, tempDir, text, until } from './lib/app.mjs';
import { makeTone } from './lib/audio.mjs';

/** Calls a command as the UI would (the tests pass paths the chooser would have given). */
function invoke(browser, command, args) {
  return browser.executeAsync(
    (c, a, done) =>
      window.__TAURI_INTERNALS__.invoke(c, a).then(
        (value) => done(value),
        (error) => done({ error: String(error) }),
      ),
    command,
    args,
  );
}

async function playlistTitles(browser) {
  const rows = await browser.$$('[data-testid="playlist-row"]');
  const titles = [];
  for (const row of rows) titles.push(await text(await row.$('[data-testid="playlist-title"]')));
  return titles;
}

test('import an M3U8, play it, reorder it, export it', async () => {
  const root = tempDir('lyrebird-playlists-');
  const music = join(root, 'music');
  const lists = join(root, 'lists');
  mkdirSync(music, { recursive: true });
  mkdirSync(lists, { recursive: true });
  makeTone(join(music, 'a.flac'), { freq: 330, seconds: 6, title: '晴天', artist: '周杰伦' });
  makeTone(join(music, 'b.flac'), { freq: 440, seconds: 6, title: 'Bravo', artist: 'Band' });
  const m3u = join(lists, 'Road trip.m3u8');
  writeFileSync(m3u, `\uFEFF#EXTM3U\r\n../music/a.flac\r\n${join(music, 'b.flac')}\r\nnot-here.flac\r\n`);
  // The OS dialogs answer from this file (the webview names no paths).
  const answers = join(tempDir(), 'dialog-answers.txt');
  const env = {
    LYREBIRD_LIBRARY_DIRS: music,
    LYREBIRD_CONFIG_DIR: tempDir(),
    LYREBIRD_NO_DEMO: '1',
    LYREBIRD_TEST_DIALOG_ANSWERS: answers,
  };

  const app = await launch({ env });
  const { browser } = app;
  try {
    await libraryRowsWhen(browser, 2);
    // A path from the webview is not taken: the command has no such argument.
    writeFileSync(answers, `${m3u}\n`);
    const imported = await invoke(browser, 'import_playlist', { path: '/etc/passwd' });
    assert.equal(imported.playlist.name, 'Road trip');
    assert.equal(imported.playlist.itemCount, 2);
    assert.deepEqual(imported.unmatched, [{ line: 4, text: 'not-here.flac' }]);

    await (await browser.$('[data-testid="nav-playlists"]')).click();
    const entry = await until('the playlist listed', async () => {
      const found = await browser.$$('[data-testid="playlist-entry"]');
      return found.length === 1 && found[0];
    });
    assert.match(await text(entry), /Road trip/);
    await entry.click();
    await until('two items in file order', async () => {
      const titles = await playlistTitles(browser);
      return titles.join('|') === '晴天|Bravo';
    });

    // Play the whole playlist, in order.
    await (await browser.$('[data-testid="playlist-play"]')).click();
    await until('the first item playing', async () => {
      const np = await nowPlaying(browser);
      return np.status === 'playing' && np.title === '晴天';
    });
    const snapshot = await invoke(browser, 'get_snapshot', {});
    const queued = snapshot.queue.window.map((e) => e.track.title);
    assert.deepEqual(queued, ['晴天', 'Bravo']);

    // Move the first item down (Alt+Down on the focused row).
    const first = (await browser.$$('[data-testid="playlist-row"]'))[0];
    await first.click();
    await browser.keys(['Alt', 'ArrowDown']);
    await until('reordered', async () => (await playlistTitles(browser)).join('|') === 'Bravo|晴天');

    // Export next to the imported file, relative paths; then absolute.
    const out = join(lists, 'out.m3u8');
    writeFileSync(answers, `${out}\n`);
    assert.equal(await invoke(browser, 'export_playlist', { id: imported.playlist.id, path: join(lists, 'evil.m3u8'), relative: true }), true);
    assert.ok(!existsSync(join(lists, 'evil.m3u8')), 'a path from the webview was written');
    assert.equal(
      readFileSync(out, 'utf8'),
      '#EXTM3U\n#EXTINF:6,Band - Bravo\n../music/b.flac\n#EXTINF:6,周杰伦 - 晴天\n../music/a.flac\n',
    );
    writeFileSync(answers, `${out}\n`);
    await invoke(browser, 'export_playlist', { id: imported.playlist.id, relative: false });
    // Cancelled (an empty answer): nothing written, false.
    writeFileSync(answers, '\n');
    assert.equal(await invoke(browser, 'export_playlist', { id: imported.playlist.id, relative: true }), false);
    const absolute = readFileSync(out, 'utf8').split('\n');
    assert.deepEqual([absolute[2], absolute[4]], [join(music, 'b.flac'), join(music, 'a.flac')]);
  } catch (error) {
    error.message += `\n--- app log ---\n${app.log.join('')}`;
    throw error;
  } finally {
    await app.close();
  }
});

test('a playlist line whose file moved inside the library shows as missing and still plays', async () => {
  const root = tempDir('lyrebird-playlists-moved-');
  const music = join(root, 'music');
  const lists = join(root, 'lists');
  mkdirSync(join(music, 'old'), { recursive: true });
  mkdirSync(lists, { recursive: true });
  makeTone(join(music, 'old', 'a.flac'), { freq: 330, seconds: 8, title: '晴天', artist: '周杰伦' });
  makeTone(join(music, 'b.flac'), { freq: 440, seconds: 8, title: 'Bravo', artist: 'Band' });
  const m3u = join(lists, 'Moved.m3u8');
  writeFileSync(m3u, `#EXTM3U\n${join(music, 'old', 'a.flac')}\n${join(music, 'b.flac')}\n`);
  const answers = join(tempDir(), 'dialog-answers.txt');
  const env = {
    LYREBIRD_LIBRARY_DIRS: music,
    LYREBIRD_CONFIG_DIR: tempDir(),
    LYREBIRD_NO_DEMO: '1',
    LYREBIRD_TEST_DIALOG_ANSWERS: answers,
  };

  const app = await launch({ env });
  const { browser } = app;
  try {
    await libraryRowsWhen(browser, 2);
    writeFileSync(answers, `${m3u}\n`);
    const imported = await invoke(browser, 'import_playlist', {});
    assert.equal(imported.playlist.itemCount, 2);

    // The file moves to another folder of the library; the library follows it (a local
    // track's id is its path's: a new id once the rescan has seen the move).
    // (The library's rows come by range: the snapshot holds only its first ones.)
    const idOf = async (title) =>
      (await invoke(browser, 'library_rows', { request: { kind: 'range', start: 0, end: 2000 } })).tracks.find(
        (t) => t.title === title,
      )?.id;
    const before = await idOf('晴天');
    assert.ok(before);
    mkdirSync(join(music, 'new'), { recursive: true });
    renameSync(join(music, 'old', 'a.flac'), join(music, 'new', 'a.flac'));
    await until('the library sees the move', async () => {
      const now = await idOf('晴天');
      return now !== undefined && now !== before;
    }, 30_000);

    await (await browser.$('[data-testid="nav-playlists"]')).click();
    await (await until('the playlist listed', async () => (await browser.$$('[data-testid="playlist-entry"]'))[0])).click();
    const missingRow = await until('the moved line shown as missing', async () => {
      const rows = await browser.$$('[data-testid="playlist-row"]');
      return rows.length === 2 && (await rows[0].getAttribute('data-missing')) === 'true' && rows[0];
    });
    // Play the missing line: the library's copy where the file is now plays, and says so.
    await missingRow.doubleClick();
    const from = await until('the moved file playing from the library', async () => {
      const np = await nowPlaying(browser);
      const note = await browser.$('[data-testid="playing-from-text"]');
      if (np.status !== 'playing' || !(await note.isExisting())) return false;
      return { title: np.title, text: await text(note), why: await note.getAttribute('title') };
    }, 20_000);
    assert.equal(from.title, '晴天');
    assert.equal(from.text, 'Playing from your library');
    assert.match(from.why, /a\.flac is missing/);
    const snapshot = await invoke(browser, 'get_snapshot', {});
    assert.deepEqual(
      snapshot.queue.window.map((e) => e.track.title),
      ['晴天', 'Bravo'],
      'the missing line stays in the queue, in its place',
    );
  } catch (error) {
    error.message += `\n--- app log ---\n${app.log.join('')}`;
    throw error;
  } finally {
    await app.close();
  }
});
