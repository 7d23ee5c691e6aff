import t from 'tap';
import { compileFilter } from '../../../server/filters/index.js';
import { anyFilter, forwardUrl, matchingDestinations } from '../../../server/ingest/destinations.js';
import { createSourceCache } from '../../../server/ingest/source-cache.js';
import { createDb } from '../../../db/index.js';
import { systemClock } from '../../../server/deps.js';

const json = (value: unknown) => ({ body: JSON.stringify(value), bodyEncoding: 'utf8' as const });

t.test('matchingDestinations keeps unfiltered destinations and those whose filter matches the JSON body', async (t) => {
  const destinations = [
    { url: 'https://a.example/' },
    { url: 'https://b.example/', filter: { type: 'paid' } },
    { url: 'https://c.example/', filter: {} },
    { url: 'https://d.example/', filter: null },
    { url: 'https://e.example/', filter: { 'items.0.sku': { $prefix: 'X' } } },
  ];
  t.same(matchingDestinations(destinations, json({ type: 'paid', items: [{ sku: 'X1' }] }), compileFilter), [0, 1, 2, 3, 4]);
  t.same(matchingDestinations(destinations, json({ type: 'open' }), compileFilter), [0, 2, 3]);
  t.same(
    matchingDestinations(destinations, { body: 'type=paid', bodyEncoding: 'utf8' }, compileFilter),
    [0, 2, 3],
    'not JSON: only {} filters',
  );
  t.same(matchingDestinations(destinations, { body: '/w==', bodyEncoding: 'base64' }, compileFilter), [0, 2, 3], 'binary: only {} filters');
  t.same(matchingDestinations(destinations, { body: null, bodyEncoding: 'utf8' }, compileFilter), [0, 2, 3], 'purged body');
  const deep = `${'['.repeat(70)}${']'.repeat(70)}`;
  t.same(
    matchingDestinations([{ url: 'https://x.example/', filter: { $not: { a: 1 } } }], { body: deep, bodyEncoding: 'utf8' }, compileFilter),
    [],
    'deeper than 64 levels counts as non-JSON',
  );
  t.same(matchingDestinations([], json({}), compileFilter), []);
});

t.test('matchingDestinations parses the body once and only when a destination filters', async (t) => {
  let compiled = 0;
  const counting = (filter: Record<string, unknown>) => {
    compiled++;
    return compileFilter(filter);
  };
  t.same(matchingDestinations([{ url: 'https://a.example/' }], { body: '{not json', bodyEncoding: 'utf8' }, counting), [0]);
  t.equal(compiled, 0);
  t.equal(anyFilter([{ url: 'https://a.example/', filter: {} }]), false, '{} filters nothing');
  t.equal(anyFilter([{ url: 'https://a.example/', filter: { a: 1 } }]), true);
});

t.test('forwardUrl appends the sub-path and query only with path_forwarding', async (t) => {
  const event = { path: '/github/push', query: 'delivery=1&x=a%20b' };
  t.equal(forwardUrl({ url: 'https://h.example/hooks?team=ops' }, event).href, 'https://h.example/hooks?team=ops');
  const on = { url: 'https://h.example/hooks?team=ops', path_forwarding: true };
  t.equal(forwardUrl(on, event).href, 'https://h.example/hooks/github/push?team=ops&delivery=1&x=a%20b');
  t.equal(forwardUrl(on, { path: '/', query: '' }).href, 'https://h.example/hooks?team=ops', 'a bare ingest URL changes nothing');
  t.equal(forwardUrl({ url: 'https://h.example/', path_forwarding: true }, { path: '/a/b/', query: '' }).href, 'https://h.example/a/b/');
  t.equal(forwardUrl({ url: 'https://h.example', path_forwarding: true }, { path: '/', query: 'q=1' }).href, 'https://h.example/?q=1');
  t.equal(
    forwardUrl({ url: 'https://h.example/base', path_forwarding: true }, { path: '/../%2e%2E/admin/./x', query: '' }).href,
    'https://h.example/base/admin/x',
    'dot segments never climb above the destination path',
  );
  t.throws(() => forwardUrl({ url: 'not a url' }, event));
});

t.test('a stored destination filter that no longer compiles matches nothing instead of failing the ingest', async (t) => {
  const db = createDb({ databaseUrl: 'sqlite::memory:', poolSize: 1 });
  t.teardown(() => db.destroy());
  const cache = createSourceCache(db, systemClock);
  const destinations = [{ url: 'https://a.example/' }, { url: 'https://b.example/', filter: { amount: { $between: [1, 2] } } }];
  t.same(matchingDestinations(destinations, json({ amount: 1 }), cache.filterMatcher), [0]);
});
