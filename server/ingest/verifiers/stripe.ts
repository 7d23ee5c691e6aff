import { hmac, headerValue, reject, safeEqual, secretProperty, timestampProblem, VERIFIED, type Verifier } from './support.js';

export interface StripeConfig {
  secret: string;
  tolerance?: number;
}

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=…]`, each v1 an HMAC-SHA256 of
 * `<t>.<raw body>` keyed with the endpoint secret as given (the whole `whsec_…` string). Any one
 * matching v1 passes (Stripe sends several while a secret is being rolled).
 */
export const stripeVerifier: Verifier<StripeConfig> = {
  type: 'stripe',
  properties: {
    secret: secretProperty,
    tolerance: { type: 'integer', minimum: 1, maximum: 86_400, default: 300, description: 'Seconds a timestamp may differ from now.' },
  },
  required: ['secret'],
  secretFields: ['secret'],
  verify(rawBody, headers, config, nowMs) {
    const value = headerValue(headers, 'stripe-signature');
    if (value === undefined) return reject('missing Stripe-Signature header');
    let timestamp: string | undefined;
    const signatures: string[] = [];
    for (const item of value.split(',')) {
      const at = item.indexOf('=');
      if (at < 0) continue;
      const name = item.slice(0, at).trim();
      const part = item.slice(at + 1).trim();
      if (name === 't') timestamp = part;
      else if (name === 'v1') signatures.push(part.toLowerCase());
    }
    if (timestamp === undefined) return reject('Stripe-Signature has no t= timestamp');
    if (signatures.length === 0) return reject('Stripe-Signature has no v1 signature');
    const stale = timestampProblem(timestamp, nowMs, config.tolerance ?? 300);
    if (stale) return reject(stale);
    const expected = hmac('sha256', config.secret, `${timestamp}.`, rawBody).toString('hex');
    // check every candidate so the time taken does not reveal which one matched
    let matched = false;
    for (const signature of signatures) matched = safeEqual(signature, expected) || matched;
    return matched ? VERIFIED : reject('no v1 signature matches');
  },
};
