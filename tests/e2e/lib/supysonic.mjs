// A real Subsonic server for end-to-end tests: Debian's supysonic on 127.0.0.1, in a temporary
// directory, with a generated library (tagged FLAC sine tones made by ffmpeg). The same set-up
// as src-tauri/crates/lyrebird-subsonic/tests/support/supysonic.rs, for node.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { tempDir } from './app.mjs';
import { RATE } from './audio.mjs';

const SERVER = '/usr/bin/supysonic-server';
const CLI = '/usr/bin/supysonic-cli';
export const USER = 'admin';
export const PASSWORD = 'adminpass';

/** What is missing to run supysonic here (empty when it can run). */
export function missingTools() {
  return [SERVER, CLI, '/usr/lib/python3/dist-packages/waitress', '/usr/bin/ffmpeg'].filter((tool) => !existsSync(tool));
}

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/**
 * Start supysonic with `tracks` ({ title, artist, album, track, seconds, freq }). Returns
 * { baseUrl, music, stop(), log(), api(method, params), rescan() }.
 */
export async function startSupysonic(tracks) {
  const root = tempDir('lyrebird-supysonic-');
  const music = join(root, 'music');
  mkdirSync(join(root, 'cache'), { recursive: true });
  writeFileSync(
    join(root, 'supysonic.conf'),
    `[base]\ndatabase_uri = sqlite:///${join(root, 'supysonic.db')}\n` +
      `[webapp]\ncache_dir = ${join(root, 'cache')}\nmount_api = on\n` +
      `[daemon]\nsocket = ${join(root, 'supysonic.sock')}\nrun_watcher = no\n`,
  );
  for (const t of tracks) {
    const folder = join(music, t.artist, t.album);
    mkdirSync(folder, { recursive: true });
    const src = `aevalsrc=0.5*sin(2*PI*${t.freq}*t)|0.5*sin(2*PI*${t.freq}*t):s=${RATE}:d=${t.seconds}`;
    execFileSync('ffmpeg', [
      '-v', 'error', '-y', '-f', 'lavfi', '-i', src, '-c:a', 'flac',
      '-metadata', `title=${t.title}`, '-metadata', `artist=${t.artist}`,
      '-metadata', `album=${t.album}`, '-metadata', `track=${t.track}`,
      join(folder, `${String(t.track).padStart(2, '0')} ${t.title}.flac`),
    ]);
  }
  const env = { ...process.env, HOME: root };
  const cli = (...args) => execFileSync(CLI, args, { cwd: root, env, stdio: 'pipe' });
  cli('user', 'add', USER, '-p', PASSWORD);
  cli('folder', 'add', 'Music', music);
  cli('folder', 'scan', '-f', '--foreground', 'Music');

  const port = await freePort();
  const logFile = join(root, 'server.log');
  const out = openSync(logFile, 'w');
  const child = spawn(SERVER, ['-S', 'waitress', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: root,
    env,
    stdio: ['ignore', out, out],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const log = () => readFileSync(logFile, 'utf8');
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/rest/ping.view?u=${USER}&p=${PASSWORD}&c=e2e&v=1.12.0&f=json`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`supysonic did not start; its log:\n${log()}`);
    }
    await sleep(100);
  }
  /** A Subsonic call as the admin (password auth, JSON): the `subsonic-response` object. */
  const api = async (method, params = {}) => {
    const query = new URLSearchParams({ u: USER, p: PASSWORD, c: 'e2e', v: '1.12.0', f: 'json', ...params });
    const res = await fetch(`${baseUrl}/rest/${method}.view?${query}`);
    return (await res.json())['subsonic-response'];
  };
  /** Scan the music folder again (after a file was deleted or added). */
  const rescan = () => cli('folder', 'scan', '-f', '--foreground', 'Music');
  return { baseUrl, music, stop, log, api, rescan };
}
