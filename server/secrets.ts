import { randomBytes } from 'node:crypto';

// Sealing secrets at rest is storage's job (db/secret-sealing.ts); re-exported for the callers
// that seal or open outside a query (tests, the operator's encrypt-secrets run).
export { isSealed, openSecret, sealSecret } from '../db/secret-sealing.js';

const SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` + base64 of 32 random bytes (the contract allows 24–64). */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** True when `secret` is `whsec_` + base64 of 24–64 bytes. */
export function isValidSigningSecret(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) return false;
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return false;
  const length = Buffer.from(encoded, 'base64').length;
  return length >= 24 && length <= 64;
}

/** The HMAC key bytes of a `whsec_` secret. */
export function signingKeyBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}
