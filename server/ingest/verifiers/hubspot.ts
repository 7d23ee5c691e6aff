import { hmac, headerValue, millisTimestampProblem, reject, safeEqual, secretProperty, VERIFIED, type Verifier } from './support.js';

export interface HubspotConfig {
  client_secret: string;
}

const WINDOW_SECONDS = 300;

/**
 * The escapes HubSpot's v3 instructions decode in the request URI before signing (their table);
 * every other escape stays as sent.
 */
const DECODED_ESCAPES: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

function hubspotUri(url: string): string {
  return url.replace(/%[0-9A-Fa-f]{2}/g, (escape) => DECODED_ESCAPES[escape.toUpperCase()] ?? escape);
}

/**
 * HubSpot v3: `X-HubSpot-Signature-v3: <base64 HMAC-SHA256(client secret, method + URI + raw body +
 * timestamp)>`, with `X-HubSpot-Request-Timestamp` in unix **milliseconds** within 5 minutes. The
 * URI is the full public URL the request was sent to (DISPATCH_PUBLIC_URL + path + query).
 */
export const hubspotVerifier: Readonly<Verifier<HubspotConfig>> = {
  type: 'hubspot',
  properties: { client_secret: secretProperty },
  required: ['client_secret'],
  secretFields: ['client_secret'],
  checkedHeaders: () => [],
  verify(rawBody, headers, config, nowMs, request) {
    const signature = headerValue(headers, 'x-hubspot-signature-v3');
    if (signature === undefined) return reject('missing X-HubSpot-Signature-v3 header');
    const timestamp = headerValue(headers, 'x-hubspot-request-timestamp');
    if (timestamp === undefined) return reject('missing X-HubSpot-Request-Timestamp header');
    const stale = millisTimestampProblem(timestamp, nowMs, WINDOW_SECONDS);
    if (stale) return reject(stale);
    const expected = hmac('sha256', config.client_secret, request.method, hubspotUri(request.url), rawBody, timestamp).toString('base64');
    return safeEqual(signature, expected) ? VERIFIED : reject('signature does not match');
  },
};
