/** The filter language's vocabulary (CONTRACT §8.1), shared by the validator and the compiler. */

/** Operators that take a filter (or filters) rather than a value; allowed wherever a filter is. */
export const COMBINATORS: ReadonlySet<string> = new Set(['$and', '$or', '$not']);

/** What each value operator's argument must be, as a sentence for `details` and a check. */
export const VALUE_OPERATORS: Readonly<Record<string, { expects: string; accepts: (argument: unknown) => boolean }>> = {
  $eq: { expects: 'any JSON value', accepts: () => true },
  $ne: { expects: 'any JSON value', accepts: () => true },
  $in: { expects: 'an array', accepts: Array.isArray },
  $nin: { expects: 'an array', accepts: Array.isArray },
  $gt: { expects: 'a number or a string', accepts: isComparable },
  $gte: { expects: 'a number or a string', accepts: isComparable },
  $lt: { expects: 'a number or a string', accepts: isComparable },
  $lte: { expects: 'a number or a string', accepts: isComparable },
  $exists: { expects: 'a boolean', accepts: (argument) => typeof argument === 'boolean' },
  $prefix: { expects: 'a string', accepts: (argument) => typeof argument === 'string' },
  $contains: { expects: 'any JSON value', accepts: () => true },
};

function isComparable(argument: unknown): boolean {
  return typeof argument === 'string' || (typeof argument === 'number' && Number.isFinite(argument));
}

export function isValueOperator(key: string): boolean {
  return Object.prototype.hasOwnProperty.call(VALUE_OPERATORS, key);
}

/** An operator object is a non-empty JSON object whose keys start with `$`; any other value is a literal. */
export function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.some((key) => key.startsWith('$'));
}
