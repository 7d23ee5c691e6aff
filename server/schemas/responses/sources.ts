import { headerMap, id, timestamp, type ResponseOf } from './common.js';

/** One destination of a source (CONTRACT §9.3). */
export const destinationSchema = {
  type: 'object',
  required: ['url', 'filter', 'path_forwarding'],
  additionalProperties: false,
  properties: {
    url: { type: 'string' },
    headers: headerMap,
    rate_limit: { type: 'integer' },
    filter: { type: ['object', 'null'], additionalProperties: true, description: 'Payload filter over the JSON body; null = every event.' },
    path_forwarding: { type: 'boolean', description: 'The sub-path and query after `/in/{token}` are appended to `url`.' },
  },
} as const;
export type DestinationData = ResponseOf<typeof destinationSchema>;

const sourceProperties = {
  id: id('src'),
  name: { type: 'string' },
  ingest_url: { type: 'string', description: 'Where third parties send their webhooks.' },
  verification: {
    type: 'object',
    required: ['type'],
    additionalProperties: true,
    description: "The scheme's `type` and its non-secret fields (secrets are never returned).",
    properties: { type: { type: 'string' } },
  },
  destination: { ...destinationSchema, type: ['object', 'null'], description: '`destinations[0]`, or null for a store-only source.' },
  destinations: {
    type: 'array',
    items: destinationSchema,
    description: 'Where events are forwarded (index = `destination_index` of forwards and attempts); empty = store only.',
  },
  dedupe: {
    type: ['object', 'null'],
    required: ['key', 'window'],
    additionalProperties: false,
    properties: { key: { type: 'string' }, window: { type: 'string' } },
  },
  allowed_methods: { type: 'array', items: { type: 'string' } },
  handshakes: { type: 'array', items: { type: 'string' }, description: 'Extra handshakes answered (`graph`).' },
  response: {
    type: ['object', 'null'],
    required: ['status'],
    additionalProperties: false,
    description: 'How accepted requests are answered; null = the default JSON.',
    properties: { status: { type: 'integer' }, content_type: { type: 'string' }, body: { type: 'string' } },
  },
  paused: { type: 'boolean' },
  created_at: timestamp,
  updated_at: timestamp,
} as const;
const sourceRequired = [
  'id',
  'name',
  'ingest_url',
  'verification',
  'destination',
  'destinations',
  'dedupe',
  'allowed_methods',
  'handshakes',
  'response',
  'paused',
  'created_at',
  'updated_at',
] as const;

/** A source (CONTRACT §5): never a verification secret nor the forward secret. */
export const sourceSchema = {
  type: 'object',
  required: sourceRequired,
  additionalProperties: false,
  properties: sourceProperties,
} as const;
export type SourceData = ResponseOf<typeof sourceSchema>;

/** A new source: with its forward secret, returned only here. */
export const sourceCreatedSchema = {
  type: 'object',
  required: [...sourceRequired, 'forward_secret'],
  additionalProperties: false,
  properties: { ...sourceProperties, forward_secret: { type: 'string', description: '`whsec_…`; signs forwards to the destination.' } },
} as const;

/** A resumed source: with the number of held events it released. */
export const sourceResumedSchema = {
  type: 'object',
  required: [...sourceRequired, 'released'],
  additionalProperties: false,
  properties: { ...sourceProperties, released: { type: 'integer', minimum: 0 } },
} as const;
