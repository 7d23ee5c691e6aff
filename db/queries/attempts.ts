import type { DbOrTx } from '../index.js';
import { newId } from '../ids.js';
import { toNumber, toNumberOrNull } from './json.js';
import { pageByIdDesc, type Page } from './pagination.js';
import type { DeliveryTrigger } from './deliveries.js';

export interface Attempt {
  id: string;
  workspaceId: string;
  deliveryId: string;
  messageId: string | null;
  endpointId: string | null;
  eventId: string | null;
  sourceId: string | null;
  attempt: number;
  trigger: DeliveryTrigger;
  status: 'succeeded' | 'failed';
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  createdAt: number;
}

interface AttemptRow {
  id: string;
  workspace_id: string;
  delivery_id: string;
  message_id: string | null;
  endpoint_id: string | null;
  event_id: string | null;
  source_id: string | null;
  attempt: number | string;
  trigger: string;
  status: string;
  response_status: number | string | null;
  response_body: string | null;
  error: string | null;
  duration_ms: number | string;
  created_at: number | string;
}

export const toAttempt = (row: AttemptRow): Attempt => ({
  id: row.id,
  workspaceId: row.workspace_id,
  deliveryId: row.delivery_id,
  messageId: row.message_id,
  endpointId: row.endpoint_id,
  eventId: row.event_id,
  sourceId: row.source_id,
  attempt: toNumber(row.attempt),
  trigger: row.trigger as DeliveryTrigger,
  status: row.status as Attempt['status'],
  responseStatus: toNumberOrNull(row.response_status),
  responseBody: row.response_body,
  error: row.error,
  durationMs: toNumber(row.duration_ms),
  createdAt: toNumber(row.created_at),
});

export type NewAttempt = Omit<Attempt, 'id'>;

/** Inserts attempt rows (ids are made from each attempt's own time so they sort by it). */
export async function insertAttempts(db: DbOrTx, attempts: NewAttempt[]): Promise<Attempt[]> {
  if (attempts.length === 0) return [];
  const rows: AttemptRow[] = attempts.map((a) => ({
    id: newId('atm', a.createdAt),
    workspace_id: a.workspaceId,
    delivery_id: a.deliveryId,
    message_id: a.messageId,
    endpoint_id: a.endpointId,
    event_id: a.eventId,
    source_id: a.sourceId,
    attempt: a.attempt,
    trigger: a.trigger,
    status: a.status,
    response_status: a.responseStatus,
    response_body: a.responseBody,
    error: a.error,
    duration_ms: a.durationMs,
    created_at: a.createdAt,
  }));
  for (let i = 0; i < rows.length; i += 100) await db('attempts').insert(rows.slice(i, i + 100));
  return rows.map(toAttempt);
}

/** A message's attempts, newest first. */
export async function listAttemptsOfMessage(db: DbOrTx, messageId: string, page: { limit: number; cursor?: string }): Promise<Page<Attempt>> {
  return pageByIdDesc(db('attempts').where({ message_id: messageId }), page, toAttempt);
}

/** An endpoint's attempts, newest first; `status` filters to succeeded or failed ones. */
export async function listAttemptsOfEndpoint(
  db: DbOrTx,
  endpointId: string,
  page: { limit: number; cursor?: string; status?: 'succeeded' | 'failed' },
): Promise<Page<Attempt>> {
  const query = db('attempts').where({ endpoint_id: endpointId });
  if (page.status) query.andWhere({ status: page.status });
  return pageByIdDesc(query, page, toAttempt);
}

/** An ingest event's attempts, newest first (the ingest routes show them on the event). */
export async function listAttemptsOfEvent(db: DbOrTx, eventId: string, page: { limit: number; cursor?: string }): Promise<Page<Attempt>> {
  return pageByIdDesc(db('attempts').where({ event_id: eventId }), page, toAttempt);
}
