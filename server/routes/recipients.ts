import type { DbOrTx } from '../../db/index.js';
import { eraseRecipient } from '../../db/queries/erasure.js';
import { findRecipientByRef, insertRecipient, listRecipients, updateRecipient, type Recipient } from '../../db/queries/recipients.js';
import type { App } from '../../db/queries/apps.js';
import { SEND_CONTEXT_TTL_MS } from '../delivery/send-context-cache.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { createRecipientBody, patchRecipientBody, recipientExample, serializeRecipient } from '../schemas/apps.js';
import { paginationQuery } from '../schemas/common.js';
import { recipientSchema } from '../schemas/responses/apps.js';
import { recipientErasedSchema } from '../schemas/responses/erasure.js';
import { defineRoute } from './define-route.js';
import { requireApp } from './apps.js';

/** The app and its recipient named by `{app}` and `{recipient}` (ids or uids); 404 for either. */
export async function requireRecipient(
  db: DbOrTx,
  workspaceId: string,
  appRef: string,
  recipientRef: string,
): Promise<{ app: App; recipient: Recipient }> {
  const app = await requireApp(db, workspaceId, appRef);
  const recipient = await findRecipientByRef(db, app.id, recipientRef);
  if (!recipient) throw new AppError('recipient_not_found', `No recipient "${recipientRef}" in this app.`);
  return { app, recipient };
}

/** Extra wait past the send-context TTL: a send that read a cached recipient commits within it. */
const ERASURE_SETTLE_MS = 500;

/**
 * Once an erased recipient's row is gone: this process's sends stop finding it at once, and the
 * erasure waits until every other process's cached copy has expired (and a send that used one has
 * committed) before its last sweep, so no message for the recipient outlives the erasure.
 */
async function forgetRecipient(deps: AppDeps): Promise<void> {
  deps.sendContexts.clear();
  await new Promise((resolve) => setTimeout(resolve, SEND_CONTEXT_TTL_MS + ERASURE_SETTLE_MS));
}

const appParam = { app: 'The app id (`app_…`) or uid.' } as const;
const params = { ...appParam, recipient: 'The recipient id (`rcp_…`) or your uid.' } as const;
const base = '/apps/:app/recipients';

export const recipientRoutes = [
  defineRoute({
    method: 'post',
    path: base,
    scope: 'recipient:write',
    tag: 'Recipients',
    summary: 'Create a recipient',
    description:
      'A recipient is one of your customers; its endpoints receive the messages addressed to it. `uid` must be unique in the app.',
    params: appParam,
    body: createRecipientBody,
    response: recipientSchema,
    status: 201,
    example: recipientExample,
    errors: ['app_not_found', 'conflict'],
    async handler({ params, body, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      const recipient = await insertRecipient(deps.db, { workspaceId: auth.workspaceId, appId: app.id, ...body }, deps.clock.now());
      return serializeRecipient(recipient);
    },
  }),
  defineRoute({
    method: 'get',
    path: base,
    scope: 'recipient:read',
    tag: 'Recipients',
    summary: 'List recipients',
    description: 'Newest first.',
    params: appParam,
    query: { ...paginationQuery },
    response: recipientSchema,
    status: 200,
    list: true,
    example: [recipientExample],
    errors: ['app_not_found'],
    async handler({ params, query, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      const page = await listRecipients(deps.db, app.id, query);
      return { items: page.items.map(serializeRecipient), next_cursor: page.nextCursor };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${base}/:recipient`,
    scope: 'recipient:read',
    tag: 'Recipients',
    summary: 'Get a recipient',
    params,
    response: recipientSchema,
    status: 200,
    example: recipientExample,
    errors: ['app_not_found', 'recipient_not_found'],
    async handler({ params, auth, deps }) {
      const { recipient } = await requireRecipient(deps.db, auth.workspaceId, params.app, params.recipient);
      return serializeRecipient(recipient);
    },
  }),
  defineRoute({
    method: 'patch',
    path: `${base}/:recipient`,
    scope: 'recipient:write',
    tag: 'Recipients',
    summary: 'Update a recipient',
    description: 'Only the given fields change; `null` clears `uid` or `name`.',
    params,
    body: patchRecipientBody,
    response: recipientSchema,
    status: 200,
    example: recipientExample,
    errors: ['app_not_found', 'recipient_not_found', 'conflict'],
    async handler({ params, body, auth, deps }) {
      const { recipient } = await requireRecipient(deps.db, auth.workspaceId, params.app, params.recipient);
      return serializeRecipient(await updateRecipient(deps.db, recipient, body, deps.clock.now()));
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${base}/:recipient`,
    scope: 'recipient:write',
    tag: 'Recipients',
    summary: 'Erase a recipient',
    description:
      'Erases the recipient (CONTRACT §8.6): its portal sessions, its endpoints, every message that targeted it with their deliveries, attempts and idempotency keys, and the deliveries and attempts of broadcast messages at its endpoints (broadcast messages themselves stay). Deleted in short batches; the answer counts what was erased. Afterwards no API or portal route returns its payloads.',
    params,
    response: recipientErasedSchema,
    status: 200,
    example: { id: recipientExample.id, deleted: true, erased: { endpoints: 2, messages: 120, attempts: 340 } },
    errors: ['app_not_found', 'recipient_not_found'],
    async handler({ params, auth, deps }) {
      const { app, recipient } = await requireRecipient(deps.db, auth.workspaceId, params.app, params.recipient);
      const erased = await eraseRecipient(
        deps.db,
        { appId: app.id, recipientId: recipient.id },
        { recipientGone: () => forgetRecipient(deps) },
      );
      return { id: recipient.id, deleted: true as const, erased };
    },
  }),
] as const;
