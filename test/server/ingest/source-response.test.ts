import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { createSource } from '../../helpers/sources.js';
import { githubHeaders } from '../../helpers/ingest-signing.js';

/**
 * A source's `response` (CONTRACT §9.2, §9.4): accepted requests get the configured status,
 * content type and body instead of the default JSON; the event is stored all the same. Checked
 * over real HTTP on both databases, with the 400s for what cannot be answered.
 */

async function send(url: string, headers: Record<string, string>, body: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

const BODY = '{"action":"opened"}';
const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

forEachDatabase(t, 'source response', async (t, server) => {
  t.test('an accepted request gets the configured status, content type and body; the event is stored', async (t) => {
    const response = { status: 201, content_type: 'text/xml; charset=utf-8', body: TWIML };
    const source = await createSource(server, { verification: { type: 'github', secret: 'gh' }, response });
    t.same(source.data.response, response, 'shown on the source');
    t.same(source.data.verification, { type: 'github' }, 'verification shows neither the secret nor the options');
    const answered = await send(source.url, githubHeaders('gh', BODY), BODY);
    t.equal(answered.status, 201);
    t.equal(answered.type, 'text/xml; charset=utf-8');
    t.equal(answered.text, TWIML);
    const events = await server.db('events').where({ source_id: source.id });
    t.equal(events.length, 1, 'the event was stored');
    t.equal(events[0].status, 'pending');

    const rejected = await send(source.url, githubHeaders('wrong', BODY), BODY);
    t.equal(rejected.status, 401, 'rejections keep the usual error answer');
  });

  t.test('status 204 answers no body; without content_type a body is text/plain', async (t) => {
    const empty = await createSource(server, { response: { status: 204 } });
    const answered = await send(empty.url, {}, BODY);
    t.equal(answered.status, 204);
    t.equal(answered.text, '');
    const textual = await createSource(server, { response: { status: 200, body: 'thanks' } });
    const thanked = await send(textual.url, {}, BODY);
    t.equal(thanked.status, 200);
    t.match(thanked.type, /^text\/plain/);
    t.equal(thanked.text, 'thanks');
    const noBody = await createSource(server, { response: { status: 202, content_type: 'application/json' } });
    const accepted = await send(noBody.url, {}, BODY);
    t.equal(accepted.status, 202);
    t.equal(accepted.text, '', 'a status without body answers an empty body');
  });

  t.test('a configured body of any type can run nothing on this origin (XHTML and SVG run scripts too)', async (t) => {
    const xhtml = '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>';
    const source = await createSource(server, { response: { status: 200, content_type: 'application/xhtml+xml', body: xhtml } });
    const answered = await fetch(source.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
    t.equal(answered.status, 200);
    t.match(answered.headers.get('content-security-policy'), /default-src 'none'.*sandbox/);
    t.equal(answered.headers.get('x-content-type-options'), 'nosniff');
    t.equal(await answered.text(), xhtml);
  });

  t.test('PATCH changes response and verification independently; null restores the default JSON', async (t) => {
    const source = await createSource(server, { verification: { type: 'github', secret: 'gh-1' }, handshakes: ['graph'] });
    const patched = await server.request('PATCH', `/api/v1/sources/${source.id}`, { body: { response: { status: 200, body: 'ok' } } });
    t.equal(patched.status, 200);
    t.same(patched.body.data.response, { status: 200, body: 'ok' });
    t.same(patched.body.data.handshakes, ['graph'], 'handshakes kept');
    t.same(patched.body.data.verification, { type: 'github' });
    const stillVerified = await send(source.url, githubHeaders('gh-1', BODY), BODY);
    t.equal(stillVerified.status, 200, 'the stored (sealed) secret still verifies after a response-only patch');
    t.equal(stillVerified.text, 'ok');

    const rekeyed = await server.request('PATCH', `/api/v1/sources/${source.id}`, {
      body: { verification: { type: 'github', secret: 'gh-2' } },
    });
    t.same(rekeyed.body.data.response, { status: 200, body: 'ok' }, 'a new verification keeps the response');
    t.same(rekeyed.body.data.handshakes, ['graph']);
    t.equal((await send(source.url, githubHeaders('gh-1', BODY), BODY)).status, 401, 'the old secret no longer verifies');
    t.equal((await send(source.url, githubHeaders('gh-2', BODY), BODY)).text, 'ok');

    const reset = await server.request('PATCH', `/api/v1/sources/${source.id}`, { body: { response: null, handshakes: [] } });
    t.equal(reset.body.data.response, null);
    t.same(reset.body.data.handshakes, []);
    const json = await send(source.url, githubHeaders('gh-2', BODY), BODY);
    t.equal(json.status, 200);
    t.match(JSON.parse(json.text), { ok: true, event_id: /^evt_/ });
  });

  t.test('unanswerable responses are refused with 400 invalid_request and details', async (t) => {
    const refusals: [Record<string, unknown>, string][] = [
      [{ status: 204, body: 'x' }, '/response/body'],
      [{ status: 200, body: 'é'.repeat(2049) }, '/response/body'],
      [{ status: 302 }, '/response/status'],
      [{ status: 199 }, '/response/status'],
      [{ status: 200, content_type: 'text/plain\r\nSet-Cookie: a=b' }, '/response/content_type'],
      [{ status: 200, extra: true }, '/response'],
    ];
    for (const [response, path] of refusals) {
      const created = await server.request('POST', '/api/v1/sources', { body: { name: 'bad', response } });
      t.equal(created.status, 400, JSON.stringify(response));
      t.equal(created.body.error, 'invalid_request');
      t.ok(
        (created.body.details as { path: string }[]).some((detail) => detail.path.startsWith(path)),
        `details point at ${path}: ${JSON.stringify(created.body.details)}`,
      );
    }
    const handshakes = await server.request('POST', '/api/v1/sources', { body: { name: 'bad', handshakes: ['slack'] } });
    t.equal(handshakes.status, 400, 'only graph is an opt-in handshake');
  });
});
