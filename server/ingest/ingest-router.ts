import { isUtf8 } from 'node:buffer';
import type { Context, Middleware, Next } from 'koa';
import type { AppDeps } from '../deps.js';
import { AppError, coerceError } from '../errors.js';
import { readRawBody } from '../middleware/body.js';
import { findSourceByToken, type OpenedSource } from '../../db/queries/sources.js';
import { insertEvent, type NewEvent } from '../../db/queries/events.js';
import { isVerifying, verifyRequest, type IncomingHeaders } from './verifiers/index.js';
import { storeAcceptedEvent } from './store-event.js';

/** Ingest bodies are capped at 5 MiB (413 payload_too_large beyond). */
export const INGEST_BODY_LIMIT = 5 * 1024 * 1024;

/** `/in/<token>` optionally followed by a sub-path the sender chose (stored on the event). */
const INGEST_PATH = /^\/in\/([^/]+)(\/.*)?$/;

/** The request headers as stored: lower-cased names (Node already lower-cases), arrays kept for repeats. */
function storedHeaders(ctx: Context): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(ctx.req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  return headers;
}

/** The body as stored: UTF-8 text when the bytes are valid UTF-8, base64 otherwise. */
export function encodeBody(raw: Buffer): { body: string; bodyEncoding: 'utf8' | 'base64' } {
  return isUtf8(raw) ? { body: raw.toString('utf8'), bodyEncoding: 'utf8' } : { body: raw.toString('base64'), bodyEncoding: 'base64' };
}

/**
 * Token lookups are remembered for up to 1 s: a busy source costs one query less per request.
 * Only the token's existence, allowed methods and verification settings come from here (a change
 * reaches every process within 1 s, as API-key revocation does); pause, destination and dedupe are
 * re-read under a row lock in the storing transaction, and a deleted source is caught there too.
 */
const SOURCE_CACHE_TTL_MS = 1000;
const SOURCE_CACHE_MAX = 10_000;
const sourceCache = new Map<string, { source: OpenedSource | null; expiresAt: number }>();

async function lookupSource(deps: AppDeps, token: string): Promise<OpenedSource | null> {
  const now = Date.now();
  const cached = sourceCache.get(token);
  if (cached && cached.expiresAt > now) return cached.source;
  const source = await findSourceByToken(deps.db, token, deps.config.encryptionKey);
  // unknown tokens are not remembered: a guessing client must not fill the cache
  if (source) {
    if (sourceCache.size >= SOURCE_CACHE_MAX) sourceCache.clear();
    sourceCache.set(token, { source, expiresAt: now + SOURCE_CACHE_TTL_MS });
  } else sourceCache.delete(token);
  return source;
}

/** Forgets cached token lookups (after a source is changed or deleted on this process). */
export function clearSourceCache(): void {
  sourceCache.clear();
}

/** Emits an in-process signal after commit; a listener's bug must not turn a stored event into a 500. */
function emitSignal(deps: AppDeps, name: string, payload?: unknown): void {
  try {
    deps.signals.emit(name, payload);
  } catch (thrown) {
    deps.logger.error({ err: coerceError(thrown), signal: name }, 'signal listener failed');
  }
}

async function handleIngest(deps: AppDeps, ctx: Context, token: string, subPath: string): Promise<void> {
  const source = await lookupSource(deps, token);
  if (!source) throw new AppError('source_not_found', 'No source has this ingest URL.');
  if (!source.allowedMethods.includes(ctx.method)) {
    throw new AppError('method_not_allowed', `This source accepts ${source.allowedMethods.join(', ')} only.`, {
      headers: { Allow: source.allowedMethods.join(', ') },
    });
  }
  const raw = await readRawBody(ctx, INGEST_BODY_LIMIT);
  const now = deps.clock.now();
  const headers = storedHeaders(ctx);
  const verdict = verifyRequest(raw, headers as IncomingHeaders, source.verification, now);
  const event: NewEvent = {
    workspaceId: source.workspaceId,
    sourceId: source.id,
    method: ctx.method,
    // only the part after the token: the token is a credential and is not repeated on events
    path: subPath || '/',
    query: ctx.querystring,
    headers,
    ...encodeBody(raw),
    verified: verdict.ok && isVerifying(source.verification),
    // as stored when verification fails; the accepting paths decide held/pending/duplicate
    status: 'rejected',
    rejectionReason: verdict.ok ? null : verdict.reason,
    duplicateOf: null,
    dedupeKey: null,
  };

  if (!verdict.ok) {
    const eventId = await insertEvent(deps.db, event, now);
    deps.logger.info({ source_id: source.id, event_id: eventId, reason: verdict.reason }, 'ingest request rejected');
    emitSignal(deps, 'ingested', { status: 'rejected', sourceId: source.id, workspaceId: source.workspaceId, eventId });
    throw new AppError('signature_invalid');
  }

  const stored = await storeAcceptedEvent(deps, source, event, raw, now);
  if (stored.queued) emitSignal(deps, 'work');
  emitSignal(deps, 'ingested', { status: stored.duplicate ? 'duplicate' : 'accepted', sourceId: source.id, workspaceId: source.workspaceId, eventId: stored.eventId });
  ctx.status = 200;
  ctx.body = stored.duplicate ? { ok: true, event_id: stored.eventId, duplicate: true } : { ok: true, event_id: stored.eventId };
}

/**
 * The public ingest endpoint `ANY /in/:token`: no API key (the token and the source's
 * verification are the credentials). Mounted behind the error boundary so failures answer the
 * usual JSON error body; answers 200 only after the event (and its forward) is committed.
 */
export function ingestRouter(deps: AppDeps): Middleware {
  return async function ingest(ctx: Context, next: Next) {
    const match = INGEST_PATH.exec(ctx.path);
    if (!match) return next();
    await handleIngest(deps, ctx, match[1], match[2] ?? '');
  };
}
