import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 22;
const WORD = 0x1_0000_0000;
/** performance.now() is in ms; the monotonic part of an id counts 256 ns steps. */
const STEPS_PER_MS = 1e6 / 256;

export type IdPrefix = 'ws' | 'key' | 'app' | 'et' | 'rcp' | 'ep' | 'msg' | 'dlv' | 'atm' | 'src' | 'evt' | 'anm' | 'ps' | 'oep';

/**
 * Fixed-width base62 of a big-endian number given as 32-bit words, by long division on plain
 * numbers (each step stays below 2^38, exact in a double): about 20 times cheaper than BigInt.
 * The words are consumed.
 */
function base62(words: number[], width: number): string {
  let text = '';
  for (let position = 0; position < width; position++) {
    let remainder = 0;
    for (let i = 0; i < words.length; i++) {
      const current = remainder * WORD + words[i];
      const quotient = Math.floor(current / 62);
      words[i] = quotient;
      remainder = current - quotient * 62;
    }
    text = ALPHABET[remainder] + text;
  }
  return text;
}

/**
 * A prefixed, unguessable id that sorts by creation time, written as fixed-width base62 (digits <
 * upper < lower, so string order is numeric order) of 16 bytes: 6 bytes of `nowMs`, 4 bytes of a
 * monotonic clock (256 ns steps of `performance.now()`, wrapping every ~18 min) and 6 random
 * bytes. The monotonic bytes keep ids made for the same millisecond in the order they were made,
 * also when a test clock stands still, without a sequence counter shared by every app in the
 * process. Lists page newest first by id alone. The random bytes come from `randomUUID()`, which
 * draws from Node's pooled entropy instead of a system call per id (3 ids per delivered message).
 */
export function newId(prefix: IdPrefix, nowMs: number): string {
  const monotonic = Math.floor(performance.now() * STEPS_PER_MS) % WORD;
  const uuid = randomUUID(); // xxxxxxxx-xxxx-4xxx-…: the first 12 hex digits are random
  const random32 = parseInt(uuid.slice(0, 8), 16);
  const random16 = parseInt(uuid.slice(9, 13), 16);
  const words = [
    Math.floor(nowMs / 0x1_0000),
    (nowMs % 0x1_0000) * 0x1_0000 + Math.floor(monotonic / 0x1_0000),
    (monotonic % 0x1_0000) * 0x1_0000 + random16,
    random32,
  ];
  return `${prefix}_${base62(words, ID_LENGTH)}`;
}

/** The random token behind public URLs (ingest tokens, portal tokens): 24 bytes, base62. */
export function newToken(bytes = 24): string {
  const raw = randomBytes(Math.ceil(bytes / 4) * 4);
  const words: number[] = [];
  for (let offset = 0; offset < bytes; offset += 4) words.push(raw.readUInt32BE(offset));
  return base62(words, Math.ceil(bytes * 1.35));
}
