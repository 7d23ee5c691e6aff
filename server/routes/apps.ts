import type { DbOrTx } from '../../db/index.js';
import { deleteApp, findAppByRef, insertApp, listApps, updateApp, type App } from '../../db/queries/apps.js';
import { AppError } from '../errors.js';
import { assertAppLimit } from '../plan-limits.js';
import { appExample, createAppBody, patchAppBody, serializeApp } from '../schemas/apps.js';
import { paginationQuery } from '../schemas/common.js';
import { appSchema } from '../schemas/responses/apps.js';
import { deletedResult, deletedSchema } from '../schemas/responses/common.js';
import { defineRoute } from './define-route.js';

/** The workspace's app named by an `{app}` path segment (id or uid); 404 `app_not_found` otherwise. */
export async function requireApp(db: DbOrTx, workspaceId: string, ref: string): Promise<App> {
  const app = await findAppByRef(db, workspaceId, ref);
  if (!app) throw new AppError('app_not_found', `No app "${ref}" in this workspace.`);
  return app;
}

const appParam = { app: 'The app id (`app_…`) or your uid.' } as const;

export const appRoutes = [
  defineRoute({
    method: 'post',
    path: '/apps',
    scope: 'app:write',
    tag: 'Apps',
    summary: 'Create an app',
    description: 'An app groups the event types, recipients and messages of one product. `uid` must be unique in the workspace.',
    body: createAppBody,
    response: appSchema,
    status: 201,
    example: appExample,
    errors: ['conflict', 'plan_limit_reached'],
    async handler({ body, auth, deps }) {
      const app = await deps.db.transaction(async (tx) => {
        await assertAppLimit(tx, deps.config, auth.workspaceId);
        return insertApp(tx, { workspaceId: auth.workspaceId, name: body.name, uid: body.uid, metadata: body.metadata }, deps.clock.now());
      });
      return serializeApp(app);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/apps',
    scope: 'app:read',
    tag: 'Apps',
    summary: 'List apps',
    description: 'Newest first.',
    query: { ...paginationQuery },
    response: appSchema,
    status: 200,
    list: true,
    example: [appExample],
    errors: [],
    async handler({ query, auth, deps }) {
      const page = await listApps(deps.db, auth.workspaceId, query);
      return { items: page.items.map(serializeApp), next_cursor: page.nextCursor };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/apps/:app',
    scope: 'app:read',
    tag: 'Apps',
    summary: 'Get an app',
    params: appParam,
    response: appSchema,
    status: 200,
    example: appExample,
    errors: ['app_not_found'],
    async handler({ params, auth, deps }) {
      return serializeApp(await requireApp(deps.db, auth.workspaceId, params.app));
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/apps/:app',
    scope: 'app:write',
    tag: 'Apps',
    summary: 'Update an app',
    description: 'Only the given fields change; `uid: null` removes the uid.',
    params: appParam,
    body: patchAppBody,
    response: appSchema,
    status: 200,
    example: appExample,
    errors: ['app_not_found', 'conflict'],
    async handler({ params, body, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      const updated = await updateApp(deps.db, app, body, deps.clock.now());
      deps.sendContexts.clear();
      return serializeApp(updated);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/apps/:app',
    scope: 'app:write',
    tag: 'Apps',
    summary: 'Delete an app',
    description: 'Deletes the app with its event types, recipients, endpoints, messages and pending deliveries.',
    params: appParam,
    response: deletedSchema,
    status: 200,
    example: { id: appExample.id, deleted: true },
    errors: ['app_not_found'],
    async handler({ params, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      await deleteApp(deps.db, app.id);
      deps.sendContexts.clear();
      return deletedResult(app.id);
    },
  }),
] as const;
