import { headerValue, reject, safeEqual, secretProperty, VERIFIED, type Verifier } from './support.js';

export interface GitlabConfig {
  token: string;
}

/**
 * GitLab: the secret token set on the webhook comes back verbatim in `X-Gitlab-Token` (no
 * signature), so it is compared in constant time and, being a credential for Dispatch alone, is
 * redacted from the stored event and never forwarded.
 */
export const gitlabVerifier: Readonly<Verifier<GitlabConfig>> = {
  type: 'gitlab',
  properties: { token: secretProperty },
  required: ['token'],
  secretFields: ['token'],
  checkedHeaders: () => ['x-gitlab-token'],
  verify(_rawBody, headers, config) {
    const value = headerValue(headers, 'x-gitlab-token');
    if (value === undefined) return reject('missing X-Gitlab-Token header');
    return safeEqual(value, config.token) ? VERIFIED : reject('token does not match');
  },
};
