import t from 'tap';
import { randomBytes } from 'node:crypto';
import { MissingReference, StorageError, UniqueViolation } from '../../db/errors.js';
import { insertApp } from '../../db/queries/apps.js';
import { insertEvent } from '../../db/queries/events.js';
import { insertEventType } from '../../db/queries/event-types.js';
import { acquireNamedLock, releaseNamedLock } from '../../db/queries/named-locks.js';
import { insertRecipient } from '../../db/queries/recipients.js';
import { isSealed, openFields, sealFields } from '../../db/secret-sealing.js';
import { appErrorFromStorage } from '../../server/errors.js';
import { forEachDatabase } from '../helpers/each-database.js';

// Queries answer in storage terms (table, column, value) and the server alone turns them into
// HTTP codes, so db/ never imports server/ (test/architecture-layers.test.ts checks that).

const NOW = Date.UTC(2026, 11, 7);

forEachDatabase(t, 'a duplicate uid or name throws UniqueViolation naming its table and column', async (t, server) => {
  const app = await insertApp(server.db, { workspaceId: server.workspaceId, name: 'Acme', uid: 'acme' }, NOW);
  const dupApp = await insertApp(server.db, { workspaceId: server.workspaceId, name: 'Again', uid: 'acme' }, NOW).catch((e: unknown) => e);
  t.type(dupApp, UniqueViolation);
  t.match(dupApp, { table: 'apps', column: 'uid', value: 'acme' });
  t.ok((dupApp as StorageError).cause, 'the driver error is kept as the cause (for logs)');
  t.notOk('status' in (dupApp as object), 'no HTTP status in a storage error');

  await insertRecipient(server.db, { workspaceId: server.workspaceId, appId: app.id, uid: 'cust-1' }, NOW);
  const dupRecipient = await insertRecipient(server.db, { workspaceId: server.workspaceId, appId: app.id, uid: 'cust-1' }, NOW).catch(
    (e: unknown) => e,
  );
  t.type(dupRecipient, UniqueViolation);
  t.match(dupRecipient, { table: 'recipients', column: 'uid', value: 'cust-1' });

  await insertEventType(server.db, { workspaceId: server.workspaceId, appId: app.id, name: 'invoice.paid' }, NOW);
  const dupType = await insertEventType(server.db, { workspaceId: server.workspaceId, appId: app.id, name: 'invoice.paid' }, NOW).catch(
    (e: unknown) => e,
  );
  t.type(dupType, UniqueViolation);
  t.match(dupType, { table: 'event_types', column: 'name', value: 'invoice.paid' });
});

forEachDatabase(t, 'an event of a source that is gone throws MissingReference on events.source_id', async (t, server) => {
  const event = {
    workspaceId: server.workspaceId,
    sourceId: 'src_gone',
    method: 'POST',
    path: '',
    query: '',
    headers: {},
    body: '{}',
    bodyEncoding: 'utf8' as const,
    verified: false,
    status: 'rejected' as const,
    rejectionReason: 'x',
    duplicateOf: null,
    dedupeKey: null,
  };
  const error = await insertEvent(server.db, event, NOW).catch((e: unknown) => e);
  t.type(error, MissingReference);
  t.match(error, { table: 'events', column: 'source_id', value: 'src_gone' });
});

t.test('appErrorFromStorage answers each storage error with its code and sentence', async (t) => {
  t.match(appErrorFromStorage(new UniqueViolation('apps', 'uid', 'acme')), {
    code: 'conflict',
    status: 409,
    message: 'An app with uid "acme" already exists.',
  });
  t.match(appErrorFromStorage(new UniqueViolation('recipients', 'uid', 'c1')), {
    code: 'conflict',
    message: 'A recipient with uid "c1" already exists in this app.',
  });
  t.match(appErrorFromStorage(new UniqueViolation('event_types', 'name', 'a.b')), {
    code: 'conflict',
    message: 'An event type named "a.b" already exists in this app.',
  });
  t.match(appErrorFromStorage(new MissingReference('events', 'source_id', 'src_1')), {
    code: 'source_not_found',
    status: 404,
    message: 'No source has this ingest URL.',
  });
  t.match(
    appErrorFromStorage(new UniqueViolation('widgets', 'name', 'w')),
    { code: 'conflict', message: 'A resource with this identifier already exists.' },
    'an unlisted unique index is still a 409',
  );
  t.equal(appErrorFromStorage(new MissingReference('widgets', 'app_id', 'x')), null, 'an unlisted missing reference is a bug: 500');
  t.equal(appErrorFromStorage(new Error('boom')), null);
  t.equal(appErrorFromStorage({ code: 'ER_DUP_ENTRY' }), null, 'raw driver errors are translated in db/, not here');
});

t.test('sealFields seals only the named string fields, openFields opens them again', async (t) => {
  const key = randomBytes(32);
  const settings = { type: 'hmac', secret: 'shh', header: 'x-sig', retries: 3 };
  const sealed = sealFields(settings, ['secret', 'retries', 'missing'], key);
  t.ok(isSealed(sealed.secret), 'the secret is sealed');
  t.equal(sealed.header, 'x-sig', 'other fields are kept as they are');
  t.equal(sealed.retries, 3, 'a non-string field is never sealed');
  t.notOk('missing' in sealed);
  t.same(openFields(sealed, ['secret'], key), settings);
  t.equal(settings.secret, 'shh', 'the input is not changed');
  t.same(sealFields(settings, ['secret'], null), settings, 'without a key nothing is sealed');
  t.throws(() => openFields(sealed, ['secret'], randomBytes(32)), 'another key does not open it');
});

forEachDatabase(t, 'a named lock is held by one connection at a time', async (t, server) => {
  const name = `test_lock_${randomBytes(4).toString('hex')}`;
  if (server.dialect === 'sqlite') {
    // one writer at a time already: the lock is a no-op that always succeeds
    t.equal(await acquireNamedLock(server.db, name, 0), true);
    await releaseNamedLock(server.db, name);
    return;
  }
  await server.db.transaction(async (holder) => {
    t.equal(await acquireNamedLock(holder, name, 1), true, 'the first connection takes it');
    const other = await server.db.transaction((tx) => acquireNamedLock(tx, name, 0));
    t.equal(other, false, 'another connection cannot while it is held');
    await releaseNamedLock(holder, name);
  });
  const after = await server.db.transaction(async (tx) => {
    const got = await acquireNamedLock(tx, name, 0);
    await releaseNamedLock(tx, name);
    return got;
  });
  t.equal(after, true, 'released: the next one takes it');
});
