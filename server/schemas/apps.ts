import type { App } from '../../db/queries/apps.js';
import type { Recipient } from '../../db/queries/recipients.js';
import { iso } from '../routes/serialize.js';
import { metadata, uid } from './common.js';
import type { AppData, RecipientData } from './responses/apps.js';

/** Request and response shapes of apps and recipients (both are id-or-uid addressable). */

const name = { type: 'string', minLength: 1, maxLength: 256 } as const;
const nullableUid = { ...uid, type: ['string', 'null'] } as const;

export const createAppBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { ...name, description: 'Display name.' }, uid, metadata },
} as const;

export const patchAppBody = {
  type: 'object',
  additionalProperties: false,
  properties: { name, uid: nullableUid, metadata },
} as const;

export const createRecipientBody = {
  type: 'object',
  additionalProperties: false,
  properties: { uid, name: { ...name, description: 'Display name.' }, metadata },
} as const;

export const patchRecipientBody = {
  type: 'object',
  additionalProperties: false,
  properties: { uid: nullableUid, name: { ...name, type: ['string', 'null'] }, metadata },
} as const;

export const serializeApp = (app: App): AppData => ({
  id: app.id,
  uid: app.uid,
  name: app.name,
  metadata: app.metadata,
  created_at: iso(app.createdAt),
  updated_at: iso(app.updatedAt),
});

export const serializeRecipient = (recipient: Recipient): RecipientData => ({
  id: recipient.id,
  app_id: recipient.appId,
  uid: recipient.uid,
  name: recipient.name,
  metadata: recipient.metadata,
  created_at: iso(recipient.createdAt),
  updated_at: iso(recipient.updatedAt),
});

export const appExample = {
  id: 'app_0ujsswThIGTUYm2K8FjOOf',
  uid: 'billing',
  name: 'Billing',
  metadata: { team: 'payments' },
  created_at: '2026-11-26T10:00:00.000Z',
  updated_at: '2026-11-26T10:00:00.000Z',
} as const;

export const recipientExample = {
  id: 'rcp_0ujsswThIGTUYm2K8FjOOf',
  app_id: appExample.id,
  uid: 'customer-42',
  name: 'Acme Corp',
  metadata: { plan: 'enterprise' },
  created_at: '2026-11-26T10:00:00.000Z',
  updated_at: '2026-11-26T10:00:00.000Z',
} as const;
