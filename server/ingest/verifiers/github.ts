import { hmac, headerValue, reject, safeEqual, secretProperty, VERIFIED, type Verifier } from './support.js';

export interface GithubConfig {
  secret: string;
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`. */
export const githubVerifier: Readonly<Verifier<GithubConfig>> = {
  type: 'github',
  properties: { secret: secretProperty },
  required: ['secret'],
  secretFields: ['secret'],
  checkedHeaders: () => [],
  verify(rawBody, headers, config) {
    const value = headerValue(headers, 'x-hub-signature-256');
    if (value === undefined) return reject('missing X-Hub-Signature-256 header');
    if (!value.startsWith('sha256=')) return reject('X-Hub-Signature-256 does not start with "sha256="');
    const expected = 'sha256=' + hmac('sha256', config.secret, rawBody).toString('hex');
    return safeEqual(value.toLowerCase(), expected) ? VERIFIED : reject('signature does not match');
  },
};
