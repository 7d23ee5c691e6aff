import { isUtf8 } from 'node:buffer';
import type { Context, Middleware, Next } from 'koa';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { readRawBody } from '../middleware/body.js';
import { insertEvent, type NewEvent } from '../../db/queries/events.js';
import { checkedCredentialHeaders, isVerifying, verifyRequest } from './verifiers/index.js';
import { detectHandshake } from './handshakes.js';
import { answerAccepted, answerHandshake } from './ingest-answers.js';
import { sourceOptions } from './source-options.js';
import { redactHeaders } from './redaction.js';
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

async function handleIngest(deps: AppDeps, ctx: Context, token: string, subPath: string): Promise<void> {
  const source = await deps.sourceCache.lookup(token, deps.config.encryptionKey);
  if (!source) throw new AppError('source_not_found', 'No source has this ingest URL.');
  // the body is read at most once, by a handshake check or by the event path below
  let body: Promise<Buffer> | undefined;
  const readBody = () => (body ??= readRawBody(ctx, INGEST_BODY_LIMIT));
  // what Twilio and HubSpot sign: the public URL the provider was given, path and query as received
  const target = { method: ctx.method, url: deps.config.publicUrl + ctx.url };
  const options = sourceOptions(source.verification);
  const headers = storedHeaders(ctx);
  // handshakes come before the allowed-methods check (Meta and Twitter send GET): CONTRACT §9.4
  const handshake = await detectHandshake(
    { method: ctx.method, query: ctx.query, headers, target, nowMs: deps.clock.now(), readBody },
    source.verification,
    options,
  );
  if (handshake.kind === 'answered' || handshake.kind === 'forbidden') {
    answerHandshake(deps, ctx, handshake);
    return;
  }
  // a signed handshake that fails its signature is rejected and kept like any other request
  if (handshake.kind !== 'unverified' && !source.allowedMethods.includes(ctx.method)) {
    throw new AppError('method_not_allowed', `This source accepts ${source.allowedMethods.join(', ')} only.`, {
      headers: { Allow: source.allowedMethods.join(', ') },
    });
  }
  const raw = await readBody();
  const now = deps.clock.now();
  const verdict = verifyRequest(raw, headers, source.verification, now, target);
  const event: NewEvent = {
    workspaceId: source.workspaceId,
    sourceId: source.id,
    method: ctx.method,
    // only the part after the token: the token is a credential and is not repeated on events
    path: subPath || '/',
    query: ctx.querystring,
    // the credential the scheme just checked is Dispatch's alone: never stored (CONTRACT §10)
    headers: redactHeaders(headers, checkedCredentialHeaders(source.verification)),
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
    deps.emit('ingested', { status: 'rejected', sourceId: source.id, workspaceId: source.workspaceId, eventId });
    throw new AppError('signature_invalid');
  }

  const stored = await storeAcceptedEvent(deps, source, event, raw, now);
  // after commit: a listener's bug must not turn a stored event into a 500
  if (stored.queued) deps.emit('work');
  deps.emit('ingested', {
    status: stored.duplicate ? 'duplicate' : 'accepted',
    sourceId: source.id,
    workspaceId: source.workspaceId,
    eventId: stored.eventId,
  });
  answerAccepted(
    ctx,
    options.response,
    stored.duplicate ? { ok: true, event_id: stored.eventId, duplicate: true } : { ok: true, event_id: stored.eventId },
  );
}

/**
 * The public ingest endpoint `ANY /in/:token`: no API key (the token and the source's
 * verification are the credentials). Mounted behind the error boundary so failures answer the
 * usual JSON error body; answers 200 only after the event (and its forward) is committed.
 */
export function ingestRouter(deps: AppDeps): Middleware {
  return async function ingest(ctx: Context, next: Next) {
    const match = INGEST_PATH.exec(ctx.path);
    if (!match) {
      await next();
      return;
    }
    await handleIngest(deps, ctx, match[1], match[2] ?? '');
  };
}
