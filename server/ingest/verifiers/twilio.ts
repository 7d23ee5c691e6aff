import { createHash } from 'node:crypto';
import { hmac, headerValue, reject, safeEqual, secretProperty, VERIFIED, type IncomingHeaders, type Verifier } from './support.js';

export interface TwilioConfig {
  auth_token: string;
}

/** POST parameters as Twilio signs them: each name followed by its value, sorted by name (then value). */
function signedParams(rawBody: Buffer, headers: IncomingHeaders): string {
  const contentType = String(headers['content-type'] ?? '').toLowerCase();
  if (!contentType.startsWith('application/x-www-form-urlencoded')) return '';
  const pairs = [...new URLSearchParams(rawBody.toString('utf8'))];
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return pairs.map(([name, value]) => name + value).join('');
}

/**
 * Twilio: `X-Twilio-Signature: <base64 HMAC-SHA1(auth token, full public URL + params)>`. The URL
 * is DISPATCH_PUBLIC_URL + path + query exactly as received (what Twilio was configured with).
 * Form bodies: the POST params follow the URL, sorted by name. JSON bodies: no params; the URL
 * carries `bodySHA256=<hex SHA-256 of the body>`, which is checked against the body as well.
 */
export const twilioVerifier: Readonly<Verifier<TwilioConfig>> = {
  type: 'twilio',
  properties: { auth_token: secretProperty },
  required: ['auth_token'],
  secretFields: ['auth_token'],
  checkedHeaders: () => [],
  verify(rawBody, headers, config, _nowMs, request) {
    const signature = headerValue(headers, 'x-twilio-signature');
    if (signature === undefined) return reject('missing X-Twilio-Signature header');
    const query = new URL(request.url).searchParams;
    const bodyHash = query.get('bodySHA256');
    const params = bodyHash === null ? signedParams(rawBody, headers) : '';
    const expected = hmac('sha1', config.auth_token, request.url, params).toString('base64');
    const urlMatches = safeEqual(signature, expected);
    // both are computed and compared before deciding, so timing does not say which one failed
    const bodyMatches = bodyHash === null || safeEqual(bodyHash.toLowerCase(), createHash('sha256').update(rawBody).digest('hex'));
    if (!urlMatches) return reject('signature does not match');
    return bodyMatches ? VERIFIED : reject('bodySHA256 does not match the body');
  },
};
