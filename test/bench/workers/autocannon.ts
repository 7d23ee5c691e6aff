/** autocannon through its programmatic API, in its own process so it never shares the server's CPU loop. */
import autocannon from 'autocannon';
import { serve } from './ipc.js';

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
}

serve({
  async run(command: {
    url: string;
    method: string;
    headers: Record<string, string>;
    body?: string;
    connections: number;
    seconds: number;
  }): Promise<LoadResult> {
    const result = await autocannon({
      url: command.url,
      method: command.method,
      headers: command.headers,
      body: command.body,
      connections: command.connections,
      duration: command.seconds,
    });
    return {
      requestsPerSecond: result.requests.total / (result.duration || command.seconds),
      total: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      p50: result.latency.p50,
      p99: result.latency.p99,
    };
  },
});
