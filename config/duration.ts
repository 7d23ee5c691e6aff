/** Durations in configuration are `<n>ms|s|m|h|d`, e.g. `5s`, `30m`, `10h`. */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const DURATION_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*$';

/** Parses one duration to milliseconds; returns null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!match) return null;
  return Math.round(Number(match[1]) * UNIT_MS[match[2]]);
}

/** Parses a comma list of durations; null when any item is not a duration. */
export function parseDurationList(text: string): number[] | null {
  const items = text.split(',').map((item) => parseDuration(item));
  return items.every((ms): ms is number => ms !== null) ? items : null;
}
