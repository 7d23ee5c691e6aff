import { hmac, headerValue, reject, safeEqual, secretProperty, VERIFIED, type Verifier } from './support.js';

export interface HmacConfig {
  secret: string;
  header: string;
  algorithm: 'sha1' | 'sha256' | 'sha512';
  encoding: 'hex' | 'base64';
  prefix?: string;
}

/**
 * Generic HMAC: `<header>: <prefix><encoded HMAC(secret, raw body)>`. Hex digests are compared
 * lower-cased (providers differ in case); base64 exactly.
 */
export const hmacVerifier: Readonly<Verifier<HmacConfig>> = {
  type: 'hmac',
  properties: {
    secret: secretProperty,
    header: { type: 'string', minLength: 1, maxLength: 256, pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" },
    algorithm: { type: 'string', enum: ['sha1', 'sha256', 'sha512'] },
    encoding: { type: 'string', enum: ['hex', 'base64'] },
    prefix: { type: 'string', maxLength: 64 },
  },
  required: ['secret', 'header', 'algorithm', 'encoding'],
  secretFields: ['secret'],
  checkedHeaders: () => [],
  verify(rawBody, headers, config) {
    const value = headerValue(headers, config.header);
    if (value === undefined) return reject(`missing ${config.header} header`);
    const prefix = config.prefix ?? '';
    if (!value.startsWith(prefix)) return reject(`${config.header} does not start with "${prefix}"`);
    let given = value.slice(prefix.length).trim();
    if (config.encoding === 'hex') given = given.toLowerCase();
    const expected = hmac(config.algorithm, config.secret, rawBody).toString(config.encoding);
    return safeEqual(given, expected) ? VERIFIED : reject('signature does not match');
  },
};
