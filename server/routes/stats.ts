import { readWorkspaceStats, STATS_BUCKET_MS } from '../../db/queries/stats.js';
import { statsSchema, type StatsData } from '../schemas/responses/stats.js';
import { defineRoute } from './define-route.js';

const perSecond = (counts: number[]) => counts.map((n) => n / (STATS_BUCKET_MS / 1000));

// the schema states 300 and 10 as constants; db/queries/stats.ts STATS_WINDOW_MS / STATS_BUCKET_MS are the same
const zeros = new Array<number>(30).fill(0);
const statsExample = {
  window_s: 300,
  bucket_s: 10,
  accepted_per_s: [...zeros.slice(1), 12.4],
  delivered_per_s: [...zeros.slice(1), 12.1],
  success_rate: 0.98,
  pending: 42,
  held: 0,
  oldest_pending_age_s: 3,
  attempt_latency_ms: { p50: 38, p99: 412 },
  anomalies_open: { endpoint_failing: 1 },
  sources: [{ id: 'src_0ujsswThIGTUYm2K8FjOOfXtY1K', name: 'stripe', events_per_s: [...zeros.slice(1), 0.7] }],
} as const;

export const statsRoutes = [
  defineRoute({
    method: 'get',
    path: '/stats',
    scope: 'anomaly:read',
    tag: 'Stats',
    summary: 'Live figures of the workspace',
    description:
      'What the operator overview shows: rates over the last 5 minutes in 10 s buckets, the success rate and ' +
      'p50/p99 latency of the attempts in that window, pending and held deliveries, open anomalies by type and ' +
      'events per source. Computed from the database, so every server process answers the same.',
    response: statsSchema,
    status: 200,
    example: statsExample,
    errors: [],
    async handler({ auth, deps }): Promise<StatsData> {
      const now = deps.clock.now();
      const stats = await readWorkspaceStats(deps.db, auth.workspaceId, now);
      return {
        window_s: 300,
        bucket_s: 10,
        accepted_per_s: perSecond(stats.accepted),
        delivered_per_s: perSecond(stats.delivered),
        success_rate: stats.attempts === 0 ? null : stats.succeeded / stats.attempts,
        pending: stats.pending,
        held: stats.held,
        oldest_pending_age_s: stats.oldestPendingAt === null ? null : Math.max(0, Math.floor((now - stats.oldestPendingAt) / 1000)),
        attempt_latency_ms: stats.latency,
        anomalies_open: stats.anomaliesOpen,
        sources: stats.sources.map((source) => ({ id: source.id, name: source.name, events_per_s: perSecond(source.counts) })),
      };
    },
  }),
] as const;
