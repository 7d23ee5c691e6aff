import {
  hmac,
  headerValue,
  jsonObject,
  millisTimestampProblem,
  reject,
  safeEqual,
  secretProperty,
  VERIFIED,
  type Verifier,
} from './support.js';

export interface LinearConfig {
  secret: string;
}

/** Linear's SDK (LinearWebhooks.verify) allows one minute between webhookTimestamp and now. */
const WINDOW_SECONDS = 60;

/**
 * Linear: `Linear-Signature: <hex HMAC-SHA256(secret, raw body)>`; replay protection comes from
 * the JSON body's `webhookTimestamp` (unix milliseconds), within 60 s of now as Linear's SDK checks.
 */
export const linearVerifier: Readonly<Verifier<LinearConfig>> = {
  type: 'linear',
  properties: { secret: secretProperty },
  required: ['secret'],
  secretFields: ['secret'],
  checkedHeaders: () => [],
  verify(rawBody, headers, config, nowMs) {
    const signature = headerValue(headers, 'linear-signature');
    if (signature === undefined) return reject('missing Linear-Signature header');
    const expected = hmac('sha256', config.secret, rawBody).toString('hex');
    if (!safeEqual(signature.toLowerCase(), expected)) return reject('signature does not match');
    const body = jsonObject(rawBody);
    if (!body || body.webhookTimestamp === undefined) return reject('the body has no webhookTimestamp');
    const stale = millisTimestampProblem(body.webhookTimestamp, nowMs, WINDOW_SECONDS);
    return stale ? reject(stale) : VERIFIED;
  },
};
