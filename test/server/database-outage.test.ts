import t from 'tap';
import { CHILD_ADMIN_KEY, startChildServer, type ChildServer } from '../helpers/child-server.js';
import { mariadbUnavailableReason, startMariadbInstance } from '../helpers/mariadb-instance.js';
import { startReceiver } from '../helpers/receiver.js';
import { waitFor } from '../helpers/wait-for.js';
import type { Json } from '../helpers/json.js';

/** Upper bounds, so a broken server cannot make this test run away. */
const SENDERS = 32;
const MAX_SENDS = 6_000;
const REQUEST_TIMEOUT_MS = 15_000;
const OUTAGE_MS = 3_000;
const CRASHES = 2;
const ACCEPTED_PER_PHASE = 100;

/** `down`: sent after the database was killed and before it was started again. */
type Phase = 'up' | 'down';

interface Answer {
  phase: Phase;
  status: number;
  error: string | null;
  id: string | null;
}

async function api(server: ChildServer, method: string, path: string, body?: unknown): Promise<Json> {
  const response = await server.request(method, `/api/v1${path}`, body);
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.data;
}

/** One message send; a transport failure (reset, refused, timeout) is status 0 with its code. */
async function sendOne(url: string, body: string, phase: Phase): Promise<Answer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${CHILD_ADMIN_KEY}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let parsed: Json = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: kept as the error below
    }
    return { phase, status: response.status, error: parsed?.error ?? (parsed ? null : text.slice(0, 200)), id: parsed?.data?.id ?? null };
  } catch (thrown) {
    const error = thrown as Error & { cause?: { code?: string } };
    return { phase, status: 0, error: error.cause?.code ?? error.name, id: null };
  }
}

t.test(
  'a database crash mid-load answers only 202 or 503 and loses no accepted message',
  { skip: mariadbUnavailableReason() ?? false, timeout: 120_000 },
  async (t) => {
    const database = await startMariadbInstance();
    t.teardown(() => database.destroy());
    await database.query('CREATE DATABASE dispatch CHARACTER SET utf8mb4 COLLATE utf8mb4_bin');
    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    // a short request timeout keeps leases short: a row claimed just before the crash comes back soon
    const server = await startChildServer(database.url('dispatch'), { DISPATCH_REQUEST_TIMEOUT: '1s' });
    t.teardown(() => server.kill());

    const app = await api(server, 'POST', '/apps', { name: 'outage' });
    await api(server, 'POST', `/apps/${app.id}/event-types`, { name: 'tick' });
    const recipient = await api(server, 'POST', `/apps/${app.id}/recipients`, { uid: 'r1' });
    await api(server, 'POST', `/apps/${app.id}/recipients/${recipient.id}/endpoints`, { url: `${receiver.url}/hook` });

    const answers: Answer[] = [];
    let phase: Phase = 'up';
    let stopped = false;
    let sent = 0;
    const count = (which: Phase, status: number, since = 0) =>
      answers.slice(since).filter((a) => a.phase === which && a.status === status).length;
    const sendersDone = Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (!stopped && sent < MAX_SENDS) {
          const body = JSON.stringify({ event_type: 'tick', payload: { n: sent++ } });
          answers.push(await sendOne(`${server.url}/api/v1/apps/${app.id}/messages`, body, phase));
        }
      }),
    );

    try {
      // each crash lands while requests are in flight: the senders never pause
      for (let cycle = 1; cycle <= CRASHES; cycle++) {
        const upFrom = answers.length;
        await waitFor(() => count('up', 202, upFrom) >= ACCEPTED_PER_PHASE, `messages accepted before crash ${cycle}`, 30_000);
        const downFrom = answers.length;
        phase = 'down';
        const killedAt = Date.now();
        await database.kill();
        await waitFor(
          () => Date.now() - killedAt >= OUTAGE_MS && count('down', 503, downFrom) > 0,
          `refusals during outage ${cycle}`,
          15_000,
        );
        await database.start();
        phase = 'up';
      }
      const upFrom = answers.length;
      await waitFor(() => count('up', 202, upFrom) >= ACCEPTED_PER_PHASE, 'messages accepted after the last restart', 30_000);
    } finally {
      stopped = true;
      await sendersDone;
    }

    const unexpected = answers.filter((a) => !(a.status === 202 || (a.status === 503 && a.error === 'database_unavailable')));
    t.same(
      unexpected.slice(0, 10),
      [],
      `every answer is 202 or 503 database_unavailable (${unexpected.length} of ${answers.length} were not)`,
    );
    t.ok(count('down', 503) >= CRASHES, 'every outage was seen by the API');
    t.ok(sent < MAX_SENDS, 'the load stayed within its bound');

    const accepted = answers.filter((a) => a.status === 202).map((a) => a.id as string);
    const delivered = () => new Set(receiver.requests.map((r) => r.headers['webhook-id'] as string));
    await waitFor(() => accepted.every((id) => delivered().has(id)), 'every accepted message at the receiver', 30_000, 200).catch(
      () => null,
    );
    const missing = accepted.filter((id) => !delivered().has(id));
    t.same(missing.slice(0, 10), [], `every accepted message was delivered (${missing.length} of ${accepted.length} missing)`);
    if (unexpected.length > 0 || missing.length > 0) t.comment(server.output().stdout.slice(-4_000), server.output().stderr.slice(-2_000));
  },
);
