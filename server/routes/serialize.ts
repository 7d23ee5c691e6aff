/** Epoch milliseconds to the API's ISO-8601 UTC strings. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Parses an ISO-8601 query/body timestamp to epoch ms (the schema has already checked the format). */
export function fromIso(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Date.parse(text);
}
