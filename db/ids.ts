import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 22;

export type IdPrefix =
  | 'ws' | 'key' | 'app' | 'et' | 'rcp' | 'ep' | 'msg' | 'dlv' | 'atm' | 'src' | 'evt' | 'anm' | 'ps';

let lastMs = 0;
let sequence = 0;

/**
 * A prefixed, unguessable id that sorts by creation time: 6 bytes of milliseconds, 2 bytes of a
 * per-process sequence (so ids made in the same millisecond keep their order) and 8 random bytes,
 * written as fixed-width base62 (digits < upper < lower, so string order is numeric order).
 * Lists page newest first by id alone.
 */
export function newId(prefix: IdPrefix, nowMs = Date.now()): string {
  if (nowMs === lastMs) sequence = (sequence + 1) & 0xffff;
  else {
    lastMs = nowMs;
    sequence = 0;
  }
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes.writeUInt16BE(sequence, 6);
  randomBytes(8).copy(bytes, 8);
  let value = BigInt('0x' + bytes.toString('hex'));
  let text = '';
  while (value > 0n) {
    text = ALPHABET[Number(value % 62n)] + text;
    value /= 62n;
  }
  return `${prefix}_${text.padStart(ID_LENGTH, '0')}`;
}

/** The random token behind public URLs (ingest tokens, portal tokens): 32 bytes, base62. */
export function newToken(bytes = 24): string {
  const raw = randomBytes(bytes);
  let value = BigInt('0x' + raw.toString('hex'));
  let text = '';
  while (value > 0n) {
    text = ALPHABET[Number(value % 62n)] + text;
    value /= 62n;
  }
  return text.padStart(Math.ceil(bytes * 1.35), '0');
}
