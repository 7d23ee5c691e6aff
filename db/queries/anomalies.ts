import type { DbOrTx } from '../index.js';
import { newId } from '../ids.js';
import { isUniqueViolation } from '../errors.js';
import { fromJson, toBool, toJson, toNumber, toNumberOrNull } from './json.js';
import { pageByIdDesc, type Page } from './pagination.js';

export const ANOMALY_TYPES = [
  'endpoint_failing',
  'endpoint_disabled',
  'verification_failing',
  'backlog',
  'volume_spike',
  'volume_drop',
] as const;
export type AnomalyType = (typeof ANOMALY_TYPES)[number];
export const ANOMALY_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AnomalyStatus = (typeof ANOMALY_STATUSES)[number];
export type SubjectKind = 'endpoint' | 'source';

export interface Anomaly {
  id: string;
  workspaceId: string;
  type: AnomalyType;
  status: AnomalyStatus;
  subjectKind: SubjectKind;
  subjectId: string;
  title: string;
  count: number;
  details: Record<string, unknown>;
  occurrenceKey: string | null;
  firstSeenAt: number;
  lastSeenAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  resolvedManually: boolean;
}

interface AnomalyRow {
  id: string;
  workspace_id: string;
  type: string;
  status: string;
  subject_kind: string;
  subject_id: string;
  title: string;
  count: number | string;
  details: string;
  occurrence_key: string | null;
  first_seen_at: number | string;
  last_seen_at: number | string;
  acknowledged_at: number | string | null;
  resolved_at: number | string | null;
  resolved_manually: number | boolean;
}

const toAnomaly = (row: AnomalyRow): Anomaly => ({
  id: row.id,
  workspaceId: row.workspace_id,
  type: row.type as AnomalyType,
  status: row.status as AnomalyStatus,
  subjectKind: row.subject_kind as SubjectKind,
  subjectId: row.subject_id,
  title: row.title,
  count: toNumber(row.count),
  details: fromJson<Record<string, unknown>>(row.details, {}),
  occurrenceKey: row.occurrence_key,
  firstSeenAt: toNumber(row.first_seen_at),
  lastSeenAt: toNumber(row.last_seen_at),
  acknowledgedAt: toNumberOrNull(row.acknowledged_at),
  resolvedAt: toNumberOrNull(row.resolved_at),
  resolvedManually: toBool(row.resolved_manually),
});

/** The unique key that allows one open-or-acknowledged anomaly per (type, subject). */
export const openKeyOf = (type: AnomalyType, subjectId: string) => `${type}:${subjectId}`;

export interface Sighting {
  workspaceId: string;
  type: AnomalyType;
  subjectKind: SubjectKind;
  subjectId: string;
  title: string;
  details: Record<string, unknown>;
  /** Names the evidence seen; the same evidence seen again (by any process) is not a recurrence. */
  occurrenceKey: string;
}

export type SightingOutcome = 'opened' | 'bumped' | 'unchanged' | 'suppressed';

/**
 * Opens an anomaly for the sighting, or records a recurrence on the open (or acknowledged) one:
 * `count + 1`, `last_seen_at = now`, fresh details. Race-safe on both databases without locks:
 * the INSERT relies on the `open_key` unique index, and the bump is a conditional UPDATE that
 * only matches while the stored occurrence differs, so N processes seeing the same evidence
 * produce one anomaly with one count. A condition an operator resolved by hand is not reopened
 * until it shows new evidence.
 */
export async function openOrBumpAnomaly(
  db: DbOrTx,
  sighting: Sighting,
  now: number,
): Promise<{ outcome: SightingOutcome; anomaly: Anomaly | null }> {
  const openKey = openKeyOf(sighting.type, sighting.subjectId);
  // a resolve may slip in between our failed INSERT and our UPDATE; then the INSERT is retried
  for (let round = 0; round < 3; round += 1) {
    const existing = await findOpenAnomalyByKey(db, openKey);
    if (!existing) {
      if (await wasResolvedByHandFor(db, sighting)) return { outcome: 'suppressed', anomaly: null };
      const row = {
        id: newId('anm', now),
        workspace_id: sighting.workspaceId,
        type: sighting.type,
        status: 'open',
        subject_kind: sighting.subjectKind,
        subject_id: sighting.subjectId,
        open_key: openKey,
        title: sighting.title,
        count: 1,
        details: toJson(sighting.details),
        occurrence_key: sighting.occurrenceKey,
        first_seen_at: now,
        last_seen_at: now,
        acknowledged_at: null,
        resolved_at: null,
        resolved_manually: false,
      };
      try {
        await db('anomalies').insert(row);
        return { outcome: 'opened', anomaly: toAnomaly({ ...row, resolved_manually: 0 }) };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        continue; // another process opened it first: bump that one instead
      }
    }
    if (existing.occurrenceKey === sighting.occurrenceKey) return { outcome: 'unchanged', anomaly: existing };
    const changed = await db('anomalies')
      .where({ open_key: openKey })
      .where((q) => q.whereNull('occurrence_key').orWhereNot('occurrence_key', sighting.occurrenceKey))
      .update({
        count: db.raw('?? + 1', ['count']),
        last_seen_at: db.raw('CASE WHEN ?? < ? THEN ? ELSE ?? END', ['last_seen_at', now, now, 'last_seen_at']),
        details: toJson(sighting.details),
        occurrence_key: sighting.occurrenceKey,
      });
    const after = await findOpenAnomalyByKey(db, openKey);
    if (after) return { outcome: changed > 0 ? 'bumped' : 'unchanged', anomaly: after };
  }
  throw new Error(`anomaly ${openKey} kept changing state while being recorded`);
}

/** True when the latest anomaly of this (type, subject) was resolved by hand on the same evidence. */
async function wasResolvedByHandFor(db: DbOrTx, sighting: Sighting): Promise<boolean> {
  const latest = await db('anomalies')
    .where({ subject_id: sighting.subjectId, type: sighting.type })
    .orderBy('id', 'desc')
    .first<Pick<AnomalyRow, 'resolved_manually' | 'occurrence_key' | 'status'> | undefined>(
      'resolved_manually',
      'occurrence_key',
      'status',
    );
  return (
    latest !== undefined &&
    latest.status === 'resolved' &&
    toBool(latest.resolved_manually) &&
    latest.occurrence_key === sighting.occurrenceKey
  );
}

export async function findOpenAnomalyByKey(db: DbOrTx, openKey: string): Promise<Anomaly | null> {
  const row = (await db('anomalies').where({ open_key: openKey }).first()) as AnomalyRow | undefined;
  return row ? toAnomaly(row) : null;
}

/**
 * Every open or acknowledged anomaly of one type, across workspaces: a range over the `open_key`
 * unique index (keys are `type:subject`; ';' sorts right after ':').
 */
export async function listOpenAnomaliesOfType(db: DbOrTx, type: AnomalyType): Promise<Anomaly[]> {
  const rows = await db('anomalies').where('open_key', '>=', `${type}:`).andWhere('open_key', '<', `${type};`);
  return rows.map(toAnomaly);
}

/**
 * Auto-resolves the open (or acknowledged) anomaly of this type and subject, if any. Returns the
 * anomaly as resolved (for the `anomaly_resolved` signal), or null when none was open. Safe to
 * race: only the UPDATE that still finds that anomaly under the key wins.
 */
export async function resolveOpenAnomaly(db: DbOrTx, type: AnomalyType, subjectId: string, now: number): Promise<Anomaly | null> {
  const openKey = openKeyOf(type, subjectId);
  const open = await findOpenAnomalyByKey(db, openKey);
  if (!open) return null;
  const changed = await db('anomalies')
    .where({ id: open.id, open_key: openKey })
    .update({ status: 'resolved', resolved_at: now, open_key: null });
  return changed > 0 ? { ...open, status: 'resolved', resolvedAt: now } : null;
}

export interface AnomalyFilter {
  status?: AnomalyStatus;
  type?: AnomalyType;
  limit: number;
  cursor?: string;
}

/** A workspace's anomalies, newest first; without a status filter, only the unresolved ones. */
export async function listAnomalies(db: DbOrTx, workspaceId: string, filter: AnomalyFilter): Promise<Page<Anomaly>> {
  const query = db('anomalies').where({ workspace_id: workspaceId });
  if (filter.status) query.andWhere({ status: filter.status });
  else query.whereIn('status', ['open', 'acknowledged']);
  if (filter.type) query.andWhere({ type: filter.type });
  return pageByIdDesc(query, filter, toAnomaly);
}

export async function findAnomaly(db: DbOrTx, workspaceId: string, id: string): Promise<Anomaly | null> {
  const row = (await db('anomalies').where({ workspace_id: workspaceId, id }).first()) as AnomalyRow | undefined;
  return row ? toAnomaly(row) : null;
}

/** Marks an open anomaly acknowledged (it stays the open one for its subject). No-op otherwise. */
export async function acknowledgeAnomaly(db: DbOrTx, workspaceId: string, id: string, now: number): Promise<void> {
  await db('anomalies').where({ workspace_id: workspaceId, id, status: 'open' }).update({ status: 'acknowledged', acknowledged_at: now });
}

/**
 * Resolves an anomaly by hand: frees its open_key so a new sighting with new evidence opens anew.
 * Returns whether this call resolved it (false when it already was resolved).
 */
export async function resolveAnomalyByHand(db: DbOrTx, workspaceId: string, id: string, now: number): Promise<boolean> {
  const changed = await db('anomalies')
    .where({ workspace_id: workspaceId, id })
    .whereIn('status', ['open', 'acknowledged'])
    .update({ status: 'resolved', resolved_at: now, open_key: null, resolved_manually: true });
  return changed > 0;
}
