import { freeForm, id, nullableString, timestamp, type ResponseOf } from './common.js';

/** An app (CONTRACT §4). */
export const appSchema = {
  type: 'object',
  required: ['id', 'uid', 'name', 'metadata', 'created_at', 'updated_at'],
  additionalProperties: false,
  properties: {
    id: id('app'),
    uid: nullableString,
    name: { type: 'string' },
    metadata: freeForm,
    created_at: timestamp,
    updated_at: timestamp,
  },
} as const;
export type AppData = ResponseOf<typeof appSchema>;

/** A recipient of an app. */
export const recipientSchema = {
  type: 'object',
  required: ['id', 'app_id', 'uid', 'name', 'metadata', 'created_at', 'updated_at'],
  additionalProperties: false,
  properties: {
    id: id('rcp'),
    app_id: id('app'),
    uid: nullableString,
    name: nullableString,
    metadata: freeForm,
    created_at: timestamp,
    updated_at: timestamp,
  },
} as const;
export type RecipientData = ResponseOf<typeof recipientSchema>;

/** A new portal session: the token is shown only here. */
export const portalSessionCreatedSchema = {
  type: 'object',
  required: ['token', 'url', 'expires_at'],
  additionalProperties: false,
  properties: { token: id('ps'), url: { type: 'string' }, expires_at: timestamp },
} as const;
