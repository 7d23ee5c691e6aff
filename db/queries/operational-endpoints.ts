import type { Knex } from 'knex';
import type { DbOrTx } from '../index.js';
import { newId } from '../ids.js';
import { sealSecret } from '../secret-sealing.js';
import { fromJson, toBool, toJson, toNumber, toNumberOrNull } from './json.js';
import { pageByIdDesc, type Page } from './pagination.js';
import { OPERATIONAL_FORMATS, type OperationalFormat } from './system-app.js';

/**
 * Operational endpoints (CONTRACT §8.5) are `endpoints` rows of the workspace's system app whose
 * ids start `oep_` (user endpoints are `ep_`): the dispatcher signs, sends, retries and logs them
 * like any endpoint, and the prefix alone tells every emit point that an endpoint is operational,
 * so its own failures never raise operational events (no recursion). Their format is the uid of
 * the system recipient they belong to.
 */
export const OPERATIONAL_ID_PREFIX = 'oep_';

/** True for an operational endpoint's id. */
export const isOperationalEndpointId = (id: string | null | undefined): boolean => id?.startsWith(OPERATIONAL_ID_PREFIX) === true;

// every `oep_` id sorts in ['oep_', 'oep`'): '`' is the character after '_'
const ID_FROM = OPERATIONAL_ID_PREFIX;
const ID_BELOW = 'oep`';

/**
 * A where-callback keeping the rows whose endpoint `column` is not an operational endpoint:
 * workspace-wide lists of customer deliveries use it, since operational ones belong to the hidden
 * system app and are read through /operational-endpoints (anomaly:read) only.
 */
export const notOperationalEndpoint = (column: string) => (q: Knex.QueryBuilder) =>
  void q.where(column, '<', ID_FROM).orWhere(column, '>=', ID_BELOW);

/** Keeps the rows whose endpoint `column` is an operational endpoint (the `oep_` id range, an index range scan). */
const operationalEndpoint = (column: string) => (q: Knex.QueryBuilder) =>
  void q.where(column, '>=', ID_FROM).andWhere(column, '<', ID_BELOW);

export interface OperationalEndpoint {
  id: string;
  workspaceId: string;
  url: string;
  /** Operational event types it receives; empty = all. */
  eventTypes: string[];
  format: OperationalFormat;
  headers: Record<string, string>;
  disabled: boolean;
  disabledAt: number | null;
  createdAt: number;
  updatedAt: number;
}

interface OperationalEndpointRow {
  id: string;
  workspace_id: string;
  url: string;
  event_types: string;
  headers: string;
  disabled: number | boolean;
  disabled_at: number | string | null;
  created_at: number | string;
  updated_at: number | string;
  format: string;
}

const toOperationalEndpoint = (row: OperationalEndpointRow): OperationalEndpoint => ({
  id: row.id,
  workspaceId: row.workspace_id,
  url: row.url,
  eventTypes: fromJson<string[]>(row.event_types, []),
  format: OPERATIONAL_FORMATS.includes(row.format as OperationalFormat) ? (row.format as OperationalFormat) : 'standard',
  headers: fromJson<Record<string, string>>(row.headers, {}),
  disabled: toBool(row.disabled),
  disabledAt: toNumberOrNull(row.disabled_at),
  createdAt: toNumber(row.created_at),
  updatedAt: toNumber(row.updated_at),
});

/** The workspace's operational endpoints joined with their format (the recipient's uid). */
function selectOperational(db: DbOrTx, workspaceId: string) {
  return db('endpoints as e')
    .join('recipients as r', 'r.id', 'e.recipient_id')
    .where('e.workspace_id', workspaceId)
    .andWhere(operationalEndpoint('e.id'))
    .select(
      'e.id',
      'e.workspace_id',
      'e.url',
      'e.event_types',
      'e.headers',
      'e.disabled',
      'e.disabled_at',
      'e.created_at',
      'e.updated_at',
      'r.uid as format',
    );
}

export interface NewOperationalEndpoint {
  workspaceId: string;
  appId: string;
  /** The system recipient of `format`. */
  recipientId: string;
  format: OperationalFormat;
  url: string;
  eventTypes: string[];
  headers: Record<string, string>;
  disabled: boolean;
  /** The plaintext signing secret; sealed here like every endpoint secret. */
  secret: string;
}

export async function insertOperationalEndpoint(
  db: DbOrTx,
  endpoint: NewOperationalEndpoint,
  encryptionKey: Buffer | null,
  now: number,
): Promise<OperationalEndpoint> {
  const row = {
    id: newId('oep', now),
    workspace_id: endpoint.workspaceId,
    app_id: endpoint.appId,
    recipient_id: endpoint.recipientId,
    url: endpoint.url,
    description: null,
    event_types: toJson(endpoint.eventTypes),
    headers: toJson(endpoint.headers),
    rate_limit: null,
    disabled: endpoint.disabled ? 1 : 0,
    disabled_at: endpoint.disabled ? now : null,
    secret: sealSecret(endpoint.secret, encryptionKey),
    previous_secret: null,
    previous_secret_expires_at: null,
    consecutive_failures: 0,
    failing_since: null,
    created_at: now,
    updated_at: now,
  };
  await db('endpoints').insert(row);
  return toOperationalEndpoint({ ...row, format: endpoint.format });
}

/** The workspace's operational endpoint `id`, or null (another workspace's is null too). */
export async function findOperationalEndpoint(db: DbOrTx, workspaceId: string, id: string): Promise<OperationalEndpoint | null> {
  const row = (await selectOperational(db, workspaceId).andWhere('e.id', id).first()) as OperationalEndpointRow | undefined;
  return row ? toOperationalEndpoint(row) : null;
}

/** Newest first. */
export async function listOperationalEndpoints(
  db: DbOrTx,
  workspaceId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<OperationalEndpoint>> {
  return pageByIdDesc(selectOperational(db, workspaceId), { ...page, column: 'e.id' }, toOperationalEndpoint);
}

/** How many operational endpoints the workspace has (the plan's endpoint limit applies to them). */
export async function countOperationalEndpoints(db: DbOrTx, workspaceId: string): Promise<number> {
  const row = await db('endpoints').where({ workspace_id: workspaceId }).andWhere(operationalEndpoint('id')).count({ n: '*' }).first();
  return toNumber(row?.n ?? 0);
}

export interface OperationalEndpointPatch {
  url?: string;
  eventTypes?: string[];
  headers?: Record<string, string>;
  disabled?: boolean;
  /** A new format moves the endpoint to that format's system recipient. */
  format?: { format: OperationalFormat; recipientId: string };
}

/**
 * Applies the given fields (undefined = unchanged) and returns the endpoint as stored. Disabling
 * stamps `disabled_at`; enabling clears it and the failure streak, as for any endpoint.
 */
export async function updateOperationalEndpoint(
  db: DbOrTx,
  endpoint: OperationalEndpoint,
  patch: OperationalEndpointPatch,
  now: number,
): Promise<OperationalEndpoint> {
  const changes: Record<string, unknown> = { updated_at: now };
  if (patch.url !== undefined) changes.url = patch.url;
  if (patch.eventTypes !== undefined) changes.event_types = toJson(patch.eventTypes);
  if (patch.headers !== undefined) changes.headers = toJson(patch.headers);
  if (patch.format !== undefined) changes.recipient_id = patch.format.recipientId;
  if (patch.disabled !== undefined && patch.disabled !== endpoint.disabled) {
    Object.assign(
      changes,
      patch.disabled ? { disabled: 1, disabled_at: now } : { disabled: 0, disabled_at: null, consecutive_failures: 0, failing_since: null },
    );
  }
  await db('endpoints').where({ id: endpoint.id }).update(changes);
  return (await findOperationalEndpoint(db, endpoint.workspaceId, endpoint.id)) ?? endpoint;
}

/** Deletes the operational endpoint; its deliveries and attempts go with it (FK cascade). */
export async function deleteOperationalEndpoint(db: DbOrTx, id: string): Promise<boolean> {
  return (await db('endpoints').where({ id }).delete()) > 0;
}

/** What fan-out needs of an operational endpoint: no URL, no secret. */
export interface OperationalTarget {
  id: string;
  workspaceId: string;
  recipientId: string;
  eventTypes: string[];
  disabled: boolean;
}

/** Every operational endpoint of these system apps, ascending by id (the lock order attempt writers use). */
export async function listOperationalTargets(db: DbOrTx, appIds: string[]): Promise<OperationalTarget[]> {
  if (appIds.length === 0) return [];
  const rows = await db('endpoints')
    .whereIn('app_id', appIds)
    .orderBy('id', 'asc')
    .select<{ id: string; workspace_id: string; recipient_id: string; event_types: string; disabled: number | boolean }[]>(
      'id',
      'workspace_id',
      'recipient_id',
      'event_types',
      'disabled',
    );
  return rows.map((row) => ({
    id: row.id,
    workspaceId: row.workspace_id,
    recipientId: row.recipient_id,
    eventTypes: fromJson<string[]>(row.event_types, []),
    disabled: toBool(row.disabled),
  }));
}

/** The app and recipient of each endpoint id (what endpoint.disabled and message.failed name); missing ids are absent. */
export async function findEndpointOwners(db: DbOrTx, ids: string[]): Promise<Map<string, { appId: string; recipientId: string }>> {
  const owners = new Map<string, { appId: string; recipientId: string }>();
  if (ids.length === 0) return owners;
  const rows = await db('endpoints')
    .whereIn('id', [...new Set(ids)])
    .select<{ id: string; app_id: string; recipient_id: string }[]>('id', 'app_id', 'recipient_id');
  for (const row of rows) owners.set(row.id, { appId: row.app_id, recipientId: row.recipient_id });
  return owners;
}
