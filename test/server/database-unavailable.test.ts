import { createServer, type AddressInfo } from 'node:net';
import t from 'tap';
import { createDb, isMysql, type DbOrTx } from '../../db/index.js';
import { isDatabaseUnavailable } from '../../server/errors.js';
import { testDialects } from '../helpers/databases.js';
import { forEachDatabase } from '../helpers/each-database.js';
import { startTestServer } from '../helpers/server.js';

const noMysql = testDialects().includes('mysql') ? false : 'TEST_MYSQL_URL is not set';

/** The rejection of `query`, or a thrown error when it unexpectedly succeeds. */
async function failureOf(query: PromiseLike<unknown>): Promise<Error> {
  try {
    await query;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the statement was expected to fail');
}

/** The id MariaDB gives the connection `db` (a transaction) runs on. */
async function connectionId(db: DbOrTx): Promise<number> {
  const [rows] = (await db.raw('SELECT CONNECTION_ID() AS id')) as unknown as [Array<{ id: number | string }>];
  return Number(rows[0]?.id);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

forEachDatabase(t, 'a statement that is wrong is not mistaken for an unreachable database', async (t, server) => {
  await server.db.schema.createTable('probe', (table) => {
    table.string('id', 8).primary();
  });
  await server.db('probe').insert({ id: 'a' });
  const duplicate = await failureOf(server.db('probe').insert({ id: 'a' }));
  const syntax = await failureOf(server.db.raw('SELEC 1'));
  const missing = await failureOf(server.db('no_such_table').select('*'));
  t.notOk(isDatabaseUnavailable(duplicate), 'a duplicate key is not');
  t.notOk(isDatabaseUnavailable(syntax), 'a syntax error is not');
  t.notOk(isDatabaseUnavailable(missing), 'a missing table is not');
  if (isMysql(server.db))
    t.notOk(isDatabaseUnavailable(await failureOf(server.db('probe').insert({ id: 'too-long-id' }))), 'an over-long value is not');
});

forEachDatabase(t, 'a destroyed pool is an unreachable database', async (t, server) => {
  const db = createDb({ databaseUrl: server.config.databaseUrl, poolSize: 1 });
  await db.raw('SELECT 1');
  await db.destroy();
  const error = await failureOf(db.raw('SELECT 1'));
  t.ok(isDatabaseUnavailable(error), error.message);
});

t.test('every shape of a lost MariaDB connection is an unreachable database', { skip: noMysql }, async (t) => {
  const server = await startTestServer('mysql');
  t.teardown(() => server.close());

  // a connection killed inside a transaction: the next statement fails on the dead socket (EPIPE
  // or a lost connection), the one after it with mysql2's code-less "closed state" error
  const trx = await server.db.transaction();
  await server.db.raw(`KILL CONNECTION ${await connectionId(trx)}`);
  const first = await failureOf(trx.raw('SELECT 1'));
  const second = await failureOf(trx.raw('SELECT 2'));
  await trx.rollback().catch(() => undefined);
  t.ok(isDatabaseUnavailable(first), `first statement after the kill: ${first.message}`);
  t.ok(isDatabaseUnavailable(second), `second statement after the kill: ${second.message}`);
  t.match(second.message, /closed state/, 'the code-less shape was produced');

  // statements queued behind the one that dies are rejected together with it
  const queuedTrx = await server.db.transaction();
  const id = await connectionId(queuedTrx);
  const running = failureOf(queuedTrx.raw('SELECT SLEEP(5)'));
  const queued = failureOf(queuedTrx.raw('SELECT 3'));
  await server.db.raw(`KILL CONNECTION ${id}`);
  for (const error of [await running, await queued]) t.ok(isDatabaseUnavailable(error), `in flight at the kill: ${error.message}`);
  await queuedTrx.rollback().catch(() => undefined);

  const refused = createDb({ databaseUrl: `mysql://root@127.0.0.1:${await closedPort()}/none`, poolSize: 1 });
  t.teardown(() => refused.destroy());
  const error = await failureOf(refused.raw('SELECT 1'));
  t.ok(isDatabaseUnavailable(error), `nothing listening: ${error.message}`);
});

t.test('connections the database killed while idle are not handed to the next requests', { skip: noMysql }, async (t) => {
  const server = await startTestServer('mysql');
  t.teardown(() => server.close());
  // fill the pool with idle connections
  await Promise.all(Array.from({ length: 6 }, () => server.request('GET', '/api/v1/apps')));
  const database = new URL(server.config.databaseUrl).pathname.slice(1);
  const admin = createDb({ databaseUrl: server.config.databaseUrl, poolSize: 1 });
  t.teardown(() => admin.destroy());
  const [rows] = (await admin.raw('SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()', [
    database,
  ])) as unknown as [Array<{ id: number }>];
  t.ok(rows.length > 0, 'the server had idle connections');
  for (const row of rows) await admin.raw(`KILL CONNECTION ${Number(row.id)}`);

  const statuses = [];
  for (let i = 0; i < 12; i++) statuses.push((await server.request('GET', '/api/v1/apps')).status);
  t.same(statuses, Array(12).fill(200), 'every request after the kill succeeds on a fresh connection');
  t.notOk(
    server.logs.some((line) => /closed state/.test(line)),
    'no request met a closed connection',
  );
});
