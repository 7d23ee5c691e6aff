import YAML from 'yaml';
import { appendToGroup } from '../db/map-groups.js';
import { ERROR_TABLE, type ErrorCode } from './errors.js';
import { querySchema, type RouteSpec } from './routes/define-route.js';
import { errorBodySchema, responseComponents } from './schemas/responses/index.js';
import { listEnvelope, singleEnvelope } from './schemas/responses/common.js';

/**
 * What the reference needs of an operation: an API route spec, or a portal route documented with
 * `scope: 'portal_session'` (authorised by a `ps_…` token instead of an API key).
 */
export type DocumentedOperation = Omit<RouteSpec, 'scope' | 'handler'> & { scope: RouteSpec['scope'] | 'portal_session' };

const COMMON_ERRORS: readonly ErrorCode[] = ['unauthorized', 'internal_error', 'database_unavailable'];

function errorExample(code: ErrorCode) {
  return { ok: false, error: code, message: ERROR_TABLE[code].message };
}

/** Each named response schema object, to be written as a `$ref` wherever a route's schema holds it. */
const COMPONENT_NAMES: ReadonlyMap<object, string> = new Map(Object.entries(responseComponents).map(([name, schema]) => [schema, name]));

/**
 * A deep copy of `schema` in which every named response schema is a `$ref` to its component
 * (`keep` stays inline: the component's own definition).
 */
function withRefs(schema: unknown, keep?: object): unknown {
  if (Array.isArray(schema)) return schema.map((item) => withRefs(item));
  if (typeof schema !== 'object' || schema === null) return schema;
  const name = schema === keep ? undefined : COMPONENT_NAMES.get(schema);
  if (name) return { $ref: `#/components/schemas/${name}` };
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, withRefs(value)]));
}

function responsesFor(spec: DocumentedOperation) {
  const success = spec.list ? { ok: true, data: spec.example, next_cursor: null } : { ok: true, data: spec.example };
  const envelope = spec.list ? listEnvelope(spec.response) : singleEnvelope(spec.response);
  const responses: Record<string, unknown> = {
    [spec.status]: {
      description: { 200: 'The record or list.', 201: 'Created.', 202: 'Accepted; delivery continues asynchronously.' }[spec.status],
      content: { 'application/json': { schema: withRefs(envelope), example: success } },
    },
  };
  const codes = [
    ...new Set<ErrorCode>([
      ...(spec.body || spec.query ? ['invalid_request' as const] : []),
      ...(spec.body ? ['invalid_json' as const, 'payload_too_large' as const] : []),
      ...spec.errors,
      ...COMMON_ERRORS,
      ...(spec.scope !== 'authenticated' && spec.scope !== 'portal_session' ? ['missing_scope' as const] : []),
    ]),
  ];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) appendToGroup(byStatus, ERROR_TABLE[code].status, code);
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const examples = Object.fromEntries(
      statusCodes.map((code) => [
        code,
        {
          value: code === 'missing_scope' ? { ...errorExample(code), required_scope: spec.scope } : errorExample(code),
        },
      ]),
    );
    responses[status] = {
      description: statusCodes.join(', '),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, examples } },
    };
  }
  return responses;
}

function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, '{$1}');
}

function authNote(scope: DocumentedOperation['scope']): string {
  if (scope === 'authenticated') return 'Any valid key.';
  if (scope === 'portal_session') return "Authorised by a portal session token (`ps_…`); acts on that token's recipient only.";
  return `Requires scope \`${scope}\` (or \`*\`).`;
}

/** Builds the OpenAPI 3.1 document from the same route specs that serve and validate requests. */
export function buildOpenApi(routes: readonly DocumentedOperation[], info: { version: string; serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const path = toOpenApiPath(`/api/v1${spec.path}`);
    const pathParams = [...spec.path.matchAll(/:([A-Za-z_]+)/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
      description: spec.params?.[name] ?? `The ${name} id.`,
    }));
    const query = querySchema(spec).properties as Record<string, Record<string, unknown>>;
    const queryParams = Object.entries(query).map(([name, schema]) => ({
      name,
      in: 'query',
      required: false,
      schema,
      description: schema.description,
    }));
    const headerParams = Object.entries(spec.headers ?? {}).map(([name, header]) => ({
      name,
      in: 'header',
      required: false,
      schema: header.schema,
      description: header.description,
    }));
    paths[path] ??= {};
    paths[path][spec.method] = {
      tags: [spec.tag],
      summary: spec.summary,
      description: [spec.description, authNote(spec.scope)].filter(Boolean).join('\n\n'),
      operationId: `${spec.method}${path
        .replace(/[{}]/g, '')
        .split(/[/-]/)
        .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
        .join('')}`,
      'x-scope': spec.scope,
      security: [spec.scope === 'portal_session' ? { portalSession: [] } : { bearer: [] }],
      parameters: [...pathParams, ...queryParams, ...headerParams],
      ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
      responses: responsesFor(spec),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Dispatch API',
      version: info.version,
      description:
        'Send messages to your customers’ webhook endpoints and read what third parties sent to your ingest URLs. ' +
        'Authenticate with `Authorization: Bearer rlk_…`. Errors are `{"ok": false, "error": "<code>", "message": "…"}`.',
    },
    servers: [{ url: info.serverUrl }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key (`rlk_…`).' },
        portalSession: { type: 'http', scheme: 'bearer', description: 'A portal session token (`ps_…`) for one recipient.' },
      },
      schemas: {
        // the §2 error body, with the codes this server answers
        Error: {
          ...errorBodySchema,
          properties: { ...errorBodySchema.properties, error: { type: 'string', enum: Object.keys(ERROR_TABLE) } },
        },
        ...Object.fromEntries(Object.entries(responseComponents).map(([name, schema]) => [name, withRefs(schema, schema)])),
      },
    },
    paths,
  };
}

export function openApiYaml(document: unknown): string {
  return YAML.stringify(document, { aliasDuplicateObjects: false });
}
