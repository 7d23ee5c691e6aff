import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { loggablePath } from '../../../server/logger.js';
import { startTestServer } from '../../helpers/server.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

/** The relative modules a script imports statically (`import … from './x.js'`). */
function importsOf(source: string): string[] {
  return [...source.matchAll(/^import\s[^;]*?from\s+'(\.\/[\w-]+\.js)';/gm)].map((match) => match[1]);
}

t.test('loggablePath drops query strings and masks portal and ingest tokens', async (t) => {
  t.equal(loggablePath('/portal?token=ps_4q0bGk2VwXo9cY1s7ZLmE3uRtN8aJhDpQfKi6vBz5Wy'), '/portal');
  t.equal(loggablePath('/portal#token=x'), '/portal');
  t.equal(loggablePath('/x/ps_4q0bGk2VwXo9cY1s7ZLmE3uRtN8aJhDpQfKi6vBz5Wy/y'), '/x/ps_[token]/y');
  t.equal(
    loggablePath('/apps/maps_0123456789012345678901234'),
    '/apps/maps_0123456789012345678901234',
    'uids that merely contain ps_ are kept',
  );
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
    t.notMatch(response.headers.get('content-security-policy'), /unsafe-inline|unsafe-eval/);
    t.equal(response.headers.get('x-content-type-options'), 'nosniff');
    t.equal(response.headers.get('cache-control'), 'no-store');
    t.equal(response.headers.get('referrer-policy'), 'no-referrer');
    t.equal(response.headers.get('x-frame-options'), 'DENY');
    const html = await response.text();
    t.match(html, /<html lang="en">/);
    t.match(html, /<label for="endpoint-url">Endpoint URL<\/label>/);
    t.notMatch(html, /(src|href)="(https?:)?\/\//, 'no CDN or other external URL');
    t.notMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, 'no inline script (the CSP would block it)');
    t.notMatch(html, /<style|\sstyle=|\son[a-z]+=/, 'no inline style or event handler attribute');
    t.match(html, /<script type="module" src="portal\/assets\/main\.js"><\/script>/);
    t.notOk(html.includes(token), 'the page never echoes the token');
    t.notOk(server.logs.join('').includes(token), 'the token in the query never reaches the logs');
    t.ok(
      server.logs.some((line) => line.includes('"path":"/portal"')),
      'the request is logged by path alone',
    );
  });

  await t.test('portal assets are served from the server with validators', async (t) => {
    for (const [file, type] of [
      ['main.js', /^text\/javascript; charset=utf-8$/],
      ['portal.css', /^text\/css; charset=utf-8$/],
    ] as const) {
      const response = await fetch(`${server.url}/portal/assets/${file}`);
      t.equal(response.status, 200, file);
      t.match(response.headers.get('content-type'), type);
      t.equal(response.headers.get('x-content-type-options'), 'nosniff');
      t.equal(response.headers.get('cache-control'), 'no-cache', 'revalidated on every load, so an upgrade shows at once');
      const etag = response.headers.get('etag');
      t.ok(etag);
      t.ok((await response.text()).length > 500);
      const again = await fetch(`${server.url}/portal/assets/${file}`, { headers: { 'if-none-match': `"other", ${etag}` } });
      t.equal(again.status, 304, `${file} revalidates`);
      t.equal(await again.text(), '');
    }
    for (const path of [
      '/portal/assets/secrets.txt',
      '/portal/assets/types.d.ts',
      '/portal/assets/portal.html',
      '/portal/assets/..%2Frouter.ts',
      '/portal/assets/',
    ]) {
      const missing = await server.request('GET', path, { key: null });
      t.equal(missing.status, 404, path);
      t.equal(missing.body.error, 'route_not_found');
    }
  });

  await t.test('portal serves every module the page imports, and they build the DOM safely', async (t) => {
    const seen = new Map<string, string>();
    const queue = ['main.js'];
    while (queue.length > 0) {
      const file = queue.shift() as string;
      if (seen.has(file)) continue;
      const response = await fetch(`${server.url}/portal/assets/${file}`);
      t.equal(response.status, 200, `${file} is served`);
      t.match(response.headers.get('content-type'), /^text\/javascript/, `${file} is JavaScript`);
      const source = await response.text();
      seen.set(file, source);
      queue.push(...importsOf(source).map((path) => path.slice(2)));
    }
    t.ok(seen.size >= 5, `main.js pulls in its modules (${[...seen.keys()].join(', ')})`);
    const all = [...seen.values()].join('\n');
    t.notMatch(all, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/, 'the scripts build the DOM with textContent only');
    t.notMatch(all, /\beval\(|new Function\(/, 'nothing the CSP would refuse');
    t.notMatch(all, /(import|from)\s*\(?\s*'(https?:)?\/\//, 'no module from another origin');
    t.match(all, /history\.replaceState/);
    t.match(all, /sessionStorage/);
  });
});

t.test('portal browser modules type-check against the DOM lib (tsconfig.web.json)', async (t) => {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const result = await run(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.web.json')], { cwd: ROOT }).then(
    () => '',
    (error: { stdout?: string; message: string }) => error.stdout || error.message,
  );
  t.equal(result, '', 'tsc reports no error');
});
