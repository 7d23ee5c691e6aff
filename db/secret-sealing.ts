import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets at rest. With DISPATCH_ENCRYPTION_KEY set, every secret column (and each secret field
 * of a JSON settings column) is stored AES-256-GCM sealed as `enc:v1:<iv>:<tag>:<ciphertext>`
 * (base64 parts); without a key it is stored as given. Opening reads both forms, so a key can be
 * introduced on a running installation (db/seal-plain-secrets.ts seals what was stored before).
 * This is storage's business: the server hands plaintext in and gets plaintext back.
 */

const SEALED_PREFIX = 'enc:v1:';

/** Seals a secret for storage (returned unchanged when `key` is null). */
export function sealSecret(plaintext: string, key: Buffer | null): string {
  if (!key) return plaintext;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${SEALED_PREFIX}${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ciphertext.toString('base64')}`;
}

/** Opens a stored secret (plain or sealed). Throws when it is sealed and the key is missing or wrong. */
export function openSecret(stored: string, key: Buffer | null): string {
  if (!isSealed(stored)) return stored;
  if (!key) throw new Error('a secret is encrypted at rest but DISPATCH_ENCRYPTION_KEY is not set');
  const [iv, tag, ciphertext] = stored
    .slice(SEALED_PREFIX.length)
    .split(':')
    .map((part) => Buffer.from(part, 'base64'));
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
}

/** True when the stored value is sealed (whatever key sealed it). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED_PREFIX);
}

/** The SQL LIKE pattern of sealed values (for finding rows still stored plain). */
export const SEALED_LIKE = `${SEALED_PREFIX}%`;

function mapFields<T extends object>(settings: T, fields: readonly string[], map: (value: string) => string): T {
  const copy = { ...settings } as Record<string, unknown>;
  for (const field of fields) {
    const value = copy[field];
    if (typeof value === 'string') copy[field] = map(value);
  }
  return copy as T;
}

/**
 * A copy of a JSON settings object with the named string fields sealed. Storage does not know
 * which fields of a scheme's settings are secrets: whoever owns the scheme names them.
 */
export function sealFields<T extends object>(settings: T, fields: readonly string[], key: Buffer | null): T {
  return mapFields(settings, fields, (value) => sealSecret(value, key));
}

/** A copy of stored settings with the named string fields opened (see sealFields). */
export function openFields<T extends object>(stored: T, fields: readonly string[], key: Buffer | null): T {
  return mapFields(stored, fields, (value) => openSecret(value, key));
}
