/**
 * Read-only aggregates the anomaly detectors run over the dispatch and ingest tables. Every query
 * is an indexed range or point lookup so a pass stays cheap however large the tables grow.
 */
import type { DbOrTx } from '../index.js';
import { toBool, toNumber, toNumberOrNull } from './json.js';

export type TargetKind = 'endpoint' | 'source';

/** An endpoint or a source destination, with what the detectors show and key on. */
export interface DeliveryTarget {
  kind: TargetKind;
  id: string;
  workspaceId: string;
  /** Endpoint URL or source name, for titles. */
  label: string;
  consecutiveFailures: number;
  disabled: boolean;
  disabledAt: number | null;
  failingSince: number | null;
}

const ENDPOINT_COLUMNS = ['id', 'workspace_id', 'url', 'consecutive_failures', 'disabled', 'disabled_at', 'failing_since'] as const;
const SOURCE_COLUMNS = ['id', 'workspace_id', 'name', 'consecutive_failures'] as const;

const toEndpointTarget = (row: Record<string, unknown>): DeliveryTarget => ({
  kind: 'endpoint',
  id: row.id as string,
  workspaceId: row.workspace_id as string,
  label: row.url as string,
  consecutiveFailures: toNumber(row.consecutive_failures),
  disabled: toBool(row.disabled),
  disabledAt: toNumberOrNull(row.disabled_at),
  failingSince: toNumberOrNull(row.failing_since),
});

const toSourceTarget = (row: Record<string, unknown>): DeliveryTarget => ({
  kind: 'source',
  id: row.id as string,
  workspaceId: row.workspace_id as string,
  label: row.name as string,
  consecutiveFailures: toNumber(row.consecutive_failures),
  disabled: false,
  disabledAt: null,
  failingSince: null,
});

/** The targets of one kind with these ids (missing ids are simply absent: deleted targets). */
export async function findTargets(db: DbOrTx, kind: TargetKind, ids: string[]): Promise<Map<string, DeliveryTarget>> {
  const found = new Map<string, DeliveryTarget>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows =
      kind === 'endpoint'
        ? (await db('endpoints').whereIn('id', chunk).select(ENDPOINT_COLUMNS)).map(toEndpointTarget)
        : (await db('sources').whereIn('id', chunk).select(SOURCE_COLUMNS)).map(toSourceTarget);
    for (const target of rows) found.set(target.id, target);
  }
  return found;
}

/** Endpoints and sources whose recorded failure streak reached `threshold` (index on consecutive_failures). */
export async function findTargetsFailingAtLeast(db: DbOrTx, threshold: number): Promise<DeliveryTarget[]> {
  const endpoints = await db('endpoints').where('consecutive_failures', '>=', threshold).select(ENDPOINT_COLUMNS);
  const sources = await db('sources').where('consecutive_failures', '>=', threshold).select(SOURCE_COLUMNS);
  return [...endpoints.map(toEndpointTarget), ...sources.map(toSourceTarget)];
}

/** Targets with a failed attempt after `since` (attempts.created_at index): streaks may have just grown. */
export async function findTargetsWithFailuresSince(db: DbOrTx, since: number): Promise<{ kind: TargetKind; id: string }[]> {
  const rows = await db('attempts').where('created_at', '>', since).andWhere({ status: 'failed' }).distinct('endpoint_id', 'source_id');
  const targets: { kind: TargetKind; id: string }[] = [];
  for (const row of rows as { endpoint_id: string | null; source_id: string | null }[]) {
    if (row.endpoint_id) targets.push({ kind: 'endpoint', id: row.endpoint_id });
    else if (row.source_id) targets.push({ kind: 'source', id: row.source_id });
  }
  return targets;
}

/** The newest `limit` attempts of a target, newest first ((endpoint_id, id) / (source_id, id) index). */
export async function latestAttempts(db: DbOrTx, kind: TargetKind, id: string, limit: number): Promise<RecentAttempt[]> {
  const column = kind === 'endpoint' ? 'endpoint_id' : 'source_id';
  const rows = await db('attempts')
    .where(column, id)
    .orderBy('id', 'desc')
    .limit(limit)
    .select('id', 'status', 'error', 'response_status', 'created_at');
  return rows.map((row: Record<string, unknown>) => ({
    id: row.id as string,
    status: row.status as string,
    error: (row.error as string | null) ?? null,
    responseStatus: toNumberOrNull(row.response_status),
    createdAt: toNumber(row.created_at),
  }));
}

export interface RecentAttempt {
  id: string;
  status: string;
  error: string | null;
  responseStatus: number | null;
  createdAt: number;
}

/**
 * Endpoints disabled by the dispatcher's auto-disable rule rather than by hand: both paths stamp
 * `disabled_at`, but only an endpoint whose failure streak had lasted `disableAfterMs` when it was
 * disabled qualifies (a PATCH leaves `failing_since` as it was, re-enabling clears it).
 */
export async function findAutoDisabledEndpoints(db: DbOrTx, disableAfterMs: number): Promise<DeliveryTarget[]> {
  const rows = await db('endpoints')
    .where('disabled', 1)
    .whereNotNull('failing_since')
    .whereNotNull('disabled_at')
    .whereRaw('?? >= ?? + ?', ['disabled_at', 'failing_since', disableAfterMs])
    .select(ENDPOINT_COLUMNS);
  return rows.map(toEndpointTarget);
}

/** The columns of a delivery findOldestPendingDeliveries reads (exactly one of endpoint_id and source_id is set). */
interface HeadDeliveryRow {
  id: string;
  workspace_id: string;
  endpoint_id: string | null;
  source_id: string | null;
  created_at: number | string;
}

export interface OldestPending {
  kind: TargetKind;
  targetId: string;
  workspaceId: string;
  deliveryId: string;
  createdAt: number;
}

/**
 * The oldest pending delivery of every endpoint and source destination that has one. Ids are
 * time-ordered, so MIN(id) per target comes from the (endpoint_id, status) / (source_id, status)
 * index alone; only those few head rows are then read for their timestamps.
 */
export async function findOldestPendingDeliveries(db: DbOrTx): Promise<OldestPending[]> {
  const heads: { kind: TargetKind; id: string }[] = [];
  for (const [kind, column] of [
    ['endpoint', 'endpoint_id'],
    ['source', 'source_id'],
  ] as const) {
    const rows = await db('deliveries').where({ status: 'pending' }).whereNotNull(column).groupBy(column).select(db.raw('MIN(id) AS head'));
    for (const row of rows as { head: string }[]) heads.push({ kind, id: row.head });
  }
  const result: OldestPending[] = [];
  for (let i = 0; i < heads.length; i += 500) {
    const chunk = heads.slice(i, i + 500);
    const rows = await db('deliveries')
      .whereIn(
        'id',
        chunk.map((h) => h.id),
      )
      .select<HeadDeliveryRow[]>('id', 'workspace_id', 'endpoint_id', 'source_id', 'created_at');
    for (const row of rows) {
      result.push({
        kind: row.endpoint_id ? 'endpoint' : 'source',
        targetId: (row.endpoint_id ?? row.source_id) as string,
        workspaceId: row.workspace_id,
        deliveryId: row.id,
        createdAt: toNumber(row.created_at),
      });
    }
  }
  return result;
}
