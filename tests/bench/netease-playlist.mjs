// Benchmark (issue #18): a NetEase playlist of 10 000 songs opened in the real window, through
// the NetEase emulator on loopback. Signs in by QR (scan and confirm simulated), opens the
// emulator's "Ten Thousand" playlist RUNS times, and reads from the page's own clock the time
// from the click to the first frame painted with its rows (the rest come in batches as the list
// scrolls); then frame deltas while the list scrolls (5 s steady, 3 s of jumps).
//
//   LYREBIRD_APP=path/to/lyrebird tests/support/desktop-session.sh \
//     node tests/bench/netease-playlist.mjs [RUNS]
//
// Writes nothing; paste the table into docs/benchmarks.md.
import { startEmulator } from '../netease-emulator/server.mjs';
import { launch, tempDir, until } from '../e2e/lib/app.mjs';

const runs = Number(process.argv[2] ?? 5);
const emulator = await startEmulator({ scenario: { user: { vipType: 0 }, weapi: { rsa: 'generate' } } });

async function control(path, method = 'POST') {
  const res = await fetch(`${emulator.url}/__control/${path}`, { method });
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))] ?? 0;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: at(1), over50: sorted.filter((d) => d > 50).length };
}

const { browser, close } = await launch({
  env: {
    LYREBIRD_CONFIG_DIR: tempDir('lyrebird-bench-netease-'),
    LYREBIRD_LIBRARY_DIRS: tempDir('lyrebird-bench-netease-music-'),
    LYREBIRD_NO_DEMO: '1',
    LYREBIRD_NO_KEYRING: '1',
    LYREBIRD_LOG: 'warn',
    LYREBIRD_NETEASE_API: emulator.url,
    LYREBIRD_NETEASE_WEAPI_PUBKEY: emulator.weapiModulus,
  },
});
const opened = [];
let scroll = null;
try {
  await (await browser.$('[data-testid="netease-nav"]')).click();
  const key = await until('the QR key issued', async () => {
    const { qr } = await control('state', 'GET');
    return Object.entries(qr).find(([, state]) => state === 'waiting')?.[0];
  }, 20_000);
  await control(`qr/${key}/scan`);
  await control(`qr/${key}/confirm`);
  await until('signed in', async () => (await browser.$('[data-testid="netease-user"]')).isExisting(), 20_000);
  await (await browser.$('[data-testid="netease-tab-playlists"]')).click();
  const big = await until('the 10 000-song playlist listed', async () => {
    for (const el of await browser.$$('[data-testid="netease-playlist"]')) {
      if ((await el.getProperty('innerText')).includes('Ten Thousand')) return el.getAttribute('data-playlist-id');
    }
    return false;
  }, 20_000);
  await browser.setTimeout({ script: 120_000 });
  for (let i = 0; i < runs; i++) {
    // Click and watch from inside the page for the first frame with its rows.
    const seen = await browser.executeAsync((id, done) => {
      const button = document.querySelector(`[data-testid="netease-playlist"][data-playlist-id="${id}"]`);
      const t0 = performance.now();
      let first = null;
      button.click();
      function check() {
        const page = document.querySelector(`[data-testid="netease-playlist-page"][data-playlist-id="${id}"]`);
        if (first === null && page?.querySelector('[data-testid="netease-playlist-row"]')) {
          requestAnimationFrame(() => (first = performance.now() - t0));
        }
        if (first !== null) return done({ first });
        if (performance.now() - t0 > 100_000) return done({ first });
        requestAnimationFrame(check);
      }
      requestAnimationFrame(check);
    }, big);
    opened.push(seen.first);
    process.stderr.write(`run ${i + 1}: rows after ${seen.first?.toFixed(0)} ms\n`);
    if (i === runs - 1) {
      scroll = await browser.executeAsync((done) => {
        const list = document.querySelector('[data-testid="netease-playlist-page"] [role="listbox"]');
        if (!list) return done([]);
        const deltas = [];
        let last = null;
        let started = null;
        let lastJump = 0;
        let seed = 7;
        const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
        function frame(now) {
          if (last !== null) deltas.push(now - last);
          last = now;
          started ??= now;
          if (now - started < 5000) list.scrollTop += 120;
          else if (now - started < 8000) {
            if (now - lastJump > 100) {
              lastJump = now;
              list.scrollTop = random() * (list.scrollHeight - list.clientHeight);
            }
          } else return done(deltas);
          requestAnimationFrame(frame);
        }
        requestAnimationFrame(frame);
      });
    }
    await (await browser.$('[data-testid="netease-playlist-back"]')).click();
    await until('the playlists again', async () => !(await (await browser.$('[data-testid="netease-playlist-page"]')).isExisting()));
  }
} finally {
  await close();
  await emulator.close();
}

const o = stats(opened);
const s = stats(scroll ?? []);
console.log('| NetEase playlist of 10 000 songs, in the window | p50 | p95 | max | runs |');
console.log('|---|---:|---:|---:|---:|');
console.log(`| click → first frame with its rows | ${o.p50.toFixed(0)} ms | ${o.p95.toFixed(0)} ms | ${o.max.toFixed(0)} ms | ${o.n} |`);
console.log(`| scrolling it: frame deltas (over 50 ms: ${s.over50} of ${s.n}) | ${s.p50.toFixed(0)} ms | ${s.p95.toFixed(0)} ms | ${s.max.toFixed(0)} ms | 1 |`);
