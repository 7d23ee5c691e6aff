import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

export interface TuiBuild {
  /** Absolute path of the compiled entry (`…/tui/index.js`). */
  entry: string;
  remove(): void;
}

/**
 * Compiles tui/ (and what it imports) with the project's tsconfig into a private folder under
 * dist/, so the end-to-end test runs real emitted JavaScript without touching the shared dist/
 * build. The folder sits inside the repository so Node resolves ink and react from node_modules.
 */
export async function buildTui(): Promise<TuiBuild> {
  const dir = join(ROOT, 'dist', `tui-e2e-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: { rootDir: ROOT, outDir: join(dir, 'out'), incremental: false, sourceMap: false, noEmitOnError: true },
      include: [join(ROOT, 'tui')],
    }),
  );
  try {
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: ROOT });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const err = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`tsc failed: ${err.stdout || err.stderr || err.message}`);
  }
  return { entry: join(dir, 'out', 'tui', 'index.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
