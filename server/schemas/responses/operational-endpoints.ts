import { OPERATIONAL_FORMATS } from '../../../db/queries/system-app.js';
import { headerMap, id, nullableTimestamp, timestamp, type ResponseOf } from './common.js';

const operationalEndpointProperties = {
  id: id('oep'),
  url: { type: 'string' },
  event_types: { type: 'array', items: { type: 'string' }, description: 'Operational event types it receives; empty = all.' },
  format: { type: 'string', enum: OPERATIONAL_FORMATS },
  headers: headerMap,
  disabled: { type: 'boolean' },
  disabled_at: nullableTimestamp,
  created_at: timestamp,
  updated_at: timestamp,
} as const;
const operationalEndpointRequired = [
  'id',
  'url',
  'event_types',
  'format',
  'headers',
  'disabled',
  'disabled_at',
  'created_at',
  'updated_at',
] as const;

/** An operational endpoint as reads return it: never its secret. */
export const operationalEndpointSchema = {
  type: 'object',
  required: operationalEndpointRequired,
  additionalProperties: false,
  properties: operationalEndpointProperties,
} as const;
export type OperationalEndpointData = ResponseOf<typeof operationalEndpointSchema>;

/** What a create returns: with the signing secret, shown only there. */
export const operationalEndpointCreatedSchema = {
  type: 'object',
  required: [...operationalEndpointRequired, 'secret'],
  additionalProperties: false,
  properties: {
    ...operationalEndpointProperties,
    secret: { type: 'string', description: '`whsec_` + base64: verifies the Standard Webhooks signature of every operational event.' },
  },
} as const;
