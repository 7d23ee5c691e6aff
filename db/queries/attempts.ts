import type { DbOrTx } from '../index.js';
import { newId } from '../ids.js';
import { toNumber, toNumberOrNull } from './json.js';
import { insertRows } from './multi-row-insert.js';
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

const ATTEMPT_COLUMNS = [
  'id',
  'workspace_id',
  'delivery_id',
  'message_id',
  'endpoint_id',
  'event_id',
  'source_id',
  'attempt',
  'trigger',
  'status',
  'response_status',
  'response_body',
  'error',
  'duration_ms',
  'created_at',
] as const;

/**
 * Inserts attempt rows (ids are made from each attempt's own time so they sort by it) in
 * prepared multi-row statements: the recorder's hot path.
 */
export async function insertAttempts(db: DbOrTx, attempts: NewAttempt[]): Promise<Attempt[]> {
  if (attempts.length === 0) return [];
  const stored: Attempt[] = attempts.map((a) => ({ ...a, id: newId('atm', a.createdAt) }));
  const rows = stored.map((a) => [
    a.id,
    a.workspaceId,
    a.deliveryId,
    a.messageId,
    a.endpointId,
    a.eventId,
    a.sourceId,
    a.attempt,
    a.trigger,
    a.status,
    a.responseStatus,
    a.responseBody,
    a.error,
    a.durationMs,
    a.createdAt,
  ]);
  await insertRows(db, 'attempts', ATTEMPT_COLUMNS, rows);
  return stored;
}

/** A message's attempts, newest first. */
export async function listAttemptsOfMessage(
  db: DbOrTx,
  messageId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<Attempt>> {
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
