import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Db } from '../../db/index.js';
import { insertAttempts, type NewAttempt } from '../../db/queries/attempts.js';
import { finishDeliveries, workTransaction, type Delivery, type DeliveryOutcome } from '../../db/queries/deliveries.js';
import { coerceError } from '../errors.js';
import type { HttpOutcome } from './http-client.js';
import type { RecordedAttempt, ResolvedTarget, ResolverContext, TargetHealth, TargetKind, TargetResolver } from './targets.js';

/** One finished HTTP attempt waiting to be written. */
export interface FinishedAttempt {
  delivery: Delivery;
  target: ResolvedTarget;
  outcome: HttpOutcome;
  /** The delivery's state after this attempt (status, attempts, next attempt time). */
  next: DeliveryOutcome;
  at: number;
}

function isRetryable(thrown: unknown): boolean {
  const code = (thrown as { code?: string })?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY';
}

/** How long the first finished attempt waits for others to share its transaction. */
const LINGER_MS = 3;

/** Attempts written per transaction. */
const MAX_GROUP = 200;

/**
 * Group commit for attempts: attempts that finish while a write is in progress are written
 * together in the next transaction — the attempt rows, the guarded delivery updates (only rows
 * still leased to their token) and the targets' health — so throughput does not cost a
 * transaction per attempt. `record` resolves true once written, false when the lease was lost.
 */
export function createRecorder(options: {
  db: Db;
  logger: Logger;
  signals: EventEmitter;
  resolvers: Partial<Record<TargetKind, TargetResolver>>;
  context: () => ResolverContext;
}) {
  const { db, logger, signals, resolvers } = options;
  let queue: { item: FinishedAttempt; resolve(written: boolean): void; reject(error: Error): void }[] = [];
  let writing = false;
  let scheduled = false;

  async function writeGroup(group: typeof queue): Promise<void> {
    const ctx = options.context();
    const healthByTarget = new Map<string, TargetHealth>();
    let held = new Set<string>();
    await db.transaction(async (tx) => {
      held = await finishDeliveries(tx, group.map(({ item }) => item.next), ctx.now);
      const mine = group.map(({ item }) => item).filter((item) => held.has(item.delivery.id));
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
        const list = byKind.get(item.target.kind) ?? [];
        list.push({ delivery: item.delivery, target: item.target, succeeded: item.outcome.ok, deliveryStatus: item.next.status, at: item.at });
        byKind.set(item.target.kind, list);
      }
      for (const [kind, list] of byKind) {
        const health = await (resolvers[kind] as TargetResolver).afterAttempts(tx, ctx, list);
        for (const [id, h] of health) healthByTarget.set(id, h);
      }
    }, workTransaction(db));
    for (const { item, resolve } of group) {
      const written = held.has(item.delivery.id);
      if (written) emitAttempt(item, healthByTarget.get(item.target.targetId));
      resolve(written);
    }
    for (const [targetId, health] of healthByTarget) {
      const sample = group.find(({ item }) => item.target.targetId === targetId)?.item;
      if (health.disabledNow && sample?.target.kind === 'endpoint') {
        logger.warn({ endpointId: targetId }, 'endpoint disabled after failing continuously');
        signals.emit('endpoint_disabled', { endpointId: targetId, workspaceId: sample.target.workspaceId });
      }
    }
  }

  function emitAttempt(item: FinishedAttempt, health: TargetHealth | undefined): void {
    try {
      signals.emit('attempt', {
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
    } catch (thrown) {
      // a listener's bug must not undo or block the delivery loop
      logger.error({ err: coerceError(thrown) }, 'attempt listener failed');
    }
  }

  async function drain(): Promise<void> {
    if (writing) return;
    writing = true;
    try {
      while (queue.length > 0) {
        const group = queue.slice(0, MAX_GROUP);
        queue = queue.slice(group.length);
        try {
          await writeGroup(group).catch(async (thrown) => {
            // a deadlock or lock timeout rolls the whole group back: it is safe to write it again once
            if (!isRetryable(thrown)) throw thrown;
            await writeGroup(group);
          });
        } catch (thrown) {
          for (const entry of group) entry.reject(coerceError(thrown));
        }
      }
    } finally {
      writing = false;
    }
  }

  return {
    /** Queues an attempt for the next group write; resolves true when written under its lease. */
    record(item: FinishedAttempt): Promise<boolean> {
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        // linger a moment so attempts finishing together share one transaction
        if (!writing && !scheduled) {
          scheduled = true;
          setTimeout(() => {
            scheduled = false;
            void drain();
          }, LINGER_MS);
        }
      });
    },
  };
}

export type Recorder = ReturnType<typeof createRecorder>;
