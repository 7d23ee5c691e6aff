import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { headerValue, reject, timestampProblem, VERIFIED, type Verifier } from './support.js';

export interface DiscordConfig {
  /** The application's public key as Discord shows it: 64 hex digits (a raw Ed25519 key). */
  public_key: string;
}

const WINDOW_SECONDS = 300;

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 key bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function ed25519Key(hex: string): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}

/**
 * Discord interactions: `X-Signature-Ed25519: <hex Ed25519 signature of timestamp + raw body>` with
 * `X-Signature-Timestamp` (unix seconds, 5 minutes). A public key, so nothing here is secret; the
 * PING (type 1) is checked the same way before it is answered (server/ingest/handshakes).
 */
export const discordVerifier: Readonly<Verifier<DiscordConfig>> = {
  type: 'discord',
  properties: { public_key: { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: 'Hex, as on the application page.' } },
  required: ['public_key'],
  secretFields: [],
  checkedHeaders: () => [],
  configProblem(config) {
    try {
      ed25519Key(config.public_key);
      return null;
    } catch {
      return 'is not an Ed25519 public key';
    }
  },
  verify(rawBody, headers, config, nowMs) {
    const signature = headerValue(headers, 'x-signature-ed25519');
    if (signature === undefined) return reject('missing X-Signature-Ed25519 header');
    const timestamp = headerValue(headers, 'x-signature-timestamp');
    if (timestamp === undefined) return reject('missing X-Signature-Timestamp header');
    if (!/^[0-9a-fA-F]{128}$/.test(signature)) return reject('signature does not match');
    const stale = timestampProblem(timestamp, nowMs, WINDOW_SECONDS);
    if (stale) return reject(stale);
    const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), rawBody]);
    const valid = verifySignature(null, signed, ed25519Key(config.public_key), Buffer.from(signature, 'hex'));
    return valid ? VERIFIED : reject('signature does not match');
  },
};
