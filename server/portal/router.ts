import Router from '@koa/router';
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import type { AppDeps } from '../deps.js';
import { mountPortalRoutes, type PortalRouteSpec } from './define-portal-route.js';
import { portalEndpointRoutes } from './routes/endpoints.js';
import { portalMessageRoutes } from './routes/messages.js';
import { portalSessionInfoRoutes } from './routes/session.js';
import { PORTAL_CSS } from './static/portal-css.js';
import { PORTAL_HTML } from './static/portal-html.js';
import { PORTAL_JS } from './static/portal-js.js';

/** Every route under /api/v1/portal, authorised by a portal session token. */
export const portalRoutes: PortalRouteSpec[] = [...portalSessionInfoRoutes, ...portalEndpointRoutes, ...portalMessageRoutes];

/**
 * The page can only load its own script and styles and talk to its own origin; it is never framed,
 * never cached (its URL carries the token on first load) and sends no Referer that could leak it.
 */
const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

interface Asset {
  type: string;
  body: string;
  etag: string;
}

function asset(type: string, body: string): Asset {
  return { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

const ASSETS: Record<string, Asset> = {
  'portal.js': asset('application/javascript; charset=utf-8', PORTAL_JS),
  'portal.css': asset('text/css; charset=utf-8', PORTAL_CSS),
};

function serveAsset(ctx: Context, file: Asset): void {
  ctx.set('x-content-type-options', 'nosniff');
  ctx.set('cache-control', 'no-cache');
  ctx.set('etag', file.etag);
  if (ctx.get('if-none-match') === file.etag) {
    ctx.status = 304;
    return;
  }
  ctx.type = file.type;
  ctx.body = file.body;
}

/**
 * The recipient portal: the page at GET /portal, its two assets, and the JSON routes under
 * /api/v1/portal. The page is public (it holds no data); every API route checks the token.
 */
export function portalRouter(deps: AppDeps): Router {
  const router = new Router();
  router.get('/portal', (ctx) => {
    for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = PORTAL_HTML;
  });
  router.get('/portal/assets/:file', (ctx) => {
    const file = ASSETS[ctx.params.file];
    if (file) serveAsset(ctx, file);
  });
  const api = new Router({ prefix: '/api/v1/portal' });
  mountPortalRoutes(api, deps, portalRoutes);
  router.use(api.routes());
  return router;
}
