/** What a checked credential header holds on a stored event instead of its value. */
export const REDACTED = '[redacted]';

type StoredHeaders = Record<string, string | string[]>;

/**
 * A copy of `headers` (lower-cased names) with the value of each header in `names` replaced by
 * REDACTED, whether it was sent once or repeated: the event keeps the fact that a credential was
 * presented, never the credential.
 */
export function redactHeaders(headers: StoredHeaders, names: readonly string[]): StoredHeaders {
  if (names.length === 0) return headers;
  const redacted: StoredHeaders = { ...headers };
  for (const name of names) {
    if (redacted[name] !== undefined) redacted[name] = REDACTED;
  }
  return redacted;
}

/**
 * True when a stored header value was redacted. Any value holding the marker counts: a replay must
 * never send "[redacted]" to a destination as if it were the credential.
 */
export function isRedacted(value: string | string[]): boolean {
  return Array.isArray(value) ? value.includes(REDACTED) : value === REDACTED;
}
