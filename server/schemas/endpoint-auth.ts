import type { EndpointAuth } from '../../db/queries/endpoint-auth.js';
import type { Endpoint } from '../../db/queries/endpoints.js';
import type { Ordering } from '../../db/queries/fifo-lanes.js';
import { assertDestinationAllowed, type SsrfPolicy } from '../delivery/ssrf.js';

/**
 * The endpoint fields `ordering` and `auth` of CONTRACT §8 (create and PATCH; `null` clears:
 * `ordering` reads `"none"` then, `auth` null). Secrets in `auth` are write-only: responses show
 * `password` / `client_secret` as null.
 */

/** No control characters; a Basic user name also has no colon (RFC 7617). */
const NO_CONTROLS = '^[^\\u0000-\\u001f\\u007f]*$';

const basicAuth = {
  type: 'object',
  title: 'basic',
  required: ['type', 'username', 'password'],
  additionalProperties: false,
  properties: {
    type: { const: 'basic' },
    username: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^:\\u0000-\\u001f\\u007f]*$', description: 'No colon.' },
    password: { type: 'string', minLength: 1, maxLength: 1024, pattern: NO_CONTROLS, description: 'Write-only.' },
  },
} as const;

const oauth2Auth = {
  type: 'object',
  title: 'oauth2_client_credentials',
  required: ['type', 'token_url', 'client_id', 'client_secret'],
  additionalProperties: false,
  properties: {
    type: { const: 'oauth2_client_credentials' },
    token_url: {
      type: 'string',
      minLength: 1,
      maxLength: 2048,
      description: 'http(s) URL of the token endpoint; fetched through the same SSRF guard as deliveries.',
    },
    client_id: { type: 'string', minLength: 1, maxLength: 512, pattern: NO_CONTROLS },
    client_secret: { type: 'string', minLength: 1, maxLength: 2048, pattern: NO_CONTROLS, description: 'Write-only.' },
    scope: { type: 'string', minLength: 1, maxLength: 1024, pattern: NO_CONTROLS },
    audience: { type: 'string', minLength: 1, maxLength: 2048, pattern: NO_CONTROLS },
  },
} as const;

export const authField = {
  description:
    'Credentials Dispatch presents to the receiver: `{type:"basic", username, password}` (sent as `Authorization: Basic …`) or `{type:"oauth2_client_credentials", token_url, client_id, client_secret, scope?, audience?}` (a token fetched with the client credentials grant, cached until 30 s before it expires, sent as `Authorization: Bearer …`). Replaced whole; null clears.',
  anyOf: [
    { type: 'null' },
    { type: 'object', required: ['type'], discriminator: { propertyName: 'type' }, oneOf: [basicAuth, oauth2Auth] },
  ],
} as const;

export const orderingField = {
  type: ['string', 'null'],
  enum: ['none', 'fifo', null],
  description:
    '`fifo`: deliveries are attempted one at a time in accept order, across all processes; a failing one blocks those behind it until it succeeds or exhausts its retries. `none` (default, also for null): no ordering.',
} as const;

/** The request properties, for the create and PATCH body schemas. */
export const orderingAuthProperties = { ordering: orderingField, auth: authField } as const;

/**
 * 400 destination_invalid for a `token_url` whose host is a literal blocked IP (as for the
 * endpoint URL; names are resolved only at connect time), 400 invalid_request for one that is
 * not an http(s) URL. Returns the credentials to store, copied field by field (null clears,
 * undefined leaves them).
 */
export function endpointAuthFromBody(auth: EndpointAuth | null | undefined, policy: SsrfPolicy): EndpointAuth | null | undefined {
  if (auth === undefined || auth === null) return auth;
  if (auth.type === 'basic') return { type: 'basic', username: auth.username, password: auth.password };
  assertDestinationAllowed(auth.token_url, policy, '/auth/token_url');
  return {
    type: 'oauth2_client_credentials',
    token_url: auth.token_url,
    client_id: auth.client_id,
    client_secret: auth.client_secret,
    ...(auth.scope === undefined ? {} : { scope: auth.scope }),
    ...(auth.audience === undefined ? {} : { audience: auth.audience }),
  };
}

/** `ordering` as stored: null (and absence on create) means `none`. */
export const orderingFromBody = (ordering: Ordering | null | undefined): Ordering | undefined =>
  ordering === undefined ? undefined : (ordering ?? 'none');

/**
 * A write-only secret in answers: always null. Typed string-or-null, not `null` alone: generated
 * clients (openapi-fetch's Readable) drop a property whose only type is null.
 */
const WRITE_ONLY = { type: ['string', 'null'], description: 'Write-only: always null in answers.' } as const;

const publicBasic = {
  type: 'object',
  required: ['type', 'username', 'password'],
  additionalProperties: false,
  properties: {
    type: { const: 'basic' },
    username: { type: 'string' },
    password: WRITE_ONLY,
  },
} as const;

const publicOauth2 = {
  type: 'object',
  required: ['type', 'token_url', 'client_id', 'client_secret', 'scope', 'audience'],
  additionalProperties: false,
  properties: {
    type: { const: 'oauth2_client_credentials' },
    token_url: { type: 'string' },
    client_id: { type: 'string' },
    client_secret: WRITE_ONLY,
    scope: { type: ['string', 'null'] },
    audience: { type: ['string', 'null'] },
  },
} as const;

/** The response properties. */
export const orderingAuthResponseProperties = {
  ordering: { type: 'string', enum: ['none', 'fifo'] },
  auth: { anyOf: [{ type: 'null' }, publicBasic, publicOauth2], description: 'The credentials without their secrets, or null.' },
} as const;

/** The response fields of an endpoint. */
export const serializeOrderingAuth = (endpoint: Endpoint) => ({ ordering: endpoint.ordering, auth: endpoint.auth });

export const orderingAuthExample = { ordering: 'none', auth: null } as const;
