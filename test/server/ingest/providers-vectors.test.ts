import t from 'tap';
import { verificationConfigProblem, verifyRequest } from '../../../server/ingest/verifiers/index.js';
import {
  discordKeys,
  hubspotHeaders,
  linearHeaders,
  mailgunBody,
  paddleHeaders,
  sendgridKeys,
  sha256Hex,
  twilioSignature,
} from '../../helpers/provider-signing.js';
import { checkSigned as check, PROVIDER_NOW as NOW, PROVIDER_NOW_S as NOW_S } from '../../helpers/verifier-check.js';

/**
 * Provider verifiers against the test vectors providers publish (Twilio, Square, SendGrid), and
 * the details one table row cannot show: HubSpot's URI decoding, Mailgun forms, Paddle rotation,
 * Linear's body timestamp and key checks. The signed/tampered/missing/stale table is
 * providers-verifiers.test.ts.
 */

const BODY = '{"id":"evt_1","amount":4200,"note":"café"}';
const discord = discordKeys();
const sendgrid = sendgridKeys();

t.test('twilio verifier matches Twilio’s published form example', async (t) => {
  // TwilioDevEd/api-snippets security/signature_validation/signature_validation.3.x.js
  const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234', From: '+14158675310', To: '+18005551212' };
  const signed = {
    body: Buffer.from(new URLSearchParams(params).toString()),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'GvWf1cFY/Q7PnoempGyD5oXAezc=' },
    target: { method: 'POST', url: 'https://mycompany.com/myapp.php?foo=1&bar=2' },
  };
  t.same(check({ type: 'twilio', auth_token: '12345' }, signed), { ok: true });
  t.match(
    check(
      { type: 'twilio', auth_token: '12345' },
      { ...signed, target: { method: 'POST', url: 'https://mycompany.com/myapp.php?foo=1&bar=3' } },
    ),
    {
      ok: false,
      reason: /match/,
    },
  );
});

t.test('twilio verifier checks bodySHA256 against the body (Twilio’s published JSON example hash)', async (t) => {
  // twilio-samples/api-snippets security/signature_validation_json: the body and its bodySHA256
  const body = '{"CallSid":"CA1234567890ABCDE","Caller":"+12349013030"}';
  const url = 'https://example.com/myapp?bodySHA256=5ccde7145dfb8f56479710896586cb9d5911809d83afbe34627818790db0aec9';
  t.equal(sha256Hex(body), '5ccde7145dfb8f56479710896586cb9d5911809d83afbe34627818790db0aec9', 'the published hash is the body’s');
  const target = { method: 'POST', url };
  const headers = { 'x-twilio-signature': twilioSignature('12345', url) };
  t.same(check({ type: 'twilio', auth_token: '12345' }, { body: Buffer.from(body), headers, target }), { ok: true });
  const other = Buffer.from(body.replace('+1234', '+9999'));
  t.match(check({ type: 'twilio', auth_token: '12345' }, { body: other, headers, target }), { ok: false, reason: /bodySHA256/ });
});

t.test('square verifier matches the Square SDK test vector', async (t) => {
  // square/square-nodejs-sdk WebhooksHelper test ("test signature validation pass")
  const body =
    '{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}';
  const config = {
    type: 'square',
    signature_key: 'Ibxx_5AKakO-3qeNVR61Dw',
    notification_url: 'https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9',
  };
  const headers = { 'x-square-hmacsha256-signature': 'GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4=' };
  t.same(check(config, { body: Buffer.from(body), headers }), { ok: true });
  t.match(check({ ...config, notification_url: 'https://webhook.site/other' }, { body: Buffer.from(body), headers }), {
    ok: false,
    reason: /match/,
  });
});

t.test('sendgrid verifier matches the SendGrid SDK test vector', async (t) => {
  // sendgrid/sendgrid-nodejs packages/eventwebhook/src/eventwebhook.spec.js
  const config = {
    type: 'sendgrid',
    public_key:
      'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==',
  };
  const payload = JSON.stringify({ category: 'example_payload', event: 'test_event', message_id: 'message_id' });
  const headers = {
    'x-twilio-email-event-webhook-signature':
      'MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=',
    'x-twilio-email-event-webhook-timestamp': '1588788367',
  };
  const at = 1588788367_000;
  t.same(verifyRequest(Buffer.from(payload), headers, config, at), { ok: true });
  t.match(verifyRequest(Buffer.from('payload'), headers, config, at), { ok: false, reason: /match/ }, 'bad payload');
  const otherKey = {
    ...config,
    public_key:
      'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==',
  };
  t.match(verifyRequest(Buffer.from(payload), headers, otherKey, at), { ok: false, reason: /match/ }, 'invalid key');
  t.match(verifyRequest(Buffer.from(payload), headers, config, at + 301_000), { ok: false, reason: /tolerance/ }, 'stale');
});

t.test('hubspot verifier decodes the URI escapes HubSpot lists before signing', async (t) => {
  const target = { method: 'POST', url: 'https://dispatch.example.com/in/tok/hs?portal=1%3A2&mail=a%40b.com&space=a%20b' };
  const decoded = 'https://dispatch.example.com/in/tok/hs?portal=1:2&mail=a@b.com&space=a%20b';
  const headers = hubspotHeaders('hubspot-client-secret', 'POST', decoded, BODY, NOW);
  t.same(check({ type: 'hubspot', client_secret: 'hubspot-client-secret' }, { body: Buffer.from(BODY), headers, target }), { ok: true });
  const asSeconds = { ...headers, 'X-HubSpot-Request-Timestamp': String(NOW_S) };
  t.match(
    check({ type: 'hubspot', client_secret: 'hubspot-client-secret' }, { body: Buffer.from(BODY), headers: asSeconds, target }),
    {
      ok: false,
      reason: /tolerance/,
    },
    'a timestamp in seconds is 56 years stale in milliseconds',
  );
});

t.test('mailgun verifier accepts the signature fields of a form-encoded webhook', async (t) => {
  const json = JSON.parse(mailgunBody('key-mailgun-signing', NOW_S, 't'.repeat(50))) as { signature: Record<string, string> };
  const form = new URLSearchParams({ ...json.signature, event: 'delivered' }).toString();
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  t.same(check({ type: 'mailgun', signing_key: 'key-mailgun-signing' }, { body: Buffer.from(form), headers }), { ok: true });
});

t.test('paddle verifier accepts any one of several h1 signatures (secret rotation)', async (t) => {
  const signed = paddleHeaders('pdl_ntfset_secret', BODY, NOW_S);
  const headers = { 'Paddle-Signature': signed['Paddle-Signature'].replace(';h1=', `;h1=${'0'.repeat(64)};h1=`) };
  t.same(check({ type: 'paddle', secret: 'pdl_ntfset_secret' }, { body: Buffer.from(BODY), headers }), { ok: true });
});

t.test('linear verifier rejects a body without webhookTimestamp', async (t) => {
  const headers = linearHeaders('lin_wh_secret', BODY);
  t.match(check({ type: 'linear', secret: 'lin_wh_secret' }, { body: Buffer.from(BODY), headers }), {
    ok: false,
    reason: /webhookTimestamp/,
  });
});

t.test('discord and sendgrid keys that do not parse are a configuration problem', async (t) => {
  t.equal(verificationConfigProblem({ type: 'discord', public_key: discord.publicKeyHex }), null);
  t.equal(verificationConfigProblem({ type: 'sendgrid', public_key: sendgrid.publicKeyBase64 }), null);
  t.match(
    verificationConfigProblem({ type: 'sendgrid', public_key: Buffer.from('not a key at all, not at all').toString('base64') }),
    /ECDSA/,
  );
  t.equal(verificationConfigProblem({ type: 'github', secret: 's' }), null, 'schemes without keys have no such check');
});
