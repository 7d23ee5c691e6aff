import type { Knex } from 'knex';
import type { DbOrTx } from '../index.js';
import { isMysql } from '../index.js';
import { newId } from '../ids.js';
import { toNumber, toNumberOrNull } from './json.js';

/**
 * Transaction options for anything touching deliveries on MySQL: READ COMMITTED, so the claim's
 * `FOR UPDATE` range scan over due_at takes no gap locks that would block (or deadlock with)
 * concurrent inserts of new due rows. SQLite has one writer and takes no options.
 */
export function workTransaction(db: DbOrTx): Knex.TransactionConfig | undefined {
  return isMysql(db) ? { isolationLevel: 'read committed' } : undefined;
}

export type DeliveryTrigger = 'scheduled' | 'replay' | 'recover';
export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

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
  trigger: DeliveryTrigger;
  maxAttempts: number;
  /** When the first attempt is due (usually now). */
  dueAt: number;
}

/** Rows per INSERT statement: keeps statements well under MySQL's packet and SQLite's variable limits. */
const INSERT_CHUNK = 100;

/** Inserts pending deliveries, due at once. Every row has every column (MySQL multi-row inserts need that). */
export async function insertDeliveries(db: DbOrTx, deliveries: NewDelivery[], now: number): Promise<Delivery[]> {
  const rows: DeliveryRow[] = deliveries.map((d) => ({
    id: newId('dlv', now),
    workspace_id: d.workspaceId,
    message_id: d.messageId ?? null,
    endpoint_id: d.endpointId ?? null,
    event_id: d.eventId ?? null,
    source_id: d.sourceId ?? null,
    trigger: d.trigger,
    status: 'pending',
    attempts: 0,
    max_attempts: d.maxAttempts,
    next_attempt_at: d.dueAt,
    due_at: d.dueAt,
    locked_by: null,
    created_at: now,
    updated_at: now,
  }));
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await db('deliveries').insert(rows.slice(i, i + INSERT_CHUNK));
  return rows.map(toDelivery);
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
  const claim = async (tx: DbOrTx) => {
    const select = tx('deliveries').where('due_at', '<=', now).orderBy('due_at', 'asc').limit(limit);
    if (isMysql(tx)) select.forUpdate().skipLocked();
    const rows = (await select) as DeliveryRow[];
    if (rows.length === 0) return [];
    const leaseUntil = now + leaseMs;
    await tx('deliveries').whereIn('id', rows.map((row) => row.id)).update({ due_at: leaseUntil, locked_by: lockToken });
    return rows.map((row) => ({ ...toDelivery(row), dueAt: leaseUntil, lockedBy: lockToken }));
  };
  return 'isTransaction' in db && db.isTransaction ? claim(db) : (db as Knex).transaction(claim, workTransaction(db));
}

/** The new state of a delivery after one attempt. */
export interface DeliveryOutcome {
  id: string;
  lockToken: string;
  status: DeliveryStatus;
  attempts: number;
  /** The next attempt's time while still pending; null once finished. */
  nextAttemptAt: number | null;
}

/**
 * Writes outcomes of attempts, but only for rows still leased to the given tokens: a worker whose
 * lease expired (and whose row another worker re-claimed) must not overwrite the newer state.
 * Returns the ids that were written; call inside the transaction that inserts the attempts.
 */
export async function finishDeliveries(db: DbOrTx, outcomes: DeliveryOutcome[], now: number): Promise<Set<string>> {
  if (outcomes.length === 0) return new Set();
  const pairs = outcomes.map((o) => [o.id, o.lockToken]) as unknown as readonly string[][];
  const select = db('deliveries').select('id').whereIn(['id', 'locked_by'], pairs);
  if (isMysql(db)) select.forUpdate();
  const held = new Set(((await select) as { id: string }[]).map((row) => row.id));
  const mine = outcomes.filter((o) => held.has(o.id));
  if (mine.length === 0) return held;
  // finished rows share their new values: one UPDATE per status, whatever the group size
  // (attempts is +1 for every row: the lease guarantees the row still has the claimed count)
  for (const status of ['succeeded', 'failed'] as const) {
    const ids = mine.filter((o) => o.status === status).map((o) => o.id);
    for (let i = 0; i < ids.length; i += 500) {
      await db('deliveries').whereIn('id', ids.slice(i, i + 500)).update({
        status, attempts: db.raw('attempts + 1'), next_attempt_at: null, due_at: null, locked_by: null, updated_at: now,
      });
    }
  }
  // retries each have their own next attempt time
  for (const o of mine.filter((x) => x.status === 'pending')) {
    await db('deliveries').where({ id: o.id }).update({
      status: o.status, attempts: o.attempts, next_attempt_at: o.nextAttemptAt, due_at: o.nextAttemptAt, locked_by: null, updated_at: now,
    });
  }
  return held;
}

/**
 * Gives a claimed row back without counting an attempt: due again at `dueAt` (now, or when a
 * rate-limit slot frees). Guarded by the lease token like every write of a claimed row.
 */
export async function releaseDelivery(db: DbOrTx, id: string, lockToken: string, dueAt: number, now: number): Promise<boolean> {
  const changed = await db('deliveries').where({ id, locked_by: lockToken }).update({ due_at: dueAt, next_attempt_at: dueAt, locked_by: null, updated_at: now });
  return changed > 0;
}

/** Releases every lease whose token starts with `tokenPrefix` (a process shutting down): due now. */
export async function releaseLeases(db: DbOrTx, tokenPrefix: string, now: number): Promise<number> {
  return db('deliveries').where('locked_by', 'like', `${tokenPrefix}%`).update({ due_at: now, locked_by: null, updated_at: now });
}

/** Finishes a delivery that cannot be attempted (its target or payload is gone) as failed, with no attempt. */
export async function abandonDelivery(db: DbOrTx, id: string, lockToken: string, now: number): Promise<boolean> {
  const changed = await db('deliveries').where({ id, locked_by: lockToken }).update({ status: 'failed', next_attempt_at: null, due_at: null, locked_by: null, updated_at: now });
  return changed > 0;
}

export async function listDeliveriesOfMessage(db: DbOrTx, messageId: string): Promise<Delivery[]> {
  const rows = (await db('deliveries').where({ message_id: messageId }).orderBy('id', 'asc')) as DeliveryRow[];
  return rows.map(toDelivery);
}

/** What fan-out needs to know of an enabled endpoint. */
export interface FanOutEndpoint {
  id: string;
  appId: string;
  recipientId: string;
  eventTypes: string[];
}

/**
 * The enabled endpoints of several apps at once, ascending by id (the group-commit accept path
 * matches many messages against them in memory; CONTRACT rule 2 is applied by the caller).
 */
export async function listFanOutEndpoints(db: DbOrTx, appIds: string[]): Promise<FanOutEndpoint[]> {
  const rows = (await db('endpoints').whereIn('app_id', appIds).andWhere('disabled', 0).orderBy('id', 'asc')
    .select('id', 'app_id', 'recipient_id', 'event_types')) as { id: string; app_id: string; recipient_id: string; event_types: string }[];
  return rows.map((row) => ({ id: row.id, appId: row.app_id, recipientId: row.recipient_id, eventTypes: JSON.parse(row.event_types) as string[] }));
}
