import type { FromSchema } from 'json-schema-to-ts';
import type { Config } from '../../config/index.js';
import type { Source } from '../../db/queries/sources.js';
import { AppError } from '../errors.js';
import { assertDestinationAllowed } from '../delivery/ssrf.js';
import { iso } from '../routes/serialize.js';
import type { SourceData } from '../schemas/responses/sources.js';
import { dedupeSchema, dedupeWindowMs, MAX_DEDUPE_WINDOW_MS } from './dedupe.js';
import { isDroppedOnForward } from './forward-headers.js';
import { assertCustomHeaders } from '../schemas/headers.js';
import { publicVerification, verificationSchema } from './verifiers/index.js';
import { assertSourceOptions, handshakesSchema, ingestResponseSchema, sourceOptions, withoutOptions } from './source-options.js';
import { checkDestinations, destinationItemSchema, MAX_DESTINATIONS, publicDestination } from './destination-schemas.js';

/** Request and response shapes of sources (CONTRACT §5). */

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

const destinationSchema = {
  ...destinationItemSchema,
  type: ['object', 'null'],
  description: 'The one-destination form of `destinations` (shown as `destinations[0]`); null or absent = store only.',
} as const;

/**
 * The verification schema with `type` declared a string at the top: its one-branch-per-verifier
 * `oneOf` is built from the registry at load time and has no literal type to derive the body type
 * from, so the route's type sees an object with a string `type` (what VerificationConfig is).
 */
const verification: Readonly<{ type: 'object'; required: readonly ['type']; properties: { readonly type: { readonly type: 'string' } } }> =
  {
    ...verificationSchema,
    properties: { type: { type: 'string' } },
  };

const sourceFields = {
  name: { type: 'string', minLength: 1, maxLength: 256 },
  verification,
  destination: destinationSchema,
  destinations: {
    type: ['array', 'null'],
    minItems: 1,
    maxItems: MAX_DESTINATIONS,
    items: destinationItemSchema,
    description:
      'Where events are forwarded, each matching destination with its own forward, attempts, retries and rate limit; ' +
      '`destination` and `destinations` together are refused; null = store only.',
  },
  dedupe: { ...dedupeSchema, type: ['object', 'null'] },
  allowed_methods: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...HTTP_METHODS] } },
  handshakes: handshakesSchema,
  response: ingestResponseSchema,
} as const;

export const createSourceBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: sourceFields,
} as const;

export const patchSourceBody = {
  type: 'object',
  additionalProperties: false,
  description: '`verification` is replaced as a whole (secrets included); `destination`/`dedupe` null removes them.',
  properties: sourceFields,
} as const;

/** A create or patch body as the schema validates it (a create is a patch with `name` required). */
export type SourceBody = FromSchema<typeof patchSourceBody>;

/**
 * Checks what the schema cannot: the destination URL against the SSRF policy (400
 * destination_invalid for literal blocked IPs), custom headers Dispatch sets itself, and the
 * dedupe window's upper bound.
 */
export function checkSourceBody(body: SourceBody, config: Readonly<Config>): void {
  checkDestinations(body, (destination, at) => {
    assertDestinationAllowed(destination.url, config, `${at}/url`);
    if (destination.headers) {
      assertCustomHeaders(destination.headers, {
        path: `${at}/headers`,
        // what the forward drops from incoming requests (svix-*, proxy-*) cannot be configured either
        alsoRefused: isDroppedOnForward,
        refusedMessage: 'is set by Dispatch on every forward',
      });
    }
  });
  assertSourceOptions(body);
  if (body.dedupe && dedupeWindowMs(body.dedupe) > MAX_DEDUPE_WINDOW_MS) {
    throw new AppError('invalid_request', 'The dedupe window is at most 30d.', {
      details: [{ path: '/dedupe/window', message: 'must be at most 30d' }],
    });
  }
  if (body.dedupe && dedupeWindowMs(body.dedupe) <= 0) {
    throw new AppError('invalid_request', 'The dedupe window must be positive.', {
      details: [{ path: '/dedupe/window', message: 'must be positive' }],
    });
  }
}

/** The source as the API shows it: never a verification secret nor the forward secret. */
export function serializeSource(source: Source, config: Pick<Config, 'publicUrl'>): SourceData {
  return {
    id: source.id,
    name: source.name,
    ingest_url: `${config.publicUrl}/in/${source.token}`,
    verification: publicVerification(withoutOptions(source.verification)),
    destination: source.destinations.length > 0 ? publicDestination(source.destinations[0]) : null,
    destinations: source.destinations.map(publicDestination),
    dedupe: source.dedupe,
    allowed_methods: source.allowedMethods,
    ...sourceOptions(source.verification),
    paused: source.paused,
    created_at: iso(source.createdAt),
    updated_at: iso(source.updatedAt),
  };
}

export const sourceExample = {
  id: 'src_0ujsswThIGTUYm2K8FjOOf',
  name: 'GitHub pushes',
  ingest_url: 'https://dispatch.example.com/in/7Hq2v8kLmN3pQ9rS4tU5wX6yZ0aB1cD2eF3gH4',
  verification: { type: 'github' },
  destination: {
    url: 'https://ci.internal.example.com/hooks/github',
    headers: { 'x-team': 'ci' },
    rate_limit: 20,
    filter: null,
    path_forwarding: false,
  },
  destinations: [
    {
      url: 'https://ci.internal.example.com/hooks/github',
      headers: { 'x-team': 'ci' },
      rate_limit: 20,
      filter: null,
      path_forwarding: false,
    },
    { url: 'https://audit.internal.example.com/github', filter: { ref: { $prefix: 'refs/tags/' } }, path_forwarding: true },
  ],
  dedupe: { key: 'header:x-github-delivery', window: '1h' },
  allowed_methods: ['POST'],
  handshakes: [],
  response: null,
  paused: false,
  created_at: '2026-11-26T10:00:00.000Z',
  updated_at: '2026-11-26T10:00:00.000Z',
} as const;
