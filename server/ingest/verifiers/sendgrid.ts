import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { headerValue, reject, timestampProblem, VERIFIED, type Verifier } from './support.js';

export interface SendgridConfig {
  /** The verification key as SendGrid shows it: base64 DER SubjectPublicKeyInfo, no PEM armour. */
  public_key: string;
}

const WINDOW_SECONDS = 300;

function ecdsaKey(base64: string): KeyObject {
  const key = createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec') throw new Error('not an EC key');
  return key;
}

/**
 * SendGrid signed Event Webhook: `X-Twilio-Email-Event-Webhook-Signature: <base64 DER ECDSA
 * (P-256, SHA-256) signature of timestamp + raw body>` with
 * `X-Twilio-Email-Event-Webhook-Timestamp` (unix seconds, 5 minutes).
 */
export const sendgridVerifier: Readonly<Verifier<SendgridConfig>> = {
  type: 'sendgrid',
  properties: {
    public_key: {
      type: 'string',
      minLength: 40,
      maxLength: 1024,
      pattern: '^[A-Za-z0-9+/]+={0,2}$',
      description: 'The verification key as SendGrid shows it (base64, without PEM armour).',
    },
  },
  required: ['public_key'],
  secretFields: [],
  checkedHeaders: () => [],
  configProblem(config) {
    try {
      ecdsaKey(config.public_key);
      return null;
    } catch {
      return 'is not a base64 DER (SubjectPublicKeyInfo) ECDSA public key';
    }
  },
  verify(rawBody, headers, config, nowMs) {
    const signature = headerValue(headers, 'x-twilio-email-event-webhook-signature');
    if (signature === undefined) return reject('missing X-Twilio-Email-Event-Webhook-Signature header');
    const timestamp = headerValue(headers, 'x-twilio-email-event-webhook-timestamp');
    if (timestamp === undefined) return reject('missing X-Twilio-Email-Event-Webhook-Timestamp header');
    const stale = timestampProblem(timestamp, nowMs, WINDOW_SECONDS);
    if (stale) return reject(stale);
    const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), rawBody]);
    const valid = verifySignature('sha256', signed, ecdsaKey(config.public_key), Buffer.from(signature, 'base64'));
    return valid ? VERIFIED : reject('signature does not match');
  },
};
