import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { waitFor } from './wait-for.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Arrival time, epoch ms. */
  at: number;
}

/** What the receiver answers to one request; `hang: true` never answers. */
export interface ProgrammedResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  hang?: boolean;
  /** Answer only after this many milliseconds. */
  delayMs?: number;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** TCP connections accepted so far (0 proves that nothing connected). */
  connections(): number;
  /** Replaces the responder: called with each request and its 0-based index. */
  respond(responder: (request: ReceivedRequest, index: number) => ProgrammedResponse): void;
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/**
 * A real HTTP receiver on a loopback port that records every request (headers, raw body bytes,
 * arrival time) and answers as programmed (default 200 `ok`).
 */
export async function startReceiver(responder?: (request: ReceivedRequest, index: number) => ProgrammedResponse): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let respond: (request: ReceivedRequest, index: number) => ProgrammedResponse = responder ?? (() => ({ status: 200, body: 'ok' }));
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      const index = requests.push(request) - 1;
      const answer = respond(request, index);
      if (answer.hang) return;
      const reply = () => {
        res.writeHead(answer.status ?? 200, answer.headers ?? {});
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    respond(next) {
      respond = next;
    },
    async waitForRequests(count, timeoutMs = 10_000) {
      await waitFor(() => requests.length >= count, `${count} requests at the receiver (got ${requests.length})`, timeoutMs);
      return requests;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
