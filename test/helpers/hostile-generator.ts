/**
 * Deterministic generator of hostile HTTP inputs for the hostile-input test: wrong types, nulls,
 * huge strings, deep nesting, big arrays, invalid UTF-8, BOMs, duplicate keys, extreme numbers,
 * wrong content types, empty bodies, control characters, prototype-pollution keys, odd queries.
 * Bodies are assembled as raw JSON text so that what JSON.stringify cannot write (1e400, -0,
 * duplicate keys, `__proto__` as a key) still reaches the server.
 */

/** mulberry32: a tiny seeded PRNG, so every run sends the same inputs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Rng {
  next(): number;
  int(max: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
}

export function rng(seed: number): Rng {
  const next = seededRandom(seed);
  return {
    next,
    int: (max) => Math.floor(next() * max),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

/** One generated request body: raw bytes or text, a content type (null = none), and a label to reproduce it. */
export interface HostileBody {
  label: string;
  body: string | Buffer | undefined;
  contentType: string | null;
}

/** `levels` nested arrays (or objects under "k"). */
export function nestedJson(levels: number, kind: 'array' | 'object' = 'array', inner = '1'): string {
  return kind === 'array' ? '['.repeat(levels) + inner + ']'.repeat(levels) : '{"k":'.repeat(levels) + inner + '}'.repeat(levels);
}

const str = (s: string) => JSON.stringify(s);

/** Hostile JSON values as raw text, each with a short label. */
export const HOSTILE_VALUES: ReadonlyArray<readonly [string, () => string]> = [
  ['null', () => 'null'],
  ['true', () => 'true'],
  ['false', () => 'false'],
  ['0', () => '0'],
  ['-0', () => '-0'],
  ['1e400', () => '1e400'],
  ['-1e400', () => '-1e400'],
  ['1e-400', () => '1e-400'],
  ['huge int', () => '123456789012345678901234567890'],
  ['-1', () => '-1'],
  ['1.5', () => '1.5'],
  ['2^31', () => '2147483648'],
  ['2^53+1', () => '9007199254740993'],
  ['-2^63', () => '-9223372036854775808'],
  ['empty string', () => '""'],
  ['space', () => '" "'],
  ['300 chars', () => str('a'.repeat(300))],
  ['4097 chars', () => str('b'.repeat(4097))],
  ['70,000 chars', () => str('c'.repeat(70_000))],
  ['300,000 chars', () => str('d'.repeat(300_000))],
  ['70,000 emoji', () => str('😀'.repeat(17_500))],
  ['NUL', () => '"a\\u0000b"'],
  ['lone surrogate', () => '"\\ud800x"'],
  ['emoji', () => str('😀 ok ✓')],
  ['RTL override', () => '"\\u202egnp.exe"'],
  ['controls', () => str('\u0001\u0007\b\f\u001b\u007f\r\n\t')],
  ['trailing space', () => '"name "'],
  ['case variant', () => '"SHOP"'],
  ['path traversal', () => '"../../etc/passwd"'],
  ['sql', () => str("' OR 1=1 --")],
  ['html', () => str('<script>alert(1)</script>')],
  ['percent', () => '"%00%ff"'],
  ['loopback url', () => '"http://127.0.0.1/x"'],
  ['ipv6 url', () => '"http://[::ffff:127.0.0.1]/"'],
  ['js url', () => '"javascript:alert(1)"'],
  ['bad date', () => '"2026-13-45T99:99:99Z"'],
  ['year 0', () => '"0000-01-01T00:00:00Z"'],
  ['far date', () => '"+275760-09-13T00:00:00Z"'],
  ['whsec short', () => '"whsec_"'],
  ['object', () => '{}'],
  ['array', () => '[]'],
  ['[null]', () => '[null]'],
  ['proto object', () => '{"__proto__":{"polluted":true}}'],
  ['constructor object', () => '{"constructor":{"prototype":{"polluted":true}}}'],
  ['depth 64 total', () => nestedJson(60)],
  ['depth 65', () => nestedJson(65)],
  ['depth 1000', () => nestedJson(1000, 'object')],
  ['depth 10000', () => nestedJson(10_000)],
  ['100k array', () => `[${new Array(100_000).fill('0').join(',')}]`],
  ['array of 300 strings', () => `[${new Array(300).fill('"x"').join(',')}]`],
  ['wide object', () => `{${Array.from({ length: 5_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`],
  ['scope list', () => '["app:write","*","admin",""]'],
  ['verification', () => '{"type":"hmac","secret":"","header":"x\\r\\ny","algorithm":"sha1","encoding":"hex"}'],
];

/** A JSON object text from [key, raw value] pairs (keys may repeat; order kept). */
export function objectText(entries: ReadonlyArray<readonly [string, string]>): string {
  return `{${entries.map(([k, v]) => `${str(k)}:${v}`).join(',')}}`;
}

/** Whole-body inputs that do not start from the route's fields. */
export function wholeBodies(r: Rng, validText: string): HostileBody[] {
  const json = 'application/json';
  const bodies: HostileBody[] = [
    { label: 'empty body', body: '', contentType: json },
    { label: 'no body, no content type', body: undefined, contentType: null },
    { label: 'whitespace', body: ' \n\t ', contentType: json },
    { label: 'null', body: 'null', contentType: json },
    { label: 'top-level array', body: '[]', contentType: json },
    { label: 'top-level string', body: '"x"', contentType: json },
    { label: 'top-level 1e400', body: '1e400', contentType: json },
    { label: 'truncated', body: validText.slice(0, Math.max(1, validText.length - 1)), contentType: json },
    { label: 'garbage', body: 'not json at all', contentType: json },
    { label: 'BOM + valid body', body: `\ufeff${validText}`, contentType: json },
    { label: 'UTF-16LE body', body: Buffer.from(validText, 'utf16le'), contentType: 'application/json; charset=utf-16' },
    {
      label: 'invalid UTF-8 inside a string',
      body: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('"}')]),
      contentType: json,
    },
    { label: 'valid body as text/plain', body: validText, contentType: 'text/plain' },
    { label: 'valid body as form', body: validText, contentType: 'application/x-www-form-urlencoded' },
    { label: 'form body', body: 'name=x&uid=y', contentType: 'application/x-www-form-urlencoded' },
    {
      label: 'multipart',
      body: '--b\r\ncontent-disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n',
      contentType: 'multipart/form-data; boundary=b',
    },
    { label: 'depth 65 body', body: nestedJson(65, 'object'), contentType: json },
    { label: 'depth 10000 body', body: nestedJson(10_000), contentType: json },
    { label: 'depth 1000 inside strings and brackets', body: `{"a":"${'['.repeat(1000)}","b":${nestedJson(63)}}`, contentType: json },
    { label: 'over 1 MiB', body: `{"name":${str('e'.repeat(1024 * 1024 + 10))}}`, contentType: json },
    {
      label: 'proto at top',
      body: `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},${validText.slice(1)}`,
      contentType: json,
    },
    { label: 'NUL bytes around body', body: `\u0000${validText}\u0000`, contentType: json },
  ];
  return bodies.filter(() => r.chance(0.9));
}

export const ODD_QUERIES: readonly string[] = [
  '',
  '',
  '',
  '',
  '?limit=0',
  '?limit=abc',
  '?limit=1e400',
  '?cursor=%ff%fe%00',
  '?__proto__[polluted]=1',
  '?constructor[prototype][x]=1',
  '?a=1&a=2',
  '?include_archived=maybe',
  '?cursor=' + 'z'.repeat(3_000),
  '?limit=-1&limit=5',
  '?%zz=1',
  '?since=yesterday',
];
