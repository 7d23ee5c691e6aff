import { id, timestamp, type ResponseOf } from './common.js';

const keyProperties = {
  id: id('key'),
  name: { type: 'string' },
  scopes: { type: 'array', items: { type: 'string' } },
  prefix: { type: 'string', description: 'The first characters of the key, to recognise it.' },
  created_at: timestamp,
} as const;
const keyRequired = ['id', 'name', 'scopes', 'prefix', 'created_at'] as const;

/** An API key as reads return it: never the key itself. */
export const apiKeySchema = { type: 'object', required: keyRequired, additionalProperties: false, properties: keyProperties } as const;
export type ApiKeyData = ResponseOf<typeof apiKeySchema>;

/** A new API key: the plaintext `key` is returned only here. */
export const apiKeyCreatedSchema = {
  type: 'object',
  required: [...keyRequired, 'key'],
  additionalProperties: false,
  properties: { ...keyProperties, key: { type: 'string', description: '`rlk_…`; shown only once.' } },
} as const;

/** `{id, revoked: true}` of a revoke. */
export const apiKeyRevokedSchema = {
  type: 'object',
  required: ['id', 'revoked'],
  additionalProperties: false,
  properties: { id: { type: 'string' }, revoked: { const: true } },
} as const;
