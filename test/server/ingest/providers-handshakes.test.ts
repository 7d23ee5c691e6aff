import { createHmac } from 'node:crypto';
import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import type { TestServer } from '../../helpers/server.js';
import { createSource } from '../../helpers/sources.js';
import { slackHeaders } from '../../helpers/ingest-signing.js';
import { discordHeaders, discordKeys, zoomHeaders } from '../../helpers/provider-signing.js';

/**
 * Handshakes (CONTRACT §9.2, §9.4) over real HTTP on both databases: answered by Dispatch before
 * storage and before the allowed-methods check, never stored as events, counted in
 * dispatch_ingest_handshakes_total{type}; signed ones are checked first and a bad signature is a
 * 401 with a rejected event kept.
 */

async function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const response = await fetch(url, { method: init.method ?? 'POST', headers: init.headers, body: init.body });
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') ?? '' };
}

const eventCount = async (server: TestServer, sourceId: string, status?: string) => {
  const query = server.db('events').where({ source_id: sourceId });
  if (status) query.andWhere({ status });
  const row = await query.count({ n: '*' }).first();
  return Number(row?.n ?? 0);
};

async function handshakeCount(server: TestServer, type: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`dispatch_ingest_handshakes_total{type="${type}"}`));
  if (!line) throw new Error(`no dispatch_ingest_handshakes_total series for ${type}`);
  return Number(line.split(' ').pop());
}

const nowS = () => Math.floor(Date.now() / 1000);

forEachDatabase(t, 'handshakes', async (t, server) => {
  t.test('slack url_verification: signed → 200 application/json {"challenge"}, not stored, counted', async (t) => {
    const source = await createSource(server, { verification: { type: 'slack', secret: 'slack-signing-secret' } });
    const body = JSON.stringify({
      token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    const before = await handshakeCount(server, 'slack');
    const answered = await send(source.url, {
      headers: { 'content-type': 'application/json', ...slackHeaders('slack-signing-secret', body, nowS()) },
      body,
    });
    t.equal(answered.status, 200);
    t.match(answered.type, /^application\/json/);
    t.same(JSON.parse(answered.text), { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    t.equal(await eventCount(server, source.id), 0, 'a handshake is never stored as an event');
    t.equal(await handshakeCount(server, 'slack'), before + 1);

    const forged = await send(source.url, {
      headers: { 'content-type': 'application/json', ...slackHeaders('not-the-secret', body, nowS()) },
      body,
    });
    t.equal(forged.status, 401, 'a bad signature is rejected before any answer');
    t.match(JSON.parse(forged.text), { error: 'signature_invalid' });
    t.equal(await eventCount(server, source.id, 'rejected'), 1, 'and kept as a rejected event');
    t.equal(await handshakeCount(server, 'slack'), before + 1, 'a rejected handshake is not counted');

    const event = JSON.stringify({ type: 'event_callback', event: { type: 'message', text: 'hi' } });
    const stored = await send(source.url, {
      headers: { 'content-type': 'application/json', ...slackHeaders('slack-signing-secret', event, nowS()) },
      body: event,
    });
    t.equal(stored.status, 200);
    t.match(JSON.parse(stored.text), { ok: true, event_id: /^evt_/ }, 'ordinary Slack events are still stored');
  });

  t.test('meta GET subscription: the right verify token echoes the challenge, a wrong one is 403', async (t) => {
    const source = await createSource(server, {
      verification: { type: 'meta', app_secret: 'meta-app-secret', verify_token: 'my-verify-token' },
    });
    const before = await handshakeCount(server, 'meta');
    const ok = await send(`${source.url}?hub.mode=subscribe&hub.verify_token=my-verify-token&hub.challenge=1158201444`, { method: 'GET' });
    t.equal(ok.status, 200, 'answered although the source allows POST only');
    t.match(ok.type, /^text\/plain/);
    t.equal(ok.text, '1158201444');
    const wrong = await send(`${source.url}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444`, { method: 'GET' });
    t.equal(wrong.status, 403);
    t.match(JSON.parse(wrong.text), { error: 'verification_failed' });
    t.notMatch(wrong.text, /my-verify-token/, 'the token is never echoed');
    t.equal(await eventCount(server, source.id), 0);
    t.equal(await handshakeCount(server, 'meta'), before + 1);
    const plainGet = await send(source.url, { method: 'GET' });
    t.equal(plainGet.status, 405, 'a GET that is no handshake still meets allowed_methods');
    const noChallenge = await send(`${source.url}?hub.mode=subscribe&hub.verify_token=my-verify-token`, { method: 'GET' });
    t.equal(noChallenge.status, 405, 'without hub.challenge there is nothing to echo: an ordinary GET');
  });

  t.test('twitter CRC GET answers response_token = sha256=<base64 HMAC(consumer_secret, crc_token)>', async (t) => {
    const source = await createSource(server, { verification: { type: 'twitter', consumer_secret: 'twitter-consumer-secret' } });
    const answered = await send(`${source.url}?crc_token=abc%2B123`, { method: 'GET' });
    t.equal(answered.status, 200);
    const expected = 'sha256=' + createHmac('sha256', 'twitter-consumer-secret').update('abc+123').digest('base64');
    t.same(JSON.parse(answered.text), { response_token: expected });
    t.equal(await eventCount(server, source.id), 0);
    // the CRC answer is an HMAC with the key that signs bodies: never over something that could be a body
    for (const forged of ['{"id":1}', '12345', 'a b']) {
      const refused = await send(`${source.url}?crc_token=${encodeURIComponent(forged)}`, { method: 'GET' });
      t.equal(refused.status, 405, `crc_token ${forged} gets no signature`);
    }
    // nor does an answered token pass as the signature of a body made of it
    const forged = await send(source.url, {
      headers: { 'content-type': 'text/plain', 'x-twitter-webhooks-signature': expected },
      body: 'abc+123',
    });
    t.equal(forged.status, 401, 'a CRC answer does not sign a body');
    t.equal(await eventCount(server, source.id, 'rejected'), 1);
  });

  t.test('zoom endpoint.url_validation: signed → {plainToken, encryptedToken}; bad signature → 401 rejected', async (t) => {
    const source = await createSource(server, { verification: { type: 'zoom', secret_token: 'zoom-secret-token' } });
    const body = JSON.stringify({
      payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' },
      event_ts: 1654503849680,
      event: 'endpoint.url_validation',
    });
    const answered = await send(source.url, {
      headers: { 'content-type': 'application/json', ...zoomHeaders('zoom-secret-token', body, nowS()) },
      body,
    });
    t.equal(answered.status, 200);
    const encryptedToken = createHmac('sha256', 'zoom-secret-token').update('qgg8vlvZRS6UYooatFL8Aw').digest('hex');
    t.same(JSON.parse(answered.text), { plainToken: 'qgg8vlvZRS6UYooatFL8Aw', encryptedToken });
    const forged = await send(source.url, { headers: { 'content-type': 'application/json', ...zoomHeaders('guess', body, nowS()) }, body });
    t.equal(forged.status, 401);
    t.equal(await eventCount(server, source.id), 1);
    t.equal(await eventCount(server, source.id, 'rejected'), 1);
  });

  t.test('discord PING: signed → {"type":1}; bad signature → 401 rejected', async (t) => {
    const keys = discordKeys();
    const source = await createSource(server, { verification: { type: 'discord', public_key: keys.publicKeyHex } });
    const body = JSON.stringify({ type: 1, id: '1', application_id: '2', token: 'x', version: 1 });
    const answered = await send(source.url, {
      headers: { 'content-type': 'application/json', ...discordHeaders(keys.privateKey, body, nowS()) },
      body,
    });
    t.equal(answered.status, 200);
    t.same(JSON.parse(answered.text), { type: 1 });
    const other = discordKeys();
    const forged = await send(source.url, {
      headers: { 'content-type': 'application/json', ...discordHeaders(other.privateKey, body, nowS()) },
      body,
    });
    t.equal(forged.status, 401);
    t.equal(await eventCount(server, source.id, 'rejected'), 1);
    t.equal(await eventCount(server, source.id), 1, 'only the rejected PING was kept');
  });

  t.test('microsoft graph ?validationToken= is echoed as text/plain only for sources with handshakes ["graph"]', async (t) => {
    const graph = await createSource(server, { verification: { type: 'api_key', header: 'x-api-key', key: 'k1' }, handshakes: ['graph'] });
    const answered = await send(`${graph.url}?validationToken=Validation%3A%20Testing%20client%20application`, { method: 'POST' });
    t.equal(answered.status, 200);
    t.match(answered.type, /^text\/plain/);
    t.equal(answered.text, 'Validation: Testing client application');
    t.equal(await eventCount(server, graph.id), 0);
    const plain = await createSource(server, { verification: { type: 'api_key', header: 'x-api-key', key: 'k1' } });
    const notOptedIn = await send(`${plain.url}?validationToken=abc`, { method: 'POST' });
    t.equal(notOptedIn.status, 401, 'without the opt-in it is an ordinary (unauthenticated) request');
    const shown = await server.request('GET', `/api/v1/sources/${graph.id}`);
    t.same(shown.body.data.handshakes, ['graph']);
  });

  t.test('/metrics exports dispatch_ingest_handshakes_total for every handshake type', async (t) => {
    for (const type of ['slack', 'meta', 'twitter', 'zoom', 'discord', 'graph']) t.ok((await handshakeCount(server, type)) >= 0, type);
    t.ok((await handshakeCount(server, 'graph')) >= 1);
  });
});
