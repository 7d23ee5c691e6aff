/**
 * `npm run bench [-- --only=2,3 --dialect=sqlite|mysql --seconds=6 --history=1000000 --scale=1 --profile --out=<file>]`
 *
 * The benchmark of issue 7: seven cases on SQLite and MariaDB/MySQL (TEST_MYSQL_URL, default
 * mysql://root@127.0.0.1:3306/test), each measured next to its raw baseline in the same run and
 * reported as a ratio. The server is the built `dist/server/index.js` in its own process; the
 * load generator, the receiver and the baselines are other processes. Every case gets a fresh
 * database that is dropped afterwards and a time box; no child process outlives the run.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import knex from 'knex';
import type { Dialect } from '../helpers/databases.js';
import { REPO_ROOT, killAllChildren, startWorker } from './children.js';
import { acceptedMessages, ingestEvents } from './cases/accept.js';
import { backlogRss, deliveries, historyRate } from './cases/drain.js';
import { acceptToAttempt, fanOut } from './cases/latency.js';
import { describeMachine, markdownTable, printTable } from './report.js';
import type { CaseResult } from './result.js';
import { Scope, type CaseContext, type RunOptions, type Tools } from './world.js';

const args = new Map(process.argv.slice(2).map((arg) => {
  const [key, value] = arg.replace(/^--/, '').split('=');
  return [key, value ?? 'true'] as const;
}));

const CASES: { id: number; name: string; budgetMs: number; run(ctx: CaseContext): Promise<Partial<CaseResult>> }[] = [
  { id: 1, name: 'accepted messages/s', budgetMs: 60_000, run: acceptedMessages },
  { id: 2, name: 'deliveries/s', budgetMs: 120_000, run: deliveries },
  { id: 3, name: 'accept → first attempt', budgetMs: 60_000, run: acceptToAttempt },
  { id: 4, name: 'fan-out to 1,000 endpoints', budgetMs: 90_000, run: fanOut },
  { id: 5, name: 'ingest events/s', budgetMs: 60_000, run: ingestEvents },
  { id: 6, name: 'delivery rate with history', budgetMs: 300_000, run: (ctx) => historyRate(ctx, Number(args.get('history') ?? 1_000_000)) },
  { id: 7, name: 'peak RSS with a 100k backlog', budgetMs: 180_000, run: backlogRss },
];

const only = args.get('only')?.split(',').map(Number) ?? CASES.map((c) => c.id);
process.env.TEST_MYSQL_URL ??= 'mysql://root@127.0.0.1:3306/test';
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultsDir = join(REPO_ROOT, 'test/bench/results');
mkdirSync(resultsDir, { recursive: true });

async function mysqlReachable(): Promise<boolean> {
  const url = new URL(process.env.TEST_MYSQL_URL as string);
  const db = knex({ client: 'mysql2', connection: { host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }, pool: { min: 0, max: 1 } });
  try {
    await db.raw('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await db.destroy();
  }
}

async function dialects(): Promise<Dialect[]> {
  const wanted = args.get('dialect');
  if (wanted === 'sqlite') return ['sqlite'];
  if (wanted === 'mysql') return ['mysql'];
  if (await mysqlReachable()) return ['sqlite', 'mysql'];
  console.warn(`MySQL/MariaDB at ${process.env.TEST_MYSQL_URL} is not reachable: SQLite only`);
  return ['sqlite'];
}

const options: RunOptions = {
  seconds: Number(args.get('seconds') ?? 5),
  scale: Number(args.get('scale') ?? 1),
  serverNodeArgs: args.has('profile') ? ['--cpu-prof', `--cpu-prof-dir=${join(resultsDir, `profiles-${stamp}`)}`] : [],
};

let activeScope: Scope | null = null;
async function abort(signal: string) {
  console.error(`\nbench: ${signal}, cleaning up`);
  const closing = activeScope?.close();
  await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  killAllChildren();
  process.exit(130);
}
process.once('SIGINT', () => void abort('SIGINT'));
process.once('SIGTERM', () => void abort('SIGTERM'));
process.once('exit', killAllChildren);

/** Runs one case inside its scope and time box; a failure becomes a row with `error`. */
async function runCase(spec: (typeof CASES)[number], dialect: Dialect, tools: Tools): Promise<CaseResult> {
  const scope = new Scope();
  activeScope = scope;
  const started = Date.now();
  const log = (message: string) => console.log(`  [${spec.id}/${dialect}] ${message}`);
  log(`${spec.name}: started (load average ${loadavg()[0].toFixed(2)})`);
  let timer: NodeJS.Timeout | undefined;
  const base = { case: spec.id, name: spec.name, dialect, metric: spec.name, value: NaN, unit: '', baseline: null, ratio: null, target: '', met: false, details: {} };
  let result: CaseResult;
  try {
    const outcome = await Promise.race([
      spec.run({ dialect, scope, tools, options, log }),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`time box of ${spec.budgetMs / 1000} s exceeded`)), spec.budgetMs); }),
    ]);
    result = { ...base, ...outcome, seconds: 0, loadAverage: 0 } as CaseResult;
  } catch (error) {
    result = { ...base, error: error instanceof Error ? error.message : String(error), seconds: 0, loadAverage: 0 };
  } finally {
    clearTimeout(timer);
    await scope.close();
    activeScope = null;
  }
  result.seconds = Math.round((Date.now() - started) / 100) / 10;
  result.loadAverage = Number(loadavg()[0].toFixed(2));
  log(result.error ? `FAILED: ${result.error}` : `${result.value} ${result.unit} (ratio ${result.ratio ?? '—'}, ${result.met ? 'met' : 'missed'}) in ${result.seconds} s`);
  return result;
}

async function startTools(): Promise<Tools> {
  const [receiver, bareKoa, load, sender] = await Promise.all(['receiver', 'bare-koa', 'autocannon', 'undici-sender'].map((name) => startWorker(name)));
  const receiverUrl = (await receiver.call<{ url: string }>({ cmd: 'start' })).url;
  const bareKoaUrl = (await bareKoa.call<{ url: string }>({ cmd: 'start' })).url;
  return { receiver, receiverUrl, bareKoa, bareKoaUrl, load, sender };
}

const machine = describeMachine();
const runStarted = Date.now();
console.log(`Dispatch bench ${machine.date}: ${machine.nproc} × ${machine.cpu}, Node ${machine.node}, load average ${machine.loadAverageAtStart.join(' ')}`);
const tools = await startTools();
const results: CaseResult[] = [];
try {
  for (const dialect of await dialects()) {
    for (const spec of CASES.filter((c) => only.includes(c.id))) results.push(await runCase(spec, dialect, tools));
  }
} finally {
  await Promise.all([tools.receiver, tools.bareKoa, tools.load, tools.sender].map((worker) => worker.stop()));
  killAllChildren();
}
machine.loadAverageAtEnd = loadavg().map((l) => Number(l.toFixed(2)));
const totalSeconds = Math.round((Date.now() - runStarted) / 1000);
const markdown = markdownTable(results, machine);
const file = join(resultsDir, `${stamp}.json`);
writeFileSync(file, JSON.stringify({ machine, options, total_seconds: totalSeconds, results, markdown }, null, 2) + '\n');
const copy = args.get('out') ?? join(tmpdir(), 'dispatch-bench-latest.json');
copyFileSync(file, copy);
printTable(results);
console.log(`\n${markdown}\n`);
console.log(`whole run ${totalSeconds} s; results ${file}\ncopy: ${copy}`);
process.exit(results.some((r) => r.error) ? 1 : 0);
