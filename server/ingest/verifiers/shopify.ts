import { hmac, headerValue, reject, safeEqual, secretProperty, VERIFIED, type Verifier } from './support.js';

export interface ShopifyConfig {
  secret: string;
}

/** Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(secret, raw body)>`. */
export const shopifyVerifier: Readonly<Verifier<ShopifyConfig>> = {
  type: 'shopify',
  properties: { secret: secretProperty },
  required: ['secret'],
  secretFields: ['secret'],
  checkedHeaders: () => [],
  verify(rawBody, headers, config) {
    const value = headerValue(headers, 'x-shopify-hmac-sha256');
    if (value === undefined) return reject('missing X-Shopify-Hmac-Sha256 header');
    const expected = hmac('sha256', config.secret, rawBody).toString('base64');
    return safeEqual(value.trim(), expected) ? VERIFIED : reject('signature does not match');
  },
};
