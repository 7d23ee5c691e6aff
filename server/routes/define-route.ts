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

/** The request validators of one operation, compiled once when it is mounted. */
export interface OperationValidators {
  body: ValidateFunction | null;
  query: ValidateFunction;
}

export function compileValidators(spec: Pick<RouteSpec, 'body' | 'query'>): OperationValidators {
  return { body: spec.body ? bodyAjv.compile(spec.body) : null, query: queryAjv.compile(querySchema(spec)) };
}

/** Validates the query string and (for operations with a body schema) reads and validates the JSON body. */
export async function validatedInput(ctx: Context, validators: OperationValidators): Promise<{ query: any; body: any }> {
  const query = assertValid(validators.query, { ...ctx.query }, 'query');
  if (!validators.body) return { query, body: undefined };
  const parsed = await readJsonBody(ctx);
  return { query, body: assertValid(validators.body, parsed === undefined ? {} : parsed, 'body') };
}

/** Writes a handler's result in the success envelope: `{ok, data}`, or `{ok, data, next_cursor}` for lists. */
export function respond(ctx: Context, spec: Pick<RouteSpec, 'status' | 'list'>, result: unknown): void {
  ctx.status = spec.status;
  if (spec.list) {
    const page = result as ListPage;
    ctx.body = { ok: true, data: page.items, next_cursor: page.next_cursor };
  } else {
    ctx.body = { ok: true, data: result };
  }
}

/** Registers routes on a router under their path, with auth, scope and validation in front. */
export function mountRoutes(router: Router, deps: AppDeps, routes: RouteSpec[]): void {
  for (const spec of routes) {
    const validators = compileValidators(spec);
    router[spec.method](spec.path, async (ctx: Context) => {
      const auth = await authenticateApiKey(deps, ctx);
      if (spec.scope !== 'authenticated' && !hasScope(auth.scopes, spec.scope)) {
        throw new AppError('missing_scope', `This route requires the ${spec.scope} scope.`, { required_scope: spec.scope });
      }
      const { query, body } = await validatedInput(ctx, validators);
      const result = await spec.handler({ params: ctx.params as Record<string, string>, body, query, auth, deps, ctx });
      respond(ctx, spec, result);
    });
  }
}
