import t from 'tap';
import { compileUserSchema } from '../../../server/schemas/event-types.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { TestServer } from '../../helpers/server.js';

async function eventType(server: TestServer, name: string, schema: unknown) {
  return server.request('POST', '/api/v1/apps/shop/event-types', { body: { name, schema } });
}

async function send(server: TestServer, eventTypeName: string, payload: unknown) {
  return server.request('POST', '/api/v1/apps/shop/messages', { body: { event_type: eventTypeName, payload } });
}

forEachDatabase(t, 'a catastrophic-backtracking pattern validates long payloads in linear time (RE2)', async (t, server) => {
  await server.request('POST', '/api/v1/apps', { body: { name: 'shop', uid: 'shop' } });
  t.equal((await eventType(server, 'redos', { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } })).status, 201);
  t.equal((await eventType(server, 'redos.keys', { type: 'object', patternProperties: { '^(a|aa)+$': { type: 'integer' } } })).status, 201);

  const started = Date.now();
  const bad = await send(server, 'redos', { s: `${'a'.repeat(10_000)}!` });
  t.equal(bad.status, 400);
  t.equal(bad.body.error, 'payload_invalid');
  t.same(
    bad.body.details.map((d: { path: string }) => d.path),
    ['/payload/s'],
  );
  const short = await send(server, 'redos', { s: `${'a'.repeat(27)}!` });
  t.equal(short.body.error, 'payload_invalid', 'the 27-character case that froze the server');
  t.equal((await send(server, 'redos', { s: 'a'.repeat(10_000) })).status, 202);

  const keyBad = await send(server, 'redos.keys', { [`${'a'.repeat(5_000)}!`]: 1, [`${'a'.repeat(5_000)}`]: 'x' });
  t.equal(keyBad.status, 400);
  t.same(
    keyBad.body.details.map((d: { path: string }) => d.path),
    [`/payload/${'a'.repeat(5_000)}`],
    'only the matching key is checked',
  );
  // a generous guard only: with backtracking the first request alone runs for far longer than the age of the universe
  t.ok(Date.now() - started < 10_000, 'answered within seconds');
});

forEachDatabase(t, 'patterns RE2 cannot run are refused at create and update with a path to the pattern', async (t, server) => {
  await server.request('POST', '/api/v1/apps', { body: { name: 'shop', uid: 'shop' } });
  const lookahead = await eventType(server, 'a.one', {
    type: 'object',
    properties: { 'pass/word': { type: 'string', pattern: '^(?=.*\\d).{8,}$' } },
  });
  t.equal(lookahead.status, 400);
  t.equal(lookahead.body.error, 'invalid_request');
  t.equal(lookahead.body.details.length, 1);
  t.equal(lookahead.body.details[0].path, '/schema/properties/pass~1word/pattern');
  t.match(lookahead.body.details[0].message, /RE2/);

  const nestedKeys = await eventType(server, 'a.two', {
    type: 'array',
    items: { anyOf: [{ patternProperties: { '(?<!x)y': {} } }, { type: 'string', pattern: '(a)\\1' }] },
  });
  t.equal(nestedKeys.status, 400);
  t.same(nestedKeys.body.details.map((d: { path: string }) => d.path).sort(), [
    '/schema/items/anyOf/0/patternProperties/(?<!x)y',
    '/schema/items/anyOf/1/pattern',
  ]);

  t.equal((await eventType(server, 'a.three', { type: 'string', pattern: '^[a-z]+\\d{2}$' })).status, 201, 'ordinary patterns still work');
  const update = await server.request('PATCH', '/api/v1/apps/shop/event-types/a.three', {
    body: { schema: { type: 'string', pattern: '(?!x)' } },
  });
  t.equal(update.status, 400);
  t.equal(update.body.details[0].path, '/schema/pattern');

  const dataNotSchema = await eventType(server, 'a.four', { const: { pattern: '(?=x)' }, enum: [{ pattern: '(?=y)' }] });
  t.equal(dataNotSchema.status, 201, 'a "pattern" inside const/enum data is not a pattern');
});

forEachDatabase(t, 'format and uniqueItems cannot be used to hold the server', async (t, server) => {
  await server.request('POST', '/api/v1/apps', { body: { name: 'shop', uid: 'shop' } });
  // message payloads are objects: the arrays under test sit in `l`
  const listOf = (items: unknown) => ({ type: 'object', properties: { l: { type: 'array', items, uniqueItems: false } } });
  t.equal((await eventType(server, 'fmt', listOf({ type: 'string', format: 'regex' }))).status, 201);
  t.equal((await send(server, 'fmt', { l: ['^a+$', '(?=lookahead is valid ECMAScript)'] })).status, 202);
  const huge = await send(server, 'fmt', { l: ['('.repeat(2_000) + ')'.repeat(2_000), '[', 'a'.repeat(4_097)] });
  t.equal(huge.status, 400);
  t.same(
    huge.body.details.map((d: { path: string }) => d.path),
    ['/payload/l/1', '/payload/l/2'],
    'unparseable and overlong patterns are refused, without compiling the long one',
  );

  t.equal((await eventType(server, 'uniq', { type: 'object', properties: { l: { type: 'array', uniqueItems: true } } })).status, 201);
  const distinct = Array.from({ length: 60_000 }, (_, i) => ({ i }));
  t.equal(
    (await send(server, 'uniq', { l: distinct })).status,
    202,
    '60,000 distinct objects (ajv compares every pair: 1.8·10⁹ comparisons)',
  );
  const duplicate = await send(server, 'uniq', { l: [...distinct.slice(0, 30_000), { i: 5 }] });
  t.equal(duplicate.status, 400);
  t.match(duplicate.body.details, [{ path: '/payload/l', message: /items ## 5 and 30000 are identical/ }]);
  t.equal(
    (
      await send(server, 'uniq', {
        l: [
          { a: 1, b: [1, { c: 2 }] },
          { b: [1, { c: 2 }], a: 1 },
        ],
      })
    ).status,
    400,
    'key order does not make items distinct',
  );
  t.equal((await send(server, 'uniq', { l: [1, '1', [1], { 1: 1 }, null, 'null'] })).status, 202, 'values of different types differ');
});

forEachDatabase(t, 'a schema that refers to itself without descending is refused at save, and guarded at send', async (t, server) => {
  await server.request('POST', '/api/v1/apps', { body: { name: 'shop', uid: 'shop' } });
  for (const schema of [
    { $ref: '#' },
    { allOf: [{ $ref: '#' }] },
    { definitions: { a: { $ref: '#/definitions/a' } }, $ref: '#/definitions/a' },
  ]) {
    const res = await eventType(server, 'loop', schema);
    t.equal(res.status, 400, JSON.stringify(schema));
    t.equal(res.body.error, 'invalid_request');
    t.match(res.body.details, [{ path: '/schema', message: /refers to itself without descending/ }]);
  }
  const tree = { type: 'object', properties: { children: { type: 'array', items: { $ref: '#' } } } };
  t.equal((await eventType(server, 'tree', tree)).status, 201, 'recursion that descends is fine');
  t.equal((await send(server, 'tree', { children: [{ children: [{ children: [] }] }] })).status, 202);

  // a cycle only reached through payload data slips past the save-time probes; the send then fails cleanly
  const sneaky = [
    { if: { type: 'object', required: ['a'] }, then: { $ref: '#' } },
    { properties: { a: { $ref: '#/definitions/x' } }, definitions: { x: { $ref: '#/definitions/x' } } },
  ];
  for (const [i, schema] of sneaky.entries()) {
    t.equal((await eventType(server, `sneaky${i}`, schema)).status, 201);
    const res = await send(server, `sneaky${i}`, { a: 1 });
    t.equal(res.status, 400);
    t.equal(res.body.error, 'payload_invalid');
    t.match(res.body.details, [{ path: '/payload', message: /refers to itself without descending/ }]);
  }
});

forEachDatabase(t, 'a schema that branches exponentially stops at the evaluation budget', async (t, server) => {
  await server.request('POST', '/api/v1/apps', { body: { name: 'shop', uid: 'shop' } });
  // every level is checked twice (the first branch fails only after descending): 2^40 evaluations unbounded
  const twice = { anyOf: [{ items: { $ref: '#/definitions/n' }, minItems: 5 }, { items: { $ref: '#/definitions/n' } }] };
  // the recursive part sits under an unknown keyword: a $ref may point anywhere, and it is counted there too
  const schema = {
    type: 'object',
    properties: { l: { $ref: '#/x-mine/n' } },
    'x-mine': { n: twice },
    definitions: { n: { $ref: '#/x-mine/n' } },
  };
  t.equal((await eventType(server, 'expo', schema)).status, 201);
  const started = Date.now();
  const res = await send(server, 'expo', { l: JSON.parse('['.repeat(40) + ']'.repeat(40)) });
  t.equal(res.status, 400);
  t.equal(res.body.error, 'payload_invalid');
  t.match(res.body.details, [{ path: '/payload', message: /more than 1000000 schema evaluations/ }]);
  t.equal((await send(server, 'expo', { l: JSON.parse('['.repeat(5) + ']'.repeat(5)) })).status, 202, 'shallow data still checks');
  t.ok(Date.now() - started < 10_000, 'a generous guard: unbounded, the check runs for hours');

  t.equal(
    (await eventType(server, 'big', { type: 'object', properties: { l: { type: 'array', items: { type: 'integer', minimum: 0 } } } }))
      .status,
    201,
  );
  const ints = Array.from({ length: 250_000 }, (_, i) => i % 10);
  t.equal((await send(server, 'big', { l: ints })).status, 202, 'a 500 KB payload of 250,000 checked items fits the budget');
});

t.test('compileUserSchema caps the errors of one payload at 100', async (t) => {
  const validate = compileUserSchema({ type: 'array', items: { type: 'string' } });
  t.equal(validate(Array.from({ length: 5_000 }, (_, i) => i)), false);
  t.equal(validate.errors?.length, 100);
});
