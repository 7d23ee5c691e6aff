/**
 * A private mariadbd for the bench's MariaDB cases, so its CPU per message counts only Dispatch's
 * work (the machine's shared mariadbd also serves other engineers' tests). Durability as the
 * machine's shared server and MariaDB's default (`innodb_flush_log_at_trx_commit = 1`: a commit
 * is fsynced before Dispatch answers 202); a 1 GB buffer pool and 256 MB redo log (the shared
 * server has Debian's 128 MB / 96 MB) so the 1M-message history of case 7 (~1 GB) is seeded and
 * read from memory, as on a sized production server. Its datadir lives in a
 * temp dir that `stop()` removes; the process is tracked like every bench child.
 */
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort, stopChild, track } from './children.js';

const MARIADBD = '/usr/sbin/mariadbd';

export interface PrivateMariadb {
  /** `mysql://root@127.0.0.1:<port>/test` (what TEST_MYSQL_URL would be). */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Why a private instance cannot run here (the bench then uses the shared server), or null. */
export function privateMariadbUnavailable(): string | null {
  try {
    accessSync(MARIADBD, constants.X_OK);
  } catch {
    return `${MARIADBD} is not installed`;
  }
  if (process.getuid?.() !== 0) return 'a private mariadbd needs root (its datadir is chowned to mysql)';
  return null;
}

export async function startPrivateMariadb(): Promise<PrivateMariadb> {
  const root = mkdtempSync(join(tmpdir(), 'dispatch-bench-mariadb-'));
  const datadir = join(root, 'data');
  const run = promisify(execFile);
  await run('chown', ['mysql:mysql', root]);
  // --no-defaults: the system my.cnf describes the machine's own server
  await run(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${datadir}`, '--user=mysql', '--skip-test-db', '--auth-root-authentication-method=normal'],
    { timeout: 60_000 },
  );
  await run('chown', ['-R', 'mysql:mysql', root]);
  const port = await freePort();
  const child = track(
    spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(root, 'sock')}`,
        `--pid-file=${join(root, 'mariadbd.pid')}`,
        '--user=mysql',
        '--skip-grant-tables',
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=1G',
        '--innodb-log-file-size=256M',
        '--innodb-flush-log-at-trx-commit=1',
        '--performance-schema=OFF',
        '--max-connections=300',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    ),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const stop = async () => {
    await stopChild(child, 20_000);
    rmSync(root, { recursive: true, force: true });
  };
  const url = `mysql://root@127.0.0.1:${port}/test`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    // a plain connection: knex's pool would log every refused attempt while mariadbd starts
    const probe = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1_000 }).catch(() => null);
    if (probe) {
      await probe.end();
      break;
    }
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`private mariadbd did not start: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, pid: child.pid as number, stop };
}
