import { findOldestPendingDeliveries, findTargets, type DeliveryTarget, type OldestPending } from '../../db/queries/anomaly-signals.js';
import { iso } from '../routes/serialize.js';
import { describeTarget, type Detector } from './context.js';
import { describeDuration } from './windows.js';

/**
 * backlog: the oldest pending delivery of an endpoint or a source destination is older than
 * 10 min; resolves when the backlog drains (no delivery of that target pending for that long).
 * The head delivery is the evidence: a backlog whose head moves on but stays stale recurs.
 */
export const backlog: Readonly<Detector> = {
  type: 'backlog',
  async detect(ctx) {
    const { now, windows: w } = ctx;
    const stale = (await findOldestPendingDeliveries(ctx.db)).filter((head) => now - head.createdAt > w.backlogAgeMs);
    const staleIds = new Set(stale.map((head) => head.targetId));

    for (const anomaly of (await ctx.openAnomalies('backlog')).values()) {
      if (!staleIds.has(anomaly.subjectId)) await ctx.resolve('backlog', anomaly.subjectId);
    }

    const targets = new Map<string, DeliveryTarget>();
    for (const kind of ['endpoint', 'source'] as const) {
      const ids = stale.filter((head) => head.kind === kind).map((head) => head.targetId);
      for (const [id, target] of await findTargets(ctx.db, kind, ids)) targets.set(id, target);
    }
    for (const head of stale) {
      const target = targets.get(head.targetId);
      if (target) await sightBacklog(ctx, target, head);
    }
  },
};

async function sightBacklog(ctx: Parameters<Detector['detect']>[0], target: DeliveryTarget, head: OldestPending) {
  const threshold = describeDuration(ctx.windows.backlogAgeMs);
  await ctx.sight({
    workspaceId: target.workspaceId,
    type: 'backlog',
    subjectKind: target.kind,
    subjectId: target.id,
    title:
      target.kind === 'endpoint'
        ? `${describeTarget(target)} has deliveries pending for over ${threshold}`
        : `${describeTarget(target)} has forwards pending for over ${threshold}`,
    details: {
      oldest_pending_delivery_id: head.deliveryId,
      oldest_pending_since: iso(head.createdAt),
      age_seconds: Math.floor((ctx.now - head.createdAt) / 1000),
    },
    occurrenceKey: `head:${head.deliveryId}`,
  });
}
