import {
  hmac,
  jsonObject,
  reject,
  safeEqual,
  secretProperty,
  timestampProblem,
  VERIFIED,
  type IncomingHeaders,
  type Verifier,
} from './support.js';

export interface MailgunConfig {
  signing_key: string;
}

const WINDOW_SECONDS = 300;

interface MailgunSignature {
  timestamp: string;
  token: string;
  signature: string;
}

const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 1024;

/**
 * The `signature` object of a JSON webhook, or the same three fields of a form-encoded one
 * (Mailgun's legacy webhooks and inbound routes post forms); null when they are not there.
 */
function signatureFields(rawBody: Buffer, headers: IncomingHeaders): MailgunSignature | null {
  const contentType = String(headers['content-type'] ?? '').toLowerCase();
  let fields: Record<string, unknown> | null;
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(rawBody.toString('utf8'));
    fields = { timestamp: form.get('timestamp'), token: form.get('token'), signature: form.get('signature') };
  } else {
    const signature = jsonObject(rawBody)?.signature;
    fields = signature !== null && typeof signature === 'object' ? (signature as Record<string, unknown>) : null;
  }
  if (!fields) return null;
  const { timestamp, token, signature } = fields;
  const stamp = typeof timestamp === 'number' ? String(timestamp) : timestamp;
  return isText(stamp) && isText(token) && isText(signature) ? { timestamp: stamp, token, signature } : null;
}

/**
 * Mailgun: the body's `signature` object holds `timestamp` (unix seconds, 5 minutes), a random
 * `token` and `signature` = hex HMAC-SHA256(webhook signing key, timestamp + token). Only those
 * are signed: `event-data` is not (Mailgun's own scheme), which is why the window matters.
 */
export const mailgunVerifier: Readonly<Verifier<MailgunConfig>> = {
  type: 'mailgun',
  properties: { signing_key: secretProperty },
  required: ['signing_key'],
  secretFields: ['signing_key'],
  checkedHeaders: () => [],
  verify(rawBody, headers, config, nowMs) {
    const fields = signatureFields(rawBody, headers);
    if (!fields) return reject('missing signature.timestamp, signature.token and signature.signature in the body');
    const stale = timestampProblem(fields.timestamp, nowMs, WINDOW_SECONDS);
    if (stale) return reject(stale);
    const expected = hmac('sha256', config.signing_key, fields.timestamp, fields.token).toString('hex');
    return safeEqual(fields.signature.toLowerCase(), expected) ? VERIFIED : reject('signature does not match');
  },
};
