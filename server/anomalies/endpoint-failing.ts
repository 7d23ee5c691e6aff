import {
  findTargets,
  findTargetsFailingAtLeast,
  findTargetsWithFailuresSince,
  latestAttempts,
  type DeliveryTarget,
  type TargetKind,
} from '../../db/queries/anomaly-signals.js';
import { iso } from '../routes/serialize.js';
import { describeTarget, type Detector, type DetectorContext } from './context.js';

/**
 * endpoint_failing: an endpoint or a source destination has DISPATCH_FAILING_THRESHOLD
 * consecutive failed attempts; resolves when its next attempt succeeds. The attempts table is the
 * truth (so attempts made by other processes count); the dispatcher's `attempt` signal only makes
 * the check happen at once instead of at the next pass.
 */
export const endpointFailing: Readonly<Detector> = {
  type: 'endpoint_failing',
  async detect(ctx) {
    const threshold = ctx.config.failingThreshold;
    const candidates = new Map<string, DeliveryTarget>();
    // the recorded streak finds long-failing targets; recent failed attempts find streaks that
    // just grew even if a dispatcher kept no streak column for that kind of target
    for (const target of await findTargetsFailingAtLeast(ctx.db, threshold)) candidates.set(target.id, target);
    const lookback = 2 * ctx.config.anomalyIntervalMs + 60_000;
    const recent = (await findTargetsWithFailuresSince(ctx.db, ctx.now - lookback)).filter((target) => !candidates.has(target.id));
    for (const kind of ['endpoint', 'source'] as const) {
      const found = await findTargets(
        ctx.db,
        kind,
        recent.filter((target) => target.kind === kind).map((target) => target.id),
      );
      for (const [id, target] of found) candidates.set(id, target);
    }
    const failing = new Set<string>();
    for (const target of candidates.values()) {
      if (await sightIfFailing(ctx, target)) failing.add(target.id);
    }

    for (const anomaly of (await ctx.openAnomalies('endpoint_failing')).values()) {
      if (!failing.has(anomaly.subjectId)) await resolveIfRecovered(ctx, anomaly.subjectKind, anomaly.subjectId);
    }
  },
};

/**
 * Opens (or bumps) endpoint_failing for one target when its newest `threshold` attempts all
 * failed. The newest failed attempt's id is the evidence: seeing it again is not a recurrence.
 * `reportedStreak` is the streak the dispatcher announced (shown when larger than the row's).
 * Returns whether the target now has an open endpoint_failing anomaly.
 */
export async function checkFailingTarget(ctx: DetectorContext, kind: TargetKind, id: string, reportedStreak = 0): Promise<boolean> {
  const target = (await findTargets(ctx.db, kind, [id])).get(id);
  return target ? sightIfFailing(ctx, target, reportedStreak) : false;
}

async function sightIfFailing(ctx: DetectorContext, target: DeliveryTarget, reportedStreak = 0): Promise<boolean> {
  const threshold = ctx.config.failingThreshold;
  const attempts = await latestAttempts(ctx.db, target.kind, target.id, threshold);
  if (attempts.length < threshold || attempts.some((attempt) => attempt.status !== 'failed')) return false;
  const streak = Math.max(target.consecutiveFailures, reportedStreak, threshold);
  const outcome = await ctx.sight({
    workspaceId: target.workspaceId,
    type: 'endpoint_failing',
    subjectKind: target.kind,
    subjectId: target.id,
    title: target.kind === 'endpoint' ? `${describeTarget(target)} is failing` : `The destination of ${describeTarget(target)} is failing`,
    details: {
      consecutive_failures: streak,
      threshold,
      last_attempt_id: attempts[0].id,
      last_failed_at: iso(attempts[0].createdAt),
      last_error: attempts[0].error,
      last_response_status: attempts[0].responseStatus,
    },
    occurrenceKey: attempts[0].id,
  });
  return outcome !== 'suppressed';
}

/** Resolves endpoint_failing for a target whose newest attempt succeeded, or that no longer exists. */
export async function resolveIfRecovered(ctx: DetectorContext, kind: TargetKind, id: string): Promise<void> {
  const exists = (await findTargets(ctx.db, kind, [id])).has(id);
  if (exists) {
    const [latest] = await latestAttempts(ctx.db, kind, id, 1);
    if (latest?.status !== 'succeeded') return;
  }
  await ctx.resolve('endpoint_failing', id);
}
