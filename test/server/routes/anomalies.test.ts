import t from 'tap';
import { openOrBumpAnomaly, type Sighting } from '../../../db/queries/anomalies.js';
import { createWorkspaceWithKey } from '../../../server/bootstrap.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { MINUTE } from '../../helpers/anomaly-fixtures.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

const sighting = (workspaceId: string, fields: Partial<Sighting> = {}): Sighting => ({
  workspaceId,
  type: 'backlog',
  subjectKind: 'endpoint',
  subjectId: 'ep_subject0000000000000001',
  title: 'Endpoint hooks.example.com has deliveries pending for over 10 min',
  details: { age_seconds: 700 },
  occurrenceKey: 'head:dlv_1',
  ...fields,
});

forEachDatabase(t, 'anomalies API lists, filters, acknowledges and resolves', async (t, server) => {
  const ws = server.workspaceId;
  const backlog = await openOrBumpAnomaly(server.db, sighting(ws), T0);
  const spike = await openOrBumpAnomaly(
    server.db,
    sighting(ws, { type: 'volume_spike', subjectKind: 'source', subjectId: 'src_a', occurrenceKey: 'w1' }),
    T0 + 1,
  );
  const drop = await openOrBumpAnomaly(
    server.db,
    sighting(ws, { type: 'volume_drop', subjectKind: 'source', subjectId: 'src_b', occurrenceKey: 'l1' }),
    T0 + 2,
  );
  t.equal(backlog.outcome, 'opened');

  const detail = await server.request('GET', `/api/v1/anomalies/${backlog.anomaly!.id}`);
  t.equal(detail.status, 200);
  t.same(detail.body.data, {
    id: backlog.anomaly!.id,
    type: 'backlog',
    status: 'open',
    subject: { kind: 'endpoint', id: 'ep_subject0000000000000001' },
    title: 'Endpoint hooks.example.com has deliveries pending for over 10 min',
    count: 1,
    first_seen_at: new Date(T0).toISOString(),
    last_seen_at: new Date(T0).toISOString(),
    acknowledged_at: null,
    resolved_at: null,
    details: { age_seconds: 700 },
  });

  const acknowledged = await server.request('POST', `/api/v1/anomalies/${spike.anomaly!.id}/acknowledge`);
  t.equal(acknowledged.status, 200);
  t.equal(acknowledged.body.data.status, 'acknowledged');
  t.type(acknowledged.body.data.acknowledged_at, 'string');
  const again = await server.request('POST', `/api/v1/anomalies/${spike.anomaly!.id}/acknowledge`);
  t.equal(again.body.data.acknowledged_at, acknowledged.body.data.acknowledged_at, 'acknowledging twice changes nothing');

  const resolved = await server.request('POST', `/api/v1/anomalies/${drop.anomaly!.id}/resolve`);
  t.equal(resolved.status, 200);
  t.match(resolved.body.data, { status: 'resolved', resolved_at: String });
  t.equal((await server.db('anomalies').where({ id: drop.anomaly!.id }).first()).open_key, null, 'the open key is freed');

  const ids = (response: { body: { data: { id: string }[] } }) => response.body.data.map((a) => a.id);
  const listed = await server.request('GET', '/api/v1/anomalies');
  t.equal(listed.status, 200);
  t.same(ids(listed), [spike.anomaly!.id, backlog.anomaly!.id], 'default list: newest first, resolved excluded');
  t.equal(listed.body.next_cursor, null);
  t.same(ids(await server.request('GET', '/api/v1/anomalies?status=resolved')), [drop.anomaly!.id]);
  t.same(ids(await server.request('GET', '/api/v1/anomalies?status=acknowledged')), [spike.anomaly!.id]);
  t.same(ids(await server.request('GET', '/api/v1/anomalies?status=open')), [backlog.anomaly!.id]);
  t.same(ids(await server.request('GET', '/api/v1/anomalies?type=volume_spike')), [spike.anomaly!.id]);
  t.same(ids(await server.request('GET', '/api/v1/anomalies?type=volume_drop')), [], 'type filter still excludes resolved by default');
  t.same(ids(await server.request('GET', '/api/v1/anomalies?type=volume_drop&status=resolved')), [drop.anomaly!.id]);

  const first = await server.request('GET', '/api/v1/anomalies?limit=1');
  t.same(ids(first), [spike.anomaly!.id]);
  const second = await server.request('GET', `/api/v1/anomalies?limit=1&cursor=${first.body.next_cursor}`);
  t.same(ids(second), [backlog.anomaly!.id]);
  t.equal(second.body.next_cursor, null);

  const bad = await server.request('GET', '/api/v1/anomalies?status=closed');
  t.equal(bad.status, 400);
  t.equal(bad.body.error, 'invalid_request');
  t.equal((await server.request('GET', '/api/v1/anomalies?type=nope')).status, 400);
});

forEachDatabase(t, 'anomalies API answers 404 anomaly_not_found for unknown and other-workspace ids', async (t, server) => {
  const opened = await openOrBumpAnomaly(server.db, sighting(server.workspaceId), T0);
  const other = await createWorkspaceWithKey(server.db, 'other', T0);
  for (const [method, suffix] of [
    ['GET', ''],
    ['POST', '/acknowledge'],
    ['POST', '/resolve'],
  ] as const) {
    const foreign = await server.request(method, `/api/v1/anomalies/${opened.anomaly!.id}${suffix}`, { key: other.key });
    t.equal(foreign.status, 404, `${method} ${suffix || 'detail'} from another workspace`);
    t.equal(foreign.body.error, 'anomaly_not_found');
    const unknown = await server.request(method, `/api/v1/anomalies/anm_doesnotexist${suffix}`);
    t.equal(unknown.status, 404);
    t.equal(unknown.body.error, 'anomaly_not_found');
  }
  t.same((await server.request('GET', '/api/v1/anomalies', { key: other.key })).body.data, [], 'lists are per workspace');
  t.equal((await server.db('anomalies').where({ id: opened.anomaly!.id }).first()).status, 'open', 'untouched');
});

forEachDatabase(t, 'anomalies API requires anomaly:read to read and anomaly:write to change', async (t, server) => {
  const opened = await openOrBumpAnomaly(server.db, sighting(server.workspaceId), T0);
  const make = async (scopes: string[]) =>
    (await server.request('POST', '/api/v1/keys', { body: { name: scopes.join(), scopes } })).body.data.key as string;
  const reader = await make(['anomaly:read']);
  const writer = await make(['anomaly:write']);
  t.equal((await server.request('GET', '/api/v1/anomalies', { key: reader })).status, 200);
  const denied = await server.request('POST', `/api/v1/anomalies/${opened.anomaly!.id}/resolve`, { key: reader });
  t.equal(denied.status, 403);
  t.equal(denied.body.required_scope, 'anomaly:write');
  t.equal((await server.request('GET', '/api/v1/anomalies', { key: writer })).body.required_scope, 'anomaly:read');
  t.equal((await server.request('POST', `/api/v1/anomalies/${opened.anomaly!.id}/acknowledge`, { key: writer })).status, 200);
});

forEachDatabase(
  t,
  'anomaly store bumps count and last_seen_at on new evidence only, and keeps acknowledged anomalies open',
  async (t, server) => {
    const ws = server.workspaceId;
    const opened = await openOrBumpAnomaly(server.db, sighting(ws), T0);
    const same = await openOrBumpAnomaly(server.db, sighting(ws), T0 + MINUTE);
    t.equal(same.outcome, 'unchanged', 'the same evidence seen again is not a recurrence');
    t.equal(same.anomaly!.count, 1);

    await server.request('POST', `/api/v1/anomalies/${opened.anomaly!.id}/acknowledge`);
    const bumped = await openOrBumpAnomaly(
      server.db,
      sighting(ws, { occurrenceKey: 'head:dlv_2', details: { age_seconds: 900 } }),
      T0 + 2 * MINUTE,
    );
    t.equal(bumped.outcome, 'bumped');
    t.equal(bumped.anomaly!.id, opened.anomaly!.id, 'the acknowledged anomaly is still the one for its subject');
    t.match(bumped.anomaly!, {
      count: 2,
      lastSeenAt: T0 + 2 * MINUTE,
      firstSeenAt: T0,
      status: 'acknowledged',
      details: { age_seconds: 900 },
    });

    await server.request('POST', `/api/v1/anomalies/${opened.anomaly!.id}/resolve`);
    const suppressed = await openOrBumpAnomaly(server.db, sighting(ws, { occurrenceKey: 'head:dlv_2' }), T0 + 3 * MINUTE);
    t.equal(suppressed.outcome, 'suppressed', 'a condition resolved by hand does not reopen on the same evidence');
    const reopened = await openOrBumpAnomaly(server.db, sighting(ws, { occurrenceKey: 'head:dlv_3' }), T0 + 4 * MINUTE);
    t.equal(reopened.outcome, 'opened', 'new evidence opens a new anomaly');
    t.not(reopened.anomaly!.id, opened.anomaly!.id);
    t.equal((await server.db('anomalies').where({ subject_id: 'ep_subject0000000000000001' })).length, 2);
  },
);
