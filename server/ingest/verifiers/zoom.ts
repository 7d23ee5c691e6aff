import { hmac, headerValue, reject, safeEqual, secretProperty, timestampProblem, VERIFIED, type Verifier } from './support.js';

export interface ZoomConfig {
  secret_token: string;
}

const WINDOW_SECONDS = 300;

/**
 * Zoom: `x-zm-signature: v0=<hex HMAC-SHA256(secret token, "v0:<x-zm-request-timestamp>:<raw body>")>`,
 * the timestamp in unix seconds within 5 minutes of now. The `endpoint.url_validation` handshake
 * is signed the same way and checked here first (server/ingest/handshakes).
 */
export const zoomVerifier: Readonly<Verifier<ZoomConfig>> = {
  type: 'zoom',
  properties: { secret_token: secretProperty },
  required: ['secret_token'],
  secretFields: ['secret_token'],
  checkedHeaders: () => [],
  verify(rawBody, headers, config, nowMs) {
    const signature = headerValue(headers, 'x-zm-signature');
    if (signature === undefined) return reject('missing x-zm-signature header');
    const timestamp = headerValue(headers, 'x-zm-request-timestamp');
    if (timestamp === undefined) return reject('missing x-zm-request-timestamp header');
    const stale = timestampProblem(timestamp, nowMs, WINDOW_SECONDS);
    if (stale) return reject(stale);
    const expected = 'v0=' + hmac('sha256', config.secret_token, `v0:${timestamp}:`, rawBody).toString('hex');
    return safeEqual(signature.toLowerCase(), expected) ? VERIFIED : reject('signature does not match');
  },
};
