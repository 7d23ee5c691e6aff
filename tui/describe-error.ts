import { ApiError } from './api-client.js';

const WORDS: Record<string, string> = {
  unauthorized: 'The API key was rejected (unknown or revoked). Restart with a valid key.',
  rate_limited: 'The server is rate limiting this key; the next refresh will retry.',
  database_unavailable: 'The server cannot reach its database; it will be retried.',
  payload_expired: 'The payload was purged by the retention policy and cannot be replayed.',
  internal_error: 'The server hit an internal error.',
};

/**
 * Puts any error a key handler or refresh raised into one line for the red error line. A 403
 * names the scope the key is missing, because that is what the operator has to go and fix.
 */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return `Cannot reach the server: ${error.message}.`;
    if (error.code === 'missing_scope') {
      return error.requiredScope
        ? `Forbidden: this API key lacks the "${error.requiredScope}" scope.`
        : 'Forbidden: this API key lacks the scope this action needs.';
    }
    if (error.code === 'route_not_found') return 'This server does not offer that API yet (route_not_found).';
    return `${WORDS[error.code] ?? error.message} (${error.status} ${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}
