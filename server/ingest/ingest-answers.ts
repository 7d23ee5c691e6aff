import type { Context } from 'koa';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { LOCKED_DOWN_CSP } from '../middleware/html-headers.js';
import type { HandshakeOutcome } from './handshakes.js';
import type { IngestResponse } from './source-options.js';

/**
 * Answers a handshake Dispatch handles itself (never stored as an event), counting it in
 * `dispatch_ingest_handshakes_total{type}`; a Meta verify token that does not match → 403.
 */
export function answerHandshake(
  deps: AppDeps,
  ctx: Context,
  handshake: Extract<HandshakeOutcome, { kind: 'answered' | 'forbidden' }>,
): void {
  if (handshake.kind === 'forbidden') {
    throw new AppError('verification_failed', 'hub.verify_token does not match the verify token of this source.');
  }
  deps.metrics.countHandshake(handshake.type);
  ctx.status = handshake.status;
  ctx.type = handshake.contentType;
  ctx.body = handshake.body;
}

/**
 * Answers an accepted (or duplicate) request: the source's own `response` when it set one,
 * otherwise the default JSON (`{"ok":true,"event_id":…}`).
 */
export function answerAccepted(ctx: Context, response: IngestResponse | null, defaultBody: object): void {
  if (!response) {
    ctx.status = 200;
    ctx.body = defaultBody;
    return;
  }
  ctx.status = response.status;
  if (response.body === undefined || response.status === 204 || response.status === 205) {
    ctx.body = null;
    // Koa turns a null body into 204; the configured status stands
    ctx.status = response.status;
    if (response.content_type) ctx.type = response.content_type;
    return;
  }
  ctx.type = response.content_type ?? 'text/plain; charset=utf-8';
  // whatever type the source chose (XHTML and SVG run scripts too, not only text/html), a body
  // served from Dispatch's origin can run nothing
  ctx.set('content-security-policy', LOCKED_DOWN_CSP);
  ctx.body = response.body;
}
