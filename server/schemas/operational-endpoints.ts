import type { OperationalEndpoint } from '../../db/queries/operational-endpoints.js';
import { OPERATIONAL_FORMATS } from '../../db/queries/system-app.js';
import { OPERATIONAL_EVENT_TYPES } from '../operational/events.js';
import { iso } from '../routes/serialize.js';
import { customHeadersSchema } from './headers.js';
import type { OperationalEndpointData } from './responses/operational-endpoints.js';

const url = { type: 'string', minLength: 1, maxLength: 2048, description: 'http(s) URL that receives the operational events.' } as const;
const eventTypes = {
  type: 'array',
  maxItems: OPERATIONAL_EVENT_TYPES.length,
  items: { type: 'string', enum: OPERATIONAL_EVENT_TYPES },
  description: 'Operational event types this endpoint receives; empty (the default) = all.',
} as const;
const format = {
  type: 'string',
  enum: OPERATIONAL_FORMATS,
  description:
    '`standard` (default): the signed JSON body `{type, created_at, data}`. `slack`: `{"text": "<one line>"}` for Slack-compatible incoming webhooks (still signed).',
} as const;
const headers = {
  ...customHeadersSchema,
  description: 'Headers added to every delivery (same rules as endpoint `headers`).',
} as const;
const disabled = {
  type: 'boolean',
  description:
    'A disabled operational endpoint receives nothing: new events are not kept for it; those already pending are held until it is re-enabled.',
} as const;

export const createOperationalEndpointBody = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: { url, event_types: eventTypes, format, headers, disabled },
} as const;

export const patchOperationalEndpointBody = {
  type: 'object',
  additionalProperties: false,
  properties: { url, event_types: eventTypes, format, headers, disabled },
} as const;

export const serializeOperationalEndpoint = (endpoint: OperationalEndpoint): OperationalEndpointData => ({
  id: endpoint.id,
  url: endpoint.url,
  event_types: endpoint.eventTypes,
  format: endpoint.format,
  headers: endpoint.headers,
  disabled: endpoint.disabled,
  disabled_at: iso(endpoint.disabledAt),
  created_at: iso(endpoint.createdAt),
  updated_at: iso(endpoint.updatedAt),
});

export const operationalEndpointExample = {
  id: 'oep_0ujsswThIGTUYm2K8FjOOf',
  url: 'https://hooks.slack.com/services/T000/B000/XXXX',
  event_types: ['anomaly.opened', 'anomaly.resolved'],
  format: 'slack',
  headers: {},
  disabled: false,
  disabled_at: null,
  created_at: '2026-12-07T10:00:00.000Z',
  updated_at: '2026-12-07T10:00:00.000Z',
} as const;
