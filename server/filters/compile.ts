import { COMBINATORS, isOperatorObject, isValueOperator } from './operators.js';
import { deepEqual, isPlainObject, MISSING, pathGetter, splitPath } from './paths.js';

/** A compiled filter: true when the payload matches. */
export type FilterMatcher = (payload: unknown) => boolean;

/** A compiled test of the value one path resolved to (MISSING when the payload has nothing there). */
type ValueTest = (value: unknown) => boolean;

/**
 * Compiles a filter (CONTRACT §8.1, §8.7) once into closures: paths are split here, so evaluating
 * it walks only the payload. The filter must be valid (`filterProblems` empty); a structure the
 * validator refuses throws a TypeError here.
 */
export function compileFilter(filter: Record<string, unknown>): FilterMatcher {
  return compileObject(filter);
}

function compileObject(filter: Record<string, unknown>): FilterMatcher {
  const clauses: FilterMatcher[] = Object.entries(filter).map(([key, value]) => compileClause(key, value));
  if (clauses.length === 0) return () => true;
  if (clauses.length === 1) return clauses[0];
  return (payload) => {
    for (const clause of clauses) if (!clause(payload)) return false;
    return true;
  };
}

function compileSubFilter(value: unknown, key: string): FilterMatcher {
  if (!isPlainObject(value)) throw new TypeError(`${key} takes a filter object`);
  return compileObject(value);
}

function compileClause(key: string, value: unknown): FilterMatcher {
  if (key === '$and' || key === '$or') {
    if (!Array.isArray(value) || value.length === 0) throw new TypeError(`${key} takes a non-empty array of filters`);
    const parts = value.map((item) => compileSubFilter(item, key));
    return key === '$and' ? (payload) => parts.every((part) => part(payload)) : (payload) => parts.some((part) => part(payload));
  }
  if (key === '$not') {
    const inner = compileSubFilter(value, key);
    return (payload) => !inner(payload);
  }
  if (key.startsWith('$')) throw new TypeError(`unknown operator ${key}`);
  const get = pathGetter(splitPath(key));
  const test = compileValueTest(value);
  return (payload) => test(get(payload));
}

/** A literal (deep equality) or an operator object (its operators ANDed). */
function compileValueTest(condition: unknown): ValueTest {
  if (!isOperatorObject(condition)) return (value) => value !== MISSING && deepEqual(value, condition);
  const tests = Object.entries(condition).map(([operator, argument]) => compileOperator(operator, argument));
  if (tests.length === 1) return tests[0];
  return (value) => {
    for (const test of tests) if (!test(value)) return false;
    return true;
  };
}

function compileOperator(operator: string, argument: unknown): ValueTest {
  if (operator === '$not') {
    if (!isPlainObject(argument)) throw new TypeError('$not takes an object');
    const inner = compileValueTest(argument);
    return (value) => !inner(value);
  }
  if (COMBINATORS.has(operator) || !isValueOperator(operator)) throw new TypeError(`unknown operator ${operator}`);
  switch (operator) {
    case '$eq':
      return (value) => value !== MISSING && deepEqual(value, argument);
    case '$ne':
      return (value) => value === MISSING || !deepEqual(value, argument);
    case '$in':
      return membership(argument, true);
    case '$nin':
      return membership(argument, false);
    case '$gt':
      return ordered(argument, (order) => order > 0);
    case '$gte':
      return ordered(argument, (order) => order >= 0);
    case '$lt':
      return ordered(argument, (order) => order < 0);
    case '$lte':
      return ordered(argument, (order) => order <= 0);
    case '$exists':
      return argument === true ? (value) => value !== MISSING : (value) => value === MISSING;
    case '$prefix': {
      if (typeof argument !== 'string') throw new TypeError('$prefix takes a string');
      return (value) => typeof value === 'string' && value.startsWith(argument);
    }
    default:
      return contains(argument);
  }
}

function membership(argument: unknown, wanted: boolean): ValueTest {
  if (!Array.isArray(argument)) throw new TypeError('$in and $nin take an array');
  const options: readonly unknown[] = argument;
  return (value) => {
    if (value === MISSING) return !wanted;
    const found = options.some((option) => deepEqual(value, option));
    return found === wanted;
  };
}

/** Numbers compare with numbers and strings with strings only; any other pairing is false. */
function ordered(argument: unknown, accept: (order: number) => boolean): ValueTest {
  if (typeof argument === 'number') {
    return (value) => typeof value === 'number' && accept(value === argument ? 0 : value > argument ? 1 : -1);
  }
  if (typeof argument === 'string') {
    return (value) => typeof value === 'string' && accept(value === argument ? 0 : value > argument ? 1 : -1);
  }
  throw new TypeError('comparison operators take a number or a string');
}

/** A string contains a substring; an array contains an element (deep equality). */
function contains(argument: unknown): ValueTest {
  return (value) => {
    if (typeof value === 'string') return typeof argument === 'string' && value.includes(argument);
    if (Array.isArray(value)) return value.some((element) => deepEqual(element, argument));
    return false;
  };
}
