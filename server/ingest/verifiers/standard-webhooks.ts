import { signingKeyBytes } from '../../secrets.js';
import {
  anySafeEqual,
  hmac,
  headerValue,
  reject,
  signatureHeaderItems,
  timestampProblem,
  VERIFIED,
  type IncomingHeaders,
  type Verifier,
} from './support.js';

export interface StandardWebhooksConfig {
  secret: string;
}

const WINDOW_SECONDS = 300;

/** `webhook-*` headers, or Svix's `svix-*` equivalents when those are absent. */
function signatureHeaders(headers: IncomingHeaders) {
  for (const prefix of ['webhook', 'svix']) {
    const id = headerValue(headers, `${prefix}-id`);
    const timestamp = headerValue(headers, `${prefix}-timestamp`);
    const signature = headerValue(headers, `${prefix}-signature`);
    if (id !== undefined || timestamp !== undefined || signature !== undefined) return { prefix, id, timestamp, signature };
  }
  return null;
}

/**
 * Standard Webhooks (and Svix): `webhook-signature` holds space-separated `v1,<base64>` entries,
 * each an HMAC-SHA256 keyed with the base64-decoded `whsec_` secret over `<id>.<timestamp>.<body>`;
 * any one match passes, and the timestamp must be within 5 minutes of now.
 */
export const standardWebhooksVerifier: Readonly<Verifier<StandardWebhooksConfig>> = {
  type: 'standard_webhooks',
  properties: { secret: { type: 'string', pattern: '^whsec_[A-Za-z0-9+/]{16,}={0,2}$', maxLength: 200 } },
  required: ['secret'],
  secretFields: ['secret'],
  checkedHeaders: () => [],
  verify(rawBody, headers, config, nowMs) {
    const found = signatureHeaders(headers);
    if (!found) return reject('missing webhook-id, webhook-timestamp and webhook-signature headers');
    const { prefix, id, timestamp, signature } = found;
    if (id === undefined) return reject(`missing ${prefix}-id header`);
    if (timestamp === undefined) return reject(`missing ${prefix}-timestamp header`);
    if (signature === undefined) return reject(`missing ${prefix}-signature header`);
    const stale = timestampProblem(timestamp, nowMs, WINDOW_SECONDS);
    if (stale) return reject(stale);
    const expected = hmac('sha256', signingKeyBytes(config.secret), `${id}.${timestamp}.`, rawBody).toString('base64');
    const signatures = signatureHeaderItems(signature, ' ', ',').get('v1') ?? [];
    return anySafeEqual(signatures, expected) ? VERIFIED : reject('no v1 signature matches');
  },
};
