import { randomBytes } from 'node:crypto';
import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { TestServer } from '../../helpers/server.js';
import { createSource, type CreatedSource } from '../../helpers/sources.js';
import { standardWebhooksHeaders } from '../../helpers/ingest-signing.js';
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

/**
 * Every §9.1 provider over real HTTP on both databases: a request signed as the provider signs it
 * is stored verified; one signed with the wrong secret, or too old, answers 401 and is kept as a
 * rejected event. Twilio and HubSpot sign the public ingest URL (DISPATCH_PUBLIC_URL + path +
 * query), which the test server's ingest_url is; the requests themselves go to the loopback port.
 * Signing algorithms and their sources: test/server/ingest/providers-verifiers.test.ts.
 */

type Source = CreatedSource;

/** A source verified with `verification`. */
const sourceVerifiedBy = (server: TestServer, verification: Record<string, unknown>): Promise<Source> =>
  createSource(server, { name: `${String(verification.type)} source`, verification });

const nowS = () => Math.floor(Date.now() / 1000);
const json = { 'content-type': 'application/json' };
const BODY = '{"id":"evt_1","amount":4200}';

interface Request {
  /** Appended to the ingest URL (sub-path and query), signed where the scheme signs the URL. */
  suffix?: string;
  headers: Record<string, string>;
  body: string;
}

interface Case {
  verification: (keys: { discord: string; sendgrid: string }) => Record<string, unknown>;
  good(source: Source): Request;
  /** Wrong secret, tampered body or stale timestamp: what the scheme must refuse. */
  bad(source: Source): Request;
}

const discord = discordKeys();
const sendgrid = sendgridKeys();

const cases: Case[] = [
  {
    verification: () => ({ type: 'gitlab', token: 'gitlab-token' }),
    good: () => ({ headers: { ...json, ...gitlabHeaders('gitlab-token') }, body: BODY }),
    bad: () => ({ headers: { ...json, ...gitlabHeaders('gitlab-guess') }, body: BODY }),
  },
  {
    verification: () => ({ type: 'meta', app_secret: 'meta-secret', verify_token: 'vt' }),
    good: () => ({ headers: { ...json, ...metaHeaders('meta-secret', BODY) }, body: BODY }),
    bad: () => ({ headers: { ...json, ...metaHeaders('meta-secret', BODY) }, body: BODY.replace('4200', '1') }),
  },
  {
    verification: () => ({ type: 'twitter', consumer_secret: 'tw-secret' }),
    good: () => ({ headers: { ...json, ...twitterHeaders('tw-secret', BODY) }, body: BODY }),
    bad: () => ({ headers: { ...json, ...twitterHeaders('tw-other', BODY) }, body: BODY }),
  },
  {
    verification: () => ({ type: 'zoom', secret_token: 'zoom-secret' }),
    good: () => ({ headers: { ...json, ...zoomHeaders('zoom-secret', BODY, nowS()) }, body: BODY }),
    bad: () => ({ headers: { ...json, ...zoomHeaders('zoom-secret', BODY, nowS() - 600) }, body: BODY }),
  },
  {
    verification: () => ({ type: 'twilio', auth_token: 'twilio-token' }),
    good: (source) => {
      const params = { From: '+14158675310', Body: 'hello' };
      const suffix = '/sms?tenant=acme';
      return {
        suffix,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature('twilio-token', source.publicUrl + suffix, params),
        },
        body: new URLSearchParams(params).toString(),
      };
    },
    bad: (source) => {
      const params = { From: '+14158675310', Body: 'hello' };
      return {
        suffix: '/sms?tenant=other',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature('twilio-token', source.publicUrl + '/sms?tenant=acme', params),
        },
        body: new URLSearchParams(params).toString(),
      };
    },
  },
  {
    verification: () => ({ type: 'twilio', auth_token: 'twilio-token' }),
    good: (source) => {
      const suffix = `?bodySHA256=${sha256Hex(BODY)}`;
      return { suffix, headers: { ...json, 'x-twilio-signature': twilioSignature('twilio-token', source.publicUrl + suffix) }, body: BODY };
    },
    bad: (source) => {
      const suffix = `?bodySHA256=${sha256Hex(BODY)}`;
      const headers = { ...json, 'x-twilio-signature': twilioSignature('twilio-token', source.publicUrl + suffix) };
      return { suffix, headers, body: BODY.replace('4200', '1') };
    },
  },
  {
    verification: () => ({ type: 'paddle', secret: 'pdl_ntfset_x' }),
    good: () => ({ headers: { ...json, ...paddleHeaders('pdl_ntfset_x', BODY, nowS()) }, body: BODY }),
    bad: () => ({ headers: { ...json, ...paddleHeaders('pdl_ntfset_x', BODY, nowS() - 301) }, body: BODY }),
  },
  {
    verification: () => ({ type: 'square', signature_key: 'sq-key', notification_url: 'https://hooks.example.com/square' }),
    good: () => ({ headers: { ...json, ...squareHeaders('sq-key', 'https://hooks.example.com/square', BODY) }, body: BODY }),
    bad: () => ({ headers: { ...json, ...squareHeaders('sq-key', 'https://hooks.example.com/other', BODY) }, body: BODY }),
  },
  {
    verification: () => ({ type: 'linear', secret: 'lin-secret' }),
    good: () => {
      const body = JSON.stringify({ action: 'create', webhookTimestamp: Date.now() });
      return { headers: { ...json, ...linearHeaders('lin-secret', body) }, body };
    },
    bad: () => {
      const body = JSON.stringify({ action: 'create', webhookTimestamp: Date.now() - 61_000 });
      return { headers: { ...json, ...linearHeaders('lin-secret', body) }, body };
    },
  },
  {
    verification: ({ discord: key }) => ({ type: 'discord', public_key: key }),
    good: () => {
      const body = JSON.stringify({ type: 2, data: { name: 'ping' } });
      return { headers: { ...json, ...discordHeaders(discord.privateKey, body, nowS()) }, body };
    },
    bad: () => {
      const body = JSON.stringify({ type: 2, data: { name: 'ping' } });
      return { headers: { ...json, ...discordHeaders(discord.privateKey, body, nowS()) }, body: body.replace('ping', 'pong') };
    },
  },
  {
    verification: () => ({ type: 'mailgun', signing_key: 'mg-key' }),
    good: () => ({ headers: json, body: mailgunBody('mg-key', nowS(), 'x'.repeat(50)) }),
    bad: () => ({ headers: json, body: mailgunBody('mg-other', nowS(), 'x'.repeat(50)) }),
  },
  {
    verification: ({ sendgrid: key }) => ({ type: 'sendgrid', public_key: key }),
    good: () => ({ headers: { ...json, ...sendgridHeaders(sendgrid.privateKey, BODY, nowS()) }, body: BODY }),
    bad: () => ({ headers: { ...json, ...sendgridHeaders(sendgrid.privateKey, BODY, nowS() - 301) }, body: BODY }),
  },
  {
    verification: () => ({ type: 'hubspot', client_secret: 'hs-secret' }),
    good: (source) => ({
      suffix: '?portalId=62515',
      headers: { ...json, ...hubspotHeaders('hs-secret', 'POST', source.publicUrl + '?portalId=62515', BODY, Date.now()) },
      body: BODY,
    }),
    bad: (source) => ({
      suffix: '?portalId=1',
      headers: { ...json, ...hubspotHeaders('hs-secret', 'POST', source.publicUrl + '?portalId=62515', BODY, Date.now()) },
      body: BODY,
    }),
  },
  {
    verification: () => ({ type: 'svix', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
    good: () => ({
      headers: { ...json, ...standardWebhooksHeaders('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', BODY, nowS(), 'svix') },
      body: BODY,
    }),
    bad: () => ({
      headers: { ...json, ...standardWebhooksHeaders('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', BODY, nowS() - 301, 'svix') },
      body: BODY,
    }),
  },
];

async function post(source: Source, request: Request) {
  const response = await fetch(source.url + (request.suffix ?? ''), { method: 'POST', headers: request.headers, body: request.body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

forEachDatabase(t, 'every §9.1 provider verifies over HTTP', async (t, server) => {
  for (const testCase of cases) {
    const verification = testCase.verification({ discord: discord.publicKeyHex, sendgrid: sendgrid.publicKeyBase64 });
    const type = String(verification.type);
    const source = await sourceVerifiedBy(server, verification);

    const accepted = await post(source, testCase.good(source));
    t.equal(accepted.status, 200, `${type} accepts a request signed as the provider signs it`);
    const event = await server.db('events').where({ id: accepted.body.event_id }).first();
    t.equal(event?.status, 'pending', `${type} event stored`);
    t.equal(Boolean(event?.verified), true, `${type} event verified`);

    const rejected = await post(source, testCase.bad(source));
    t.equal(rejected.status, 401, `${type} refuses a wrong, tampered or stale request`);
    t.equal(rejected.body.error, 'signature_invalid');
    const kept = await server.db('events').where({ source_id: source.id, status: 'rejected' }).first();
    t.match(kept?.rejection_reason, /match|tolerance/, `${type} rejected event keeps its reason`);
  }
});

forEachDatabase(
  t,
  'provider secrets are write-only and sealed; gitlab tokens are redacted from events',
  async (t, server) => {
    const source = await sourceVerifiedBy(server, { type: 'gitlab', token: 'gitlab-token-plain' });
    const shown = await server.request('GET', `/api/v1/sources/${source.id}`);
    t.same(shown.body.data.verification, { type: 'gitlab' }, 'the token is never returned');
    const row = await server.db('sources').where({ id: source.id }).first();
    t.notMatch(String(row.verification), /gitlab-token-plain/, 'nor stored in plain text');

    const accepted = await post(source, { headers: { ...json, ...gitlabHeaders('gitlab-token-plain') }, body: BODY });
    t.equal(accepted.status, 200);
    const event = await server.request('GET', `/api/v1/events/${String(accepted.body.event_id)}`);
    t.equal(event.body.data.headers['x-gitlab-token'], '[redacted]');

    const keyed = await sourceVerifiedBy(server, { type: 'sendgrid', public_key: sendgrid.publicKeyBase64 });
    const keyShown = await server.request('GET', `/api/v1/sources/${keyed.id}`);
    t.same(keyShown.body.data.verification, { type: 'sendgrid', public_key: sendgrid.publicKeyBase64 }, 'a public key is no secret');
    t.notOk(
      server.logs.some((line) => line.includes('gitlab-token-plain')),
      'never logged',
    );
  },
  { env: { DISPATCH_ENCRYPTION_KEY: randomBytes(32).toString('base64') } },
);

forEachDatabase(t, 'provider settings are validated on create', async (t, server) => {
  const refusals: [Record<string, unknown>, RegExp][] = [
    [{ type: 'discord', public_key: 'zz' }, /public_key/],
    [{ type: 'sendgrid', public_key: Buffer.from('x'.repeat(60)).toString('base64') }, /public_key/],
    [{ type: 'square', signature_key: 'k' }, /notification_url/],
    [{ type: 'meta', app_secret: 's' }, /verify_token/],
    [{ type: 'twilio', auth_token: '' }, /auth_token/],
  ];
  for (const [verification, detail] of refusals) {
    const created = await server.request('POST', '/api/v1/sources', { body: { name: 'bad', verification } });
    t.equal(created.status, 400, `${String(verification.type)} with bad settings → 400`);
    t.equal(created.body.error, 'invalid_request');
    t.match(JSON.stringify(created.body.details), detail);
  }
});
