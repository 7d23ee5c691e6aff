import t from 'tap';
import { createTestDatabase, testDialects } from '../helpers/databases.js';
import { migrateUpTo } from '../helpers/migrate-up-to.js';
import { createDb } from '../../db/index.js';
import { migrationSource } from '../../db/migrations/index.js';
import { findSource } from '../../db/queries/sources.js';

const MIGRATION = '20261207200005_source_destinations';
const NOW = 1_796_000_000_000;

/** A source row as the sources API wrote it before several destinations. */
function oldSource(id: string, destination: string | null) {
  return {
    id,
    workspace_id: 'ws_0000000000000000000001',
    name: id,
    token: `token-${id}`,
    verification: '{"type":"none"}',
    destination,
    dedupe: null,
    allowed_methods: '["POST"]',
    forward_secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    paused: false,
    consecutive_failures: 0,
    created_at: NOW,
    updated_at: NOW,
  };
}

for (const dialect of testDialects()) {
  t.test(`the destinations migration moves each source's destination into destinations[0] [${dialect}]`, async (t) => {
    const database = await createTestDatabase(dialect);
    t.teardown(() => database.drop());
    const db = createDb({ databaseUrl: database.url, poolSize: 2 });
    t.teardown(() => db.destroy());
    await migrateUpTo(db, MIGRATION);

    await db('workspaces').insert({ id: 'ws_0000000000000000000001', name: 'w', created_at: NOW });
    const forwarding = JSON.stringify({ url: 'https://backend.example.com/hooks', headers: { 'x-team': 'ops' }, rate_limit: 5 });
    await db('sources').insert(oldSource('src_0000000000000000000001', forwarding));
    await db('sources').insert(oldSource('src_0000000000000000000002', null));
    await db('events').insert({
      id: 'evt_0000000000000000000001',
      workspace_id: 'ws_0000000000000000000001',
      source_id: 'src_0000000000000000000001',
      method: 'POST',
      path: '/',
      query: '',
      headers: '{}',
      body: '{}',
      body_encoding: 'utf8',
      body_expired: false,
      verified: false,
      status: 'pending',
      created_at: NOW,
    });
    await db('deliveries').insert({
      id: 'dlv_0000000000000000000001',
      workspace_id: 'ws_0000000000000000000001',
      event_id: 'evt_0000000000000000000001',
      source_id: 'src_0000000000000000000001',
      trigger: 'scheduled',
      status: 'pending',
      attempts: 0,
      max_attempts: 8,
      next_attempt_at: NOW,
      due_at: NOW,
      created_at: NOW,
      updated_at: NOW,
    });

    await db.migrate.up({ migrationSource });
    const rows = await db('sources')
      .orderBy('id')
      .select<{ destination: string | null; destinations: string }[]>('destination', 'destinations');
    t.same(
      rows.map((row) => [row.destination, JSON.parse(row.destinations) as unknown]),
      [
        [null, [JSON.parse(forwarding)]],
        [null, []],
      ],
      'moved into destinations; the old column is emptied',
    );
    const source = await findSource(db, 'ws_0000000000000000000001', 'src_0000000000000000000001');
    t.same(source?.destinations, [{ url: 'https://backend.example.com/hooks', headers: { 'x-team': 'ops' }, rate_limit: 5 }]);
    const delivery = await db('deliveries').where({ id: 'dlv_0000000000000000000001' }).first<{ destination_index: number | string }>();
    t.equal(Number(delivery.destination_index), 0, 'a forward queued before goes to destination 0');
    t.equal(Number((await db('events').count({ n: '*' }).first())?.n), 1, 'events kept');

    await db.migrate.down({ migrationSource });
    const restored = await db('sources').orderBy('id').select<{ destination: string | null }[]>('destination');
    t.same(
      restored.map((row) => (row.destination === null ? null : (JSON.parse(row.destination) as unknown))),
      [JSON.parse(forwarding), null],
      'down puts destinations[0] back',
    );
    t.equal(Number((await db('events').count({ n: '*' }).first())?.n), 1, 'rolling back keeps the events');
  });
}
