// Subsonic in the real app against a real supysonic on 127.0.0.1: add the server through the
// UI (first without the legacy password method supysonic needs, then a wrong password: the
// client's errors are shown), search a CJK title, play it and
// hear its tone, see it in the server's "now playing", like it (starred there) and unlike it;
// then the fallback race: a library track whose file is gone plays from the
// server's copy, and the UI says so; a song deleted on the server after it was listed plays
// from the library's copy, the why in the server's words; and when the server goes down, a
// server track that was listed plays from the library's copy (the stream's failure starts the
// race).
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { launch, libraryRows, libraryRowsWhen, nowPlaying, tempDir, text, until } from './lib/app.mjs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dominantFrequency, longestSound, makeTone, powerAt, record } from './lib/audio.mjs';
import { PASSWORD, USER, missingTools, startSupysonic } from './lib/supysonic.mjs';

const SUNNY_HZ = 550; // 晴天 on the server
const COPY_HZ = 880; // the server's copy of the local "Lost Song"
const LOCAL_HZ = 330; // the local "Lost Song", deleted before it plays
const OPENER_HZ = 440;
const NIGHT_HZ = 770; // 夜曲 on the server (never played before the server goes down)
const LOCAL_NIGHT_HZ = 660; // the library's own copy of 夜曲
const SCENT_HZ = 1100; // 七里香 on the server, deleted there after it was listed
const LOCAL_SCENT_HZ = 495; // the library's own copy of 七里香

const missing = missingTools();
if (missing.length > 0 && process.env.LYREBIRD_REQUIRE_SUPYSONIC === '1') {
  throw new Error(`LYREBIRD_REQUIRE_SUPYSONIC=1 but ${missing.join(', ')} missing`);
}

let server;
before(async () => {
  if (missing.length > 0) return;
  server = await startSupysonic([
    { title: '晴天', artist: '周杰伦', album: '叶惠美', track: 1, seconds: 20, freq: SUNNY_HZ },
    { title: 'Lost Song', artist: 'E2E', album: 'Fixtures', track: 1, seconds: 20, freq: COPY_HZ },
    { title: '夜曲', artist: '周杰伦', album: '十一月的萧邦', track: 1, seconds: 20, freq: NIGHT_HZ },
    { title: '七里香', artist: '周杰伦', album: '七里香', track: 1, seconds: 20, freq: SCENT_HZ },
  ]);
});
after(async () => {
  await server?.stop();
});

/** The audible part of `samples` is a tone of `freq` Hz of at least `seconds`, without `other`. */
function assertHeard(samples, freq, seconds, other) {
  const tone = longestSound(samples);
  assert.ok(tone.length / 44_100 >= seconds, `heard only ${(tone.length / 44_100).toFixed(2)} s of audio in one piece`);
  const measured = dominantFrequency(tone);
  assert.ok(Math.abs(measured - freq) < freq * 0.01, `expected ${freq} Hz, heard ${measured.toFixed(1)} Hz`);
  assert.ok(powerAt(tone, freq) > 100 * powerAt(tone, other), `${other} Hz is audible too`);
}

async function setField(browser, testid, value) {
  const field = await browser.$(`[data-testid="${testid}"]`);
  await field.clearValue();
  await field.setValue(value);
}

test('add a server in the UI, search a CJK title and hear it; a missing local file plays from the server', { skip: missing.length > 0 && `needs ${missing.join(', ')}` }, async () => {
  const music = tempDir('lyrebird-subsonic-music-');
  makeTone(join(music, '1 Opener.flac'), { freq: OPENER_HZ, seconds: 30, title: 'Opener', artist: 'E2E' });
  makeTone(join(music, '2 Lost Song.flac'), { freq: LOCAL_HZ, seconds: 20, title: 'Lost Song', artist: 'E2E' });
  makeTone(join(music, '3 夜曲.flac'), { freq: LOCAL_NIGHT_HZ, seconds: 20, title: '夜曲', artist: '周杰伦' });
  const config = tempDir('lyrebird-subsonic-config-');
  const { browser, close, log } = await launch({
    // No keyring in the test session: the password must go to the 0600 file, and the UI must
    // say so.
    env: { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: config, LYREBIRD_NO_DEMO: '1', LYREBIRD_NO_KEYRING: '1' },
  });
  try {
    await libraryRowsWhen(browser, 3);

    // Settings → add the server; a wrong password first.
    await (await browser.$('[data-testid="nav-settings"]')).click();
    await (await browser.$('[data-testid="server-add"]')).click();
    await setField(browser, 'server-form-name', 'Home 服务器');
    await setField(browser, 'server-form-url', server.baseUrl);
    await setField(browser, 'server-form-user', USER);
    // supysonic refuses tokens: without the legacy password method the app says so and sends
    // no password.
    await setField(browser, 'server-form-secret', PASSWORD);
    await (await browser.$('[data-testid="server-test"]')).click();
    const legacyOff = await until('the legacy method refusal', async () => {
      const result = await browser.$('[data-testid="server-test-result"]');
      return (await result.isExisting()) && (await text(result));
    });
    assert.match(legacyOff, /only accepts the legacy password method/);
    // Loopback, so allowed once ticked.
    await (await browser.$('[data-testid="server-form-legacy-auth"]')).click();

    await setField(browser, 'server-form-secret', 'not-the-password');
    await (await browser.$('[data-testid="server-test"]')).click();
    const refused = await until('the test result', async () => {
      const result = await browser.$('[data-testid="server-test-result"]');
      return (await result.isExisting()) && /wrong user name or password/.test(await text(result)) && (await text(result));
    });
    assert.match(refused, /wrong user name or password/);

    await setField(browser, 'server-form-secret', PASSWORD);
    await (await browser.$('[data-testid="server-test"]')).click();
    await until('the test to pass', async () => {
      const result = await browser.$('[data-testid="server-test-result"]');
      return (await result.isExisting()) && (await result.getAttribute('data-result')) === 'ok';
    });
    await (await browser.$('[data-testid="server-save"]')).click();
    const storage = await until('the saved server', async () => {
      const row = await browser.$('[data-testid="server-storage"]');
      return (await row.isExisting()) && (await text(row));
    });
    assert.match(storage, /readable only by you/);
    // The secret is in the 0600 file, never in settings.json.
    const secrets = join(config, 'server-secrets.json');
    assert.equal(statSync(secrets).mode & 0o777, 0o600);
    assert.ok(readFileSync(secrets, 'utf8').includes(PASSWORD));
    await until('settings.json saved with the server', async () => {
      const settings = readFileSync(join(config, 'settings.json'), 'utf8');
      return settings.includes(server.baseUrl) && settings;
    }).then((settings) => assert.ok(!settings.includes(PASSWORD), 'the password leaked into settings.json'));

    // Server view: search a CJK title and play it.
    await (await browser.$('[data-testid="nav-server"]')).click();
    await setField(browser, 'server-search', '晴');
    await (await browser.$('[data-testid="server-search-go"]')).click();
    const found = await until('晴天 on the server', async () => {
      const rows = await browser.$$('[data-testid="server-track"]');
      return rows.length === 1 && rows;
    });
    assert.equal(await text(await found[0].$('[data-testid="server-track-title"]')), '晴天');
    const sunnyId = await found[0].getAttribute('data-track-id');
    let recording = record(join(tempDir(), 'sunny.wav'));
    await (await found[0].$('[data-testid="server-track-play"]')).click();
    await until('晴天 playing from the server', async () => {
      const np = await nowPlaying(browser);
      return np.status === 'playing' && np.trackId === sunnyId && np.positionMs > 2500 && np;
    }, 30_000);
    assertHeard(await recording.stop(), SUNNY_HZ, 1.5, COPY_HZ);

    // The server lists it as playing now (supysonic also marks streamed songs, so the scrobble
    // itself is checked in src-tauri/src/sources.rs), and a like in the bar stars it there.
    const songId = sunnyId.split(':').at(-1);
    await until('晴天 in the server\'s now playing', async () => {
      const entries = (await server.api('getNowPlaying')).nowPlaying?.entry ?? [];
      return entries.some((e) => e.id === songId);
    });
    const like = await browser.$('[data-testid="np-like"]');
    assert.equal(await like.getAttribute('aria-pressed'), 'false');
    await like.click();
    await until('the bar showing the like', async () => (await like.getAttribute('aria-pressed')) === 'true');
    await until('晴天 starred on the server', async () => {
      const songs = (await server.api('getStarred2')).starred2?.song ?? [];
      return songs.some((s) => s.id === songId);
    });
    await like.click();
    await until('晴天 unstarred on the server', async () => {
      const songs = (await server.api('getStarred2')).starred2?.song ?? [];
      return !songs.some((s) => s.id === songId);
    });

    // The fallback: play the opener, delete the next track's file, skip to it.
    await (await browser.$('[data-testid="nav-library"]')).click();
    const rows = await libraryRowsWhen(browser, 3);
    const opener = rows.find((r) => r.title === 'Opener');
    const lost = rows.find((r) => r.title === 'Lost Song');
    await opener.element.doubleClick();
    await until('the opener playing', async () => {
      const np = await nowPlaying(browser);
      return np.status === 'playing' && np.trackId === opener.id && np;
    });
    rmSync(join(music, '2 Lost Song.flac'));
    await until('the library to notice the file is gone', async () => (await libraryRows(browser)).length === 2);
    await (await browser.$('[data-testid="np-next"]')).click();
    const from = await until('the copy playing from the server, and the UI saying so', async () => {
      const np = await nowPlaying(browser);
      const note = await browser.$('[data-testid="playing-from-text"]');
      return np.status === 'playing' && np.trackId === lost.id && np.positionMs > 5000 && (await note.isExisting()) &&
        { text: await text(note), why: await note.getAttribute('title') };
    }, 30_000);
    assert.equal(from.text, 'Playing from Home 服务器');
    // Why, on hover: the file's name, not its path.
    assert.equal(from.why, 'Playing from Home 服务器 — 2 Lost Song.flac is missing');
    // Recorded once the copy plays, so the track before it is not in the recording.
    recording = record(join(tempDir(), 'lost.wav'));
    await sleep(2500);
    assertHeard(await recording.stop(), COPY_HZ, 1.5, LOCAL_HZ);

    // A song deleted on the server after it was listed: the server answers its stream with
    // an error document (HTTP 200, JSON code 70), which is read, not taken for audio; the
    // race plays the library's copy and the bar says why in the server's words.
    await (await browser.$('[data-testid="nav-server"]')).click();
    await setField(browser, 'server-search', '七里香');
    await (await browser.$('[data-testid="server-search-go"]')).click();
    const scents = await until('七里香 listed by the server', async () => {
      const rows = await browser.$$('[data-testid="server-track"]');
      return rows.length === 1 && rows;
    });
    const scentId = await scents[0].getAttribute('data-track-id');
    // The library gets its own copy now (added here so the queue above is as it was).
    makeTone(join(music, '4 七里香.flac'), { freq: LOCAL_SCENT_HZ, seconds: 20, title: '七里香', artist: '周杰伦' });
    await until('the library to take in its copy', async () => {
      const rows = await browser.executeAsync((done) =>
        window.__TAURI_INTERNALS__
          .invoke('library_rows', { request: { kind: 'range', start: 0, end: 2000 } })
          .then(done, () => done(null)));
      return rows?.tracks.some((t) => t.title === '七里香');
    }, 20_000);
    rmSync(join(server.music, '周杰伦', '七里香', '01 七里香.flac'));
    server.rescan();
    recording = record(join(tempDir(), 'deleted.wav'));
    await (await scents[0].$('[data-testid="server-track-play"]')).click();
    const deleted = await until('the library\'s copy of 七里香 playing', async () => {
      const np = await nowPlaying(browser);
      const note = await browser.$('[data-testid="playing-from"]');
      return np.status === 'playing' && np.trackId === scentId && np.positionMs > 1500 &&
        (await note.isExisting()) && {
          source: await note.getAttribute('data-source'),
          why: await (await browser.$('[data-testid="playing-from-text"]')).getAttribute('title'),
        };
    }, 30_000);
    assert.equal(deleted.source, 'library');
    assert.match(deleted.why, /not found/i, 'the server\'s own words');
    await sleep(1500);
    assertHeard(await recording.stop(), LOCAL_SCENT_HZ, 1.5, SCENT_HZ);

    // The server goes down while the app runs. 夜曲 was listed by it (and never played, so
    // it is not in the audio cache), so it still plays by id; its stream is refused, and that
    // failure starts the race: the library's copy plays.
    await (await browser.$('[data-testid="nav-server"]')).click();
    await setField(browser, 'server-search', '夜');
    await (await browser.$('[data-testid="server-search-go"]')).click();
    const listed = await until('夜曲 listed by the server', async () => {
      const rows = await browser.$$('[data-testid="server-track"]');
      return rows.length === 1 && rows;
    });
    const nightId = await listed[0].getAttribute('data-track-id');
    await server.stop();
    recording = record(join(tempDir(), 'down.wav'));
    await (await listed[0].$('[data-testid="server-track-play"]')).click();
    const local = await until('the library\'s copy of 夜曲 playing, and the bar saying so', async () => {
      const np = await nowPlaying(browser);
      const note = await browser.$('[data-testid="playing-from"]');
      return np.status === 'playing' && np.trackId === nightId && np.positionMs > 1500 &&
        (await note.isExisting()) && {
          source: await note.getAttribute('data-source'),
          text: await text(await browser.$('[data-testid="playing-from-text"]')),
          why: await (await browser.$('[data-testid="playing-from-text"]')).getAttribute('title'),
        };
    }, 30_000);
    assert.equal(local.source, 'library');
    assert.equal(local.text, 'Playing from your library');
    assert.match(local.why, /^Playing from your library — .*refused/i);
    await sleep(1500);
    assertHeard(await recording.stop(), LOCAL_NIGHT_HZ, 1.5, NIGHT_HZ);
  } catch (error) {
    error.message += `\n--- app log ---\n${log.join('')}\n--- supysonic log ---\n${server.log()}`;
    throw error;
  } finally {
    await close();
  }
});
