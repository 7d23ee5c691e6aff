import { id, nullableString, timestamp } from './common.js';

/** GET /portal/session: who the session is for and when it expires. */
export const portalSessionInfoSchema = {
  type: 'object',
  required: ['app', 'recipient', 'expires_at'],
  additionalProperties: false,
  properties: {
    app: { type: 'object', required: ['id', 'name'], additionalProperties: false, properties: { id: id('app'), name: { type: 'string' } } },
    recipient: {
      type: 'object',
      required: ['id', 'uid', 'name'],
      additionalProperties: false,
      properties: { id: id('rcp'), uid: nullableString, name: nullableString },
    },
    expires_at: timestamp,
  },
} as const;
