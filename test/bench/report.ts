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

const fmt = (value: number | null | undefined, unit = '') => (value === null || value === undefined || Number.isNaN(value) ? '—' : `${value.toLocaleString('en')}${unit ? ' ' + unit : ''}`);
const verdict = (r: CaseResult) => (r.error ? `error` : r.met === null ? '—' : r.met ? 'met' : 'MISSED');

function rows(results: CaseResult[]) {
  return results.map((r) => ({
    case: r.case,
    db: r.dialect,
    measured: r.metric,
    dispatch: r.error ? r.error.slice(0, 60) : fmt(r.value, r.unit),
    baseline: r.baseline ? `${fmt(r.baseline.value, r.baseline.unit)} (${r.baseline.name})` : '—',
    ratio: fmt(r.ratio),
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
    '| # | database | measured | Dispatch | raw baseline (same run) | ratio | target | result |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows(results)) {
    lines.push(`| ${row.case} | ${row.db === 'mysql' ? 'MariaDB' : 'SQLite'} | ${row.measured} | ${row.dispatch} | ${row.baseline} | ${row.ratio} | ${row.target} | ${row.result} |`);
  }
  return lines.join('\n');
}
