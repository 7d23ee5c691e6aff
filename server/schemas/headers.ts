import { AppError, type ErrorDetail } from '../errors.js';
import { pointerSegment } from './schema-walk.js';

/**
 * Custom headers a caller configures (endpoint `headers`, source destination `headers`, and
 * operational endpoints): one rule for all (CONTRACT §10, §10.1). Before it, a value such as
 * "a\u0001b" or "ok ✓" was stored and every attempt then failed inside the HTTP client.
 */

/** At most this many custom headers per object. */
export const MAX_CUSTOM_HEADERS = 50;
/** Longest header name accepted. */
export const MAX_HEADER_NAME_LENGTH = 256;
/** Longest header value accepted (8 KiB: 20 headers of 4 KB each fit, 50 of 8 KiB stay under the 1 MiB body). */
export const MAX_HEADER_VALUE_LENGTH = 8192;

/** RFC 9110 §5.6.2 token. */
export const HEADER_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
/** Visible ASCII, space and tab: stricter than RFC 9110 on purpose (no obs-text, no controls, no CR/LF/NUL). */
export const HEADER_VALUE_PATTERN = '^[\\t\\x20-\\x7e]*$';

/** The JSON Schema fragment of a custom header map (shapes, sizes and characters; names are checked by assertCustomHeaders). */
export const customHeadersSchema = {
  type: 'object',
  maxProperties: MAX_CUSTOM_HEADERS,
  propertyNames: { type: 'string', minLength: 1, maxLength: MAX_HEADER_NAME_LENGTH, pattern: HEADER_NAME_PATTERN },
  additionalProperties: { type: 'string', maxLength: MAX_HEADER_VALUE_LENGTH, pattern: HEADER_VALUE_PATTERN },
} as const;

/**
 * Hop-by-hop names (RFC 9110 §7.6.1), those framing the message, and `expect`, which the HTTP client
 * refuses outright: no caller may set them on an endpoint or destination, and ingest never copies
 * them from an incoming request onto a forward.
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'proxy-authenticate',
  'proxy-authorization',
  'expect',
  'http2-settings',
]);
/** Prefixes no caller may set: `webhook-*` carries Dispatch's own signature. */
const REFUSED_PREFIXES = ['webhook-'] as const;

/** True when no custom header may carry this name, whatever the object. */
export function isRefusedHeaderName(name: string): boolean {
  const lower = name.toLowerCase();
  return HOP_BY_HOP_HEADERS.has(lower) || REFUSED_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

const VALUE = new RegExp(HEADER_VALUE_PATTERN);
const NAME = new RegExp(HEADER_NAME_PATTERN);

export interface CustomHeaderRules {
  /** JSON pointer of the header map in the body, e.g. `/headers` or `/destination/headers`. */
  path: string;
  /** Further names this object refuses (lower case), e.g. those Dispatch sets on its own requests. */
  alsoRefused?: (lowerName: string) => boolean;
  /** Detail message for a refused name. */
  refusedMessage: string;
}

/**
 * 400 invalid_request with one detail per bad header (its path names it) for a refused or repeated
 * (case-insensitively) name, or a name/value the schema fragment would refuse — checked again here
 * so a caller that skipped the schema is still safe.
 */
export function assertCustomHeaders(headers: Record<string, unknown>, rules: CustomHeaderRules): void {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  const entries = Object.entries(headers);
  if (entries.length > MAX_CUSTOM_HEADERS) details.push({ path: rules.path, message: `must have at most ${MAX_CUSTOM_HEADERS} headers` });
  for (const [name, value] of entries.slice(0, MAX_CUSTOM_HEADERS)) {
    const lower = name.toLowerCase();
    const path = `${rules.path}/${pointerSegment(name)}`;
    if (name.length > MAX_HEADER_NAME_LENGTH || !NAME.test(name))
      details.push({ path, message: 'is not a valid header name (an RFC 9110 token)' });
    else if (isRefusedHeaderName(name) || rules.alsoRefused?.(lower)) details.push({ path, message: rules.refusedMessage });
    else if (seen.has(lower)) details.push({ path, message: 'repeats another header name (names are case-insensitive)' });
    else if (typeof value !== 'string' || value.length > MAX_HEADER_VALUE_LENGTH || !VALUE.test(value)) {
      details.push({ path, message: `must be at most ${MAX_HEADER_VALUE_LENGTH} characters of visible ASCII, space or tab` });
    }
    seen.add(lower);
  }
  if (details.length > 0) {
    throw new AppError('invalid_request', `The headers are invalid: ${details[0].path} ${details[0].message}.`, { details });
  }
}
