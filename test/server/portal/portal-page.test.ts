import t from 'tap';
import { loggablePath } from '../../../server/logger.js';
import { startTestServer } from '../../helpers/server.js';

t.test('loggablePath drops query strings and masks portal and ingest tokens', async (t) => {
  t.equal(loggablePath('/portal?token=ps_4q0bGk2VwXo9cY1s7ZLmE3uRtN8aJhDpQfKi6vBz5Wy'), '/portal');
  t.equal(loggablePath('/portal#token=x'), '/portal');
  t.equal(loggablePath('/x/ps_4q0bGk2VwXo9cY1s7ZLmE3uRtN8aJhDpQfKi6vBz5Wy/y'), '/x/ps_[token]/y');
  t.equal(loggablePath('/apps/maps_0123456789012345678901234'), '/apps/maps_0123456789012345678901234', 'uids that merely contain ps_ are kept');
  t.equal(loggablePath('/in/src_token/extra'), '/in/[token]/extra');
});

t.test('portal page', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());

  await t.test('portal page is served with a strict CSP, no caching and no referrer', async (t) => {
    const token = 'ps_notARealTokenButLooksLikeOne0123456789abcd';
    const response = await fetch(`${server.url}/portal?token=${token}`);
    t.equal(response.status, 200);
    t.match(response.headers.get('content-type'), /^text\/html/);
    t.match(response.headers.get('content-security-policy'), /default-src 'none'; script-src 'self'/);
    t.equal(response.headers.get('cache-control'), 'no-store');
    t.equal(response.headers.get('referrer-policy'), 'no-referrer');
    t.equal(response.headers.get('x-frame-options'), 'DENY');
    const html = await response.text();
    t.match(html, /<html lang="en">/);
    t.match(html, /<label for="endpoint-url">Endpoint URL<\/label>/);
    t.notMatch(html, /(src|href)="(https?:)?\/\//, 'no CDN or other external URL');
    t.notOk(html.includes(token), 'the page never echoes the token');
    t.notOk(server.logs.join('').includes(token), 'the token in the query never reaches the logs');
    t.ok(server.logs.some((line) => line.includes('"path":"/portal"')), 'the request is logged by path alone');
  });

  await t.test('portal assets are served from the server with validators', async (t) => {
    for (const [file, type] of [['portal.js', /^application\/javascript/], ['portal.css', /^text\/css/]] as const) {
      const response = await fetch(`${server.url}/portal/assets/${file}`);
      t.equal(response.status, 200, file);
      t.match(response.headers.get('content-type'), type);
      const etag = response.headers.get('etag');
      t.ok(etag);
      t.ok((await response.text()).length > 500);
      const again = await fetch(`${server.url}/portal/assets/${file}`, { headers: { 'if-none-match': etag as string } });
      t.equal(again.status, 304, `${file} revalidates`);
    }
    const missing = await server.request('GET', '/portal/assets/secrets.txt', { key: null });
    t.equal(missing.status, 404);
    t.equal(missing.body.error, 'route_not_found');
    const script = await (await fetch(`${server.url}/portal/assets/portal.js`)).text();
    t.notMatch(script, /innerHTML/, 'the script builds the DOM with textContent only');
    t.match(script, /history\.replaceState/);
    t.match(script, /sessionStorage/);
  });
});
