// NetEase Cloud Music in the real app, against the NetEase protocol emulator on 127.0.0.1
// (tests/netease-emulator: it decrypts what the app sends with the npm package's
// implementation and answers as NetEase does). Nothing reaches NetEase.
//
// Sign in by QR code (the scan and the confirmation are the emulator's control endpoints, as a
// phone would do them), see the daily picks, play one and hear its tone; a VIP-only song (the
// listener has no VIP) is listed as playable from the library, its album's page opens from its
// row, it plays from the library's copy and the bar says so; a third is sung word
// by word in Now Playing (NetEase's yrc) with its translation and romanisation, NetEase hears it
// start, and the heart unlikes and likes it at the emulator; NetEase's risk control (-462) is
// verified in a window with no access to the app; sign out: the stored session is gone and the
// queue stays; sign in again on NetEase's login page in a private window of its own.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { startEmulator } from '../netease-emulator/server.mjs';
import { launch, libraryRowsWhen, nowPlaying, tempDir, text, until } from './lib/app.mjs';
import { dominantFrequency, longestSound, makeTone, powerAt, record } from './lib/audio.mjs';

const MORNING_HZ = 440; // "Loopback Morning" on the emulator (free)
const MEMBERS_HZ = 523; // "Members Only" on the emulator (VIP only)
const LOCAL_MEMBERS_HZ = 330; // the library's own copy of "Members Only"

let emulator;
before(async () => {
  // A listener without VIP; the emulator's own weapi key, which the app is told about; audio
  // at 44.1 kHz as NetEase serves it (a 22.05 kHz MP3 *stream* ends at once in the player
  // today — from a file it plays; see docs/netease.md, "Left").
  emulator = await startEmulator({
    scenario: { user: { vipType: 0 }, weapi: { rsa: 'generate' }, audio: { sampleRate: 44100 } },
  });
});
after(async () => {
  await emulator?.close();
});

async function control(path, method = 'POST') {
  const res = await fetch(`${emulator.url}/__control/${path}`, { method });
  const body = await res.text();
  assert.equal(res.status, 200, `${method} ${path}: ${body}`);
  return JSON.parse(body);
}

function assertHeard(samples, freq, seconds, other) {
  const tone = longestSound(samples);
  assert.ok(tone.length / 44_100 >= seconds, `heard only ${(tone.length / 44_100).toFixed(2)} s of audio in one piece`);
  const measured = dominantFrequency(tone);
  assert.ok(Math.abs(measured - freq) < freq * 0.01, `expected ${freq} Hz, heard ${measured.toFixed(1)} Hz`);
  assert.ok(powerAt(tone, freq) > 100 * powerAt(tone, other), `${other} Hz is audible too`);
}

async function rowTitled(browser, testid, title) {
  return until(`a ${testid} titled ${title}`, async () => {
    for (const row of await browser.$$(`[data-testid="${testid}"]`)) {
      if ((await text(await row.$('[data-testid="track-title"]'))) === title) return row;
    }
    return false;
  });
}

test('sign in by QR, play the daily picks, a VIP song plays from the library, sign out', async () => {
  const music = tempDir('lyrebird-netease-music-');
  makeTone(join(music, 'Members Only.flac'), {
    freq: LOCAL_MEMBERS_HZ,
    seconds: 5,
    title: 'Members Only',
    artist: 'Paywall Trio',
    album: 'Premium',
  });
  const config = tempDir('lyrebird-netease-config-');
  const { browser, close, log } = await launch({
    env: {
      LYREBIRD_LIBRARY_DIRS: music,
      LYREBIRD_CONFIG_DIR: config,
      LYREBIRD_NO_DEMO: '1',
      LYREBIRD_NO_KEYRING: '1',
      LYREBIRD_NETEASE_API: emulator.url,
      LYREBIRD_NETEASE_WEAPI_PUBKEY: emulator.weapiModulus,
    },
  });
  let recording;
  try {
    await libraryRowsWhen(browser, 1);

    // QR login: the code is drawn; the phone scans it, then confirms.
    await (await browser.$('[data-testid="netease-nav"]')).click();
    await until('the QR code drawn', async () => (await browser.$('[data-testid="netease-qr"]')).isExisting());
    const key = await until('the QR key issued', async () => {
      const { qr } = await control('state', 'GET');
      return Object.entries(qr).find(([, state]) => state === 'waiting')?.[0];
    });
    await control(`qr/${key}/scan`);
    await until('"scanned" shown', async () =>
      (await (await browser.$('[data-testid="netease-qr-state"]')).getAttribute('data-state')) === 'scanned');
    await control(`qr/${key}/confirm`);
    const user = await until('signed in', async () => {
      const el = await browser.$('[data-testid="netease-user"]');
      return (await el.isExisting()) && el;
    }, 20_000);
    assert.match(await user.getAttribute('title'), /Emulated Listener/);

    // Daily picks: play one and hear it (the emulator streams its tone).
    const morning = await rowTitled(browser, 'netease-daily-row', 'Loopback Morning');
    recording = record(join(tempDir(), 'netease-morning.wav'));
    await morning.doubleClick();
    await until('Loopback Morning playing from NetEase', async () => {
      const np = await nowPlaying(browser);
      return np.status === 'playing' && np.title === 'Loopback Morning' && np.positionMs > 1500 &&
        !(await (await browser.$('[data-testid="playing-from"]')).isExisting());
    }, 20_000);
    assertHeard(await recording.stop(), MORNING_HZ, 1, LOCAL_MEMBERS_HZ);

    // A VIP-only song for a listener without VIP: the list says a copy was found in the
    // library (looked up in the background), the library's copy plays, and the bar says so.
    const members = await rowTitled(browser, 'netease-daily-row', 'Members Only');
    const listed = await until('Members Only listed as playable from the library', async () => {
      const note = await members.$('[data-testid="track-note"]');
      return (await note.isExisting()) && (await note.getAttribute('data-unplayable')) === 'false' && text(note);
    }, 20_000);
    assert.equal(listed, 'from your library');

    // Its album's page opens from the row (NetEase's album, with its VIP-only song), and back
    // returns to the daily picks as they were.
    await (await members.$('[data-testid="track-album-link"]')).click();
    const albumName = await until('the album page', async () => {
      const el = await browser.$('[data-testid="netease-album-name"]');
      return (await el.isExisting()) && text(el);
    }, 20_000);
    assert.equal(albumName, 'Premium');
    await (await browser.$('[data-testid="netease-page-back"]')).click();
    await until('the daily picks shown again', async () =>
      !(await (await browser.$('[data-testid="netease-album-page"]')).isExisting()) &&
      (await members.isDisplayed()));

    // Its artist's page: the name, their top songs and albums; an album opens over it, and
    // back twice returns to the daily picks.
    await (await members.$('[data-testid="track-artist-link"]')).click();
    const artistName = await until('the artist page', async () => {
      const el = await browser.$('[data-testid="netease-artist-name"]');
      return (await el.isExisting()) && text(el);
    }, 20_000);
    assert.equal(artistName, 'Paywall Trio');
    const topSongs = await until('the artist\'s top songs', async () => {
      const titles = [];
      for (const row of await browser.$$('[data-testid="netease-artist-row"]')) {
        titles.push(await text(await row.$('[data-testid="track-title"]')));
      }
      return titles.length > 0 && titles;
    }, 20_000);
    assert.ok(topSongs.includes('Members Only'), `top songs: ${topSongs}`);
    const premium = await until('the artist\'s album Premium', async () => {
      for (const album of await browser.$$('[data-testid="netease-artist-album"]')) {
        if ((await text(album)).includes('Premium')) return album;
      }
      return false;
    });
    await premium.click();
    assert.equal(
      await until('the album page over the artist', async () => {
        const el = await browser.$('[data-testid="netease-album-name"]');
        return (await el.isExisting()) && text(el);
      }, 20_000),
      'Premium',
    );
    await (await browser.$('[data-testid="netease-page-back"]')).click();
    await until('the artist page again', async () => (await (await browser.$('[data-testid="netease-artist-page"]')).isExisting()));
    await (await browser.$('[data-testid="netease-page-back"]')).click();
    await until('the daily picks shown again', async () =>
      !(await (await browser.$('[data-testid="netease-artist-page"]')).isExisting()) &&
      (await members.isDisplayed()));
    await members.doubleClick();
    const from = await until('the library\'s copy of Members Only playing', async () => {
      const np = await nowPlaying(browser);
      const note = await browser.$('[data-testid="playing-from"]');
      return np.status === 'playing' && np.title === 'Members Only' && (await note.isExisting()) && {
        source: await note.getAttribute('data-source'),
        text: await text(await browser.$('[data-testid="playing-from-text"]')),
      };
    }, 20_000);
    assert.equal(from.source, 'library');
    assert.equal(from.text, 'Playing from your library');
    recording = record(join(tempDir(), 'netease-members.wav'));
    await sleep(1500);
    assertHeard(await recording.stop(), LOCAL_MEMBERS_HZ, 1, MEMBERS_HZ);

    // Word by word: "夜曲 Nocturne" (60 s; the four words of its first line last 7.5 s each)
    // in Now Playing. Which word is being sung, read with the position at the same moment,
    // twice: the first word, then the second.
    const nocturne = await rowTitled(browser, 'netease-daily-row', '夜曲 Nocturne');
    await nocturne.doubleClick();
    await until('Nocturne playing', async () => {
      const np = await nowPlaying(browser);
      return np.status === 'playing' && np.title === '夜曲 Nocturne';
    }, 20_000);
    await (await browser.$('[data-testid="np-title"]')).click();
    const sung = () =>
      browser.execute(() => {
        const bar = document.querySelector('[data-testid="now-playing"]');
        const words = [
          ...document.querySelectorAll('[data-testid="lyrics-line"][aria-current="true"] [data-testid="lyrics-word"]'),
        ];
        return {
          positionMs: Number(bar?.getAttribute('data-position-ms')),
          states: words.map((w) => w.getAttribute('data-word-state')),
          texts: words.map((w) => w.textContent),
          active: words.filter((w) => w.classList.contains('active')).map((w) => Number(w.getAttribute('data-at-ms'))),
        };
      });
    const early = await until('the first word sung', async () => {
      const now = await sung();
      return now.states.length === 4 && now.states[0] === 'active' && now;
    }, 10_000);
    assert.deepEqual(early.texts, ['夜曲 ', 'Nocturne ', 'line ', 'one']);
    assert.deepEqual(early.states, ['active', 'upcoming', 'upcoming', 'upcoming']);
    assert.deepEqual(early.active, [0]);
    assert.ok(early.positionMs < 7_500, `the first word at ${early.positionMs} ms`);
    const later = await until('the second word sung', async () => {
      const now = await sung();
      return now.states[1] === 'active' && now;
    }, 15_000);
    assert.deepEqual(later.states, ['sung', 'active', 'upcoming', 'upcoming']);
    assert.deepEqual(later.active, [7_500]);
    // The bar shows the last whole-second report; the word follows the music between reports.
    assert.ok(later.positionMs >= 6_500 && later.positionMs < 15_000, `the second word at ${later.positionMs} ms`);
    // The translation shows; the romanisation once asked for (a setting the actor keeps).
    const currentLine = '[data-testid="lyrics-line"][aria-current="true"]';
    assert.equal(await text(await browser.$(`${currentLine} [data-testid="lyrics-translation"]`)), '译文 1');
    assert.ok(!(await (await browser.$(`${currentLine} [data-testid="lyrics-romanization"]`)).isExisting()));
    await (await browser.$('[data-testid="lyrics-show-romanization"]')).click();
    await until('the romanisation shown', async () =>
      (await text(await browser.$(`${currentLine} [data-testid="lyrics-romanization"]`))) === 'roma 1');

    // NetEase heard it start (the official client's weblog).
    await until('startplay of Nocturne at the emulator', async () =>
      (await control('state', 'GET')).scrobbles.some((s) => s.action === 'startplay' && s.json.id === '1006'));

    // The heart: Nocturne is liked (the daily list said so); unlike it, then like it again, and
    // the emulator sees both.
    const pressed = async () => (await browser.$('[data-testid="np-like"]')).getAttribute('aria-pressed');
    assert.equal(await pressed(), 'true', 'Nocturne shows as liked');
    await (await browser.$('[data-testid="np-like"]')).click();
    await until('the unlike at the emulator', async () => !(await control('state', 'GET')).liked.includes(1006));
    await until('the heart empty', async () => (await pressed()) === 'false');
    await (await browser.$('[data-testid="np-like"]')).click();
    await until('the like at the emulator', async () => (await control('state', 'GET')).liked[0] === 1006);
    await until('the heart full', async () => (await pressed()) === 'true');
    const likes = (await control('log?api=/api/radio/like', 'GET')).entries.map((e) => [e.params.trackId, e.params.like]);
    assert.deepEqual(likes, [['1006', false], ['1006', true]]);

    // Risk control: NetEase answers the daily list with -462 until the listener verifies.
    // "Verify…" opens the page in a window of its own, which cannot reach the app's commands;
    // verifying there and "Try again" bring the list back and close that window.
    const fault = await fetch(`${emulator.url}/__control/fault`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/api/v3/discovery/recommend/songs', code: -462 }),
    });
    assert.equal(fault.status, 200, await fault.text());
    await (await browser.$('[data-testid="netease-nav"]')).click();
    const verify = await until('the verification offered', async () => {
      const el = await browser.$('[data-testid="netease-verify"]');
      return (await el.isExisting()) && el;
    }, 20_000);
    assert.match(await (await browser.$('[data-testid="netease-verify-url"]')).getValue(), /\/__verify\?id=\d+$/);
    const main = await browser.getWindowHandle();
    await verify.click();
    const page = await until('the verification window', async () => {
      for (const handle of await browser.getWindowHandles()) {
        if (handle === main) continue;
        await browser.switchToWindow(handle);
        if (await (await browser.$('#verify')).isExisting()) return handle;
      }
      await browser.switchToWindow(main);
      return false;
    }, 20_000);
    // No IPC reaches the app from there.
    const ipc = await browser.executeAsync((done) => {
      const internals = window.__TAURI_INTERNALS__;
      if (!internals) return done('no ipc');
      internals.invoke('get_snapshot', {}).then(() => done('allowed'), (e) => done(`refused: ${e}`));
    });
    assert.notEqual(ipc, 'allowed', 'the verification page reached the app');
    await (await browser.$('#verify')).click();
    await until('verified', async () => (await browser.$('#done')).isExisting());
    await browser.switchToWindow(main);
    assert.ok((await control('state', 'GET')).verified.length === 1, 'the emulator saw the verification');
    await (await browser.$('[data-testid="netease-retry"]')).click();
    await rowTitled(browser, 'netease-daily-row', 'Loopback Morning');
    await until('the verification window closed', async () => !(await browser.getWindowHandles()).includes(page));

    // The app asked the emulator with the real schemes: nothing was refused as undecryptable.
    const { entries } = await control('log', 'GET');
    assert.ok(entries.length > 0, 'the emulator saw the app');
    assert.ok(entries.every((e) => e.status !== 400), 'a request the emulator could not decrypt');

    // Sign out: the login panel again, the stored session gone, the queue kept.
    const secrets = join(config, 'server-secrets.json');
    assert.ok(existsSync(secrets) && readFileSync(secrets, 'utf8').includes('netease'), 'the session was stored');
    await (await browser.$('[data-testid="netease-nav"]')).click();
    await (await browser.$('[data-testid="netease-logout"]')).click();
    await until('the login panel', async () => (await browser.$('[data-testid="netease-login"]')).isExisting());
    assert.ok(!readFileSync(secrets, 'utf8').includes('MUSIC_U'), 'the session is wiped');
    const snapshot = await browser.executeAsync((done) =>
      window.__TAURI_INTERNALS__.invoke('get_snapshot', {}).then(done, () => done(null)));
    assert.ok(snapshot.queue.count >= 2, 'the queue is kept');

    // Sign in again on NetEase's own page (the emulator's login form) in a private window with
    // no access to the app: once the page sets MUSIC_U the window closes and the user is in.
    await (await browser.$('[data-testid="netease-login-window"]')).click();
    const loginPage = await until('the login window', async () => {
      for (const handle of await browser.getWindowHandles()) {
        if (handle === main) continue;
        await browser.switchToWindow(handle);
        if (await (await browser.$('#account')).isExisting()) return handle;
      }
      await browser.switchToWindow(main);
      return false;
    }, 20_000);
    const loginIpc = await browser.executeAsync((done) => {
      const internals = window.__TAURI_INTERNALS__;
      if (!internals) return done('no ipc');
      internals.invoke('netease_status', {}).then(() => done('allowed'), (e) => done(`refused: ${e}`));
    });
    assert.notEqual(loginIpc, 'allowed', 'the login page reached the app');
    await (await browser.$('#account')).setValue('listener@example.com');
    await (await browser.$('#password')).setValue('secret');
    await (await browser.$('#submit')).click();
    await browser.switchToWindow(main);
    await until('the login window closed', async () => !(await browser.getWindowHandles()).includes(loginPage), 20_000);
    const again = await until('signed in again', async () => {
      const el = await browser.$('[data-testid="netease-user"]');
      return (await el.isExisting()) && el;
    }, 20_000);
    assert.match(await again.getAttribute('title'), /Emulated Listener/);
    assert.ok(readFileSync(secrets, 'utf8').includes('netease'), 'the session was stored');
  } catch (error) {
    error.message += `\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    await recording?.stop().catch(() => {});
    await close();
  }
});
