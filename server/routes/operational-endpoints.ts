import type { DbOrTx } from '../../db/index.js';
import { listAttemptsOfEndpoint } from '../../db/queries/attempts.js';
import {
  countOperationalEndpoints,
  deleteOperationalEndpoint,
  findOperationalEndpoint,
  insertOperationalEndpoint,
  listOperationalEndpoints,
  updateOperationalEndpoint,
  type OperationalEndpoint,
} from '../../db/queries/operational-endpoints.js';
import { ensureSystemApp } from '../../db/queries/system-app.js';
import { holdEndpoint, releaseEndpoint } from '../delivery/held.js';
import { assertDestinationAllowed } from '../delivery/ssrf.js';
import { AppError } from '../errors.js';
import { assertBelowLimit } from '../plan-limits.js';
import { generateSigningSecret } from '../secrets.js';
import { paginationQuery } from '../schemas/common.js';
import { assertValidHeaders, secretExample } from '../schemas/endpoints.js';
import {
  createOperationalEndpointBody,
  operationalEndpointExample,
  patchOperationalEndpointBody,
  serializeOperationalEndpoint,
} from '../schemas/operational-endpoints.js';
import { deletedResult, deletedSchema } from '../schemas/responses/common.js';
import { attemptSchema } from '../schemas/responses/attempts.js';
import { operationalEndpointCreatedSchema, operationalEndpointSchema } from '../schemas/responses/operational-endpoints.js';
import { attemptExample, serializeAttempt } from './attempts.js';
import { defineRoute } from './define-route.js';

/** The workspace's operational endpoint `id`; 404 `endpoint_not_found` otherwise (CONTRACT §8.7). */
async function requireOperationalEndpoint(db: DbOrTx, workspaceId: string, id: string): Promise<OperationalEndpoint> {
  const endpoint = await findOperationalEndpoint(db, workspaceId, id);
  if (!endpoint) throw new AppError('endpoint_not_found', `No operational endpoint "${id}" in this workspace.`);
  return endpoint;
}

const idParam = { id: 'The operational endpoint id (`oep_…`).' } as const;

export const operationalEndpointRoutes = [
  defineRoute({
    method: 'post',
    path: '/operational-endpoints',
    scope: 'anomaly:write',
    tag: 'Operational webhooks',
    summary: 'Create an operational endpoint',
    description:
      'Dispatch sends its own events here (`anomaly.opened`, `anomaly.resolved`, `endpoint.disabled`, `endpoint.enabled`, `message.failed`) through its delivery pipeline: Standard Webhooks signatures with the returned `secret`, retries, attempt log and SSRF guard. Failures of an operational endpoint never raise operational events themselves.',
    body: createOperationalEndpointBody,
    response: operationalEndpointCreatedSchema,
    status: 201,
    example: { ...operationalEndpointExample, ...secretExample },
    errors: ['destination_invalid', 'plan_limit_reached'],
    async handler({ body, auth, deps }) {
      assertDestinationAllowed(body.url, deps.config);
      if (body.headers) assertValidHeaders(body.headers);
      const now = deps.clock.now();
      const format = body.format ?? 'standard';
      const system = await ensureSystemApp(deps.db, auth.workspaceId, now);
      const secret = generateSigningSecret();
      const endpoint = await deps.db.transaction(async (tx) => {
        const limit = deps.config.planLimits.endpoints_per_recipient;
        if (limit !== undefined) {
          assertBelowLimit(limit, await countOperationalEndpoints(tx, auth.workspaceId), 'operational endpoints (endpoints_per_recipient)');
        }
        return insertOperationalEndpoint(
          tx,
          {
            workspaceId: auth.workspaceId,
            appId: system.appId,
            recipientId: system.recipients[format],
            format,
            url: body.url,
            eventTypes: [...new Set(body.event_types ?? [])],
            headers: body.headers ?? {},
            disabled: body.disabled ?? false,
            secret,
          },
          deps.config.encryptionKey,
          now,
        );
      });
      return { ...serializeOperationalEndpoint(endpoint), secret };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/operational-endpoints',
    scope: 'anomaly:read',
    tag: 'Operational webhooks',
    summary: 'List operational endpoints',
    description: 'Newest first. Never includes secrets.',
    query: { ...paginationQuery },
    response: operationalEndpointSchema,
    status: 200,
    list: true,
    example: [operationalEndpointExample],
    errors: [],
    async handler({ query, auth, deps }) {
      const page = await listOperationalEndpoints(deps.db, auth.workspaceId, query);
      return { items: page.items.map(serializeOperationalEndpoint), next_cursor: page.nextCursor };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/operational-endpoints/:id',
    scope: 'anomaly:read',
    tag: 'Operational webhooks',
    summary: 'Get an operational endpoint',
    params: idParam,
    response: operationalEndpointSchema,
    status: 200,
    example: operationalEndpointExample,
    errors: ['endpoint_not_found'],
    async handler({ params, auth, deps }) {
      return serializeOperationalEndpoint(await requireOperationalEndpoint(deps.db, auth.workspaceId, params.id));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/operational-endpoints/:id/attempts',
    scope: 'anomaly:read',
    tag: 'Operational webhooks',
    summary: "List an operational endpoint's attempts",
    description:
      "The attempt log of the operational events sent to it, newest first (`message_id` is the event's `webhook-id`); `status=failed` lists only failed attempts.",
    params: idParam,
    query: { ...paginationQuery, status: { type: 'string', enum: ['succeeded', 'failed'] } },
    response: attemptSchema,
    status: 200,
    list: true,
    example: [attemptExample],
    errors: ['endpoint_not_found'],
    async handler({ params, query, auth, deps }) {
      const endpoint = await requireOperationalEndpoint(deps.db, auth.workspaceId, params.id);
      const page = await listAttemptsOfEndpoint(deps.db, endpoint.id, query);
      return { items: page.items.map(serializeAttempt), next_cursor: page.nextCursor };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/operational-endpoints/:id',
    scope: 'anomaly:write',
    tag: 'Operational webhooks',
    summary: 'Update an operational endpoint',
    description:
      'Only the given fields change. A disabled operational endpoint gets no new events; those still pending when it was disabled are held. `disabled: false` re-enables it (also one Dispatch disabled after it failed continuously), sends what was held and clears its failure streak.',
    params: idParam,
    body: patchOperationalEndpointBody,
    response: operationalEndpointSchema,
    status: 200,
    example: operationalEndpointExample,
    errors: ['endpoint_not_found', 'destination_invalid'],
    async handler({ params, body, auth, deps }) {
      const endpoint = await requireOperationalEndpoint(deps.db, auth.workspaceId, params.id);
      if (body.url !== undefined) assertDestinationAllowed(body.url, deps.config);
      if (body.headers) assertValidHeaders(body.headers);
      const now = deps.clock.now();
      let format: { format: 'standard' | 'slack'; recipientId: string } | undefined;
      if (body.format !== undefined && body.format !== endpoint.format) {
        const system = await ensureSystemApp(deps.db, auth.workspaceId, now);
        format = { format: body.format, recipientId: system.recipients[body.format] };
      }
      const updated = await updateOperationalEndpoint(
        deps.db,
        endpoint,
        {
          url: body.url,
          eventTypes: body.event_types === undefined ? undefined : [...new Set(body.event_types)],
          headers: body.headers,
          disabled: body.disabled,
          format,
        },
        now,
      );
      // as for any endpoint (CONTRACT §8.2): what was pending when it was disabled waits as held and goes on re-enable
      if (updated.disabled && !endpoint.disabled) await holdEndpoint(deps, endpoint.id);
      if (!updated.disabled && body.disabled === false) await releaseEndpoint(deps, endpoint.id);
      // resolves an endpoint_disabled anomaly left on it (the anomaly worker listens; no operational event about itself)
      if (body.disabled === false) deps.emit('endpoint_enabled', { endpointId: endpoint.id, workspaceId: auth.workspaceId });
      return serializeOperationalEndpoint(updated);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/operational-endpoints/:id',
    scope: 'anomaly:write',
    tag: 'Operational webhooks',
    summary: 'Delete an operational endpoint',
    description: 'Its pending deliveries and attempts are dropped.',
    params: idParam,
    response: deletedSchema,
    status: 200,
    example: { id: operationalEndpointExample.id, deleted: true },
    errors: ['endpoint_not_found'],
    async handler({ params, auth, deps }) {
      const endpoint = await requireOperationalEndpoint(deps.db, auth.workspaceId, params.id);
      await deleteOperationalEndpoint(deps.db, endpoint.id);
      return deletedResult(endpoint.id);
    },
  }),
] as const;
