import t from 'tap';
import RE2 from 're2';
import { estimatePatternSize, MAX_PATTERN_SIZE } from '../../../server/schemas/pattern-size.js';
import { forEachDatabase } from '../../helpers/each-database.js';

t.test('estimatePatternSize counts atoms and multiplies counted repetitions', async (t) => {
  t.equal(estimatePatternSize('abc'), 3);
  t.equal(estimatePatternSize('^[a-z]+$'), 2, 'a class is one step, + adds one, anchors none');
  t.equal(estimatePatternSize('[\\s\\S]{1000}'), 1000);
  t.equal(estimatePatternSize('(a{10}){10}'), 110, 'a group repeats its contents and itself');
  t.equal(estimatePatternSize('(?:ab){3}'), 9);
  t.equal(
    estimatePatternSize('(?P<name>x)(?<other>y)(?i)z'),
    6,
    'group prefixes and flags are not atoms (a group is one step plus its contents)',
  );
  t.equal(estimatePatternSize('[]a{5}]'), 1, 'a class hides its braces, a leading ] included');
  t.equal(estimatePatternSize('\\{5\\}\\u{1F600}\\p{L}'), 5, 'escapes are single atoms');
  t.equal(estimatePatternSize('a{,5}'), 5, 'a brace that is not a quantifier is literal');
  t.equal(estimatePatternSize('[\\s\\S]{1000}'.repeat(50), 5000), 5001, 'stops counting past the cap');
  t.ok(estimatePatternSize('^[a-zA-Z0-9._-]{1,256}$') <= 256, "the API's own name pattern fits");
});

t.test('estimatePatternSize grows with what RE2 has to expand', async (t) => {
  // each compiles on RE2 (its own limit is 1000 nested repetitions) and is counted by expansion
  for (const [pattern, size] of [
    ['(?:a|b){500}', 1500],
    ['(x{30}){30}', 930],
    ['[0-9a-f]{8}-[0-9a-f]{4}', 13],
    ['(a|aa|aaa){100}b', 701],
  ] as const) {
    t.doesNotThrow(() => new RE2(pattern, 'u'), pattern);
    t.equal(estimatePatternSize(pattern), size, pattern);
  }
});

forEachDatabase(t, 'event-type patterns that expand too far are refused with a path to each', async (t, server) => {
  await server.request('POST', '/api/v1/apps', { body: { name: 'shop', uid: 'shop' } });
  const post = (name: string, schema: unknown) => server.request('POST', '/api/v1/apps/shop/event-types', { body: { name, schema } });
  const wide = await post('wide', { type: 'object', properties: { s: { type: 'string', pattern: '[\\s\\S]{1000}'.repeat(50) } } });
  t.equal(wide.status, 400);
  t.equal(wide.body.error, 'invalid_request');
  t.same(wide.body.details, [
    { path: '/schema/properties/s/pattern', message: `is too large: counted repetitions expand it past ${MAX_PATTERN_SIZE} steps` },
  ]);

  const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}`, { type: 'string', pattern: '.{1000}' }]));
  const together = await post('together', { type: 'object', properties: many });
  t.equal(together.status, 400);
  t.same(together.body.details, [{ path: '/schema', message: 'has patterns that together expand past 10000 steps' }]);

  t.equal((await post('fine', { type: 'object', properties: { s: { type: 'string', pattern: '[\\s\\S]{1000}' } } })).status, 201);
  const started = Date.now();
  const sent = await server.request('POST', '/api/v1/apps/shop/messages', {
    body: { event_type: 'fine', payload: { s: 'a'.repeat(900_000) } },
  });
  t.equal(sent.status, 202);
  t.ok(Date.now() - started < 10_000, 'a generous guard only');
});

t.test('a schema with more than 1,000 subschemas is refused before ajv compiles it', async (t) => {
  const { compileUserSchema } = await import('../../../server/schemas/event-types.js');
  const properties = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`p${i}`, { type: 'string' }]));
  const started = Date.now();
  t.throws(() => compileUserSchema({ type: 'object', properties }), {
    code: 'invalid_request',
    extra: { details: [{ path: '/schema', message: 'has 20001 subschemas; at most 1000 are allowed' }] },
  });
  t.ok(Date.now() - started < 5_000, 'a generous guard: compiling it took 11 s');
  t.doesNotThrow(() => compileUserSchema({ type: 'object', properties: Object.fromEntries(Object.entries(properties).slice(0, 999)) }));
});
