import t from 'tap';
import { runDetectorsOnce } from '../../../server/anomalies/engine.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { anomalyRows, insertEvents, insertSource, manualClock, MINUTE, spread } from '../../helpers/anomaly-fixtures.js';

// passes at the last millisecond of a minute see exact windows (event counts are kept per minute)
const clock = manualClock(Date.UTC(2026, 10, 26, 12, 0, 0) - 1);
const T0 = clock.now();

forEachDatabase(
  t,
  'volume_spike opens when the last 5 min exceed max(50, 3 × the hourly mean) and resolves on a normal window',
  async (t, server) => {
    clock.set(T0);
    const { db, deps } = server;
    const busy = await insertSource(db, server.workspaceId, T0 - 2 * 60 * MINUTE, 'busy');
    const quiet = await insertSource(db, server.workspaceId, T0 - 2 * 60 * MINUTE, 'quiet');
    // busy: 20 per 5 min for the hour before the window → limit max(50, 60) = 60
    await insertEvents(db, busy, spread(240, T0 - 65 * MINUTE, T0 - 5 * MINUTE));
    await insertEvents(db, busy, spread(60, T0 - 5 * MINUTE, T0));
    // quiet: no history → limit is the floor of 50
    await insertEvents(db, quiet, spread(50, T0 - 5 * MINUTE, T0));
    await runDetectorsOnce(deps, T0);
    t.same(await anomalyRows(db, busy.id), [], '60 is not above 3 × 20');
    t.same(await anomalyRows(db, quiet.id), [], '50 is not above the floor of 50');

    await insertEvents(db, busy, [T0 - 1000]);
    await insertEvents(db, quiet, [T0 - 1000], 'rejected');
    await runDetectorsOnce(deps, T0);
    const [spike] = await anomalyRows(db, busy.id);
    t.match(spike, {
      type: 'volume_spike',
      subject_kind: 'source',
      status: 'open',
      count: 1,
      title: 'Source "busy" received 61 events in 5 min (usually 20)',
    });
    t.match(JSON.parse(spike.details), { window_count: 61, baseline_mean: 20, limit: 60, window: '5 min' });
    t.equal((await anomalyRows(db, quiet.id))[0].type, 'volume_spike', 'rejected requests count as volume too');

    // still spiking in the next 5-min period: one recurrence, however many passes see it
    await insertEvents(db, busy, spread(80, T0 + MINUTE, T0 + 5 * MINUTE));
    await runDetectorsOnce(deps, T0 + 5 * MINUTE + 30_000);
    await runDetectorsOnce(deps, T0 + 5 * MINUTE + 45_000);
    t.match((await anomalyRows(db, busy.id))[0], { status: 'open', count: 2 });
    t.equal(Number((await anomalyRows(db, busy.id))[0].last_seen_at), T0 + 5 * MINUTE + 30_000);

    // ten events in the following window: normal again
    await insertEvents(db, busy, spread(10, T0 + 6 * MINUTE, T0 + 10 * MINUTE));
    await runDetectorsOnce(deps, T0 + 11 * MINUTE);
    t.match((await anomalyRows(db, busy.id))[0], { status: 'resolved', open_key: null });
    t.equal((await anomalyRows(db, quiet.id))[0].status, 'resolved');
  },
  { clock },
);

forEachDatabase(
  t,
  'volume_drop opens when a source averaging 10 per 5 min goes silent for 10 min and resolves when events arrive',
  async (t, server) => {
    clock.set(T0);
    const { db, deps } = server;
    const steady = await insertSource(db, server.workspaceId, T0 - 2 * 60 * MINUTE, 'steady');
    const sparse = await insertSource(db, server.workspaceId, T0 - 2 * 60 * MINUTE, 'sparse');
    // steady: exactly 10 per 5 min over the hour before the silence; sparse: 9 per 5 min
    await insertEvents(db, steady, spread(120, T0 - 70 * MINUTE, T0 - 10 * MINUTE - 1));
    await insertEvents(db, sparse, spread(108, T0 - 70 * MINUTE, T0 - 10 * MINUTE - 1));
    await runDetectorsOnce(deps, T0 - 60_000);
    t.same(await anomalyRows(db, steady.id), [], 'nine minutes of silence is not a drop');

    await runDetectorsOnce(deps, T0);
    const [drop] = await anomalyRows(db, steady.id);
    t.match(drop, {
      type: 'volume_drop',
      subject_kind: 'source',
      status: 'open',
      count: 1,
      title: 'Source "steady" has received no events for 10 min',
    });
    t.match(JSON.parse(drop.details), { baseline_mean: 10 });
    t.same(await anomalyRows(db, sparse.id), [], 'a source averaging 9 per 5 min is not watched');
    await runDetectorsOnce(deps, T0 + MINUTE);
    t.equal((await anomalyRows(db, steady.id))[0].count, 1, 'the same silence is one occurrence');

    await insertEvents(db, steady, [T0 + 2 * MINUTE]);
    await runDetectorsOnce(deps, T0 + 2 * MINUTE);
    t.match((await anomalyRows(db, steady.id))[0], { status: 'resolved', open_key: null });
  },
  { clock },
);

forEachDatabase(t, 'volume detectors take compressed windows from the options', async (t, server) => {
  const { db, deps } = server;
  const now = Math.ceil(Date.now() / 1000) * 1000 - 1;
  const source = await insertSource(db, server.workspaceId, now - MINUTE);
  const windows = {
    volumeWindowMs: 1_000,
    volumeBaselineMs: 12_000,
    dropSilenceMs: 2_000,
    rejectionWindowMs: 1_000,
    rejectionQuietMs: 4_000,
    eventBucketMs: 1_000,
  };
  await insertEvents(db, source, spread(120, now - 14_000, now - 2_001));
  await runDetectorsOnce(deps, now, windows);
  t.equal((await anomalyRows(db, source.id, 'volume_drop'))[0]?.status, 'open', '10 per 1-second window, then 2 s of silence');
  await insertEvents(db, source, spread(51, now, now + 1_000));
  await runDetectorsOnce(deps, now + 1_000, windows);
  t.equal((await anomalyRows(db, source.id, 'volume_drop'))[0].status, 'resolved');
  t.equal((await anomalyRows(db, source.id, 'volume_spike'))[0]?.status, 'open', '51 in one window is above max(50, 3 × 10)');
});
