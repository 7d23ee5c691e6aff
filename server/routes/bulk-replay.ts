import { findEndpoint } from '../../db/queries/endpoints.js';
import { findRecipientByRef } from '../../db/queries/recipients.js';
import { bulkReplay, BULK_REPLAY_MAX } from '../delivery/bulk-replay.js';
import { AppError } from '../errors.js';
import { assertValidFilter, compileFilter, type FilterMatcher } from '../filters/index.js';
import { bulkReplayBody } from '../schemas/bulk-replay.js';
import { recoverResultSchema } from '../schemas/responses/endpoints.js';
import { defineRoute } from './define-route.js';
import { requireApp } from './apps.js';
import { fromIso } from './serialize.js';

/** Bulk replay (CONTRACT §8.3, §8.7): the Failed view of the TUI replays through this route. */
export const bulkReplayRoutes = [
  defineRoute({
    method: 'post',
    path: '/apps/:app/messages/replay',
    scope: 'message:write',
    tag: 'Messages',
    summary: 'Replay messages in bulk',
    description: `Creates one replay delivery (trigger \`replay\`, a single attempt, not retried) per (message, endpoint) pair that matches: the message was created in [\`since\`, \`until\`) (\`until\` defaults to now), is of \`event_type\`, still has its payload, and was delivered to the endpoint; with \`status: "failed"\` (the default) the pair's latest delivery failed; \`recipient\` keeps the endpoints of that recipient (targeted and broadcast messages alike), \`endpoint_id\` one endpoint of the app; \`filter\` (a payload filter) is evaluated on each stored payload. More than ${BULK_REPLAY_MAX} matching pairs answers 400 \`invalid_request\` naming the count, and nothing is created. Deliveries are created in short batches and sent as they are written.`,
    params: { app: 'The app id (`app_…`) or uid.' },
    body: bulkReplayBody,
    response: recoverResultSchema,
    status: 202,
    example: { replayed: 42 },
    errors: ['app_not_found', 'recipient_not_found', 'endpoint_not_found'],
    async handler({ params, body, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      const since = fromIso(body.since) as number;
      const until = fromIso(body.until) ?? deps.clock.now() + 1;
      if (until <= since)
        throw new AppError('invalid_request', '`until` must be after `since`.', {
          details: [{ path: '/until', message: 'must be after since' }],
        });
      let filter: FilterMatcher | null = null;
      if (body.filter !== undefined) {
        const given: unknown = body.filter;
        assertValidFilter(given, '/filter');
        filter = compileFilter(given);
      }
      let recipientId: string | undefined;
      if (body.recipient !== undefined) {
        const recipient = await findRecipientByRef(deps.db, app.id, body.recipient);
        if (!recipient) throw new AppError('recipient_not_found', `No recipient "${body.recipient}" in this app.`);
        recipientId = recipient.id;
      }
      if (body.endpoint_id !== undefined && !(await findEndpoint(deps.db, { appId: app.id }, body.endpoint_id)))
        throw new AppError('endpoint_not_found', `No endpoint "${body.endpoint_id}" in this app.`);
      const replayed = await bulkReplay(
        deps,
        {
          appId: app.id,
          since,
          until,
          eventType: body.event_type,
          recipientId,
          endpointId: body.endpoint_id,
          failedOnly: body.status === 'failed',
        },
        filter,
      );
      return { replayed };
    },
  }),
] as const;
