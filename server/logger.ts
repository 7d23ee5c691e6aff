import { pino, stdSerializers, type Logger } from 'pino';
import { isDatabaseError, redactDatabaseMessage, safeDatabaseError } from '../db/error-redaction.js';

/**
 * JSON-lines logger. Every `err` goes through {@link serializeError}, so no database error reaches
 * a line with its statement or bound values. Anything that could carry a key, a secret or a payload is redacted by path,
 * and request logs never include bodies, query strings or ingest/portal tokens.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'dispatch' },
      serializers: { err: serializeError },
      redact: {
        paths: [
          'authorization',
          '*.authorization',
          'headers.authorization',
          'req.headers.authorization',
          'secret',
          '*.secret',
          'key',
          '*.key',
          'payload',
          '*.payload',
          'body',
          '*.body',
          'token',
          '*.token',
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
  return path
    .replace(/[?#].*$/s, '')
    .replace(/^\/in\/[^/]+/, '/in/[token]')
    .replace(/\bps_[A-Za-z0-9]{20,}/g, 'ps_[token]');
}

/** How deep a chain of `cause`s is followed (a cycle or a pathological chain stops here). */
const MAX_CAUSE_DEPTH = 5;

/**
 * pino's `err` serializer with database errors reduced to their safe fields (code, errno, sqlState,
 * a message without statement and quoted values). pino's own serializer copies every enumerable
 * property and folds the causes' messages into the message, so an error that has a database error
 * anywhere in its cause chain is rebuilt here instead. A string logged as `err` (some workers log
 * `error.message`) is redacted as a database message: nothing tells whether it came from one.
 */
export function serializeError(value: unknown): unknown {
  return serializeAt(value, 0);
}

function serializeAt(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactDatabaseMessage(value);
  if (!(value instanceof Error)) return value;
  if (isDatabaseError(value)) return safeDatabaseError(value);
  if (!chainHasDatabaseError(value, depth)) return stdSerializers.err(value);
  const err = value as Error & { code?: unknown };
  return {
    type: err.name,
    message: redactDatabaseMessage(err.message),
    ...(typeof err.code === 'string' ? { code: err.code } : {}),
    ...(depth < MAX_CAUSE_DEPTH && err.cause !== undefined ? { cause: serializeAt(err.cause, depth + 1) } : {}),
    ...(value instanceof AggregateError ? { aggregateErrors: value.errors.map((inner) => serializeAt(inner, depth + 1)) } : {}),
  };
}

function chainHasDatabaseError(error: unknown, depth: number): boolean {
  if (depth > MAX_CAUSE_DEPTH || !(error instanceof Error)) return false;
  if (isDatabaseError(error)) return true;
  if (error instanceof AggregateError && error.errors.some((inner) => chainHasDatabaseError(inner, depth + 1))) return true;
  return chainHasDatabaseError(error.cause, depth + 1);
}
