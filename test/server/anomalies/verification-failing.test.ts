import t from 'tap';
import { runDetectorsOnce } from '../../../server/anomalies/engine.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { anomalyRows, manualClock, MINUTE } from '../../helpers/anomaly-fixtures.js';

// passes at the last millisecond of a minute see exact windows (event counts are kept per minute)
const clock = manualClock(Date.UTC(2026, 10, 26, 12, 0, 0) - 1);
const T0 = clock.now();

forEachDatabase(
  t,
  'verification_failing opens at 5 rejections in 15 min and resolves after an hour without one',
  async (t, server) => {
    clock.set(T0);
    const { db, deps } = server;
    const created = await server.request('POST', '/api/v1/sources', {
      body: { name: 'partner', verification: { type: 'api_key', header: 'X-Key', key: 'right-key' } },
    });
    t.equal(created.status, 201);
    const source = created.body.data;
    const send = async (key: string) => {
      const response = await fetch(source.ingest_url.replace(server.config.publicUrl, server.url), {
        method: 'POST',
        headers: { 'x-key': key },
        body: '{}',
      });
      await response.arrayBuffer();
      return response.status;
    };
    t.equal(await send('right-key'), 200);
    // four rejections 20 minutes ago fall outside the 15-minute window
    clock.set(T0 - 20 * MINUTE);
    for (let i = 0; i < 4; i += 1) t.equal(await send('wrong-key'), 401);
    clock.set(T0);
    for (let i = 0; i < 4; i += 1) await send('wrong-key');
    await runDetectorsOnce(deps, T0);
    t.same(await anomalyRows(db, source.id), [], 'four rejections within 15 min are not enough');

    await send('wrong-key');
    await runDetectorsOnce(deps, T0);
    const [opened] = await anomalyRows(db, source.id);
    t.match(opened, {
      type: 'verification_failing',
      subject_kind: 'source',
      status: 'open',
      count: 1,
      title: 'Source "partner" is rejecting requests that fail verification',
    });
    t.match(JSON.parse(opened.details), { rejected_in_window: 5, window: '15 min' });

    clock.set(T0 + 5 * MINUTE);
    await send('wrong-key');
    await runDetectorsOnce(deps, T0 + 5 * MINUTE);
    const bumped = (await anomalyRows(db, source.id))[0];
    t.equal(bumped.count, 2, 'new rejections are a recurrence');
    t.equal(Number(bumped.last_seen_at), T0 + 5 * MINUTE);

    await runDetectorsOnce(deps, T0 + 50 * MINUTE);
    t.equal((await anomalyRows(db, source.id))[0].status, 'open', 'still open 45 min after the last rejection');
    await runDetectorsOnce(deps, T0 + 66 * MINUTE);
    t.match((await anomalyRows(db, source.id))[0], { status: 'resolved', count: 2 });
  },
  { clock },
);
