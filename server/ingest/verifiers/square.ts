import { hmac, headerValue, reject, safeEqual, secretProperty, VERIFIED, type Verifier } from './support.js';

export interface SquareConfig {
  signature_key: string;
  notification_url: string;
}

/**
 * Square: `x-square-hmacsha256-signature: <base64 HMAC-SHA256(signature key, notification URL +
 * raw body)>`. The URL is the one configured on Square's subscription, byte for byte (what Square
 * signed), not the URL Dispatch sees: proxies and public URLs differ.
 */
export const squareVerifier: Readonly<Verifier<SquareConfig>> = {
  type: 'square',
  properties: {
    signature_key: secretProperty,
    notification_url: {
      type: 'string',
      minLength: 1,
      maxLength: 2048,
      pattern: '^https?://[^\\s]+$',
      description: 'The notification URL exactly as set on the Square webhook subscription.',
    },
  },
  required: ['signature_key', 'notification_url'],
  secretFields: ['signature_key'],
  checkedHeaders: () => [],
  verify(rawBody, headers, config) {
    const value = headerValue(headers, 'x-square-hmacsha256-signature');
    if (value === undefined) return reject('missing x-square-hmacsha256-signature header');
    const expected = hmac('sha256', config.signature_key, config.notification_url, rawBody).toString('base64');
    return safeEqual(value, expected) ? VERIFIED : reject('signature does not match');
  },
};
