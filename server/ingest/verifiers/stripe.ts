import { secretProperty, verifyTimestampedHmacHeader, type Verifier } from './support.js';

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
    return verifyTimestampedHmacHeader(rawBody, headers, nowMs, config.secret, {
      header: 'Stripe-Signature',
      separator: ',',
      timestampName: 't',
      signatureName: 'v1',
      joiner: '.',
      toleranceSeconds: config.tolerance ?? 300,
    });
  },
};
