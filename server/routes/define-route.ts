import type Router from '@koa/router';
import type { Context } from 'koa';
import type { ValidateFunction } from 'ajv';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { AppDeps } from '../deps.js';
import { AppError, type ErrorCode } from '../errors.js';
import { hasScope, type Scope } from '../scopes.js';
import { authenticateApiKey, type ApiKeyAuth } from '../middleware/auth.js';
import { readJsonBody } from '../middleware/body.js';
import { assertValid, createRequestAjv, type JsonSchema, type RequestAjv } from '../schemas/validate.js';

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** A JSON Schema object (not the boolean forms), typed literally so FromSchema can read it. */
export type SchemaObject = Exclude<JSONSchema, boolean>;
/** JSON Schemas of the query parameters, by name. */
export type QuerySchemas = Readonly<Record<string, JSONSchema>>;

type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;
/** The `:name` segments of a Koa path, each a string: `/apps/:app` gives `{ app: string }`. */
export type PathParams<P extends string> = { [K in ParamNames<P>]: string };

/** What a body schema validates to (useDefaults fills defaulted fields, so they are present); undefined without one. */
export type BodyOf<B> = B extends JSONSchema ? FromSchema<B> : undefined;
/** What the query string validates to (strings coerced to the schema's types, defaults filled). */
export type QueryOf<Q> = Q extends QuerySchemas ? FromSchema<{ type: 'object'; properties: Q }> : Record<string, unknown>;
/** What a handler returns: the `data` object of its response schema, or a page of them for lists. */
export type ResultOf<R, L> = R extends JSONSchema ? (L extends true ? ListPage<FromSchema<R>> : FromSchema<R>) : never;

export interface RouteInput<Body, Query, Params = Record<string, string>> {
  params: Params;
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

/** A request header an operation reads, as OpenAPI documents it. */
export interface HeaderDoc {
  description: string;
  schema: JsonSchema;
}

/**
 * One API operation. The same object registers the Koa route, validates the request, checks the
 * scope, types the handler's input and output, and becomes the operation in the OpenAPI document
 * (fastify-style "one schema, three uses"). The type parameters are what `defineRoute` infers from
 * the schemas; lists of routes hold them with the defaults (the input is checked at run time).
 */
export interface RouteSpec<Body = unknown, Query = unknown, Params = Record<string, string>, Result = unknown> {
  method: HttpMethod;
  /** Koa path below /api/v1, e.g. `/apps/:app/recipients`. */
  path: string;
  /** Required scope, or 'authenticated' for any valid key. */
  scope: Scope | 'authenticated';
  tag: string;
  summary: string;
  description?: string;
  params?: Readonly<Record<string, string>>;
  /** Request headers the operation reads (documented; the handler checks them). */
  headers?: Readonly<Record<string, HeaderDoc>>;
  body?: JsonSchema;
  query?: QuerySchemas;
  /** Schema of the success response's `data` (of each item for lists). */
  response: JsonSchema;
  status: 200 | 201 | 202;
  list?: boolean;
  /** Example `data` of a success response (shown in the OpenAPI reference). */
  example: unknown;
  /** Error codes this operation can answer besides unauthorized/missing_scope/internal_error. */
  errors: readonly ErrorCode[];
  // a method, not a property: lists of routes hold typed handlers under the erased input (bivariant)
  handler(input: RouteInput<Body, Query, Params>): Promise<Result>;
}

/** The parts of a route spec its schemas type: `path`, `body`, `query`, `response`, `list` and the handler. */
export type TypedSpec<P extends string, B, Q, R, L, Extra> = Omit<
  RouteSpec,
  'path' | 'body' | 'query' | 'response' | 'list' | 'handler'
> & {
  path: P;
  body?: B;
  query?: Q;
  response: R;
  list?: L;
  handler(input: RouteInput<BodyOf<B>, QueryOf<Q>, PathParams<P>> & Extra): Promise<ResultOf<R, L>>;
};

/**
 * Declares an operation; the handler's `params`, `body` and `query` are typed from the path and
 * the route's own schemas, and its result must match the response schema, so no interface is
 * written beside a schema.
 */
export function defineRoute<
  const P extends string,
  const R extends SchemaObject,
  const B extends SchemaObject | undefined = undefined,
  const Q extends QuerySchemas | undefined = undefined,
  const L extends boolean = false,
>(spec: TypedSpec<P, B, Q, R, L, unknown>): RouteSpec<BodyOf<B>, QueryOf<Q>, PathParams<P>, ResultOf<R, L>> {
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

/** Compiles one operation's validators with `ajv` (the compilers of the app mounting it). */
export function compileValidators(spec: Pick<RouteSpec, 'body' | 'query'>, ajv: RequestAjv): OperationValidators {
  return { body: spec.body ? ajv.body.compile(spec.body) : null, query: ajv.query.compile(querySchema(spec)) };
}

/** Validates the query string and (for operations with a body schema) reads and validates the JSON body. */
export async function validatedInput(ctx: Context, validators: OperationValidators): Promise<{ query: unknown; body: unknown }> {
  const query = assertValid<unknown>(validators.query, { ...ctx.query }, 'query');
  if (!validators.body) return { query, body: undefined };
  const parsed = await readJsonBody(ctx);
  return { query, body: assertValid<unknown>(validators.body, parsed === undefined ? {} : parsed, 'body') };
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
export function mountRoutes(router: Router, deps: AppDeps, routes: readonly RouteSpec[]): void {
  const ajv = createRequestAjv();
  for (const spec of routes) {
    const validators = compileValidators(spec, ajv);
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
