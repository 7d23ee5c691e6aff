import { StorageError, UniqueViolation } from '../db/errors.js';

/**
 * The one error table: every error code Dispatch answers with, its HTTP status and the sentence
 * used when the thrower gives none. README.md's error table is checked against it by a test.
 */
export const ERROR_TABLE = {
  invalid_request: { status: 400, message: 'The request does not match the expected schema.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  event_type_archived: { status: 400, message: 'The event type is archived and takes no new messages.' },
  payload_invalid: { status: 400, message: "The payload does not match the event type's JSON Schema." },
  destination_invalid: { status: 400, message: 'The destination URL is not allowed.' },
  payload_expired: { status: 400, message: 'The payload was purged by the retention policy and cannot be replayed.' },
  unauthorized: { status: 401, message: 'A valid API key is required.' },
  signature_invalid: { status: 401, message: 'The request signature or credentials could not be verified.' },
  missing_scope: { status: 403, message: 'The API key does not have the required scope.' },
  verification_failed: { status: 403, message: "The handshake's verify token does not match the source's." },
  app_not_found: { status: 404, message: 'The app was not found.' },
  recipient_not_found: { status: 404, message: 'The recipient was not found.' },
  endpoint_not_found: { status: 404, message: 'The endpoint was not found.' },
  event_type_not_found: { status: 404, message: 'The event type was not found.' },
  message_not_found: { status: 404, message: 'The message was not found.' },
  event_not_found: { status: 404, message: 'The event was not found.' },
  source_not_found: { status: 404, message: 'The source was not found.' },
  anomaly_not_found: { status: 404, message: 'The anomaly was not found.' },
  key_not_found: { status: 404, message: 'The API key was not found.' },
  route_not_found: { status: 404, message: 'No route matches this method and path.' },
  method_not_allowed: { status: 405, message: 'The source does not accept this HTTP method.' },
  conflict: { status: 409, message: 'A resource with this identifier already exists.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  plan_limit_reached: { status: 429, message: 'The plan limit for this resource was reached.' },
  rate_limited: { status: 429, message: 'Too many requests; retry after the given delay.' },
  internal_error: { status: 500, message: 'An internal error occurred.' },
  database_unavailable: { status: 503, message: 'The database cannot be reached; nothing was accepted. Retry.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export interface ErrorDetail {
  path: string;
  message: string;
}

/** Every expected failure is thrown as an AppError; the error boundary turns it into the JSON body. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly extra: { details?: ErrorDetail[]; required_scope?: string; headers?: Record<string, string> } = {},
  ) {
    super(message ?? ERROR_TABLE[code].message);
    this.name = 'AppError';
    this.status = ERROR_TABLE[code].status;
  }
}

/**
 * What a refused write means to an API client, by the storage error's `table.column`: the one
 * place storage errors become codes, so no route maps them itself.
 */
const STORAGE_ANSWERS: Readonly<Record<string, (value: unknown) => AppError>> = {
  'apps.uid': (uid) => new AppError('conflict', `An app with uid "${String(uid)}" already exists.`),
  'recipients.uid': (uid) => new AppError('conflict', `A recipient with uid "${String(uid)}" already exists in this app.`),
  'event_types.name': (name) => new AppError('conflict', `An event type named "${String(name)}" already exists in this app.`),
  // the source was deleted between the ingest URL's lookup and storing the event
  'events.source_id': () => new AppError('source_not_found', 'No source has this ingest URL.'),
};

/**
 * The AppError a storage error (db/errors.ts) is answered with, or null for anything else. A
 * unique violation not listed above is still a 409; an unlisted missing reference is a bug (500).
 */
export function appErrorFromStorage(error: unknown): AppError | null {
  if (!(error instanceof StorageError)) return null;
  const answer = STORAGE_ANSWERS[`${error.table}.${error.column}`];
  if (answer) return answer(error.value);
  return error instanceof UniqueViolation ? new AppError('conflict') : null;
}

/** Turns any thrown value into an Error (a listener may throw a string or undefined). */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : `non-error thrown: ${String(thrown)}`);
}

/**
 * Codes that mean the database (or the connection to it) is gone, not that the statement is wrong:
 * socket errors, mysql2's protocol errors, MariaDB's shutdown/kill/network errors and client-side
 * "server has gone away"/"lost connection", SQLite's busy/unopenable file, and a lock wait that
 * timed out (the row is held by a session that may never come back).
 */
const CONNECTION_ERRORS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'PROTOCOL_ENQUEUE_HANDSHAKE_TWICE',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_PACKETS_OUT_OF_ORDER',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'ER_ABORTING_CONNECTION',
  'ER_NEW_ABORTING_CONNECTION',
  'ER_NET_READ_ERROR',
  'ER_NET_READ_INTERRUPTED',
  'ER_NET_ERROR_ON_WRITE',
  'ER_NET_WRITE_INTERRUPTED',
  'ER_NET_PACKETS_OUT_OF_ORDER',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_HOST_IS_BLOCKED',
  'ER_LOCK_WAIT_TIMEOUT',
  'CR_SERVER_GONE_ERROR',
  'CR_SERVER_LOST',
  'CR_CONNECTION_ERROR',
  'CR_CONN_HOST_ERROR',
  'SQLITE_BUSY',
  'SQLITE_CANTOPEN',
]);

/** Client error numbers for the same conditions, for drivers that set `errno` without a known code. */
const CONNECTION_ERRNOS: ReadonlySet<number> = new Set([
  1040, 1053, 1152, 1158, 1159, 1160, 1161, 1184, 1205, 1317, 1927, 2002, 2003, 2006, 2013, 2055,
]);

/**
 * Messages of connection failures that carry no code: mysql2 rejects a command on a connection
 * that already failed with "Can't add new command when connection is in closed state", knex
 * refuses a pool that was destroyed. knex puts the statement in front, so these are substrings.
 */
const CONNECTION_MESSAGES = [
  "Can't add new command when connection is in closed state",
  "Can't write in closed state",
  'Connection lost: The server closed the connection',
  'Pool is closed',
  'Unable to acquire a connection',
  'Timeout acquiring a connection',
] as const;

/** How deep a `cause` chain is followed (knex and callers may wrap the driver's error). */
const MAX_CAUSE_DEPTH = 5;

/**
 * True when the error means the database could not be reached or the connection died, in any
 * shape the drivers produce (answered as 503 `database_unavailable`). mysql2 marks every error
 * that leaves its connection unusable `fatal: true`, with or without a code.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return isUnavailableAt(error, 0);
}

function isUnavailableAt(error: unknown, depth: number): boolean {
  if (typeof error !== 'object' || error === null || depth > MAX_CAUSE_DEPTH) return false;
  const err = error as { code?: unknown; errno?: unknown; name?: unknown; message?: unknown; fatal?: unknown; cause?: unknown };
  if (typeof err.code === 'string' && CONNECTION_ERRORS.has(err.code)) return true;
  if (typeof err.errno === 'number' && CONNECTION_ERRNOS.has(err.errno)) return true;
  if (err.fatal === true || err.name === 'KnexTimeoutError') return true;
  const message = typeof err.message === 'string' ? err.message : '';
  if (CONNECTION_MESSAGES.some((known) => message.includes(known))) return true;
  return isUnavailableAt(err.cause, depth + 1);
}
