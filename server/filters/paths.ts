/** Dot paths over a JSON payload (`customer.tier`, `items.0.sku`), split once when a filter is compiled. */

/** What a path resolves to when the payload has nothing there (distinct from a key holding null). */
export const MISSING: unique symbol = Symbol('missing');

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/** The segments of a dot path; an empty segment (`a..b`, a leading or trailing dot) is a problem for the validator. */
export function splitPath(path: string): readonly string[] {
  return path.split('.');
}

/** True for a non-null object that is not an array (a JSON object). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A getter for one pre-split path: object keys by own property (a key holding null is present),
 * arrays by canonical index (`0`, `12`; not `01`, `-1`, `length`). Anything else is MISSING.
 */
export function pathGetter(segments: readonly string[]): (payload: unknown) => unknown {
  return (payload) => {
    let current: unknown = payload;
    for (const segment of segments) {
      if (Array.isArray(current)) {
        if (!ARRAY_INDEX.test(segment)) return MISSING;
        const index = Number(segment);
        if (index >= current.length) return MISSING;
        current = current[index];
      } else if (isPlainObject(current)) {
        if (!Object.prototype.hasOwnProperty.call(current, segment)) return MISSING;
        current = current[segment];
      } else {
        return MISSING;
      }
    }
    return current;
  };
}

/** One JSON Pointer reference token (RFC 6901): `~` → `~0`, `/` → `~1`. */
export function pointerToken(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Deep equality of two JSON values: objects by their own keys whatever the order, arrays element by element. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i += 1) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(right, key) || !deepEqual(left[key], right[key])) return false;
  }
  return true;
}
