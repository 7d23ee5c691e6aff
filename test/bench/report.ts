/** The benchmark's output: a console table, a Markdown table for the README, and the JSON file. */
import { cpus, loadavg, totalmem } from 'node:os';
import type { CaseResult } from './result.js';

export interface Machine {
  date: string;
  nproc: number;
  cpu: string;
  memoryGb: number;
  node: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
}

export function describeMachine(): Machine {
  return {
    date: new Date().toISOString(),
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
  };
}

const fmt = (value: number | null | undefined, unit = '') =>
  value === null || value === undefined || Number.isNaN(value) ? '—' : `${value.toLocaleString('en')}${unit ? ' ' + unit : ''}`;
const verdict = (r: CaseResult) => (r.error ? `error` : r.met === null ? '—' : r.met ? 'met' : 'MISSED');

/** "0.41 + 0.22 DB" (per msg/delivery…; "approx" when mariadbd also served other work). */
function cpuText(server: number | null | undefined, db: number | null | undefined, approx?: boolean): string {
  if (server === null || server === undefined) return '—';
  return `${server}${db === null || db === undefined ? '' : ` + ${db} DB${approx ? ' (approx)' : ''}`}`;
}

function rows(results: CaseResult[]) {
  return results.map((r) => ({
    case: r.case,
    db: r.dialect,
    measured: r.metric,
    dispatch: r.error ? r.error.slice(0, 60) : fmt(r.value, r.unit),
    baseline: r.baseline ? `${fmt(r.baseline.value, r.baseline.unit)} (${r.baseline.name})` : '—',
    ratio: fmt(r.ratio),
    cpu: r.cpu ? `${cpuText(r.cpu.server, r.cpu.db, r.cpu.dbApprox)}${r.cpu.unit ? ` ${r.cpu.unit}` : ''} /${r.cpu.per}` : '—',
    baselineCpu: r.cpu && r.cpu.baseline !== undefined && r.cpu.baseline !== null ? cpuText(r.cpu.baseline, r.cpu.baselineDb) : '—',
    target: r.target,
    result: verdict(r),
    load: r.loadAverage,
  }));
}

export function printTable(results: CaseResult[]): void {
  console.table(rows(results));
}

/** The table the README carries: one row per case and database. */
export function markdownTable(results: CaseResult[], machine: Machine): string {
  const lines = [
    `Measured ${machine.date.slice(0, 16).replace('T', ' ')} UTC on ${machine.nproc} × ${machine.cpu}, ${machine.memoryGb} GB, Node ${machine.node}; load average ${machine.loadAverageAtStart[0]} at start${machine.loadAverageAtEnd ? `, ${machine.loadAverageAtEnd[0]} at end` : ''} (shared machine: compare ratios, which pair each figure with its baseline measured in the same run).`,
    '',
    '| # | database | measured | Dispatch | CPU ms (server + DB) | raw baseline or peer (same run) | its CPU ms | ratio | target | result |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows(results)) {
    lines.push(
      `| ${row.case} | ${row.db === 'mysql' ? 'MariaDB' : 'SQLite'} | ${row.measured} | ${row.dispatch} | ${row.cpu} | ${row.baseline} | ${row.baselineCpu} | ${row.ratio} | ${row.target} | ${row.result} |`,
    );
  }
  return lines.join('\n');
}

/**
 * Issue 12's one line: per case in the order of its target table, the headline figure on SQLite
 * and MariaDB with the target and met/missed, e.g. `accept/bare Koa: SQLite 0.07 (≥ 0.30 missed), MariaDB …`.
 */
export function ratioLine(results: CaseResult[], cases: { id: number; short: string }[]): string {
  const parts: string[] = [];
  for (const spec of cases) {
    const mine = results.filter((r) => r.case === spec.id);
    if (mine.length === 0) continue;
    const cells = mine.map((r) => {
      const db = r.dialect === 'mysql' ? 'MariaDB' : 'SQLite';
      if (r.error) return `${db} error`;
      const goal = r.target.replace(/^(ratio|p99|peak RSS|all delivered) /, '');
      return `${db} ${r.headline ?? fmt(r.ratio ?? r.value)} (${goal}${r.met === null ? '' : r.met ? ' met' : ' missed'})`;
    });
    parts.push(`${spec.short}: ${cells.join(', ')}`);
  }
  const scored = results.filter((r) => r.met !== null && !r.error);
  return `issue 12 ratios (one run; ${scored.filter((r) => r.met).length}/${scored.length} met) — ${parts.join('; ')}`;
}
