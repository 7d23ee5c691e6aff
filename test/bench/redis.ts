/**
 * A private `redis-server` for the DIY BullMQ peer (case 2): its own temp dir and free loopback
 * port, AOF on with `appendfsync everysec` (BullMQ's recommended durable setting), no RDB
 * snapshots. Stopped (SIGTERM, then SIGKILL) and its dir removed by `stop()`; the process is
 * tracked like every bench child, so a killed run never leaves it behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopChild, track } from './children.js';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface RedisChild {
  port: number;
  pid: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Sends PING over a raw socket; true once the answer is +PONG (AOF loaded, ready). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

export async function startRedis(): Promise<RedisChild> {
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-bench-redis-'));
  const port = await freePort();
  const child = track(
    spawn(
      REDIS_SERVER,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
        '--daemonize',
        'no',
        '--logfile',
        '',
        '--loglevel',
        'warning',
        // BullMQ refuses to work on an evicting Redis
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    ),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const stop = async () => {
    await stopChild(child, 5_000);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start on port ${port}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { port, pid: child.pid as number, process: child, stop };
}
