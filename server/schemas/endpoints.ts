import type { Endpoint } from '../../db/queries/endpoints.js';
import { AppError } from '../errors.js';
import { iso } from '../routes/serialize.js';
import { isValidSigningSecret } from '../secrets.js';
import { orderingAuthExample, orderingAuthProperties, serializeOrderingAuth } from './endpoint-auth.js';
import { deliveryOverrideProperties } from './endpoint-delivery.js';
import { eventTypeName } from './event-types.js';
import { assertCustomHeaders, customHeadersSchema } from './headers.js';
import type { EndpointData } from './responses/endpoints.js';

const url = { type: 'string', minLength: 1, maxLength: 2048, description: 'http(s) URL that receives the webhooks.' } as const;
const description = { type: 'string', maxLength: 4096 } as const;
const eventTypes = {
  type: 'array',
  maxItems: 256,
  items: eventTypeName,
  description: 'Event type names this endpoint receives (each must exist in the app and not be archived); empty = all.',
} as const;
const headers = {
  ...customHeadersSchema,
  description:
    'Headers added to every delivery (at most 50; names are RFC 9110 tokens, values visible ASCII, space or tab up to 8 KiB). Hop-by-hop and Dispatch-owned names (host, content-type, user-agent, webhook-*, …) are refused.',
} as const;
const rateLimit = { type: 'integer', minimum: 1, maximum: 1_000_000, description: 'Max deliveries per second.' } as const;
const secret = { type: 'string', maxLength: 256, description: '`whsec_` + base64 of 24–64 bytes; generated when omitted.' } as const;

export const createEndpointBody = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url,
    description,
    event_types: eventTypes,
    headers,
    rate_limit: rateLimit,
    disabled: { type: 'boolean' },
    secret,
    ...deliveryOverrideProperties,
    ...orderingAuthProperties,
  },
} as const;

export const patchEndpointBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url,
    description: { ...description, type: ['string', 'null'] },
    event_types: eventTypes,
    headers,
    rate_limit: { ...rateLimit, type: ['integer', 'null'] },
    disabled: {
      type: 'boolean',
      description:
        '`true` holds new and pending deliveries (status `held`); `false` re-enables an endpoint (also one Dispatch disabled), clears its failure streak and sends its held deliveries.',
    },
    ...deliveryOverrideProperties,
    ...orderingAuthProperties,
  },
} as const;

export const rotateSecretBody = {
  type: 'object',
  additionalProperties: false,
  properties: { secret },
} as const;

/** Headers Dispatch writes on every delivery besides those no custom header may set anywhere. */
const SET_ON_DELIVERY: ReadonlySet<string> = new Set(['content-type', 'user-agent']);

/** 400 invalid_request (details under /headers/<name>) for a refused, malformed or repeated header name or a value that is not visible ASCII. */
export function assertValidHeaders(given: Record<string, string>): void {
  assertCustomHeaders(given, {
    path: '/headers',
    alsoRefused: (lower) => SET_ON_DELIVERY.has(lower),
    refusedMessage: 'is set by Dispatch and cannot be overridden',
  });
}

/** 400 invalid_request unless `secret` is `whsec_` + base64 of 24–64 bytes. */
export function assertValidSecret(given: string): void {
  if (isValidSigningSecret(given)) return;
  throw new AppError('invalid_request', 'The secret must be whsec_ followed by base64 of 24 to 64 bytes.', {
    details: [{ path: '/secret', message: 'must be whsec_ followed by base64 of 24 to 64 bytes' }],
  });
}

/** An endpoint as the API shows it; `heldCount` is its held deliveries (0 unless the caller counted them). */
export const serializeEndpoint = (endpoint: Endpoint, heldCount = 0): EndpointData => ({
  id: endpoint.id,
  app_id: endpoint.appId,
  recipient_id: endpoint.recipientId,
  url: endpoint.url,
  description: endpoint.description,
  event_types: endpoint.eventTypes,
  headers: endpoint.headers,
  rate_limit: endpoint.rateLimit,
  disabled: endpoint.disabled,
  disabled_at: iso(endpoint.disabledAt),
  filter: endpoint.filter,
  retry_schedule: endpoint.retrySchedule,
  timeout: endpoint.timeout,
  held_count: heldCount,
  ...serializeOrderingAuth(endpoint),
  created_at: iso(endpoint.createdAt),
  updated_at: iso(endpoint.updatedAt),
});

export const endpointExample = {
  id: 'ep_0ujsswThIGTUYm2K8FjOOf',
  app_id: 'app_0ujsswThIGTUYm2K8FjOOf',
  recipient_id: 'rcp_0ujsswThIGTUYm2K8FjOOf',
  url: 'https://hooks.acme.example/dispatch',
  description: 'Production receiver',
  event_types: ['invoice.paid'],
  headers: { 'x-acme-tenant': '42' },
  rate_limit: 50,
  disabled: false,
  disabled_at: null,
  filter: { 'customer.tier': { $in: ['gold', 'platinum'] } },
  retry_schedule: ['10s', '5m', '1h'],
  timeout: '10s',
  held_count: 0,
  ...orderingAuthExample,
  created_at: '2026-11-26T10:00:00.000Z',
  updated_at: '2026-11-26T10:00:00.000Z',
} as const;

export const secretExample = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } as const;
