import type { DbOrTx } from '../index.js';
import { fromJson, toBool, toNumber } from './json.js';

/** What fan-out loads of an endpoint to match messages against it: no secrets, no URL. */
export interface CandidateEndpoint {
  id: string;
  workspaceId: string;
  appId: string;
  recipientId: string;
  eventTypes: string[];
  disabled: boolean;
  /** The endpoint's ordering: a fifo endpoint's new deliveries wait in its lane (db/queries/fifo-lanes.ts). */
  fifo: boolean;
  /** The stored payload filter as JSON text (compiled once per version by the caller); null = none. */
  filter: string | null;
  /** Retry delays as given, when the endpoint overrides the global schedule (sets max attempts). */
  retrySchedule: string[] | null;
  updatedAt: number;
}

/** Where a message may fan out to: one recipient of the app, or all of them (recipientId null). */
export interface FanOutScope {
  appId: string;
  recipientId: string | null;
}

interface CandidateRow {
  id: string;
  workspace_id: string;
  app_id: string;
  recipient_id: string;
  event_types: string;
  disabled: number | boolean;
  ordering: string;
  filter: string | null;
  retry_schedule: string | null;
  updated_at: number | string;
}

/**
 * Every endpoint that may match a message of one of `scopes`, disabled ones included, ascending
 * by id (the lock order attempt writers use too). Deciding which of them actually receive a
 * message (CONTRACT rule 2, §8) is `endpointMatches` (server/delivery/matcher.ts), not this query:
 * it only narrows by app and recipient so a targeted message does not read a whole app. Secrets
 * are not read here: they are opened only where a request is signed (findDeliverableEndpoints).
 */
export async function listCandidateEndpoints(db: DbOrTx, scopes: FanOutScope[]): Promise<CandidateEndpoint[]> {
  const wholeApps = new Set(scopes.filter((s) => s.recipientId === null).map((s) => s.appId));
  const recipientIds = new Set(scopes.filter((s) => s.recipientId !== null && !wholeApps.has(s.appId)).map((s) => s.recipientId as string));
  if (wholeApps.size === 0 && recipientIds.size === 0) return [];
  const rows = await db('endpoints')
    .where((q) => {
      if (wholeApps.size > 0) void q.orWhereIn('app_id', [...wholeApps]);
      if (recipientIds.size > 0) void q.orWhereIn('recipient_id', [...recipientIds]);
    })
    .orderBy('id', 'asc')
    .select<CandidateRow[]>(
      'id',
      'workspace_id',
      'app_id',
      'recipient_id',
      'event_types',
      'disabled',
      'ordering',
      'filter',
      'retry_schedule',
      'updated_at',
    );
  return rows.map((row) => ({
    id: row.id,
    workspaceId: row.workspace_id,
    appId: row.app_id,
    recipientId: row.recipient_id,
    eventTypes: fromJson<string[]>(row.event_types, []),
    disabled: toBool(row.disabled),
    fifo: row.ordering === 'fifo',
    filter: row.filter,
    retrySchedule: fromJson<string[] | null>(row.retry_schedule, null),
    updatedAt: toNumber(row.updated_at),
  }));
}
