import type { Logger } from 'pino';
import type { Db } from '../../db/index.js';
import { retryOnDeadlock } from '../../db/deadlock-retry.js';
import { isDeadlock } from '../../db/errors.js';
import { insertAttempts, type NewAttempt } from '../../db/queries/attempts.js';
import { abandonDelivery, type Delivery } from '../../db/queries/deliveries.js';
import { finishDeliveries, type DeliveryOutcome } from '../../db/queries/delivery-outcomes.js';
import { appendToGroup } from '../../db/map-groups.js';
import { isDatabaseUnavailable } from '../errors.js';
import { createGroupCommit, isLockConflict, type GroupFailure } from '../group-commit.js';
import { safeEmit, type SignalBus } from '../signals.js';
import type { HttpOutcome } from './http-client.js';
import {
  targetKindOf,
  type RecordedAttempt,
  type ResolvedTarget,
  type ResolverContext,
  type TargetHealth,
  type TargetKind,
  type TargetResolver,
} from './targets.js';

/** One finished HTTP attempt waiting to be written. */
export interface FinishedAttempt {
  delivery: Delivery;
  target: ResolvedTarget;
  outcome: HttpOutcome;
  /** The delivery's state after this attempt (status, attempts, next attempt time). */
  next: DeliveryOutcome;
  at: number;
}

/**
 * A deadlock rolled the whole group back and says nothing about its attempts: write it again
 * whole once, then one by one. A lock wait that timed out is retried once too, but not split: a
 * third wait would hold every attempt behind it for another timeout (their leases are released
 * and the deliveries come back). A lost database fails every item alike. Anything else may be
 * one attempt's row: the items are written alone, so it fails only its own delivery.
 */
function onFailure(error: Error, { retried }: { retried: boolean }): GroupFailure {
  if (isDeadlock(error)) return 'retry';
  if (isLockConflict(error)) return retried ? 'fail' : 'retry';
  return isDatabaseUnavailable(error) ? 'fail' : 'split';
}

/** How long the first finished attempt waits for others to share its transaction. */
const LINGER_MS = 3;

/** Attempts written per transaction. */
const MAX_GROUP = 200;

/**
 * Group commit for attempts (server/group-commit.ts): attempts that finish within a few
 * milliseconds of each other, or while a write is in progress, are written together in one
 * transaction — the attempt rows, the guarded delivery updates (only rows still leased to their
 * token) and the targets' health — so throughput does not cost a transaction per attempt.
 * `record` resolves true once written, false when the lease was lost.
 */
export function createRecorder(options: {
  db: Db;
  logger: Logger;
  signals: SignalBus;
  resolvers: Partial<Record<TargetKind, TargetResolver>>;
  context: () => ResolverContext;
}) {
  const { db, logger, signals, resolvers } = options;

  async function writeGroup(group: FinishedAttempt[]): Promise<boolean[]> {
    const ctx = options.context();
    const healthByTarget = new Map<string, TargetHealth>();
    let held = new Set<string>();
    // a deadlock (on Galera: a certification conflict, expected under load) committed nothing;
    // the attempts were sent, so they must be written: run the transaction again rather than
    // release the leases (which would send them twice)
    await retryOnDeadlock(
      () =>
        db.transaction(async (tx) => {
          healthByTarget.clear();
          held = await finishDeliveries(
            tx,
            group.map((item) => item.next),
            ctx.now,
          );
          const mine = group.filter((item) => held.has(item.delivery.id));
          const attempts: NewAttempt[] = mine.map((item) => ({
            workspaceId: item.delivery.workspaceId,
            deliveryId: item.delivery.id,
            messageId: item.delivery.messageId,
            endpointId: item.delivery.endpointId,
            eventId: item.delivery.eventId,
            sourceId: item.delivery.sourceId,
            attempt: item.next.attempts,
            trigger: item.delivery.trigger,
            status: item.outcome.ok ? 'succeeded' : 'failed',
            responseStatus: item.outcome.status,
            responseBody: item.outcome.body,
            error: item.outcome.error,
            durationMs: item.outcome.durationMs,
            createdAt: item.at,
          }));
          await insertAttempts(tx, attempts);
          const byKind = new Map<TargetKind, RecordedAttempt[]>();
          for (const item of mine) {
            appendToGroup(byKind, item.target.kind, {
              delivery: item.delivery,
              target: item.target,
              succeeded: item.outcome.ok,
              deliveryStatus: item.next.status,
              at: item.at,
            });
          }
          for (const [kind, list] of byKind) {
            const health = await (resolvers[kind] as TargetResolver).afterAttempts(tx, ctx, list);
            for (const [id, h] of health) healthByTarget.set(id, h);
          }
        }),
      { onRetry: (error, attempt) => logger.debug({ err: error, attempt, count: group.length }, 'attempt write conflicted; retrying') },
    );
    // committed: from here nothing may throw, or the group commit would write it again
    for (const item of group) {
      if (held.has(item.delivery.id)) emitAttempt(item, healthByTarget.get(item.target.targetId));
    }
    for (const [targetId, health] of healthByTarget) {
      const sample = group.find((item) => item.target.targetId === targetId);
      if (health.disabledNow && sample?.target.kind === 'endpoint') {
        logger.warn({ endpointId: targetId }, 'endpoint disabled after failing continuously');
        safeEmit(signals, logger, 'endpoint_disabled', { endpointId: targetId, workspaceId: sample.target.workspaceId });
      }
    }
    return group.map((item) => held.has(item.delivery.id));
  }

  function emitAttempt(item: FinishedAttempt, health: TargetHealth | undefined): void {
    // a listener's bug must not undo or block the delivery loop (safeEmit logs it)
    safeEmit(signals, logger, 'attempt', {
      kind: item.target.kind,
      targetId: item.target.targetId,
      workspaceId: item.target.workspaceId,
      status: item.outcome.ok ? 'succeeded' : 'failed',
      consecutiveFailures: health?.consecutiveFailures ?? (item.outcome.ok ? 0 : 1),
      // for /metrics (server/metrics.ts): error class, latency, and accept → first attempt
      error: item.outcome.error,
      durationMs: item.outcome.durationMs,
      firstAttempt: item.delivery.trigger === 'scheduled' && item.delivery.attempts === 0,
      acceptedAt: item.delivery.createdAt,
      at: item.at,
    });
  }

  /**
   * Finishes a claimed delivery that cannot be attempted (its target or payload is gone) as
   * failed with no attempt, and lets its kind settle what depends on it, in one transaction.
   * Resolves false when the lease was lost (nothing written).
   */
  async function abandon(delivery: Delivery, lockToken: string): Promise<boolean> {
    const ctx = options.context();
    const resolver = resolvers[targetKindOf(delivery) as TargetKind] as TargetResolver;
    return retryOnDeadlock(() =>
      db.transaction(async (tx) => {
        if (!(await abandonDelivery(tx, delivery.id, lockToken, ctx.now))) return false;
        await resolver.afterAbandoned(tx, ctx, [delivery]);
        return true;
      }),
    );
  }

  const groups = createGroupCommit<FinishedAttempt, boolean>({ maxGroup: MAX_GROUP, lingerMs: LINGER_MS, onFailure, commit: writeGroup });
  return {
    /** Queues an attempt for the next group write; resolves true when written under its lease. */
    record: (item: FinishedAttempt): Promise<boolean> => groups.add(item),
    abandon,
  };
}

export type Recorder = ReturnType<typeof createRecorder>;
