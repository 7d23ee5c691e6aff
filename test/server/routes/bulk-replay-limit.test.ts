import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { createApp, createEndpoint } from '../../helpers/dispatch-fixtures.js';
import { deliveryRow, messageRow } from '../../helpers/history-rows.js';
import type { TestServer } from '../../helpers/server.js';

// CONTRACT §8.3: a bulk replay creates at most 100,000 deliveries; more matching pairs answer 400
// invalid_request naming the count, before anything is created. The failed history (25,001
// broadcast messages × 4 endpoints) is written straight into the tables: sending it through the
// API and a failing receiver would take many minutes on this machine.

const MESSAGES = 25_001;
const ENDPOINTS = 4;
// SQLite takes at most 500 rows in one multi-row INSERT (knex writes it as a compound SELECT)
const CHUNK = 250;

async function writeFailedHistory(server: TestServer, appId: string, endpointIds: string[], now: number): Promise<void> {
  const workspaceId = server.workspaceId;
  for (let start = 0; start < MESSAGES; start += CHUNK) {
    const messages = Array.from({ length: Math.min(CHUNK, MESSAGES - start) }, (_, i) =>
      messageRow({ workspaceId, appId }, now, { payload: JSON.stringify({ n: start + i }) }),
    );
    await server.db.transaction(async (tx) => {
      await tx('messages').insert(messages);
      for (const endpointId of endpointIds) {
        await tx('deliveries').insert(
          messages.map((message) => deliveryRow(workspaceId, now, { messageId: message.id, endpointId, status: 'failed', maxAttempts: 1 })),
        );
      }
    });
  }
}

forEachDatabase(t, 'bulk replay refuses more than 100,000 matching pairs and names the count', async (t, server) => {
  const setup = await createApp(server);
  const endpointIds: string[] = [];
  for (let i = 0; i < ENDPOINTS; i += 1)
    endpointIds.push((await createEndpoint(server, setup, 'acme', { url: `http://127.0.0.1:9/${i}` })).id);
  const now = Date.now() - 1000;
  const writing = Date.now();
  await writeFailedHistory(server, setup.app, endpointIds, now);
  t.comment(`writing ${MESSAGES} messages and ${MESSAGES * ENDPOINTS} deliveries took ${Date.now() - writing} ms`);
  const since = new Date(now - 1000).toISOString();

  // SQLite writes block this process (test and server share it) longer than the HTTP keep-alive
  // timeout: let both sides' expired idle-socket timers run so the request gets a fresh socket
  await new Promise((resolve) => setTimeout(resolve, 0));
  await new Promise((resolve) => setImmediate(resolve));
  const started = Date.now();
  const refused = await server.request('POST', `/api/v1/apps/${setup.app}/messages/replay`, { body: { since } });
  t.comment(`selecting ${MESSAGES * ENDPOINTS} pairs took ${Date.now() - started} ms on ${server.dialect}`);
  t.equal(refused.status, 400);
  t.equal(refused.body.error, 'invalid_request');
  t.match(refused.body.message, /^100004 \(message, endpoint\) pairs match; a bulk replay may create at most 100000\./);
  const replays = (await server.db('deliveries').where({ trigger: 'replay' }).count({ n: '*' }).first()) as { n: number | string };
  t.equal(Number(replays.n), 0, 'nothing was created');
});
