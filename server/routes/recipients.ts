import type { DbOrTx } from '../../db/index.js';
import { deleteRecipient, findRecipientByRef, insertRecipient, listRecipients, updateRecipient, type Recipient } from '../../db/queries/recipients.js';
import type { App } from '../../db/queries/apps.js';
import { AppError } from '../errors.js';
import { createRecipientBody, patchRecipientBody, recipientExample, serializeRecipient, type RecipientBody } from '../schemas/apps.js';
import { paginationQuery, type PageQuery } from '../schemas/common.js';
import { defineRoute } from './define-route.js';
import { requireApp } from './apps.js';

/** The app and its recipient named by `{app}` and `{recipient}` (ids or uids); 404 for either. */
export async function requireRecipient(db: DbOrTx, workspaceId: string, appRef: string, recipientRef: string): Promise<{ app: App; recipient: Recipient }> {
  const app = await requireApp(db, workspaceId, appRef);
  const recipient = await findRecipientByRef(db, app.id, recipientRef);
  if (!recipient) throw new AppError('recipient_not_found', `No recipient "${recipientRef}" in this app.`);
  return { app, recipient };
}

const appParam = { app: 'The app id (`app_…`) or uid.' };
const params = { ...appParam, recipient: 'The recipient id (`rcp_…`) or your uid.' };
const base = '/apps/:app/recipients';

export const recipientRoutes = [
  defineRoute<RecipientBody>({
    method: 'post',
    path: base,
    scope: 'recipient:write',
    tag: 'Recipients',
    summary: 'Create a recipient',
    description: 'A recipient is one of your customers; its endpoints receive the messages addressed to it. `uid` must be unique in the app.',
    params: appParam,
    body: createRecipientBody,
    status: 201,
    example: recipientExample,
    errors: ['app_not_found', 'conflict'],
    async handler({ params, body, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      const recipient = await insertRecipient(deps.db, { workspaceId: auth.workspaceId, appId: app.id, ...body }, deps.clock.now());
      return serializeRecipient(recipient);
    },
  }),
  defineRoute<undefined, PageQuery>({
    method: 'get',
    path: base,
    scope: 'recipient:read',
    tag: 'Recipients',
    summary: 'List recipients',
    description: 'Newest first.',
    params: appParam,
    query: { ...paginationQuery },
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
    status: 200,
    example: recipientExample,
    errors: ['app_not_found', 'recipient_not_found'],
    async handler({ params, auth, deps }) {
      const { recipient } = await requireRecipient(deps.db, auth.workspaceId, params.app, params.recipient);
      return serializeRecipient(recipient);
    },
  }),
  defineRoute<RecipientBody>({
    method: 'patch',
    path: `${base}/:recipient`,
    scope: 'recipient:write',
    tag: 'Recipients',
    summary: 'Update a recipient',
    description: 'Only the given fields change; `null` clears `uid` or `name`.',
    params,
    body: patchRecipientBody,
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
    summary: 'Delete a recipient',
    description: 'Deletes the recipient with its endpoints and their pending deliveries.',
    params,
    status: 200,
    example: { id: recipientExample.id, deleted: true },
    errors: ['app_not_found', 'recipient_not_found'],
    async handler({ params, auth, deps }) {
      const { recipient } = await requireRecipient(deps.db, auth.workspaceId, params.app, params.recipient);
      await deleteRecipient(deps.db, recipient.id);
      return { id: recipient.id, deleted: true };
    },
  }),
];
