/**
 * CPU time of the processes a case measures, from /proc/<pid>/stat (utime + stime), so a figure
 * per message stays comparable on a machine other work shares: the server under test, and the
 * database process where it is a separate one (mariadbd; redis-server for the BullMQ peer).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processCpuSeconds } from './children.js';

/** The database process of a run: a private mariadbd the bench started, or the machine's shared one. */
export interface DbProcess {
  pid: number;
  /** True when it also serves other work (the shared server): its CPU figures are approximate. */
  approx: boolean;
}

/** CPU milliseconds `pid` spent since this call, read when the returned function is called. */
export function cpuSince(pid: number | null | undefined): () => number | null {
  if (!pid) return () => null;
  const before = processCpuSeconds(pid);
  return () => (processCpuSeconds(pid) - before) * 1000;
}

/**
 * The machine's own mariadbd (the one serving TEST_MYSQL_URL): `pidof mariadbd`, and when other
 * engineers' private instances run too, the one started without an explicit `--port=`.
 */
export function sharedMariadbPid(): number | null {
  let pids: number[];
  try {
    pids = execFileSync('pidof', ['mariadbd'], { encoding: 'utf8' })
      .trim()
      .split(/\s+/)
      .map(Number)
      .filter((n) => n > 0);
  } catch {
    return null;
  }
  if (pids.length <= 1) return pids[0] ?? null;
  const shared = pids.filter((pid) => {
    try {
      return !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--port=');
    } catch {
      return false;
    }
  });
  return shared[0] ?? null;
}

/** ms per unit, rounded to µs; null when there is no such process or no unit. */
export function perUnit(ms: number | null, units: number): number | null {
  if (ms === null || units <= 0) return null;
  return Number((ms / units).toFixed(3));
}
