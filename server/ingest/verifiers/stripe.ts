import {
  anySafeEqual,
  hmac,
  headerValue,
  reject,
  secretProperty,
  signatureHeaderItems,
  timestampProblem,
  VERIFIED,
  type Verifier,
} from './support.js';

export interface StripeConfig {
  secret: string;
  tolerance?: number;
}

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=…]`, each v1 an HMAC-SHA256 of
 * `<t>.<raw body>` keyed with the endpoint secret as given (the whole `whsec_…` string). Any one
 * matching v1 passes (Stripe sends several while a secret is being rolled).
 */
export const stripeVerifier: Readonly<Verifier<StripeConfig>> = {
  type: 'stripe',
  properties: {
    secret: secretProperty,
    tolerance: { type: 'integer', minimum: 1, maximum: 86_400, default: 300, description: 'Seconds a timestamp may differ from now.' },
  },
  required: ['secret'],
  secretFields: ['secret'],
  checkedHeaders: () => [],
  verify(rawBody, headers, config, nowMs) {
    const value = headerValue(headers, 'stripe-signature');
    if (value === undefined) return reject('missing Stripe-Signature header');
    const items = signatureHeaderItems(value, ',');
    const timestamp = items.get('t')?.at(-1);
    const signatures = (items.get('v1') ?? []).map((signature) => signature.toLowerCase());
    if (timestamp === undefined) return reject('Stripe-Signature has no t= timestamp');
    if (signatures.length === 0) return reject('Stripe-Signature has no v1 signature');
    const stale = timestampProblem(timestamp, nowMs, config.tolerance ?? 300);
    if (stale) return reject(stale);
    const expected = hmac('sha256', config.secret, `${timestamp}.`, rawBody).toString('hex');
    return anySafeEqual(signatures, expected) ? VERIFIED : reject('no v1 signature matches');
  },
};
