import { createHash, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * Signs ingest test requests for the §9.1 providers the way each documents it, independently of
 * server/ingest (no shared code), so a verifier bug cannot hide behind a matching signer bug.
 */

const hmacOf = (algorithm: string, key: string | Buffer, ...parts: (string | Buffer)[]) => {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac;
};

export const gitlabHeaders = (token: string) => ({ 'X-Gitlab-Token': token });

export const metaHeaders = (appSecret: string, body: Buffer | string) => ({
  'X-Hub-Signature-256': 'sha256=' + hmacOf('sha256', appSecret, body).digest('hex'),
});

export const twitterHeaders = (consumerSecret: string, body: Buffer | string) => ({
  'X-Twitter-Webhooks-Signature': 'sha256=' + hmacOf('sha256', consumerSecret, body).digest('base64'),
});

/** Zoom: x-zm-signature = "v0=" + hex HMAC-SHA256(secret token, "v0:{timestamp}:{body}"). */
export const zoomHeaders = (secretToken: string, body: Buffer | string, timestampSeconds: number) => ({
  'x-zm-request-timestamp': String(timestampSeconds),
  'x-zm-signature': 'v0=' + hmacOf('sha256', secretToken, `v0:${timestampSeconds}:`, body).digest('hex'),
});

/** Twilio (twilio-node getExpectedTwilioSignature): base64 HMAC-SHA1(token, url + sorted name+value). */
export function twilioSignature(authToken: string, url: string, params: Record<string, string> = {}): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return hmacOf('sha1', authToken, Buffer.from(data, 'utf8')).digest('base64');
}

export const sha256Hex = (body: Buffer | string) => createHash('sha256').update(body).digest('hex');

/** Paddle: Paddle-Signature "ts={ts};h1={hex HMAC-SHA256(secret, `${ts}:${body}`)}". */
export const paddleHeaders = (secret: string, body: Buffer | string, timestampSeconds: number) => ({
  'Paddle-Signature': `ts=${timestampSeconds};h1=` + hmacOf('sha256', secret, `${timestampSeconds}:`, body).digest('hex'),
});

/** Square: base64 HMAC-SHA256(signature key, notification URL + body). */
export const squareHeaders = (signatureKey: string, notificationUrl: string, body: Buffer | string) => ({
  'x-square-hmacsha256-signature': hmacOf('sha256', signatureKey, notificationUrl, body).digest('base64'),
});

/** Linear (@linear/sdk LinearWebhooks): hex HMAC-SHA256(secret, raw body). */
export const linearHeaders = (secret: string, body: Buffer | string) => ({
  'Linear-Signature': hmacOf('sha256', secret, body).digest('hex'),
});

/** Mailgun: signature = hex HMAC-SHA256(signing key, timestamp + token). */
export function mailgunBody(
  signingKey: string,
  timestampSeconds: number,
  token: string,
  eventData: object = { event: 'delivered' },
): string {
  const signature = hmacOf('sha256', signingKey, `${timestampSeconds}${token}`).digest('hex');
  return JSON.stringify({ signature: { timestamp: String(timestampSeconds), token, signature }, 'event-data': eventData });
}

/** HubSpot v3: base64 HMAC-SHA256(client secret, method + uri + body + timestamp). */
export const hubspotHeaders = (clientSecret: string, method: string, uri: string, body: string, timestampMs: number) => ({
  'X-HubSpot-Signature-v3': hmacOf('sha256', clientSecret, `${method}${uri}${body}${timestampMs}`).digest('base64'),
  'X-HubSpot-Request-Timestamp': String(timestampMs),
});

/** A Discord-style Ed25519 key pair: the public key as the 64 hex digits Discord shows. */
export function discordKeys(): { publicKeyHex: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { publicKeyHex: der.subarray(der.length - 32).toString('hex'), privateKey };
}

export const discordHeaders = (privateKey: KeyObject, body: Buffer | string, timestampSeconds: number) => ({
  'X-Signature-Timestamp': String(timestampSeconds),
  'X-Signature-Ed25519': sign(null, Buffer.concat([Buffer.from(String(timestampSeconds)), Buffer.from(body)]), privateKey).toString('hex'),
});

/** A SendGrid-style P-256 key pair: the public key as base64 DER SPKI, as SendGrid shows it. */
export function sendgridKeys(): { publicKeyBase64: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { publicKeyBase64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey };
}

export const sendgridHeaders = (privateKey: KeyObject, body: Buffer | string, timestampSeconds: number) => ({
  'X-Twilio-Email-Event-Webhook-Timestamp': String(timestampSeconds),
  'X-Twilio-Email-Event-Webhook-Signature': sign(
    'sha256',
    Buffer.concat([Buffer.from(String(timestampSeconds)), Buffer.from(body)]),
    privateKey,
  ).toString('base64'),
});
