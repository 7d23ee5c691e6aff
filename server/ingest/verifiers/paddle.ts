import {
  anySafeEqual,
  hmac,
  headerValue,
  reject,
  secretProperty,
  signatureHeaderItems,
  timestampProblem,
  VERIFIED,
  type Verifier,
} from './support.js';

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
    const value = headerValue(headers, 'paddle-signature');
    if (value === undefined) return reject('missing Paddle-Signature header');
    const items = signatureHeaderItems(value, ';');
    const timestamp = items.get('ts')?.at(-1);
    const signatures = (items.get('h1') ?? []).map((signature) => signature.toLowerCase());
    if (timestamp === undefined) return reject('Paddle-Signature has no ts= timestamp');
    if (signatures.length === 0) return reject('Paddle-Signature has no h1 signature');
    const stale = timestampProblem(timestamp, nowMs, WINDOW_SECONDS);
    if (stale) return reject(stale);
    const expected = hmac('sha256', config.secret, `${timestamp}:`, rawBody).toString('hex');
    return anySafeEqual(signatures, expected) ? VERIFIED : reject('no h1 signature matches');
  },
};
