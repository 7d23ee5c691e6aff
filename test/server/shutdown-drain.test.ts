import t from 'tap';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createTestDatabase, testDialects } from '../helpers/databases.js';
import { CHILD_ADMIN_KEY, startChildServer, type ChildServer } from '../helpers/child-server.js';
import { exitOf } from '../helpers/source-process.js';
import { waitFor } from '../helpers/wait-for.js';
import type { Json } from '../helpers/json.js';

interface SlowSend {
  /** Writes the rest of the body: the request completes only now. */
  finish(): void;
  response: Promise<{ status: number; connection: string | undefined; body: Json }>;
}

/**
 * Starts POST /messages with a large body and sends only its first half. `Expect: 100-continue`
 * makes the server confirm it has the request (headers parsed, handler running) before any body
 * byte is sent, so the request is provably in progress when this resolves.
 */
async function startSlowSend(server: ChildServer, appId: string, n: number): Promise<SlowSend> {
  const body = Buffer.from(JSON.stringify({ event_type: 'order.paid', payload: { n, filler: 'x'.repeat(256 * 1024) } }));
  const half = Math.floor(body.length / 2);
  const url = new URL(`/api/v1/apps/${appId}/messages`, server.url);
  let req!: ClientRequest;
  const response = new Promise<{ status: number; connection: string | undefined; body: Json }>((resolve, reject) => {
    req = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${CHILD_ADMIN_KEY}`,
          'content-type': 'application/json',
          'content-length': String(body.length),
          expect: '100-continue',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
  await new Promise<void>((resolve) => req.once('continue', () => req.write(body.subarray(0, half), () => resolve())));
  return { finish: () => req.end(body.subarray(half)), response };
}

/** A kept-alive connection that has answered one request and now sits idle; `closed` resolves when the server closes it. */
async function idleKeepAlive(url: string): Promise<{ closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  let seen = '';
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const [head, rest] = seen.split('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(head)?.[1];
      if (rest !== undefined && length !== undefined && Buffer.byteLength(rest) >= Number(length)) resolve();
    });
    socket.write(`GET /healthz HTTP/1.1\r\nHost: ${hostname}\r\nConnection: keep-alive\r\n\r\n`);
  });
  return { closed };
}

/** True once a new TCP connection to `url` is refused. */
function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

for (const dialect of testDialects()) {
  t.test(`SIGTERM answers the sends in progress with 202, refuses new connections and exits 0 [${dialect}]`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const server = await startChildServer(database.url, { DISPATCH_SHUTDOWN_GRACE: '20s' });
    t.teardown(() => server.kill());
    const app = (await server.request('POST', '/api/v1/apps', { name: 'drain' })).body.data;
    t.equal((await server.request('POST', `/api/v1/apps/${app.id}/event-types`, { name: 'order.paid' })).status, 201);

    const idle = await idleKeepAlive(server.url);
    const sends = await Promise.all([0, 1, 2, 3].map((n) => startSlowSend(server, app.id, n)));
    const exited = exitOf(server.process);
    server.process.kill('SIGTERM');

    await idle.closed;
    t.pass('an idle kept-alive connection is closed at once, not at the grace');
    await waitFor(() => refusesConnections(server.url), 'new connections to be refused');
    t.pass('new connections are refused from the signal on');

    // the last bytes of every body arrive only after the signal
    for (const send of sends) send.finish();
    const answers = await Promise.all(sends.map((send) => send.response));
    const ids: string[] = [];
    for (const answer of answers) {
      t.equal(answer.status, 202, 'a send in progress at the signal gets its 202');
      t.equal(answer.connection, 'close', 'and its connection closes after the answer');
      ids.push(answer.body.data.id);
    }
    t.equal(await exited, 0, 'exits 0');

    const again = await startChildServer(database.url);
    t.teardown(() => again.kill());
    for (const [n, id] of ids.entries()) {
      const shown = await again.request('GET', `/api/v1/apps/${app.id}/messages/${id}`);
      t.equal(shown.status, 200, `message ${n} is still there after the restart`);
      t.equal(shown.body.data.payload.n, n);
    }
    t.equal(await again.stop(), 0);
  });

  t.test(`SIGTERM closes a request still incomplete at the grace, accepts nothing of it and exits 0 [${dialect}]`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const server = await startChildServer(database.url, { DISPATCH_SHUTDOWN_GRACE: '300ms' });
    t.teardown(() => server.kill());
    const app = (await server.request('POST', '/api/v1/apps', { name: 'grace' })).body.data;
    await server.request('POST', `/api/v1/apps/${app.id}/event-types`, { name: 'order.paid' });

    const stuck = await startSlowSend(server, app.id, 0);
    const outcome = stuck.response.then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code,
    );
    const exited = exitOf(server.process);
    server.process.kill('SIGTERM');
    t.equal(await exited, 0, 'exits 0 once the grace is over');
    t.equal(await outcome, 'ECONNRESET', 'the unfinished request is closed without an answer');

    const again = await startChildServer(database.url);
    t.teardown(() => again.kill());
    const listed = await again.request('GET', `/api/v1/apps/${app.id}/messages`);
    t.same(listed.body.data, [], 'nothing was accepted from it');
    t.equal(await again.stop(), 0);
  });
}
