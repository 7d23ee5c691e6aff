/**
 * RE2 runs in time linear in the input, but the factor is the size of the compiled pattern, and a
 * counted repetition copies its atom: `[\s\S]{1000}` fifty times is a 50,000-step program that took
 * 14 s against a 100 KB string (its DFA outgrows RE2's memory budget and falls back to the NFA).
 * This estimates the compiled size from the source — an upper bound, not RE2's exact count — so
 * event-type schemas can be refused before such a pattern meets a payload.
 */

/** Largest estimated size of one pattern: `[\s\S]{1000}` runs in ~25 ms over 1 MiB here. */
export const MAX_PATTERN_SIZE = 1000;
/** Largest estimated size of all patterns of one schema together. */
export const MAX_SCHEMA_PATTERN_SIZE = 10_000;

/** Index of the character after a `{…}` or `<…>` that starts at `start` (or the end). */
function skipPast(pattern: string, start: number, close: string): number {
  const end = pattern.indexOf(close, start);
  return end === -1 ? pattern.length : end + 1;
}

/** Index just past the character class opening at `start` (a `]` first in the class is literal). */
function skipClass(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Index just past the escape opening at `start` (`\u{…}`, `\p{…}`, `\x{…}` included). */
function skipEscape(pattern: string, start: number): number {
  const kind = pattern[start + 1];
  if ((kind === 'u' || kind === 'p' || kind === 'P' || kind === 'x') && pattern[start + 2] === '{')
    return skipPast(pattern, start + 3, '}');
  if (kind === 'x') return start + 4;
  if (kind === 'u') return start + 6;
  return start + 2;
}

/** Index past a group's `(?:`, `(?<name>`, `(?P<name>` or `(?flags:` prefix; `(?flags)` counts as an empty group. */
function skipGroupPrefix(pattern: string, start: number): number {
  if (pattern[start + 1] !== '?') return start + 1;
  const next = pattern[start + 2];
  if (next === ':') return start + 3;
  if (next === '<' || (next === 'P' && pattern[start + 3] === '<')) return skipPast(pattern, start + 2, '>');
  let i = start + 2;
  while (i < pattern.length && pattern[i] !== ':' && pattern[i] !== ')') i++;
  return pattern[i] === ':' ? i + 1 : i;
}

/** Upper bound of the compiled size of `pattern`; stops counting once past `cap`. */
export function estimatePatternSize(pattern: string, cap = Number.MAX_SAFE_INTEGER): number {
  // one running sum per open group (what a quantifier after its `)` repeats); alternatives are added up
  const sums: number[] = [0];
  let total = 0;
  let last = 0;
  const add = (size: number) => {
    sums[sums.length - 1] += size;
    total += size;
  };
  let i = 0;
  while (i < pattern.length && total <= cap) {
    const c = pattern[i];
    if (c === '\\' || c === '[') {
      add(1);
      last = 1;
      i = c === '[' ? skipClass(pattern, i) : skipEscape(pattern, i);
    } else if (c === '(') {
      sums.push(0);
      last = 0;
      i = skipGroupPrefix(pattern, i);
    } else if (c === ')') {
      // the group's contents are already in `total`; it adds one step of its own
      const inner = sums.length > 1 ? sums.pop()! : 0;
      sums[sums.length - 1] += inner + 1;
      total += 1;
      last = inner + 1;
      i++;
    } else if (c === '*' || c === '+' || c === '?') {
      add(last);
      i += pattern[i + 1] === '?' ? 2 : 1;
    } else if (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i, i + 24))) {
      const [, low, high] = /^\{(\d+)(?:,(\d*))?\}/.exec(pattern.slice(i, i + 24))!;
      const times = Math.max(1, Number(low), high ? Number(high) : 0);
      add(last * (times - 1));
      last *= times;
      i = skipPast(pattern, i, '}');
      if (pattern[i] === '?') i++;
    } else if (c === '|' || c === '^' || c === '$') {
      last = 0;
      i++;
    } else {
      add(1);
      last = 1;
      i++;
    }
  }
  return total > cap ? cap + 1 : total;
}
