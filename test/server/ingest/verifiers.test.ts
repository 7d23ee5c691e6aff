import t from 'tap';
import { verifyRequest, type VerificationConfig } from '../../../server/ingest/verifiers/index.js';
import { safeEqual } from '../../../server/ingest/verifiers/support.js';
import {
  basicAuthHeaders,
  githubHeaders,
  hmacHeaders,
  shopifyHeaders,
  slackHeaders,
  standardWebhooksHeaders,
  stripeHeaders,
} from '../../helpers/ingest-signing.js';
import { lowerCaseHeaders as lower } from '../../helpers/verifier-check.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const NOW_S = Math.floor(NOW / 1000);
const body = Buffer.from('{"id":"evt_1","amount":4200,"note":"café"}');
const tampered = Buffer.from('{"id":"evt_1","amount":9900,"note":"café"}');

function check(config: VerificationConfig, headers: Record<string, string>, raw = body, now = NOW) {
  return verifyRequest(raw, lower(headers), config, now);
}

interface Scheme {
  name: string;
  config: VerificationConfig;
  wrong: VerificationConfig;
  sign(raw: Buffer, nowS: number): Record<string, string>;
  stale?: boolean;
}

const schemes: Scheme[] = [
  {
    name: 'github',
    config: { type: 'github', secret: "It's a Secret to Everybody" },
    wrong: { type: 'github', secret: 'not the secret' },
    sign: (raw) => githubHeaders("It's a Secret to Everybody", raw),
  },
  {
    name: 'stripe',
    config: { type: 'stripe', secret: 'whsec_test_stripe_secret' },
    wrong: { type: 'stripe', secret: 'whsec_other' },
    sign: (raw, nowS) => stripeHeaders('whsec_test_stripe_secret', raw, nowS),
    stale: true,
  },
  {
    name: 'shopify',
    config: { type: 'shopify', secret: 'shpss_secret' },
    wrong: { type: 'shopify', secret: 'shpss_other' },
    sign: (raw) => shopifyHeaders('shpss_secret', raw),
  },
  {
    name: 'slack',
    config: { type: 'slack', secret: '8f742231b10e8888abcd99yyyzzz85a5' },
    wrong: { type: 'slack', secret: '8f742231b10e8888abcd99yyyzzz85a6' },
    sign: (raw, nowS) => slackHeaders('8f742231b10e8888abcd99yyyzzz85a5', raw, nowS),
    stale: true,
  },
  {
    name: 'standard_webhooks',
    config: { type: 'standard_webhooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    wrong: { type: 'standard_webhooks', secret: 'whsec_AAAA9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    sign: (raw, nowS) => standardWebhooksHeaders('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', raw, nowS),
    stale: true,
  },
  {
    name: 'standard_webhooks (svix headers)',
    config: { type: 'standard_webhooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    wrong: { type: 'standard_webhooks', secret: 'whsec_AAAA9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    sign: (raw, nowS) => standardWebhooksHeaders('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', raw, nowS, 'svix'),
    stale: true,
  },
  {
    name: 'hmac sha256 hex with prefix',
    config: { type: 'hmac', secret: 's3cret', header: 'X-Signature', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' },
    wrong: { type: 'hmac', secret: 'other', header: 'X-Signature', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' },
    sign: (raw) => hmacHeaders({ secret: 's3cret', header: 'X-Signature', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' }, raw),
  },
  {
    name: 'hmac sha1 base64',
    config: { type: 'hmac', secret: 's3cret', header: 'X-Sig', algorithm: 'sha1', encoding: 'base64' },
    wrong: { type: 'hmac', secret: 'other', header: 'X-Sig', algorithm: 'sha1', encoding: 'base64' },
    sign: (raw) => hmacHeaders({ secret: 's3cret', header: 'X-Sig', algorithm: 'sha1', encoding: 'base64' }, raw),
  },
  {
    name: 'hmac sha512 hex',
    config: { type: 'hmac', secret: 's3cret', header: 'X-Sig', algorithm: 'sha512', encoding: 'hex' },
    wrong: { type: 'hmac', secret: 'other', header: 'X-Sig', algorithm: 'sha512', encoding: 'hex' },
    sign: (raw) => hmacHeaders({ secret: 's3cret', header: 'X-Sig', algorithm: 'sha512', encoding: 'hex' }, raw),
  },
  {
    name: 'basic_auth',
    config: { type: 'basic_auth', username: 'hooks', password: 'pa:ss wörd' },
    wrong: { type: 'basic_auth', username: 'hooks', password: 'nope' },
    sign: () => basicAuthHeaders('hooks', 'pa:ss wörd'),
  },
  {
    name: 'api_key',
    config: { type: 'api_key', header: 'X-Api-Key', key: 'k_live_123' },
    wrong: { type: 'api_key', header: 'X-Api-Key', key: 'k_live_124' },
    sign: () => ({ 'X-Api-Key': 'k_live_123' }),
  },
];

for (const scheme of schemes) {
  t.test(`${scheme.name} verifier accepts a correctly signed request`, async (t) => {
    t.same(check(scheme.config, scheme.sign(body, NOW_S)), { ok: true });
  });
  t.test(`${scheme.name} verifier rejects a wrong secret`, async (t) => {
    t.match(check(scheme.wrong, scheme.sign(body, NOW_S)), { ok: false, reason: /match/ });
  });
  t.test(`${scheme.name} verifier rejects a missing header`, async (t) => {
    t.match(check(scheme.config, {}), { ok: false, reason: /missing/ });
  });
  if (scheme.config.type !== 'basic_auth' && scheme.config.type !== 'api_key') {
    t.test(`${scheme.name} verifier rejects a tampered body`, async (t) => {
      t.match(check(scheme.config, scheme.sign(body, NOW_S), tampered), { ok: false, reason: /match/ });
    });
  }
  if (scheme.stale) {
    t.test(`${scheme.name} verifier rejects a stale or future timestamp`, async (t) => {
      t.match(check(scheme.config, scheme.sign(body, NOW_S - 301)), { ok: false, reason: /tolerance/ });
      t.match(check(scheme.config, scheme.sign(body, NOW_S + 301)), { ok: false, reason: /tolerance/ });
      t.same(check(scheme.config, scheme.sign(body, NOW_S - 299)), { ok: true }, 'inside the window passes');
    });
  }
}

t.test('standard_webhooks verifier matches the contract check vector', async (t) => {
  const headers = {
    'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    'webhook-timestamp': '1614265330',
    'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };
  const config = { type: 'standard_webhooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };
  t.same(verifyRequest(Buffer.from('{"test": 2432232314}'), headers, config, 1614265330_000), { ok: true });
  const several = { ...headers, 'webhook-signature': 'v1,bm9wZQ== v2,ignored ' + headers['webhook-signature'] };
  t.same(
    verifyRequest(Buffer.from('{"test": 2432232314}'), several, config, 1614265330_000),
    { ok: true },
    'any one of several signatures',
  );
});

t.test('stripe verifier accepts any one of several v1 signatures and honours tolerance', async (t) => {
  const config = { type: 'stripe', secret: 'whsec_roll', tolerance: 600 };
  const headers = stripeHeaders('whsec_roll', body, NOW_S - 500, ['0'.repeat(64)]);
  t.same(check(config, headers), { ok: true });
  t.match(check({ ...config, tolerance: 300 }, headers), { ok: false, reason: /300 s/ });
  t.match(check(config, { 'Stripe-Signature': `t=${NOW_S}` }), { ok: false, reason: /no v1/ });
});

t.test('hmac verifier rejects a header without the configured prefix', async (t) => {
  const config = { type: 'hmac', secret: 's', header: 'x-sig', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' };
  const unprefixed = hmacHeaders({ secret: 's', header: 'x-sig', algorithm: 'sha256', encoding: 'hex' }, body);
  t.match(check(config, unprefixed), { ok: false, reason: /does not start/ });
});

t.test('slack verifier rejects a missing timestamp header', async (t) => {
  const headers = slackHeaders('x', body, NOW_S);
  delete headers['X-Slack-Request-Timestamp'];
  t.match(check({ type: 'slack', secret: 'x' }, headers), { ok: false, reason: /X-Slack-Request-Timestamp/ });
});

t.test('none verifier accepts anything', async (t) => {
  t.same(check({ type: 'none' }, {}), { ok: true });
});

t.test('safeEqual compares equal and different lengths', async (t) => {
  t.ok(safeEqual('abc', 'abc'));
  t.notOk(safeEqual('abc', 'abd'));
  t.notOk(safeEqual('abc', 'abcd'));
  t.notOk(safeEqual(Buffer.alloc(0), 'a'));
});
