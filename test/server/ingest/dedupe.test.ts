import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { TestServer } from '../../helpers/server.js';

/** A clock the test moves by hand: dedupe windows expire without waiting. */
const clock = {
  at: Date.now(),
  now() {
    return this.at;
  },
};

async function createSource(server: TestServer, dedupe: Record<string, unknown>) {
  const created = await server.request('POST', '/api/v1/sources', { body: { name: 'dedupe', dedupe } });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  return { id: created.body.data.id as string, url: created.body.data.ingest_url.replace(server.config.publicUrl, server.url) as string };
}

async function send(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, body: await response.json() };
}

const modes: {
  key: string;
  first: [string, Record<string, string>];
  same: [string, Record<string, string>];
  other: [string, Record<string, string>];
}[] = [
  {
    key: 'header:X-Delivery-Id',
    first: ['{"a":1}', { 'x-delivery-id': 'd-1' }],
    same: ['{"a":2}', { 'X-Delivery-ID': 'd-1' }],
    other: ['{"a":1}', { 'x-delivery-id': 'd-2' }],
  },
  { key: 'body_hash', first: ['{"a":1}', {}], same: ['{"a":1}', { 'x-other': 'differs' }], other: ['{"a": 1}', {}] },
  {
    key: 'json:data.object.id',
    first: ['{"data":{"object":{"id":"ch_1"}},"n":1}', {}],
    same: ['{"n":2,"data":{"object":{"id":"ch_1"}}}', {}],
    other: ['{"data":{"object":{"id":"ch_2"}}}', {}],
  },
];

forEachDatabase(
  t,
  'dedupe by header, body hash and JSON path answers the first event id within the window and expires after it',
  async (t, server) => {
    for (const mode of modes) {
      t.comment(mode.key);
      const source = await createSource(server, { key: mode.key, window: '10m' });
      const first = await send(source.url, ...mode.first);
      t.same(first, { status: 200, body: { ok: true, event_id: first.body.event_id } });

      clock.at += 60_000;
      const repeat = await send(source.url, ...mode.same);
      t.same(repeat, { status: 200, body: { ok: true, event_id: first.body.event_id, duplicate: true } });
      const dup = await server.db('events').where({ source_id: source.id, status: 'duplicate' }).first();
      t.equal(dup.duplicate_of, first.body.event_id, 'stored as duplicate of the first');
      t.not(dup.id, first.body.event_id);

      const other = await send(source.url, ...mode.other);
      t.notOk(other.body.duplicate, 'a different key is not a duplicate');

      clock.at += 10 * 60_000;
      const late = await send(source.url, ...mode.same);
      t.equal(late.status, 200);
      t.notOk(late.body.duplicate, 'after the window the same key is new');
      t.not(late.body.event_id, first.body.event_id);
      const again = await send(source.url, ...mode.same);
      t.equal(again.body.event_id, late.body.event_id, 'and becomes the new original');
    }
  },
  { clock },
);

forEachDatabase(
  t,
  'dedupe ignores requests without the key and concurrent copies make one original',
  async (t, server) => {
    const byHeader = await createSource(server, { key: 'header:x-id', window: '1h' });
    const a = await send(byHeader.url, 'x');
    const b = await send(byHeader.url, 'x');
    t.not(a.body.event_id, b.body.event_id, 'no header, no dedupe');
    const byJson = await createSource(server, { key: 'json:id', window: '1h' });
    const c = await send(byJson.url, 'not json');
    const d = await send(byJson.url, 'not json');
    t.not(c.body.event_id, d.body.event_id, 'not JSON, no dedupe');

    const concurrent = await createSource(server, { key: 'body_hash', window: '1h' });
    const answers = await Promise.all(Array.from({ length: 12 }, () => send(concurrent.url, '{"same":true}')));
    t.equal(new Set(answers.map((r) => r.body.event_id)).size, 1, 'every copy answers the same first event');
    t.equal(answers.filter((r) => !r.body.duplicate).length, 1, 'exactly one original');
    const rows = await server.db('events').where({ source_id: concurrent.id });
    t.equal(rows.filter((r: { status: string }) => r.status === 'duplicate').length, 11);
  },
  { clock },
);

forEachDatabase(
  t,
  'dedupe by JSON path treats a body deeper than 64 levels as non-JSON: stored, never a duplicate, never a 500',
  async (t, server) => {
    const source = await createSource(server, { key: 'json:a', window: '10m' });
    // 10,000 levels under the key: JSON.stringify of the selected value would overflow the stack
    const deep = `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const first = await send(source.url, deep);
    const second = await send(source.url, deep);
    t.same([first.status, second.status], [200, 200]);
    t.notOk(second.body.duplicate, 'no dedupe key was taken from it');
    t.not(second.body.event_id, first.body.event_id);
    const stored = await server.db('events').where({ id: first.body.event_id }).first();
    t.equal(stored.body, deep, 'stored byte for byte');
    const shallow = `{"a":${'['.repeat(63)}${']'.repeat(63)}}`;
    const original = await send(source.url, shallow);
    const repeat = await send(source.url, shallow);
    t.same(repeat.body, { ok: true, event_id: original.body.event_id, duplicate: true }, '64 levels still dedupe');
  },
  { clock },
);
