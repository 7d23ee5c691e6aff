import type { Config } from '../../config/index.js';
import type { Destination, Source } from '../../db/queries/sources.js';
import { AppError } from '../errors.js';
import { assertDestinationAllowed } from '../delivery/ssrf.js';
import { iso } from '../routes/serialize.js';
import { dedupeSchema, dedupeWindowMs, MAX_DEDUPE_WINDOW_MS, type DedupeConfig } from './dedupe.js';
import { isDroppedOnForward } from './forward-headers.js';
import { publicVerification, verificationSchema, type VerificationConfig } from './verifiers/index.js';

/** Request and response shapes of sources (CONTRACT §5). */

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

const headerName = "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$";

const destinationSchema = {
  type: ['object', 'null'],
  required: ['url'],
  additionalProperties: false,
  description: 'Where events are forwarded; null or absent = store only.',
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    headers: {
      type: 'object',
      description: 'Added to every forward (after the original headers, so they win).',
      propertyNames: { pattern: headerName, maxLength: 256 },
      additionalProperties: { type: 'string', maxLength: 8192 },
      maxProperties: 50,
    },
    rate_limit: { type: 'integer', minimum: 1, maximum: 100_000, description: 'Max forwards per rolling second.' },
  },
} as const;

const sourceFields = {
  name: { type: 'string', minLength: 1, maxLength: 256 },
  verification: verificationSchema,
  destination: destinationSchema,
  dedupe: { ...dedupeSchema, type: ['object', 'null'] },
  allowed_methods: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...HTTP_METHODS] } },
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

export interface SourceBody {
  name?: string;
  verification?: VerificationConfig;
  destination?: Destination | null;
  dedupe?: DedupeConfig | null;
  allowed_methods?: string[];
}

/**
 * Checks what the schema cannot: the destination URL against the SSRF policy (400
 * destination_invalid for literal blocked IPs), custom headers Dispatch sets itself, and the
 * dedupe window's upper bound.
 */
export function checkSourceBody(body: SourceBody, config: Readonly<Config>): void {
  if (body.destination) {
    assertDestinationAllowed(body.destination.url, config, '/destination/url');
    for (const name of Object.keys(body.destination.headers ?? {})) {
      if (isDroppedOnForward(name)) {
        throw new AppError('invalid_request', `The header ${name} is set by Dispatch and cannot be configured.`, {
          details: [{ path: `/destination/headers/${name}`, message: 'is set by Dispatch on every forward' }],
        });
      }
    }
  }
  if (body.dedupe && dedupeWindowMs(body.dedupe) > MAX_DEDUPE_WINDOW_MS) {
    throw new AppError('invalid_request', 'The dedupe window is at most 30d.', { details: [{ path: '/dedupe/window', message: 'must be at most 30d' }] });
  }
  if (body.dedupe && dedupeWindowMs(body.dedupe) <= 0) {
    throw new AppError('invalid_request', 'The dedupe window must be positive.', { details: [{ path: '/dedupe/window', message: 'must be positive' }] });
  }
}

/** The source as the API shows it: never a verification secret nor the forward secret. */
export function serializeSource(source: Source, config: Pick<Config, 'publicUrl'>) {
  return {
    id: source.id,
    name: source.name,
    ingest_url: `${config.publicUrl}/in/${source.token}`,
    verification: publicVerification(source.verification),
    destination: source.destination,
    dedupe: source.dedupe,
    allowed_methods: source.allowedMethods,
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
  destination: { url: 'https://ci.internal.example.com/hooks/github', headers: { 'x-team': 'ci' }, rate_limit: 20 },
  dedupe: { key: 'header:x-github-delivery', window: '1h' },
  allowed_methods: ['POST'],
  paused: false,
  created_at: '2026-11-26T10:00:00.000Z',
  updated_at: '2026-11-26T10:00:00.000Z',
};
