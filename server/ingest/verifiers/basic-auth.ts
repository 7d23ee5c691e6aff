import { headerValue, reject, safeEqual, secretProperty, VERIFIED, type Verifier } from './support.js';

export interface BasicAuthConfig {
  username: string;
  password: string;
}

/** HTTP Basic: `Authorization: Basic base64(username:password)`, compared as one credential string. */
export const basicAuthVerifier: Readonly<Verifier<BasicAuthConfig>> = {
  type: 'basic_auth',
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^:]*$' },
    password: secretProperty,
  },
  required: ['username', 'password'],
  secretFields: ['password'],
  // the whole Authorization value carries the password
  checkedHeaders: () => ['authorization'],
  verify(_rawBody, headers, config) {
    const value = headerValue(headers, 'authorization');
    if (value === undefined) return reject('missing Authorization header');
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
    if (!match) return reject('Authorization is not Basic credentials');
    const given = Buffer.from(match[1], 'base64');
    const expected = Buffer.from(`${config.username}:${config.password}`, 'utf8');
    return safeEqual(given, expected) ? VERIFIED : reject('credentials do not match');
  },
};
