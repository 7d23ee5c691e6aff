import { isMysql, type DbOrTx } from '../index.js';
import { newId, newToken } from '../ids.js';
import { openSecret, sealFields, sealSecret } from '../secret-sealing.js';
import { fromJson, toBool, toJson, toNumber } from './json.js';
import { pageByIdDesc, type Page } from './pagination.js';

/** One place a source forwards its events to (CONTRACT §9.3). */
export interface Destination {
  url: string;
  headers?: Record<string, string>;
  /** Max forwards per rolling second. */
  rate_limit?: number;
  /** A payload filter (CONTRACT §8.1) over the JSON body; absent = every event. */
  filter?: Record<string, unknown> | null;
  /** Appends the sub-path and query received after `/in/{token}` to `url`. */
  path_forwarding?: boolean;
}

/**
 * A source's verification settings: the scheme's `type` plus that scheme's fields. Storage knows
 * no schemes; the server's verifier registry (server/ingest/verifiers) gives them meaning.
 */
export interface VerificationSettings {
  type: string;
  [field: string]: unknown;
}

/** Verification settings to store, with the names of their secret fields (sealed at rest). */
export interface VerificationToStore {
  settings: VerificationSettings;
  /** Which fields are secrets: the scheme's owner names them, storage only seals them. */
  secretFields: readonly string[];
}

/** `dedupe` of a source: which value identifies a repeat, and for how long after the first. */
export interface DedupeConfig {
  key: string;
  window: string;
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
  verification: VerificationSettings;
  /** Where events are forwarded, in order (a forward names its destination by index); empty = store only. */
  destinations: Destination[];
  dedupe: DedupeConfig | null;
  allowedMethods: string[];
  paused: boolean;
  consecutiveFailures: number;
  createdAt: number;
  updatedAt: number;
}

/** A source with its forward secret opened (forwarding only; verification stays as stored). */
export interface ForwardingSource extends Source {
  forwardSecret: string;
}

interface SourceRow {
  id: string;
  workspace_id: string;
  name: string;
  token: string;
  verification: string;
  /** Legacy one-destination column: NULL once `destinations` is written (migration 20261207200005). */
  destination?: string | null;
  destinations: string | null;
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
  verification: fromJson<VerificationSettings>(row.verification, { type: 'none' }),
  destinations: storedDestinations(row),
  dedupe: fromJson<DedupeConfig | null>(row.dedupe, null),
  allowedMethods: fromJson<string[]>(row.allowed_methods, ['POST']),
  paused: toBool(row.paused),
  consecutiveFailures: toNumber(row.consecutive_failures),
  createdAt: toNumber(row.created_at),
  updatedAt: toNumber(row.updated_at),
});

/** `destinations`, or for a row written the old way (NULL there) its one `destination`. */
function storedDestinations(row: SourceRow): Destination[] {
  if (row.destinations !== null && row.destinations !== undefined) return fromJson<Destination[]>(row.destinations, []);
  const legacy = fromJson<Destination | null>(row.destination, null);
  return legacy ? [legacy] : [];
}

const toForwardingSource = (row: SourceRow, encryptionKey: Buffer | null): ForwardingSource => ({
  ...toSource(row),
  forwardSecret: openSecret(row.forward_secret, encryptionKey),
});

const storedVerification = (verification: VerificationToStore, encryptionKey: Buffer | null): string =>
  toJson(sealFields(verification.settings, verification.secretFields, encryptionKey));

export interface NewSource {
  workspaceId: string;
  name: string;
  /** Plaintext settings; the named secret fields are sealed here before they are stored. */
  verification: VerificationToStore;
  destinations: Destination[];
  dedupe: DedupeConfig | null;
  allowedMethods: string[];
  /** Plaintext; sealed here before it is stored. */
  forwardSecret: string;
}

/** Creates a source with a fresh unguessable ingest token. */
export async function insertSource(db: DbOrTx, source: NewSource, encryptionKey: Buffer | null, now: number): Promise<Source> {
  const row: SourceRow = {
    id: newId('src', now),
    workspace_id: source.workspaceId,
    name: source.name,
    token: newToken(),
    verification: storedVerification(source.verification, encryptionKey),
    destination: null,
    destinations: toJson(source.destinations),
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
  const row = (await db('sources').where({ workspace_id: workspaceId, id }).first()) as SourceRow | undefined;
  return row ? toSource(row) : null;
}

/** The source behind a public ingest URL, as stored; null for an unknown token. */
export async function findSourceByToken(db: DbOrTx, token: string): Promise<Source | null> {
  const row = (await db('sources').where({ token }).first()) as SourceRow | undefined;
  return row ? toSource(row) : null;
}

/**
 * Reads a source inside an ingest transaction under a shared lock (MySQL; SQLite has one writer):
 * pause, destinations and dedupe cannot change until the storing transaction commits, and resume's
 * exclusive update orders after it (so every held event is visible to the release).
 */
export async function readSourceShared(tx: DbOrTx, id: string): Promise<Source | null> {
  const query = tx('sources').where({ id });
  if (isMysql(tx)) query.forShare();
  const row = (await query.first()) as SourceRow | undefined;
  return row ? toSource(row) : null;
}

/**
 * Re-reads a source inside a dedupe ingest transaction, locked exclusively so concurrent requests
 * of one source check for an original one at a time (and resume's update orders with them).
 * SQLite serialises every write transaction anyway, so the lock clause is MySQL-only.
 */
export async function lockSource(tx: DbOrTx, id: string): Promise<Source | null> {
  const query = tx('sources').where({ id });
  if (isMysql(tx)) query.forUpdate();
  const row = (await query.first()) as SourceRow | undefined;
  return row ? toSource(row) : null;
}

export async function listSources(db: DbOrTx, workspaceId: string, page: { limit: number; cursor?: string }): Promise<Page<Source>> {
  return pageByIdDesc(db('sources').where({ workspace_id: workspaceId }), page, toSource);
}

export interface SourceChanges {
  name?: string;
  verification?: VerificationToStore;
  destinations?: Destination[];
  dedupe?: DedupeConfig | null;
  allowedMethods?: string[];
  paused?: boolean;
}

/** Applies the given changes (secrets sealed); returns the updated source or null when missing. */
export async function updateSource(
  db: DbOrTx,
  workspaceId: string,
  id: string,
  changes: SourceChanges,
  encryptionKey: Buffer | null,
  now: number,
): Promise<Source | null> {
  const update: Partial<SourceRow> = { updated_at: now };
  if (changes.name !== undefined) update.name = changes.name;
  if (changes.verification !== undefined) update.verification = storedVerification(changes.verification, encryptionKey);
  if (changes.destinations !== undefined) {
    update.destinations = toJson(changes.destinations);
    update.destination = null;
  }
  if (changes.dedupe !== undefined) update.dedupe = changes.dedupe ? toJson(changes.dedupe) : null;
  if (changes.allowedMethods !== undefined) update.allowed_methods = toJson(changes.allowedMethods);
  if (changes.paused !== undefined) update.paused = changes.paused;
  const changed = await db('sources').where({ workspace_id: workspaceId, id }).update(update);
  return changed > 0 ? findSource(db, workspaceId, id) : null;
}

/**
 * Deletes a source with its events, their forward deliveries and attempts (deliveries and
 * attempts reference events without a foreign key, so they are removed explicitly first). Call it
 * in a transaction: the source row is locked exclusively first, so an ingest that already read it
 * (under a shared lock) commits its event before the events are deleted, and a later one finds no
 * source; locking it last instead would deadlock with such an ingest on MySQL.
 */
export async function deleteSource(db: DbOrTx, workspaceId: string, id: string): Promise<boolean> {
  const query = db('sources').where({ workspace_id: workspaceId, id });
  if (isMysql(db)) query.forUpdate();
  const source = await query.first<Pick<SourceRow, 'id'> | undefined>('id');
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

/**
 * Sources by id with their forward secret opened (the forwarder loads a claimed batch's sources
 * at once). Verification secrets stay sealed: forwarding signs with the forward secret only.
 */
export async function findForwardingSources(
  db: DbOrTx,
  ids: string[],
  encryptionKey: Buffer | null,
): Promise<Map<string, ForwardingSource>> {
  const found = new Map<string, ForwardingSource>();
  if (ids.length === 0) return found;
  const rows = (await db('sources').whereIn('id', ids)) as SourceRow[];
  for (const row of rows) found.set(row.id, toForwardingSource(row, encryptionKey));
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
  await db('sources')
    .where({ id })
    .update({ consecutive_failures: db.raw('consecutive_failures + ?', [failuresAfter]) });
  const row = await db('sources').where({ id }).first<Pick<SourceRow, 'consecutive_failures'> | undefined>('consecutive_failures');
  return row ? toNumber(row.consecutive_failures) : failuresAfter;
}
