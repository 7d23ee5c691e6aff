import { hmac, headerValue, reject, safeEqual, secretProperty, VERIFIED, type Verifier } from './support.js';

export interface MetaConfig {
  app_secret: string;
  /** Answers Meta's GET subscription handshake (server/ingest/handshakes); not used on events. */
  verify_token: string;
}

/**
 * Meta (Facebook, Instagram, WhatsApp): `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret,
 * raw body)>`. Meta has no timestamp in the signature.
 */
export const metaVerifier: Readonly<Verifier<MetaConfig>> = {
  type: 'meta',
  properties: { app_secret: secretProperty, verify_token: secretProperty },
  required: ['app_secret', 'verify_token'],
  secretFields: ['app_secret', 'verify_token'],
  checkedHeaders: () => [],
  verify(rawBody, headers, config) {
    const value = headerValue(headers, 'x-hub-signature-256');
    if (value === undefined) return reject('missing X-Hub-Signature-256 header');
    if (!value.startsWith('sha256=')) return reject('X-Hub-Signature-256 does not start with "sha256="');
    const expected = 'sha256=' + hmac('sha256', config.app_secret, rawBody).toString('hex');
    return safeEqual(value.toLowerCase(), expected) ? VERIFIED : reject('signature does not match');
  },
};
