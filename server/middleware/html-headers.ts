import type { Context, Next } from 'koa';

/**
 * The most restrictive policy, for HTML that no page of ours styles or scripts: anything else that
 * answers text/html (an ingest source's configured `response`, a provider handshake echo) can then
 * run nothing, load nothing and be framed by no one, even when a caller chose its bytes.
 */
export const LOCKED_DOWN_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox";

/**
 * Every answer gets `X-Content-Type-Options: nosniff` (so a body is never sniffed into HTML), and
 * every HTML answer that did not set its own Content-Security-Policy (/docs and /portal do) gets
 * the locked-down one with `X-Frame-Options: DENY` (CONTRACT §10).
 */
export function htmlSecurityHeaders() {
  return async function setSecurityHeaders(ctx: Context, next: Next) {
    try {
      await next();
    } finally {
      if (!ctx.response.get('x-content-type-options')) ctx.set('x-content-type-options', 'nosniff');
      if (ctx.response.is('html') && !ctx.response.get('content-security-policy')) {
        ctx.set('content-security-policy', LOCKED_DOWN_CSP);
        if (!ctx.response.get('x-frame-options')) ctx.set('x-frame-options', 'DENY');
      }
    }
  };
}
