// The app's process tree and its CPU ticks, from /proc (Linux). Shared by the benches that
// count what the app and WebKit's processes use.
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: /proc's ticks per second on Linux. */
export const HZ = 100;

function children() {
  const byParent = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const parent = fields[1];
      if (!byParent.has(parent)) byParent.set(parent, []);
      byParent.get(parent).push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return byParent;
}

/** The app's pid (its comm is "lyrebird") and every process below it. */
export function appTree() {
  const byParent = children();
  const root = [...byParent.values()].flat().find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'lyrebird';
    } catch {
      return false;
    }
  });
  if (!root) throw new Error('no lyrebird process');
  const tree = [];
  const walk = (pid) => {
    tree.push(pid);
    for (const child of byParent.get(pid) ?? []) walk(child);
  };
  walk(root);
  return tree;
}

export function ticksOf(pids) {
  const out = new Map();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      out.set(pid, { comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
