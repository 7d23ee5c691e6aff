import { insertDeliveries, type NewDelivery } from '../../db/queries/deliveries.js';
import { listHeldEvents, setEventsStatus } from '../../db/queries/events.js';
import type { DbOrTx } from '../../db/index.js';
import type { Source } from '../../db/queries/sources.js';
import type { AppDeps } from '../deps.js';
import { anyFilter, matchingDestinations } from './destinations.js';

/** Held events released per batch: with filters their bodies (up to 5 MiB each) are read too. */
const BATCH = 500;
const BATCH_WITH_BODIES = 50;

/**
 * Releases the held events of a resumed source, oldest first, in batches (call it in the resume
 * transaction, after the source row was updated): each gets one scheduled forward due now per
 * matching destination and becomes `pending`, or `filtered` when the source has destinations and
 * none matches; a store-only source's events just become `pending`. Returns how many events were
 * released and how many forwards were queued.
 */
export async function releaseHeldEvents(
  deps: Pick<AppDeps, 'config' | 'sourceCache'>,
  tx: DbOrTx,
  source: Source,
  now: number,
): Promise<{ released: number; forwards: number }> {
  const withBody = anyFilter(source.destinations);
  const maxAttempts = deps.config.retryScheduleMs.length + 1;
  let released = 0;
  let forwards = 0;
  for (;;) {
    const held = await listHeldEvents(tx, source.id, withBody ? BATCH_WITH_BODIES : BATCH, withBody);
    if (held.length === 0) return { released, forwards };
    const deliveries: NewDelivery[] = [];
    const pending: string[] = [];
    const filtered: string[] = [];
    for (const event of held) {
      const targets = matchingDestinations(source.destinations, event, deps.sourceCache.filterMatcher);
      if (source.destinations.length > 0 && targets.length === 0) filtered.push(event.id);
      else pending.push(event.id);
      for (const destinationIndex of targets) {
        deliveries.push({
          workspaceId: source.workspaceId,
          eventId: event.id,
          sourceId: source.id,
          destinationIndex,
          trigger: 'scheduled',
          maxAttempts,
          dueAt: now,
        });
      }
    }
    await insertDeliveries(tx, deliveries, now);
    await setEventsStatus(tx, pending, 'pending');
    await setEventsStatus(tx, filtered, 'filtered');
    released += held.length;
    forwards += deliveries.length;
  }
}
