import type { DbOrTx } from '../../db/index.js';
import { deleteEndpoint, findEndpoint, insertEndpoint, listEndpoints, updateEndpoint, type Endpoint } from '../../db/queries/endpoints.js';
import { findActiveEventTypeNames } from '../../db/queries/event-types.js';
import { countHeldDeliveries } from '../../db/queries/held-deliveries.js';
import type { App } from '../../db/queries/apps.js';
import type { Recipient } from '../../db/queries/recipients.js';
import { applyOrderingAndAuth } from '../delivery/endpoint-options.js';
import { holdEndpoint, releaseEndpoint } from '../delivery/held.js';
import { assertDestinationAllowed } from '../delivery/ssrf.js';
import { AppError } from '../errors.js';
import { assertEndpointLimit } from '../plan-limits.js';
import { generateSigningSecret } from '../secrets.js';
import { paginationQuery } from '../schemas/common.js';
import { endpointAuthFromBody, orderingFromBody } from '../schemas/endpoint-auth.js';
import { assertDeliveryOverrides } from '../schemas/endpoint-delivery.js';
import { deletedResult, deletedSchema } from '../schemas/responses/common.js';
import { endpointCreatedSchema, endpointSchema } from '../schemas/responses/endpoints.js';
import {
  assertValidHeaders,
  assertValidSecret,
  createEndpointBody,
  endpointExample,
  patchEndpointBody,
  secretExample,
  serializeEndpoint,
} from '../schemas/endpoints.js';
import { defineRoute } from './define-route.js';
import { requireRecipient } from './recipients.js';

/** The endpoint `{endpoint}` of the recipient named by the path; 404 for the app, recipient or endpoint. */
export async function requireEndpoint(
  db: DbOrTx,
  workspaceId: string,
  params: Record<string, string>,
): Promise<{ app: App; recipient: Recipient; endpoint: Endpoint }> {
  const { app, recipient } = await requireRecipient(db, workspaceId, params.app, params.recipient);
  const endpoint = await findEndpoint(db, recipient.id, params.endpoint);
  if (!endpoint) throw new AppError('endpoint_not_found', `No endpoint "${params.endpoint}" for this recipient.`);
  return { app, recipient, endpoint };
}

/**
 * The endpoint's event type filter, de-duplicated. Every name must be an event type of the app
 * that is not archived (as in Svix), so a typo cannot silently filter out every message.
 */
export async function resolveEventTypeFilter(db: DbOrTx, appId: string, names: string[]): Promise<string[]> {
  const unique = [...new Set(names)];
  const active = await findActiveEventTypeNames(db, appId, unique);
  const details = names
    .map((name, index) => ({ name, index }))
    .filter(({ name }) => !active.has(name))
    .map(({ name, index }) => ({
      path: `/event_types/${index}`,
      message: `"${name}" is not an event type of this app, or it is archived`,
    }));
  if (details.length > 0)
    throw new AppError('invalid_request', `Unknown or archived event type "${names[Number(details[0].path.split('/')[2])]}".`, { details });
  return unique;
}

export const endpointParams = {
  app: 'The app id (`app_…`) or uid.',
  recipient: 'The recipient id (`rcp_…`) or uid.',
  endpoint: 'The endpoint id (`ep_…`).',
} as const;
const listParams = { app: endpointParams.app, recipient: endpointParams.recipient } as const;
export const endpointBase = '/apps/:app/recipients/:recipient/endpoints';
const destinationErrors = ['app_not_found', 'recipient_not_found', 'destination_invalid'] as const;

export const endpointRoutes = [
  defineRoute({
    method: 'post',
    path: endpointBase,
    scope: 'endpoint:write',
    tag: 'Endpoints',
    summary: 'Create an endpoint',
    description:
      'Returns the signing `secret` (generated unless given). A URL (or an `auth.token_url`) whose host is a literal private, loopback or reserved IP is refused unless the configuration allows it. Secrets in `auth` are write-only: answers show them as null.',
    params: listParams,
    body: createEndpointBody,
    response: endpointCreatedSchema,
    status: 201,
    example: { ...endpointExample, ...secretExample },
    errors: [...destinationErrors, 'plan_limit_reached'],
    async handler({ params, body, auth, deps }) {
      const { app, recipient } = await requireRecipient(deps.db, auth.workspaceId, params.app, params.recipient);
      assertDestinationAllowed(body.url, deps.config);
      if (body.headers) assertValidHeaders(body.headers);
      if (body.secret !== undefined) assertValidSecret(body.secret);
      assertDeliveryOverrides(body);
      const endpointAuth = endpointAuthFromBody(body.auth, deps.config);
      const eventTypes = await resolveEventTypeFilter(deps.db, app.id, body.event_types ?? []);
      const secret = body.secret ?? generateSigningSecret();
      const endpoint = await deps.db.transaction(async (tx) => {
        await assertEndpointLimit(tx, deps.config, recipient.id);
        return insertEndpoint(
          tx,
          {
            workspaceId: auth.workspaceId,
            appId: app.id,
            recipientId: recipient.id,
            url: body.url,
            description: body.description,
            eventTypes,
            headers: body.headers,
            rateLimit: body.rate_limit,
            disabled: body.disabled,
            filter: body.filter,
            retrySchedule: body.retry_schedule,
            timeout: body.timeout,
            ordering: orderingFromBody(body.ordering),
            auth: endpointAuth,
            secret,
          },
          deps.config.encryptionKey,
          deps.clock.now(),
        );
      });
      return { ...serializeEndpoint(endpoint), secret };
    },
  }),
  defineRoute({
    method: 'get',
    path: endpointBase,
    scope: 'endpoint:read',
    tag: 'Endpoints',
    summary: 'List endpoints',
    description: 'Newest first. Never includes secrets.',
    params: listParams,
    query: { ...paginationQuery },
    response: endpointSchema,
    status: 200,
    list: true,
    example: [endpointExample],
    errors: ['app_not_found', 'recipient_not_found'],
    async handler({ params, query, auth, deps }) {
      const { recipient } = await requireRecipient(deps.db, auth.workspaceId, params.app, params.recipient);
      const page = await listEndpoints(deps.db, recipient.id, query);
      const held = await countHeldDeliveries(
        deps.db,
        page.items.map((endpoint) => endpoint.id),
      );
      return { items: page.items.map((endpoint) => serializeEndpoint(endpoint, held.get(endpoint.id))), next_cursor: page.nextCursor };
    },
  }),
  defineRoute({
    method: 'get',
    path: `${endpointBase}/:endpoint`,
    scope: 'endpoint:read',
    tag: 'Endpoints',
    summary: 'Get an endpoint',
    description: 'Never includes the secret (see `GET …/secret`).',
    params: endpointParams,
    response: endpointSchema,
    status: 200,
    example: endpointExample,
    errors: ['app_not_found', 'recipient_not_found', 'endpoint_not_found'],
    async handler({ params, auth, deps }) {
      const { endpoint } = await requireEndpoint(deps.db, auth.workspaceId, params);
      return serializeEndpoint(endpoint, (await countHeldDeliveries(deps.db, [endpoint.id])).get(endpoint.id));
    },
  }),
  defineRoute({
    method: 'patch',
    path: `${endpointBase}/:endpoint`,
    scope: 'endpoint:write',
    tag: 'Endpoints',
    summary: 'Update an endpoint',
    description:
      "Only the given fields change (`null` clears `description`, `rate_limit`, `filter`, `retry_schedule`, `timeout` or `auth`, and sets `ordering` to `none`). `auth` is replaced whole. Switching `ordering` to `fifo` makes the pending deliveries wait their turn in accept order. `disabled: true` holds the endpoint's pending deliveries (status `held`, no attempt); `disabled: false` re-enables it, sends its held deliveries, clears its failure streak and resolves its `endpoint_disabled` anomaly.",
    params: endpointParams,
    body: patchEndpointBody,
    response: endpointSchema,
    status: 200,
    example: endpointExample,
    errors: [...destinationErrors, 'endpoint_not_found'],
    async handler({ params, body, auth, deps }) {
      const { app, endpoint } = await requireEndpoint(deps.db, auth.workspaceId, params);
      if (body.url !== undefined) assertDestinationAllowed(body.url, deps.config);
      if (body.headers) assertValidHeaders(body.headers);
      assertDeliveryOverrides(body);
      const endpointAuth = endpointAuthFromBody(body.auth, deps.config);
      const eventTypes = body.event_types === undefined ? undefined : await resolveEventTypeFilter(deps.db, app.id, body.event_types);
      // before updateEndpoint, which answers the row as it then stands
      await applyOrderingAndAuth(deps, endpoint.id, { ordering: orderingFromBody(body.ordering), auth: endpointAuth });
      const updated = await updateEndpoint(
        deps.db,
        endpoint,
        {
          url: body.url,
          description: body.description,
          eventTypes,
          headers: body.headers,
          rateLimit: body.rate_limit,
          disabled: body.disabled,
          filter: body.filter,
          retrySchedule: body.retry_schedule,
          timeout: body.timeout,
        },
        deps.clock.now(),
      );
      // CONTRACT §8.2, once the flag is committed: disabling holds what is pending, enabling sends what was held
      if (updated.disabled && !endpoint.disabled) await holdEndpoint(deps, endpoint.id);
      if (!updated.disabled && body.disabled === false) await releaseEndpoint(deps, endpoint.id);
      // always announced (not only on a state change) so an anomaly left open by a race still resolves
      if (body.disabled === false) deps.emit('endpoint_enabled', { endpointId: endpoint.id, workspaceId: auth.workspaceId });
      // operational webhooks (endpoint.disabled|enabled, reason manual): only a real change is news
      if (updated.disabled !== endpoint.disabled) {
        deps.emit('endpoint_toggled_by_hand', {
          endpointId: endpoint.id,
          workspaceId: auth.workspaceId,
          appId: endpoint.appId,
          recipientId: endpoint.recipientId,
          disabled: updated.disabled,
        });
      }
      return serializeEndpoint(updated, (await countHeldDeliveries(deps.db, [endpoint.id])).get(endpoint.id));
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${endpointBase}/:endpoint`,
    scope: 'endpoint:write',
    tag: 'Endpoints',
    summary: 'Delete an endpoint',
    description: 'Its pending deliveries are dropped.',
    params: endpointParams,
    response: deletedSchema,
    status: 200,
    example: { id: endpointExample.id, deleted: true },
    errors: ['app_not_found', 'recipient_not_found', 'endpoint_not_found'],
    async handler({ params, auth, deps }) {
      const { endpoint } = await requireEndpoint(deps.db, auth.workspaceId, params);
      await deleteEndpoint(deps.db, endpoint.id);
      return deletedResult(endpoint.id);
    },
  }),
] as const;
