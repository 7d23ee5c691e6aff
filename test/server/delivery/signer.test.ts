import t from 'tap';
import { createHmac } from 'node:crypto';
import { signatureHeader } from '../../../server/delivery/signer.js';
import { signingKeyBytes } from '../../../server/secrets.js';
import { parseRetryAfterMs, retryDelayMs, scheduledDelayMs } from '../../../server/delivery/retry.js';

t.test('signer reproduces the Standard Webhooks spec vector', async (t) => {
  const key = signingKeyBytes('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  const header = signatureHeader([key], 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, Buffer.from('{"test": 2432232314}'));
  t.equal(header, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});

t.test('signer writes one v1 entry per key, space-separated, current key first', async (t) => {
  const keys = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
  const body = Buffer.from('{"a":1}');
  const header = signatureHeader(keys, 'msg_x', 1700000000, body);
  const expected = keys.map((k) => 'v1,' + createHmac('sha256', k).update('msg_x.1700000000.{"a":1}').digest('base64'));
  t.equal(header, expected.join(' '));
});

t.test('retry schedule applies ±20 % jitter to the delay after each attempt', async (t) => {
  const schedule = [1000, 60_000];
  t.equal(
    scheduledDelayMs(schedule, 1, () => 0),
    800,
  );
  t.equal(
    scheduledDelayMs(schedule, 1, () => 1),
    1200,
  );
  t.equal(
    scheduledDelayMs(schedule, 2, () => 0.5),
    60_000,
  );
  t.equal(
    scheduledDelayMs(schedule, 9, () => 0.5),
    60_000,
    'past the end the last delay repeats',
  );
});

t.test('retry honours Retry-After on 429/503 clamped to 1x-2x of the scheduled delay', async (t) => {
  const now = Date.parse('2026-11-26T10:00:00Z');
  t.equal(retryDelayMs(1000, 429, parseRetryAfterMs('1', now)), 1000);
  t.equal(retryDelayMs(1000, 503, parseRetryAfterMs('30', now)), 2000, 'clamped to 2x');
  t.equal(retryDelayMs(10_000, 429, parseRetryAfterMs('1', now)), 10_000, 'never sooner than scheduled');
  t.equal(retryDelayMs(10_000, 503, parseRetryAfterMs('Thu, 26 Nov 2026 10:00:15 GMT', now)), 15_000, 'HTTP date');
  t.equal(retryDelayMs(1000, 500, 30_000), 1000, 'only 429 and 503 carry Retry-After');
  t.equal(parseRetryAfterMs('soon', now), null);
});
