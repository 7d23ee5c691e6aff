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

/** Turns any thrown value into an Error (a listener may throw a string or undefined). */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : `non-error thrown: ${String(thrown)}`);
}

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR', 'SQLITE_BUSY', 'SQLITE_CANTOPEN', 'ER_LOCK_WAIT_TIMEOUT',
]);

/** True when the error means the database could not be reached (answered as 503). */
export function isDatabaseUnavailable(error: unknown): boolean {
  const err = error as { code?: string; name?: string; message?: string };
  if (err?.code && CONNECTION_ERRORS.has(err.code)) return true;
  return err?.name === 'KnexTimeoutError';
}
