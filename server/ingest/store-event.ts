import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { isDeadlock, isLockWaitTimeout } from '../../db/errors.js';
import type { Knex } from 'knex';
import { insertDeliveries } from '../../db/queries/deliveries.js';
import { findDedupeOriginal, insertEvent, type NewEvent } from '../../db/queries/events.js';
import { lockSource, readSourceShared, type Source } from '../../db/queries/sources.js';
import { dedupeKey, dedupeWindowMs } from './dedupe.js';
import { matchingDestinations } from './destinations.js';
import type { IncomingHeaders } from './verifiers/index.js';

export interface StoredEvent {
  /** The new event's id, or the original's when this request was a duplicate. */
  eventId: string;
  duplicate: boolean;
  /** True when a forward was queued (the dispatcher should wake). */
  queued: boolean;
}

/**
 * Stores a verified request and answers 200 only after commit. Whether the event is `held` or
 * `pending`, whether it gets a forward and whether it is deduplicated are decided by the source row
 * as of the storing transaction, never by `seen` (the token lookup, cached for up to 1 s and
 * possibly from before a change made by another process): a configuration change must not strand
 * an event as `pending` without a forward, nor forward one it should hold.
 *
 * Sources without dedupe take the group-committed fast path (storeWithoutDedupe). A deduplicating
 * source's row is locked exclusively in a transaction — so two copies arriving together cannot both
 * become originals — and a repeat within the window is stored as `duplicate` of the first event,
 * whose id it answers, and is never forwarded.
 */
export async function storeAcceptedEvent(deps: AppDeps, seen: Source, event: NewEvent, raw: Buffer, now: number): Promise<StoredEvent> {
  // InnoDB may pick this transaction as a deadlock victim (the dispatcher's recorder locks the
  // same source row to update its failure streak); nothing was committed, so try again
  for (let attempt = 1; ; attempt++) {
    try {
      return await storeOnce(deps, seen, event, raw, now);
    } catch (error) {
      if (attempt >= 3 || !isLockConflict(error)) throw error;
    }
  }
}

function isLockConflict(error: unknown): boolean {
  return isDeadlock(error) || isLockWaitTimeout(error);
}

async function storeOnce(deps: AppDeps, seen: Source, event: NewEvent, raw: Buffer, now: number): Promise<StoredEvent> {
  if (!seen.dedupe) {
    const stored = await storeWithoutDedupe(deps, event, now);
    if (stored) return stored;
    // the row has dedupe set since the lookup, or is gone: the locked path decides (404 when gone)
  }
  return storeLocked(deps, event, raw, now);
}

function sourceGone(): AppError {
  return new AppError('source_not_found', 'No source has this ingest URL.');
}

/** The dedupe path: the source row locked exclusively, every setting read from it. */
async function storeLocked(deps: AppDeps, event: NewEvent, raw: Buffer, now: number): Promise<StoredEvent> {
  const sourceId = event.sourceId;
  const headers = event.headers as IncomingHeaders;
  return deps.db.transaction(async (tx) => {
    const source = await lockSource(tx, sourceId);
    if (!source) throw sourceGone();
    const key = source.dedupe ? dedupeKey(source.dedupe, raw, headers) : null;
    if (source.dedupe && key !== null) {
      const original = await findDedupeOriginal(tx, sourceId, key, now - dedupeWindowMs(source.dedupe));
      if (original) {
        await insertEvent(tx, { ...event, status: 'duplicate', duplicateOf: original }, now);
        return { eventId: original, duplicate: true, queued: false };
      }
    }
    return storeWithForwards(deps, tx, source, { ...event, dedupeKey: key }, now);
  });
}

/**
 * Stores the event as the source row (read in this transaction) says, with one forward per
 * matching destination (CONTRACT §9.3): `held` when paused (forwards come at resume), `filtered`
 * when it has destinations and no filter matched, `pending` otherwise (store-only sources too).
 */
async function storeWithForwards(deps: AppDeps, tx: Knex.Transaction, source: Source, event: NewEvent, now: number): Promise<StoredEvent> {
  const targets = source.paused ? [] : matchingDestinations(source.destinations, event, deps.sourceCache.filterMatcher);
  const status = source.paused ? 'held' : source.destinations.length > 0 && targets.length === 0 ? 'filtered' : 'pending';
  const eventId = await insertEvent(tx, { ...event, status }, now);
  if (targets.length > 0) {
    const maxAttempts = deps.config.retryScheduleMs.length + 1;
    await insertDeliveries(
      tx,
      targets.map((destinationIndex) => ({
        workspaceId: source.workspaceId,
        eventId,
        sourceId: source.id,
        destinationIndex,
        trigger: 'scheduled' as const,
        maxAttempts,
        dueAt: now,
      })),
      now,
    );
  }
  return { eventId, duplicate: false, queued: targets.length > 0 };
}

/**
 * The common case, without dedupe, in the group transaction shared with the events that arrived
 * together (group-writer.ts): the source row is read there under a shared lock, and the event and
 * its forwards follow from it, whatever the cached lookup said about destinations, so a
 * destination added a moment ago (by any process) gets this event, and one removed gets none.
 * Returns null, storing nothing, when the row is gone or now deduplicates.
 */
async function storeWithoutDedupe(deps: AppDeps, event: NewEvent, now: number): Promise<StoredEvent | null> {
  return deps.ingestWriter.run(async (tx) => {
    const source = await readSourceShared(tx, event.sourceId);
    if (!source || source.dedupe) return null;
    return storeWithForwards(deps, tx, source, event, now);
  });
}
