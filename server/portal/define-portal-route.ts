import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AppDeps } from '../deps.js';
import { createRequestAjv } from '../schemas/validate.js';
import {
  compileValidators,
  respond,
  validatedInput,
  type BodyOf,
  type PathParams,
  type QueryOf,
  type QuerySchemas,
  type ResultOf,
  type RouteSpec,
  type SchemaObject,
} from '../routes/define-route.js';
import type { PortalSession } from '../../db/queries/portal-sessions.js';
import type { DocumentedOperation } from '../openapi.js';
import { authenticatePortalSession } from './auth.js';

export interface PortalRouteInput<Body, Query, Params = Record<string, string>> {
  params: Params;
  body: Body;
  query: Query;
  /** The recipient this request may act for; every lookup is limited to it. */
  session: PortalSession;
  deps: AppDeps;
  ctx: Context;
}

/**
 * One portal operation under /api/v1/portal. Same shape as the API's RouteSpec (schema-validated
 * body and query, response schema, `{ok, data}` / list envelopes), but authorised by a portal
 * session token instead of an API key and scope.
 */
export type PortalRouteSpec<Body = unknown, Query = unknown, Params = Record<string, string>, Result = unknown> = Pick<
  RouteSpec,
  'method' | 'path' | 'summary' | 'headers' | 'body' | 'query' | 'response' | 'status' | 'list' | 'example' | 'errors'
> & {
  /** Runs for the session's recipient; `path` is below /api/v1/portal, e.g. `/endpoints/:id`. */
  handler(input: PortalRouteInput<Body, Query, Params>): Promise<Result>;
};

type PortalFields = Pick<RouteSpec, 'method' | 'summary' | 'headers' | 'status' | 'example' | 'errors'>;

/** Declares a portal operation; input and result are typed from its path and schemas as in defineRoute. */
export function definePortalRoute<
  const P extends string,
  const R extends SchemaObject,
  const B extends SchemaObject | undefined = undefined,
  const Q extends QuerySchemas | undefined = undefined,
  const L extends boolean = false,
>(
  spec: PortalFields & {
    path: P;
    body?: B;
    query?: Q;
    response: R;
    list?: L;
    handler(input: PortalRouteInput<BodyOf<B>, QueryOf<Q>, PathParams<P>>): Promise<ResultOf<R, L>>;
  },
): PortalRouteSpec<BodyOf<B>, QueryOf<Q>, PathParams<P>, ResultOf<R, L>> {
  return spec;
}

/** The portal operations as the OpenAPI reference documents them (tag Portal, portal-token auth). */
export function documentPortalRoutes(routes: readonly PortalRouteSpec[]): DocumentedOperation[] {
  // the handler is dropped, never called: the reference needs only the declaration
  // eslint-disable-next-line @typescript-eslint/unbound-method
  return routes.map(({ handler: _handler, ...spec }) => ({
    ...spec,
    path: `/portal${spec.path}`,
    tag: 'Portal',
    scope: 'portal_session' as const,
  }));
}

/** Registers portal routes on a router, with session auth and validation in front. */
export function mountPortalRoutes(router: Router, deps: AppDeps, routes: readonly PortalRouteSpec[]): void {
  const ajv = createRequestAjv();
  for (const spec of routes) {
    const validators = compileValidators(spec, ajv);
    router[spec.method](spec.path, async (ctx: Context) => {
      const session = await authenticatePortalSession(deps, ctx);
      const { query, body } = await validatedInput(ctx, validators);
      const result = await spec.handler({ params: ctx.params as Record<string, string>, body, query, session, deps, ctx });
      ctx.set('cache-control', 'no-store');
      respond(ctx, spec, result);
    });
  }
}
