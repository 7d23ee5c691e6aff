import type { Knex } from 'knex';
import type { DbOrTx } from '../index.js';
import { toAttempt, type Attempt } from './attempts.js';
import type { DeliveryStatus } from './deliveries.js';
import { toNumber, toNumberOrNull } from './json.js';
import { toMessage, type Message, type MessageRow } from './messages.js';
import { pageByIdDesc, type Page } from './pagination.js';

/**
 * What a recipient sees in its portal. A message of the recipient's app is the recipient's when
 *  - it was targeted at the recipient (`messages.recipient_id`), whether or not any endpoint matched; or
 *  - it was broadcast (no recipient) and at least one delivery — scheduled at accept time or a
 *    replay — went to one of the recipient's current endpoints.
 * A broadcast that matched none of its endpoints was never sent to it and stays invisible, and so
 * are other recipients' deliveries and attempts of a shared broadcast.
 */
export interface RecipientRef {
  appId: string;
  recipientId: string;
}

function recipientEndpointIds(db: DbOrTx, recipientId: string): Knex.QueryBuilder {
  return db('endpoints').where({ recipient_id: recipientId }).select('id');
}

function visibleMessages(db: DbOrTx, ref: RecipientRef): Knex.QueryBuilder {
  return db('messages')
    .where({ app_id: ref.appId })
    .andWhere((q) =>
      q
        .where({ recipient_id: ref.recipientId })
        .orWhereIn('id', db('deliveries').whereIn('endpoint_id', recipientEndpointIds(db, ref.recipientId)).select('message_id')),
    );
}

/** The recipient's messages, newest first; `eventType` narrows to one type. */
export async function listRecipientMessages(
  db: DbOrTx,
  ref: RecipientRef,
  page: { limit: number; cursor?: string; eventType?: string },
): Promise<Page<Message>> {
  const query = visibleMessages(db, ref);
  if (page.eventType !== undefined) query.andWhere({ event_type: page.eventType });
  return pageByIdDesc(query, page, toMessage);
}

/** The message `id` if the recipient may see it, else null (answered 404 like a missing one). */
export async function findRecipientMessage(db: DbOrTx, ref: RecipientRef, id: string): Promise<Message | null> {
  const row = (await visibleMessages(db, ref).andWhere({ id }).first()) as MessageRow | undefined;
  return row ? toMessage(row) : null;
}

/** The attempts of a message made to the recipient's endpoints, newest first. */
export async function listRecipientAttempts(
  db: DbOrTx,
  recipientId: string,
  messageId: string,
  page: { limit: number; cursor?: string; endpointId?: string },
): Promise<Page<Attempt>> {
  const query = db('attempts').where({ message_id: messageId }).whereIn('endpoint_id', recipientEndpointIds(db, recipientId));
  if (page.endpointId !== undefined) query.andWhere({ endpoint_id: page.endpointId });
  return pageByIdDesc(query, page, toAttempt);
}

export interface RecipientDeliverySummary {
  endpointId: string;
  /** The latest delivery's status (a replay supersedes earlier ones). */
  status: DeliveryStatus;
  /** Attempts made to this endpoint for this message, over every delivery. */
  attempts: number;
  nextAttemptAt: number | null;
  /** `discarded` when the latest delivery was a discarded held one; else null (the portal falls back to the last attempt's error). */
  lastError: string | null;
  /** The newest attempt to this endpoint, if any (what the portal shows as the response code). */
  lastAttempt: Pick<Attempt, 'id' | 'status' | 'responseStatus' | 'error' | 'createdAt'> | null;
}

interface DeliveryRow {
  message_id: string;
  endpoint_id: string;
  status: DeliveryStatus;
  attempts: number | string;
  next_attempt_at: number | string | null;
  last_error: string | null;
}

interface LastAttemptRow {
  id: string;
  message_id: string;
  endpoint_id: string;
  status: 'succeeded' | 'failed';
  response_status: number | string | null;
  error: string | null;
  created_at: number | string;
}

/**
 * For each of `messageIds`, one summary per endpoint of the recipient it went to (in delivery
 * order), in two queries for the whole page rather than two per message.
 */
export async function summarizeRecipientDeliveries(
  db: DbOrTx,
  recipientId: string,
  messageIds: string[],
): Promise<Map<string, RecipientDeliverySummary[]>> {
  const result = new Map<string, RecipientDeliverySummary[]>(messageIds.map((id) => [id, []]));
  if (messageIds.length === 0) return result;
  const [deliveries, attempts] = await Promise.all([
    db('deliveries')
      .whereIn('message_id', messageIds)
      .whereIn('endpoint_id', recipientEndpointIds(db, recipientId))
      .orderBy('id', 'asc')
      .select('message_id', 'endpoint_id', 'status', 'attempts', 'next_attempt_at', 'last_error') as Promise<DeliveryRow[]>,
    db('attempts')
      .whereIn('message_id', messageIds)
      .whereIn('endpoint_id', recipientEndpointIds(db, recipientId))
      .orderBy('id', 'asc')
      .select('id', 'message_id', 'endpoint_id', 'status', 'response_status', 'error', 'created_at') as Promise<LastAttemptRow[]>,
  ]);
  const last = new Map<string, LastAttemptRow>();
  for (const row of attempts) last.set(`${row.message_id} ${row.endpoint_id}`, row);
  const byPair = new Map<string, RecipientDeliverySummary>();
  for (const row of deliveries) {
    const key = `${row.message_id} ${row.endpoint_id}`;
    const previous = byPair.get(key);
    const attempt = last.get(key);
    const summary: RecipientDeliverySummary = {
      endpointId: row.endpoint_id,
      status: row.status,
      attempts: (previous?.attempts ?? 0) + toNumber(row.attempts),
      nextAttemptAt: toNumberOrNull(row.next_attempt_at),
      lastError: row.last_error,
      lastAttempt: attempt
        ? {
            id: attempt.id,
            status: attempt.status,
            responseStatus: toNumberOrNull(attempt.response_status),
            error: attempt.error,
            createdAt: toNumber(attempt.created_at),
          }
        : null,
    };
    if (previous) Object.assign(previous, summary);
    else {
      byPair.set(key, summary);
      result.get(row.message_id)?.push(summary);
    }
  }
  return result;
}
