/**
 * undici clients in their own process: `burst` is the raw baseline of the delivery cases
 * (undici + p-queue posting straight to the receiver at the dispatcher's concurrency); `paced`
 * offers requests at a fixed rate and reports when each answered (with the `data.id` of a 202).
 */
import PQueue from 'p-queue';
import { Agent } from 'undici';
import { preciseNow, serve } from './ipc.js';

interface Target {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000 });

async function post(target: Target, path?: string): Promise<{ status: number; text: string }> {
  const url = new URL(target.url);
  const response = await agent.request({
    origin: url.origin,
    path: path ?? url.pathname + url.search,
    method: 'POST',
    headers: target.headers,
    body: target.body,
  });
  return { status: response.statusCode, text: await response.body.text() };
}

serve({
  /** `count` POSTs with at most `concurrency` in flight (each to `<url>/<i % paths>` when `paths` is set). */
  async burst(command: Target & { count: number; concurrency: number; paths?: number }) {
    const queue = new PQueue({ concurrency: command.concurrency });
    const base = new URL(command.url).pathname.replace(/\/$/, '');
    let failed = 0;
    const started = preciseNow();
    for (let i = 0; i < command.count; i++) {
      void queue.add(async () => {
        const { status } = await post(command, command.paths ? `${base}/${i % command.paths}` : undefined);
        if (status < 200 || status >= 300) failed++;
      });
    }
    await queue.onIdle();
    const ms = preciseNow() - started;
    return { ms, perSecond: command.count / (ms / 1000), failed };
  },
  /**
   * Offers `rate` requests per second for `seconds`, whatever the answers take (an open loop, so
   * a slow server cannot slow the offer). Returns `[id or '', sentAt, answeredAt, status]` each.
   */
  async paced(command: Target & { rate: number; seconds: number }) {
    const total = Math.round(command.rate * command.seconds);
    const results: [string, number, number, number][] = [];
    const inFlight: Promise<void>[] = [];
    const started = preciseNow();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((preciseNow() - started) / 1000) * command.rate) + 1);
      for (; sent < due; sent++) {
        const sentAt = preciseNow();
        inFlight.push(
          post(command).then(
            ({ status, text }) => {
              const answeredAt = preciseNow();
              let id = '';
              if (status === 202) id = (JSON.parse(text) as { data: { id: string } }).data.id;
              results.push([id, sentAt, answeredAt, status]);
            },
            () => {
              results.push(['', sentAt, preciseNow(), 0]);
            },
          ),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const offeredPerSecond = total / ((preciseNow() - started) / 1000);
    await Promise.all(inFlight);
    return { offeredPerSecond, results };
  },
});
