// What a jump in the Songs list does, in time (issue #19): eight single jumps to random rows,
// each from inside an animation frame, with what the page did after it (ms from the jump):
// the list's scroll event, each IPC request and its answer (the page's `fetch` wrapped), and
// the DOM changes (a MutationObserver's batches); and the two frames after the jump (the
// scroll drawn, then the rows). Run under a desktop session, with an index of MUSIC_DIR in
// CONFIG_DIR (see typing-probe.mjs):
//
//   tests/support/desktop-session.sh node tests/bench/jump-probe.mjs APP CONFIG_DIR MUSIC_DIR
import { setTimeout as sleep } from 'node:timers/promises';
import { remote } from 'webdriverio';
import { startDriver } from './driver.mjs';
const [app, config, music] = process.argv.slice(2);
const env = { ...process.env, LYREBIRD_LOG: 'warn', LYREBIRD_CONFIG_DIR: config, LYREBIRD_CACHE_DIR: `${config}/cache`, LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_NO_DEMO: '1' };
const child = await startDriver(env, 15_600);
const browser = await remote({ hostname: '127.0.0.1', port: 15_600, logLevel: 'error', capabilities: { 'wdio:enforceWebDriverClassic': true, 'tauri:options': { application: app } } });
await browser.waitUntil(() => browser.execute(() => !!document.querySelector('[data-testid="track-row"]')), { timeout: 60_000 });
await sleep(8000);
const out = await browser.executeAsync((done) => {
  const list = document.querySelector('[role="listbox"]');
  const ev = [];
  const f = window.fetch;
  window.fetch = function (url, ...rest) { const t = performance.now(); const u = String(url).replace(/^.*\//, ''); ev.push([t, `fetch ${u}`]); const p = f.call(this, url, ...rest); p.then(() => ev.push([performance.now(), `fetch ${u} back`])); return p; };
  list.addEventListener('scroll', () => ev.push([performance.now(), 'scroll event']));
  new MutationObserver((ms) => ev.push([performance.now(), `dom x${ms.length}`])).observe(list, { subtree: true, childList: true, characterData: true, attributes: true });
  let seed = 11; const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const res = [];
  function jump() {
    ev.length = 0;
    const frames = [];
    requestAnimationFrame((t) => {
      frames.push(t);
      const t0 = performance.now();
      list.scrollTop = random() * (list.scrollHeight - list.clientHeight);
      ev.push([performance.now(), 'scrollTop set']);
      requestAnimationFrame(function fr(now) {
        frames.push(now);
        if (now - t0 < 300) return requestAnimationFrame(fr);
        res.push({ frame1: Math.round(frames[1] - frames[0]), frame2: Math.round(frames[2] - frames[1]), ev: ev.map(([at, w]) => `${Math.round(at - t0)}:${w}`).join('; ') });
        if (res.length < 8) setTimeout(jump, 200); else done(res);
      });
    });
  }
  jump();
});
console.log('frame after the jump (ms), the next, then what the page did (ms after the jump)');
for (const r of out) console.log(r.frame1, r.frame2, r.ev);
await browser.deleteSession();
process.kill(-child.pid, 'SIGTERM');
