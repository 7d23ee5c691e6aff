import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { jsonDepthExceeds } from '../../middleware/json-depth.js';

/** Request headers as Node gives them: lower-cased names, repeated headers as arrays. */
export type IncomingHeaders = Record<string, string | string[] | undefined>;

/** What every verifier answers; `reason` is stored on the rejected event (never a secret). */
export type VerifyResult = { ok: true } | { ok: false; reason: string };

export const VERIFIED: Readonly<VerifyResult> = { ok: true };

/**
 * The request as the provider addressed it, for schemes that sign more than the body (Twilio,
 * HubSpot): the method and the full public URL (DISPATCH_PUBLIC_URL + path + query as received).
 */
export interface RequestTarget {
  method: string;
  url: string;
}

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
  /**
   * Lower-cased names of the request headers holding the credential this scheme checks (a password
   * or shared key meant for Dispatch alone): stored as "[redacted]" on events, accepted or
   * rejected, and never forwarded. Signature headers are not listed: without the secret they prove
   * nothing, and the backend may want to re-verify them. Every scheme declares this, so a new one
   * cannot forget it.
   */
  checkedHeaders(config: Config): string[];
  verify(rawBody: Buffer, headers: IncomingHeaders, config: Config, nowMs: number, request: RequestTarget): VerifyResult;
  /**
   * What the JSON Schema cannot check in a configuration (a key that does not parse): a sentence
   * for the 400 `details`, or null when it is usable. Only schemes with such fields declare it.
   */
  configProblem?(config: Config): string | null;
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

/**
 * Whether any candidate equals `expected`. Every candidate is compared, so the time taken does not
 * reveal which one matched (providers send several while a secret is rotated).
 */
export function anySafeEqual(candidates: readonly string[], expected: string): boolean {
  let matched = false;
  for (const candidate of candidates) matched = safeEqual(candidate, expected) || matched;
  return matched;
}

/**
 * The items of a structured signature header, `name<assign>value` joined by `separator` (Stripe
 * `t=…,v1=…`, Paddle `ts=…;h1=…`, Standard Webhooks `v1,<sig> v1,<sig>`): the values of each
 * name in order, trimmed. Items without `assign` are skipped.
 */
export function signatureHeaderItems(value: string, separator: string, assign = '='): Map<string, string[]> {
  const items = new Map<string, string[]>();
  for (const item of value.split(separator)) {
    const at = item.indexOf(assign);
    if (at < 0) continue;
    const name = item.slice(0, at).trim();
    const values = items.get(name) ?? [];
    values.push(item.slice(at + 1).trim());
    items.set(name, values);
  }
  return items;
}

/** A Stripe-style signature header (see verifyTimestampedHmacHeader). */
export interface TimestampedHmacHeader {
  /** The header's name as providers spell it, e.g. `Stripe-Signature` (also used in reasons). */
  header: string;
  /** Between items: `,` (Stripe) or `;` (Paddle). */
  separator: string;
  timestampName: string;
  signatureName: string;
  /** Between the timestamp and the raw body in the signed text: `.` (Stripe) or `:` (Paddle). */
  joiner: string;
  toleranceSeconds: number;
}

/**
 * Verifies a header of the form `<timestampName>=<unix s><separator><signatureName>=<hex>…`, each
 * signature a hex HMAC-SHA256 of `<timestamp><joiner><raw body>` keyed with `secret`: the
 * timestamp must be within the tolerance, and any one matching signature passes (providers send
 * several while a secret is rotated). The last timestamp item counts.
 */
export function verifyTimestampedHmacHeader(
  rawBody: Buffer,
  headers: IncomingHeaders,
  nowMs: number,
  secret: string,
  scheme: TimestampedHmacHeader,
): VerifyResult {
  const value = headerValue(headers, scheme.header.toLowerCase());
  if (value === undefined) return reject(`missing ${scheme.header} header`);
  const items = signatureHeaderItems(value, scheme.separator);
  const timestamp = items.get(scheme.timestampName)?.at(-1);
  const signatures = (items.get(scheme.signatureName) ?? []).map((signature) => signature.toLowerCase());
  if (timestamp === undefined) return reject(`${scheme.header} has no ${scheme.timestampName}= timestamp`);
  if (signatures.length === 0) return reject(`${scheme.header} has no ${scheme.signatureName} signature`);
  const stale = timestampProblem(timestamp, nowMs, scheme.toleranceSeconds);
  if (stale) return reject(stale);
  const expected = hmac('sha256', secret, `${timestamp}${scheme.joiner}`, rawBody).toString('hex');
  return anySafeEqual(signatures, expected) ? VERIFIED : reject(`no ${scheme.signatureName} signature matches`);
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

/**
 * Checks a unix-milliseconds timestamp against now in both directions, like timestampProblem.
 * Returns a rejection reason or null when it is fine.
 */
export function millisTimestampProblem(value: unknown, nowMs: number, toleranceSeconds: number): string | null {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,15}$/.test(text)) return 'timestamp is not a unix time in milliseconds';
  if (Math.abs(nowMs - Number(text)) > toleranceSeconds * 1000) return `timestamp is outside the ${toleranceSeconds} s tolerance`;
  return null;
}

/** The JSON object a body holds, or null when it is not a JSON object (never throws). */
export function jsonObject(rawBody: Buffer): Record<string, unknown> | null {
  const text = rawBody.toString('utf8');
  // hostile nesting never reaches JSON.parse (CONTRACT §10)
  if (jsonDepthExceeds(text)) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A secret field of a verification configuration. */
export const secretProperty = { type: 'string', minLength: 1, maxLength: 1024 } as const;
