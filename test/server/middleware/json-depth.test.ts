import t from 'tap';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../../../server/middleware/json-depth.js';
import { forEachDatabase } from '../../helpers/each-database.js';

/** `levels` nested arrays/objects around `inner` (objects under key "k"). */
function nested(levels: number, inner = '1', kind: 'array' | 'object' = 'array'): string {
  return kind === 'array' ? '['.repeat(levels) + inner + ']'.repeat(levels) : '{"k":'.repeat(levels) + inner + '}'.repeat(levels);
}

t.test('jsonDepthExceeds counts nested objects and arrays, the top value being level 1', async (t) => {
  t.equal(jsonDepthExceeds('{}', 1), false, '{} is level 1');
  t.equal(jsonDepthExceeds('[[]]', 1), true);
  t.equal(jsonDepthExceeds('[{}, {}, []]', 2), false, 'siblings do not add up');
  t.equal(jsonDepthExceeds('"just a string"', 0), false, 'a scalar has no levels');
  t.equal(jsonDepthExceeds(nested(64)), false);
  t.equal(jsonDepthExceeds(nested(65)), true);
  t.equal(jsonDepthExceeds(nested(65, '1', 'object')), true);
  t.equal(jsonDepthExceeds(nested(64, '1', 'object')), false);
  t.equal(jsonDepthExceeds(nested(1_000_000)), true, 'a million levels is answered without recursion');
});

t.test('jsonDepthExceeds ignores brackets inside strings and honours escaped quotes', async (t) => {
  t.equal(jsonDepthExceeds(JSON.stringify({ s: '[[[[[[{{{{{' }), 2), false);
  t.equal(jsonDepthExceeds(JSON.stringify({ s: 'a"[[[[[[' }), 2), false, 'an escaped quote does not end the string');
  t.equal(jsonDepthExceeds(JSON.stringify({ s: 'a\\' }) + '', 1), false, 'an escaped backslash before the closing quote');
  t.equal(jsonDepthExceeds(`[${JSON.stringify('x\\')},[[1]]]`, 2), true, 'after a string ending in a backslash, brackets count again');
  t.equal(jsonDepthExceeds('"unterminated [[[[', 0), false);
});

forEachDatabase(t, 'API bodies nested deeper than 64 levels answer 400 invalid_request, 64 is accepted', async (t, server) => {
  const ok = await server.request('POST', '/api/v1/apps', {
    rawBody: `{"name":"deep","metadata":${nested(MAX_JSON_DEPTH - 1, '1', 'object')}}`,
  });
  t.equal(ok.status, 201, 'exactly 64 levels (body + 63 in metadata) is accepted');

  for (const levels of [65, 1000, 10_000]) {
    const body = `{"name":"deep","metadata":${nested(levels - 1, '1', 'object')}}`;
    const res = await server.request('POST', '/api/v1/apps', { rawBody: body });
    t.equal(res.status, 400, `${levels} levels in metadata`);
    t.equal(res.body.error, 'invalid_request');
    t.same(res.body.details, [{ path: '/', message: 'must not nest objects and arrays deeper than 64 levels' }]);
  }

  const app = await server.request('POST', '/api/v1/apps', { body: { name: 'shop', uid: 'shop' } });
  t.equal(app.status, 201);
  const deepSchema = await server.request('POST', '/api/v1/apps/shop/event-types', {
    rawBody: `{"name":"a.b","schema":${nested(10_000, '{}', 'object')}}`,
  });
  t.equal(deepSchema.status, 400);
  t.equal(deepSchema.body.error, 'invalid_request');
  const deepPayload = await server.request('POST', '/api/v1/apps/shop/messages', {
    rawBody: `{"event_type":"a.b","payload":${nested(10_000)}}`,
  });
  t.equal(deepPayload.status, 400);
  t.equal(deepPayload.body.error, 'invalid_request');
  t.equal(
    await server
      .db('event_types')
      .count({ n: '*' })
      .first()
      .then((r) => Number(r!.n)),
    0,
    'nothing stored',
  );

  const notJson = await server.request('POST', '/api/v1/apps', { rawBody: '{"name": ' });
  t.equal(notJson.body.error, 'invalid_json', 'shallow garbage is still invalid_json');
});

forEachDatabase(t, 'ingest stores a body of any depth', async (t, server) => {
  const source = await server.request('POST', '/api/v1/sources', { body: { name: 'deep' } });
  t.equal(source.status, 201);
  const body = nested(10_000);
  const res = await fetch(source.body.data.ingest_url.replace(server.config.publicUrl, server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  t.equal(res.status, 200);
  const { event_id: eventId } = (await res.json()) as { event_id: string };
  const event = await server.request('GET', `/api/v1/events/${eventId}`);
  t.equal(event.body.data.body, body, 'stored byte for byte');
});
