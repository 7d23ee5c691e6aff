import Router from '@koa/router';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Context } from 'koa';
import type { AppDeps } from '../deps.js';
import { mountPortalRoutes, type PortalRouteSpec } from './define-portal-route.js';
import { portalEndpointRoutes } from './routes/endpoints.js';
import { portalMessageRoutes } from './routes/messages.js';
import { portalSessionInfoRoutes } from './routes/session.js';

/** Every route under /api/v1/portal, authorised by a portal session token. */
export const portalRoutes: readonly PortalRouteSpec[] = [...portalSessionInfoRoutes, ...portalEndpointRoutes, ...portalMessageRoutes];

/**
 * The page can only load its own script and styles and talk to its own origin; it is never framed,
 * never cached (its URL carries the token on first load) and sends no Referer that could leak it.
 */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/**
 * The page's files: portal.html, portal.css and the browser modules (plain ES modules typed with
 * JSDoc, checked by tsconfig.web.json). They sit next to this module both in the source tree (tap
 * runs the .ts) and in dist/ (the build copies them), so the bytes served are the files written.
 */
const WEB_DIR = new URL('./web/', import.meta.url);

const ASSET_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

interface Asset {
  type: string;
  body: Buffer;
  etag: string;
}

/**
 * Every .js and .css file of web/, read once at start: a build that lost them fails at start-up
 * instead of serving a page whose script 404s. Only these names are served (no path from the URL
 * ever reaches the file system); the .d.ts type files are not among them.
 */
function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(WEB_DIR)) {
    const type = ASSET_TYPES[name.slice(name.lastIndexOf('.'))];
    if (!type || name.endsWith('.d.ts')) continue;
    const body = readFileSync(new URL(name, WEB_DIR));
    assets.set(name, { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  if (!assets.has('main.js') || !assets.has('portal.css')) throw new Error(`portal assets missing from ${WEB_DIR.pathname}`);
  return assets;
}

const PORTAL_HTML = readFileSync(new URL('portal.html', WEB_DIR), 'utf8');
const ASSETS = loadAssets();

/**
 * The modules import each other by unversioned relative URLs, so a browser revalidates each one on
 * every load (`no-cache` + a content ETag, answered 304 when unchanged): an upgrade reaches every
 * browser on its next load, and an unchanged file costs no body.
 */
function serveAsset(ctx: Context, file: Asset): void {
  ctx.set('x-content-type-options', 'nosniff');
  ctx.set('cache-control', 'no-cache');
  ctx.set('etag', file.etag);
  if (noneMatch(ctx.get('if-none-match'), file.etag)) {
    ctx.status = 304;
    return;
  }
  ctx.type = file.type;
  ctx.body = file.body;
}

/**
 * If-None-Match by RFC 9110 §13.1.2 (a list, `*`, weak comparison). Not koa's `ctx.fresh`: it
 * ignores the validator whenever the request says `Cache-Control: no-cache`, which fetch() adds
 * to every request that carries its own If-None-Match.
 */
function noneMatch(header: string, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const value = tag.trim();
    return value === '*' || value.replace(/^W\//, '') === etag;
  });
}

/**
 * The recipient portal: the page at GET /portal, its stylesheet and modules, and the JSON routes under
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
    const file = ASSETS.get(ctx.params.file);
    if (file) serveAsset(ctx, file);
  });
  const api = new Router({ prefix: '/api/v1/portal' });
  mountPortalRoutes(api, deps, portalRoutes);
  router.use(api.routes());
  return router;
}
