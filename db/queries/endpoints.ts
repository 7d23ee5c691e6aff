import { isMysql, type DbOrTx } from '../index.js';
import { newId } from '../ids.js';
import { openSecret, sealSecret } from '../secret-sealing.js';
import { openAuth, publicAuth, sealAuth, type EndpointAuth, type PublicEndpointAuth } from './endpoint-auth.js';
import type { Ordering } from './fifo-lanes.js';
import { fromJson, toBool, toJson, toNumber, toNumberOrNull } from './json.js';
import { pageByIdDesc, type Page } from './pagination.js';

/** How long a rotated-out secret keeps signing next to the new one. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 60 * 60 * 1000;

/** An endpoint without its secrets (what lists and reads return). */
export interface Endpoint {
  id: string;
  workspaceId: string;
  appId: string;
  recipientId: string;
  url: string;
  description: string | null;
  /** Event type names this endpoint receives; empty = all. */
  eventTypes: string[];
  /** Extra headers added to every delivery. */
  headers: Record<string, string>;
  /** Max deliveries per rolling second; null = unlimited. */
  rateLimit: number | null;
  disabled: boolean;
  disabledAt: number | null;
  consecutiveFailures: number;
  failingSince: number | null;
  /** Payload filter (CONTRACT §8.1); null = every payload. */
  filter: Record<string, unknown> | null;
  /** Retry delays as given (`["5s","1m"]`), overriding DISPATCH_RETRY_SCHEDULE; null = the global one. */
  retrySchedule: string[] | null;
  /** Per-attempt timeout as given (`"10s"`), overriding DISPATCH_REQUEST_TIMEOUT; null = the global one. */
  timeout: string | null;
  /** `fifo`: one delivery at a time, in accept order (db/queries/fifo-lanes.ts). */
  ordering: Ordering;
  /** Credentials presented to the receiver, secrets shown as null. */
  auth: PublicEndpointAuth | null;
  createdAt: number;
  updatedAt: number;
}

/** An endpoint with its opened signing secrets: the current one first, then the previous one while unexpired. */
export interface DeliverableEndpoint extends Endpoint {
  secrets: string[];
  /** `auth` with its secrets opened. */
  credentials: EndpointAuth | null;
}

/** How to open stored secrets: the configured encryption key (null = stored plain) and now. */
export interface SecretOptions {
  encryptionKey?: Buffer | null;
  /** The caller's clock: the previous secret still signs until its expiry. */
  now: number;
}

interface EndpointRow {
  id: string;
  workspace_id: string;
  app_id: string;
  recipient_id: string;
  url: string;
  description: string | null;
  event_types: string;
  headers: string;
  rate_limit: number | null;
  disabled: number | boolean;
  disabled_at: number | string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | string | null;
  consecutive_failures: number | string;
  failing_since: number | string | null;
  filter: string | null;
  retry_schedule: string | null;
  timeout: string | null;
  ordering: string;
  auth: string | null;
  created_at: number | string;
  updated_at: number | string;
}

const toEndpoint = (row: EndpointRow): Endpoint => ({
  id: row.id,
  workspaceId: row.workspace_id,
  appId: row.app_id,
  recipientId: row.recipient_id,
  url: row.url,
  description: row.description,
  eventTypes: fromJson<string[]>(row.event_types, []),
  headers: fromJson<Record<string, string>>(row.headers, {}),
  rateLimit: toNumberOrNull(row.rate_limit),
  disabled: toBool(row.disabled),
  disabledAt: toNumberOrNull(row.disabled_at),
  consecutiveFailures: toNumber(row.consecutive_failures),
  failingSince: toNumberOrNull(row.failing_since),
  filter: fromJson<Record<string, unknown> | null>(row.filter, null),
  retrySchedule: fromJson<string[] | null>(row.retry_schedule, null),
  timeout: row.timeout,
  ordering: row.ordering === 'fifo' ? 'fifo' : 'none',
  auth: publicAuth(row.auth),
  createdAt: toNumber(row.created_at),
  updatedAt: toNumber(row.updated_at),
});

function openSecrets(row: EndpointRow, options: SecretOptions): string[] {
  const key = options.encryptionKey ?? null;
  const secrets = [openSecret(row.secret, key)];
  const expiresAt = toNumberOrNull(row.previous_secret_expires_at);
  if (row.previous_secret && expiresAt !== null && expiresAt > options.now) secrets.push(openSecret(row.previous_secret, key));
  return secrets;
}

const toDeliverable = (row: EndpointRow, options: SecretOptions): DeliverableEndpoint => ({
  ...toEndpoint(row),
  secrets: openSecrets(row, options),
  credentials: openAuth(row.auth, options.encryptionKey ?? null),
});

export interface NewEndpoint {
  workspaceId: string;
  appId: string;
  recipientId: string;
  url: string;
  description?: string | null;
  eventTypes?: string[];
  headers?: Record<string, string>;
  rateLimit?: number | null;
  disabled?: boolean;
  filter?: Record<string, unknown> | null;
  retrySchedule?: string[] | null;
  timeout?: string | null;
  ordering?: Ordering;
  /** Plaintext credentials; their secrets are sealed here before they are stored. */
  auth?: EndpointAuth | null;
  /** The plaintext signing secret; sealed here before it is stored. */
  secret: string;
}

export async function insertEndpoint(db: DbOrTx, endpoint: NewEndpoint, encryptionKey: Buffer | null, now: number): Promise<Endpoint> {
  const disabled = endpoint.disabled ?? false;
  const row: EndpointRow = {
    id: newId('ep', now),
    workspace_id: endpoint.workspaceId,
    app_id: endpoint.appId,
    recipient_id: endpoint.recipientId,
    url: endpoint.url,
    description: endpoint.description ?? null,
    event_types: toJson(endpoint.eventTypes ?? []),
    headers: toJson(endpoint.headers ?? {}),
    rate_limit: endpoint.rateLimit ?? null,
    disabled: disabled ? 1 : 0,
    disabled_at: disabled ? now : null,
    secret: sealSecret(endpoint.secret, encryptionKey),
    previous_secret: null,
    previous_secret_expires_at: null,
    consecutive_failures: 0,
    failing_since: null,
    filter: endpoint.filter ? toJson(endpoint.filter) : null,
    retry_schedule: endpoint.retrySchedule ? toJson(endpoint.retrySchedule) : null,
    timeout: endpoint.timeout ?? null,
    ordering: endpoint.ordering ?? 'none',
    auth: sealAuth(endpoint.auth ?? null, encryptionKey),
    created_at: now,
    updated_at: now,
  };
  await db('endpoints').insert(row);
  return toEndpoint(row);
}

/** Where to look for an endpoint: under one recipient (its id), or anywhere in an app or workspace. */
export type EndpointScope = string | { appId: string } | { workspaceId: string };

function whereScope(scope: EndpointScope): Record<string, string> {
  if (typeof scope === 'string') return { recipient_id: scope };
  if ('appId' in scope) return { app_id: scope.appId };
  return { workspace_id: scope.workspaceId };
}

/**
 * The endpoint `id` if it lies within `scope` (a recipient id, `{appId}` or `{workspaceId}`);
 * an endpoint of another recipient, app or workspace is null, so callers answer 404.
 */
export async function findEndpoint(db: DbOrTx, scope: EndpointScope, id: string): Promise<Endpoint | null> {
  const row = (await db('endpoints')
    .where({ ...whereScope(scope), id })
    .first()) as EndpointRow | undefined;
  return row ? toEndpoint(row) : null;
}

export async function listEndpoints(db: DbOrTx, recipientId: string, page: { limit: number; cursor?: string }): Promise<Page<Endpoint>> {
  return pageByIdDesc(db('endpoints').where({ recipient_id: recipientId }), page, toEndpoint);
}

/** The recipient's endpoint count; with `lock` (in a transaction) the recipient row is locked first on MySQL, as countApps does. */
export async function countEndpoints(db: DbOrTx, recipientId: string, options: { lock?: boolean } = {}): Promise<number> {
  if (options.lock && isMysql(db)) await db('recipients').where({ id: recipientId }).select('id').forUpdate();
  const row = await db('endpoints').where({ recipient_id: recipientId }).count({ n: '*' }).first();
  return toNumber(row?.n ?? 0);
}

/** One endpoint by id with its opened secrets (the dispatcher re-reads it before each attempt). */
export async function findDeliverableEndpoint(db: DbOrTx, id: string, options: SecretOptions): Promise<DeliverableEndpoint | null> {
  const row = (await db('endpoints').where({ id }).first()) as EndpointRow | undefined;
  return row ? toDeliverable(row, options) : null;
}

/**
 * Several endpoints by id at once (the dispatcher resolving a claimed batch: a fan-out to 1,000
 * endpoints is a handful of statements instead of one per endpoint). An endpoint whose secret
 * cannot be opened maps to its Error, so one bad row never hides the others; missing ids are absent.
 */
export async function findDeliverableEndpoints(
  db: DbOrTx,
  ids: string[],
  options: SecretOptions,
): Promise<Map<string, DeliverableEndpoint | Error>> {
  const found = new Map<string, DeliverableEndpoint | Error>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = (await db('endpoints').whereIn('id', ids.slice(i, i + 500))) as EndpointRow[];
    for (const row of rows) {
      try {
        found.set(row.id, toDeliverable(row, options));
      } catch (thrown) {
        found.set(row.id, thrown instanceof Error ? thrown : new Error(String(thrown)));
      }
    }
  }
  return found;
}

export interface EndpointPatch {
  url?: string;
  description?: string | null;
  eventTypes?: string[];
  headers?: Record<string, string>;
  rateLimit?: number | null;
  disabled?: boolean;
  /** null clears the override. */
  filter?: Record<string, unknown> | null;
  retrySchedule?: string[] | null;
  timeout?: string | null;
}

/**
 * Applies the given fields (undefined = unchanged). Disabling stamps `disabled_at`; enabling
 * clears it and the failure streak, so the endpoint starts over as healthy.
 */
export async function updateEndpoint(db: DbOrTx, endpoint: Endpoint, patch: EndpointPatch, now: number): Promise<Endpoint> {
  const changes: Partial<EndpointRow> = { updated_at: now };
  if (patch.url !== undefined) changes.url = patch.url;
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.eventTypes !== undefined) changes.event_types = toJson(patch.eventTypes);
  if (patch.headers !== undefined) changes.headers = toJson(patch.headers);
  if (patch.rateLimit !== undefined) changes.rate_limit = patch.rateLimit;
  if (patch.filter !== undefined) changes.filter = patch.filter === null ? null : toJson(patch.filter);
  if (patch.retrySchedule !== undefined) changes.retry_schedule = patch.retrySchedule === null ? null : toJson(patch.retrySchedule);
  if (patch.timeout !== undefined) changes.timeout = patch.timeout;
  if (patch.disabled !== undefined && patch.disabled !== endpoint.disabled) Object.assign(changes, disabledChanges(patch.disabled, now));
  await db('endpoints').where({ id: endpoint.id }).update(changes);
  const row = (await db('endpoints').where({ id: endpoint.id }).first()) as EndpointRow;
  return toEndpoint(row);
}

function disabledChanges(disabled: boolean, now: number): Partial<EndpointRow> {
  return disabled ? { disabled: 1, disabled_at: now } : { disabled: 0, disabled_at: null, consecutive_failures: 0, failing_since: null };
}

/**
 * Disables or re-enables an endpoint by id (the auto-disable path and PATCH share it). Returns
 * false when the endpoint does not exist or already was in that state.
 */
export async function setEndpointDisabled(db: DbOrTx, id: string, disabled: boolean, now: number): Promise<boolean> {
  const changed = await db('endpoints')
    .where({ id, disabled: disabled ? 0 : 1 })
    .update({ ...disabledChanges(disabled, now), updated_at: now });
  return changed > 0;
}

/** Deletes the endpoint; its deliveries go with it (FK cascade). */
export async function deleteEndpoint(db: DbOrTx, id: string): Promise<boolean> {
  return (await db('endpoints').where({ id }).delete()) > 0;
}
