import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AppDeps } from '../deps.js';
import { compileValidators, respond, validatedInput, type RouteSpec } from '../routes/define-route.js';
import type { PortalSession } from '../../db/queries/portal-sessions.js';
import type { DocumentedOperation } from '../openapi.js';
import { authenticatePortalSession } from './auth.js';

export interface PortalRouteInput<Body, Query> {
  params: Record<string, string>;
  body: Body;
  query: Query;
  /** The recipient this request may act for; every lookup is limited to it. */
  session: PortalSession;
  deps: AppDeps;
  ctx: Context;
}

/**
 * One portal operation under /api/v1/portal. Same shape as the API's RouteSpec (schema-validated
 * body and query, `{ok, data}` / list envelopes), but authorised by a portal session token
 * instead of an API key and scope.
 */
export type PortalRouteSpec<Body = any, Query = any> =
  Pick<RouteSpec<Body, Query>, 'method' | 'path' | 'summary' | 'body' | 'query' | 'status' | 'list' | 'example' | 'errors'> & {
    /** Runs for the session's recipient; `path` is below /api/v1/portal, e.g. `/endpoints/:id`. */
    handler(input: PortalRouteInput<Body, Query>): Promise<unknown>;
  };

export function definePortalRoute<Body = any, Query = any>(spec: PortalRouteSpec<Body, Query>): PortalRouteSpec<Body, Query> {
  return spec;
}

/** The portal operations as the OpenAPI reference documents them (tag Portal, portal-token auth). */
export function documentPortalRoutes(routes: PortalRouteSpec[]): DocumentedOperation[] {
  return routes.map(({ handler: _handler, ...spec }) => ({
    ...spec,
    path: `/portal${spec.path}`,
    tag: 'Portal',
    scope: 'portal_session' as const,
  }));
}

/** Registers portal routes on a router, with session auth and validation in front. */
export function mountPortalRoutes(router: Router, deps: AppDeps, routes: PortalRouteSpec[]): void {
  for (const spec of routes) {
    const validators = compileValidators(spec);
    router[spec.method](spec.path, async (ctx: Context) => {
      const session = await authenticatePortalSession(deps, ctx);
      const { query, body } = await validatedInput(ctx, validators);
      const result = await spec.handler({ params: ctx.params as Record<string, string>, body, query, session, deps, ctx });
      ctx.set('cache-control', 'no-store');
      respond(ctx, spec, result);
    });
  }
}
