import type { Knex } from 'knex';
import type { DbOrTx } from '../index.js';
import { isMysql } from '../index.js';
import { newId } from '../ids.js';
import { findFifoEndpoints, settleLanes } from './fifo-lanes.js';
import { toNumber, toNumberOrNull } from './json.js';
import { insertRows } from './multi-row-insert.js';

export type DeliveryTrigger = 'scheduled' | 'replay' | 'recover';
/** `held`: waiting for its disabled endpoint to be re-enabled (CONTRACT §8.2); never claimed. */
export type DeliveryStatus = 'pending' | 'held' | 'succeeded' | 'failed';

/**
 * A work row the dispatcher claims. Outbound rows carry messageId/endpointId, ingest forwards
 * carry eventId/sourceId. `dueAt` is when it may be claimed (the next attempt, or the lease
 * expiry while claimed); `lockedBy` is the lease holder's token.
 */
export interface Delivery {
  id: string;
  workspaceId: string;
  messageId: string | null;
  endpointId: string | null;
  eventId: string | null;
  sourceId: string | null;
  /** Which of the source's destinations a forward goes to (0 for outbound rows). */
  destinationIndex: number;
  trigger: DeliveryTrigger;
  status: DeliveryStatus;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: number | null;
  dueAt: number | null;
  lockedBy: string | null;
  createdAt: number;
  updatedAt: number;
}

interface DeliveryRow {
  id: string;
  workspace_id: string;
  message_id: string | null;
  endpoint_id: string | null;
  event_id: string | null;
  source_id: string | null;
  destination_index: number | string;
  trigger: string;
  status: string;
  attempts: number | string;
  max_attempts: number | string;
  next_attempt_at: number | string | null;
  due_at: number | string | null;
  locked_by: string | null;
  created_at: number | string;
  updated_at: number | string;
}

const toDelivery = (row: DeliveryRow): Delivery => ({
  id: row.id,
  workspaceId: row.workspace_id,
  messageId: row.message_id,
  endpointId: row.endpoint_id,
  eventId: row.event_id,
  sourceId: row.source_id,
  destinationIndex: toNumber(row.destination_index ?? 0),
  trigger: row.trigger as DeliveryTrigger,
  status: row.status as DeliveryStatus,
  attempts: toNumber(row.attempts),
  maxAttempts: toNumber(row.max_attempts),
  nextAttemptAt: toNumberOrNull(row.next_attempt_at),
  dueAt: toNumberOrNull(row.due_at),
  lockedBy: row.locked_by,
  createdAt: toNumber(row.created_at),
  updatedAt: toNumber(row.updated_at),
});

export interface NewDelivery {
  workspaceId: string;
  messageId?: string | null;
  endpointId?: string | null;
  eventId?: string | null;
  sourceId?: string | null;
  /** Forwards: the index in the source's `destinations`. */
  destinationIndex?: number;
  trigger: DeliveryTrigger;
  maxAttempts: number;
  /** When the first attempt is due (usually now). */
  dueAt: number;
  /** Stored `held` (its endpoint is disabled): not due until released. */
  held?: boolean;
  /**
   * Whether the endpoint is fifo, when the caller read it already (fan-out does): saves a query.
   * Left out, insertDeliveries reads the endpoints' ordering itself.
   */
  fifo?: boolean;
}

const DELIVERY_COLUMNS = [
  'id',
  'workspace_id',
  'message_id',
  'endpoint_id',
  'event_id',
  'source_id',
  'destination_index',
  'trigger',
  'status',
  'attempts',
  'max_attempts',
  'next_attempt_at',
  'due_at',
  'locked_by',
  'created_at',
  'updated_at',
] as const;

/**
 * Inserts pending deliveries, due at once (held ones not due at all), in prepared multi-row
 * statements: fan-out writes one row per matching endpoint, the accept path's cost per row.
 */
export async function insertDeliveries(db: DbOrTx, deliveries: NewDelivery[], now: number): Promise<Delivery[]> {
  // rows to a fifo endpoint wait in its lane (no due_at) until settleLanes makes the lane's head due
  const outbound = deliveries.filter((d) => d.endpointId && !d.held);
  const unknown = outbound.filter((d) => d.fifo === undefined).map((d) => d.endpointId as string);
  const fifo = unknown.length > 0 ? await findFifoEndpoints(db, unknown) : new Set<string>();
  for (const d of outbound) if (d.fifo) fifo.add(d.endpointId as string);
  const stored: Delivery[] = deliveries.map((d) => ({
    id: newId('dlv', now),
    workspaceId: d.workspaceId,
    messageId: d.messageId ?? null,
    endpointId: d.endpointId ?? null,
    eventId: d.eventId ?? null,
    sourceId: d.sourceId ?? null,
    destinationIndex: d.destinationIndex ?? 0,
    trigger: d.trigger,
    status: d.held ? 'held' : 'pending',
    attempts: 0,
    maxAttempts: d.maxAttempts,
    nextAttemptAt: d.held ? null : d.dueAt,
    dueAt: d.held || (d.endpointId !== null && d.endpointId !== undefined && fifo.has(d.endpointId)) ? null : d.dueAt,
    lockedBy: null,
    createdAt: now,
    updatedAt: now,
  }));
  const rows = stored.map((d) => [
    d.id,
    d.workspaceId,
    d.messageId,
    d.endpointId,
    d.eventId,
    d.sourceId,
    d.destinationIndex,
    d.trigger,
    d.status,
    0,
    d.maxAttempts,
    d.nextAttemptAt,
    d.dueAt,
    null,
    now,
    now,
  ]);
  await insertRows(db, 'deliveries', DELIVERY_COLUMNS, rows);
  if (fifo.size > 0) await settleLanes(db, [...fifo], now);
  return stored;
}

/**
 * Claims up to `limit` due deliveries for `lockToken` until `now + leaseMs`. On MySQL the rows
 * are picked with FOR UPDATE SKIP LOCKED inside one transaction, so concurrent processes never
 * claim the same row; on SQLite the database has a single writer and the transaction suffices.
 * A lease that expired (its holder died) is simply due again and is claimed like any other row.
 */
export async function claimDueDeliveries(
  db: DbOrTx,
  options: { now: number; limit: number; leaseMs: number; lockToken: string },
): Promise<Delivery[]> {
  const { now, limit, leaseMs, lockToken } = options;
  const inTransaction = 'isTransaction' in db && db.isTransaction;
  if (!isMysql(db) && !inTransaction) {
    // SQLite has one writer: one statement picks and leases the rows (no BEGIN/SELECT/UPDATE/
    // COMMIT round of four through knex, the dispatcher's most frequent write)
    const rows = await db.raw<DeliveryRow[]>(
      'update `deliveries` set `due_at` = ?, `locked_by` = ? ' +
        'where `id` in (select `id` from `deliveries` where `due_at` <= ? order by `due_at` asc limit ?) returning *',
      [now + leaseMs, lockToken, now, limit],
    );
    // oldest first, as the range scan found them (RETURNING keeps no order)
    return rows.map(toDelivery).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  const claim = async (tx: DbOrTx) => {
    const select = tx('deliveries').where('due_at', '<=', now).orderBy('due_at', 'asc').limit(limit);
    if (isMysql(tx)) select.forUpdate().skipLocked();
    const rows = (await select) as DeliveryRow[];
    if (rows.length === 0) return [];
    const leaseUntil = now + leaseMs;
    await tx('deliveries')
      .whereIn(
        'id',
        rows.map((row) => row.id),
      )
      .update({ due_at: leaseUntil, locked_by: lockToken });
    return rows.map((row) => ({ ...toDelivery(row), dueAt: leaseUntil, lockedBy: lockToken }));
  };
  return inTransaction ? claim(db) : (db as Knex).transaction(claim);
}

/**
 * Gives a claimed row back without counting an attempt: due again at `dueAt` (now, or when a
 * rate-limit slot frees). Guarded by the lease token like every write of a claimed row.
 */
export async function releaseDelivery(db: DbOrTx, id: string, lockToken: string, dueAt: number, now: number): Promise<boolean> {
  const changed = await db('deliveries')
    .where({ id, locked_by: lockToken })
    .update({ due_at: dueAt, next_attempt_at: dueAt, locked_by: null, updated_at: now });
  return changed > 0;
}

/**
 * Lengthens the leases of claimed rows still leased to `lockToken` to at least `until`, never
 * shortening one: an endpoint whose own `timeout` is longer than the one the claim's lease was
 * sized for, and the dispatcher's lease keeper renewing the rows in flight. Returns the rows matched.
 */
export async function extendLeases(db: DbOrTx, ids: string[], lockToken: string, until: number): Promise<number> {
  let changed = 0;
  for (let i = 0; i < ids.length; i += 500) {
    changed += await db('deliveries')
      .whereIn('id', ids.slice(i, i + 500))
      .andWhere({ locked_by: lockToken })
      .update({ due_at: db.raw('case when `due_at` < ? then ? else `due_at` end', [until, until]) });
  }
  return changed;
}

/** Of `ids`, the rows now leased to a token other than `lockToken` (another process claimed them). */
export async function leasedToOthers(db: DbOrTx, ids: string[], lockToken: string): Promise<string[]> {
  const taken: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db('deliveries')
      .whereIn('id', ids.slice(i, i + 500))
      .whereNotNull('locked_by')
      .andWhereNot({ locked_by: lockToken })
      .select<{ id: string }[]>('id');
    taken.push(...rows.map((row) => row.id));
  }
  return taken;
}

/** Releases every lease whose token starts with `tokenPrefix` (a process shutting down): due now. */
export async function releaseLeases(db: DbOrTx, tokenPrefix: string, now: number): Promise<number> {
  return db('deliveries').where('locked_by', 'like', `${tokenPrefix}%`).update({ due_at: now, locked_by: null, updated_at: now });
}

/** Finishes a delivery that cannot be attempted (its target or payload is gone) as failed, with no attempt. */
export async function abandonDelivery(db: DbOrTx, id: string, lockToken: string, now: number): Promise<boolean> {
  const changed = await db('deliveries')
    .where({ id, locked_by: lockToken })
    .update({ status: 'failed', next_attempt_at: null, due_at: null, locked_by: null, updated_at: now });
  return changed > 0;
}

export async function listDeliveriesOfMessage(db: DbOrTx, messageId: string): Promise<Delivery[]> {
  const rows = (await db('deliveries').where({ message_id: messageId }).orderBy('id', 'asc')) as DeliveryRow[];
  return rows.map(toDelivery);
}
