import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { TestServer } from '../../helpers/server.js';

/** Walks a list with limit=2 and returns every page's ids and cursors. */
async function walk(t: Test, server: TestServer, path: string) {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await server.request('GET', `${path}${sep}limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    t.equal(res.status, 200);
    pages.push(res.body.data.map((item: { id: string }) => item.id));
    cursor = res.body.next_cursor;
    if (pages.length > 10) throw new Error('the cursor chain does not end');
  } while (cursor !== null);
  return pages;
}
type Test = Parameters<Parameters<typeof forEachDatabase>[2]>[0];

forEachDatabase(t, 'configuration lists page newest first with a cursor chain', async (t, server) => {
  const ids: Record<string, string[]> = { apps: [], recipients: [], eventTypes: [], endpoints: [] };
  for (let i = 0; i < 5; i++)
    ids.apps.push((await server.request('POST', '/api/v1/apps', { body: { name: `app ${i}`, uid: `app-${i}` } })).body.data.id);
  for (let i = 0; i < 5; i++)
    ids.recipients.push((await server.request('POST', '/api/v1/apps/app-0/recipients', { body: { uid: `r-${i}` } })).body.data.id);
  for (let i = 0; i < 5; i++)
    ids.eventTypes.push((await server.request('POST', '/api/v1/apps/app-0/event-types', { body: { name: `type.${i}` } })).body.data.id);
  for (let i = 0; i < 5; i++)
    ids.endpoints.push(
      (await server.request('POST', '/api/v1/apps/app-0/recipients/r-0/endpoints', { body: { url: `https://h.example/${i}` } })).body.data
        .id,
    );

  const lists: [string, string][] = [
    ['apps', '/api/v1/apps'],
    ['recipients', '/api/v1/apps/app-0/recipients'],
    ['eventTypes', '/api/v1/apps/app-0/event-types'],
    ['endpoints', '/api/v1/apps/app-0/recipients/r-0/endpoints'],
  ];
  for (const [kind, path] of lists) {
    const pages = await walk(t, server, path);
    t.same(
      pages.map((p) => p.length),
      [2, 2, 1],
      `${kind}: 5 items over 3 pages`,
    );
    t.same(pages.flat(), [...ids[kind]].reverse(), `${kind}: newest first, each once`);
  }

  // archived types drop out of the chain unless asked for
  await server.request('POST', '/api/v1/apps/app-0/event-types/type.3/archive');
  t.same((await walk(t, server, '/api/v1/apps/app-0/event-types')).flat().length, 4);
  t.same((await walk(t, server, '/api/v1/apps/app-0/event-types?include_archived=true')).flat().length, 5);

  const exact = await server.request('GET', '/api/v1/apps?limit=5');
  t.equal(exact.body.data.length, 5);
  t.equal(exact.body.next_cursor, null, 'no next page when the last page is exactly full');
  const defaults = await server.request('GET', '/api/v1/apps');
  t.equal(defaults.body.data.length, 5, 'default limit is 50');

  for (const limit of ['0', '101', 'abc']) {
    const bad = await server.request('GET', `/api/v1/apps?limit=${limit}`);
    t.equal(bad.status, 400, `limit=${limit}`);
    t.equal(bad.body.details[0].path, '/limit');
  }
});
