import { hmac, headerValue, reject, safeEqual, secretProperty, timestampProblem, VERIFIED, type Verifier } from './support.js';

export interface SlackConfig {
  secret: string;
}

const WINDOW_SECONDS = 300;

/**
 * Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:<ts>:<raw body>")>` with
 * `X-Slack-Request-Timestamp: <ts>` within 5 minutes of now (replay protection).
 */
export const slackVerifier: Readonly<Verifier<SlackConfig>> = {
  type: 'slack',
  properties: { secret: secretProperty },
  required: ['secret'],
  secretFields: ['secret'],
  checkedHeaders: () => [],
  verify(rawBody, headers, config, nowMs) {
    const signature = headerValue(headers, 'x-slack-signature');
    if (signature === undefined) return reject('missing X-Slack-Signature header');
    const timestamp = headerValue(headers, 'x-slack-request-timestamp');
    if (timestamp === undefined) return reject('missing X-Slack-Request-Timestamp header');
    const stale = timestampProblem(timestamp, nowMs, WINDOW_SECONDS);
    if (stale) return reject(stale);
    const expected = 'v0=' + hmac('sha256', config.secret, `v0:${timestamp}:`, rawBody).toString('hex');
    return safeEqual(signature.toLowerCase(), expected) ? VERIFIED : reject('signature does not match');
  },
};
