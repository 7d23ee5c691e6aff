import { hmac, headerValue, jsonObject, reject, safeEqual, secretProperty, VERIFIED, type Verifier } from './support.js';

export interface TwitterConfig {
  consumer_secret: string;
}

/**
 * Twitter / X Account Activity: `X-Twitter-Webhooks-Signature: sha256=<base64 HMAC-SHA256(consumer
 * secret, raw body)>`. The same secret answers the CRC GET (server/ingest/handshakes), an HMAC
 * over a token the caller picks: so only JSON-object bodies (all Twitter sends) are accepted, and
 * no CRC answer can pass as the signature of a body.
 */
export const twitterVerifier: Readonly<Verifier<TwitterConfig>> = {
  type: 'twitter',
  properties: { consumer_secret: secretProperty },
  required: ['consumer_secret'],
  secretFields: ['consumer_secret'],
  checkedHeaders: () => [],
  verify(rawBody, headers, config) {
    const value = headerValue(headers, 'x-twitter-webhooks-signature');
    if (value === undefined) return reject('missing X-Twitter-Webhooks-Signature header');
    if (!value.startsWith('sha256=')) return reject('X-Twitter-Webhooks-Signature does not start with "sha256="');
    const expected = 'sha256=' + hmac('sha256', config.consumer_secret, rawBody).toString('base64');
    if (!safeEqual(value, expected)) return reject('signature does not match');
    return jsonObject(rawBody) ? VERIFIED : reject('the body is not a JSON object (Twitter sends JSON objects only)');
  },
};
