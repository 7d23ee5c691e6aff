import { isMysql, type DbOrTx } from '../index.js';
import { newId, newToken } from '../ids.js';
import { openSecret, sealSecret } from '../../server/secrets.js';
import { openVerification, sealVerification, type VerificationConfig } from '../../server/ingest/verifiers/index.js';
import type { DedupeConfig } from '../../server/ingest/dedupe.js';
import { fromJson, toBool, toJson, toNumber } from './json.js';
import { pageByIdDesc, type Page } from './pagination.js';

/** Where a source forwards its events; absent = store only. */
export interface Destination {
  url: string;
  headers?: Record<string, string>;
  /** Max forwards per rolling second. */
  rate_limit?: number;
}

/**
 * A source as lists and reads return it. `verification` is as stored: its secret fields are
 * sealed, so it is only fit for `publicVerification` (or `openVerification` with the key).
 */
export interface Source {
  id: string;
  workspaceId: string;
  name: string;
  token: string;
  verification: VerificationConfig;
  destination: Destination | null;
  dedupe: DedupeConfig | null;
  allowedMethods: string[];
  paused: boolean;
  consecutiveFailures: number;
  createdAt: number;
  updatedAt: number;
}

/** A source with its verification secrets and forward secret opened (ingest and forwarding only). */
export interface OpenedSource extends Source {
  forwardSecret: string;
}

interface SourceRow {
  id: string;
  workspace_id: string;
  name: string;
  token: string;
  verification: string;
  destination: string | null;
  dedupe: string | null;
  allowed_methods: string;
  forward_secret: string;
  paused: number | boolean;
  consecutive_failures: number | string;
  created_at: number | string;
  updated_at: number | string;
}

const toSource = (row: SourceRow): Source => ({
  id: row.id,
  workspaceId: row.workspace_id,
  name: row.name,
  token: row.token,
  verification: fromJson<VerificationConfig>(row.verification, { type: 'none' }),
  destination: fromJson<Destination | null>(row.destination, null),
  dedupe: fromJson<DedupeConfig | null>(row.dedupe, null),
  allowedMethods: fromJson<string[]>(row.allowed_methods, ['POST']),
  paused: toBool(row.paused),
  consecutiveFailures: toNumber(row.consecutive_failures),
  createdAt: toNumber(row.created_at),
  updatedAt: toNumber(row.updated_at),
});

const toOpenedSource = (row: SourceRow, encryptionKey: Buffer | null): OpenedSource => {
  const source = toSource(row);
  return { ...source, verification: openVerification(source.verification, encryptionKey), forwardSecret: openSecret(row.forward_secret, encryptionKey) };
};

export interface NewSource {
  workspaceId: string;
  name: string;
  /** Plaintext settings; secrets are sealed here before they are stored. */
  verification: VerificationConfig;
  destination: Destination | null;
  dedupe: DedupeConfig | null;
  allowedMethods: string[];
  forwardSecret: string;
}

/** Creates a source with a fresh unguessable ingest token. */
export async function insertSource(db: DbOrTx, source: NewSource, encryptionKey: Buffer | null, now: number): Promise<Source> {
  const row: SourceRow = {
    id: newId('src', now),
    workspace_id: source.workspaceId,
    name: source.name,
    token: newToken(),
    verification: toJson(sealVerification(source.verification, encryptionKey)),
    destination: source.destination ? toJson(source.destination) : null,
    dedupe: source.dedupe ? toJson(source.dedupe) : null,
    allowed_methods: toJson(source.allowedMethods),
    forward_secret: sealSecret(source.forwardSecret, encryptionKey),
    paused: false,
    consecutive_failures: 0,
    created_at: now,
    updated_at: now,
  };
  await db('sources').insert(row);
  return toSource(row);
}

export async function findSource(db: DbOrTx, workspaceId: string, id: string): Promise<Source | null> {
  const row = await db('sources').where({ workspace_id: workspaceId, id }).first();
  return row ? toSource(row) : null;
}

/** The source behind a public ingest URL, secrets opened; null for an unknown token. */
export async function findSourceByToken(db: DbOrTx, token: string, encryptionKey: Buffer | null): Promise<OpenedSource | null> {
  const row = await db('sources').where({ token }).first();
  return row ? toOpenedSource(row, encryptionKey) : null;
}

/**
 * Re-reads a source inside a dedupe ingest transaction, locked exclusively so concurrent requests
 * of one source check for an original one at a time (and resume's update orders with them).
 * SQLite serialises every write transaction anyway, so the lock clause is MySQL-only.
 */
export async function lockSource(tx: DbOrTx, id: string): Promise<Source | null> {
  const query = tx('sources').where({ id });
  if (isMysql(tx)) query.forUpdate();
  const row = await query.first();
  return row ? toSource(row) : null;
}

export async function listSources(db: DbOrTx, workspaceId: string, page: { limit: number; cursor?: string }): Promise<Page<Source>> {
  return pageByIdDesc(db('sources').where({ workspace_id: workspaceId }), page, toSource);
}

export interface SourceChanges {
  name?: string;
  verification?: VerificationConfig;
  destination?: Destination | null;
  dedupe?: DedupeConfig | null;
  allowedMethods?: string[];
  paused?: boolean;
}

/** Applies the given changes (secrets sealed); returns the updated source or null when missing. */
export async function updateSource(db: DbOrTx, workspaceId: string, id: string, changes: SourceChanges, encryptionKey: Buffer | null, now: number): Promise<Source | null> {
  const update: Partial<SourceRow> = { updated_at: now };
  if (changes.name !== undefined) update.name = changes.name;
  if (changes.verification !== undefined) update.verification = toJson(sealVerification(changes.verification, encryptionKey));
  if (changes.destination !== undefined) update.destination = changes.destination ? toJson(changes.destination) : null;
  if (changes.dedupe !== undefined) update.dedupe = changes.dedupe ? toJson(changes.dedupe) : null;
  if (changes.allowedMethods !== undefined) update.allowed_methods = toJson(changes.allowedMethods);
  if (changes.paused !== undefined) update.paused = changes.paused;
  const changed = await db('sources').where({ workspace_id: workspaceId, id }).update(update);
  return changed > 0 ? findSource(db, workspaceId, id) : null;
}

/**
 * Deletes a source with its events, their forward deliveries and attempts (deliveries and
 * attempts reference events without a foreign key, so they are removed explicitly first).
 */
export async function deleteSource(db: DbOrTx, workspaceId: string, id: string): Promise<boolean> {
  const source = await db('sources').where({ workspace_id: workspaceId, id }).first('id');
  if (!source) return false;
  await db('attempts').where({ source_id: id }).delete();
  await db('deliveries').where({ source_id: id }).delete();
  await db('events').where({ source_id: id }).delete();
  await db('sources').where({ id }).delete();
  return true;
}

export async function countSources(db: DbOrTx, workspaceId: string): Promise<number> {
  const row = await db('sources').where({ workspace_id: workspaceId }).count({ n: '*' }).first();
  return toNumber(row?.n ?? 0);
}

/** Sources by id with secrets opened (the forwarder loads a claimed batch's sources at once). */
export async function findOpenedSources(db: DbOrTx, ids: string[], encryptionKey: Buffer | null): Promise<Map<string, OpenedSource>> {
  const found = new Map<string, OpenedSource>();
  if (ids.length === 0) return found;
  const rows = (await db('sources').whereIn('id', ids)) as SourceRow[];
  for (const row of rows) found.set(row.id, toOpenedSource(row, encryptionKey));
  return found;
}

/**
 * Updates a source's destination failure streak after forward attempts (oldest first): reset by
 * a success, extended by failures. Returns the new streak.
 */
export async function recordForwardOutcomes(db: DbOrTx, id: string, outcomes: boolean[]): Promise<number> {
  const lastSuccess = outcomes.lastIndexOf(true);
  const failuresAfter = outcomes.length - 1 - lastSuccess;
  if (lastSuccess >= 0) {
    await db('sources').where({ id }).update({ consecutive_failures: failuresAfter });
    return failuresAfter;
  }
  await db('sources').where({ id }).update({ consecutive_failures: db.raw('consecutive_failures + ?', [failuresAfter]) });
  const row = await db('sources').where({ id }).first('consecutive_failures');
  return row ? toNumber(row.consecutive_failures) : failuresAfter;
}
