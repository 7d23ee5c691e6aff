import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { exitOf } from './source-process.js';
import { waitFor } from './wait-for.js';

const MARIADBD = '/usr/sbin/mariadbd';

/**
 * A private MariaDB server for tests that stop and crash the database: its own datadir under the
 * temp directory, its own loopback port and socket, `--skip-grant-tables` (root without a
 * password over TCP). The server can be SIGKILLed and started again on the same datadir and port.
 */
export interface MariadbInstance {
  port: number;
  /** `mysql://root@127.0.0.1:<port>/<database>` */
  url(database: string): string;
  /** The running mariadbd's pid (null while stopped). */
  pid(): number | null;
  /** SIGKILL: no shutdown, InnoDB recovers at the next start (a crash). */
  kill(): Promise<void>;
  /** Starts mariadbd again on the same datadir and port; resolves once it answers a query. */
  start(): Promise<void>;
  /** Runs one statement as root (e.g. CREATE DATABASE). */
  query(sql: string): Promise<void>;
  /** What mariadbd wrote to stderr (its error log), for failure messages. */
  log(): string;
  /** Kills the server and removes its files. */
  destroy(): Promise<void>;
}

/** Why a private instance cannot run here, or null when it can. Use as tap's `{ skip }`. */
export function mariadbUnavailableReason(): string | null {
  if (!findOnPath('mariadb-install-db')) return 'mariadb-install-db is not installed';
  try {
    accessSync(MARIADBD, constants.X_OK);
  } catch {
    return `${MARIADBD} is not installed`;
  }
  if (process.getuid?.() !== 0) return 'a private MariaDB instance needs root (the datadir is chowned to mysql)';
  return null;
}

function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Creates a datadir with `mariadb-install-db` and starts mariadbd on a free loopback port. */
export async function startMariadbInstance(): Promise<MariadbInstance> {
  const root = mkdtempSync(join(tmpdir(), 'dispatch-mariadb-'));
  const datadir = join(root, 'data');
  const socket = join(root, 'sock');
  const run = promisify(execFile);
  // mkdtemp's directory is root-only: mariadbd runs as mysql and must create files in it
  await run('chown', ['mysql:mysql', root]);
  // --no-defaults: the system my.cnf points at the machine's own server (and breaks the install)
  await run(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${datadir}`, '--user=mysql', '--skip-test-db', '--auth-root-authentication-method=normal'],
    { timeout: 60_000 },
  );
  await run('chown', ['-R', 'mysql:mysql', root]);
  const port = await freePort();
  let child: ChildProcess | null = null;
  let stderr = '';

  const url = (database: string) => `mysql://root@127.0.0.1:${port}/${database}`;
  const answers = async () => {
    const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1_000 }).catch(() => null);
    if (!conn) return false;
    await conn.end();
    return true;
  };

  const instance: MariadbInstance = {
    port,
    url,
    pid: () => child?.pid ?? null,
    async start() {
      if (child) throw new Error('mariadbd is already running');
      const started = spawn(
        MARIADBD,
        [
          '--no-defaults',
          `--datadir=${datadir}`,
          `--port=${port}`,
          '--bind-address=127.0.0.1',
          `--socket=${socket}`,
          `--pid-file=${join(root, 'mariadbd.pid')}`,
          '--user=mysql',
          '--skip-grant-tables',
          '--skip-name-resolve',
          // small and quick: a test instance holds a few thousand rows
          '--innodb-buffer-pool-size=64M',
          '--innodb-log-file-size=16M',
          '--performance-schema=OFF',
          '--max-connections=200',
          // commits reach the OS at once (a SIGKILLed mariadbd loses none) without an fsync each
          '--innodb-flush-log-at-trx-commit=2',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      started.stderr?.on('data', (chunk) => (stderr += chunk));
      child = started;
      const exited = exitOf(started).then((code) => {
        if (child === started) child = null;
        return code;
      });
      await waitFor(
        async () => {
          if (child !== started) throw new Error(`mariadbd exited during start-up (${await exited}): ${stderr.slice(-2_000)}`);
          return answers();
        },
        'the private mariadbd to answer',
        30_000,
        50,
      );
    },
    async kill() {
      const running = child;
      if (!running) return;
      const exited = exitOf(running);
      running.kill('SIGKILL');
      await exited;
      child = null;
    },
    async query(sql) {
      const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
      try {
        await conn.query(sql);
      } finally {
        await conn.end();
      }
    },
    log: () => stderr,
    async destroy() {
      await instance.kill();
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await instance.start();
  } catch (error) {
    await instance.destroy();
    throw error;
  }
  return instance;
}
