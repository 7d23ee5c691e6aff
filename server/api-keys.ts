import { createHash, randomBytes } from 'node:crypto';
import type { DbOrTx } from '../db/index.js';
import { insertApiKey, type ApiKey } from '../db/queries/api-keys.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A new plaintext key: `rlk_` + 40 base62 characters (~238 bits). */
export function generateApiKey(): string {
  const bytes = randomBytes(40);
  let text = '';
  for (const byte of bytes) text += BASE62[byte % 62];
  return `rlk_${text}`;
}

/** Keys are stored only as this hash. They carry 200+ bits of entropy, so one SHA-256 suffices. */
export function hashApiKey(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

/** The visible start of a key, kept so operators can tell keys apart without the secret. */
export function keyPrefix(plaintext: string): string {
  return plaintext.slice(0, 12);
}

/** Creates a key and returns it with its plaintext, which is never stored and shown only once. */
export async function createApiKey(
  db: DbOrTx,
  input: { workspaceId: string; name: string; scopes: string[]; plaintext?: string },
  now: number,
): Promise<{ key: ApiKey; plaintext: string }> {
  const plaintext = input.plaintext ?? generateApiKey();
  const key = await insertApiKey(
    db,
    {
      workspaceId: input.workspaceId,
      name: input.name,
      prefix: keyPrefix(plaintext),
      keyHash: hashApiKey(plaintext),
      scopes: input.scopes,
    },
    now,
  );
  return { key, plaintext };
}
