import { openSecret, sealSecret } from '../../secrets.js';
import { apiKeyVerifier } from './api-key.js';
import { basicAuthVerifier } from './basic-auth.js';
import { githubVerifier } from './github.js';
import { hmacVerifier } from './hmac.js';
import { noneVerifier } from './none.js';
import { shopifyVerifier } from './shopify.js';
import { slackVerifier } from './slack.js';
import { standardWebhooksVerifier } from './standard-webhooks.js';
import { stripeVerifier } from './stripe.js';
import type { IncomingHeaders, Verifier, VerifyResult } from './support.js';

export type { IncomingHeaders, VerifyResult } from './support.js';

/** Every verification scheme by its `verification.type`. */
const VERIFIERS: Record<string, Verifier<any>> = Object.fromEntries(
  [noneVerifier, hmacVerifier, githubVerifier, stripeVerifier, shopifyVerifier, slackVerifier, standardWebhooksVerifier, basicAuthVerifier, apiKeyVerifier]
    .map((verifier) => [verifier.type, verifier]),
);

/** A source's verification settings: `type` plus that scheme's fields. */
export interface VerificationConfig {
  type: string;
  [field: string]: unknown;
}

/**
 * The request schema of `verification`: one branch per scheme, selected by `type` (ajv's
 * discriminator, so a bad hmac config reports hmac's fields rather than every branch's).
 */
export const verificationSchema = {
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: Object.values(VERIFIERS).map((verifier) => ({
    type: 'object',
    title: verifier.type,
    required: ['type', ...verifier.required],
    additionalProperties: false,
    properties: { type: { const: verifier.type }, ...verifier.properties },
  })),
} as const;

/**
 * Checks a request against the source's (opened) verification settings, on the raw body bytes.
 * A verifier that throws on hostile input counts as a rejection, never as a 500.
 */
export function verifyRequest(rawBody: Buffer, headers: IncomingHeaders, config: VerificationConfig, nowMs: number): VerifyResult {
  const verifier = VERIFIERS[config.type];
  if (!verifier) return { ok: false, reason: `unknown verification type ${config.type}` };
  try {
    return verifier.verify(rawBody, headers, config, nowMs);
  } catch {
    return { ok: false, reason: 'the signature headers could not be parsed' };
  }
}

/** True when the scheme actually checks something (`none` accepts everything unverified). */
export function isVerifying(config: VerificationConfig): boolean {
  return config.type !== 'none';
}

function mapSecrets(config: VerificationConfig, map: (value: string) => string): VerificationConfig {
  const copy = { ...config };
  for (const field of VERIFIERS[config.type]?.secretFields ?? []) {
    if (typeof copy[field] === 'string') copy[field] = map(copy[field] as string);
  }
  return copy;
}

/** The settings as stored: each secret field sealed (AES-GCM when an encryption key is set). */
export function sealVerification(config: VerificationConfig, key: Buffer | null): VerificationConfig {
  return mapSecrets(config, (value) => sealSecret(value, key));
}

/** The stored settings with their secrets opened, ready for verifyRequest. */
export function openVerification(stored: VerificationConfig, key: Buffer | null): VerificationConfig {
  return mapSecrets(stored, (value) => openSecret(value, key));
}

/** The settings as the API shows them: the type and non-secret fields, never a secret. */
export function publicVerification(config: VerificationConfig): VerificationConfig {
  const secretFields = new Set(VERIFIERS[config.type]?.secretFields ?? []);
  return Object.fromEntries(Object.entries(config).filter(([field]) => !secretFields.has(field))) as VerificationConfig;
}
