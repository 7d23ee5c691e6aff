import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Json } from '../helpers/json.js';

/** The repository root and the built tree this file runs from (dist/test/bench → dist). */
export const DIST_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Every child this run started: killed on exit, on a signal and when a case's time is up. */
const children = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGKILLs every child still running (the run's last resort: no bench process may outlive it). */
export function killAllChildren(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Resolves with the exit code or signal once the child exited. */
export function exitOf(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode ?? -1);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
}

/** SIGTERM, then SIGKILL when the child has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<number | string> {
  const exited = exitOf(child);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), graceMs);
  });
  const first = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (first !== 'late') return first;
  child.kill('SIGKILL');
  return exited;
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A worker script of this folder (`workers/<name>.js`) forked with an IPC channel. */
export interface Worker {
  process: ChildProcess;
  /** Sends a command and resolves with the worker's answer to it. */
  call<T = Json>(command: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Forks `workers/<name>.js` (its own process, so load generator, receiver and server never share
 * an event loop). Commands carry a sequence number; the worker answers `{seq, result|error}`.
 */
export async function startWorker(name: string, args: string[] = []): Promise<Worker> {
  const child = track(
    fork(fileURLToPath(new URL(`./workers/${name}.js`, import.meta.url)), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  let seq = 0;
  const pending = new Map<number, { resolve(value: Json): void; reject(error: Error): void }>();
  child.on('message', (message: { seq: number; result?: unknown; error?: string }) => {
    const waiter = pending.get(message.seq);
    if (!waiter) return;
    pending.delete(message.seq);
    if (message.error !== undefined) waiter.reject(new Error(`${name}: ${message.error}`));
    else waiter.resolve(message.result);
  });
  child.once('exit', (code, signal) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${name} worker exited (${code ?? signal})`));
    pending.clear();
  });
  return {
    process: child,
    call(command) {
      return new Promise((resolve, reject) => {
        const id = ++seq;
        pending.set(id, { resolve, reject });
        child.send({ ...command, seq: id });
      });
    },
    async stop() {
      await stopChild(child, 2_000);
    },
  };
}

export const BENCH_ADMIN_KEY = 'rlk_bench_admin_key_0123456789abcdef';

export interface ServerChild {
  url: string;
  process: ChildProcess;
  /** Calls the API with the admin key; throws unless the status is 2xx. */
  api(method: string, path: string, body?: unknown): Promise<Json>;
  /** Current and peak resident set size of the server process, in bytes (from /proc). */
  memory(): { rss: number; peak: number };
  stop(): Promise<number | string>;
  stderr(): string;
}

/**
 * The V8 heap limit `npm start` gives the server, read from package.json's "start" script so the
 * bench measures what users run (test/appliance/compose.test.ts ties the Dockerfile to it).
 */
function startNodeOptions(): string {
  const start = (JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start;
  const heapLimit = /--max-old-space-size=\d+/.exec(start)?.[0];
  if (!heapLimit) throw new Error('package.json "start" sets no --max-old-space-size');
  return heapLimit;
}

/**
 * Resolves with the port the server reports in its "dispatch listening" log line (it listens on
 * PORT=0, so the kernel picks the port: one probed beforehand and freed again could be taken by
 * another process in between, whose /readyz would then answer for this server). Lines after
 * that one are read and dropped, so the pipe never fills.
 */
function listeningPort(child: ChildProcess, stderr: () => string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let pending = '';
    let found = false;
    const timer = setTimeout(() => reject(new Error(`server not listening within ${timeoutMs} ms: ${stderr()}`)), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`server exited during start-up: ${stderr()}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (found) return;
      pending += chunk.toString('utf8');
      // complete lines only: a chunk may end inside one
      const line = pending
        .split('\n')
        .slice(0, -1)
        .find((l) => l.includes('"dispatch listening"'));
      if (!line) return;
      found = true;
      pending = '';
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
}

/**
 * Starts the built server (`dist/server/index.js`, exactly what `npm start` runs, with its
 * NODE_OPTIONS) as a child on a loopback port of the kernel's choosing and resolves once /readyz
 * answers 200 and the bench's admin key works.
 */
export async function startServer(
  databaseUrl: string,
  options: { env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<ServerChild> {
  const child = track(
    spawn(process.execPath, [...(options.nodeArgs ?? []), `${DIST_ROOT}server/index.js`], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATABASE_URL: databaseUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        DISPATCH_ADMIN_KEY: BENCH_ADMIN_KEY,
        DISPATCH_ALLOW_PRIVATE_NETWORKS: 'true',
        // info: the start-up line carries the port; the server logs no line per request at info
        DISPATCH_LOG_LEVEL: 'info',
        NODE_OPTIONS: startNodeOptions(),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-8_000);
  });
  const deadline = Date.now() + 30_000;
  let port: number;
  try {
    port = await listeningPort(child, () => stderr, 30_000);
  } catch (error) {
    await stopChild(child, 1_000);
    throw error;
  }
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited during start-up: ${stderr}`);
    try {
      // the admin key is bootstrapped a moment after /readyz turns 200: wait for the key to work too
      if (
        (await fetch(`${url}/readyz`)).status === 200 &&
        (await fetch(`${url}/api/v1/apps?limit=1`, { headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}` } })).status === 200
      )
        break;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) {
      await stopChild(child, 1_000);
      throw new Error(`server not ready within 30 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    process: child,
    async api(method, path, body) {
      const response = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
      return (JSON.parse(text) as { data: unknown }).data;
    },
    memory: () => processMemory(child.pid as number),
    stop: () => stopChild(child, 15_000),
    stderr: () => stderr,
  };
}

/** VmRSS and VmHWM (the kernel's own peak RSS) of a process, in bytes; zeros once it is gone. */
export function processMemory(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
