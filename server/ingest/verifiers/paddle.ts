import { secretProperty, verifyTimestampedHmacHeader, type Verifier } from './support.js';

export interface PaddleConfig {
  secret: string;
}

const WINDOW_SECONDS = 300;

/**
 * Paddle Billing: `Paddle-Signature: ts=<unix s>;h1=<hex HMAC-SHA256(secret, "<ts>:<raw body>")>`.
 * Several h1 entries may come while a secret is rotated: any one matching passes.
 */
export const paddleVerifier: Readonly<Verifier<PaddleConfig>> = {
  type: 'paddle',
  properties: { secret: secretProperty },
  required: ['secret'],
  secretFields: ['secret'],
  checkedHeaders: () => [],
  verify(rawBody, headers, config, nowMs) {
    return verifyTimestampedHmacHeader(rawBody, headers, nowMs, config.secret, {
      header: 'Paddle-Signature',
      separator: ';',
      timestampName: 'ts',
      signatureName: 'h1',
      joiner: ':',
      toleranceSeconds: WINDOW_SECONDS,
    });
  },
};
