import t from 'tap';
import type { VerificationConfig } from '../../../server/ingest/verifiers/index.js';
import {
  discordHeaders,
  discordKeys,
  gitlabHeaders,
  hubspotHeaders,
  linearHeaders,
  mailgunBody,
  metaHeaders,
  paddleHeaders,
  sendgridHeaders,
  sendgridKeys,
  sha256Hex,
  squareHeaders,
  twilioSignature,
  twitterHeaders,
  zoomHeaders,
} from '../../helpers/provider-signing.js';
import { standardWebhooksHeaders } from '../../helpers/ingest-signing.js';
import {
  checkSigned as check,
  PROVIDER_NOW_S as NOW_S,
  PROVIDER_TARGET as TARGET,
  type SignedRequest as Signed,
} from '../../helpers/verifier-check.js';

/**
 * The §9.1 provider schemes, one table row each: a correctly signed request passes; a tampered
 * body, a wrong secret, a missing header and (where timestamped) a stale or future timestamp are
 * rejected. Published provider test vectors and per-provider details are in
 * providers-vectors.test.ts. Where a provider publishes none, the signer in
 * test/helpers/provider-signing.ts follows the provider's official SDK algorithm (named per row)
 * with Node crypto.
 */

interface Provider {
  name: string;
  /** Where the signing algorithm was checked (test vector, or SDK when none is published). */
  source: string;
  config: VerificationConfig;
  wrong: VerificationConfig;
  /** A request signed at `nowS` (seconds); `body` is the body to sign. */
  sign(body: string, nowS: number): Signed;
  /** Replaces the signed body (tampering) while keeping the signature. */
  tamper?(signed: Signed): Signed;
  /** True when a timestamp outside the window is refused; the unit of the window. */
  window?: { seconds: number };
}

const BODY = '{"id":"evt_1","amount":4200,"note":"café"}';
const tamperBody = (signed: Signed): Signed => ({ ...signed, body: Buffer.from(signed.body.toString('utf8').replace('4200', '9900')) });

const discord = discordKeys();
const discordOther = discordKeys();
const sendgrid = sendgridKeys();
const sendgridOther = sendgridKeys();
const linearBody = (nowS: number) =>
  JSON.stringify({ action: 'create', type: 'Issue', data: { id: 'iss_1', amount: 4200 }, webhookTimestamp: nowS * 1000 });

const providers: Provider[] = [
  {
    name: 'gitlab',
    source: 'GitLab webhook docs: X-Gitlab-Token carries the secret token verbatim',
    config: { type: 'gitlab', token: 'glpat-secret-token' },
    wrong: { type: 'gitlab', token: 'another-token' },
    sign: (body) => ({ body: Buffer.from(body), headers: gitlabHeaders('glpat-secret-token') }),
  },
  {
    name: 'meta',
    source: 'no published vector; Meta Graph API webhooks docs (sha256= hex HMAC of the payload with the app secret)',
    config: { type: 'meta', app_secret: 'meta-app-secret', verify_token: 'vt' },
    wrong: { type: 'meta', app_secret: 'other-app-secret', verify_token: 'vt' },
    sign: (body) => ({ body: Buffer.from(body), headers: metaHeaders('meta-app-secret', body) }),
  },
  {
    name: 'twitter',
    source: 'no published vector; X Account Activity API docs (sha256= base64 HMAC with the consumer secret)',
    config: { type: 'twitter', consumer_secret: 'twitter-consumer-secret' },
    wrong: { type: 'twitter', consumer_secret: 'other' },
    sign: (body) => ({ body: Buffer.from(body), headers: twitterHeaders('twitter-consumer-secret', body) }),
  },
  {
    name: 'zoom',
    source: 'no published vector; Zoom webhooks docs "Verify webhook events" (v0:{ts}:{body})',
    config: { type: 'zoom', secret_token: 'zoom-secret-token' },
    wrong: { type: 'zoom', secret_token: 'other' },
    sign: (body, nowS) => ({ body: Buffer.from(body), headers: zoomHeaders('zoom-secret-token', body, nowS) }),
    window: { seconds: 300 },
  },
  {
    name: 'twilio (form body)',
    source: 'twilio-node getExpectedTwilioSignature (URL + sorted POST params, HMAC-SHA1 base64)',
    config: { type: 'twilio', auth_token: 'twilio-auth-token' },
    wrong: { type: 'twilio', auth_token: 'other' },
    sign: () => {
      const params = { From: '+14158675310', To: '+18005551212', Body: 'Amount 4200', MessageSid: 'SM1' };
      return {
        body: Buffer.from(new URLSearchParams(params).toString()),
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': twilioSignature('twilio-auth-token', TARGET.url, params),
        },
      };
    },
  },
  {
    name: 'twilio (JSON body with bodySHA256)',
    source: 'twilio-node validateRequestWithBody (URL signature with no params, plus bodySHA256)',
    config: { type: 'twilio', auth_token: 'twilio-auth-token' },
    wrong: { type: 'twilio', auth_token: 'other' },
    sign: (body) => {
      const target = { method: 'POST', url: `https://dispatch.example.com/in/tok_abc?bodySHA256=${sha256Hex(body)}` };
      return { body: Buffer.from(body), headers: { 'X-Twilio-Signature': twilioSignature('twilio-auth-token', target.url) }, target };
    },
  },
  {
    name: 'paddle',
    source: 'no published vector with its secret; Paddle docs "Verify webhook signatures" (ts:body, h1 hex)',
    config: { type: 'paddle', secret: 'pdl_ntfset_secret' },
    wrong: { type: 'paddle', secret: 'pdl_ntfset_other' },
    sign: (body, nowS) => ({ body: Buffer.from(body), headers: paddleHeaders('pdl_ntfset_secret', body, nowS) }),
    window: { seconds: 300 },
  },
  {
    name: 'square',
    source: 'Square SDK WebhooksHelper (notification URL + body, base64 HMAC-SHA256)',
    config: { type: 'square', signature_key: 'square-signature-key', notification_url: 'https://hooks.example.com/square' },
    wrong: { type: 'square', signature_key: 'other', notification_url: 'https://hooks.example.com/square' },
    sign: (body) => ({ body: Buffer.from(body), headers: squareHeaders('square-signature-key', 'https://hooks.example.com/square', body) }),
  },
  {
    name: 'linear',
    source: 'no published vector; @linear/sdk LinearWebhooks.verify (hex HMAC of the raw body, webhookTimestamp ms, 60 s)',
    config: { type: 'linear', secret: 'lin_wh_secret' },
    wrong: { type: 'linear', secret: 'lin_wh_other' },
    sign: (_body, nowS) => {
      const body = linearBody(nowS);
      return { body: Buffer.from(body), headers: linearHeaders('lin_wh_secret', body) };
    },
    window: { seconds: 60 },
  },
  {
    name: 'discord',
    source: 'no published vector; Discord interactions docs / discord-interactions verifyKey (Ed25519 over timestamp + body)',
    config: { type: 'discord', public_key: discord.publicKeyHex },
    wrong: { type: 'discord', public_key: discordOther.publicKeyHex },
    sign: (body, nowS) => ({ body: Buffer.from(body), headers: discordHeaders(discord.privateKey, body, nowS) }),
    window: { seconds: 300 },
  },
  {
    name: 'mailgun',
    source: 'no published vector; Mailgun docs "Securing webhooks" (hex HMAC-SHA256 of timestamp + token)',
    config: { type: 'mailgun', signing_key: 'key-mailgun-signing' },
    wrong: { type: 'mailgun', signing_key: 'key-other' },
    sign: (_body, nowS) => ({
      body: Buffer.from(mailgunBody('key-mailgun-signing', nowS, 'a'.repeat(50))),
      headers: { 'Content-Type': 'application/json' },
    }),
    // event-data is not signed by Mailgun: tampering means changing a signed field
    tamper: (signed) => ({ ...signed, body: Buffer.from(signed.body.toString('utf8').replace('"token":"a', '"token":"b')) }),
    window: { seconds: 300 },
  },
  {
    name: 'sendgrid',
    source: 'sendgrid-nodejs @sendgrid/eventwebhook algorithm (ECDSA P-256 SHA-256 over timestamp + payload)',
    config: { type: 'sendgrid', public_key: sendgrid.publicKeyBase64 },
    wrong: { type: 'sendgrid', public_key: sendgridOther.publicKeyBase64 },
    sign: (body, nowS) => ({ body: Buffer.from(body), headers: sendgridHeaders(sendgrid.privateKey, body, nowS) }),
    window: { seconds: 300 },
  },
  {
    name: 'hubspot',
    source: 'no published v3 vector; hubspot-api-ruby Hubspot::Helpers::Signature v3 (method + uri + body + timestamp)',
    config: { type: 'hubspot', client_secret: 'hubspot-client-secret' },
    wrong: { type: 'hubspot', client_secret: 'other' },
    sign: (body, nowS) => ({
      body: Buffer.from(body),
      headers: hubspotHeaders('hubspot-client-secret', 'POST', TARGET.url, body, nowS * 1000),
    }),
    window: { seconds: 300 },
  },
  {
    name: 'svix',
    source: 'alias of standard_webhooks (contract check vector in verifiers.test.ts)',
    config: { type: 'svix', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    wrong: { type: 'svix', secret: 'whsec_AAAA9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    sign: (body, nowS) => ({
      body: Buffer.from(body),
      headers: standardWebhooksHeaders('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', body, nowS, 'svix'),
    }),
    window: { seconds: 300 },
  },
];

for (const provider of providers) {
  t.test(`${provider.name} verifier accepts a correctly signed request (${provider.source})`, async (t) => {
    t.same(check(provider.config, provider.sign(BODY, NOW_S)), { ok: true });
  });
  if (provider.config.type !== 'gitlab') {
    t.test(`${provider.name} verifier rejects a tampered body`, async (t) => {
      const signed = provider.sign(BODY, NOW_S);
      const tampered = (provider.tamper ?? tamperBody)(signed);
      t.not(tampered.body.toString(), signed.body.toString(), 'the body did change');
      t.match(check(provider.config, tampered), { ok: false, reason: /match/ });
    });
  }
  t.test(`${provider.name} verifier rejects a wrong secret or key`, async (t) => {
    t.match(check(provider.wrong, provider.sign(BODY, NOW_S)), { ok: false, reason: /match/ });
  });
  t.test(`${provider.name} verifier rejects a request without its signature`, async (t) => {
    const signed = provider.sign(BODY, NOW_S);
    const unsigned = provider.config.type === 'mailgun' ? { ...signed, body: Buffer.from(BODY) } : { ...signed, headers: {} };
    t.match(check(provider.config, unsigned), { ok: false, reason: /missing/ });
  });
  const window = provider.window;
  if (window) {
    t.test(`${provider.name} verifier rejects a stale or future timestamp (${window.seconds} s window)`, async (t) => {
      t.match(check(provider.config, provider.sign(BODY, NOW_S - window.seconds - 2)), { ok: false, reason: /tolerance/ });
      t.match(check(provider.config, provider.sign(BODY, NOW_S + window.seconds + 2)), { ok: false, reason: /tolerance/ });
      t.same(check(provider.config, provider.sign(BODY, NOW_S - window.seconds + 2)), { ok: true }, 'inside the window passes');
    });
  }
}
