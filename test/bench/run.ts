/**
 * `npm run bench [-- --only=2,3 --dialect=sqlite|mysql --mariadb=private|shared --seconds=4 --history=1000000 --scale=1 --profile --out=<file>]`
 *
 * The benchmark of issues 7 and 12: nine cases on SQLite and MariaDB (a private mariadbd the run
 * starts when it can, else TEST_MYSQL_URL, default mysql://root@127.0.0.1:3306/test), each
 * measured next to its raw baseline or peer in the same run and reported as a ratio, with the
 * CPU per message of the server (and mariadbd); the run ends with one line of ratios against
 * issue 12's targets. The server is the built `dist/server/index.js` in its own process; the
 * load generator, the receiver and the baselines are other processes. Every case gets a fresh
 * database that is dropped afterwards and a time box; no child process outlives the run.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import knex from 'knex';
import type { Dialect } from '../helpers/databases.js';
import { REPO_ROOT, killAllChildren, startWorker } from './children.js';
import { acceptNoEndpoint, ingestEvents } from './cases/accept.js';
import { backlogRss, deliveries, historyRate } from './cases/drain.js';
import { endToEndVsBullmq } from './cases/end-to-end.js';
import { fanOutRowCpu } from './cases/fan-out-cpu.js';
import { acceptToAttempt, fanOut } from './cases/latency.js';
import { sharedMariadbPid, type DbProcess } from './cpu.js';
import { privateMariadbUnavailable, startPrivateMariadb, type PrivateMariadb } from './mariadb.js';
import { describeMachine, markdownTable, printTable, ratioLine } from './report.js';
import type { CaseResult } from './result.js';
import { Scope, type CaseContext, type RunOptions, type Tools } from './world.js';

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key, value ?? 'true'] as const;
  }),
);

/** In the order of issue 12's target table (`short` labels the ratio line); 9 has no target. */
const CASES: { id: number; name: string; short: string; budgetMs: number; run(ctx: CaseContext): Promise<Partial<CaseResult>> }[] = [
  { id: 1, name: 'accepted messages/s, no matching endpoint', short: 'accept/bare Koa', budgetMs: 60_000, run: acceptNoEndpoint },
  { id: 2, name: 'end to end vs the DIY BullMQ peer', short: 'e2e/BullMQ peer', budgetMs: 180_000, run: endToEndVsBullmq },
  { id: 3, name: 'drain deliveries/s', short: 'drain/undici+p-queue', budgetMs: 120_000, run: deliveries },
  { id: 4, name: 'accept → first attempt', short: 'p99 accept→attempt @1k/s', budgetMs: 60_000, run: acceptToAttempt },
  { id: 5, name: 'CPU per fan-out row at accept', short: 'CPU/fan-out row', budgetMs: 90_000, run: fanOutRowCpu },
  { id: 6, name: 'fan-out to 1,000 endpoints', short: '1 msg→1,000 endpoints', budgetMs: 90_000, run: fanOut },
  {
    id: 7,
    name: 'delivery rate with history',
    short: 'drain 1M history/empty',
    budgetMs: 300_000,
    run: (ctx) => historyRate(ctx, Number(args.get('history') ?? 1_000_000)),
  },
  { id: 8, name: 'peak RSS with a 100k backlog', short: 'peak RSS 100k backlog', budgetMs: 180_000, run: backlogRss },
  { id: 9, name: 'ingest events/s', short: 'ingest/bare Koa', budgetMs: 60_000, run: ingestEvents },
];

const only = args.get('only')?.split(',').map(Number) ?? CASES.map((c) => c.id);
process.env.TEST_MYSQL_URL ??= 'mysql://root@127.0.0.1:3306/test';
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultsDir = join(REPO_ROOT, 'test/bench/results');
mkdirSync(resultsDir, { recursive: true });

async function mysqlReachable(): Promise<boolean> {
  const url = new URL(process.env.TEST_MYSQL_URL as string);
  const db = knex({
    client: 'mysql2',
    connection: {
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    },
    pool: { min: 0, max: 1 },
  });
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
  if ((args.get('mariadb') !== 'shared' && privateMariadbUnavailable() === null) || (await mysqlReachable())) return ['sqlite', 'mysql'];
  console.warn(`MySQL/MariaDB at ${process.env.TEST_MYSQL_URL} is not reachable: SQLite only`);
  return ['sqlite'];
}

const options: RunOptions = {
  seconds: Number(args.get('seconds') ?? 4),
  scale: Number(args.get('scale') ?? 1),
  serverNodeArgs: args.has('profile') ? ['--cpu-prof', `--cpu-prof-dir=${join(resultsDir, `profiles-${stamp}`)}`] : [],
};

let activeScope: Scope | null = null;
/** The run's private mariadbd (stopped and its datadir removed at the end, also on a signal). */
let privateMariadb: PrivateMariadb | null = null;
/** Read through a call: TypeScript would narrow the module-level `let` to its initial null. */
const runMariadb = (): PrivateMariadb | null => privateMariadb;
async function abort(signal: string) {
  console.error(`\nbench: ${signal}, cleaning up`);
  const closing = activeScope?.close().then(() => privateMariadb?.stop());
  await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 20_000))]);
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
  const base = {
    case: spec.id,
    name: spec.name,
    dialect,
    metric: spec.name,
    value: NaN,
    unit: '',
    baseline: null,
    ratio: null,
    target: '',
    met: false,
    details: {},
  };
  let result: CaseResult;
  try {
    const outcome = await Promise.race([
      spec.run({ dialect, scope, tools, options, log }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`time box of ${spec.budgetMs / 1000} s exceeded`)), spec.budgetMs);
      }),
    ]);
    result = { ...base, ...outcome, seconds: 0, loadAverage: 0 };
  } catch (error) {
    result = { ...base, error: error instanceof Error ? error.message : String(error), seconds: 0, loadAverage: 0 };
  } finally {
    clearTimeout(timer);
    await scope.close();
    activeScope = null;
  }
  result.seconds = Math.round((Date.now() - started) / 100) / 10;
  result.loadAverage = Number(loadavg()[0].toFixed(2));
  const cpu = result.cpu
    ? `; CPU ${result.cpu.unit ?? 'ms'}/${result.cpu.per} server ${result.cpu.server ?? '—'}${result.cpu.db === null ? '' : ` + DB ${result.cpu.db}${result.cpu.dbApprox ? ' (approx)' : ''}`}${result.cpu.baseline === undefined || result.cpu.baseline === null ? '' : `, baseline ${result.cpu.baseline}${result.cpu.baselineDb ? ` + ${result.cpu.baselineDb}` : ''}`}`
    : '';
  log(
    result.error
      ? `FAILED: ${result.error}`
      : `${result.value} ${result.unit} (ratio ${result.ratio ?? '—'}, ${result.met === null ? 'no target' : result.met ? 'met' : 'missed'})${cpu} in ${result.seconds} s`,
  );
  return result;
}

async function startTools(): Promise<Tools> {
  const [receiver, bareKoa, load, sender] = await Promise.all(
    ['receiver', 'bare-koa', 'autocannon', 'undici-sender'].map((name) => startWorker(name)),
  );
  const receiverUrl = (await receiver.call<{ url: string }>({ cmd: 'start' })).url;
  const bareKoaUrl = (await bareKoa.call<{ url: string }>({ cmd: 'start' })).url;
  return { receiver, receiverUrl, bareKoa, bareKoaUrl, load, sender, mariadb: null };
}

/**
 * The mariadbd of the MariaDB cases: a private one (its CPU is Dispatch's alone) unless
 * `--mariadb=shared` or it cannot run here; then TEST_MYSQL_URL's server, whose CPU figures are
 * approximate (it serves others' tests too).
 */
async function mariadbFor(): Promise<DbProcess | null> {
  const why = args.get('mariadb') === 'shared' ? '--mariadb=shared' : privateMariadbUnavailable();
  if (why === null) {
    try {
      privateMariadb = await startPrivateMariadb();
      process.env.TEST_MYSQL_URL = privateMariadb.url;
      console.log(`MariaDB: private mariadbd (pid ${privateMariadb.pid}) at ${privateMariadb.url}`);
      return { pid: privateMariadb.pid, approx: false };
    } catch (error) {
      console.warn(
        `private mariadbd failed (${error instanceof Error ? error.message.slice(0, 200) : String(error)}): using ${process.env.TEST_MYSQL_URL}`,
      );
    }
  } else {
    console.log(`MariaDB: shared server at ${process.env.TEST_MYSQL_URL} (${why}); its CPU figures are approx`);
  }
  const pid = sharedMariadbPid();
  return pid === null ? null : { pid, approx: true };
}

const machine = describeMachine();
const runStarted = Date.now();
console.log(
  `Dispatch bench ${machine.date}: ${machine.nproc} × ${machine.cpu}, Node ${machine.node}, load average ${machine.loadAverageAtStart.join(' ')}`,
);
const tools = await startTools();
const results: CaseResult[] = [];
try {
  for (const dialect of await dialects()) {
    if (dialect === 'mysql') tools.mariadb = await mariadbFor();
    for (const spec of CASES.filter((c) => only.includes(c.id))) results.push(await runCase(spec, dialect, tools));
  }
} finally {
  await Promise.all([tools.receiver, tools.bareKoa, tools.load, tools.sender].map((worker) => worker.stop()));
  await runMariadb()?.stop();
  killAllChildren();
}
machine.loadAverageAtEnd = loadavg().map((l) => Number(l.toFixed(2)));
const totalSeconds = Math.round((Date.now() - runStarted) / 1000);
const markdown = markdownTable(results, machine);
const ratios = ratioLine(results, CASES);
const file = join(resultsDir, `${stamp}.json`);
writeFileSync(
  file,
  JSON.stringify(
    { machine, options, mariadb: runMariadb() ? 'private' : 'shared', total_seconds: totalSeconds, results, markdown, ratios },
    null,
    2,
  ) + '\n',
);
const copy = args.get('out') ?? join(tmpdir(), 'dispatch-bench-latest.json');
copyFileSync(file, copy);
printTable(results);
console.log(`\n${markdown}\n`);
console.log(`${ratios}\n`);
console.log(`whole run ${totalSeconds} s; results ${file}\ncopy: ${copy}`);
process.exit(results.some((r) => r.error) ? 1 : 0);
