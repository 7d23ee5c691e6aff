import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { insertDeliveries } from '../../db/queries/deliveries.js';
import { newId } from '../../db/ids.js';
import { findDedupeOriginal, insertEvent, insertEventFromSource, queueForwardFromSource, type NewEvent } from '../../db/queries/events.js';
import { lockSource, type Source } from '../../db/queries/sources.js';
import { dedupeKey, dedupeWindowMs } from './dedupe.js';
import { ingestWriterFor } from './group-writer.js';
import type { IncomingHeaders } from './verifiers/index.js';

export interface StoredEvent {
  /** The new event's id, or the original's when this request was a duplicate. */
  eventId: string;
  duplicate: boolean;
  /** True when a forward was queued (the dispatcher should wake). */
  queued: boolean;
}

/**
 * Stores a verified request and answers 200 only after commit. Without a dedupe key the event is
 * written by statements that read pause state and destination themselves (storeWithoutDedupe).
 * With one, the source row is locked exclusively in a transaction — so two copies arriving
 * together cannot both become originals — and a repeat within the window is stored as
 * `duplicate` of the first event, whose id it answers, and is never forwarded. Otherwise the event
 * is `held` when paused, `pending` otherwise, with a forward due now when there is a destination.
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
  const code = (error as { code?: string })?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

async function storeOnce(deps: AppDeps, seen: Source, event: NewEvent, raw: Buffer, now: number): Promise<StoredEvent> {
  const headers = event.headers as IncomingHeaders;
  if (!seen.dedupe || dedupeKey(seen.dedupe, raw, headers) === null) return storeWithoutDedupe(deps, seen, event, now);
  const sourceId = seen.id;
  return deps.db.transaction(async (tx) => {
    const source = await lockSource(tx, sourceId);
    if (!source) throw new AppError('source_not_found', 'No source has this ingest URL.');
    // the settings as of this transaction (the token lookup may be up to 1 s old)
    const key = source.dedupe ? dedupeKey(source.dedupe, raw, headers) : null;
    if (source.dedupe && key !== null) {
      const original = await findDedupeOriginal(tx, sourceId, key, now - dedupeWindowMs(source.dedupe));
      if (original) {
        await insertEvent(tx, { ...event, status: 'duplicate', duplicateOf: original }, now);
        return { eventId: original, duplicate: true, queued: false };
      }
    }
    const forward = !source.paused && source.destination !== null;
    const eventId = await insertEvent(tx, { ...event, status: source.paused ? 'held' : 'pending', dedupeKey: key }, now);
    if (forward) {
      const maxAttempts = deps.config.retryScheduleMs.length + 1;
      await insertDeliveries(tx, [{ workspaceId: source.workspaceId, eventId, sourceId, trigger: 'scheduled', maxAttempts, dueAt: now }], now);
    }
    return { eventId, duplicate: false, queued: forward };
  });
}

/**
 * The common case, without dedupe: pause state and destination are read by the inserting
 * statements themselves, so a store-only source costs one statement and a forwarding one two,
 * in the group transaction shared with the events that arrived together. `seen` (the token
 * lookup, at most 1 s old) only decides whether a forward is worth trying: a destination added
 * within the last second may miss a few events, which stay `pending` and can be replayed.
 */
async function storeWithoutDedupe(deps: AppDeps, seen: Source, event: NewEvent, now: number): Promise<StoredEvent> {
  const eventId = newId('evt', now);
  const gone = () => new AppError('source_not_found', 'No source has this ingest URL.');
  // events arriving together share one transaction (group commit; see group-writer.ts)
  const writer = ingestWriterFor(deps.db);
  if (!seen.destination) {
    if (!(await writer.run((tx) => insertEventFromSource(tx, eventId, event, now)))) throw gone();
    return { eventId, duplicate: false, queued: false };
  }
  const maxAttempts = deps.config.retryScheduleMs.length + 1;
  const stored = await writer.run(async (tx) => {
    if (!(await insertEventFromSource(tx, eventId, event, now))) return null;
    return { eventId, duplicate: false, queued: await queueForwardFromSource(tx, newId('dlv', now), eventId, seen.id, maxAttempts, now) };
  });
  if (!stored) throw gone();
  return stored;
}
