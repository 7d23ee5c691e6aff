import { isMysql, type DbOrTx } from '../index.js';
import { toAttempt, type Attempt } from './attempts.js';
import { toNumber } from './json.js';
import { appendToGroup } from '../map-groups.js';

/**
 * The forwards of ingested events to their source's destinations (CONTRACT §9.3): one delivery per
 * matching destination, named by `deliveries.destination_index`. An event's status aggregates them.
 */

export type ForwardStatus = 'pending' | 'delivered' | 'failed';

/** One destination's forwards of an event: the latest delivery's outcome and every attempt made. */
export interface EventForward {
  destinationIndex: number;
  status: ForwardStatus;
  attempts: number;
}

/** An attempt of a forward, with the destination it went to. */
export interface ForwardAttempt extends Attempt {
  destinationIndex: number;
}

type ForwardAttemptRow = Parameters<typeof toAttempt>[0] & { destination_index: number | string | null };

interface ForwardRow {
  id: string;
  event_id: string;
  destination_index: number | string;
  status: string;
  attempts: number | string;
}

const forwardStatus = (deliveryStatus: string): ForwardStatus =>
  deliveryStatus === 'succeeded' ? 'delivered' : deliveryStatus === 'failed' ? 'failed' : 'pending';

/** Per destination (by index), oldest delivery first: the latest one decides, attempts add up. */
function aggregate(rows: ForwardRow[]): EventForward[] {
  const byIndex = new Map<number, EventForward>();
  for (const row of [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const index = toNumber(row.destination_index);
    const known = byIndex.get(index);
    byIndex.set(index, {
      destinationIndex: index,
      status: forwardStatus(row.status),
      attempts: (known?.attempts ?? 0) + toNumber(row.attempts),
    });
  }
  return [...byIndex.values()].sort((a, b) => a.destinationIndex - b.destinationIndex);
}

/**
 * The event status its forwards give: `delivered` when every destination's latest forward
 * succeeded, `failed` when any exhausted its retries, `pending` otherwise. Null without forwards.
 */
export function aggregateEventStatus(forwards: EventForward[]): ForwardStatus | null {
  if (forwards.length === 0) return null;
  if (forwards.some((forward) => forward.status === 'failed')) return 'failed';
  return forwards.every((forward) => forward.status === 'delivered') ? 'delivered' : 'pending';
}

/** An event's forwards per destination, by destination index. */
export async function listForwardsOfEvent(db: DbOrTx, eventId: string): Promise<EventForward[]> {
  const rows = await db('deliveries')
    .where({ event_id: eventId })
    .select<ForwardRow[]>('id', 'event_id', 'destination_index', 'status', 'attempts');
  return aggregate(rows);
}

/**
 * Settles the status of events whose forwards just changed (inside the recording transaction): the
 * event rows are locked first, in id order, so two processes finishing two forwards of one event
 * write one after the other and the second sees the first's delivery (READ COMMITTED reads the
 * latest committed rows); otherwise each could see the other's forward still pending and leave
 * the event `pending` for good. Only `pending`, `delivered` and `failed` events change.
 */
export async function settleForwardedEvents(tx: DbOrTx, eventIds: string[]): Promise<void> {
  const ids = [...new Set(eventIds)].sort();
  if (ids.length === 0) return;
  if (isMysql(tx)) await tx('events').whereIn('id', ids).orderBy('id').forUpdate().select('id');
  const rows = await tx('deliveries')
    .whereIn('event_id', ids)
    .select<ForwardRow[]>('id', 'event_id', 'destination_index', 'status', 'attempts');
  const byEvent = new Map<string, ForwardRow[]>();
  for (const row of rows) appendToGroup(byEvent, row.event_id, row);
  for (const id of ids) {
    const status = aggregateEventStatus(aggregate(byEvent.get(id) ?? []));
    if (status === null) continue;
    await tx('events').where({ id }).whereIn('status', ['pending', 'delivered', 'failed']).whereNot({ status }).update({ status });
  }
}

/** An event's forward attempts, newest first, each with its destination index (from its delivery). */
export async function listForwardAttemptsOfEvent(db: DbOrTx, eventId: string, limit: number): Promise<ForwardAttempt[]> {
  const rows = await db('attempts')
    .leftJoin('deliveries', 'deliveries.id', 'attempts.delivery_id')
    .where('attempts.event_id', eventId)
    .orderBy('attempts.id', 'desc')
    .limit(limit)
    .select<ForwardAttemptRow[]>('attempts.*', { destination_index: 'deliveries.destination_index' });
  return rows.map((row) => ({ ...toAttempt(row), destinationIndex: toNumber(row.destination_index ?? 0) }));
}
