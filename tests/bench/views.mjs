// CPU of the shown window while a track plays, per view (issue #19: "check it also with a track
// list of 10 000 rows on screen, the Lyrics view scrolling, and the Now Playing view"), through
// WebDriver so each view is opened as a user opens it. Run by tests/bench/views.sh, which starts
// the display and sink and picks the binary; on its own, inside tests/support/desktop-session.sh:
//
//   LYREBIRD_APP=path/to/lyrebird node tests/bench/views.mjs WORK_DIR [SECONDS]
//
// WORK_DIR/music holds music.flac (10 minutes, with music.lrc: a line every 2.5 s) and the
// library's other rows. The app plays music.flac from its command line; each view is opened,
// left 3 s to settle, then the CPU ticks of the app's process tree (the app and WebKit's
// processes) are counted over SECONDS (default 20) and printed as % of one core.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { launch, nowPlaying, until } from '../e2e/lib/app.mjs';
import { appTree, HZ, ticksOf } from './proc.mjs';

const work = process.argv[2];
const seconds = Number(process.argv[3] ?? 20);
if (!work) {
  console.error('usage: node tests/bench/views.mjs WORK_DIR [SECONDS]');
  process.exit(2);
}

/**
 * What the page changes over `ms` while nothing is touched: DOM mutations grouped by where
 * (the nearest element with a data-testid or class), most first. Each is a repaint of its box.
 */
async function mutations(browser, ms = 5000) {
  return browser.executeAsync((ms, done) => {
    const counts = new Map();
    const where = (node) => {
      let el = node.nodeType === 1 ? node : node.parentElement;
      const path = [];
      while (el && path.length < 3) {
        const id = el.getAttribute('data-testid');
        path.unshift(id ? `[${id}]` : `${el.tagName.toLowerCase()}${el.classList[0] ? '.' + el.classList[0] : ''}`);
        if (id) break;
        el = el.parentElement;
      }
      return path.join(' > ');
    };
    const observer = new MutationObserver((records) => {
      for (const r of records) {
        const key = `${r.type}${r.attributeName ? ' ' + r.attributeName : ''} @ ${where(r.target)}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    setTimeout(() => {
      observer.disconnect();
      done([...counts].sort((a, b) => b[1] - a[1]).slice(0, 8));
    }, ms);
  }, ms);
}

/** % of one core of the app's tree over `seconds`, in all and per process name. */
async function cpu() {
  const pids = appTree();
  const before = ticksOf(pids);
  await sleep(seconds * 1000);
  const after = ticksOf(pids);
  const per = new Map();
  let total = 0;
  for (const [pid, { comm, ticks }] of after) {
    const d = ticks - (before.get(pid)?.ticks ?? ticks);
    total += d;
    per.set(comm, (per.get(comm) ?? 0) + d);
  }
  const pct = (d) => ((100 * d) / HZ / seconds).toFixed(2);
  return { total: pct(total), per: [...per].map(([comm, d]) => `${comm} ${pct(d)} %`).join(' · ') };
}

const config = join(work, 'config');
const { browser, close } = await launch({
  env: {
    LYREBIRD_LOG: 'warn',
    LYREBIRD_CONFIG_DIR: config,
    LYREBIRD_CACHE_DIR: join(work, 'cache'),
    LYREBIRD_LIBRARY_DIRS: join(work, 'music'),
    LYREBIRD_NO_DEMO: '1',
    HOME: join(work, 'home'),
  },
  args: [join(work, 'music', 'music.flac')],
});
try {
  await until('playing', async () => (await nowPlaying(browser))?.status === 'playing', 60_000);
  const rows = async () => browser.execute(() => document.querySelector('[data-testid="library-count"], [data-testid="nav-library"] .badge')?.textContent ?? '');
  await until('the library listed', async () => Number((await rows()).replace(/\D/g, '')) >= 10_000, 300_000);
  const views = [
    ['Songs (10 000 rows listed)', '[data-testid="nav-library"]'],
    ['Lyrics (synced, a line every 2.5 s)', '[data-testid="nav-lyrics"]'],
    ['Now Playing (cover, lyrics, queue)', '[data-testid="np-open-cover"]'],
  ];
  console.log('| view, window shown, playing | CPU of the tree (% of one core) | per process |');
  console.log('|---|---:|---|');
  for (const [name, selector] of views) {
    await (await browser.$(selector)).click();
    await sleep(3000);
    const { total, per } = await cpu();
    console.log(`| ${name} | ${total} | ${per} |`);
    if (process.env.MUTATIONS === '1') {
      for (const [what, n] of await mutations(browser)) process.stderr.write(`    ${n} × ${what}\n`);
    }
  }
} finally {
  await close();
}
