import t from 'tap';
import { newId, newToken } from '../../db/ids.js';

t.test('ids made for one millisecond keep the order they were made in', async (t) => {
  // a test clock that stands still gives every id the same millisecond
  const ids = Array.from({ length: 5_000 }, () => newId('msg', 1_700_000_000_000));
  t.ok(
    ids.every((id) => /^msg_[0-9A-Za-z]{22}$/.test(id)),
    'prefix_ + 22 base62 characters',
  );
  t.ok(
    ids.every((id, i) => i === 0 || ids[i - 1] < id),
    'each sorts after the one before',
  );
  t.equal(new Set(ids).size, ids.length, 'all distinct');
});

t.test('ids sort by their millisecond first', async (t) => {
  const later = newId('msg', 1_700_000_000_001);
  const earlier = newId('msg', 1_700_000_000_000);
  t.ok(earlier < later, 'an id for an earlier millisecond made afterwards still sorts first');
});

t.test('tokens are fixed-width base62 of their bytes', async (t) => {
  const tokens = Array.from({ length: 200 }, () => newToken());
  t.ok(
    tokens.every((token) => /^[0-9A-Za-z]{33}$/.test(token)),
    '24 bytes → 33 characters',
  );
  t.match(newToken(32), /^[0-9A-Za-z]{44}$/, '32 bytes → 44 characters');
  t.equal(new Set(tokens).size, tokens.length, 'all distinct');
});

t.test('an id decodes back to its millisecond', async (t) => {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const nowMs = 1_765_432_109_876;
  let value = 0n;
  for (const char of newId('dlv', nowMs).slice('dlv_'.length)) value = value * 62n + BigInt(alphabet.indexOf(char));
  t.equal(Number(value >> 80n), nowMs, 'the top 6 bytes are the millisecond');
});
