import type { DbOrTx } from '../../db/index.js';
import { deleteEndpoint, findEndpoint, insertEndpoint, listEndpoints, updateEndpoint, type Endpoint } from '../../db/queries/endpoints.js';
import { findActiveEventTypeNames } from '../../db/queries/event-types.js';
import type { App } from '../../db/queries/apps.js';
import type { Recipient } from '../../db/queries/recipients.js';
import { assertDestinationAllowed } from '../delivery/ssrf.js';
import { AppError } from '../errors.js';
import { assertEndpointLimit } from '../plan-limits.js';
import { generateSigningSecret } from '../secrets.js';
import { paginationQuery, type PageQuery } from '../schemas/common.js';
import {
  assertValidHeaders, assertValidSecret, createEndpointBody, endpointExample, patchEndpointBody, secretExample, serializeEndpoint,
  type EndpointBody,
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
    .map(({ name, index }) => ({ path: `/event_types/${index}`, message: `"${name}" is not an event type of this app, or it is archived` }));
  if (details.length > 0) throw new AppError('invalid_request', `Unknown or archived event type "${names[Number(details[0].path.split('/')[2])]}".`, { details });
  return unique;
}

export const endpointParams = {
  app: 'The app id (`app_…`) or uid.',
  recipient: 'The recipient id (`rcp_…`) or uid.',
  endpoint: 'The endpoint id (`ep_…`).',
};
const listParams = { app: endpointParams.app, recipient: endpointParams.recipient };
export const endpointBase = '/apps/:app/recipients/:recipient/endpoints';
const destinationErrors = ['app_not_found', 'recipient_not_found', 'destination_invalid'] as const;

export const endpointRoutes = [
  defineRoute<EndpointBody>({
    method: 'post',
    path: endpointBase,
    scope: 'endpoint:write',
    tag: 'Endpoints',
    summary: 'Create an endpoint',
    description: 'Returns the signing `secret` (generated unless given). A URL whose host is a literal private, loopback or reserved IP is refused unless the configuration allows it.',
    params: listParams,
    body: createEndpointBody,
    status: 201,
    example: { ...endpointExample, ...secretExample },
    errors: [...destinationErrors, 'plan_limit_reached'],
    async handler({ params, body, auth, deps }) {
      const { app, recipient } = await requireRecipient(deps.db, auth.workspaceId, params.app, params.recipient);
      assertDestinationAllowed(body.url, deps.config);
      if (body.headers) assertValidHeaders(body.headers);
      if (body.secret !== undefined) assertValidSecret(body.secret);
      const eventTypes = await resolveEventTypeFilter(deps.db, app.id, body.event_types ?? []);
      const secret = body.secret ?? generateSigningSecret();
      const endpoint = await deps.db.transaction(async (tx) => {
        await assertEndpointLimit(tx, deps.config, recipient.id);
        return insertEndpoint(tx, {
          workspaceId: auth.workspaceId,
          appId: app.id,
          recipientId: recipient.id,
          url: body.url,
          description: body.description,
          eventTypes,
          headers: body.headers,
          rateLimit: body.rate_limit,
          disabled: body.disabled,
          secret,
        }, deps.config.encryptionKey, deps.clock.now());
      });
      return { ...serializeEndpoint(endpoint), secret };
    },
  }),
  defineRoute<undefined, PageQuery>({
    method: 'get',
    path: endpointBase,
    scope: 'endpoint:read',
    tag: 'Endpoints',
    summary: 'List endpoints',
    description: 'Newest first. Never includes secrets.',
    params: listParams,
    query: { ...paginationQuery },
    status: 200,
    list: true,
    example: [endpointExample],
    errors: ['app_not_found', 'recipient_not_found'],
    async handler({ params, query, auth, deps }) {
      const { recipient } = await requireRecipient(deps.db, auth.workspaceId, params.app, params.recipient);
      const page = await listEndpoints(deps.db, recipient.id, query);
      return { items: page.items.map(serializeEndpoint), next_cursor: page.nextCursor };
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
    status: 200,
    example: endpointExample,
    errors: ['app_not_found', 'recipient_not_found', 'endpoint_not_found'],
    async handler({ params, auth, deps }) {
      return serializeEndpoint((await requireEndpoint(deps.db, auth.workspaceId, params)).endpoint);
    },
  }),
  defineRoute<Partial<EndpointBody>>({
    method: 'patch',
    path: `${endpointBase}/:endpoint`,
    scope: 'endpoint:write',
    tag: 'Endpoints',
    summary: 'Update an endpoint',
    description: 'Only the given fields change (`null` clears `description` or `rate_limit`). `disabled: false` re-enables the endpoint, clears its failure streak and resolves its `endpoint_disabled` anomaly.',
    params: endpointParams,
    body: patchEndpointBody,
    status: 200,
    example: endpointExample,
    errors: [...destinationErrors, 'endpoint_not_found'],
    async handler({ params, body, auth, deps }) {
      const { app, endpoint } = await requireEndpoint(deps.db, auth.workspaceId, params);
      if (body.url !== undefined) assertDestinationAllowed(body.url, deps.config);
      if (body.headers) assertValidHeaders(body.headers);
      const eventTypes = body.event_types === undefined ? undefined : await resolveEventTypeFilter(deps.db, app.id, body.event_types);
      const updated = await updateEndpoint(deps.db, endpoint, {
        url: body.url,
        description: body.description,
        eventTypes,
        headers: body.headers,
        rateLimit: body.rate_limit,
        disabled: body.disabled,
      }, deps.clock.now());
      // always announced (not only on a state change) so an anomaly left open by a race still resolves
      if (body.disabled === false) deps.signals.emit('endpoint_enabled', { endpointId: endpoint.id, workspaceId: auth.workspaceId });
      return serializeEndpoint(updated);
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
    status: 200,
    example: { id: endpointExample.id, deleted: true },
    errors: ['app_not_found', 'recipient_not_found', 'endpoint_not_found'],
    async handler({ params, auth, deps }) {
      const { endpoint } = await requireEndpoint(deps.db, auth.workspaceId, params);
      await deleteEndpoint(deps.db, endpoint.id);
      return { id: endpoint.id, deleted: true };
    },
  }),
];
