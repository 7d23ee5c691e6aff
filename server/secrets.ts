import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
const ENCRYPTED_PREFIX = 'enc:v1:';

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

/**
 * Seals a secret for storage. With DISPATCH_ENCRYPTION_KEY set it is AES-256-GCM encrypted as
 * `enc:v1:<iv>:<tag>:<ciphertext>` (base64 parts); without a key it is stored as given.
 */
export function sealSecret(plaintext: string, key: Buffer | null): string {
  if (!key) return plaintext;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${ENCRYPTED_PREFIX}${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ciphertext.toString('base64')}`;
}

/** Opens a stored secret (plain or sealed). Throws when it is sealed and the key is missing or wrong. */
export function openSecret(stored: string, key: Buffer | null): string {
  if (!isSealed(stored)) return stored;
  if (!key) throw new Error('a secret is encrypted at rest but DISPATCH_ENCRYPTION_KEY is not set');
  const [iv, tag, ciphertext] = stored.slice(ENCRYPTED_PREFIX.length).split(':').map((part) => Buffer.from(part, 'base64'));
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(ENCRYPTED_PREFIX);
}
