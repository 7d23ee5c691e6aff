import type Router from '@koa/router';
import type { Context } from 'koa';
import type { ValidateFunction } from 'ajv';
import type { AppDeps } from '../deps.js';
import { AppError, type ErrorCode } from '../errors.js';
import { hasScope, type Scope } from '../scopes.js';
import { authenticateApiKey, type ApiKeyAuth } from '../middleware/auth.js';
import { readJsonBody } from '../middleware/body.js';
import { assertValid, bodyAjv, queryAjv, type JsonSchema } from '../schemas/validate.js';

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface RouteInput<Body, Query> {
  params: Record<string, string>;
  body: Body;
  query: Query;
  auth: ApiKeyAuth;
  deps: AppDeps;
  ctx: Context;
}

/** A list handler returns its page; the response is `{ok, data: items, next_cursor}`. */
export interface ListPage<T = unknown> {
  items: T[];
  next_cursor: string | null;
}

/**
 * One API operation. The same object registers the Koa route, validates the request, checks the
 * scope, and becomes the operation in the OpenAPI document (fastify-style "one schema, three uses").
 */
export interface RouteSpec<Body = any, Query = any> {
  method: HttpMethod;
  /** Koa path below /api/v1, e.g. `/apps/:app/recipients`. */
  path: string;
  /** Required scope, or 'authenticated' for any valid key. */
  scope: Scope | 'authenticated';
  tag: string;
  summary: string;
  description?: string;
  params?: Record<string, string>;
  body?: JsonSchema;
  query?: Record<string, JsonSchema>;
  status: 200 | 201 | 202;
  list?: boolean;
  /** Example `data` of a success response (shown in the OpenAPI reference). */
  example: unknown;
  /** Error codes this operation can answer besides unauthorized/missing_scope/internal_error. */
  errors: ErrorCode[];
  handler(input: RouteInput<Body, Query>): Promise<unknown>;
}

export function defineRoute<Body = any, Query = any>(spec: RouteSpec<Body, Query>): RouteSpec<Body, Query> {
  return spec;
}

/** The query schema of a route as one JSON Schema object. */
export function querySchema(spec: Pick<RouteSpec, 'query'>): JsonSchema {
  return { type: 'object', properties: spec.query ?? {}, additionalProperties: true };
}

/** Registers routes on a router under their path, with auth, scope and validation in front. */
export function mountRoutes(router: Router, deps: AppDeps, routes: RouteSpec[]): void {
  for (const spec of routes) {
    const validateBody: ValidateFunction | null = spec.body ? bodyAjv.compile(spec.body) : null;
    const validateQuery = queryAjv.compile(querySchema(spec));
    router[spec.method](spec.path, async (ctx: Context) => {
      const auth = await authenticateApiKey(deps, ctx);
      if (spec.scope !== 'authenticated' && !hasScope(auth.scopes, spec.scope)) {
        throw new AppError('missing_scope', `This route requires the ${spec.scope} scope.`, { required_scope: spec.scope });
      }
      const query = assertValid(validateQuery, { ...ctx.query }, 'query');
      let body: unknown = undefined;
      if (validateBody) {
        const parsed = await readJsonBody(ctx);
        body = assertValid(validateBody, parsed === undefined ? {} : parsed, 'body');
      }
      const result = await spec.handler({ params: ctx.params as Record<string, string>, body, query, auth, deps, ctx });
      ctx.status = spec.status;
      if (spec.list) {
        const page = result as ListPage;
        ctx.body = { ok: true, data: page.items, next_cursor: page.next_cursor };
      } else {
        ctx.body = { ok: true, data: result };
      }
    });
  }
}
