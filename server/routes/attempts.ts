import { listAttemptsOfMessage, type Attempt } from '../../db/queries/attempts.js';
import { paginationQuery } from '../schemas/common.js';
import { attemptSchema, type AttemptData } from '../schemas/responses/attempts.js';
import { defineRoute } from './define-route.js';
import { requireApp } from './apps.js';
import { requireMessage } from './messages.js';
import { iso } from './serialize.js';

/** The Attempt object of CONTRACT §4 (outbound attempts name message/endpoint, forwards event/source). */
export function serializeAttempt(attempt: Attempt): AttemptData {
  return {
    id: attempt.id,
    ...(attempt.eventId !== null
      ? { event_id: attempt.eventId, source_id: attempt.sourceId }
      : { message_id: attempt.messageId, endpoint_id: attempt.endpointId }),
    attempt: attempt.attempt,
    trigger: attempt.trigger,
    status: attempt.status,
    response_status: attempt.responseStatus,
    response_body: attempt.responseBody,
    error: attempt.error,
    duration_ms: attempt.durationMs,
    created_at: iso(attempt.createdAt),
  };
}

export const attemptExample = {
  id: 'atm_0ujssxh0cECutqzMgbtXSGnjorm',
  message_id: 'msg_0ujsswThIGTUYm2K8FjOOfXtY1K',
  endpoint_id: 'ep_0ujsszgFvbiEr7CDgE3z8MAUPFt',
  attempt: 1,
  trigger: 'scheduled',
  status: 'failed',
  response_status: 503,
  response_body: 'upstream unavailable',
  error: 'http_status',
  duration_ms: 84,
  created_at: '2026-11-26T10:00:00.120Z',
} as const;

export const attemptRoutes = [
  defineRoute({
    method: 'get',
    path: '/apps/:app/messages/:msg/attempts',
    scope: 'message:read',
    tag: 'Messages',
    summary: "List a message's attempts",
    description: 'Newest first, across every endpoint and trigger.',
    params: { app: 'The app id (`app_…`) or uid.', msg: 'The message id (`msg_…`).' },
    query: { ...paginationQuery },
    response: attemptSchema,
    status: 200,
    list: true,
    example: [attemptExample],
    errors: ['app_not_found', 'message_not_found'],
    async handler({ params, query, auth, deps }) {
      const app = await requireApp(deps.db, auth.workspaceId, params.app);
      const message = await requireMessage(deps.db, app.id, params.msg);
      const page = await listAttemptsOfMessage(deps.db, message.id, query);
      return { items: page.items.map(serializeAttempt), next_cursor: page.nextCursor };
    },
  }),
] as const;
