import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (test/helpers/ is two levels down). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Starts a TypeScript entry point of this repo (e.g. `server/index.ts`) as a real child process,
 * through the same TypeScript loader tap uses (tsx, package.json "tap"."node-arg"), so tests need
 * no build step. tsx only transpiles (esbuild, cached under the temp dir): type errors are
 * `npm run typecheck`'s job, not the child's.
 */
export function spawnSource(entry: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import=tsx', '--enable-source-maps', entry, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a child's stdout and stderr as text while it runs. */
export function captureOutput(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return { stdout: () => stdout, stderr: () => stderr };
}

/** Resolves with the exit code (or signal name) once the child exits. */
export function exitOf(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
}

/** Polls `check` until it returns a truthy value or the timeout passes (then throws `what`). */
export async function waitUntil<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Waits for a server started with PORT=0 and DISPATCH_LOG_LEVEL=info to log "dispatch listening"
 * (after migrations and bootstrap) and returns the port it bound. The kernel picks the port when
 * the server listens: a port picked beforehand and freed again can be taken by another test's
 * server in between, whose /readyz would then answer for this one.
 */
export function waitForListeningPort(child: ChildProcess, output: { stdout: () => string; stderr: () => string }, timeoutMs: number) {
  return waitUntil(
    () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited during start-up: ${output.stderr()}`);
      const line = output
        .stdout()
        .split('\n')
        .find((l) => l.includes('"dispatch listening"'));
      return line ? (JSON.parse(line) as { port: number }).port : null;
    },
    'the server to listen',
    timeoutMs,
  );
}
