import { AppError, type ErrorDetail } from '../errors.js';
import { isOperatorObject, isValueOperator, VALUE_OPERATORS } from './operators.js';
import { isPlainObject, pointerToken } from './paths.js';

/** Largest filter, serialised as JSON (UTF-8 bytes). */
export const FILTER_MAX_BYTES = 4096;
/** Deepest nesting of the filter's own JSON, the top object being level 1. */
export const FILTER_MAX_DEPTH = 10;
/** A filter with many mistakes reports the first ones only. */
const MAX_PROBLEMS = 20;

/**
 * Why a filter is refused (CONTRACT §8.1, §8.7), as `details` entries whose paths are JSON
 * Pointers from the filter itself (`''` is the filter, `/customer.tier/$in` one operator).
 * Empty when the filter is valid and `compileFilter` accepts it.
 */
export function filterProblems(filter: unknown): ErrorDetail[] {
  if (!isPlainObject(filter)) return [{ path: '', message: 'must be a JSON object' }];
  if (exceedsDepth(filter, 1)) return [{ path: '', message: `must not nest deeper than ${FILTER_MAX_DEPTH} levels` }];
  const bytes = Buffer.byteLength(JSON.stringify(filter), 'utf8');
  if (bytes > FILTER_MAX_BYTES) return [{ path: '', message: `must be at most ${FILTER_MAX_BYTES} bytes as JSON (is ${bytes})` }];
  const problems: ErrorDetail[] = [];
  checkFilter(filter, '', problems);
  return problems.slice(0, MAX_PROBLEMS);
}

/**
 * Throws 400 invalid_request with `details` when the filter is refused; `at` is the JSON Pointer
 * of the filter in the request body (e.g. `/filter`, `/destinations/0/filter`).
 */
export function assertValidFilter(filter: unknown, at = '/filter'): asserts filter is Record<string, unknown> {
  const problems = filterProblems(filter);
  if (problems.length === 0) return;
  const details = problems.map((problem) => ({ path: `${at}${problem.path}`, message: problem.message }));
  throw new AppError('invalid_request', `The filter at ${at} is not valid: ${details[0].message}.`, { details });
}

/** Whether a JSON value nests deeper than FILTER_MAX_DEPTH; stops descending as soon as it does. */
function exceedsDepth(value: unknown, level: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (level > FILTER_MAX_DEPTH) return true;
  const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
  return children.some((child) => exceedsDepth(child, level + 1));
}

function checkFilter(filter: Record<string, unknown>, pointer: string, problems: ErrorDetail[]): void {
  for (const [key, value] of Object.entries(filter)) {
    if (problems.length >= MAX_PROBLEMS) return;
    const at = `${pointer}/${pointerToken(key)}`;
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) {
        problems.push({ path: at, message: `${key} takes a non-empty array of filter objects` });
        continue;
      }
      value.forEach((item, index) => {
        if (isPlainObject(item)) checkFilter(item, `${at}/${index}`, problems);
        else problems.push({ path: `${at}/${index}`, message: `each ${key} entry must be a filter object` });
      });
    } else if (key === '$not') {
      if (isPlainObject(value)) checkFilter(value, at, problems);
      else problems.push({ path: at, message: '$not takes a filter object' });
    } else if (key.startsWith('$')) {
      problems.push({
        path: at,
        message: isValueOperator(key)
          ? `${key} compares a path's value: write {"<path>": {"${key}": …}}`
          : `unknown operator ${key} (a filter's keys are dot paths, $and, $or or $not)`,
      });
    } else if (key.split('.').some((segment) => segment === '')) {
      problems.push({ path: at, message: 'a dot path must not have an empty segment' });
    } else {
      checkCondition(value, at, problems);
    }
  }
}

/** A path's condition: a literal (any JSON) or an operator object. */
function checkCondition(condition: unknown, pointer: string, problems: ErrorDetail[]): void {
  if (!isOperatorObject(condition)) return;
  for (const [operator, argument] of Object.entries(condition)) {
    const at = `${pointer}/${pointerToken(operator)}`;
    if (!operator.startsWith('$')) {
      problems.push({ path: at, message: 'an operator object takes only $ operators (use $eq to compare with an object holding $ keys)' });
    } else if (operator === '$not') {
      if (isPlainObject(argument)) checkCondition(argument, at, problems);
      else problems.push({ path: at, message: '$not takes an object' });
    } else if (operator === '$and' || operator === '$or') {
      problems.push({ path: at, message: `${operator} combines filters: use it beside paths, not inside a path's condition` });
    } else if (!isValueOperator(operator)) {
      problems.push({ path: at, message: `unknown operator ${operator}` });
    } else if (!VALUE_OPERATORS[operator].accepts(argument)) {
      problems.push({ path: at, message: `${operator} takes ${VALUE_OPERATORS[operator].expects}` });
    }
  }
}
