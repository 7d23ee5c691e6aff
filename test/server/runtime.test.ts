import t from 'tap';
import { Writable } from 'node:stream';
import { loadConfig } from '../../config/index.js';
import { createDb, migrate } from '../../db/index.js';
import { createLogger } from '../../server/logger.js';
import { createRuntime } from '../../server/runtime.js';
import { createSignalBus, safeEmit } from '../../server/signals.js';
import { createTestDatabase } from '../helpers/databases.js';
import { forEachDatabase } from '../helpers/each-database.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** A clock that moves only when the test says so. */
function manualClock() {
  let now = Date.now();
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** A source on `server` that takes POST only, with its ingest URL on this server. */
async function postOnlySource(server: TestServer, key: string) {
  const created = await server.request('POST', '/api/v1/sources', { key, body: { name: 'probe', allowed_methods: ['POST'] } });
  return { id: created.body.data.id as string, url: (created.body.data.ingest_url as string).replace(server.config.publicUrl, server.url) };
}

const ingest = (url: string) => fetch(url, { method: 'POST', body: '{"n":1}' }).then((response) => response.status);

forEachDatabase(t, 'two apps in one process', async (t, first) => {
  const clock = manualClock();
  const second = await startTestServer(first.dialect, { clock });
  t.teardown(() => second.close());

  t.test('each answers an API key from its own database, even with the same key in both', async (t) => {
    // both databases hold the same admin key (same hash): a shared cache would answer one from the other
    const firstKeys = await first.request('GET', '/api/v1/keys');
    const secondKeys = await second.request('GET', '/api/v1/keys');
    t.equal(firstKeys.status, 200);
    t.equal(secondKeys.status, 200);
    const ids = (body: { data: { id: string }[] }) => body.data.map((key) => key.id);
    t.ok(firstKeys.body.data.length > 0 && secondKeys.body.data.length > 0, 'each finds its admin key');
    t.notOk(
      ids(firstKeys.body).some((id) => ids(secondKeys.body).includes(id)),
      'each lists its own workspace',
    );
    t.same(ids((await first.request('GET', '/api/v1/keys')).body), ids(firstKeys.body), 'and still does once both are cached');
  });

  // second's admin key is revoked below; this key (made before) keeps the later subtests going
  const operator = await second.request('POST', '/api/v1/keys', { body: { name: 'operator', scopes: ['*'] } });
  const operatorKey: string = operator.body.data.key;

  t.test('a key revoked in one app fails there at once and never affects the other', async (t) => {
    const adminId = (await second.request('GET', '/api/v1/keys')).body.data.find((key: { prefix: string }) =>
      second.adminKey.startsWith(key.prefix),
    )?.id;
    t.ok(adminId, 'the admin key is listed');
    t.equal((await first.request('GET', '/api/v1/keys')).status, 200, 'first has the admin key cached');
    t.equal((await second.request('DELETE', `/api/v1/keys/${adminId}`, { key: operatorKey })).status, 200);
    t.equal((await second.request('GET', '/api/v1/keys')).status, 401, 'second refuses the revoked key at once');
    t.equal((await first.request('GET', '/api/v1/keys')).status, 200, 'first still accepts its own admin key');
    t.equal((await second.request('GET', '/api/v1/keys')).status, 401, 'and second still refuses it after first looked it up');
  });

  t.test("second's API-key cache expires by second's clock", async (t) => {
    const created = await second.request('POST', '/api/v1/keys', { key: operatorKey, body: { name: 'reader', scopes: ['key:read'] } });
    const reader: string = created.body.data.key;
    t.equal((await second.request('GET', '/api/v1/keys', { key: reader })).status, 200, 'the lookup is cached');
    // revoked by another process: this app learns it when its cached lookup expires
    await second.db('api_keys').where({ id: created.body.data.id }).update({ revoked_at: clock.now() });
    t.equal((await second.request('GET', '/api/v1/keys', { key: reader })).status, 200, 'still cached while its clock stands still');
    clock.advance(1_000);
    t.equal((await second.request('GET', '/api/v1/keys', { key: reader })).status, 401, 'refused one second later by its clock');
  });

  t.test("second's token cache expires by its clock, and a change on first does not clear it", async (t) => {
    const firstSource = await postOnlySource(first, first.adminKey);
    const secondSource = await postOnlySource(second, operatorKey);
    t.equal(await ingest(secondSource.url), 200, 'the token lookup is cached');
    // another process narrows the source to PUT
    await second
      .db('sources')
      .where({ id: secondSource.id })
      .update({ allowed_methods: JSON.stringify(['PUT']) });
    // a change through first clears first's cache only
    t.equal((await first.request('PATCH', `/api/v1/sources/${firstSource.id}`, { body: { name: 'renamed' } })).status, 200);
    t.equal(await ingest(secondSource.url), 200, 'second still answers from its cache while its clock stands still');
    clock.advance(1_000);
    t.equal(await ingest(secondSource.url), 405, 'one second later by its clock, second reads the change');
  });
});

t.test('safeEmit logs a failing listener and still runs the others', async (t) => {
  const lines: string[] = [];
  const logger = createLogger(
    'error',
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const bus = createSignalBus();
  const seen: string[] = [];
  bus.on('work', () => {
    throw new Error('listener bug');
  });
  bus.on('work', async () => {
    throw new Error('async listener bug');
  });
  bus.on('work', () => seen.push('third'));
  bus.once('accepted', ({ count }) => seen.push(`accepted ${count}`));
  t.doesNotThrow(() => safeEmit(bus, logger, 'work'));
  safeEmit(bus, logger, 'accepted', { count: 2 });
  safeEmit(bus, logger, 'accepted', { count: 3 });
  await new Promise((resolve) => setImmediate(resolve));
  t.same(seen, ['third', 'accepted 2'], 'later listeners ran; a once listener ran once');
  const logged = lines.map((line) => JSON.parse(line));
  t.equal(logged.length, 2);
  t.match(logged[0], { signal: 'work', err: { message: 'listener bug', type: 'Error' } }, 'logged through the err serializer');
  t.match(logged[1], { signal: 'work', err: { message: 'async listener bug' } });
});

t.test('closing a runtime stops its workers, detaches its listeners and closes its database', async (t) => {
  const database = await createTestDatabase('sqlite');
  t.teardown(() => database.drop());
  const config = loadConfig({ DATABASE_URL: database.url, DISPATCH_LOG_LEVEL: 'silent' });
  const db = createDb({ databaseUrl: config.databaseUrl });
  await migrate(db);
  const runtime = createRuntime({ config, db, logger: createLogger('silent'), migrated: true });
  runtime.startWorkers();
  t.ok(runtime.signals.listenerCount('work') > 0, 'the dispatcher listens for work');
  await runtime.close();
  t.equal(runtime.signals.listenerCount('work') + runtime.signals.listenerCount('attempt'), 0, 'no listener is left');
  await t.rejects(db.raw('select 1'), 'the database is closed');
  await runtime.close();
  t.pass('closing twice is harmless');
});
