import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Request headers as Node gives them: lower-cased names, repeated headers as arrays. */
export type IncomingHeaders = Record<string, string | string[] | undefined>;

/** What every verifier answers; `reason` is stored on the rejected event (never a secret). */
export type VerifyResult = { ok: true } | { ok: false; reason: string };

export const VERIFIED: VerifyResult = { ok: true };

export function reject(reason: string): VerifyResult {
  return { ok: false, reason };
}

/**
 * One verification scheme: the JSON Schema of its configuration (the `type` property is added by
 * the registry), which fields are secrets (sealed at rest, never returned) and the pure check.
 */
export interface Verifier<Config> {
  type: string;
  properties: Record<string, unknown>;
  required: string[];
  secretFields: readonly string[];
  verify(rawBody: Buffer, headers: IncomingHeaders, config: Config, nowMs: number): VerifyResult;
}

/** The first value of a header (names are matched lower-cased), or undefined when absent or empty. */
export function headerValue(headers: IncomingHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

/**
 * Constant-time equality. timingSafeEqual needs equal lengths, so values of different lengths are
 * compared through their SHA-256 digests: the time taken never depends on where they differ.
 */
export function safeEqual(a: Buffer | string, b: Buffer | string): boolean {
  const left = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const right = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  if (left.length === right.length) return timingSafeEqual(left, right);
  timingSafeEqual(createHash('sha256').update(left).digest(), createHash('sha256').update(right).digest());
  return false;
}

/** HMAC over the concatenation of `parts` (strings as UTF-8, raw bytes untouched). */
export function hmac(algorithm: 'sha1' | 'sha256' | 'sha512', key: Buffer | string, ...parts: (Buffer | string)[]): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * Checks a unix-seconds timestamp header against now, in both directions (a timestamp from the
 * future is as suspicious as a stale one). Returns a rejection reason or null when it is fine.
 */
export function timestampProblem(text: string, nowMs: number, toleranceSeconds: number): string | null {
  if (!/^\d{1,12}$/.test(text)) return 'timestamp is not a unix time in seconds';
  const ageSeconds = Math.abs(nowMs / 1000 - Number(text));
  if (ageSeconds > toleranceSeconds) return `timestamp is outside the ${toleranceSeconds} s tolerance`;
  return null;
}

/** A secret field of a verification configuration. */
export const secretProperty = { type: 'string', minLength: 1, maxLength: 1024 } as const;
