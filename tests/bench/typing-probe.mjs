// Where the long frames while typing come from (issue #19): the app's search, or WebDriver's
// key injection? Types "0999" key by key (150 ms apart, then erases it, as library.mjs does)
// into the library's search field, into it again after scrolling the list far down, into a
// bare <input> added to the page outside Svelte, and idles as long; for each, the frames over
// 50 ms with what the page changed in them (a MutationObserver's batches, the field's input
// events, at ms into the frame), and p99 / max of all frames. Run under a desktop session:
//
//   tests/support/desktop-session.sh node tests/bench/typing-probe.mjs APP CONFIG_DIR MUSIC_DIR
//
// CONFIG_DIR holds an index of MUSIC_DIR (a copy of one the app made: the start must not be a
// first scan). ROUNDS=N (3) rounds; ONLY=prefix runs the cases whose names start with it;
// PROBE_CSS='…' adds a style sheet first (to try a CSS change without a build).
import { setTimeout as sleep } from 'node:timers/promises';
import { remote } from 'webdriverio';
import { startDriver } from './driver.mjs';

const [app, config, music] = process.argv.slice(2);
const env = { ...process.env, LYREBIRD_LOG: 'warn', LYREBIRD_CONFIG_DIR: config, LYREBIRD_CACHE_DIR: `${config}/cache`, LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_NO_DEMO: '1' };
const child = await startDriver(env, 15_600);
const browser = await remote({ hostname: '127.0.0.1', port: 15_600, logLevel: 'error', capabilities: { 'wdio:enforceWebDriverClassic': true, 'tauri:options': { application: app } } });
await browser.waitUntil(() => browser.execute(() => !!document.querySelector('[data-testid="track-row"]')), { timeout: 60_000 });
await sleep(8000); // the rescan after start
const start = () => browser.execute(() => {
  window.__e = [];
  window.__obs?.disconnect();
  window.__obs = new MutationObserver((ms) => window.__e.push([performance.now(), `dom x${ms.length}`]));
  window.__obs.observe(document.querySelector('main') ?? document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  if (!window.__listening) { // once: every round would add another listener
    window.__listening = true;
    document.querySelector('[data-testid="library-search"]')?.addEventListener('input', (e) => window.__e.push([performance.now(), `input "${e.target.value}"`]));
  }
  window.__f = []; window.__run = true; let last = null; const f = (now) => { if (last !== null) window.__f.push([now, now - last]); last = now; if (window.__run) requestAnimationFrame(f); }; requestAnimationFrame(f); });
const stop = () => browser.execute(() => { window.__run = false; window.__obs?.disconnect(); return { frames: window.__f, events: window.__e }; });
async function type(selector, text) {
  const field = await browser.$(selector);
  await field.click();
  for (const key of text) { await field.addValue(key); await sleep(150); }
  await sleep(800);
  for (let i = 0; i < text.length; i++) { await field.addValue('\uE003'); await sleep(150); }
  await sleep(800);
}
await browser.execute(() => { const i = document.createElement('input'); i.id = 'probe-input'; i.style.cssText = 'position:fixed;top:0;left:0;width:80px;z-index:9'; document.body.append(i); });
if (process.env.PROBE_CSS) {
  await browser.execute((css) => { const s = document.createElement('style'); s.textContent = css; document.head.append(s); }, process.env.PROBE_CSS);
}
const out = {};
for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++) {
  const scrollFar = async () => {
    await browser.execute(() => { const l = document.querySelector('[role="listbox"]'); l.scrollTop = 0.6 * (l.scrollHeight - l.clientHeight); });
    await sleep(1500);
  };
  for (const [name, run, prepare] of [
    ['search', () => type('[data-testid="library-search"]', '0999')],
    ['search, list scrolled far down first', () => type('[data-testid="library-search"]', '0999'), scrollFar],
    ['bare input', () => type('#probe-input', '0999')],
    ['idle', () => sleep(2800)],
  ].filter(([name]) => !process.env.ONLY || name.startsWith(process.env.ONLY))) {
    if (prepare) await prepare();
    await start();
    await run();
    const { frames, events } = await stop();
    const long = frames.filter(([, d]) => d > 50).map(([end, d]) => {
      const inside = events.filter(([at]) => at > end - d - 20 && at <= end).map(([at, what]) => `${Math.round(at - (end - d))}:${what}`);
      return `${Math.round(d)} ms {${[...new Set(inside)].slice(0, 6).join('; ')}}`;
    });
    (globalThis.deltas ??= {})[name] = [...(globalThis.deltas[name] ?? []), ...frames.map(([, d]) => d)];
    (out[name] ??= []).push(`${long.length} of ${frames.length} ${JSON.stringify(long)}`);
  }
}
console.log(JSON.stringify(out, null, 1));
for (const [name, runs] of Object.entries(out)) {
  const total = runs.reduce((sum, r) => sum + Number(r.split(' ')[0]), 0);
  const sorted = [...globalThis.deltas[name]].sort((a, b) => a - b);
  const q = (p) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
  console.log(`${name}: ${total} frames over 50 ms in ${runs.length} runs; frames over 33 ms ${sorted.filter((d) => d > 33).length} of ${sorted.length}; p99 ${q(0.99)} p99.5 ${q(0.995)} max ${q(1)} ms`);
}
await browser.deleteSession();
process.kill(-child.pid, 'SIGTERM');
