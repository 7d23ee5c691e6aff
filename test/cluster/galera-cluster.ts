import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { exitOf } from '../helpers/source-process.js';
import { waitFor } from '../helpers/wait-for.js';

const MARIADBD = '/usr/sbin/mariadbd';
const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';

/**
 * A Galera (multi-primary MariaDB) cluster on loopback for tests: each node has its own datadir,
 * socket and ports under one temp directory, is started and stopped by pid, and replicates with
 * rsync SST. `--skip-grant-tables`: root over TCP without a password (test only). Nothing is
 * installed here: `.ci/run` installs galera-4 and rsync when they are missing.
 */
export interface GaleraNode {
  index: number;
  port: number;
  /** `mysql://root@127.0.0.1:<port>/<database>` */
  url(database: string): string;
  pid(): number | null;
  /** SIGKILL (a crash): the others evict it after the suspect timeout and carry on with quorum. */
  kill(): Promise<void>;
  log(): string;
}

export interface GaleraCluster {
  nodes: GaleraNode[];
  /** Runs one statement on a node as root. */
  query<T = unknown>(node: number, sql: string): Promise<T>;
  /** Kills every node and removes the files. */
  destroy(): Promise<void>;
}

/** Why a Galera cluster cannot run here, or null when it can. */
export function galeraUnavailableReason(): string | null {
  for (const [file, what] of [
    [GALERA_PROVIDER, 'galera-4 is not installed (apt-get install galera-4 rsync)'],
    [MARIADBD, 'mariadb-server is not installed'],
    ['/usr/bin/rsync', 'rsync is not installed (Galera SST)'],
    ['/usr/bin/mariadb-install-db', 'mariadb-install-db is not installed'],
  ] as const) {
    try {
      accessSync(file, constants.R_OK);
    } catch {
      return what;
    }
  }
  if (process.getuid?.() !== 0) return 'a Galera cluster needs root (datadirs are chowned to mysql)';
  return null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface NodePorts {
  sql: number;
  gcomm: number;
  ist: number;
  sst: number;
}

function nodeConfig(dir: string, index: number, ports: NodePorts, all: NodePorts[]): string {
  const cluster = all.map((p) => `127.0.0.1:${p.gcomm}`).join(',');
  // quick failure detection (a killed node is evicted within ~3 s, not the default ~15 s);
  // keepalive <= inactive_check < suspect < inactive is required by Galera
  const provider = [
    `gmcast.listen_addr=tcp://127.0.0.1:${ports.gcomm}`,
    `ist.recv_addr=127.0.0.1:${ports.ist}`,
    'gcache.size=64M',
    'evs.keepalive_period=PT0.5S',
    'evs.inactive_check_period=PT0.5S',
    'evs.suspect_timeout=PT2S',
    'evs.inactive_timeout=PT3S',
    'evs.install_timeout=PT3S',
  ].join(';');
  return `[mysqld]
datadir=${join(dir, 'data')}
socket=${join(dir, 'mysqld.sock')}
pid-file=${join(dir, 'mysqld.pid')}
port=${ports.sql}
bind-address=127.0.0.1
user=mysql
skip-grant-tables
skip-name-resolve
performance-schema=OFF
max-connections=300
innodb-buffer-pool-size=96M
innodb-log-file-size=32M
innodb-flush-log-at-trx-commit=2
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=${GALERA_PROVIDER}
wsrep_cluster_name=dispatch_test
wsrep_cluster_address=gcomm://${cluster}
wsrep_node_address=127.0.0.1:${ports.gcomm}
wsrep_node_name=node${index}
wsrep_provider_options="${provider}"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:${ports.sst}
wsrep_slave_threads=2
`;
}

/**
 * Starts `size` nodes: the first with --wsrep-new-cluster, the others joining it one by one
 * (each waits for the cluster to report it synced). Resolves once every node is Synced and
 * `wsrep_cluster_size` is `size`.
 */
export async function startGaleraCluster(size = 3): Promise<GaleraCluster> {
  const root = mkdtempSync(join(tmpdir(), 'dispatch-galera-'));
  // mkdtemp's directory is root-only; mariadbd runs as mysql
  chmodSync(root, 0o755);
  const run = promisify(execFile);
  const ports: NodePorts[] = [];
  for (let i = 0; i < size; i++)
    ports.push({ sql: await freePort(), gcomm: await freePort(), ist: await freePort(), sst: await freePort() });
  const children: (ChildProcess | null)[] = new Array<ChildProcess | null>(size).fill(null);
  const logs: string[] = new Array<string>(size).fill('');
  const dirs = ports.map((_, i) => join(root, `node${i + 1}`));

  async function connect(i: number) {
    return mysql.createConnection({ host: '127.0.0.1', port: ports[i].sql, user: 'root', connectTimeout: 2_000 });
  }
  async function status(i: number): Promise<Record<string, string> | null> {
    const conn = await connect(i).catch(() => null);
    if (!conn) return null;
    try {
      const [rows] = (await conn.query(
        "SHOW STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_cluster_size', 'wsrep_local_state_comment')",
      )) as [{ Variable_name: string; Value: string }[], unknown];
      return Object.fromEntries(rows.map((row) => [row.Variable_name, row.Value]));
    } catch {
      return null;
    } finally {
      await conn.end().catch(() => undefined);
    }
  }

  async function startNode(i: number, bootstrap: boolean): Promise<void> {
    const configFile = join(dirs[i], 'my.cnf');
    const child = spawn(MARIADBD, [`--defaults-file=${configFile}`, ...(bootstrap ? ['--wsrep-new-cluster'] : [])], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      // keep the tail only: a node logs a lot during SST
      logs[i] = (logs[i] + chunk.toString()).slice(-20_000);
    });
    children[i] = child;
    const exited = exitOf(child);
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`galera node ${i + 1} exited during start-up (${await exited}): ${logs[i].slice(-3_000)}`);
        const s = await status(i);
        return s?.wsrep_ready === 'ON' && s.wsrep_local_state_comment === 'Synced';
      },
      `galera node ${i + 1} to be synced`,
      90_000,
      250,
    );
  }

  const cluster: GaleraCluster = {
    nodes: ports.map((p, i) => ({
      index: i + 1,
      port: p.sql,
      url: (database: string) => `mysql://root@127.0.0.1:${p.sql}/${database}`,
      pid: () => children[i]?.pid ?? null,
      async kill() {
        const child = children[i];
        if (!child) return;
        const exited = exitOf(child);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
        children[i] = null;
      },
      log: () => logs[i],
    })),
    async query<T>(node: number, sql: string): Promise<T> {
      const conn = await connect(node);
      try {
        const [rows] = await conn.query(sql);
        return rows as T;
      } finally {
        await conn.end();
      }
    },
    async destroy() {
      await Promise.all(cluster.nodes.map((node) => node.kill()));
      rmSync(root, { recursive: true, force: true });
    },
  };

  try {
    for (let i = 0; i < size; i++) {
      mkdirSync(dirs[i]);
      writeFileSync(join(dirs[i], 'my.cnf'), nodeConfig(dirs[i], i + 1, ports[i], ports));
      // --no-defaults: the machine's my.cnf points at its own server (and breaks the install)
      await run(
        'mariadb-install-db',
        [
          '--no-defaults',
          `--datadir=${join(dirs[i], 'data')}`,
          '--user=mysql',
          '--skip-test-db',
          '--auth-root-authentication-method=normal',
        ],
        { timeout: 60_000 },
      );
    }
    // rsync SST runs as mysql and must write every file of the joiner's tree
    await run('chown', ['-R', 'mysql:mysql', root]);
    await startNode(0, true);
    for (let i = 1; i < size; i++) await startNode(i, false);
    await waitFor(async () => (await status(0))?.wsrep_cluster_size === String(size), `a cluster of ${size}`, 30_000, 250);
  } catch (error) {
    const tails = dirs.map((dir, i) => `node${i + 1}: ${logs[i].slice(-1_500)}${readTail(join(dir, 'data', 'mysqld.err'))}`).join('\n');
    await cluster.destroy();
    throw new Error(`${(error as Error).message}\n${tails}`);
  }
  return cluster;
}

function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-1_000);
  } catch {
    return '';
  }
}
