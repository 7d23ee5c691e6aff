import type { VerificationSettings, VerificationToStore } from '../../../db/queries/sources.js';
import { openFields } from '../../../db/secret-sealing.js';
import { apiKeyVerifier } from './api-key.js';
import { basicAuthVerifier } from './basic-auth.js';
import { discordVerifier } from './discord.js';
import { githubVerifier } from './github.js';
import { gitlabVerifier } from './gitlab.js';
import { hmacVerifier } from './hmac.js';
import { hubspotVerifier } from './hubspot.js';
import { linearVerifier } from './linear.js';
import { mailgunVerifier } from './mailgun.js';
import { metaVerifier } from './meta.js';
import { noneVerifier } from './none.js';
import { paddleVerifier } from './paddle.js';
import { sendgridVerifier } from './sendgrid.js';
import { shopifyVerifier } from './shopify.js';
import { slackVerifier } from './slack.js';
import { squareVerifier } from './square.js';
import { standardWebhooksVerifier } from './standard-webhooks.js';
import { stripeVerifier } from './stripe.js';
import { svixVerifier } from './svix.js';
import type { IncomingHeaders, RequestTarget, Verifier, VerifyResult } from './support.js';
import { twilioVerifier } from './twilio.js';
import { twitterVerifier } from './twitter.js';
import { zoomVerifier } from './zoom.js';

export type { IncomingHeaders, RequestTarget, VerifyResult } from './support.js';

/**
 * A scheme as the registry holds it: called with a source's stored settings. Those settings were
 * validated against this very scheme's `properties`/`required` (verificationSchema below, selected
 * by `type`) before they were stored, so they have the scheme's config shape; the types cannot
 * carry that link from the schema, so `register` states it, once, for every scheme.
 */
type RegisteredVerifier = Readonly<Verifier<VerificationSettings>>;

function register<Config>(verifier: Readonly<Verifier<Config>>): RegisteredVerifier {
  return verifier as RegisteredVerifier;
}

/** Every verification scheme by its `verification.type`. */
const VERIFIERS: Readonly<Record<string, RegisteredVerifier>> = Object.fromEntries(
  [
    register(noneVerifier),
    register(hmacVerifier),
    register(githubVerifier),
    register(stripeVerifier),
    register(shopifyVerifier),
    register(slackVerifier),
    register(standardWebhooksVerifier),
    register(basicAuthVerifier),
    register(apiKeyVerifier),
    register(gitlabVerifier),
    register(metaVerifier),
    register(twitterVerifier),
    register(zoomVerifier),
    register(twilioVerifier),
    register(paddleVerifier),
    register(squareVerifier),
    register(linearVerifier),
    register(discordVerifier),
    register(mailgunVerifier),
    register(sendgridVerifier),
    register(hubspotVerifier),
    register(svixVerifier),
  ].map((verifier) => [verifier.type, verifier]),
);

/** A source's verification settings: `type` plus that scheme's fields (the shape storage keeps). */
export type VerificationConfig = VerificationSettings;

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

/** Where a request was addressed when the caller does not say (schemes that sign the URL then fail). */
const UNKNOWN_TARGET: Readonly<RequestTarget> = { method: 'POST', url: 'http://localhost/' };

/**
 * Checks a request against the source's (opened) verification settings, on the raw body bytes;
 * `request` is the method and full public URL, which Twilio and HubSpot sign.
 * A verifier that throws on hostile input counts as a rejection, never as a 500.
 */
export function verifyRequest(
  rawBody: Buffer,
  headers: IncomingHeaders,
  config: VerificationConfig,
  nowMs: number,
  request: RequestTarget = UNKNOWN_TARGET,
): VerifyResult {
  const verifier = VERIFIERS[config.type];
  if (!verifier) return { ok: false, reason: `unknown verification type ${config.type}` };
  try {
    return verifier.verify(rawBody, headers, config, nowMs, request);
  } catch {
    return { ok: false, reason: 'the signature headers could not be parsed' };
  }
}

/**
 * The headers whose values are credentials checked by the source's scheme (lower-cased), as the
 * scheme itself declares them; none for an unknown type.
 */
export function checkedCredentialHeaders(config: VerificationConfig): string[] {
  const verifier = VERIFIERS[config.type];
  return verifier ? verifier.checkedHeaders(config).map((name) => name.toLowerCase()) : [];
}

/**
 * What the schema could not check in settings about to be stored (a public key that does not
 * parse): a sentence for the 400 details, or null when the settings are usable.
 */
export function verificationConfigProblem(config: VerificationConfig): string | null {
  return VERIFIERS[config.type]?.configProblem?.(config) ?? null;
}

/** The verification types Dispatch knows, in registry order (docs and tests list them). */
export function verificationTypes(): string[] {
  return Object.keys(VERIFIERS);
}

/** True when the scheme actually checks something (`none` accepts everything unverified). */
export function isVerifying(config: VerificationConfig): boolean {
  return config.type !== 'none';
}

/** The names of the scheme's secret fields (sealed at rest, never shown); none for an unknown type. */
export function verificationSecretFields(config: VerificationConfig): readonly string[] {
  return VERIFIERS[config.type]?.secretFields ?? [];
}

/** Plaintext settings as a query stores them: storage seals the fields the scheme names secret. */
export function verificationToStore(config: VerificationConfig): VerificationToStore {
  return { settings: config, secretFields: verificationSecretFields(config) };
}

/** The stored settings with their secrets opened, ready for verifyRequest. */
export function openVerification(stored: VerificationConfig, key: Buffer | null): VerificationConfig {
  return openFields(stored, verificationSecretFields(stored), key);
}

/** The settings as the API shows them: the type and non-secret fields, never a secret. */
export function publicVerification(config: VerificationConfig): VerificationConfig {
  const secretFields = new Set(verificationSecretFields(config));
  return Object.fromEntries(Object.entries(config).filter(([field]) => !secretFields.has(field))) as VerificationConfig;
}
