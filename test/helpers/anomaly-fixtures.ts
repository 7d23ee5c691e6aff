/**
 * Rows for anomaly tests whose conditions need history (events spread over the last hour,
 * deliveries pending for ten minutes, long failure streaks): written straight to the test
 * database with the same columns the product writes, at times taken from an injected clock.
 */
import type { Db } from '../../db/index.js';
import { newId } from '../../db/ids.js';
import type { Clock } from '../../server/deps.js';
import type { Json } from './json.js';

export const MINUTE = 60_000;

/** A clock the test moves by hand. */
export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function manualClock(start = Date.UTC(2026, 10, 26, 12, 0, 0)): ManualClock {
  let current = start;
  return {
    now: () => current,
    set(ms) {
      current = ms;
    },
    advance(ms) {
      current += ms;
    },
  };
}

export interface Target {
  kind: 'endpoint' | 'source';
  id: string;
  workspaceId: string;
}

/** An app, a recipient and one endpoint of the workspace (what the endpoints API would create). */
export async function insertEndpoint(
  db: Db,
  workspaceId: string,
  now: number,
  fields: { url?: string; disabled?: boolean; disabledAt?: number | null; failingSince?: number | null; consecutiveFailures?: number } = {},
): Promise<Target> {
  const appId = newId('app', now);
  const recipientId = newId('rcp', now);
  const id = newId('ep', now);
  await db('apps').insert({
    id: appId,
    workspace_id: workspaceId,
    uid: null,
    name: 'billing',
    metadata: '{}',
    created_at: now,
    updated_at: now,
  });
  await db('recipients').insert({
    id: recipientId,
    workspace_id: workspaceId,
    app_id: appId,
    uid: null,
    name: 'acme',
    metadata: '{}',
    created_at: now,
    updated_at: now,
  });
  await db('endpoints').insert({
    id,
    workspace_id: workspaceId,
    app_id: appId,
    recipient_id: recipientId,
    url: fields.url ?? 'https://hooks.example.com/dispatch?token=secret',
    description: null,
    event_types: '[]',
    headers: '{}',
    rate_limit: null,
    disabled: fields.disabled ? 1 : 0,
    disabled_at: fields.disabledAt ?? null,
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    previous_secret: null,
    previous_secret_expires_at: null,
    consecutive_failures: fields.consecutiveFailures ?? 0,
    failing_since: fields.failingSince ?? null,
    created_at: now,
    updated_at: now,
  });
  return { kind: 'endpoint', id, workspaceId };
}

/** A source with a destination (what the sources API would create). */
export async function insertSource(db: Db, workspaceId: string, now: number, name = 'stripe-prod'): Promise<Target> {
  const id = newId('src', now);
  await db('sources').insert({
    id,
    workspace_id: workspaceId,
    name,
    token: newId('src', now).slice(4),
    verification: '{"type":"none"}',
    destination: '{"url":"https://backend.example.com/hooks"}',
    dedupe: null,
    allowed_methods: '["POST"]',
    forward_secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    paused: 0,
    consecutive_failures: 0,
    created_at: now,
    updated_at: now,
  });
  return { kind: 'source', id, workspaceId };
}

/** One event per timestamp, with the given status (`rejected` for failed verification). */
export async function insertEvents(db: Db, source: Target, times: number[], status = 'delivered'): Promise<string[]> {
  const rows = times.map((at) => ({
    id: newId('evt', at),
    workspace_id: source.workspaceId,
    source_id: source.id,
    method: 'POST',
    path: '/',
    query: '',
    headers: '{}',
    body: '{}',
    body_encoding: 'utf8',
    body_expired: 0,
    verified: status === 'rejected' ? 0 : 1,
    status,
    rejection_reason: status === 'rejected' ? 'signature_mismatch' : null,
    duplicate_of: null,
    dedupe_key: null,
    created_at: at,
  }));
  for (let i = 0; i < rows.length; i += 100) await db('events').insert(rows.slice(i, i + 100));
  return rows.map((row) => row.id);
}

/** `count` timestamps spread evenly over (from, to]. */
export function spread(count: number, from: number, to: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.floor(to - ((to - from) * i) / count));
}

/** A delivery of the target (pending unless told), created at `createdAt`. */
export async function insertDelivery(db: Db, target: Target, createdAt: number, status = 'pending'): Promise<string> {
  const id = newId('dlv', createdAt);
  await db('deliveries').insert({
    id,
    workspace_id: target.workspaceId,
    message_id: null,
    endpoint_id: target.kind === 'endpoint' ? target.id : null,
    event_id: target.kind === 'source' ? newId('evt', createdAt) : null,
    source_id: target.kind === 'source' ? target.id : null,
    trigger: 'scheduled',
    status,
    attempts: 0,
    max_attempts: 8,
    next_attempt_at: status === 'pending' ? createdAt : null,
    due_at: status === 'pending' ? createdAt : null,
    locked_by: null,
    created_at: createdAt,
    updated_at: createdAt,
  });
  return id;
}

/** Attempt rows for the target, oldest first, one millisecond apart from `start`. */
export async function insertAttempts(db: Db, target: Target, statuses: ('failed' | 'succeeded')[], start: number): Promise<string[]> {
  const ids: string[] = [];
  let at = start;
  for (const status of statuses) {
    const id = newId('atm', at);
    await db('attempts').insert({
      id,
      workspace_id: target.workspaceId,
      delivery_id: newId('dlv', at),
      message_id: null,
      endpoint_id: target.kind === 'endpoint' ? target.id : null,
      event_id: null,
      source_id: target.kind === 'source' ? target.id : null,
      attempt: 1,
      trigger: 'scheduled',
      status,
      response_status: status === 'failed' ? 500 : 200,
      response_body: null,
      error: status === 'failed' ? 'http_status' : null,
      duration_ms: 3,
      created_at: at,
    });
    ids.push(id);
    at += 1;
  }
  return ids;
}

/** The anomaly rows of a subject, oldest first. */
export async function anomalyRows(db: Db, subjectId: string, type?: string) {
  const query = db('anomalies').where({ subject_id: subjectId }).orderBy('id', 'asc');
  if (type) query.andWhere({ type });
  return query;
}

/** Polls `check` until it returns a truthy value (no fixed sleeps); fails after `timeoutMs`. */
export async function waitUntil<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The API calls of a test server that the fixtures use (keeps this helper free of the server type). */
interface ApiCaller {
  workspaceId: string;
  request(method: string, path: string, options?: { body?: unknown }): Promise<{ status: number; body: Json }>;
}

/** An app, a recipient and an endpoint created through the real API; returns the endpoint and its API path. */
export async function createEndpointViaApi(
  server: ApiCaller,
  url = 'https://hooks.example.com/dispatch',
): Promise<Target & { path: string }> {
  const app = await server.request('POST', '/api/v1/apps', { body: { name: 'billing' } });
  if (app.status !== 201) throw new Error(`app create answered ${app.status}`);
  const recipient = await server.request('POST', `/api/v1/apps/${app.body.data.id}/recipients`, { body: { name: 'acme' } });
  if (recipient.status !== 201) throw new Error(`recipient create answered ${recipient.status}`);
  const base = `/api/v1/apps/${app.body.data.id}/recipients/${recipient.body.data.id}/endpoints`;
  const endpoint = await server.request('POST', base, { body: { url } });
  if (endpoint.status !== 201) throw new Error(`endpoint create answered ${endpoint.status}: ${JSON.stringify(endpoint.body)}`);
  return { kind: 'endpoint', id: endpoint.body.data.id, workspaceId: server.workspaceId, path: `${base}/${endpoint.body.data.id}` };
}
