import t from 'tap';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { htmlSecurityHeaders } from '../../server/middleware/html-headers.js';
import { startTestServer } from '../helpers/server.js';

/** The directives of a Content-Security-Policy header, by name. */
function directives(csp: string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (csp ?? '')
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, ...values] = part.split(/\s+/);
    map.set(name, values);
  }
  return map;
}

/** Inline `<script>` bodies and `<style>` blocks / `style=` attributes: what a CSP without 'unsafe-inline' refuses. */
function inlineCode(html: string): string[] {
  return [
    ...(html.match(/<script(?![^>]*\bsrc=)[^>]*>/gi) ?? []),
    ...(html.match(/<style\b/gi) ?? []),
    ...(html.match(/\sstyle\s*=/gi) ?? []),
    ...(html.match(/\son[a-z]+\s*=/gi) ?? []),
  ];
}

t.test('HTML pages carry their security headers', async (t) => {
  const server = await startTestServer('sqlite');
  t.teardown(() => server.close());

  t.test('/docs may be framed only by Dispatch and runs no inline code', async (t) => {
    const res = await fetch(`${server.url}/docs`);
    t.equal(res.status, 200);
    const csp = directives(res.headers.get('content-security-policy'));
    t.same(csp.get('frame-ancestors'), ["'self'"]);
    t.same(csp.get('script-src'), ["'self'"], 'scripts only from the server, no unsafe-inline or eval');
    t.same(csp.get('default-src'), ["'none'"]);
    t.notOk(
      [...csp.values()].flat().some((v) => v.includes('unsafe')),
      'no unsafe-* source anywhere',
    );
    t.equal(res.headers.get('x-content-type-options'), 'nosniff');
    t.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
    t.same(inlineCode(await res.text()), [], 'no inline script or style the policy would refuse');
    for (const asset of ['/docs/init.js', '/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css']) {
      const served = await fetch(`${server.url}${asset}`);
      t.equal(served.headers.get('x-content-type-options'), 'nosniff', asset);
      await served.arrayBuffer();
    }
  });

  t.test('/portal is never framed and never leaks its URL', async (t) => {
    const res = await fetch(`${server.url}/portal?token=ps_not_checked_here`);
    t.equal(res.status, 200);
    const csp = directives(res.headers.get('content-security-policy'));
    t.same(csp.get('frame-ancestors'), ["'none'"]);
    t.same(csp.get('script-src'), ["'self'"]);
    t.notOk(
      [...csp.values()].flat().some((v) => v.includes('unsafe')),
      'no unsafe-* source anywhere',
    );
    t.equal(res.headers.get('x-content-type-options'), 'nosniff');
    t.equal(res.headers.get('x-frame-options'), 'DENY');
    t.equal(res.headers.get('referrer-policy'), 'no-referrer', 'the token in the URL is never sent as a Referer');
    t.same(inlineCode(await res.text()), []);
  });

  t.test('JSON answers are never sniffed either', async (t) => {
    for (const path of ['/healthz', '/api/v1/apps', '/api/v1/nothing-here']) {
      const res = await fetch(`${server.url}${path}`);
      t.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      t.equal(res.headers.get('content-security-policy'), null, `${path} is not HTML`);
      await res.arrayBuffer();
    }
  });
});

t.test('any other HTML answer gets the locked-down policy', async (t) => {
  const app = new Koa();
  app.use(htmlSecurityHeaders());
  app.use((ctx) => {
    if (ctx.path === '/own') ctx.set('content-security-policy', "default-src 'self'");
    if (ctx.path === '/text') {
      ctx.type = 'text/plain';
      ctx.body = '<script>alert(1)</script>';
      return;
    }
    // as an ingest source's configured response or an echoed challenge could be
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = '<script>alert(1)</script>';
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const html = await fetch(`${base}/echo`);
  const csp = directives(html.headers.get('content-security-policy'));
  t.same(csp.get('default-src'), ["'none'"]);
  t.same(csp.get('frame-ancestors'), ["'none'"]);
  t.ok(csp.has('sandbox'), 'scripts cannot run even if the policy were bypassed');
  t.equal(html.headers.get('x-frame-options'), 'DENY');
  t.equal(html.headers.get('x-content-type-options'), 'nosniff');
  const own = await fetch(`${base}/own`);
  t.equal(own.headers.get('content-security-policy'), "default-src 'self'", 'a page with its own policy keeps it');
  const text = await fetch(`${base}/text`);
  t.equal(text.headers.get('content-security-policy'), null);
  t.equal(text.headers.get('x-content-type-options'), 'nosniff', 'text is never sniffed into HTML');
  await Promise.all([html.text(), own.text(), text.text()]);
});
