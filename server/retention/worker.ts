import {
  clearAttemptResponses,
  deleteExpiredPortalSessions,
  deleteIdempotencyKeys,
  deleteSendStamps,
  expireEventBodies,
  expireMessagePayloads,
} from '../../db/queries/retention.js';
import { discardExpiredHeldDeliveries, releaseStrandedHeldDeliveries } from '../../db/queries/held-deliveries.js';
import { deleteMessageRateWindows } from '../../db/queries/message-rate.js';
import { deleteOldEvents, deleteOldMessages, type DeletedRows } from '../../db/queries/retention-delete.js';
import type { AppDeps } from '../deps.js';
import type { Workers } from '../workers.js';

/** Idempotency keys dedupe for 24 h (CONTRACT §4); older ones are only dead weight. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
/** No per-endpoint rate-limit window looks back further than a second; a minute is ample. */
export const SEND_STAMP_TTL_MS = 60 * 1000;

export interface RetentionOptions {
  /** Pause between passes (default one minute). */
  intervalMs?: number;
  /** Rows per statement (default 500): small enough that each one holds its locks only briefly. */
  batchSize?: number;
}

/** What one pass purged, per kind of row. */
export interface RetentionReport {
  /** Held deliveries older than `config.retentionMs`, discarded (CONTRACT §8.2). */
  heldDiscarded: number;
  /** Held deliveries of endpoints that are enabled (a fan-out that raced a re-enable), made pending. */
  heldReleased: number;
  messagePayloads: number;
  eventBodies: number;
  attemptResponses: number;
  idempotencyKeys: number;
  sendStamps: number;
  portalSessions: number;
  /** Per-second `messages_per_second` counters older than a minute. */
  messageRateWindows: number;
  /** Rows deleted past `config.retentionDeleteAfterMs` (the second horizon). */
  messagesDeleted: number;
  eventsDeleted: number;
  deliveriesDeleted: number;
  attemptsDeleted: number;
}

/** Remembers how far the attempt scan got, so each pass reads only attempts it has not cleared. */
export interface RetentionCursor {
  attemptsSince: number;
}

/**
 * One retention pass: payloads, ingest bodies and attempt response bodies older than
 * `config.retentionMs` are dropped (their rows stay, flagged expired); stale idempotency keys
 * rate-limit stamps and expired portal sessions are deleted; messages and events older than
 * `config.retentionDeleteAfterMs` are deleted with their deliveries and attempts, except those
 * with a delivery still pending or held. Works in batches until a batch comes back short, and
 * stops between batches once `shouldStop()` is true.
 */
export async function runRetentionPass(
  deps: Pick<AppDeps, 'db' | 'config' | 'clock'>,
  options: { batchSize?: number; cursor?: RetentionCursor; shouldStop?: () => boolean } = {},
): Promise<RetentionReport> {
  const { db, config, clock } = deps;
  const limit = options.batchSize ?? 500;
  const cursor = options.cursor ?? { attemptsSince: 0 };
  const stop = options.shouldStop ?? (() => false);
  const now = clock.now();
  const before = now - config.retentionMs;
  const deleteBefore = now - config.retentionDeleteAfterMs;
  const report: RetentionReport = {
    heldDiscarded: 0,
    heldReleased: 0,
    messagePayloads: 0,
    eventBodies: 0,
    attemptResponses: 0,
    idempotencyKeys: 0,
    sendStamps: 0,
    portalSessions: 0,
    messageRateWindows: 0,
    messagesDeleted: 0,
    eventsDeleted: 0,
    deliveriesDeleted: 0,
    attemptsDeleted: 0,
  };

  const drain = async (key: keyof RetentionReport | null, batch: () => Promise<number>) => {
    while (!stop()) {
      const changed = await batch();
      if (key) report[key] += changed;
      if (changed < limit) return;
      // let requests and the dispatcher in between batches
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  // held deliveries first: one discarded here no longer keeps its message's payload
  await drain('heldDiscarded', () => discardExpiredHeldDeliveries(db, before, now, limit));
  await drain('heldReleased', () => releaseStrandedHeldDeliveries(db, now, limit));
  await drain('messagePayloads', () => expireMessagePayloads(db, before, limit));
  await drain('eventBodies', () => expireEventBodies(db, before, limit));
  await drain('attemptResponses', async () => {
    const { count, lastCreatedAt } = await clearAttemptResponses(db, cursor.attemptsSince, before, limit);
    // a short batch means everything before the cutoff is clear; a full one resumes at its last row
    cursor.attemptsSince = count < limit ? before : (lastCreatedAt as number);
    return count;
  });
  await drain('idempotencyKeys', () => deleteIdempotencyKeys(db, now - IDEMPOTENCY_KEY_TTL_MS, limit));
  await drain('sendStamps', () => deleteSendStamps(db, now - SEND_STAMP_TTL_MS, limit));
  await drain('portalSessions', () => deleteExpiredPortalSessions(db, now, limit));
  await drain('messageRateWindows', () => deleteMessageRateWindows(db, Math.floor((now - SEND_STAMP_TTL_MS) / 1000), limit));
  // rows past the second horizon go, children first; the count that drives the loop is how many
  // messages/events a batch picked
  const deleteRows = (parent: 'messagesDeleted' | 'eventsDeleted', batch: () => Promise<DeletedRows>) =>
    drain(null, async () => {
      const deleted = await batch();
      report[parent] += deleted.parents;
      report.deliveriesDeleted += deleted.deliveries;
      report.attemptsDeleted += deleted.attempts;
      return deleted.selected;
    });
  await deleteRows('messagesDeleted', () => deleteOldMessages(db, deleteBefore, limit));
  await deleteRows('eventsDeleted', () => deleteOldEvents(db, deleteBefore, limit));
  return report;
}

/**
 * Runs a retention pass at start and then every `intervalMs`. Several processes may run it
 * against one database: the purges are idempotent, so at worst two do the same batch.
 */
export function startRetentionWorker(deps: AppDeps, options: RetentionOptions = {}): Workers {
  const intervalMs = options.intervalMs ?? 60_000;
  const cursor: RetentionCursor = { attemptsSince: 0 };
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  const tick = () => {
    timer = null;
    running = runRetentionPass(deps, { batchSize: options.batchSize, cursor, shouldStop: () => stopped })
      .then((report) => {
        // every field is a count (checked here); an interface has no index signature, so Object.values would say any[]
        const counts: Record<keyof RetentionReport, number> = report;
        const purged = Object.values(counts).reduce((sum, n) => sum + n, 0);
        if (purged > 0) deps.logger.info({ retention: report }, 'retention purged expired data');
      })
      .catch((error: unknown) => {
        // a failed pass (database briefly away) is retried on the next tick, never fatal
        deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'retention pass failed');
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
