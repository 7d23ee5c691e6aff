import t from 'tap';
import type { Knex } from 'knex';
import { forEachDatabase } from '../../helpers/each-database.js';
import { createGroupWriter } from '../../../server/ingest/group-writer.js';

async function probeTable(db: Knex) {
  await db.schema.createTable('group_writer_probe', (table) => {
    table.string('id', 32).primary();
  });
}

forEachDatabase(t, 'group writer runs writes queued together in one transaction, in order', async (t, server) => {
  await probeTable(server.db);
  const writer = createGroupWriter(server.db);
  const seen: Knex.Transaction[] = [];
  const results = await Promise.all(
    ['a', 'b', 'c'].map((id) =>
      writer.run(async (tx) => {
        seen.push(tx);
        await tx('group_writer_probe').insert({ id });
        return id.toUpperCase();
      }),
    ),
  );
  t.same(results, ['A', 'B', 'C']);
  t.equal(new Set(seen).size, 1, 'one transaction for the three writes');
  t.same(
    (await server.db('group_writer_probe').orderBy('id')).map((row: { id: string }) => row.id),
    ['a', 'b', 'c'],
  );
});

forEachDatabase(t, 'group writer retries a failed group one by one: only the bad write fails', async (t, server) => {
  await probeTable(server.db);
  await server.db('group_writer_probe').insert({ id: 'taken' });
  const writer = createGroupWriter(server.db);
  const outcomes = await Promise.allSettled(['x', 'taken', 'y'].map((id) => writer.run((tx) => tx('group_writer_probe').insert({ id }))));
  t.same(
    outcomes.map((o) => o.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  t.same(
    (await server.db('group_writer_probe').orderBy('id')).map((row: { id: string }) => row.id),
    ['taken', 'x', 'y'],
  );
});

forEachDatabase(t, 'ingest stores every one of many concurrent events and answers each its own id', async (t, server) => {
  const created = await server.request('POST', '/api/v1/sources', { body: { name: 'burst' } });
  t.equal(created.status, 201);
  const path = new URL(created.body.data.ingest_url as string).pathname;
  const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => server.request('POST', path, { key: null, body: { i } })));
  t.same([...new Set(answers.map((a) => a.status))], [200]);
  const ids = answers.map((a) => a.body.event_id as string);
  t.equal(new Set(ids).size, 60, 'distinct event ids');
  const stored = await server.db('events').where({ source_id: created.body.data.id }).count({ n: '*' }).first();
  t.equal(Number(stored?.n), 60);
});
