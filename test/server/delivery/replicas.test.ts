import t from 'tap';
import { createTestDatabase } from '../../helpers/databases.js';
import { inParallel, startChildServer, type ChildServer } from '../../helpers/child-server.js';
import { compareWithAttempts, countsById, groupAttempts, type AttemptRow } from '../../helpers/delivery-tally.js';
import { startReceiver } from '../../helpers/receiver.js';
import { createDb } from '../../../db/index.js';
import { waitFor } from '../../helpers/wait-for.js';

// child processes and thousands of messages: more than tap's default per-file budget on a busy 2-core box
t.setTimeout(300_000);

const skip = process.env.TEST_MYSQL_URL ? false : 'needs TEST_MYSQL_URL (MariaDB/MySQL)';

async function must(child: ChildServer, method: string, path: string, body?: unknown) {
  const response = await child.request(method, `/api/v1${path}`, body);
  if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.data;
}

t.test('replicas: three processes on one database deliver every (message, endpoint) exactly once', { skip }, async (t) => {
  const database = await createTestDatabase('mysql');
  t.teardown(() => database.drop());
  const receivers = [await startReceiver(), await startReceiver()];
  t.teardown(() => Promise.all(receivers.map((r) => r.close())));

  const children: ChildServer[] = [];
  // one at a time: the first migrates and bootstraps, the others find it done
  for (let i = 0; i < 3; i++) {
    // retries (of an attempt that timed out on a starved machine) come within the test's waits
    const child = await startChildServer(database.url, { DISPATCH_RETRY_SCHEDULE: '1s,1s,1s,1s,1s,1s' });
    t.teardown(() => child.kill());
    children.push(child);
  }
  const app = await must(children[0], 'POST', '/apps', { name: 'replicas' });
  await must(children[0], 'POST', `/apps/${app.id}/event-types`, { name: 'tick' });
  await must(children[0], 'POST', `/apps/${app.id}/recipients`, { uid: 'r' });
  const endpointIds: string[] = [];
  for (const receiver of receivers) {
    endpointIds.push((await must(children[0], 'POST', `/apps/${app.id}/recipients/r/endpoints`, { url: receiver.url })).id);
  }

  const total = 3000;
  const ids = await inParallel(total, 30, async (i) => {
    const data = await must(children[i % 3], 'POST', `/apps/${app.id}/messages`, { event_type: 'tick', payload: { i } });
    return data.id as string;
  });
  t.equal(new Set(ids).size, total);
  for (const receiver of receivers) await receiver.waitForRequests(total, 120_000);
  // every delivery row is finished before counting: nothing can arrive late
  const rows = await waitFor(
    async () => {
      const response = await children[1].request('GET', `/api/v1/apps/${app.id}/messages?status=pending&limit=1`);
      return response.body.data.length === 0;
    },
    'no pending message',
    30_000,
  );
  t.ok(rows);
  const db = createDb({ databaseUrl: database.url, poolSize: 1 });
  t.teardown(() => db.destroy());
  const recorded = groupAttempts(await db('attempts').select<AttemptRow[]>('message_id', 'endpoint_id', 'status', 'error'));
  for (const [index, receiver] of receivers.entries()) {
    const endpoint = `endpoint ${index + 1}`;
    t.equal(countsById(receiver).size, total, `${endpoint} received every message`);
    // a copy beyond the first may only be the recorded retry of a timed-out attempt (a starved machine)
    const compared = compareWithAttempts(receiver, endpointIds[index], ids, recorded);
    t.same(compared.unrecorded.slice(0, 5), [], `${endpoint}: every copy received is an attempt a server recorded`);
    t.same(compared.notOnce.slice(0, 5), [], `${endpoint}: every message succeeded exactly once`);
    t.comment(`${endpoint}: retried after ${JSON.stringify(compared.retriedAfter)}`);
  }
  for (const child of children) t.equal(await child.stop(), 0, 'SIGTERM exits 0');
});
