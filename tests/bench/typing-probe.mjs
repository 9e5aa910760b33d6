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
// PROBE_CSS='…' adds a style sheet first, PROBE_JS='…' runs a script in the page first (to try
// a CSS change, or the cost of some DOM writes, without a build). PERF_OUT=DIR profiles the
// rounds system-wide with the page's JavaScript named (JavaScriptCore's JITDump files go to
// DIR too): `perf inject --jit -i DIR/perf.data -o DIR/perf.jit.data`, then `perf report -i
// DIR/perf.jit.data --comm WebKitWebProces` (names are the bundle's: build the UI unminified,
// `TAURI_ENV_DEBUG=1`, to read them).
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { remote } from 'webdriverio';
import { startDriver } from './driver.mjs';

const [app, config, music] = process.argv.slice(2);
const perfDir = process.env.PERF_OUT;
const env = { ...process.env, LYREBIRD_LOG: 'warn', LYREBIRD_CONFIG_DIR: config, LYREBIRD_CACHE_DIR: `${config}/cache`, LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_NO_DEMO: '1' };
if (perfDir) Object.assign(env, { JSC_useJITDump: 'true', JSC_jitDumpDirectory: perfDir });
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
    // When each key reached the page (the event's own time: how long it waited for the page)...
    window.addEventListener('keydown', (e) => window.__e.push([performance.now(), `key ${e.key} (${Math.round(performance.now() - e.timeStamp)} ms late)`]), true);
    // ...and each IPC call's request and answer.
    const invoke = window.__TAURI_INTERNALS__.invoke;
    window.__TAURI_INTERNALS__.invoke = (cmd, ...args) => {
      window.__e.push([performance.now(), `ipc ${cmd}`]);
      const answer = invoke(cmd, ...args);
      answer.then(() => window.__e.push([performance.now(), `ipc ${cmd} back`]), () => {});
      return answer;
    };
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
if (process.env.PROBE_JS) {
  await browser.execute(process.env.PROBE_JS); // as WebDriver's own script: the page's CSP allows no inline one
}
const out = {};
// JITDump needs perf's clock to be CLOCK_MONOTONIC (-k 1).
const perf = perfDir ? spawn('perf', ['record', '-q', '-a', '-g', '-k', '1', '-F', '1999', '-o', `${perfDir}/perf.data`], { stdio: 'inherit' }) : null;
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
      return `${Math.round(d)} ms {${[...new Set(inside)].slice(0, 12).join('; ')}}`;
    });
    (globalThis.deltas ??= {})[name] = [...(globalThis.deltas[name] ?? []), ...frames.map(([, d]) => d)];
    // The frames that drew a search's answer (a batch of 60+ DOM changes): what one costs.
    const answers = frames.filter(([end, d]) => events.some(([at, what]) => at > end - d - 20 && at <= end && Number(/^dom x(\d+)/.exec(what)?.[1] ?? 0) >= 60));
    (globalThis.answerFrames ??= {})[name] = [...(globalThis.answerFrames[name] ?? []), ...answers.map(([, d]) => d)];
    (out[name] ??= []).push(`${long.length} of ${frames.length} ${JSON.stringify(long)}`);
  }
}
if (perf) {
  perf.kill('SIGINT');
  await new Promise((done) => (perf.exitCode !== null ? done() : perf.once('exit', done)));
}
console.log(JSON.stringify(out, null, 1));
for (const [name, runs] of Object.entries(out)) {
  const total = runs.reduce((sum, r) => sum + Number(r.split(' ')[0]), 0);
  const sorted = [...globalThis.deltas[name]].sort((a, b) => a - b);
  const q = (p) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
  const answers = [...(globalThis.answerFrames[name] ?? [])].sort((a, b) => a - b);
  const answerMedian = answers.length ? Math.round(answers[Math.floor(answers.length / 2)]) : '-';
  console.log(`${name}: ${total} frames over 50 ms in ${runs.length} runs; frames over 33 ms ${sorted.filter((d) => d > 33).length} of ${sorted.length}; p99 ${q(0.99)} p99.5 ${q(0.995)} max ${q(1)} ms; frames drawing an answer (60+ DOM changes): ${answers.length}, median ${answerMedian} ms [${answers.map(Math.round).join(' ')}]`);
}
await browser.deleteSession();
process.kill(-child.pid, 'SIGTERM');
