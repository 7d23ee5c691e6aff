import type { Endpoint } from '../../db/queries/endpoints.js';
import { AppError, type ErrorDetail } from '../errors.js';
import { iso } from '../routes/serialize.js';
import { isValidSigningSecret } from '../secrets.js';
import { eventTypeName } from './event-types.js';

const url = { type: 'string', minLength: 1, maxLength: 2048, description: 'http(s) URL that receives the webhooks.' } as const;
const description = { type: 'string', maxLength: 4096 } as const;
const eventTypes = {
  type: 'array',
  maxItems: 256,
  items: eventTypeName,
  description: 'Event type names this endpoint receives (each must exist in the app and not be archived); empty = all.',
} as const;
const headers = {
  type: 'object',
  maxProperties: 50,
  additionalProperties: { type: 'string', maxLength: 4096 },
  description: 'Headers added to every delivery. Hop-by-hop and Dispatch-owned names (host, content-type, webhook-*, …) are refused.',
} as const;
const rateLimit = { type: 'integer', minimum: 1, maximum: 1_000_000, description: 'Max deliveries per second.' } as const;
const secret = { type: 'string', maxLength: 256, description: '`whsec_` + base64 of 24–64 bytes; generated when omitted.' } as const;

export const createEndpointBody = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: { url, description, event_types: eventTypes, headers, rate_limit: rateLimit, disabled: { type: 'boolean' }, secret },
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
    disabled: { type: 'boolean', description: '`false` re-enables an endpoint (also one Dispatch disabled) and clears its failure streak.' },
  },
} as const;

export const rotateSecretBody = {
  type: 'object',
  additionalProperties: false,
  properties: { secret },
} as const;

export interface EndpointBody {
  url: string;
  description?: string | null;
  event_types?: string[];
  headers?: Record<string, string>;
  rate_limit?: number | null;
  disabled?: boolean;
  secret?: string;
}

/** Header names a user may not set: hop-by-hop ones and those Dispatch itself writes. */
const RESERVED_HEADERS = new Set([
  'host', 'content-length', 'content-type', 'user-agent', 'connection', 'transfer-encoding', 'keep-alive',
  'upgrade', 'te', 'trailer', 'proxy-authorization', 'proxy-authenticate', 'proxy-connection', 'expect',
]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** 400 invalid_request (details under /headers/<name>) for a reserved, malformed or repeated header name or a value with CR/LF. */
export function assertValidHeaders(given: Record<string, string>): void {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(given)) {
    const lower = name.toLowerCase();
    const path = `/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!TOKEN.test(name)) details.push({ path, message: 'is not a valid header name' });
    else if (RESERVED_HEADERS.has(lower) || lower.startsWith('webhook-')) details.push({ path, message: 'is set by Dispatch and cannot be overridden' });
    else if (seen.has(lower)) details.push({ path, message: 'repeats another header name (names are case-insensitive)' });
    else if (/[\r\n\0]/.test(value)) details.push({ path, message: 'must not contain CR, LF or NUL' });
    seen.add(lower);
  }
  if (details.length > 0) {
    throw new AppError('invalid_request', `The headers are invalid: ${details[0].path} ${details[0].message}.`, { details });
  }
}

/** 400 invalid_request unless `secret` is `whsec_` + base64 of 24–64 bytes. */
export function assertValidSecret(given: string): void {
  if (isValidSigningSecret(given)) return;
  throw new AppError('invalid_request', 'The secret must be whsec_ followed by base64 of 24 to 64 bytes.', {
    details: [{ path: '/secret', message: 'must be whsec_ followed by base64 of 24 to 64 bytes' }],
  });
}

export const serializeEndpoint = (endpoint: Endpoint) => ({
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
  created_at: '2026-11-26T10:00:00.000Z',
  updated_at: '2026-11-26T10:00:00.000Z',
};

export const secretExample = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };
