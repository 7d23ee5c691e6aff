import type { ChildProcess } from 'node:child_process';
import { captureOutput, exitOf, spawnSource, waitForListeningPort } from './source-process.js';
import type { Json } from './json.js';

export const CHILD_ADMIN_KEY = 'rlk_child_admin_key_0123456789abcdef';

export interface ChildServer {
  url: string;
  process: ChildProcess;
  /** Calls the API of this child with the admin key. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }>;
  /** SIGKILL: no shutdown code runs (a crash). */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | string>;
  output(): { stdout: string; stderr: string };
}

/**
 * Spawns the real server (`server/index.ts` through tap's TypeScript loader) as a child process
 * on a loopback port the kernel picks (read from its "listening" log line) over `databaseUrl`,
 * and resolves once /readyz answers 200.
 */
export async function startChildServer(databaseUrl: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawnSource('server/index.ts', [], {
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    DISPATCH_ADMIN_KEY: CHILD_ADMIN_KEY,
    DISPATCH_ALLOW_PRIVATE_NETWORKS: 'true',
    // info, for the "dispatch listening" line that names the port (the server logs little else at info)
    DISPATCH_LOG_LEVEL: 'info',
    // SIGTERM (stop()) waits at most this long for in-flight work; tests that check the drain
    // itself pass their own value, the rest must not sit through the 10 s default
    DISPATCH_SHUTDOWN_GRACE: '2s',
    ...env,
  });
  const output = captureOutput(child);
  const exited = exitOf(child);
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const url = `http://127.0.0.1:${await waitForListeningPort(child, output, 30_000)}`;
  // it logs "listening" once migrated and bootstrapped: /readyz must agree
  const ready = await fetch(`${url}/readyz`);
  if (ready.status !== 200) throw new Error(`child server at ${url} logged "listening" but /readyz answered ${ready.status}`);

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
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}
