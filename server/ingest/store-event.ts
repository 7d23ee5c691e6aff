import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { insertDeliveries } from '../../db/queries/deliveries.js';
import { findDedupeOriginal, insertEvent, type NewEvent } from '../../db/queries/events.js';
import { lockSource, type Source } from '../../db/queries/sources.js';
import { dedupeKey, dedupeWindowMs } from './dedupe.js';
import type { IncomingHeaders } from './verifiers/index.js';

export interface StoredEvent {
  /** The new event's id, or the original's when this request was a duplicate. */
  eventId: string;
  duplicate: boolean;
  /** True when a forward was queued (the dispatcher should wake). */
  queued: boolean;
}

/**
 * Stores a verified request in one transaction: re-reads the source under a row lock (so pause,
 * resume, destination and dedupe are seen as of commit), answers duplicates with the first
 * event's id (stored as `duplicate`, never forwarded), and otherwise inserts the event — `held`
 * when paused, `pending` otherwise — with a forward due now when the source has a destination.
 */
export async function storeAcceptedEvent(deps: AppDeps, seen: Source, event: NewEvent, raw: Buffer, now: number): Promise<StoredEvent> {
  const sourceId = seen.id;
  return deps.db.transaction(async (tx) => {
    // a dedupe source is locked exclusively so two copies arriving together cannot both become
    // originals (decided up front: upgrading a shared lock would deadlock two such requests)
    const source = await lockSource(tx, sourceId, seen.dedupe ? 'update' : 'share');
    if (!source) throw new AppError('source_not_found', 'No source has this ingest URL.');
    let key: string | null = null;
    if (source.dedupe) {
      key = dedupeKey(source.dedupe, raw, event.headers as IncomingHeaders);
      if (key !== null) {
        const original = await findDedupeOriginal(tx, sourceId, key, now - dedupeWindowMs(source.dedupe));
        if (original) {
          await insertEvent(tx, { ...event, status: 'duplicate', duplicateOf: original }, now);
          return { eventId: original, duplicate: true, queued: false };
        }
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
