import Koa from 'koa';
import Router from '@koa/router';
import type { AppDeps } from './deps.js';
import { errorBoundary } from './middleware/error-boundary.js';
import { htmlSecurityHeaders } from './middleware/html-headers.js';
import { mountRoutes } from './routes/define-route.js';
import { apiRoutes } from './routes/index.js';
import { operationsRouter } from './routes/operations.js';
import { ingestRouter } from './ingest/ingest-router.js';
import { portalRouter, portalRoutes } from './portal/router.js';
import { documentPortalRoutes } from './portal/define-portal-route.js';

/**
 * Builds the Koa application over one app's deps (`createRuntime` in server/runtime.ts builds
 * them, caches and writers included). Never listens: server/index.ts binds the port, tests
 * listen on port 0. Every router sits behind the one error boundary.
 */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true;
  app.use(errorBoundary(deps.logger));
  app.use(htmlSecurityHeaders());
  // public ingest (/in/:token): behind the error boundary, never through API-key auth
  app.use(ingestRouter(deps));

  const api = new Router({ prefix: '/api/v1' });
  mountRoutes(api, deps, apiRoutes);
  // the recipient portal (/portal, /api/v1/portal/*) authenticates portal tokens, not API keys
  for (const router of [operationsRouter(deps, [...apiRoutes, ...documentPortalRoutes(portalRoutes)]), portalRouter(deps), api]) {
    app.use(router.routes());
  }
  return app;
}
