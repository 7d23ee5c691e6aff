/** Helpers for the JSON-in-text columns and for values both drivers return differently. */

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function fromJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  return JSON.parse(text) as T;
}

/** MySQL returns TINYINT 0/1 and SQLite returns 0/1: both become booleans. */
export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}

/** BIGINT columns may come back as strings on MySQL; epoch milliseconds fit in a double. */
export function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function toNumberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}
