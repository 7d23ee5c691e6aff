/**
 * A bare node:http receiver (the webhook endpoint of the delivery cases): reads the body, answers
 * 200 at once, and counts. With `record` on it also keeps each request's `webhook-id` and arrival
 * time, for accept → first attempt latency.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { preciseNow, serve } from './ipc.js';

let count = 0;
let first = 0;
let last = 0;
let record = false;
let arrivals: [string, number][] = [];
let waiters: { count: number; resolve(): void }[] = [];

const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    const at = preciseNow();
    count++;
    if (first === 0) first = at;
    last = at;
    if (record) arrivals.push([String(req.headers['webhook-id'] ?? ''), at]);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    if (waiters.length > 0) {
      waiters = waiters.filter((w) => {
        if (count < w.count) return true;
        w.resolve();
        return false;
      });
    }
  });
});
server.keepAliveTimeout = 60_000;

const stats = () => ({ count, first, last });

serve({
  async start() {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  },
  reset(command: { record?: boolean }) {
    count = 0;
    first = 0;
    last = 0;
    arrivals = [];
    record = command.record === true;
    return stats();
  },
  stats,
  /** Resolves once `count` requests arrived, or with what arrived when `timeoutMs` passed. */
  async waitFor(command: { count: number; timeoutMs: number }) {
    if (count < command.count) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, command.timeoutMs);
        waiters.push({
          count: command.count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    return stats();
  },
  arrivals: () => arrivals,
});
