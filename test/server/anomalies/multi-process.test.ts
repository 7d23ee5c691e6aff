import t from 'tap';
import { createDb } from '../../../db/index.js';
import { runDetectorsOnce, type EngineDeps } from '../../../server/anomalies/engine.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import {
  insertAttempts,
  insertDelivery,
  insertEndpoint,
  insertEvents,
  insertSource,
  MINUTE,
  spread,
} from '../../helpers/anomaly-fixtures.js';

// the last millisecond of a minute: event windows (kept per minute) are exact then
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0) - 1;

forEachDatabase(
  t,
  'two processes running the same passes concurrently create one anomaly per condition, counted once',
  async (t, server) => {
    // a second "process": its own connection pool on the same database
    const otherDb = createDb({ databaseUrl: server.config.databaseUrl, poolSize: 10 });
    t.teardown(() => otherDb.destroy());
    const engines: EngineDeps[] = [server.deps, { ...server.deps, db: otherDb }];
    const { db } = server;

    const failing = await insertEndpoint(db, server.workspaceId, T0 - 60 * MINUTE);
    await insertAttempts(db, failing, ['failed', 'failed', 'failed', 'failed', 'failed'], T0 - 30_000);
    const stale = await insertEndpoint(db, server.workspaceId, T0 - 60 * MINUTE);
    await insertDelivery(db, stale, T0 - 15 * MINUTE);
    const source = await insertSource(db, server.workspaceId, T0 - 60 * MINUTE);
    await insertEvents(db, source, spread(6, T0 - 5 * MINUTE, T0), 'rejected');
    await insertEvents(db, source, spread(60, T0 - 5 * MINUTE, T0));

    const concurrently = (now: number) => Promise.all([...engines, ...engines].map((deps) => runDetectorsOnce(deps, now)));
    const tallies = await concurrently(T0);
    t.same(
      tallies.flatMap((tally) => tally.errors),
      [],
      'no pass failed',
    );
    t.equal(
      tallies.reduce((sum, tally) => sum + tally.opened.length, 0),
      4,
      'four conditions, each opened by exactly one pass',
    );
    await concurrently(T0); // the same evidence again: no recurrence

    const rows = await db('anomalies').orderBy('type').select('type', 'subject_id', 'count', 'status');
    t.same(
      rows.map((row) => [row.type, row.subject_id, Number(row.count), row.status]),
      [
        ['backlog', stale.id, 1, 'open'],
        ['endpoint_failing', failing.id, 1, 'open'],
        ['verification_failing', source.id, 1, 'open'],
        ['volume_spike', source.id, 1, 'open'],
      ],
    );

    // new evidence seen by both processes at once is one recurrence, not two
    await insertAttempts(db, failing, ['failed'], T0 + 2_000);
    await concurrently(T0 + 3_000);
    const failingRow = await db('anomalies').where({ type: 'endpoint_failing' }).first();
    t.equal(Number(failingRow.count), 2);

    // and a recovery seen by both resolves the one anomaly once
    await insertAttempts(db, failing, ['succeeded'], T0 + 4_000);
    const resolving = await concurrently(T0 + 5_000);
    t.equal(resolving.flatMap((tally) => tally.resolved).filter((key) => key.startsWith('endpoint_failing:')).length, 1);
    t.equal((await db('anomalies').where({ type: 'endpoint_failing' })).length, 1);
  },
);
