import type { DbOrTx } from '../../db/index.js';
import {
  findEventType,
  insertEventType,
  listEventTypes,
  setEventTypeArchived,
  updateEventType,
  type EventType,
} from '../../db/queries/event-types.js';
import { AppError } from '../errors.js';
import { paginationQuery } from '../schemas/common.js';
import { eventTypeSchema } from '../schemas/responses/event-types.js';
import {
  compileUserSchema,
  createEventTypeBody,
  eventTypeExample,
  patchEventTypeBody,
  serializeEventType,
} from '../schemas/event-types.js';
import { defineRoute } from './define-route.js';
import { requireApp } from './apps.js';

/** The app's event type of this name (archived or not); 404 `event_type_not_found` otherwise. */
export async function requireEventType(db: DbOrTx, appId: string, name: string): Promise<EventType> {
  const eventType = await findEventType(db, appId, name);
  if (!eventType) throw new AppError('event_type_not_found', `No event type "${name}" in this app.`);
  return eventType;
}

const appParam = { app: 'The app id (`app_…`) or uid.' } as const;
const params = { ...appParam, name: 'The event type name, e.g. `invoice.paid`.' } as const;
const base = '/apps/:app/event-types';

function archiveRoute(archived: boolean) {
  return defineRoute({
    method: 'post',
    path: `${base}/:name/${archived ? 'archive' : 'unarchive'}`,
    scope: 'event_type:write',
    tag: 'Event types',
    summary: archived ? 'Archive an event type' : 'Unarchive an event type',
    description: archived
      ? 'New messages of an archived type are refused with 400 `event_type_archived`; already accepted ones are still delivered. Idempotent.'
      : 'The type takes new messages again. Idempotent.',
    params,
    response: eventTypeSchema,
    status: 200,
    example: { ...eventTypeExample, archived, archived_at: archived ? '2026-11-27T09:00:00.000Z' : null },
    errors: ['app_not_found', 'event_type_not_found'],
    async handler({ params, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      const eventType = await requireEventType(deps.db, app.id, params.name);
      const updated = await setEventTypeArchived(deps.db, eventType, archived, deps.clock.now());
      deps.sendContexts.clear();
      return serializeEventType(updated);
    },
  });
}

export const eventTypeRoutes = [
  defineRoute({
    method: 'post',
    path: base,
    scope: 'event_type:write',
    tag: 'Event types',
    summary: 'Create an event type',
    description:
      'Names are unique in the app. A given `schema` must be a valid JSON Schema (draft-07, or 2019-09/2020-12 when its `$schema` names one); every new message of the type must then satisfy it.',
    params: appParam,
    body: createEventTypeBody,
    response: eventTypeSchema,
    status: 201,
    example: eventTypeExample,
    errors: ['app_not_found', 'conflict'],
    async handler({ params, body, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      if (body.schema) compileUserSchema(body.schema);
      const eventType = await insertEventType(
        deps.db,
        { workspaceId: auth.workspaceId, appId: app.id, name: body.name, description: body.description, schema: body.schema },
        deps.clock.now(),
      );
      deps.sendContexts.clear();
      return serializeEventType(eventType);
    },
  }),
  defineRoute({
    method: 'get',
    path: base,
    scope: 'event_type:read',
    tag: 'Event types',
    summary: 'List event types',
    description: 'Newest first. Archived types are hidden unless `include_archived=true`.',
    params: appParam,
    query: { ...paginationQuery, include_archived: { type: 'boolean', default: false, description: 'Also list archived types.' } },
    response: eventTypeSchema,
    status: 200,
    list: true,
    example: [eventTypeExample],
    errors: ['app_not_found'],
    async handler({ params, query, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      const page = await listEventTypes(deps.db, app.id, { ...query, includeArchived: query.include_archived === true });
      return { items: page.items.map(serializeEventType), next_cursor: page.nextCursor };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${base}/:name`,
    scope: 'event_type:read',
    tag: 'Event types',
    summary: 'Get an event type',
    description: 'Archived types are returned too (with `archived: true`).',
    params,
    response: eventTypeSchema,
    status: 200,
    example: eventTypeExample,
    errors: ['app_not_found', 'event_type_not_found'],
    async handler({ params, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      return serializeEventType(await requireEventType(deps.db, app.id, params.name));
    },
  }),
  defineRoute({
    method: 'patch',
    path: `${base}/:name`,
    scope: 'event_type:write',
    tag: 'Event types',
    summary: 'Update an event type',
    description: 'Changes the description or the schema (`schema: null` removes it). The name cannot change.',
    params,
    body: patchEventTypeBody,
    response: eventTypeSchema,
    status: 200,
    example: eventTypeExample,
    errors: ['app_not_found', 'event_type_not_found'],
    async handler({ params, body, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      const eventType = await requireEventType(deps.db, app.id, params.name);
      if (body.schema) compileUserSchema(body.schema);
      const updated = await updateEventType(deps.db, eventType, body, deps.clock.now());
      deps.sendContexts.clear();
      return serializeEventType(updated);
    },
  }),
  archiveRoute(true),
  archiveRoute(false),
] as const;
