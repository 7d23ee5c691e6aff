import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { isMysql } from '../../db/index.js';
import { createLogger } from '../../server/logger.js';
import { api, createApp, runDispatcher, send } from '../helpers/dispatch-fixtures.js';
import { forEachDatabase } from '../helpers/each-database.js';
import { startReceiver } from '../helpers/receiver.js';
import type { TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait-for.js';

/** A value shaped like a signing secret, unique per call so a hit cannot come from another test. */
function secretMarker(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The failing statement is real: the test's own schema is changed so the app's INSERT fails. */
async function refuseEndpointsOver(server: TestServer, maxDescription: number): Promise<void> {
  if (isMysql(server.db)) await server.db.raw(`ALTER TABLE endpoints MODIFY description VARCHAR(${maxDescription})`);
  // SQLite does not enforce lengths: a trigger stands in for the over-long value
  else
    await server.db.raw(
      `CREATE TRIGGER endpoints_description_length BEFORE INSERT ON endpoints WHEN length(NEW.description) > ${maxDescription} BEGIN SELECT RAISE(ABORT, 'Data too long for column ''description'''); END`,
    );
}

function assertClean(t: Test, server: TestServer, secrets: string[]): void {
  const text = server.logs.join('');
  for (const secret of secrets) {
    t.notOk(text.includes(secret), 'no log line holds the secret');
    // base64 part alone, in case a driver escaped or re-encoded the prefix
    t.notOk(text.includes(secret.slice('whsec_'.length)), 'no log line holds the secret bytes');
  }
  t.notMatch(text, /insert into/i, 'no log line holds the statement');
}

forEachDatabase(t, 'a duplicate key holding a secret is logged without the value', async (t, server) => {
  const setup = await createApp(server);
  // a unique index the app does not expect, so its INSERT fails with the secret as the duplicate
  await server.db.raw(
    isMysql(server.db)
      ? 'CREATE UNIQUE INDEX endpoints_secret_probe ON endpoints (secret(100))'
      : 'CREATE UNIQUE INDEX endpoints_secret_probe ON endpoints (secret)',
  );
  const secret = secretMarker();
  const path = `/apps/${setup.app}/recipients/${setup.recipients.acme}/endpoints`;
  await api(server, 'POST', path, { url: 'http://127.0.0.1:9/a', secret });
  const failed = await server.request('POST', `/api/v1${path}`, { body: { url: 'http://127.0.0.1:9/b', secret } });

  t.equal(failed.status, 500);
  t.equal(failed.body.error, 'internal_error');
  t.notOk(JSON.stringify(failed.body).includes(secret), 'the answer does not hold the secret');
  const line = server.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
  t.ok(line, 'the failure was logged');
  t.ok(line.err.code, 'the driver code is kept');
  t.match(line.err.message, /UNIQUE|Duplicate entry/);
  assertClean(t, server, [secret]);
});

forEachDatabase(t, 'an over-long value is logged without the statement or its values', async (t, server) => {
  const setup = await createApp(server);
  await refuseEndpointsOver(server, 16);
  const secret = secretMarker();
  const description = `${secretMarker()}-described`;
  const failed = await server.request('POST', `/api/v1/apps/${setup.app}/recipients/${setup.recipients.acme}/endpoints`, {
    body: { url: 'http://127.0.0.1:9/a', secret, description },
  });

  t.equal(failed.status, 500);
  const line = server.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
  t.ok(line, 'the failure was logged');
  t.match(line.err.message, /too long/i);
  t.same(
    Object.keys(line.err).filter((key) => ['sql', 'sqlMessage', 'bindings'].includes(key)),
    [],
    'no driver field that holds values',
  );
  assertClean(t, server, [secret, description]);
});

forEachDatabase(t, 'the dispatcher logs a failed attempt insert without the response body', async (t, server) => {
  const marker = secretMarker();
  const receiver = await startReceiver(() => ({ status: 200, body: `stored as response_body: ${marker}` }));
  t.teardown(() => receiver.close());
  const setup = await createApp(server);
  await api(server, 'POST', `/apps/${setup.app}/recipients/${setup.recipients.acme}/endpoints`, { url: `${receiver.url}/hook` });
  await server.db.raw(
    isMysql(server.db)
      ? "CREATE TRIGGER attempts_refused BEFORE INSERT ON attempts FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'attempt refused'"
      : "CREATE TRIGGER attempts_refused BEFORE INSERT ON attempts BEGIN SELECT RAISE(ABORT, 'attempt refused'); END",
  );
  await send(server, setup, { event_type: 'invoice.paid', payload: { note: marker } });
  const dispatcher = runDispatcher(t, server);

  await receiver.waitForRequests(1);
  const logged = await waitFor(
    () => server.logs.map((l) => JSON.parse(l)).find((l) => l.level >= 50 && l.err && /attempt refused/.test(JSON.stringify(l.err))),
    'the dispatcher to log the refused attempt',
  );
  await dispatcher.stop(2_000);
  t.ok(logged.err.message, 'the driver message is kept');
  assertClean(t, server, [marker]);
});

forEachDatabase(t, 'a database error logged as a message, a cause or an aggregate keeps no value', async (t, server) => {
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  await server.db.schema.createTable('probe', (table) => {
    table.string('id', 64).primary();
  });
  const secret = secretMarker();
  await server.db('probe').insert({ id: secret });
  const error = await server
    .db('probe')
    .insert({ id: secret })
    .then(
      () => null,
      (thrown: Error) => thrown,
    );
  t.ok(error, 'the duplicate insert failed');

  logger.error({ err: error }, 'as error');
  logger.error({ err: (error as Error).message }, 'as message');
  logger.error({ err: new Error('saving failed', { cause: error }) }, 'as cause');
  logger.error({ err: new AggregateError([error], 'several failed') }, 'as aggregate');
  logger.error(error as Error, 'as first argument');

  t.equal(lines.length, 5);
  const text = lines.join('');
  t.notOk(text.includes(secret), 'no line holds the duplicate value');
  t.notOk(text.includes(secret.slice('whsec_'.length)), 'no line holds the secret bytes');
  const [asError] = lines.map((l) => JSON.parse(l));
  t.ok(asError.err.code, 'the code is kept');
  t.ok(asError.err.stack, 'the stack frames are kept');
});
