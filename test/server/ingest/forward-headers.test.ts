import t from 'tap';
import { forwardHeaders, eventBodyBytes } from '../../../server/ingest/forward-target.js';
import { checkedCredentialHeaders as credentialHeaders } from '../../../server/ingest/verifiers/index.js';
import { REDACTED, redactHeaders } from '../../../server/ingest/redaction.js';
import { dedupeKey } from '../../../server/ingest/dedupe.js';
import { encodeBody } from '../../../server/ingest/ingest-router.js';

t.test('forwardHeaders drops hop-by-hop, connection-named and incoming signature headers, then adds custom ones', async (t) => {
  const headers = forwardHeaders(
    {
      headers: {
        host: 'dispatch.example.com',
        connection: 'keep-alive, x-hop',
        'keep-alive': 'timeout=5',
        'x-hop': 'per-hop',
        te: 'trailers',
        trailer: 'x',
        'transfer-encoding': 'chunked',
        upgrade: 'h2c',
        'content-length': '12',
        'proxy-authorization': 'x',
        'proxy-foo': 'y',
        'webhook-id': 'msg_1',
        'webhook-signature': 'v1,x',
        'webhook-timestamp': '1',
        'svix-id': 'msg_1',
        'content-type': 'application/json',
        'x-github-event': 'push',
        'set-cookie': ['a=1', 'b=2'],
        'x-team': 'sender',
      },
    },
    { 'X-Team': 'ops', Authorization: 'Bearer backend' },
  );
  t.same(headers, {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'set-cookie': 'a=1, b=2',
    'x-team': 'ops',
    authorization: 'Bearer backend',
  });
});

t.test('forwardHeaders withholds the credentials Dispatch checked', async (t) => {
  const stored = { headers: { authorization: 'Basic dTpw', 'x-api-key': 'k', 'x-hub-signature-256': 'sha256=ab' } };
  t.same(forwardHeaders(stored, {}, credentialHeaders({ type: 'basic_auth', username: 'u', password: 'p' })), {
    'x-api-key': 'k',
    'x-hub-signature-256': 'sha256=ab',
  });
  t.same(forwardHeaders(stored, {}, credentialHeaders({ type: 'api_key', header: 'X-Api-Key', key: 'k' })), {
    authorization: 'Basic dTpw',
    'x-hub-signature-256': 'sha256=ab',
  });
  t.same(credentialHeaders({ type: 'github', secret: 's' }), [], 'signature headers are passed on');
});

t.test('each scheme declares the credential headers it checks', async (t) => {
  t.same(credentialHeaders({ type: 'basic_auth', username: 'u', password: 'p' }), ['authorization']);
  t.same(credentialHeaders({ type: 'api_key', header: 'X-Api-Key', key: 'k' }), ['x-api-key'], 'the configured header, lower-cased');
  for (const type of ['none', 'hmac', 'github', 'stripe', 'shopify', 'slack', 'standard_webhooks']) {
    t.same(credentialHeaders({ type, secret: 's', header: 'X-Sig' }), [], `${type} checks a signature, not a credential`);
  }
  t.same(credentialHeaders({ type: 'no_such_scheme' }), []);
});

t.test('redactHeaders replaces checked credentials, single or repeated, and forwards never carry the marker', async (t) => {
  const stored = redactHeaders({ authorization: 'Basic dTpw', 'x-api-key': ['k1', 'k2'], 'x-other': 'kept' }, [
    'authorization',
    'x-api-key',
    'x-absent',
  ]);
  t.same(stored, { authorization: REDACTED, 'x-api-key': REDACTED, 'x-other': 'kept' }, 'absent names are not added');
  t.same(forwardHeaders({ headers: stored }, {}), { 'x-other': 'kept' }, 'redacted values are dropped even when the scheme changed since');
  t.same(forwardHeaders({ headers: { 'x-list': ['a', REDACTED] } }, {}), {}, 'a repeated header holding the marker is dropped whole');
  t.same(
    forwardHeaders({ headers: stored }, { Authorization: 'Bearer backend' }),
    { 'x-other': 'kept', authorization: 'Bearer backend' },
    'the destination may set its own',
  );
});

t.test('stored bodies round-trip to the original bytes', async (t) => {
  for (const raw of [Buffer.from('{"a":"é"}'), Buffer.from([0xff, 0x00, 0xc3, 0x28]), Buffer.alloc(0)]) {
    t.same(eventBodyBytes(encodeBody(raw)), raw);
  }
  t.equal(encodeBody(Buffer.from([0xc3, 0x28])).bodyEncoding, 'base64', 'invalid UTF-8 is base64');
  t.equal(encodeBody(Buffer.from('ok')).bodyEncoding, 'utf8');
});

t.test('dedupeKey selects the configured value and hashes it', async (t) => {
  const body = Buffer.from('{"data":{"id":7,"list":[{"x":1}]}}');
  const byPath = dedupeKey({ key: 'json:data.id', window: '1h' }, body, {});
  t.match(byPath, /^[0-9a-f]{64}$/);
  t.equal(dedupeKey({ key: 'json:data.id', window: '1h' }, Buffer.from('{"data":{"id":"7"}}'), {}) === byPath, false, '7 and "7" differ');
  t.ok(dedupeKey({ key: 'json:data.list.0.x', window: '1h' }, body, {}), 'array indexes as path segments');
  t.equal(dedupeKey({ key: 'json:data.missing', window: '1h' }, body, {}), null);
  t.equal(
    dedupeKey({ key: 'header:X-Id', window: '1h' }, body, { 'x-id': 'a' }),
    dedupeKey({ key: 'header:x-id', window: '1h' }, Buffer.from('other'), { 'x-id': 'a' }),
    'header names are case-insensitive',
  );
  t.not(dedupeKey({ key: 'body_hash', window: '1h' }, body, {}), dedupeKey({ key: 'body_hash', window: '1h' }, Buffer.from('x'), {}));
});
