import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { RegExpEngine } from 'ajv/dist/types/index.js';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import RE2 from 're2';
import type { ErrorDetail } from '../errors.js';
import { addEvaluationMeter, EVALUATION_BUDGET, EvaluationBudgetExceeded, type EvaluationMeter } from './evaluation-budget.js';
import { estimatePatternSize, MAX_PATTERN_SIZE, MAX_SCHEMA_PATTERN_SIZE } from './pattern-size.js';
import { forEachSubschema, pointerSegment } from './schema-walk.js';

/**
 * The ajv that runs user-supplied event-type schemas against message payloads (CONTRACT §10):
 * every keyword that could hold the event loop on a hostile payload is replaced by a linear one.
 */

const addFormats = addFormatsModule as unknown as { default: (ajv: Ajv) => void };

/**
 * `pattern`, `patternProperties` and `propertyNames.pattern` run on RE2 (linear time, no
 * backtracking): `^(a+)+$` against 10,000 characters takes microseconds instead of forever.
 * ajv only reads `code` when emitting standalone code, which Dispatch never does.
 */
const re2Engine = Object.assign((pattern: string, flags: string) => new RE2(pattern, flags), { code: 're2' }) as RegExpEngine;

/** `format: regex` compiles the payload's string; beyond this length it is refused rather than compiled. */
export const REGEX_FORMAT_MAX_LENGTH = 4096;

/** Errors reported for one failing payload at most (allErrors on a 1 MiB payload could list 100,000). */
export const PAYLOAD_ERRORS_MAX = 100;

function isValidRegexFormat(value: string): boolean {
  if (value.length > REGEX_FORMAT_MAX_LENGTH) return false;
  try {
    // construction only parses the pattern (linear); it is never executed against anything
    new RegExp(value, 'u');
    return true;
  } catch {
    return false;
  }
}

/** A key equal for JSON-equal values (object key order ignored), so uniqueness is one Set lookup per item. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * ajv's own `uniqueItems` compares every pair of non-scalar items (quadratic: 100,000 small objects
 * in a 1 MiB payload meant 5·10⁹ deep comparisons). This one hashes each item once.
 */
function addLinearUniqueItems(ajv: Ajv): void {
  ajv.removeKeyword('uniqueItems');
  const check: { (unique: boolean, data: unknown[]): boolean; errors?: Partial<ErrorObject>[] } = (unique, data) => {
    check.errors = undefined;
    if (!unique) return true;
    const seen = new Map<string, number>();
    for (let i = 0; i < data.length; i++) {
      const key = canonicalJson(data[i]);
      const first = seen.get(key);
      if (first !== undefined) {
        check.errors = [
          {
            // instancePath and schemaPath left out: ajv fills them in with where the array is
            keyword: 'uniqueItems',
            params: { i: first, j: i },
            message: `must NOT have duplicate items (items ## ${first} and ${i} are identical)`,
          },
        ];
        return false;
      }
      seen.set(key, i);
    }
    return true;
  };
  ajv.addKeyword({ keyword: 'uniqueItems', type: 'array', schemaType: 'boolean', errors: true, validate: check });
}

/**
 * A fresh ajv for one user schema (fresh so two schemas with the same `$id` never collide), in the
 * draft it declares, with the meter its evaluation-counting keyword draws from.
 */
export function payloadAjv(schema: Record<string, unknown>): { ajv: Ajv; meter: EvaluationMeter } {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  // strict off: user schemas may carry unknown keywords
  const options = { strict: false, allErrors: true, logger: false as const, code: { regExp: re2Engine } };
  let ajv: Ajv;
  if (dialect.includes('2020-12')) ajv = new Ajv2020(options);
  else if (dialect.includes('2019-09')) ajv = new Ajv2019(options);
  else ajv = new Ajv(options);
  addFormats.default(ajv);
  ajv.addFormat('regex', isValidRegexFormat);
  addLinearUniqueItems(ajv);
  return { ajv, meter: addEvaluationMeter(ajv) };
}

/**
 * Most subschemas one event-type schema may hold: ajv spends ~0.4 ms compiling each (a 1 MiB
 * schema of 20,000 properties held the event loop for 11 s), so this keeps a compile under ~0.5 s.
 */
export const MAX_SUBSCHEMAS = 1000;

/** A detail when the schema holds more than MAX_SUBSCHEMAS subschemas, else none. */
export function tooManySubschemas(schema: Record<string, unknown>, root: string): ErrorDetail[] {
  let count = 0;
  forEachSubschema(schema, root, () => {
    count += 1;
  });
  return count > MAX_SUBSCHEMAS ? [{ path: root, message: `has ${count} subschemas; at most ${MAX_SUBSCHEMAS} are allowed` }] : [];
}

const RE2_ONLY = 'is not supported: patterns run on RE2 (no lookahead, lookbehind or backreferences)';

/** Why RE2 cannot run `pattern` affordably, or null; adds its estimated size to `sizes`. */
function patternProblem(pattern: string, sizes: { total: number }): string | null {
  try {
    new RE2(pattern, 'u');
  } catch (error) {
    return `${RE2_ONLY}: ${(error as Error).message}`;
  }
  const size = estimatePatternSize(pattern, MAX_PATTERN_SIZE);
  sizes.total += size;
  if (size > MAX_PATTERN_SIZE) return `is too large: counted repetitions expand it past ${MAX_PATTERN_SIZE} steps`;
  return null;
}

/**
 * Details (one per pattern, pointing at it) for every `pattern` and `patternProperties` key that
 * RE2 cannot run — backreferences and lookaround need backtracking, which is what makes ReDoS —
 * or that expands so far (`[\s\S]{1000}` repeated) that even linear matching takes seconds.
 */
export function unsupportedPatterns(schema: Record<string, unknown>, root: string): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const sizes = { total: 0 };
  const check = (pattern: string, path: string) => {
    const problem = patternProblem(pattern, sizes);
    if (problem) details.push({ path, message: problem });
  };
  forEachSubschema(schema, root, (subschema, path) => {
    if (typeof subschema.pattern === 'string') check(subschema.pattern, `${path}/pattern`);
    const patternProperties = subschema.patternProperties;
    if (typeof patternProperties === 'object' && patternProperties !== null && !Array.isArray(patternProperties)) {
      for (const pattern of Object.keys(patternProperties)) check(pattern, `${path}/patternProperties/${pointerSegment(pattern)}`);
    }
  });
  if (details.length === 0 && sizes.total > MAX_SCHEMA_PATTERN_SIZE) {
    details.push({ path: root, message: `has patterns that together expand past ${MAX_SCHEMA_PATTERN_SIZE} steps` });
  }
  return details;
}

/**
 * Wraps a compiled payload validator: the evaluation budget is refilled for each call, a check that
 * exhausts it or overflows the stack (a schema that refers to itself without descending into the
 * payload, `{"$ref": "#"}`) becomes a failed validation instead of a frozen loop or a 500, and
 * errors are capped at PAYLOAD_ERRORS_MAX.
 */
export function guardValidator(validate: ValidateFunction, meter: EvaluationMeter): ValidateFunction {
  const guarded = ((data: unknown): boolean => {
    meter.left = EVALUATION_BUDGET;
    try {
      const valid = validate(data);
      guarded.errors = validate.errors ? validate.errors.slice(0, PAYLOAD_ERRORS_MAX) : null;
      return valid;
    } catch (error) {
      const message = unboundedCheck(error);
      guarded.errors = [{ keyword: '$ref', instancePath: '', schemaPath: '#', params: {}, message }];
      return false;
    }
  }) as ValidateFunction;
  return Object.assign(guarded, { schema: validate.schema, schemaEnv: validate.schemaEnv });
}

/** The reason a check that threw could not finish; rethrows anything that is not a bound being hit. */
function unboundedCheck(error: unknown): string {
  if (error instanceof EvaluationBudgetExceeded) return `cannot be checked: it needs more than ${EVALUATION_BUDGET} schema evaluations`;
  if (error instanceof RangeError) return 'cannot be checked: the schema refers to itself without descending into the payload';
  throw error;
}

/** Values a schema is tried on at save time, so a self-referencing schema is refused then, not at send time. */
export const SCHEMA_PROBES: readonly unknown[] = [null, true, 0, '', [], {}];

/** Why the schema cannot even check trivial values (a `$ref` cycle or exponential branching), or null. */
export function probeProblem(validate: ValidateFunction, meter: EvaluationMeter): string | null {
  for (const probe of SCHEMA_PROBES) {
    meter.left = EVALUATION_BUDGET;
    try {
      validate(probe);
    } catch (error) {
      return unboundedCheck(error).replace('cannot be checked: ', '');
    }
  }
  return null;
}
