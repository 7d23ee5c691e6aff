import t from 'tap';
import { ago, bodyLines, fit, headerLines, shortTime, wrapLines } from '../../tui/format.js';

t.test('format helpers render times, cells, wrapped lines, bodies and headers', async (t) => {
  const now = Date.parse('2026-11-26T10:00:00.000Z');
  t.same(
    ['2026-11-26T09:59:57.000Z', '2026-11-26T09:55:00.000Z', '2026-11-26T07:00:00.000Z', '2026-11-22T10:00:00.000Z'].map((at) =>
      ago(at, now),
    ),
    ['3s ago', '5m ago', '3h ago', '4d ago'],
  );
  t.equal(ago(null, now), '—');
  t.equal(shortTime('2026-11-26T10:00:03.123Z'), '2026-11-26 10:00:03');
  t.equal(fit('abcdef', 4), 'abc…');
  t.equal(fit('ab\ncd', 6), 'ab cd ', 'newlines never break a row');
  t.same(wrapLines(['abcdefg', ''], 3), ['abc', 'def', 'g', '']);
  t.same(bodyLines('{"a":{"b":1}}'), ['{', '  "a": {', '    "b": 1', '  }', '}']);
  t.same(bodyLines('not json\nline 2'), ['not json', 'line 2']);
  t.same(bodyLines(''), ['(empty body)']);
  t.same(bodyLines(null), ['(no body)']);
  t.same(headerLines({ a: '1', b: ['2', '3'] }), ['a: 1', 'b: 2, 3']);
});
