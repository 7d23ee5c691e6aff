import { createHmac } from 'node:crypto';

/**
 * Signs ingest test requests exactly the way each provider documents it, independently of the
 * verifiers under test (no shared code with server/ingest).
 */

const hmacOf = (algorithm: string, key: string | Buffer, data: string | Buffer) => createHmac(algorithm, key).update(data);

/** GitHub: X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256 of the payload body. */
export function githubHeaders(secret: string, body: Buffer | string): Record<string, string> {
  return { 'X-Hub-Signature-256': 'sha256=' + hmacOf('sha256', secret, body).digest('hex') };
}

/** Stripe: Stripe-Signature "t=<ts>,v1=<hex HMAC-SHA256 of `${t}.${payload}`>". */
export function stripeHeaders(
  secret: string,
  body: Buffer | string,
  timestampSeconds: number,
  extraV1: string[] = [],
): Record<string, string> {
  const signed = Buffer.concat([Buffer.from(`${timestampSeconds}.`), Buffer.from(body)]);
  const v1 = hmacOf('sha256', secret, signed).digest('hex');
  return {
    'Stripe-Signature': [
      `t=${timestampSeconds}`,
      ...extraV1.map((s) => `v1=${s}`),
      `v1=${v1}`,
      'v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39',
    ].join(','),
  };
}

/** Shopify: X-Shopify-Hmac-Sha256 = base64 HMAC-SHA256 of the raw body. */
export function shopifyHeaders(secret: string, body: Buffer | string): Record<string, string> {
  return { 'X-Shopify-Hmac-Sha256': hmacOf('sha256', secret, body).digest('base64') };
}

/** Slack: X-Slack-Signature = "v0=" + hex HMAC-SHA256 of "v0:<timestamp>:<body>". */
export function slackHeaders(secret: string, body: Buffer | string, timestampSeconds: number): Record<string, string> {
  const base = Buffer.concat([Buffer.from(`v0:${timestampSeconds}:`), Buffer.from(body)]);
  return {
    'X-Slack-Signature': 'v0=' + hmacOf('sha256', secret, base).digest('hex'),
    'X-Slack-Request-Timestamp': String(timestampSeconds),
  };
}

/** Standard Webhooks: v1,<base64 HMAC-SHA256(base64-decoded secret, "<id>.<ts>.<body>")>. */
export function standardWebhooksSignature(secret: string, id: string, timestampSeconds: number, body: Buffer | string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const content = Buffer.concat([Buffer.from(`${id}.${timestampSeconds}.`), Buffer.from(body)]);
  return 'v1,' + hmacOf('sha256', key, content).digest('base64');
}

export function standardWebhooksHeaders(
  secret: string,
  body: Buffer | string,
  timestampSeconds: number,
  prefix: 'webhook' | 'svix' = 'webhook',
  id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
): Record<string, string> {
  return {
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(timestampSeconds),
    [`${prefix}-signature`]: standardWebhooksSignature(secret, id, timestampSeconds, body),
  };
}

/** Generic HMAC in a header of choice. */
export function hmacHeaders(
  options: { secret: string; header: string; algorithm: 'sha1' | 'sha256' | 'sha512'; encoding: 'hex' | 'base64'; prefix?: string },
  body: Buffer | string,
): Record<string, string> {
  return { [options.header]: (options.prefix ?? '') + hmacOf(options.algorithm, options.secret, body).digest(options.encoding) };
}

export function basicAuthHeaders(username: string, password: string): Record<string, string> {
  return { Authorization: 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64') };
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
