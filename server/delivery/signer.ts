import { createHmac } from 'node:crypto';

/**
 * The Standard Webhooks `webhook-signature` value: one `v1,<base64 HMAC-SHA256>` entry per key,
 * space-separated, each over `<id>.<timestamp>.<body bytes>`. Keys are the decoded secret bytes
 * (see `signingKeyBytes`), opened once per target rather than per attempt.
 */
export function signatureHeader(keys: readonly Buffer[], webhookId: string, timestampSeconds: number, body: Buffer): string {
  const prefix = `${webhookId}.${timestampSeconds}.`;
  let header = '';
  for (const key of keys) {
    const digest = createHmac('sha256', key).update(prefix).update(body).digest('base64');
    header += (header ? ' ' : '') + 'v1,' + digest;
  }
  return header;
}
