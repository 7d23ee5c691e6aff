import {
  acknowledgeAnomaly,
  ANOMALY_STATUSES,
  ANOMALY_TYPES,
  findAnomaly,
  listAnomalies,
  resolveAnomalyByHand,
  type Anomaly,
} from '../../db/queries/anomalies.js';
import { AppError } from '../errors.js';
import { paginationQuery } from '../schemas/common.js';
import { anomalySchema, type AnomalyData } from '../schemas/responses/anomalies.js';
import { defineRoute, type RouteInput } from './define-route.js';
import { iso } from './serialize.js';

/** The API shape of an anomaly (CONTRACT §5 "Anomalies"). */
export const serializeAnomaly = (anomaly: Anomaly): AnomalyData => ({
  id: anomaly.id,
  type: anomaly.type,
  status: anomaly.status,
  subject: { kind: anomaly.subjectKind, id: anomaly.subjectId },
  title: anomaly.title,
  count: anomaly.count,
  first_seen_at: iso(anomaly.firstSeenAt),
  last_seen_at: iso(anomaly.lastSeenAt),
  acknowledged_at: iso(anomaly.acknowledgedAt),
  resolved_at: iso(anomaly.resolvedAt),
  details: anomaly.details,
});

const anomalyExample = {
  id: 'anm_0ujsswThIGTUYm2K8FjOOfXtY1K',
  type: 'endpoint_failing',
  status: 'open',
  subject: { kind: 'endpoint', id: 'ep_0ujsswThIGTUYm2K8FjOOfXtY1K' },
  title: 'Endpoint hooks.example.com is failing',
  count: 3,
  first_seen_at: '2026-11-26T10:00:00.000Z',
  last_seen_at: '2026-11-26T10:01:30.000Z',
  acknowledged_at: null,
  resolved_at: null,
  details: {
    consecutive_failures: 7,
    threshold: 5,
    last_attempt_id: 'atm_0ujsswThIGTUYm2K8FjOOfXtY1K',
    last_failed_at: '2026-11-26T10:01:29.000Z',
    last_error: 'http_status',
    last_response_status: 503,
  },
} as const;

async function loadAnomaly({ params, auth, deps }: RouteInput<unknown, unknown, { id: string }>): Promise<Anomaly> {
  const anomaly = await findAnomaly(deps.db, auth.workspaceId, params.id);
  if (!anomaly) throw new AppError('anomaly_not_found');
  return anomaly;
}

export const anomalyRoutes = [
  defineRoute({
    method: 'get',
    path: '/anomalies',
    scope: 'anomaly:read',
    tag: 'Anomalies',
    summary: 'List anomalies',
    description: 'Newest first. Without `status`, only anomalies that are not resolved (open or acknowledged).',
    query: {
      status: { type: 'string', enum: [...ANOMALY_STATUSES], description: 'Only anomalies in this state.' },
      type: { type: 'string', enum: [...ANOMALY_TYPES], description: 'Only anomalies of this type.' },
      ...paginationQuery,
    },
    response: anomalySchema,
    status: 200,
    list: true,
    example: [anomalyExample],
    errors: ['invalid_request'],
    async handler({ query, auth, deps }) {
      const page = await listAnomalies(deps.db, auth.workspaceId, query);
      return { items: page.items.map(serializeAnomaly), next_cursor: page.nextCursor };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/anomalies/:id',
    scope: 'anomaly:read',
    tag: 'Anomalies',
    summary: 'Get an anomaly',
    response: anomalySchema,
    status: 200,
    example: anomalyExample,
    errors: ['anomaly_not_found'],
    async handler(input) {
      return serializeAnomaly(await loadAnomaly(input));
    },
  }),
  defineRoute({
    method: 'post',
    path: '/anomalies/:id/acknowledge',
    scope: 'anomaly:write',
    tag: 'Anomalies',
    summary: 'Acknowledge an anomaly',
    description:
      'Marks an open anomaly as seen. It stays the one anomaly of its type and subject (recurrences keep counting) ' +
      'and still resolves by itself. Acknowledging an acknowledged or resolved anomaly changes nothing.',
    response: anomalySchema,
    status: 200,
    example: { ...anomalyExample, status: 'acknowledged', acknowledged_at: '2026-11-26T10:05:00.000Z' },
    errors: ['anomaly_not_found'],
    async handler(input) {
      const anomaly = await loadAnomaly(input);
      await acknowledgeAnomaly(input.deps.db, input.auth.workspaceId, anomaly.id, input.deps.clock.now());
      return serializeAnomaly(await loadAnomaly(input));
    },
  }),
  defineRoute({
    method: 'post',
    path: '/anomalies/:id/resolve',
    scope: 'anomaly:write',
    tag: 'Anomalies',
    summary: 'Resolve an anomaly',
    description:
      'Closes the anomaly by hand. If its condition shows new evidence later, a new anomaly opens. ' +
      'Resolving a resolved anomaly changes nothing.',
    response: anomalySchema,
    status: 200,
    example: { ...anomalyExample, status: 'resolved', resolved_at: '2026-11-26T10:05:00.000Z' },
    errors: ['anomaly_not_found'],
    async handler(input) {
      const anomaly = await loadAnomaly(input);
      const resolvedNow = await resolveAnomalyByHand(input.deps.db, input.auth.workspaceId, anomaly.id, input.deps.clock.now());
      const resolved = await loadAnomaly(input);
      // operational webhooks announce a resolve by hand like an automatic one (once: only the call that resolved it)
      if (resolvedNow) input.deps.emit('anomaly_resolved', { anomaly: resolved });
      return serializeAnomaly(resolved);
    },
  }),
] as const;
