import { pino, type Logger } from 'pino';

/**
 * JSON-lines logger. Anything that could carry a key, a secret or a payload is redacted by path,
 * and request logs never include bodies, query strings or ingest/portal tokens.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'dispatch' },
      redact: {
        paths: [
          'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
          'secret', '*.secret', 'key', '*.key', 'payload', '*.payload', 'body', '*.body', 'token', '*.token',
        ],
        censor: '[redacted]',
      },
    },
    destination as pino.DestinationStream | undefined,
  );
}

/**
 * A path safe to log: ingest tokens and portal tokens are cut out. Callers pass `ctx.path` (no
 * query string), but a query is dropped anyway so `/portal?token=ps_…` can never reach a log, and
 * any `ps_` token that lands in a path is masked.
 */
export function loggablePath(path: string): string {
  return path.replace(/[?#].*$/s, '').replace(/^\/in\/[^/]+/, '/in/[token]').replace(/\bps_[A-Za-z0-9]{20,}/g, 'ps_[token]');
}
