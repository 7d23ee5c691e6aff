import { headerValue, reject, safeEqual, secretProperty, VERIFIED, type Verifier } from './support.js';

export interface ApiKeyConfig {
  header: string;
  key: string;
}

/** A shared key in a header of the caller's choosing: `<header>: <key>`, compared exactly. */
export const apiKeyVerifier: Readonly<Verifier<ApiKeyConfig>> = {
  type: 'api_key',
  properties: {
    header: { type: 'string', minLength: 1, maxLength: 256, pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" },
    key: secretProperty,
  },
  required: ['header', 'key'],
  secretFields: ['key'],
  checkedHeaders: (config) => [config.header.toLowerCase()],
  verify(_rawBody, headers, config) {
    const value = headerValue(headers, config.header);
    if (value === undefined) return reject(`missing ${config.header} header`);
    return safeEqual(value, config.key) ? VERIFIED : reject('key does not match');
  },
};
