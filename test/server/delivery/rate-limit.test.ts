import t from 'tap';
import { createTestDatabase } from '../../helpers/databases.js';
import { inParallel, startChildServer, type ChildServer } from '../../helpers/child-server.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { createApp, createEndpoint, runDispatcher, send } from '../../helpers/dispatch-fixtures.js';
import { startReceiver, type ReceivedRequest } from '../../helpers/receiver.js';
import { waitFor } from '../../helpers/wait-for.js';

// child processes and thousands of messages: more than tap's default per-file budget on a busy 2-core box
t.setTimeout(300_000);

/** The most requests that arrived within any rolling 1-second window. */
function busiestSecond(requests: ReceivedRequest[]): number {
  const times = requests.map((r) => r.at).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

const MESSAGES = 18;

forEachDatabase(
  t,
  'rate limit: an endpoint with rate_limit 5 never gets more than 5 in any second, and loses nothing',
  async (t, server) => {
    runDispatcher(t, server);
    const limited = await startReceiver();
    const free = await startReceiver();
    t.teardown(() => Promise.all([limited.close(), free.close()]));
    const setup = await createApp(server);
    await createEndpoint(server, setup, 'acme', { url: limited.url, rate_limit: 5 });
    await createEndpoint(server, setup, 'acme', { url: free.url });
    const ids = [];
    for (let i = 0; i < MESSAGES; i++) ids.push((await send(server, setup, { event_type: 'invoice.paid', payload: { i } })).id);
    await free.waitForRequests(MESSAGES);
    await limited.waitForRequests(MESSAGES, 20_000);
    t.ok(busiestSecond(free.requests) > 5, 'the unlimited endpoint is not held back');
    t.ok(busiestSecond(limited.requests) <= 5, `at most 5 in any second (busiest: ${busiestSecond(limited.requests)})`);
    t.same(new Set(limited.requests.map((r) => r.headers['webhook-id'])), new Set(ids), 'every message arrived');
    // the receiver sees a request before its attempt is recorded: wait for the last write
    await waitFor(async () => (await server.db('deliveries').where({ status: 'pending' })).length === 0, 'every delivery finished');
    const attempts = await server.db('attempts');
    t.equal(attempts.length, 2 * MESSAGES, 'waiting for a slot is not an attempt');
    t.ok(attempts.every((a) => a.status === 'succeeded' && Number(a.attempt) === 1));
  },
);

t.test(
  'rate limit: two processes sharing one database keep an endpoint under its limit',
  { skip: process.env.TEST_MYSQL_URL ? false : 'needs TEST_MYSQL_URL' },
  async (t) => {
    const database = await createTestDatabase('mysql');
    t.teardown(() => database.drop());
    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    const children: ChildServer[] = [];
    for (let i = 0; i < 2; i++) {
      const child = await startChildServer(database.url);
      t.teardown(() => child.kill());
      children.push(child);
    }
    const call = async (child: ChildServer, method: string, path: string, body?: unknown) => {
      const response = await child.request(method, `/api/v1${path}`, body);
      if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(response.body)}`);
      return response.body.data;
    };
    const app = await call(children[0], 'POST', '/apps', { name: 'rl' });
    await call(children[0], 'POST', `/apps/${app.id}/event-types`, { name: 'tick' });
    await call(children[0], 'POST', `/apps/${app.id}/recipients`, { uid: 'r' });
    await call(children[0], 'POST', `/apps/${app.id}/recipients/r/endpoints`, { url: receiver.url, rate_limit: 5 });
    // both processes accept (and so claim) messages for the same endpoint
    const ids = await inParallel(
      MESSAGES,
      6,
      async (i) => (await call(children[i % 2], 'POST', `/apps/${app.id}/messages`, { event_type: 'tick', payload: { i } })).id as string,
    );
    await receiver.waitForRequests(MESSAGES, 30_000);
    t.ok(busiestSecond(receiver.requests) <= 5, `at most 5 in any second (busiest: ${busiestSecond(receiver.requests)})`);
    t.same(new Set(receiver.requests.map((r) => r.headers['webhook-id'])), new Set(ids), 'none lost');
    t.equal(receiver.requests.length, MESSAGES, 'none sent twice');
  },
);
