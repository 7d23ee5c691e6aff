import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { captureOutput, exitOf, spawnSource } from './source-process.js';
import { waitFor } from './wait-for.js';

export const CHILD_ADMIN_KEY = 'rlk_child_admin_key_0123456789abcdef';

export interface ChildServer {
  url: string;
  process: ChildProcess;
  /** Calls the API of this child with the admin key. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** SIGKILL: no shutdown code runs (a crash). */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | string>;
  output(): { stdout: string; stderr: string };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Spawns the real server (`server/index.ts` through tap's TypeScript loader) as a child process
 * on a free loopback port over `databaseUrl`, and resolves once /readyz answers 200.
 */
export async function startChildServer(databaseUrl: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const port = await freePort();
  const child = spawnSource('server/index.ts', [], {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    DISPATCH_ADMIN_KEY: CHILD_ADMIN_KEY,
    DISPATCH_ALLOW_PRIVATE_NETWORKS: 'true',
    DISPATCH_LOG_LEVEL: 'warn',
    ...env,
  });
  const output = captureOutput(child);
  const url = `http://127.0.0.1:${port}`;
  const exited = exitOf(child);
  let gone = false;
  void exited.then(() => { gone = true; });
  await waitFor(async () => {
    if (gone) throw new Error(`child server exited during start-up: ${output.stderr()}`);
    try {
      return (await fetch(`${url}/readyz`)).status === 200;
    } catch {
      return false;
    }
  }, 'the child server to be ready', 30_000, 100);

  return {
    url,
    process: child,
    async request(method, path, body) {
      const response = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${CHILD_ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // keep text
      }
      return { status: response.status, body: parsed };
    },
    async kill() {
      if (!gone) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!gone) child.kill('SIGTERM');
      return exited;
    },
    output: () => ({ stdout: output.stdout(), stderr: output.stderr() }),
  };
}

/** Runs `count` calls of `task(i)` with at most `parallel` at once; resolves with every result. */
export async function inParallel<T>(count: number, parallel: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  }));
  return results;
}
